//! Certificate thumbprints (RFC 8705 §3.1): what a certificate-bound token's `cnf` carries.

use crate::codes::*;
use crate::ptr::{bytes, write_out};

/// Length of an `x5t#S256` value (base64url of a SHA-256 digest).
pub const FAPI_X5T_S256_LEN: u32 = 43;
/// Longest certificate input accepted by `fapi_cert_x5t_s256`, in bytes: room for a PEM or
/// nginx-escaped PEM of the largest certificate fapi reads (8 KiB of DER is about 11 KiB of
/// PEM). The call uses this much stack for the text plus 8 KiB for the DER.
pub const FAPI_MAX_CERT_INPUT_LEN: u32 = 16384;

/// Writes the `x5t#S256` thumbprint of a certificate (`FAPI_X5T_S256_LEN` bytes of base64url)
/// given in `encoding` (`FAPI_CERT_DER`, `_PEM`, `_ESCAPED_PEM`, `_CLIENT_CERT_HEADER`): the
/// value a token bound to that certificate carries in `cnf`.
///
/// Returns `FAPI_OK`, `FAPI_ERR_MTLS_CERT_MALFORMED`, `FAPI_ERR_BUFFER_TOO_SMALL`, or an API
/// code (`FAPI_ERR_INVALID_ARGUMENT` also for an unknown encoding or more than
/// `FAPI_MAX_CERT_INPUT_LEN` bytes).
///
/// # Safety
/// `cert` readable for `len`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_cert_x5t_s256(
    cert: *const u8,
    len: usize,
    encoding: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        let Some(enc) = crate::check::cert_encoding(encoding) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        if len > FAPI_MAX_CERT_INPUT_LEN as usize {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let input = match unsafe { bytes(cert, len) } {
            Ok(b) => b,
            Err(e) => return e,
        };
        let mut scratch = [0u8; FAPI_MAX_CERT_INPUT_LEN as usize];
        let mut der = [0u8; fapi_core::mtls::MAX_CERT_DER_LEN];
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                let d = fapi_core::mtls::decode_cert(input, enc, &mut scratch, &mut der)?;
                let tp = fapi_core::mtls::x5t_s256(d);
                let needed = fapi_core::b64::encoded_len(tp.len());
                let dst = buf
                    .get_mut(..needed)
                    .ok_or(fapi_core::Error::BufferTooSmall { needed })?;
                fapi_core::b64::encode(&tp, dst)
                    .map(str::len)
                    .map_err(|_| fapi_core::Error::BufferTooSmall { needed })
            })
        }
    })
}
