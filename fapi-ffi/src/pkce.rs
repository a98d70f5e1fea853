//! Values made from host random bytes: PKCE `S256` verifiers and challenges (RFC 7636), and
//! `state`/`nonce` values. fapi has no hidden source of randomness: pass bytes from the
//! host's CSPRNG, HSM or TRNG.

use crate::ptr::{bytes, write_out};

/// Length of an `S256` code challenge (base64url of a SHA-256 digest).
pub const FAPI_PKCE_CHALLENGE_LEN: u32 = 43;
/// Longest PKCE verifier (from 96 random bytes).
pub const FAPI_PKCE_MAX_VERIFIER_LEN: u32 = 128;

/// Writes a PKCE `code_verifier`: the base64url text of 32–96 host random bytes (43–128
/// characters). Keep it for the token request.
///
/// Returns `FAPI_OK`, `FAPI_ERR_MISUSE_RANDOM_LENGTH` (outside 32–96 bytes),
/// `FAPI_ERR_BUFFER_TOO_SMALL`, or an API code.
///
/// # Safety
/// `random` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_pkce_verifier(
    random: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let r = match unsafe { bytes(random, len) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe { write_out(out, cap, out_len, |buf| fapi_core::pkce::verifier(r, buf)) }
    })
}

/// Writes the `S256` `code_challenge` of `verifier` (`FAPI_PKCE_CHALLENGE_LEN` bytes).
///
/// Returns `FAPI_OK`, `FAPI_ERR_MISUSE_PKCE_VERIFIER_INVALID` (not 43–128 unreserved
/// characters), `FAPI_ERR_BUFFER_TOO_SMALL`, or an API code.
///
/// # Safety
/// `verifier` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_pkce_challenge(
    verifier: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let v = match unsafe { bytes(verifier, len) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                let c = fapi_core::pkce::challenge(v)?;
                let src = c.as_bytes();
                let dst = buf
                    .get_mut(..src.len())
                    .ok_or(fapi_core::Error::BufferTooSmall { needed: src.len() })?;
                dst.copy_from_slice(src);
                Ok(src.len())
            })
        }
    })
}

/// Writes a fresh `state`, `nonce` or `jti` value: the base64url text of 16–96 host random
/// bytes (`ceil(4n/3)` characters).
///
/// Returns `FAPI_OK`, `FAPI_ERR_MISUSE_RANDOM_LENGTH`, `FAPI_ERR_BUFFER_TOO_SMALL`, or an API
/// code.
///
/// # Safety
/// `random` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_random_token(
    random: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let r = match unsafe { bytes(random, len) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe { write_out(out, cap, out_len, |buf| fapi_core::random::token(r, buf)) }
    })
}
