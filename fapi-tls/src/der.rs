//! A strict DER reader over borrowed bytes (X.690 §8/§10): low tag numbers only, definite and
//! minimally encoded lengths of at most three bytes. Every read checks its length; after `Ok`
//! the returned slices lie inside the input.

/// `BOOLEAN`.
pub(crate) const BOOLEAN: u8 = 0x01;
/// `INTEGER`.
pub(crate) const INTEGER: u8 = 0x02;
/// `BIT STRING`.
pub(crate) const BIT_STRING: u8 = 0x03;
/// `OCTET STRING`.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// `OBJECT IDENTIFIER`.
pub(crate) const OID: u8 = 0x06;
/// `UTCTime`.
pub(crate) const UTC_TIME: u8 = 0x17;
/// `GeneralizedTime`.
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
/// Constructed `SEQUENCE`.
pub(crate) const SEQUENCE: u8 = 0x30;

/// The input is not the DER this reader expects.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

/// One element: its tag, its contents, and its whole encoding (tag, length and contents).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole encoding.
    pub whole: &'a [u8],
}

/// A cursor over a sequence of DER elements.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading at the front of `input`.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// True when every element has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next element, whatever its tag.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>, Malformed> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first().ok_or(Malformed)?;
        if tag & 0x1f == 0x1f {
            return Err(Malformed); // high tag numbers are never needed here
        }
        let (&first, after_len) = after_tag.split_first().ok_or(Malformed)?;
        let (len, body) = match first {
            0..=0x7f => (usize::from(first), after_len),
            0x81 => {
                let (&b, body) = after_len.split_first().ok_or(Malformed)?;
                if b < 0x80 {
                    return Err(Malformed);
                }
                (usize::from(b), body)
            }
            0x82 => {
                let (b, body) = after_len.split_at_checked(2).ok_or(Malformed)?;
                let len = b.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x));
                if len < 0x100 {
                    return Err(Malformed);
                }
                (len, body)
            }
            0x83 => {
                let (b, body) = after_len.split_at_checked(3).ok_or(Malformed)?;
                let len = b.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x));
                if len < 0x1_0000 {
                    return Err(Malformed);
                }
                (len, body)
            }
            _ => return Err(Malformed), // indefinite (0x80) or absurdly long
        };
        let (value, rest) = body.split_at_checked(len).ok_or(Malformed)?;
        let whole_len = input.len() - rest.len();
        let whole = input.get(..whole_len).ok_or(Malformed)?;
        self.rest = rest;
        Ok(Tlv { tag, value, whole })
    }

    /// Reads the next element, which must carry `tag`; returns it whole.
    pub(crate) fn tlv(&mut self, tag: u8) -> Result<Tlv<'a>, Malformed> {
        let t = self.any()?;
        if t.tag == tag { Ok(t) } else { Err(Malformed) }
    }

    /// Reads the next element, which must carry `tag`; returns its contents.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], Malformed> {
        self.tlv(tag).map(|t| t.value)
    }

    /// Reads the next element only if it carries `tag`.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, Malformed> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every element has been read.
    pub(crate) fn finish(&self) -> Result<(), Malformed> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }
}

/// The single element that spans all of `input`, which must carry `tag`.
pub(crate) fn single(input: &[u8], tag: u8) -> Result<Tlv<'_>, Malformed> {
    let mut r = Reader::new(input);
    let t = r.tlv(tag)?;
    r.finish()?;
    Ok(t)
}

/// The contents of a `BIT STRING` that has no unused bits (keys and signatures).
pub(crate) fn octet_aligned_bits(value: &[u8]) -> Result<&[u8], Malformed> {
    match value.split_first() {
        Some((0, bits)) => Ok(bits),
        _ => Err(Malformed),
    }
}

/// A DER `BOOLEAN` value (only `0x00` and `0xFF` are DER).
pub(crate) fn boolean(value: &[u8]) -> Result<bool, Malformed> {
    match value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(Malformed),
    }
}

/// A small non-negative DER `INTEGER` (minimal encoding, at most 4 bytes of magnitude).
pub(crate) fn small_uint(value: &[u8]) -> Result<u32, Malformed> {
    match value {
        [] => Err(Malformed),
        [b, ..] if b & 0x80 != 0 => Err(Malformed), // negative
        [0, next, ..] if next & 0x80 == 0 => Err(Malformed), // not minimal
        _ if value.len() > 5 || (value.len() == 5 && value.first() != Some(&0)) => Err(Malformed),
        _ => Ok(value.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal_and_definite() {
        assert!(single(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5], OCTET_STRING).is_err());
        assert!(single(&[0x04, 0x80, 0, 0], OCTET_STRING).is_err());
        assert!(single(&[0x04, 0x02, 1], OCTET_STRING).is_err());
        assert!(single(&[0x04, 0x01, 1, 2], OCTET_STRING).is_err());
        let t = single(&[0x04, 0x02, 7, 8], OCTET_STRING).unwrap();
        assert_eq!(t.value, &[7, 8]);
        let mut long = [0u8; 3 + 0x80];
        long[..3].copy_from_slice(&[0x04, 0x81, 0x80]);
        assert_eq!(single(&long, OCTET_STRING).unwrap().value.len(), 0x80);
    }

    #[test]
    fn integers_and_booleans() {
        assert_eq!(small_uint(&[0]), Ok(0));
        assert_eq!(small_uint(&[0, 0x80]), Ok(128));
        assert!(small_uint(&[0, 1]).is_err());
        assert!(small_uint(&[0x80]).is_err());
        assert!(boolean(&[1]).is_err());
        assert_eq!(boolean(&[0xff]), Ok(true));
    }
}
