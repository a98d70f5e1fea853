//! DPoP `htu` checking (RFC 9449 §4.3 check 9, §4.2) with RFC 3986 syntax-based and
//! scheme-based normalisation (§6.2.2, §6.2.3).
//!
//! The URL a request was made to is never rebuilt from `Host` or `X-Forwarded-*`: it is the
//! configured [`PublicBase`] (`scheme://host[:port][/prefix]`, the prefix being what a proxy in
//! front removed) plus the path of the request target as received ([`expected_htu`]). The
//! proof's `htu` is normalised the same way and compared byte for byte ([`check`]).
//!
//! Normalisation ([`normalize`]) turns an absolute `http`/`https` URI into
//! `scheme://host[:port]/path`:
//!
//! - scheme and host are lowercased; an empty port or the scheme's default port (80 for
//!   `http`, 443 for `https`) is removed, other ports are written in plain decimal;
//! - an empty path becomes `/`;
//! - percent-encodings of unreserved characters (`ALPHA DIGIT - . _ ~`) are decoded, every
//!   other percent-encoding keeps its encoding with uppercase hex digits (so `%2F` stays
//!   `%2F` and differs from a literal `/`);
//! - dot segments are removed (RFC 3986 §5.2.4), after that decoding (so `%2E%2E` is `..`);
//! - query and fragment are dropped (they must still be well-formed).
//!
//! The path stays case-sensitive, empty segments and a trailing slash are significant. Anything
//! that is not RFC 3986 syntax is refused rather than repaired: userinfo, relative references,
//! other schemes, invalid percent-encodings, and bytes outside the RFC 3986 character set
//! (space, controls, non-ASCII, `\`, `"`, `<`, `>`, `[`/`]` outside an IP literal, …).
//!
//! Every function works in caller buffers, never allocates, never recurses and never panics.

use crate::error::{DpopError, Error, MisuseError, RequestError};

/// Longest normalised URI handled, in bytes; a longer one is refused by the function that
/// builds it.
pub const MAX_URI_LEN: usize = 2048;

/// Longest normalised public base (origin plus prefix), in bytes.
pub const MAX_BASE_LEN: usize = 256;

// ---------------------------------------------------------------------------------------------
// Internal plumbing.

/// Why an internal step failed; each public function maps it to its own [`Error`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Fail {
    /// Not acceptable syntax.
    Syntax,
    /// The normalised form is longer than the limit.
    TooLong,
    /// The normalised form does not fit the caller's buffer (it may still fit the limit).
    Full,
}

/// An append-only writer over a caller buffer, bounded by `min(buf.len(), limit)`.
struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
    cap: usize,
    limit: usize,
}

impl<'a> Out<'a> {
    fn new(buf: &'a mut [u8], limit: usize) -> Self {
        let cap = if buf.len() < limit { buf.len() } else { limit };
        Self {
            buf,
            len: 0,
            cap,
            limit,
        }
    }

    fn push(&mut self, b: u8) -> Result<(), Fail> {
        if self.len >= self.cap {
            return Err(if self.cap >= self.limit {
                Fail::TooLong
            } else {
                Fail::Full
            });
        }
        let slot = self.buf.get_mut(self.len).ok_or(Fail::Full)?;
        *slot = b;
        self.len += 1;
        Ok(())
    }

    fn extend(&mut self, s: &[u8]) -> Result<(), Fail> {
        s.iter().try_for_each(|&b| self.push(b))
    }

    fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Removes the last `/segment` written at or after `floor` (RFC 3986 §5.2.4 step 2C).
    fn pop_segment(&mut self, floor: usize) {
        let tail = self.buf.get(floor..self.len).unwrap_or(&[]);
        if let Some(p) = tail.iter().rposition(|&b| b == b'/') {
            self.len = floor + p;
        }
    }

    fn finish(self) -> &'a [u8] {
        let Self { buf, len, .. } = self;
        let buf: &'a [u8] = buf;
        buf.get(..len).unwrap_or(&[])
    }
}

/// `ALPHA / DIGIT / "-" / "." / "_" / "~"` (RFC 3986 §2.3).
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `sub-delims` (RFC 3986 §2.2).
const fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// A `pchar` other than `pct-encoded` (RFC 3986 §3.3).
const fn is_pchar_literal(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || b == b':' || b == b'@'
}

const fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The uppercase hex digit of the low nibble of `n`.
const fn hex_digit(n: u8) -> u8 {
    let n = n & 0x0f;
    if n < 10 { b'0' + n } else { b'A' + n - 10 }
}

/// Whether `s` is `*( pchar / "/" )` (path) or `*( pchar / "/" / "?" )` (query, fragment),
/// every `%` starting a valid `pct-encoded`.
fn valid_component(s: &[u8], query: bool) -> bool {
    let mut it = s.iter();
    while let Some(&b) = it.next() {
        if b == b'%' {
            let ok = matches!((it.next(), it.next()),
                (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit());
            if !ok {
                return false;
            }
        } else if !(is_pchar_literal(b) || b == b'/' || (query && b == b'?')) {
            return false;
        }
    }
    true
}

/// One character of a component: a literal byte or a decoded `%XX`.
#[derive(Copy, Clone)]
enum Unit {
    Lit(u8),
    Pct(u8),
}

/// The characters of a component; an invalid `%` is returned as a literal.
struct Units<'a> {
    rest: &'a [u8],
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        let (&b, tail) = self.rest.split_first()?;
        if b == b'%'
            && let [h, l, after @ ..] = tail
            && let (Some(h), Some(l)) = (hex_val(*h), hex_val(*l))
        {
            self.rest = after;
            return Some(Unit::Pct((h << 4) | l));
        }
        self.rest = tail;
        Some(Unit::Lit(b))
    }
}

const fn units(s: &[u8]) -> Units<'_> {
    Units { rest: s }
}

/// 1 for a `.` segment, 2 for `..` (after decoding `%2E`), 0 for any other segment.
fn dot_segment(seg: &[u8]) -> u8 {
    let mut n = 0u8;
    for u in units(seg) {
        let v = match u {
            Unit::Lit(b) | Unit::Pct(b) => b,
        };
        if v != b'.' || n >= 2 {
            return 0;
        }
        n += 1;
    }
    n
}

/// Writes one (validated) segment: unreserved characters decoded, other encodings uppercased.
fn push_segment(seg: &[u8], out: &mut Out<'_>) -> Result<(), Fail> {
    for u in units(seg) {
        match u {
            Unit::Lit(b) => out.push(b)?,
            Unit::Pct(v) if is_unreserved(v) => out.push(v)?,
            Unit::Pct(v) => {
                out.push(b'%')?;
                out.push(hex_digit(v >> 4))?;
                out.push(hex_digit(v))?;
            }
        }
    }
    Ok(())
}

/// The one path normaliser: appends the normalised form of `path` (empty or starting with `/`,
/// without query or fragment) to `out`. `..` never removes anything written before this call.
fn push_path(path: &[u8], out: &mut Out<'_>) -> Result<(), Fail> {
    if !valid_component(path, false) {
        return Err(Fail::Syntax);
    }
    let floor = out.len;
    let Some(rest) = path.strip_prefix(b"/") else {
        return if path.is_empty() {
            out.push(b'/')
        } else {
            Err(Fail::Syntax)
        };
    };
    let mut segments = rest.split(|&b| b == b'/').peekable();
    while let Some(seg) = segments.next() {
        let last = segments.peek().is_none();
        match dot_segment(seg) {
            1 => {}
            2 => out.pop_segment(floor),
            _ => {
                out.push(b'/')?;
                push_segment(seg, out)?;
                continue;
            }
        }
        if last {
            out.push(b'/')?;
        }
    }
    Ok(())
}

/// Splits `s` at the first `delim`: (before, Some(after)) or (s, None).
fn cut(s: &[u8], delim: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|&b| b == delim) {
        Some(i) => match s.split_at_checked(i) {
            Some((a, b)) => (a, b.get(1..)),
            None => (s, None),
        },
        None => (s, None),
    }
}

/// (path, query, fragment) of what follows the authority.
fn split_rest(rest: &[u8]) -> (&[u8], Option<&[u8]>, Option<&[u8]>) {
    let (before, fragment) = cut(rest, b'#');
    let (path, query) = cut(before, b'?');
    (path, query, fragment)
}

/// An absolute `http`/`https` URI split at its authority.
#[derive(Copy, Clone)]
struct Absolute<'a> {
    https: bool,
    /// Host as written (validated, not yet lowercased).
    host: &'a [u8],
    /// The port, `None` if empty or the scheme's default.
    port: Option<u16>,
    /// Everything after the authority: empty or starting with `/`, `?` or `#`.
    rest: &'a [u8],
}

fn split_absolute(uri: &[u8]) -> Result<Absolute<'_>, Fail> {
    let (scheme, after) = cut(uri, b':');
    let after = after.ok_or(Fail::Syntax)?;
    let https = if scheme.eq_ignore_ascii_case(b"https") {
        true
    } else if scheme.eq_ignore_ascii_case(b"http") {
        false
    } else {
        return Err(Fail::Syntax);
    };
    let after = after.strip_prefix(b"//").ok_or(Fail::Syntax)?;
    let end = after
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    let (authority, rest) = after.split_at_checked(end).ok_or(Fail::Syntax)?;
    let (host, port) = split_authority(authority)?;
    let default = if https { 443 } else { 80 };
    Ok(Absolute {
        https,
        host,
        port: port.filter(|&p| p != default),
        rest,
    })
}

/// `host [":" port]`; userinfo, percent-encoded hosts and IPvFuture are refused.
fn split_authority(a: &[u8]) -> Result<(&[u8], Option<u16>), Fail> {
    if a.contains(&b'@') {
        return Err(Fail::Syntax);
    }
    let (host, port) = if a.first() == Some(&b'[') {
        let close = a.iter().position(|&b| b == b']').ok_or(Fail::Syntax)?;
        let (host, tail) = a.split_at_checked(close + 1).ok_or(Fail::Syntax)?;
        let inner = host.get(1..close).ok_or(Fail::Syntax)?;
        let ok = inner.contains(&b':')
            && inner
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !ok {
            return Err(Fail::Syntax);
        }
        let port = match tail {
            [] => None,
            [b':', p @ ..] => Some(p),
            _ => return Err(Fail::Syntax),
        };
        (host, port)
    } else {
        let (host, port) = cut(a, b':');
        if host.is_empty() || !host.iter().all(|&b| is_unreserved(b) || is_sub_delim(b)) {
            return Err(Fail::Syntax);
        }
        (host, port)
    };
    Ok((host, parse_port(port)?))
}

/// `*DIGIT`: empty → `None`; leading zeros allowed; 1..=65535.
fn parse_port(p: Option<&[u8]>) -> Result<Option<u16>, Fail> {
    let Some(p) = p.filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let mut v: u32 = 0;
    for &b in p {
        if !b.is_ascii_digit() {
            return Err(Fail::Syntax);
        }
        v = v * 10 + u32::from(b - b'0');
        if v > u32::from(u16::MAX) {
            return Err(Fail::Syntax);
        }
    }
    match u16::try_from(v) {
        Ok(0) | Err(_) => Err(Fail::Syntax),
        Ok(port) => Ok(Some(port)),
    }
}

/// Writes `scheme://host[:port]`, lowercased.
fn push_origin(abs: &Absolute<'_>, out: &mut Out<'_>) -> Result<(), Fail> {
    out.extend(if abs.https { b"https://" } else { b"http://" })?;
    abs.host
        .iter()
        .try_for_each(|&b| out.push(b.to_ascii_lowercase()))?;
    if let Some(port) = abs.port {
        out.push(b':')?;
        let mut started = false;
        for d in [10_000u16, 1_000, 100, 10, 1] {
            let digit = (port / d % 10) as u8;
            if digit != 0 || started || d == 1 {
                started = true;
                out.push(b'0' + digit)?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The public base.

/// The configured public base `scheme://host[:port][/prefix]` that request paths are appended
/// to, stored normalised.
///
/// Plain data without pointers or references (a fixed array and two lengths), so it can live
/// in a `static`, in a configuration that is copied, or in memory shared by processes. Its
/// accessors never panic, whatever the bytes.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct PublicBase {
    bytes: [u8; MAX_BASE_LEN],
    origin_len: u16,
    len: u16,
}

impl PublicBase {
    /// No base: empty origin and prefix. [`expected_htu`] refuses it, so an unset base never
    /// means "skip the check".
    pub const EMPTY: Self = Self {
        bytes: [0; MAX_BASE_LEN],
        origin_len: 0,
        len: 0,
    };

    /// Parses and normalises `scheme://host[:port][/prefix]`.
    ///
    /// The scheme is `http` or `https` (any case); scheme and host are lowercased, an empty or
    /// default port (80/443) is removed, and the prefix is normalised like a path
    /// (percent-encodings of unreserved characters decoded, other hex digits uppercased).
    ///
    /// # Errors
    /// [`MisuseError::InvalidBase`] for anything else: a trailing `/` (also `https://h/`), a
    /// query or fragment, userinfo, an empty host, a port that is not 1–65535 in decimal,
    /// another scheme, a `.` or `..` segment in the prefix, bytes outside RFC 3986, or a
    /// normalised form longer than [`MAX_BASE_LEN`].
    pub fn parse(base: &str) -> Result<Self, Error> {
        let bad = Error::Misuse(MisuseError::InvalidBase);
        let abs = split_absolute(base.as_bytes()).map_err(|_| bad)?;
        let prefix = abs.rest;
        if !prefix.is_empty()
            && (prefix.first() != Some(&b'/')
                || prefix.last() == Some(&b'/')
                || !valid_component(prefix, false)
                || prefix.split(|&b| b == b'/').any(|s| dot_segment(s) != 0))
        {
            return Err(bad);
        }
        let mut bytes = [0u8; MAX_BASE_LEN];
        let mut w = Out::new(&mut bytes, MAX_BASE_LEN);
        push_origin(&abs, &mut w).map_err(|_| bad)?;
        let origin_len = w.len;
        if !prefix.is_empty() {
            push_path(prefix, &mut w).map_err(|_| bad)?;
        }
        let len = w.len;
        Ok(Self {
            bytes,
            origin_len: u16::try_from(origin_len).map_err(|_| bad)?,
            len: u16::try_from(len).map_err(|_| bad)?,
        })
    }

    /// The normalised origin, `scheme://host[:port]` (empty for [`PublicBase::EMPTY`]).
    pub fn origin(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.origin_len))
            .unwrap_or(&[])
    }

    /// The normalised prefix: empty, or `/segment…` without a trailing `/` (e.g. `/api/v1`).
    pub fn prefix(&self) -> &[u8] {
        self.bytes
            .get(usize::from(self.origin_len)..usize::from(self.len))
            .unwrap_or(&[])
    }

    /// The whole normalised base, origin followed by prefix.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Whether this is the empty base (no origin).
    pub const fn is_empty(&self) -> bool {
        self.origin_len == 0
    }
}

impl Default for PublicBase {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl PartialEq for PublicBase {
    fn eq(&self, other: &Self) -> bool {
        self.origin_len == other.origin_len && self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PublicBase {}

impl core::fmt::Debug for PublicBase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicBase")
            .field("origin", &format_args!("{}", self.origin().escape_ascii()))
            .field("prefix", &format_args!("{}", self.prefix().escape_ascii()))
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation and checking.

fn normalize_inner<'o>(uri: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], Fail> {
    let abs = split_absolute(uri)?;
    let (path, query, fragment) = split_rest(abs.rest);
    let well_formed = |c: Option<&[u8]>| c.is_none_or(|c| valid_component(c, true));
    if !well_formed(query) || !well_formed(fragment) || !valid_component(path, false) {
        return Err(Fail::Syntax);
    }
    let mut w = Out::new(out, MAX_URI_LEN);
    push_origin(&abs, &mut w)?;
    push_path(path, &mut w)?;
    Ok(w.finish())
}

/// Normalises an absolute `http`/`https` URI into `scheme://host[:port]/path` (see the
/// [module documentation](self) for the rules) and returns the bytes written to `out`.
///
/// # Errors
/// [`DpopError::HtuInvalid`] for a relative reference, a URI without `//`, userinfo, another
/// scheme, an empty host, a port that is not 1–65535 in decimal, an invalid percent-encoding,
/// a byte outside the RFC 3986 character set (in any component, query and fragment included),
/// or a normalised form longer than [`MAX_URI_LEN`] or than `out`.
pub fn normalize<'o>(uri: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], Error> {
    normalize_inner(uri, out).map_err(|_| Error::Dpop(DpopError::HtuInvalid))
}

/// The normalised `htu` a proof for this request must carry: `base.origin()` +
/// `base.prefix()` + the normalised path of `target`.
///
/// `target` is the request target as received: origin-form (`/path?query`) or absolute-form
/// (`https://host/path?query`, whose normalised origin must equal `base.origin()`; its path is
/// then the received path). The prefix is what a proxy in front removed from the path. `..`
/// segments of the received path never climb into the prefix. `out` of [`MAX_URI_LEN`] bytes
/// always suffices.
///
/// # Errors
/// - [`RequestError::InvalidTarget`]: asterisk-form (`*`), authority-form (`host:443`), an
///   empty or relative target, absolute-form with another origin (scheme, host or port),
///   userinfo, a fragment, invalid percent-encoding or bytes outside RFC 3986 in path or
///   query, or a result longer than [`MAX_URI_LEN`];
/// - [`MisuseError::InvalidBase`]: `base` is [`PublicBase::EMPTY`];
/// - [`Error::BufferTooSmall`] (`needed` = [`MAX_URI_LEN`]): the result does not fit `out`.
pub fn expected_htu<'o>(
    base: &PublicBase,
    target: &[u8],
    out: &'o mut [u8],
) -> Result<&'o [u8], Error> {
    let invalid = Error::Request(RequestError::InvalidTarget);
    let origin = base.origin();
    if origin.is_empty() {
        return Err(Error::Misuse(MisuseError::InvalidBase));
    }
    let abs = if target.first() == Some(&b'/') {
        None
    } else {
        Some(split_absolute(target).map_err(|_| invalid)?)
    };
    let rest = abs.map_or(target, |a| a.rest);
    let (path, query, fragment) = split_rest(rest);
    if fragment.is_some()
        || !valid_component(path, false)
        || !query.is_none_or(|q| valid_component(q, true))
    {
        return Err(invalid);
    }
    let map = |f: Fail| match f {
        Fail::Syntax | Fail::TooLong => invalid,
        Fail::Full => Error::BufferTooSmall {
            needed: MAX_URI_LEN,
        },
    };
    let mut w = Out::new(out, MAX_URI_LEN);
    match abs {
        Some(abs) => {
            push_origin(&abs, &mut w).map_err(map)?;
            if w.written() != origin {
                return Err(invalid);
            }
        }
        None => w.extend(origin).map_err(map)?,
    }
    w.extend(base.prefix()).map_err(map)?;
    push_path(path, &mut w).map_err(map)?;
    Ok(w.finish())
}

/// Checks a proof's `htu` against the expected URI ([`expected_htu`], already normalised):
/// `htu` is normalised into `scratch` and compared byte for byte.
///
/// # Errors
/// - [`DpopError::HtuInvalid`]: `htu` cannot be normalised ([`normalize`]);
/// - [`DpopError::HtuMismatch`]: it normalises to something other than `expected`;
/// - [`Error::BufferTooSmall`] (`needed` = `expected.len()`): `scratch` is shorter than
///   `expected`, so not even a matching `htu` would fit (caller misuse).
pub fn check(htu: &[u8], expected: &[u8], scratch: &mut [u8]) -> Result<(), Error> {
    if scratch.len() < expected.len() {
        return Err(Error::BufferTooSmall {
            needed: expected.len(),
        });
    }
    if normalize(htu, scratch)? == expected {
        Ok(())
    } else {
        Err(Error::Dpop(DpopError::HtuMismatch))
    }
}

/// The query of a request target or URI: the bytes after the first `?` up to `#` (or the
/// end); `None` if there is no `?` before any `#`. Nothing is validated or decoded.
pub fn query(target: &[u8]) -> Option<&[u8]> {
    cut(cut(target, b'#').0, b'?').1
}

/// Whether `query` has a parameter named `name`.
///
/// Parameters are separated by `&` or `;` (both, to fail closed on servers that split on
/// either); a parameter's name is everything before its first `=` (or all of it), compared
/// byte for byte with `name` after one round of percent-decoding and `+` → space, so
/// `access%5Ftoken=` and a bare `access_token` count as `access_token`, `x_access_token=` and
/// `ACCESS_TOKEN=` do not. An invalid percent-encoding is compared literally.
pub fn has_query_param(query: &[u8], name: &str) -> bool {
    query
        .split(|&b| b == b'&' || b == b';')
        .filter(|p| !p.is_empty())
        .any(|param| {
            let mut want = name.as_bytes().iter();
            units(cut(param, b'=').0).all(|u| {
                let v = match u {
                    Unit::Lit(b'+') => b' ',
                    Unit::Lit(b) | Unit::Pct(b) => b,
                };
                want.next() == Some(&v)
            }) && want.next().is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(uri: &str) -> Result<([u8; MAX_URI_LEN], usize), Error> {
        let mut buf = [0u8; MAX_URI_LEN];
        let n = normalize(uri.as_bytes(), &mut buf)?.len();
        Ok((buf, n))
    }

    fn norm_str(uri: &str) -> Result<std_string::S, Error> {
        norm(uri).map(|(b, n)| std_string::S::from(&b[..n]))
    }

    /// A tiny owned string for test comparisons without `alloc`.
    mod std_string {
        #[derive(PartialEq, Eq)]
        pub struct S {
            pub b: [u8; super::MAX_URI_LEN],
            pub n: usize,
        }
        impl S {
            pub fn from(s: &[u8]) -> Self {
                let mut b = [0u8; super::MAX_URI_LEN];
                b[..s.len()].copy_from_slice(s);
                Self { b, n: s.len() }
            }
            pub fn as_str(&self) -> &str {
                core::str::from_utf8(&self.b[..self.n]).unwrap()
            }
        }
        impl core::fmt::Debug for S {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{:?}", self.as_str())
            }
        }
    }

    fn assert_idempotent(name: &str, uri: &str) {
        let once = norm_str(uri).unwrap_or_else(|e| panic!("{name}: {uri:?} refused: {e}"));
        let twice = norm_str(once.as_str())
            .unwrap_or_else(|e| panic!("{name}: normalised {once:?} refused: {e}"));
        assert_eq!(once, twice, "{name}: not idempotent");
    }

    const HTU_INVALID: Error = Error::Dpop(DpopError::HtuInvalid);
    const HTU_MISMATCH: Error = Error::Dpop(DpopError::HtuMismatch);
    const INVALID_TARGET: Error = Error::Request(RequestError::InvalidTarget);
    const INVALID_BASE: Error = Error::Misuse(MisuseError::InvalidBase);

    /// (name, a, b): `a` and `b` normalise to the same URI (an allowed normalisation).
    const SAME: &[(&str, &str, &str)] = &[
        ("scheme case", "HTTPS://h/a", "https://h/a"),
        ("scheme mixed case", "HtTp://h/a", "http://h/a"),
        (
            "host case",
            "HTTPS://Server.Example.COM/a",
            "https://server.example.com/a",
        ),
        ("https default port", "https://h:443/a", "https://h/a"),
        ("https empty port", "https://h:/a", "https://h/a"),
        ("http default port", "http://h:80/a", "http://h/a"),
        ("http empty port", "http://h:/a", "http://h/a"),
        (
            "default port leading zeros",
            "https://h:00443/a",
            "https://h/a",
        ),
        (
            "port leading zeros",
            "https://h:08443/a",
            "https://h:8443/a",
        ),
        ("empty path", "https://h", "https://h/"),
        ("empty path default port", "https://h:443", "https://h/"),
        ("empty path with query", "https://h?x=1", "https://h/"),
        ("empty path with fragment", "https://h#f", "https://h/"),
        ("pct tilde lowercase hex", "https://h/%7e", "https://h/~"),
        ("pct tilde uppercase hex", "https://h/%7E", "https://h/~"),
        ("pct tilde both", "https://h/%7e", "https://h/%7E"),
        ("pct alpha decoded", "https://h/%61%42c", "https://h/aBc"),
        ("pct digit decoded", "https://h/%31", "https://h/1"),
        ("pct hyphen underscore", "https://h/%2D%5F", "https://h/-_"),
        (
            "pct reserved hex case",
            "https://h/a%2fb",
            "https://h/a%2Fb",
        ),
        (
            "pct non-ascii hex case",
            "https://h/%c3%a9",
            "https://h/%C3%A9",
        ),
        ("dot segments", "https://h/a/./b/../c", "https://h/a/c"),
        (
            "rfc 3986 5.2.4 example",
            "https://h/a/b/c/./../../g",
            "https://h/a/g",
        ),
        ("trailing dot", "https://h/a/.", "https://h/a/"),
        ("trailing dotdot", "https://h/a/b/..", "https://h/a/"),
        ("dotdot above root", "https://h/../../a", "https://h/a"),
        ("lone dot", "https://h/.", "https://h/"),
        ("lone dotdot", "https://h/..", "https://h/"),
        ("encoded dotdot", "https://h/a/%2E%2e/b", "https://h/b"),
        ("half encoded dotdot", "https://h/a/.%2E/b", "https://h/b"),
        ("encoded dot", "https://h/a/%2e/b", "https://h/a/b"),
        (
            "dotdot pops empty segment",
            "https://h/a//../b",
            "https://h/a/b",
        ),
        ("query ignored", "https://h/a?x=1", "https://h/a"),
        ("empty query ignored", "https://h/a?", "https://h/a"),
        ("fragment ignored", "https://h/a#f", "https://h/a"),
        (
            "query and fragment ignored",
            "https://h/a?x=1#f",
            "https://h/a?y=2",
        ),
        (
            "query chars allowed",
            "https://h/a?x=/?:@!$'()*+,;",
            "https://h/a",
        ),
        (
            "ipv6 case and port",
            "https://[::ABCD]:443/",
            "https://[::abcd]/",
        ),
        ("ipv4 host", "HTTP://192.0.2.1:80", "http://192.0.2.1/"),
        (
            "everything",
            "HTTPS://Server.Example.COM:443/a/./B/%7e/../%2f%41?x#y",
            "https://server.example.com/a/B/%2FA",
        ),
    ];

    /// (name, a, b): both accepted, but they differ.
    const DIFFERENT: &[(&str, &str, &str)] = &[
        ("scheme", "http://h/a", "https://h/a"),
        ("host", "https://h/a", "https://g/a"),
        ("port kept", "https://h:8443/a", "https://h/a"),
        ("https port 80 kept", "https://h:80/a", "https://h/a"),
        ("http port 443 kept", "http://h:443/a", "http://h/a"),
        ("path case", "https://h/A", "https://h/a"),
        ("trailing slash", "https://h/a/b/", "https://h/a/b"),
        ("encoded slash", "https://h/a%2Fb", "https://h/a/b"),
        ("encoded question mark", "https://h/a%3Fb", "https://h/a"),
        ("encoded sub-delim", "https://h/%24", "https://h/$"),
        (
            "dotdot pops one segment",
            "https://h/a/b/../c",
            "https://h/c",
        ),
        ("plus is not space", "https://h/a+b", "https://h/a%20b"),
        ("empty segment", "https://h/a//b", "https://h/a/b"),
        ("three dots is a segment", "https://h/a/...", "https://h/a/"),
        ("trailing dot in host", "https://h./", "https://h/"),
        (
            "ipv6 not compressed",
            "https://[0:0:0:0:0:0:0:1]/",
            "https://[::1]/",
        ),
        ("prefix matters", "https://h/api/x", "https://h/x"),
        ("non-ascii not decoded", "https://h/%C3%A9", "https://h/%E9"),
    ];

    /// (name, input, exact normalised form).
    const EXACT: &[(&str, &str, &str)] = &[
        (
            "rfc 9449 token endpoint",
            "https://server.example.com/token",
            "https://server.example.com/token",
        ),
        (
            "rfc 9449 resource",
            "https://resource.example.org/protectedresource",
            "https://resource.example.org/protectedresource",
        ),
        ("port kept", "https://h:8443/a", "https://h:8443/a"),
        ("max port", "https://h:65535", "https://h:65535/"),
        ("port 1", "http://h:1", "http://h:1/"),
        (
            "pct reserved stays uppercase",
            "https://h/a%2fb",
            "https://h/a%2Fb",
        ),
        ("empty segments kept", "https://h//a//", "https://h//a//"),
        (
            "dots inside segments",
            "https://h/a./.b/...",
            "https://h/a./.b/...",
        ),
        (
            "pchar set",
            "https://h/a:b@c!$&'()*+,;=-._~",
            "https://h/a:b@c!$&'()*+,;=-._~",
        ),
        (
            "ipv6",
            "https://[2001:DB8::1]:8443/x",
            "https://[2001:db8::1]:8443/x",
        ),
        (
            "ipv6 with ipv4",
            "https://[::ffff:192.0.2.1]/",
            "https://[::ffff:192.0.2.1]/",
        ),
        (
            "host sub-delims",
            "https://a-b_c~d.e!$/",
            "https://a-b_c~d.e!$/",
        ),
        ("encoded percent stays", "https://h/%25", "https://h/%25"),
        ("encoded space stays", "https://h/a%20b", "https://h/a%20b"),
    ];

    /// (name, input): refused by `normalize` with `HtuInvalid`.
    const INVALID: &[(&str, &str)] = &[
        ("empty", ""),
        ("relative path", "/token"),
        ("relative word", "token"),
        ("scheme-relative", "//h/a"),
        ("no slashes", "https:h/a"),
        ("one slash", "https:/h/a"),
        ("backslashes", "https:\\\\h/a"),
        ("userinfo", "https://u@h/a"),
        ("userinfo with password", "https://u:p@h/a"),
        ("empty userinfo", "https://@h/a"),
        ("ftp", "ftp://h/a"),
        ("wss", "wss://h/a"),
        ("httpss", "httpss://h/"),
        ("scheme with space", " https://h/"),
        ("urn", "urn:ietf:x"),
        ("empty host", "https:///a"),
        ("empty host with port", "https://:443/a"),
        ("empty authority", "https://"),
        ("port non-numeric", "https://h:abc/"),
        ("port with sign", "https://h:+443/"),
        ("port too big", "https://h:65536/"),
        ("port huge", "https://h:99999999999999999999999/"),
        ("port zero", "https://h:0/"),
        ("two ports", "https://h:443:443/"),
        ("pct not hex", "https://h/%G1"),
        ("pct truncated", "https://h/%4"),
        ("pct bare", "https://h/%"),
        ("pct invalid in query", "https://h/a?x=%zz"),
        ("pct invalid in fragment", "https://h/a#%"),
        ("pct in host", "https://h%2Ecom/"),
        ("space in path", "https://h/a b"),
        ("space in host", "https://h x/"),
        ("trailing space", "https://h/a "),
        ("space in query", "https://h/a?x y"),
        ("non-ascii path", "https://h/\u{e9}"),
        ("non-ascii host", "https://\u{e9}.example/"),
        ("nul", "https://h/a\0"),
        ("tab", "https://h/\t"),
        ("newline", "https://h/a\nb"),
        ("del", "https://h/\x7f"),
        ("backslash in host", "https://h\\evil/a"),
        ("backslash in path", "https://h/a\\b"),
        ("quote", "https://h/\""),
        ("angle brackets", "https://h/<a>"),
        ("brackets in path", "https://h/a[b]"),
        ("braces", "https://h/{a}"),
        ("pipe", "https://h/a|b"),
        ("caret", "https://h/a^b"),
        ("backtick", "https://h/`"),
        ("double hash", "https://h/a#b#c"),
        ("hash in query after", "https://h/a?b#c#d"),
        ("ipv6 unclosed", "https://[::1/"),
        ("ipv6 empty", "https://[]/"),
        ("ipv6 no colon", "https://[1234]/"),
        ("ipv6 zone", "https://[fe80::1%25eth0]/"),
        ("ipv6 junk after", "https://[::1]x/"),
        ("ipvfuture", "https://[v1.x]/"),
        ("bracket in reg-name", "https://h]/"),
    ];

    #[test]
    fn allowed_normalisations() {
        for &(name, a, b) in SAME {
            let na = norm_str(a).unwrap_or_else(|e| panic!("{name}: {a:?}: {e}"));
            let nb = norm_str(b).unwrap_or_else(|e| panic!("{name}: {b:?}: {e}"));
            assert_eq!(na, nb, "{name}");
        }
    }

    #[test]
    fn differences_kept() {
        for &(name, a, b) in DIFFERENT {
            let na = norm_str(a).unwrap_or_else(|e| panic!("{name}: {a:?}: {e}"));
            let nb = norm_str(b).unwrap_or_else(|e| panic!("{name}: {b:?}: {e}"));
            assert_ne!(na, nb, "{name}");
        }
    }

    #[test]
    fn exact_forms() {
        for &(name, input, want) in EXACT {
            let got = norm_str(input).unwrap_or_else(|e| panic!("{name}: {input:?}: {e}"));
            assert_eq!(got.as_str(), want, "{name}");
        }
    }

    #[test]
    fn refused() {
        for &(name, input) in INVALID {
            let mut buf = [0u8; MAX_URI_LEN];
            assert_eq!(
                normalize(input.as_bytes(), &mut buf),
                Err(HTU_INVALID),
                "{name}: {input:?}"
            );
        }
    }

    #[test]
    fn idempotent_over_accepted_cases() {
        for &(name, a, b) in SAME.iter().chain(DIFFERENT) {
            assert_idempotent(name, a);
            assert_idempotent(name, b);
        }
        for &(name, a, b) in EXACT {
            assert_idempotent(name, a);
            assert_idempotent(name, b);
        }
    }

    #[test]
    fn length_limits() {
        let mut long = [b'a'; MAX_URI_LEN + 10];
        long[..10].copy_from_slice(b"https://h/");
        let mut buf = [0u8; MAX_URI_LEN + 10];
        // Exactly MAX_URI_LEN.
        let at = core::str::from_utf8(&long[..MAX_URI_LEN]).unwrap();
        assert_eq!(
            normalize(at.as_bytes(), &mut buf).unwrap().len(),
            MAX_URI_LEN
        );
        // One more: refused even with a larger buffer.
        let over = &long[..MAX_URI_LEN + 1];
        assert_eq!(normalize(over, &mut buf), Err(HTU_INVALID));
        // Longer input that normalises short enough is fine (dropped query, decoded %7E).
        let mut q = [b'x'; MAX_URI_LEN + 10];
        q[..12].copy_from_slice(b"https://h/a?");
        assert_eq!(normalize(&q, &mut buf).unwrap(), b"https://h/a");
        // Output buffer too small.
        let mut small = [0u8; 10];
        assert_eq!(normalize(b"https://h/a", &mut small), Err(HTU_INVALID));
        let mut exact = [0u8; 11];
        assert_eq!(
            normalize(b"https://h/a", &mut exact).unwrap(),
            b"https://h/a"
        );
        let mut none: [u8; 0] = [];
        assert_eq!(normalize(b"https://h/a", &mut none), Err(HTU_INVALID));
    }

    /// (name, base, origin, prefix) accepted.
    const BASES_OK: &[(&str, &str, &str, &str)] = &[
        ("origin only", "https://h", "https://h", ""),
        (
            "case and default port",
            "HTTPS://H.Example:443",
            "https://h.example",
            "",
        ),
        (
            "http default port with prefix",
            "http://h:80/api",
            "http://h",
            "/api",
        ),
        (
            "port and prefix",
            "https://h:8443/api/v1",
            "https://h:8443",
            "/api/v1",
        ),
        ("empty port", "https://h:", "https://h", ""),
        (
            "prefix pct unreserved",
            "https://h/%7eapi",
            "https://h",
            "/~api",
        ),
        (
            "prefix pct reserved",
            "https://h/a%2fb",
            "https://h",
            "/a%2Fb",
        ),
        ("prefix case kept", "https://h/API", "https://h", "/API"),
        ("ipv6", "https://[::1]:8443/p", "https://[::1]:8443", "/p"),
    ];

    /// (name, base) refused with `InvalidBase`.
    const BASES_BAD: &[(&str, &str)] = &[
        ("empty", ""),
        ("no scheme", "h"),
        ("relative", "/api"),
        ("trailing slash root", "https://h/"),
        ("trailing slash prefix", "https://h/api/"),
        ("double slash", "https://h//"),
        ("query", "https://h?x"),
        ("prefix query", "https://h/api?x"),
        ("fragment", "https://h#f"),
        ("userinfo", "https://u@h"),
        ("empty host", "https://"),
        ("empty host with port", "https://:443"),
        ("port non-numeric", "https://h:x"),
        ("port too big", "https://h:65536"),
        ("port zero", "https://h:0"),
        ("ftp", "ftp://h"),
        ("dot segment", "https://h/./api"),
        ("dotdot segment", "https://h/api/../x"),
        ("trailing dotdot", "https://h/api/.."),
        ("encoded dot segment", "https://h/%2e/api"),
        ("space", "https://h/a b"),
        ("bad pct", "https://h/%zz"),
        ("non-ascii", "https://h/\u{e9}"),
    ];

    #[test]
    fn public_bases() {
        for &(name, base, origin, prefix) in BASES_OK {
            let b = PublicBase::parse(base).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(b.origin(), origin.as_bytes(), "{name}");
            assert_eq!(b.prefix(), prefix.as_bytes(), "{name}");
            assert_eq!(b.as_bytes().len(), origin.len() + prefix.len(), "{name}");
            assert!(b.as_bytes().starts_with(origin.as_bytes()), "{name}");
            assert!(!b.is_empty(), "{name}");
            // Re-parsing the normalised base gives the same base.
            let again = PublicBase::parse(core::str::from_utf8(b.as_bytes()).unwrap()).unwrap();
            assert_eq!(again, b, "{name}");
        }
        for &(name, base) in BASES_BAD {
            assert_eq!(PublicBase::parse(base), Err(INVALID_BASE), "{name}");
        }
        // Length: MAX_BASE_LEN accepted, one more refused.
        let mut long = [b'a'; MAX_BASE_LEN + 1];
        long[..10].copy_from_slice(b"https://h/");
        let at = core::str::from_utf8(&long[..MAX_BASE_LEN]).unwrap();
        assert_eq!(
            PublicBase::parse(at).unwrap().as_bytes().len(),
            MAX_BASE_LEN
        );
        let over = core::str::from_utf8(&long).unwrap();
        assert_eq!(PublicBase::parse(over), Err(INVALID_BASE));
        // The empty base.
        static EMPTY: PublicBase = PublicBase::EMPTY;
        assert!(EMPTY.is_empty());
        assert_eq!(EMPTY.origin(), b"");
        assert_eq!(EMPTY.prefix(), b"");
        assert_eq!(PublicBase::default(), EMPTY);
        // Inconsistent lengths (e.g. garbage in shared memory) never panic.
        let junk = PublicBase {
            bytes: [b'x'; MAX_BASE_LEN],
            origin_len: 300,
            len: 5,
        };
        assert_eq!(junk.origin(), b"");
        assert_eq!(junk.prefix(), b"");
        assert_eq!(junk.as_bytes(), b"xxxxx");
    }

    /// (name, base, target, expected htu or error).
    const TARGETS: &[(&str, &str, &str, Result<&str, Error>)] = &[
        (
            "rfc 9449 token endpoint",
            "https://server.example.com",
            "/token",
            Ok("https://server.example.com/token"),
        ),
        (
            "rfc 9449 resource",
            "https://resource.example.org",
            "/protectedresource",
            Ok("https://resource.example.org/protectedresource"),
        ),
        ("prefix", "https://h/api", "/x", Ok("https://h/api/x")),
        ("prefix root", "https://h/api", "/", Ok("https://h/api/")),
        (
            "prefix query dropped",
            "https://h/api",
            "/x?y=1",
            Ok("https://h/api/x"),
        ),
        (
            "dotdot clamped below prefix",
            "https://h/api",
            "/../x",
            Ok("https://h/api/x"),
        ),
        (
            "dot segments",
            "https://h",
            "/a/./b/../c?q",
            Ok("https://h/a/c"),
        ),
        (
            "pct normalised",
            "https://h",
            "/%7e/%2f",
            Ok("https://h/~/%2F"),
        ),
        (
            "double slash is a path",
            "https://h",
            "//evil/x",
            Ok("https://h//evil/x"),
        ),
        ("port kept", "https://h:8443", "/x", Ok("https://h:8443/x")),
        (
            "absolute same origin",
            "https://h",
            "https://h/x?q",
            Ok("https://h/x"),
        ),
        (
            "absolute same origin normalised",
            "https://h",
            "HTTPS://H:443/x",
            Ok("https://h/x"),
        ),
        (
            "absolute with prefix",
            "https://h/api",
            "https://h/x",
            Ok("https://h/api/x"),
        ),
        (
            "absolute empty path",
            "https://h",
            "https://h",
            Ok("https://h/"),
        ),
        (
            "absolute empty path query",
            "https://h",
            "https://h?x",
            Ok("https://h/"),
        ),
        ("asterisk", "https://h", "*", Err(INVALID_TARGET)),
        ("authority-form", "https://h", "h:443", Err(INVALID_TARGET)),
        ("empty", "https://h", "", Err(INVALID_TARGET)),
        ("relative", "https://h", "x", Err(INVALID_TARGET)),
        (
            "other host",
            "https://h",
            "https://other/x",
            Err(INVALID_TARGET),
        ),
        (
            "other scheme",
            "https://h",
            "http://h/x",
            Err(INVALID_TARGET),
        ),
        (
            "other port",
            "https://h",
            "https://h:8443/x",
            Err(INVALID_TARGET),
        ),
        (
            "other host prefix-like",
            "https://h",
            "https://hh/x",
            Err(INVALID_TARGET),
        ),
        (
            "userinfo",
            "https://h",
            "https://u@h/x",
            Err(INVALID_TARGET),
        ),
        ("ftp", "https://h", "ftp://h/x", Err(INVALID_TARGET)),
        ("space", "https://h", "/a b", Err(INVALID_TARGET)),
        ("fragment", "https://h", "/a#f", Err(INVALID_TARGET)),
        ("bad pct path", "https://h", "/%zz", Err(INVALID_TARGET)),
        ("bad pct query", "https://h", "/a?%zz", Err(INVALID_TARGET)),
        ("space in query", "https://h", "/a?b c", Err(INVALID_TARGET)),
        ("non-ascii", "https://h", "/\u{e9}", Err(INVALID_TARGET)),
    ];

    #[test]
    fn expected_htus() {
        for &(name, base, target, want) in TARGETS {
            let base = PublicBase::parse(base).unwrap();
            let mut buf = [0u8; MAX_URI_LEN];
            let got = expected_htu(&base, target.as_bytes(), &mut buf);
            match want {
                Ok(w) => {
                    let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(got, w.as_bytes(), "{name}");
                    // The expected htu is itself normalised, and a client's htu matches it.
                    let mut scratch = [0u8; MAX_URI_LEN];
                    assert_eq!(check(w.as_bytes(), got, &mut scratch), Ok(()), "{name}");
                    assert_idempotent(name, w);
                }
                Err(e) => assert_eq!(got, Err(e), "{name}"),
            }
        }
        // The empty base is refused, never "skip".
        let mut buf = [0u8; MAX_URI_LEN];
        assert_eq!(
            expected_htu(&PublicBase::EMPTY, b"/x", &mut buf),
            Err(INVALID_BASE)
        );
        // Buffer too small is caller misuse.
        let base = PublicBase::parse("https://h/api").unwrap();
        let mut small = [0u8; 12];
        assert_eq!(
            expected_htu(&base, b"/x", &mut small),
            Err(Error::BufferTooSmall {
                needed: MAX_URI_LEN
            })
        );
        let mut exact = [0u8; 15];
        assert_eq!(
            expected_htu(&base, b"/x", &mut exact).unwrap(),
            b"https://h/api/x"
        );
        // Too long for MAX_URI_LEN: attacker input.
        let mut long = [b'a'; MAX_URI_LEN + 1];
        long[0] = b'/';
        assert_eq!(expected_htu(&base, &long, &mut buf), Err(INVALID_TARGET));
    }

    #[test]
    fn checks() {
        let base = PublicBase::parse("https://server.example.com").unwrap();
        let mut buf = [0u8; MAX_URI_LEN];
        let expected = expected_htu(&base, b"/token?x=1", &mut buf).unwrap();
        let mut scratch = [0u8; MAX_URI_LEN];
        let cases: &[(&str, &str, Result<(), Error>)] = &[
            ("exact", "https://server.example.com/token", Ok(())),
            (
                "normalised",
                "HTTPS://SERVER.example.com:443/./token#x",
                Ok(()),
            ),
            (
                "query ignored",
                "https://server.example.com/token?y=2",
                Ok(()),
            ),
            (
                "trailing slash",
                "https://server.example.com/token/",
                Err(HTU_MISMATCH),
            ),
            (
                "case",
                "https://server.example.com/Token",
                Err(HTU_MISMATCH),
            ),
            ("http", "http://server.example.com/token", Err(HTU_MISMATCH)),
            (
                "other port",
                "https://server.example.com:8443/token",
                Err(HTU_MISMATCH),
            ),
            ("relative", "/token", Err(HTU_INVALID)),
            (
                "userinfo",
                "https://a@server.example.com/token",
                Err(HTU_INVALID),
            ),
            ("empty", "", Err(HTU_INVALID)),
        ];
        for &(name, htu, want) in cases {
            assert_eq!(
                check(htu.as_bytes(), expected, &mut scratch),
                want,
                "{name}"
            );
        }
        let mut small = [0u8; 8];
        assert_eq!(
            check(b"https://server.example.com/token", expected, &mut small),
            Err(Error::BufferTooSmall {
                needed: expected.len()
            })
        );
    }

    #[test]
    fn queries() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("origin-form", "/a?b=1", Some("b=1")),
            ("stops at fragment", "/a?b=1#f", Some("b=1")),
            ("none", "/a", None),
            ("empty", "/a?", Some("")),
            ("question mark in fragment", "/a#x?y", None),
            ("second question mark kept", "/a?b?c", Some("b?c")),
            ("absolute-form", "https://h/a?x", Some("x")),
        ];
        for &(name, target, want) in cases {
            assert_eq!(query(target.as_bytes()), want.map(str::as_bytes), "{name}");
        }
        let params: &[(&str, &str, bool)] = &[
            ("plain", "access_token=x", true),
            ("second", "a=1&access_token=x", true),
            ("semicolon", "a=1;access_token=x", true),
            ("encoded underscore", "access%5Ftoken=x", true),
            ("encoded lowercase hex", "access%5ftoken=x", true),
            ("encoded letter", "%61ccess_token=x", true),
            ("bare", "a&access_token", true),
            ("empty value", "access_token=", true),
            ("prefixed name", "x_access_token=x", false),
            ("suffixed name", "access_tokens=x", false),
            ("as value", "a=access_token", false),
            ("uppercase", "ACCESS_TOKEN=x", false),
            ("double encoded", "access%255Ftoken=x", false),
            ("encoded equals in name", "access_token%3D=x", false),
            ("plus", "access+token=x", false),
            ("empty query", "", false),
            ("only separators", "&&;", false),
        ];
        for &(name, q, want) in params {
            assert_eq!(
                has_query_param(q.as_bytes(), "access_token"),
                want,
                "{name}"
            );
        }
        assert!(has_query_param(b"a+b=1", "a b"));
        assert!(has_query_param(b"%zz=1", "%zz"));
    }

    /// Pseudo-random inputs from an alphabet of interesting bytes: no panic, and every accepted
    /// URI normalises idempotently.
    #[test]
    fn random_inputs() {
        // The first VALID bytes may appear in an accepted path; the rest never.
        const ALPHABET: &[u8] = b"aZ09-._~%2eEfF/./..//:@!$&'()*+,;=?#[] \\\0\xff";
        const VALID: usize = 34;
        const PREFIXES: &[&[u8]] = &[b"https://h", b"HTTP://H:80", b"https://[::1]", b"/", b""];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let base = PublicBase::parse("https://h/api").unwrap();
        let (mut accepted, mut targets) = (0, 0);
        for round in 0..20_000 {
            let letters = if round % 2 == 0 {
                VALID
            } else {
                ALPHABET.len()
            };
            let mut input = [0u8; 64];
            let prefix = PREFIXES[next() % PREFIXES.len()];
            input[..prefix.len()].copy_from_slice(prefix);
            let len = prefix.len() + next() % (64 - prefix.len());
            for b in &mut input[prefix.len()..len] {
                *b = ALPHABET[next() % letters];
            }
            let input = &input[..len];
            let mut out = [0u8; 128];
            if let Ok(n) = normalize(input, &mut out) {
                let n = n.len();
                accepted += 1;
                let mut again = [0u8; 128];
                assert_eq!(normalize(&out[..n], &mut again), Ok(&out[..n]), "{input:?}");
                let path = &out[out[8..n].iter().position(|&b| b == b'/').unwrap() + 8..n];
                assert!(
                    path.split(|&b| b == b'/').all(|s| dot_segment(s) == 0),
                    "{input:?}"
                );
            }
            let mut out = [0u8; 128];
            if let Ok(e) = expected_htu(&base, input, &mut out) {
                targets += 1;
                let mut again = [0u8; 128];
                assert_eq!(normalize(e, &mut again), Ok(e), "{input:?}");
                assert!(e.starts_with(b"https://h/api/"), "{input:?}");
            }
            let _ = has_query_param(input, "access_token");
            let _ = query(input);
            if let Ok(s) = core::str::from_utf8(input)
                && let Ok(b) = PublicBase::parse(s)
            {
                assert_ne!(b.as_bytes().last(), Some(&b'/'), "{input:?}");
            }
        }
        assert!(accepted > 1_000 && targets > 1_000, "{accepted} {targets}");
    }
}
