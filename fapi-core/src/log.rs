//! The one place fapi logs from: error codes and verdicts only, never tokens, keys or claims.
//! Routes to `defmt` with the `defmt` feature and compiles to nothing otherwise.

/// Records that a verification ended with `code` (0 = accepted).
#[inline]
pub(crate) fn verdict(code: u16) {
    #[cfg(feature = "defmt")]
    defmt::info!("fapi verdict code={=u16}", code);
    #[cfg(not(feature = "defmt"))]
    let _ = code;
}
