//! The one place fapi logs from: error codes and verdicts only, never tokens, keys or claims.
//! Routes to `defmt` with the `defmt` feature and compiles to nothing otherwise.

/// Records that an access-token verification ended with `code` (0 = accepted).
#[inline]
pub(crate) fn token(code: u16) {
    #[cfg(feature = "defmt")]
    defmt::info!("fapi token code={=u16}", code);
    #[cfg(not(feature = "defmt"))]
    let _ = code;
}

/// Records that a request decision ended with `code` (0 = allowed).
#[inline]
pub(crate) fn decision(code: u16) {
    #[cfg(feature = "defmt")]
    defmt::info!("fapi decision code={=u16}", code);
    #[cfg(not(feature = "defmt"))]
    let _ = code;
}
