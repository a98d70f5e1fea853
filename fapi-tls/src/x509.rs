//! A checked, borrowed view of an X.509 v3 certificate (RFC 5280 §4.1): the fields the
//! server-certificate checks need, parsed strictly and once.
//!
//! Refused while parsing: anything but v3, an inner signature algorithm that differs from the
//! outer one, a signature `BIT STRING` with unused bits, a validity time that is not the
//! RFC 5280 §4.1.2.5 form (`YYMMDDHHMMSSZ` / `YYYYMMDDHHMMSSZ`), a duplicated extension, a
//! malformed known extension. An unknown extension marked critical is recorded
//! ([`Cert::unknown_critical`]) for the chain checks to refuse.

use crate::der::{self, Malformed, Reader};

/// `ecdsa-with-SHA256` (1.2.840.10045.4.3.2).
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// `id-ecPublicKey` (1.2.840.10045.2.1).
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `prime256v1` / `secp256r1` (1.2.840.10045.3.1.7).
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// `basicConstraints` (2.5.29.19).
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// `keyUsage` (2.5.29.15).
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
/// `extKeyUsage` (2.5.29.37).
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// `subjectAltName` (2.5.29.17).
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// `id-kp-serverAuth` (1.3.6.1.5.5.7.3.1).
const OID_KP_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];

/// `keyUsage` bit 0, `digitalSignature`, in the 16-bit big-endian form of [`Cert::key_usage`].
pub(crate) const KU_DIGITAL_SIGNATURE: u16 = 0x8000;
/// `keyUsage` bit 5, `keyCertSign`.
pub(crate) const KU_KEY_CERT_SIGN: u16 = 0x0400;

/// The signature algorithms of certificates this crate verifies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum SigAlg {
    /// ECDSA with SHA-256, parameters absent (RFC 5758 §3.2).
    EcdsaSha256,
    /// Anything else (RSA, P-384, Ed25519, …): parsed, never verified.
    Other,
}

/// The subject public key, as far as this crate uses it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    /// A P-256 point (SEC 1 encoding as in the certificate).
    P256(&'a [u8]),
    /// Any other key type or curve.
    Other,
}

/// `basicConstraints` (RFC 5280 §4.2.1.9).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct BasicConstraints {
    /// `cA`.
    pub ca: bool,
    /// `pathLenConstraint`, if present.
    pub path_len: Option<u32>,
}

/// A parsed certificate; every slice borrows the input DER.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Cert<'a> {
    /// The whole `TBSCertificate` encoding: the signed bytes.
    pub tbs: &'a [u8],
    /// The signature algorithm (outer and inner agree).
    pub sig_alg: SigAlg,
    /// The signature bytes (the `BIT STRING` contents after its unused-bits octet).
    pub signature: &'a [u8],
    /// The whole issuer `Name` encoding.
    pub issuer: &'a [u8],
    /// The whole subject `Name` encoding.
    pub subject: &'a [u8],
    /// `notBefore`, Unix seconds.
    pub not_before: u64,
    /// `notAfter`, Unix seconds.
    pub not_after: u64,
    /// The whole `SubjectPublicKeyInfo` encoding (what a public-key pin hashes).
    pub spki: &'a [u8],
    /// The subject public key.
    pub key: Key<'a>,
    /// `basicConstraints`, if present.
    pub basic: Option<BasicConstraints>,
    /// `keyUsage` bits 0–15 as a big-endian `u16` (bit 0 is the top bit), if present.
    pub key_usage: Option<u16>,
    /// The contents of the `extKeyUsage` `SEQUENCE OF KeyPurposeId`, if present.
    pub eku: Option<&'a [u8]>,
    /// The contents of the `subjectAltName` `GeneralNames`, if present.
    pub san: Option<&'a [u8]>,
    /// An extension this code does not process is marked critical (RFC 5280 §4.2).
    pub unknown_critical: bool,
}

impl<'a> Cert<'a> {
    /// Parses `der`, which must be exactly one certificate.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, Malformed> {
        let cert = der::single(der, der::SEQUENCE)?;
        let mut outer = Reader::new(cert.value);
        let tbs = outer.tlv(der::SEQUENCE)?;
        let outer_alg = outer.read(der::SEQUENCE)?;
        let signature = der::octet_aligned_bits(outer.read(der::BIT_STRING)?)?;
        outer.finish()?;

        let mut t = Reader::new(tbs.value);
        // version [0] EXPLICIT INTEGER: must be present and v3 (2).
        let version = t.read(0xa0)?;
        if der::single(version, der::INTEGER)?.value != [2] {
            return Err(Malformed);
        }
        let _serial = t.read(der::INTEGER)?;
        let inner_alg = t.read(der::SEQUENCE)?;
        if inner_alg != outer_alg {
            return Err(Malformed);
        }
        let issuer = t.tlv(der::SEQUENCE)?.whole;
        let mut validity = Reader::new(t.read(der::SEQUENCE)?);
        let not_before = read_time(&mut validity)?;
        let not_after = read_time(&mut validity)?;
        validity.finish()?;
        let subject = t.tlv(der::SEQUENCE)?.whole;
        let spki = t.tlv(der::SEQUENCE)?;
        let _issuer_uid = t.optional(0x81)?;
        let _subject_uid = t.optional(0x82)?;
        let mut cert = Cert {
            tbs: tbs.whole,
            sig_alg: sig_alg(outer_alg)?,
            signature,
            issuer,
            subject,
            not_before,
            not_after,
            spki: spki.whole,
            key: key(spki.value)?,
            basic: None,
            key_usage: None,
            eku: None,
            san: None,
            unknown_critical: false,
        };
        if let Some(exts) = t.optional(0xa3)? {
            let list = der::single(exts, der::SEQUENCE)?.value;
            if list.is_empty() {
                return Err(Malformed);
            }
            let mut r = Reader::new(list);
            while !r.is_empty() {
                cert.extension(r.read(der::SEQUENCE)?)?;
            }
        }
        t.finish()?;
        Ok(cert)
    }

    /// Records one `Extension`.
    fn extension(&mut self, ext: &'a [u8]) -> Result<(), Malformed> {
        let mut r = Reader::new(ext);
        let id = r.read(der::OID)?;
        let critical = match r.optional(der::BOOLEAN)? {
            Some(v) => der::boolean(v)?,
            None => false,
        };
        let value = r.read(der::OCTET_STRING)?;
        r.finish()?;
        fn set<T>(slot: &mut Option<T>, v: T) -> Result<(), Malformed> {
            if slot.replace(v).is_some() {
                Err(Malformed) // the same extension twice (RFC 5280 §4.2)
            } else {
                Ok(())
            }
        }
        match id {
            OID_BASIC_CONSTRAINTS => set(&mut self.basic, basic_constraints(value)?),
            OID_KEY_USAGE => set(&mut self.key_usage, key_usage(value)?),
            OID_EXT_KEY_USAGE => {
                let list = der::single(value, der::SEQUENCE)?.value;
                let mut p = Reader::new(list);
                if p.is_empty() {
                    return Err(Malformed);
                }
                while !p.is_empty() {
                    p.read(der::OID)?;
                }
                set(&mut self.eku, list)
            }
            OID_SUBJECT_ALT_NAME => {
                let list = der::single(value, der::SEQUENCE)?.value;
                let mut p = Reader::new(list);
                if p.is_empty() {
                    return Err(Malformed);
                }
                while !p.is_empty() {
                    p.any()?;
                }
                set(&mut self.san, list)
            }
            _ => {
                self.unknown_critical |= critical;
                Ok(())
            }
        }
    }

    /// True if `extKeyUsage` lists `id-kp-serverAuth`.
    pub(crate) fn eku_has_server_auth(eku: &[u8]) -> bool {
        let mut r = Reader::new(eku);
        while let Ok(oid) = r.read(der::OID) {
            if oid == OID_KP_SERVER_AUTH {
                return true;
            }
        }
        false
    }

    /// True if `now` lies in `[notBefore, notAfter]`.
    pub(crate) fn valid_at(&self, now: u64) -> Validity {
        if now < self.not_before {
            Validity::NotYetValid
        } else if now > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }
}

/// Where `now` lies relative to a certificate's validity period.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Inside it.
    Valid,
    /// Before `notBefore`.
    NotYetValid,
    /// After `notAfter`.
    Expired,
}

/// The signature algorithm named by an `AlgorithmIdentifier`'s contents.
fn sig_alg(alg: &[u8]) -> Result<SigAlg, Malformed> {
    let mut r = Reader::new(alg);
    let oid = r.read(der::OID)?;
    if oid == OID_ECDSA_SHA256 {
        r.finish()?; // parameters must be absent
        Ok(SigAlg::EcdsaSha256)
    } else {
        Ok(SigAlg::Other)
    }
}

/// The key of a `SubjectPublicKeyInfo`'s contents.
pub(crate) fn key(spki: &[u8]) -> Result<Key<'_>, Malformed> {
    let mut r = Reader::new(spki);
    let mut alg = Reader::new(r.read(der::SEQUENCE)?);
    let bits = der::octet_aligned_bits(r.read(der::BIT_STRING)?)?;
    r.finish()?;
    let oid = alg.read(der::OID)?;
    if oid == OID_EC_PUBLIC_KEY && alg.optional(der::OID)? == Some(OID_P256) && alg.is_empty() {
        Ok(Key::P256(bits))
    } else {
        Ok(Key::Other)
    }
}

/// Parses the value of `basicConstraints`.
fn basic_constraints(value: &[u8]) -> Result<BasicConstraints, Malformed> {
    let mut r = Reader::new(der::single(value, der::SEQUENCE)?.value);
    let ca = match r.optional(der::BOOLEAN)? {
        Some(v) => der::boolean(v)?,
        None => false,
    };
    let path_len = match r.optional(der::INTEGER)? {
        Some(v) => Some(der::small_uint(v)?),
        None => None,
    };
    r.finish()?;
    Ok(BasicConstraints { ca, path_len })
}

/// Parses the value of `keyUsage` into bits 0–15 (bit 0 is the top bit).
fn key_usage(value: &[u8]) -> Result<u16, Malformed> {
    let bits = der::single(value, der::BIT_STRING)?.value;
    match bits {
        [unused, b0] if *unused < 8 => Ok(u16::from(*b0) << 8),
        [unused, b0, b1] if *unused < 8 => Ok((u16::from(*b0) << 8) | u16::from(*b1)),
        _ => Err(Malformed),
    }
}

/// Reads a `Time` (RFC 5280 §4.1.2.5) as Unix seconds.
fn read_time(r: &mut Reader<'_>) -> Result<u64, Malformed> {
    let t = r.any()?;
    let (year, rest) = match (t.tag, t.value.len()) {
        (der::UTC_TIME, 13) => {
            let (yy, rest) = t.value.split_at_checked(2).ok_or(Malformed)?;
            let yy = digits(yy)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, rest)
        }
        (der::GENERALIZED_TIME, 15) => {
            let (yyyy, rest) = t.value.split_at_checked(4).ok_or(Malformed)?;
            (digits(yyyy)?, rest)
        }
        _ => return Err(Malformed),
    };
    // rest = MMDDHHMMSSZ
    let field = |i: usize| digits(rest.get(i..i + 2).ok_or(Malformed)?);
    let (month, day, hour, min, sec) = (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if rest.get(10) != Some(&b'Z')
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return Err(Malformed);
    }
    let days = days_from_civil(year, month, day).ok_or(Malformed)?;
    Ok(days * 86_400 + hour * 3600 + min * 60 + sec)
}

/// ASCII decimal digits as a number.
fn digits(s: &[u8]) -> Result<u64, Malformed> {
    s.iter().try_fold(0u64, |a, &c| {
        if c.is_ascii_digit() {
            Ok(a * 10 + u64::from(c - b'0'))
        } else {
            Err(Malformed)
        }
    })
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm); `None` before 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(tag: u8, s: &str) -> Result<u64, Malformed> {
        let mut buf = [0u8; 32];
        buf[0] = tag;
        buf[1] = s.len() as u8;
        buf[2..2 + s.len()].copy_from_slice(s.as_bytes());
        read_time(&mut Reader::new(&buf[..2 + s.len()]))
    }

    #[test]
    fn times() {
        assert_eq!(time(der::UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(time(der::UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(
            time(der::GENERALIZED_TIME, "20240229120000Z"),
            Ok(1_709_208_000)
        );
        assert!(time(der::GENERALIZED_TIME, "20230229120000Z").is_err());
        assert!(time(der::UTC_TIME, "700101000000+0100").is_err());
        assert!(time(der::UTC_TIME, "7001010000Z").is_err());
        assert!(time(der::GENERALIZED_TIME, "19691231235959Z").is_err());
    }
}
