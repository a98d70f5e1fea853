//! Gives libfapi.so its SONAME (libfapi.so.0.1: before 1.0 a minor release may change the ABI)
//! whichever way it is built, so `cargo build` and `make` produce the same library.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
        let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libfapi.so.{major}.{minor}");
    }
}
