//! A transport wrapper that checks the framing of every record the server sends before
//! embedded-tls sees it.
//!
//! embedded-tls 0.19 decrypts an encrypted record and then takes the last plaintext byte with
//! `unwrap()`: a record whose ciphertext is only the 16-byte AEAD tag (an empty
//! `TLSInnerPlaintext`, which RFC 8446 §5.2 forbids) panics the client. Such a record can be
//! sent by anyone on the path before the server is authenticated, since the handshake keys
//! come from an unauthenticated key exchange. This wrapper refuses it, and other impossible
//! record headers, as an I/O error of kind `InvalidData`.

use embedded_io::{ErrorKind, ErrorType, Read, Write};

/// `application_data`, the outer type of every encrypted TLS 1.3 record.
const APPLICATION_DATA: u8 = 23;
/// Smallest encrypted record: one content-type byte plus the 16-byte AES-GCM tag.
const MIN_ENCRYPTED: usize = 1 + 16;
/// Largest record body (RFC 8446 §5.2: 2^14 + 256).
const MAX_RECORD: usize = 16_384 + 256;

/// Why the wrapper failed.
#[derive(Debug)]
pub(crate) enum GuardError<E> {
    /// The transport failed.
    Io(E),
    /// The server sent a record header no TLS 1.3 server sends.
    BadRecord,
}

impl<E: core::fmt::Debug> core::fmt::Display for GuardError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            GuardError::Io(e) => write!(f, "transport: {e:?}"),
            GuardError::BadRecord => f.write_str("invalid TLS record header"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for GuardError<E> {}

impl<E: embedded_io::Error> embedded_io::Error for GuardError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            GuardError::Io(e) => e.kind(),
            GuardError::BadRecord => ErrorKind::InvalidData,
        }
    }
}

/// The caller's socket, with the server's record framing tracked byte by byte.
pub(crate) struct Guarded<S> {
    inner: S,
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    broken: bool,
}

impl<S> Guarded<S> {
    /// Wraps `inner`; the first byte read must start a record.
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            header: [0; 5],
            header_len: 0,
            body_left: 0,
            broken: false,
        }
    }

    /// Follows the record framing through `bytes`, just read from the server.
    fn observe(&mut self, mut bytes: &[u8]) -> Result<(), ()> {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let skip = self.body_left.min(bytes.len());
                self.body_left -= skip;
                bytes = bytes.get(skip..).unwrap_or_default();
                continue;
            }
            let take = (5 - self.header_len).min(bytes.len());
            let (head, rest) = bytes.split_at_checked(take).ok_or(())?;
            self.header
                .get_mut(self.header_len..self.header_len + take)
                .ok_or(())?
                .copy_from_slice(head);
            self.header_len += take;
            bytes = rest;
            if self.header_len == 5 {
                let [kind, major, _minor, hi, lo] = self.header;
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                let min = if kind == APPLICATION_DATA {
                    MIN_ENCRYPTED
                } else {
                    1
                };
                if !(20..=23).contains(&kind) || major != 3 || len < min || len > MAX_RECORD {
                    return Err(());
                }
                self.header_len = 0;
                self.body_left = len;
            }
        }
        Ok(())
    }
}

impl<S: ErrorType> ErrorType for Guarded<S> {
    type Error = GuardError<S::Error>;
}

impl<S: Read> Read for Guarded<S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if self.broken {
            return Err(GuardError::BadRecord);
        }
        let n = self.inner.read(buf).map_err(GuardError::Io)?;
        let got = buf.get(..n).unwrap_or_default();
        if self.observe(got).is_err() {
            self.broken = true;
            return Err(GuardError::BadRecord);
        }
        Ok(n)
    }
}

impl<S: Write> Write for Guarded<S> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.inner.write(buf).map_err(GuardError::Io)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush().map_err(GuardError::Io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        let mut g = Guarded::new(());
        // A 17-byte encrypted record split across calls, then a plaintext alert.
        assert!(g.observe(&[23, 3]).is_ok());
        assert!(g.observe(&[3, 0, 17, 1, 2]).is_ok());
        assert!(g.observe(&[0; 15]).is_ok());
        assert!(g.observe(&[21, 3, 3, 0, 2, 2, 40]).is_ok());
        // The empty-plaintext record that would panic embedded-tls.
        assert!(g.observe(&[23, 3, 3, 0, 16]).is_err());
        let mut g = Guarded::new(());
        assert!(g.observe(&[24, 3, 3, 0, 1]).is_err());
        let mut g = Guarded::new(());
        assert!(g.observe(&[22, 3, 3, 0x41, 0x01]).is_err());
    }
}
