//! RFC 3986 percent-encoding and `application/x-www-form-urlencoded` (RFC 6749 Appendix B)
//! into caller buffers, and a strict reader for the parameters of a query string, a fragment
//! or a form body.
//!
//! Encoding keeps only the unreserved characters (`A–Z a–z 0–9 - . _ ~`) and writes every
//! other byte as `%XX` with upper-case hex, so the same text is right in a query, a fragment
//! and a form body. Decoding is strict: `%` must be followed by two hex digits, `+` is a space
//! (form encoding), and a value must decode to UTF-8.

use crate::error::{AuthResponseError, Error};
use crate::out::{self, Sink};

/// Percent-encodes `value` into `out` and returns the length written.
///
/// # Errors
/// [`Error::BufferTooSmall`] with the length needed.
pub fn encode(value: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    out::write_with(out, |o| {
        out::Pct::new(o).put(value);
        Ok(())
    })
}

/// The length [`encode`] writes for `value`.
pub fn encoded_len(value: &[u8]) -> usize {
    value
        .iter()
        .map(|&b| if out::is_unreserved(b) { 1 } else { 3 })
        .sum()
}

/// The value of one hex digit (percent-escapes here and in nginx's escaped PEM, `mtls`).
pub(crate) const fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Iterator over the decoded bytes of form-encoded text; yields `Err` once on a bad escape.
struct Decoded<'a> {
    raw: &'a [u8],
    pos: usize,
}

impl Iterator for Decoded<'_> {
    type Item = Result<u8, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = *self.raw.get(self.pos)?;
        match c {
            b'%' => {
                let hi = self.raw.get(self.pos + 1).copied().and_then(hex_val);
                let lo = self.raw.get(self.pos + 2).copied().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        self.pos += 3;
                        Some(Ok(h << 4 | l))
                    }
                    _ => {
                        self.pos = self.raw.len();
                        Some(Err(()))
                    }
                }
            }
            b'+' => {
                self.pos += 1;
                Some(Ok(b' '))
            }
            _ => {
                self.pos += 1;
                Some(Ok(c))
            }
        }
    }
}

fn decoded(raw: &[u8]) -> Decoded<'_> {
    Decoded { raw, pos: 0 }
}

/// Decodes form-encoded `raw` into `out` and returns the UTF-8 text.
///
/// # Errors
/// [`AuthResponseError::ParameterEncoding`] for a bad escape or bytes that are not UTF-8;
/// [`Error::BufferTooSmall`] with the decoded length.
pub fn decode<'o>(raw: &[u8], out: &'o mut [u8]) -> Result<&'o str, Error> {
    let needed = decoded_len(raw)?;
    let dst = out
        .get_mut(..needed)
        .ok_or(Error::BufferTooSmall { needed })?;
    for (d, s) in dst.iter_mut().zip(decoded(raw)) {
        *d = s.unwrap_or(0);
    }
    core::str::from_utf8(dst).map_err(|_| AuthResponseError::ParameterEncoding.into())
}

/// The decoded length of form-encoded `raw`.
///
/// # Errors
/// [`AuthResponseError::ParameterEncoding`] for a bad escape.
pub fn decoded_len(raw: &[u8]) -> Result<usize, Error> {
    let mut n = 0usize;
    for b in decoded(raw) {
        b.map_err(|()| AuthResponseError::ParameterEncoding)?;
        n += 1;
    }
    Ok(n)
}

/// Whether form-encoded `raw` decodes to exactly `s` (a bad escape never equals).
pub fn eq_decoded(raw: &[u8], s: &str) -> bool {
    let mut it = decoded(raw);
    for &want in s.as_bytes() {
        match it.next() {
            Some(Ok(b)) if b == want => {}
            _ => return false,
        }
    }
    it.next().is_none()
}

/// Strips one leading `?` or `#` from a query string or fragment, if present.
pub fn strip_delimiter(s: &[u8]) -> &[u8] {
    match s.first() {
        Some(b'?' | b'#') => s.get(1..).unwrap_or(&[]),
        _ => s,
    }
}

/// The query of a URI reference (between `?` and `#`), without the `?`; empty if none.
pub fn query_of(uri: &[u8]) -> &[u8] {
    let end = uri.iter().position(|&b| b == b'#').unwrap_or(uri.len());
    let head = uri.get(..end).unwrap_or(&[]);
    match head.iter().position(|&b| b == b'?') {
        Some(q) => head.get(q + 1..).unwrap_or(&[]),
        None => &[],
    }
}

/// The fragment of a URI reference (after the first `#`), without the `#`; empty if none.
pub fn fragment_of(uri: &[u8]) -> &[u8] {
    match uri.iter().position(|&b| b == b'#') {
        Some(h) => uri.get(h + 1..).unwrap_or(&[]),
        None => &[],
    }
}

/// Longest URI the client side writes or accepts as an endpoint, in bytes.
pub const MAX_URI_LEN: usize = crate::htu::MAX_URI_LEN;

/// Whether `uri` is an absolute `https` URI (or `http` when `allow_http`) with a host, no
/// userinfo, no fragment, no query unless `allow_query`, only RFC 3986 characters, and at
/// most [`MAX_URI_LEN`] bytes: what endpoints, redirect URIs and DPoP `htu` values must be.
pub fn is_web_uri(uri: &[u8], allow_http: bool, allow_query: bool) -> bool {
    web_uri_ok(uri.iter().copied(), allow_http, allow_query)
}

/// [`is_web_uri`] over bytes from an iterator (e.g. an unescaped JSON string).
pub(crate) fn web_uri_ok(
    mut it: impl Iterator<Item = u8>,
    allow_http: bool,
    allow_query: bool,
) -> bool {
    // Scheme.
    let mut scheme = [0u8; 8];
    let mut n = 0;
    for slot in scheme.iter_mut() {
        match it.next() {
            Some(b':') => break,
            Some(b) => {
                *slot = b.to_ascii_lowercase();
                n += 1;
            }
            None => return false,
        }
    }
    let scheme = scheme.get(..n).unwrap_or(&[]);
    let scheme_ok = scheme == b"https" || (allow_http && scheme == b"http");
    if !scheme_ok || it.next() != Some(b'/') || it.next() != Some(b'/') {
        return false;
    }
    let mut len = n + 3;
    let mut host_len = 0usize;
    let mut in_authority = true;
    for b in it {
        len += 1;
        if len > MAX_URI_LEN {
            return false;
        }
        let rfc3986 = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
        if !rfc3986 || b == b'#' || (b == b'?' && !allow_query) {
            return false;
        }
        if in_authority {
            match b {
                b'/' | b'?' => in_authority = false,
                b'@' => return false,
                _ => host_len += 1,
            }
        }
    }
    host_len > 0
}

/// One `name=value` pair, both still encoded.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Param<'a> {
    /// The encoded name.
    pub name: &'a [u8],
    /// The encoded value (empty when the pair has no `=`).
    pub value: &'a [u8],
}

impl Param<'_> {
    /// Whether the decoded name is `name`.
    pub fn is(&self, name: &str) -> bool {
        eq_decoded(self.name, name)
    }
}

/// The pairs of a query string, fragment or form body, in order (empty pairs skipped). A
/// leading `?` or `#` is ignored.
pub fn params(input: &[u8]) -> impl Iterator<Item = Param<'_>> {
    strip_delimiter(input)
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => Param {
                name: p.get(..i).unwrap_or(&[]),
                value: p.get(i + 1..).unwrap_or(&[]),
            },
            None => Param {
                name: p,
                value: &[],
            },
        })
}

/// The encoded values of the parameters `names`, found in one pass; a name seen twice is
/// refused (RFC 6749 §3.1: parameters must not be included more than once).
///
/// # Errors
/// [`AuthResponseError::DuplicateParameter`].
pub fn find_many<'a, const N: usize>(
    input: &'a [u8],
    names: [&str; N],
) -> Result<[Option<&'a [u8]>; N], Error> {
    let mut found: [Option<&'a [u8]>; N] = [None; N];
    for p in params(input) {
        if let Some(i) = names.iter().position(|n| p.is(n))
            && let Some(slot) = found.get_mut(i)
        {
            if slot.is_some() {
                return Err(AuthResponseError::DuplicateParameter.into());
            }
            *slot = Some(p.value);
        }
    }
    Ok(found)
}

/// A form body or query being written: `name=value` pairs joined by `&`, both encoded.
pub(crate) struct FormWriter<'s> {
    sink: &'s mut dyn Sink,
    first: bool,
}

impl<'s> FormWriter<'s> {
    /// Starts writing pairs; `first` is whether no pair precedes (otherwise `&` comes first).
    pub(crate) fn new(sink: &'s mut dyn Sink, first: bool) -> Self {
        Self { sink, first }
    }

    /// Appends `name=value`, both percent-encoded.
    pub(crate) fn pair(&mut self, name: &str, value: &[u8]) {
        if !self.first {
            self.sink.put(b"&");
        }
        self.first = false;
        out::Pct::new(self.sink).put(name.as_bytes());
        self.sink.put(b"=");
        out::Pct::new(self.sink).put(value);
    }

    /// Appends `name=value` if `value` is given.
    pub(crate) fn opt_pair(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.pair(name, v.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let mut e = [0u8; 64];
        let n = encode("a b&c=d/é~".as_bytes(), &mut e).unwrap();
        assert_eq!(&e[..n], b"a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(encoded_len("a b&c=d/é~".as_bytes()), n);
        let mut d = [0u8; 64];
        assert_eq!(decode(&e[..n], &mut d).unwrap(), "a b&c=d/é~");
        assert_eq!(decode(b"a+b%2b", &mut d).unwrap(), "a b+");
        assert_eq!(
            decode(b"%4", &mut d),
            Err(AuthResponseError::ParameterEncoding.into())
        );
        assert_eq!(
            decode(b"%zz", &mut d),
            Err(AuthResponseError::ParameterEncoding.into())
        );
        assert_eq!(
            decode(b"%C3", &mut d),
            Err(AuthResponseError::ParameterEncoding.into())
        );
        assert_eq!(
            decode(b"abc", &mut d[..2]),
            Err(Error::BufferTooSmall { needed: 3 })
        );
        assert!(eq_decoded(b"st%61te", "state"));
        assert!(!eq_decoded(b"state%", "state"));
        let [a, b, c] = find_many(b"?a=1&&b&c=x%20y", ["a", "b", "c"]).unwrap();
        assert_eq!(
            (a, b, c),
            (Some(&b"1"[..]), Some(&b""[..]), Some(&b"x%20y"[..]))
        );
        assert_eq!(
            find_many(b"a=1&%61=2", ["a"]),
            Err(AuthResponseError::DuplicateParameter.into())
        );
        assert_eq!(
            query_of(b"https://c/cb?code=1&state=2#x"),
            b"code=1&state=2"
        );
        assert_eq!(fragment_of(b"https://c/cb?q#code=1"), b"code=1");
        assert_eq!(query_of(b"https://c/cb#a?b"), b"");
        assert!(is_web_uri(b"https://as.example/par", false, false));
        assert!(is_web_uri(b"HTTPS://as.example:8443", false, false));
        assert!(is_web_uri(b"https://c.example/cb?x=1", false, true));
        assert!(is_web_uri(b"http://127.0.0.1:3000/t", true, false));
        for bad in [
            &b"http://as.example/t"[..],
            b"https://",
            b"https:///path",
            b"https://u@as.example/",
            b"https://as.example/#f",
            b"https://as.example/?q",
            b"https://as.example/ a",
            b"as.example/t",
            b"https:/as.example",
        ] {
            assert!(!is_web_uri(bad, false, false), "{bad:?}");
        }
    }
}
