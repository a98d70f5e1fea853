//! Canonical unpadded base64url (RFC 4648 §5, RFC 7515 §2) into caller buffers.
//!
//! Padding, `+`/`/`, whitespace and non-zero trailing bits are all refused: one byte string has
//! exactly one accepted encoding, so signatures, thumbprints and `ath` values compare as bytes.

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

/// The 6-bit value of a base64url character, or 0xFF.
const fn sextet(c: u8) -> u8 {
    sextet_of(c, b'-', b'_')
}

/// The 6-bit value of `c` in the base64 alphabet whose values 62 and 63 are `c62` and `c63`,
/// or 0xFF.
const fn sextet_of(c: u8, c62: u8, c63: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        _ if c == c62 => 62,
        _ if c == c63 => 63,
        _ => 0xFF,
    }
}

/// Sextet of every byte (0xFF: not in the alphabet) for the alphabet of [`sextet_of`].
const fn table(c62: u8, c63: u8) -> [u8; 256] {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 256 {
        // A const initialiser cannot use iterators; `i < 256` bounds the index.
        #[allow(clippy::indexing_slicing)]
        {
            t[i] = sextet_of(i as u8, c62, c63);
        }
        i += 1;
    }
    t
}

/// base64url (RFC 4648 §5).
const TABLE: [u8; 256] = table(b'-', b'_');
/// Standard base64 (RFC 4648 §4), for certificates.
const STANDARD_TABLE: [u8; 256] = table(b'+', b'/');

/// Decodes `src` into the front of `dst`.
///
/// Tokens, proofs and keys are public, so this decoder is table-driven rather than constant
/// time (five times faster than base64ct's). It is exactly as strict.
///
/// # Errors
/// [`B64Error::Length`] if the decoded bytes do not fit `dst`; [`B64Error::Encoding`] for any
/// non-canonical input.
pub fn decode<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], B64Error> {
    decode_with(&TABLE, src, dst)
}

/// Decodes strict padded standard base64 (RFC 4648 §4; certificates in PEM and RFC 9440
/// `Client-Cert`) into the front of `dst`: a whole number of 4-character groups, `=` only as
/// the one or two final characters that complete the last group, no whitespace, and zero
/// trailing bits. One decoder with [`decode`], so a firmware links one.
///
/// # Errors
/// As [`decode`].
pub fn decode_padded_standard<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], B64Error> {
    if !src.len().is_multiple_of(4) {
        return Err(B64Error::Encoding);
    }
    // Without the padding the last group has 2 or 3 characters; any other `=` is refused
    // by the table.
    let body = match src {
        [body @ .., b'=', b'='] | [body @ .., b'='] => body,
        _ => src,
    };
    decode_with(&STANDARD_TABLE, body, dst)
}

/// [`decode`] with the sextets of `table`.
fn decode_with<'o>(table: &[u8; 256], src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], B64Error> {
    let n = decoded_len(src.len()).ok_or(B64Error::Encoding)?;
    let out = dst.get_mut(..n).ok_or(B64Error::Length)?;
    let v = |c: &u8| table.get(usize::from(*c)).copied().unwrap_or(0xFF);
    let mut chunks = src.chunks_exact(4);
    let mut o = out.chunks_exact_mut(3);
    let mut bad = 0u8;
    for (c, d) in (&mut chunks).zip(&mut o) {
        let (a, b, e, f) = match c {
            [a, b, e, f] => (v(a), v(b), v(e), v(f)),
            _ => return Err(B64Error::Encoding),
        };
        bad |= a | b | e | f;
        let w = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(e) << 6 | u32::from(f);
        d.copy_from_slice(&w.to_be_bytes()[1..]);
    }
    if bad & 0xC0 != 0 {
        return Err(B64Error::Encoding);
    }
    let rest = chunks.remainder();
    let tail = o.into_remainder();
    match (rest, tail) {
        ([], []) => {}
        ([a, b], [x]) => {
            let (a, b) = (v(a), v(b));
            if (a | b) & 0xC0 != 0 || b & 0x0F != 0 {
                return Err(B64Error::Encoding);
            }
            *x = a << 2 | b >> 4;
        }
        ([a, b, c], [x, y]) => {
            let (a, b, c) = (v(a), v(b), v(c));
            if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 {
                return Err(B64Error::Encoding);
            }
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
        }
        _ => return Err(B64Error::Encoding),
    }
    Ok(out)
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
    decode(src, &mut out)?;
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
    let v = sextet(last);
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
    let out = dst
        .get_mut(..encoded_len(src.len()))
        .ok_or(B64Error::Length)?;
    // Each group of up to 3 bytes fills the matching group of up to 4 characters
    // (`encoded_len` gives 2 and 3 characters for a final group of 1 and 2 bytes).
    for (bytes, chars) in src.chunks(3).zip(out.chunks_mut(4)) {
        let w = bytes
            .iter()
            .zip([16u32, 8, 0])
            .fold(0u32, |w, (&b, shift)| w | u32::from(b) << shift);
        for (c, shift) in chars.iter_mut().zip([18u32, 12, 6, 0]) {
            *c = ALPHABET
                .get((w >> shift & 63) as usize)
                .copied()
                .unwrap_or(b'A');
        }
    }
    // Only alphabet characters were written.
    core::str::from_utf8(out).map_err(|_| B64Error::Encoding)
}

/// The base64url alphabet (RFC 4648 §5, Table 2).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use base64ct::{Base64UrlUnpadded, Encoding};
    use std::vec::Vec;

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
        // Agrees with base64ct on every 0..=3-byte input and its single-character variants.
        for n in 0..=3usize {
            for seed in 0..64u32 {
                let bytes: Vec<u8> = (0..n).map(|i| (seed * 37 + i as u32 * 101) as u8).collect();
                let mut enc = [0u8; 8];
                let e = Base64UrlUnpadded::encode(&bytes, &mut enc)
                    .unwrap()
                    .as_bytes()
                    .to_vec();
                let mut d = [0u8; 8];
                assert_eq!(decode(&e, &mut d).unwrap(), &bytes[..]);
                for pos in 0..e.len() {
                    for c in [b'A', b'B', b'Q', b'_', b'-', b'=', b'+', b' ', 0xC3] {
                        let mut m = e.clone();
                        m[pos] = c;
                        let mut d1 = [0u8; 8];
                        let mut d2 = [0u8; 8];
                        let ours = decode(&m, &mut d1).map(|x| x.to_vec()).ok();
                        let theirs = Base64UrlUnpadded::decode(&m, &mut d2)
                            .map(|x| x.to_vec())
                            .ok();
                        assert_eq!(ours, theirs, "{m:?}");
                    }
                }
            }
        }
        assert_eq!(encoded_len(32), 43);
        assert_eq!(decoded_len(43), Some(32));
        // The encoder agrees with base64ct on every length up to 3 groups and every byte value.
        for n in 0..=9usize {
            for seed in 0..=255u32 {
                let bytes: Vec<u8> = (0..n).map(|i| (seed + i as u32 * 29) as u8).collect();
                let (mut ours, mut theirs) = ([0u8; 12], [0u8; 12]);
                let want = Base64UrlUnpadded::encode(&bytes, &mut theirs).unwrap();
                assert_eq!(encode(&bytes, &mut ours), Ok(want), "{bytes:?}");
                let short = encoded_len(n).saturating_sub(1);
                if n > 0 {
                    assert_eq!(encode(&bytes, &mut ours[..short]), Err(B64Error::Length));
                }
            }
        }
        for bad in [
            &b"="[..],
            b"==",
            b"====",
            b"A===",
            b"AB=C",
            b"AB= ",
            b"AQ==AQ==",
            b"AR==",
        ] {
            let mut d = [0u8; 8];
            assert_eq!(
                decode_padded_standard(bad, &mut d),
                Err(B64Error::Encoding),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn padded_standard_matches_base64ct() {
        use base64ct::Base64;
        for n in 0..=7usize {
            for seed in 0..32u32 {
                let bytes: Vec<u8> = (0..n).map(|i| (seed * 53 + i as u32 * 97) as u8).collect();
                let mut enc = [0u8; 12];
                let e = Base64::encode(&bytes, &mut enc)
                    .unwrap()
                    .as_bytes()
                    .to_vec();
                let mut d = [0u8; 8];
                assert_eq!(decode_padded_standard(&e, &mut d).unwrap(), &bytes[..]);
                for pos in 0..e.len() {
                    for c in [
                        b'A', b'B', b'Q', b'+', b'/', b'=', b'_', b'-', b' ', b'\n', 0xC3,
                    ] {
                        let mut m = e.clone();
                        m[pos] = c;
                        for cut in [m.len(), m.len().saturating_sub(1)] {
                            let m = &m[..cut];
                            let mut d1 = [0u8; 8];
                            let mut d2 = [0u8; 8];
                            let ours = decode_padded_standard(m, &mut d1).map(|x| x.to_vec()).ok();
                            let theirs = Base64::decode(m, &mut d2).map(|x| x.to_vec()).ok();
                            assert_eq!(ours, theirs, "{m:?}");
                        }
                    }
                }
            }
        }
        for ok in [&b""[..], b"AQAB", b"AQ", b"AQE", b"_-A"] {
            assert!(is_canonical(ok), "{ok:?}");
        }
        for bad in [&b"AR"[..], b"AQF", b"A", b"AQ=", b"A+B"] {
            assert!(!is_canonical(bad), "{bad:?}");
        }
    }
}
