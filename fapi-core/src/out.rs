//! Writing into caller buffers: a measuring/writing [`Out`], and sinks that base64url-encode,
//! percent-encode or JSON-escape on the way, so nothing is ever built in a temporary buffer.
//!
//! Every public writer of the client side runs its generator twice through [`write_with`]:
//! once measuring, then — only if the result fits — writing. So a call either writes its whole
//! output and returns the length, or returns [`Error::BufferTooSmall`] with the exact length
//! needed and leaves the buffer untouched.

use crate::error::Error;

/// Where bytes go: an [`Out`] or an encoder in front of one.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

/// A writer over a caller buffer that only measures in its first pass.
pub(crate) struct Out<'o> {
    buf: &'o mut [u8],
    len: usize,
    measuring: bool,
}

impl<'o> Out<'o> {
    /// Whether this pass only measures (no bytes are stored, signatures are not computed).
    pub(crate) fn measuring(&self) -> bool {
        self.measuring
    }

    /// Bytes produced so far (measured or written).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Counts `n` more bytes in the measuring pass (for output only the writing pass makes,
    /// such as a signature); does nothing when writing.
    pub(crate) fn advance(&mut self, n: usize) {
        if self.measuring {
            self.len = self.len.saturating_add(n);
        }
    }

    /// The bytes written from `start` to the current end (writing pass only).
    pub(crate) fn written_from(&self, start: usize) -> Option<&[u8]> {
        if self.measuring {
            return None;
        }
        self.buf.get(start..self.len)
    }
}

impl Sink for Out<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if !self.measuring
            && let Some(dst) = self.buf.get_mut(self.len..end)
        {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }
}

/// Runs `f` once to measure and, if the output fits `buf`, once more to write it.
///
/// # Errors
/// Whatever `f` returns, or [`Error::BufferTooSmall`] with the length needed (nothing is
/// written then).
pub(crate) fn write_with(
    buf: &mut [u8],
    mut f: impl FnMut(&mut Out<'_>) -> Result<(), Error>,
) -> Result<usize, Error> {
    let mut empty: [u8; 0] = [];
    let mut m = Out {
        buf: &mut empty,
        len: 0,
        measuring: true,
    };
    f(&mut m)?;
    let needed = m.len;
    if needed > buf.len() {
        return Err(Error::BufferTooSmall { needed });
    }
    let mut w = Out {
        buf,
        len: 0,
        measuring: false,
    };
    match f(&mut w) {
        // A generator must produce the same bytes twice; if not, nothing partial escapes.
        Ok(()) if w.len == needed => Ok(needed),
        Ok(()) => {
            w.buf.fill(0);
            Err(Error::BufferTooSmall { needed: w.len })
        }
        Err(e) => {
            w.buf.fill(0);
            Err(e)
        }
    }
}

/// A sink that base64url-encodes (unpadded, constant time per group) into another sink.
pub(crate) struct B64<'s> {
    inner: &'s mut dyn Sink,
    carry: [u8; 3],
    n: usize,
}

impl<'s> B64<'s> {
    /// Starts encoding into `inner`.
    pub(crate) fn new(inner: &'s mut dyn Sink) -> Self {
        Self {
            inner,
            carry: [0; 3],
            n: 0,
        }
    }

    fn emit(&mut self, group: &[u8]) {
        let mut enc = [0u8; 4];
        if let Ok(s) = crate::b64::encode(group, &mut enc) {
            self.inner.put(s.as_bytes());
        }
    }

    /// Writes the final partial group.
    pub(crate) fn finish(mut self) {
        let carry = self.carry;
        if let Some(rest) = carry.get(..self.n)
            && !rest.is_empty()
        {
            self.emit(rest);
        }
    }
}

impl Sink for B64<'_> {
    fn put(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.carry.get_mut(self.n) {
                *slot = b;
            }
            self.n += 1;
            if self.n == 3 {
                let group = self.carry;
                self.emit(&group);
                self.n = 0;
            }
        }
    }
}

/// Whether `b` is an RFC 3986 unreserved character (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A sink that percent-encodes every byte except the unreserved ones (RFC 3986 §2.1, upper-case
/// hex), which is also correct `application/x-www-form-urlencoded` for any value.
pub(crate) struct Pct<'s> {
    inner: &'s mut dyn Sink,
}

impl<'s> Pct<'s> {
    /// Starts encoding into `inner`.
    pub(crate) fn new(inner: &'s mut dyn Sink) -> Self {
        Self { inner }
    }
}

impl Sink for Pct<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if is_unreserved(b) {
                continue;
            }
            if let Some(run) = bytes.get(start..i) {
                self.inner.put(run);
            }
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0');
            self.inner.put(&[b'%', hi, lo]);
            start = i + 1;
        }
        if let Some(run) = bytes.get(start..) {
            self.inner.put(run);
        }
    }
}

/// Writes `n` in decimal.
pub(crate) fn put_u64(sink: &mut dyn Sink, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            // `v % 10` is below 10.
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if let Some(s) = digits.get(i..) {
        sink.put(s);
    }
}

/// Writes `s` as a JSON string, quotes included: `"` and `\` escaped, control characters as
/// `\u00XX`, everything else (valid UTF-8, since `s` is a `str`) as is.
pub(crate) fn put_json_str(sink: &mut dyn Sink, s: &str) {
    sink.put(b"\"");
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<[u8; 6]> = match b {
            b'"' | b'\\' => Some([b'\\', b, 0, 0, 0, 0]),
            0x00..=0x1F => Some([
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
                HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0'),
            ]),
            _ => None,
        };
        if let Some(e) = esc {
            if let Some(run) = bytes.get(start..i) {
                sink.put(run);
            }
            let n = if e.get(1) == Some(&b'u') { 6 } else { 2 };
            if let Some(x) = e.get(..n) {
                sink.put(x);
            }
            start = i + 1;
        }
    }
    if let Some(run) = bytes.get(start..) {
        sink.put(run);
    }
    sink.put(b"\"");
}

/// A JSON object being written: members in the order the caller writes them.
pub(crate) struct JsonObject<'s> {
    sink: &'s mut dyn Sink,
    first: bool,
}

impl<'s> JsonObject<'s> {
    /// Opens an object on `sink`; [`JsonObject::close`] ends it.
    pub(crate) fn open(sink: &'s mut dyn Sink) -> Self {
        sink.put(b"{");
        Self { sink, first: true }
    }

    fn name(&mut self, name: &str) {
        if !self.first {
            self.sink.put(b",");
        }
        self.first = false;
        put_json_str(self.sink, name);
        self.sink.put(b":");
    }

    /// A string member.
    pub(crate) fn str(&mut self, name: &str, value: &str) {
        self.name(name);
        put_json_str(self.sink, value);
    }

    /// A string member, if `value` is given.
    pub(crate) fn opt_str(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(name, v);
        }
    }

    /// A non-negative integer member.
    pub(crate) fn num(&mut self, name: &str, value: u64) {
        self.name(name);
        put_u64(self.sink, value);
    }

    /// A member whose value is JSON text the caller has validated.
    pub(crate) fn raw(&mut self, name: &str, json: &[u8]) {
        self.name(name);
        self.sink.put(json);
    }

    /// A string member whose value is the base64url encoding of `bytes`.
    pub(crate) fn b64(&mut self, name: &str, bytes: &[u8]) {
        self.name(name);
        self.sink.put(b"\"");
        let mut e = B64::new(self.sink);
        e.put(bytes);
        e.finish();
        self.sink.put(b"\"");
    }

    /// A nested object member written by `f`.
    pub(crate) fn object(&mut self, name: &str, f: impl FnOnce(&mut JsonObject<'_>)) {
        self.name(name);
        let mut inner = JsonObject::open(self.sink);
        f(&mut inner);
        inner.close();
    }

    /// Ends the object.
    pub(crate) fn close(self) {
        self.sink.put(b"}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_then_write() {
        let mut buf = [0u8; 8];
        let f = |o: &mut Out<'_>| {
            o.put(b"abc");
            put_u64(o, 1234);
            Ok(())
        };
        assert_eq!(write_with(&mut buf, f), Ok(7));
        assert_eq!(&buf[..7], b"abc1234");
        let mut small = [9u8; 6];
        assert_eq!(
            write_with(&mut small, f),
            Err(Error::BufferTooSmall { needed: 7 })
        );
        assert_eq!(small, [9u8; 6]);
    }

    #[test]
    fn encoders() {
        let mut buf = [0u8; 64];
        let n = write_with(&mut buf, |o| {
            let mut b = B64::new(o);
            b.put(b"\xfb\xff");
            b.put(b"\xbf");
            b.put(b"a");
            b.finish();
            o.put(b" ");
            Pct::new(o).put("a b/é~".as_bytes());
            o.put(b" ");
            put_json_str(o, "q\"\\\n\u{1}é");
            Ok(())
        })
        .unwrap();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "-_-_YQ a%20b%2F%C3%A9~ \"q\\\"\\\\\\u000A\\u0001é\""
        );
        let mut b2 = [0u8; 24];
        let n = write_with(&mut b2, |o| {
            put_u64(o, 0);
            o.put(b",");
            put_u64(o, u64::MAX);
            Ok(())
        })
        .unwrap();
        assert_eq!(&b2[..n], b"0,18446744073709551615");
    }
}
