//! The C ABI of fapi: `fapi_<object>_<verb>` functions over caller-owned memory.
//!
//! No logic lives here: each function checks its pointers, lengths and enum-like values,
//! calls fapi-core, and maps the result to a stable `uint32_t` code. Every exported function
//! is a panic boundary (host builds unwind and catch; bare metal calls the integrator's hook
//! and halts), and every `unsafe` block says why it is sound.
//!
//! Objects:
//! - the **verifier** (`fapi_verifier`): one region of plain data and 32-bit atomics, no
//!   pointers, laid out from the configuration — it may live in `MAP_SHARED` memory or an nginx
//!   shared zone and be used by many threads and processes at once;
//! - the **context** (`fapi_ctx`): per thread or worker, never shared concurrently;
//! - the **client** (`fapi_client`): the gateway as an OAuth client of one authorization
//!   server (configuration, the server's key set, response and ID-token scratch), one thread at
//!   a time;
//! - the **signer** (`fapi_signer`): a client signing key (ES256, Ed25519, or a host callback
//!   for an HSM or PS256), one thread at a time;
//! - stateless readers and writers: PKCE and random values, PAR and token responses, OAuth
//!   errors, `DPoP-Nonce` values, certificate thumbprints.
#![cfg_attr(target_os = "none", no_std)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]
#![allow(non_camel_case_types)]

mod cert;
mod check;
mod client;
mod codes;
mod ctx;
mod pkce;
mod provider;
mod ptr;
mod response;
mod sign;
mod types;
mod verifier;

pub use cert::*;
pub use check::*;
pub use client::*;
pub use codes::*;
pub use ctx::*;
pub use pkce::*;
pub use provider::*;
pub use response::*;
pub use sign::*;
pub use types::*;
pub use verifier::*;

pub use fapi_core;

/// Runs `f` as a panic boundary: a panic becomes `FAPI_ERR_PANIC` and never unwinds into C.
#[cfg(not(target_os = "none"))]
pub(crate) fn guard(f: impl FnOnce() -> u32) -> u32 {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(FAPI_ERR_PANIC)
}

/// On bare metal a panic cannot unwind: the panic handler calls the hook and halts.
#[cfg(target_os = "none")]
pub(crate) fn guard(f: impl FnOnce() -> u32) -> u32 {
    f()
}

#[cfg(all(target_os = "none", feature = "panic-handler"))]
mod panic {
    unsafe extern "C" {
        /// Provided by the integrator: record or report the failure. It must not return
        /// control to fapi (fapi halts after it returns).
        fn fapi_panic_hook();
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        // SAFETY: the integrator links a `fapi_panic_hook` with this signature (documented in
        // fapi.h); it takes no arguments and we call it once before halting.
        unsafe { fapi_panic_hook() };
        loop {
            core::hint::spin_loop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_has_its_c_code() {
        for e in fapi_core::error::ALL {
            let code = u32::from(e.code());
            let row = FAPI_RESULT_TABLE.iter().find(|(c, _)| *c == code);
            assert_eq!(
                row.map(|r| r.1),
                Some(e.name()),
                "{e:?}: regenerate codes.rs"
            );
            // SAFETY: fapi_result_str returns a static NUL-terminated string.
            let s = unsafe { core::ffi::CStr::from_ptr(fapi_result_str(code)) };
            assert_eq!(s.to_str().ok(), Some(e.name()));
            assert_eq!(fapi_result_http_status(code), u32::from(e.http_status()));
        }
        // SAFETY: as above.
        let unknown = unsafe { core::ffi::CStr::from_ptr(fapi_result_str(12345)) };
        assert_eq!(unknown.to_str().ok(), Some("unknown"));
        assert_eq!(fapi_result_http_status(FAPI_OK), 200);
        let mut codes: Vec<u32> = FAPI_RESULT_TABLE.iter().map(|r| r.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            FAPI_RESULT_TABLE.len(),
            "a code is listed twice"
        );
    }
}
