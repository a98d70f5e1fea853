//! Canonical unpadded base64url (RFC 4648 §5, RFC 7515 §2) into caller buffers.
//!
//! Padding, `+`/`/`, whitespace and non-zero trailing bits are all refused: one byte string has
//! exactly one accepted encoding, so signatures, thumbprints and `ath` values compare as bytes.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Why a base64url string was refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum B64Error {
    /// Not canonical unpadded base64url.
    Encoding,
    /// The decoded bytes do not fit the output (or the exact length required).
    Length,
}

/// Decoded length of a canonical unpadded base64url string of `len` characters, or `None` for
/// an impossible length (`len % 4 == 1`).
pub const fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        r => Some(len / 4 * 3 + if r == 0 { 0 } else { r - 1 }),
    }
}

/// Characters needed to encode `n` bytes.
pub const fn encoded_len(n: usize) -> usize {
    n / 3 * 4
        + match n % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// Decodes `src` into the front of `dst`.
///
/// # Errors
/// [`B64Error::Length`] if the decoded bytes do not fit `dst`; [`B64Error::Encoding`] for any
/// non-canonical input.
pub fn decode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], B64Error> {
    let n = decoded_len(src.len()).ok_or(B64Error::Encoding)?;
    let out = dst.get_mut(..n).ok_or(B64Error::Length)?;
    Base64UrlUnpadded::decode(src, out).map_err(|_| B64Error::Encoding)
}

/// Decodes `src`, which must decode to exactly `N` bytes.
///
/// # Errors
/// [`B64Error::Length`] for any other decoded length; [`B64Error::Encoding`] for non-canonical
/// input.
pub fn decode_exact<const N: usize>(src: &[u8]) -> Result<[u8; N], B64Error> {
    let n = decoded_len(src.len()).ok_or(B64Error::Encoding)?;
    if n != N {
        // Still report a malformed encoding as such, whatever its length.
        if !is_url_alphabet(src) {
            return Err(B64Error::Encoding);
        }
        return Err(B64Error::Length);
    }
    let mut out = [0u8; N];
    Base64UrlUnpadded::decode(src, &mut out).map_err(|_| B64Error::Encoding)?;
    Ok(out)
}

/// Whether every byte is in the base64url alphabet (no padding, no whitespace).
pub fn is_url_alphabet(src: &[u8]) -> bool {
    src.iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Whether `src` is canonical unpadded base64url: alphabet only, a possible length, and zero
/// unused bits in the last character — without decoding it.
pub fn is_canonical(src: &[u8]) -> bool {
    if !is_url_alphabet(src) || decoded_len(src.len()).is_none() {
        return false;
    }
    let Some(&last) = src.last() else {
        return true;
    };
    let v = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    match src.len() % 4 {
        2 => v & 0x0F == 0,
        3 => v & 0x03 == 0,
        _ => true,
    }
}

/// Encodes `src` into `dst` and returns the text.
///
/// # Errors
/// [`B64Error::Length`] if `dst` is shorter than [`encoded_len`]`(src.len())`.
pub fn encode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o str, B64Error> {
    Base64UrlUnpadded::encode(src, dst).map_err(|_| B64Error::Length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_only() {
        let mut b = [0u8; 8];
        assert_eq!(decode(b"AQAB", &mut b).unwrap(), &[1, 0, 1]);
        assert_eq!(decode(b"AQAB=", &mut b), Err(B64Error::Encoding));
        assert_eq!(decode(b"AQ==", &mut b), Err(B64Error::Encoding));
        assert_eq!(decode(b"AR", &mut b), Err(B64Error::Encoding)); // trailing bits
        assert_eq!(decode(b"A+/B", &mut b), Err(B64Error::Encoding));
        assert_eq!(decode(b"AQ B", &mut b), Err(B64Error::Encoding));
        assert_eq!(decode(b"AQABAQABAQAB", &mut b), Err(B64Error::Length));
        assert_eq!(decode_exact::<3>(b"AQAB"), Ok([1, 0, 1]));
        assert_eq!(decode_exact::<4>(b"AQAB"), Err(B64Error::Length));
        assert_eq!(encoded_len(32), 43);
        assert_eq!(decoded_len(43), Some(32));
        for ok in [&b""[..], b"AQAB", b"AQ", b"AQE", b"_-A"] {
            assert!(is_canonical(ok), "{ok:?}");
        }
        for bad in [&b"AR"[..], b"AQF", b"A", b"AQ=", b"A+B"] {
            assert!(!is_canonical(bad), "{bad:?}");
        }
    }
}
