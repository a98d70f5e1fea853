//! The authorization server's endpoint answers, read without state: the PAR response
//! (RFC 9126), the token response (RFC 6749 §5, RFC 9449), `DPoP-Nonce` values, and OAuth
//! error bodies. Each call parses and checks the whole answer, so no value can be read from
//! an answer that was not checked.

use crate::client::{FAPI_OAUTH_ERROR, FAPI_OAUTH_ERROR_DESCRIPTION, FAPI_OAUTH_ERROR_URI};
use crate::codes::*;
use crate::ptr::{aligned, bytes, code, put, write_out};
use fapi_core::json::JStr;
use fapi_core::oauth::ErrorResponse;
use fapi_core::token::{self, TokenResponse, TokenType};

/// `token_type`: `Bearer` (also certificate-bound tokens, RFC 8705).
pub const FAPI_TOKEN_TYPE_BEARER: u32 = 0;
/// `token_type`: `DPoP` (RFC 9449).
pub const FAPI_TOKEN_TYPE_DPOP: u32 = 1;

/// Token response member: `access_token`.
pub const FAPI_TOKEN_ACCESS_TOKEN: u32 = 0;
/// Token response member: `refresh_token` (a new one replaces the stored one: rotation).
pub const FAPI_TOKEN_REFRESH_TOKEN: u32 = 1;
/// Token response member: `id_token` (verify with `fapi_client_verify_id_token`).
pub const FAPI_TOKEN_ID_TOKEN: u32 = 2;
/// Token response member: `scope`.
pub const FAPI_TOKEN_SCOPE: u32 = 3;

fn status16(status: u32) -> Result<u16, u32> {
    u16::try_from(status).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)
}

/// Copies a JSON string, unescaped, into `(out, cap, *out_len)`.
///
/// # Safety
/// As [`write_out`].
unsafe fn jstr_out(s: &JStr<'_>, out: *mut u8, cap: usize, out_len: *mut usize) -> u32 {
    // SAFETY: forwarded contract.
    unsafe { write_out(out, cap, out_len, |buf| s.unescape_into(buf).map(str::len)) }
}

/// Reads the PAR endpoint's answer (HTTP `status` and JSON `body`): copies `request_uri`,
/// unescaped, into `(out, cap, *out_len)` and `expires_in` into `*expires_in` (may be NULL).
///
/// Returns `FAPI_OK`; `FAPI_ERR_PAR_ERROR_RESPONSE` (an OAuth error body: read it with
/// `fapi_oauth_error`), `_UNEXPECTED_STATUS`, `_REQUEST_URI_MISSING`, `_REQUEST_URI_INVALID`,
/// `_EXPIRES_IN_MISSING`, `_EXPIRES_IN_INVALID`; JSON codes; `FAPI_ERR_BUFFER_TOO_SMALL`; or
/// an API code (`status` above 65535).
///
/// # Safety
/// `body` readable for `len`; `out` writable for `cap`; `out_len` writable; `expires_in`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_par_response(
    status: u32,
    body: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
    expires_in: *mut u64,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let (st, body) = match (status16(status), unsafe { bytes(body, len) }) {
            (Ok(s), Ok(b)) => (s, b),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let pushed = match fapi_core::par::parse_response(st, body) {
            Ok(p) => p,
            Err(e) => return code(e),
        };
        // SAFETY: forwarded contract.
        let rc = unsafe { jstr_out(&pushed.request_uri(), out, cap, out_len) };
        if rc == FAPI_OK {
            // SAFETY: NULL is skipped; writable per contract.
            unsafe { put(expires_in, pushed.expires_in()) };
        }
        rc
    })
}

/// Parses a token response with the core rules.
///
/// # Safety
/// `body` readable for `len`.
unsafe fn token_response<'a>(
    status: u32,
    body: *const u8,
    len: usize,
    dpop_sent: u32,
) -> Result<TokenResponse<'a>, u32> {
    if dpop_sent > 1 {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    let st = status16(status)?;
    // SAFETY: forwarded contract.
    let body = unsafe { bytes(body, len)? };
    token::parse_response(st, body, dpop_sent == 1).map_err(code)
}

/// Reads the token endpoint's answer (HTTP `status`, JSON `body`, and whether the request
/// carried a DPoP proof: `dpop_sent` 1/0): `*token_type` (`FAPI_TOKEN_TYPE_*`) and
/// `*expires_in` (0 when absent); either may be NULL. The `token_type` must be what the
/// request asked for: `DPoP` after a proof, `Bearer` otherwise — `Bearer` after a proof is a
/// downgrade. Read the members with `fapi_token_response_member`.
///
/// Returns `FAPI_OK`; `FAPI_ERR_TOKEN_USE_DPOP_NONCE` (retry with a fresh proof carrying the
/// `DPoP-Nonce` header's value, checked with `fapi_dpop_nonce_check`, and a fresh client
/// assertion); `FAPI_ERR_TOKEN_ERROR_RESPONSE` (read the body with `fapi_oauth_error`);
/// `_UNEXPECTED_STATUS`, `_ACCESS_TOKEN_MISSING`, `_TOKEN_TYPE_MISSING`,
/// `_TOKEN_TYPE_MISMATCH`, `_EXPIRES_IN_INVALID`, `_MEMBER_TYPE`; JSON codes; or an API code.
///
/// # Safety
/// `body` readable for `len`; `token_type` and `expires_in` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_token_response(
    status: u32,
    body: *const u8,
    len: usize,
    dpop_sent: u32,
    token_type: *mut u32,
    expires_in: *mut u64,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { token_response(status, body, len, dpop_sent) } {
            Ok(t) => {
                let tt = match t.token_type() {
                    TokenType::Bearer => FAPI_TOKEN_TYPE_BEARER,
                    TokenType::DPoP => FAPI_TOKEN_TYPE_DPOP,
                };
                // SAFETY: NULL is skipped; writable per contract.
                unsafe {
                    put(token_type, tt);
                    put(expires_in, t.expires_in().unwrap_or(0));
                }
                FAPI_OK
            }
            Err(e) => e,
        }
    })
}

/// Checks the token endpoint's answer exactly as `fapi_token_response` and copies member
/// `member` (`FAPI_TOKEN_ACCESS_TOKEN`, `_REFRESH_TOKEN`, `_ID_TOKEN`, `_SCOPE`), unescaped,
/// into `(out, cap, *out_len)`. Refresh-token rotation: after a refresh, a
/// `FAPI_TOKEN_REFRESH_TOKEN` answer replaces the stored refresh token; `FAPI_ERR_NOT_FOUND`
/// means the server kept the old one.
///
/// Returns the codes of `fapi_token_response`, `FAPI_ERR_NOT_FOUND` (an optional member
/// absent), or `FAPI_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `body` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_token_response_member(
    status: u32,
    body: *const u8,
    len: usize,
    dpop_sent: u32,
    member: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let t = match unsafe { token_response(status, body, len, dpop_sent) } {
            Ok(t) => t,
            Err(e) => return e,
        };
        let v = match member {
            FAPI_TOKEN_ACCESS_TOKEN => Some(t.access_token()),
            FAPI_TOKEN_REFRESH_TOKEN => t.refresh_token(),
            FAPI_TOKEN_ID_TOKEN => t.id_token(),
            FAPI_TOKEN_SCOPE => t.scope(),
            _ => return FAPI_ERR_INVALID_ARGUMENT,
        };
        match v {
            // SAFETY: forwarded contract.
            Some(s) => unsafe { jstr_out(&s, out, cap, out_len) },
            None => FAPI_ERR_NOT_FOUND,
        }
    })
}

/// Checks a `DPoP-Nonce` header value (`1*NQCHAR`, at most 512 bytes, RFC 9449 §8.1) before
/// it goes into the next proof's `nonce`.
///
/// Returns `FAPI_OK`, `FAPI_ERR_TOKEN_DPOP_NONCE_INVALID`, or an API code.
///
/// # Safety
/// `value` readable for `len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_dpop_nonce_check(value: *const u8, len: usize) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let v = match unsafe { bytes(value, len) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        match token::dpop_nonce(v) {
            Ok(_) => FAPI_OK,
            Err(e) => code(e),
        }
    })
}

/// Copies member `member` (`FAPI_OAUTH_ERROR`, `_DESCRIPTION`, `_URI`) of an OAuth error
/// body (RFC 6749 §5.2, a PAR or token endpoint answer), unescaped, into `(out, cap,
/// *out_len)`. `FAPI_ERR_NOT_FOUND` when `body` is not a JSON object with a string `error`,
/// or the member is absent or not a string.
///
/// # Safety
/// `body` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_oauth_error(
    body: *const u8,
    len: usize,
    member: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        if member > FAPI_OAUTH_ERROR_URI || !aligned(out_len) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let body = match unsafe { bytes(body, len) } {
            Ok(b) => b,
            Err(e) => return e,
        };
        let Some(er) = ErrorResponse::parse(body) else {
            return FAPI_ERR_NOT_FOUND;
        };
        let v = match member {
            FAPI_OAUTH_ERROR => Some(er.error()),
            FAPI_OAUTH_ERROR_DESCRIPTION => er.description(),
            _ => er.uri(),
        };
        match v {
            // SAFETY: forwarded contract.
            Some(s) => unsafe { jstr_out(&s, out, cap, out_len) },
            None => FAPI_ERR_NOT_FOUND,
        }
    })
}
