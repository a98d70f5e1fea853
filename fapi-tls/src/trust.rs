//! How the server is authenticated: a pinned CA (path validation to it, RFC 5280 §6 as far as
//! a pinned single anchor needs) or a pinned server public key, plus the server-name check
//! (RFC 6125 / RFC 9525: `subjectAltName` `dNSName` only).

use crate::error::Error;
use crate::x509::{self, Cert, Key, SigAlg, Validity};
use p256::ecdsa::{Signature, VerifyingKey, signature::Verifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Most certificates of a chain that are examined: the leaf and up to three intermediates
/// (a copy of the pinned CA that the server appends is not counted).
pub const MAX_CHAIN_LEN: usize = 4;

/// A pinned CA certificate, checked when it is configured.
#[derive(Copy, Clone, Debug)]
pub struct TrustAnchor<'a> {
    der: &'a [u8],
}

impl<'a> TrustAnchor<'a> {
    /// Checks and holds the DER of the CA certificate that server chains must lead to.
    ///
    /// Checked now: one X.509 v3 certificate, `basicConstraints` with `cA` TRUE, a `keyUsage`
    /// (if present) with `keyCertSign`, and a P-256 key. Its validity period is checked at
    /// each handshake against that handshake's `now`.
    ///
    /// # Errors
    /// [`Error::CaCertMalformed`], [`Error::CaNotCa`] or [`Error::CaKeyUnsupported`].
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let ca = Cert::parse(der).map_err(|_| Error::CaCertMalformed)?;
        if ca.unknown_critical {
            return Err(Error::CaCertMalformed);
        }
        if !is_ca(&ca) {
            return Err(Error::CaNotCa);
        }
        if !matches!(ca.key, Key::P256(_)) {
            return Err(Error::CaKeyUnsupported);
        }
        Ok(Self { der })
    }

    /// The CA certificate's DER bytes.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }
}

/// How the server proves who it is. Either way its CertificateVerify signature is verified
/// with the key of the certificate that was accepted.
#[derive(Copy, Clone, Debug)]
pub enum ServerTrust<'a> {
    /// The server's chain must lead to this CA, and its certificate must name the server.
    Ca(TrustAnchor<'a>),
    /// The SHA-256 of the server certificate's DER `SubjectPublicKeyInfo` (the HPKP /
    /// RFC 7469 `pin-sha256` value; compute it with [`spki_sha256`]). Only the key is checked:
    /// no chain, validity period or name, as with RFC 7250 raw public keys.
    PublicKeySha256([u8; 32]),
}

/// The SHA-256 of a certificate's DER `SubjectPublicKeyInfo`: the value of
/// [`ServerTrust::PublicKeySha256`].
///
/// # Errors
/// [`Error::ServerCertMalformed`] if `cert_der` is not one X.509 v3 certificate.
pub fn spki_sha256(cert_der: &[u8]) -> Result<[u8; 32], Error> {
    let cert = Cert::parse(cert_der).map_err(|_| Error::ServerCertMalformed)?;
    Ok(Sha256::digest(cert.spki).into())
}

/// Checks a server name given by the caller: a DNS host name, ASCII, at most 253 bytes,
/// labels of 1–63 letters, digits and inner hyphens, and a last label that is not all digits
/// (so IPv4 literals are refused).
pub(crate) fn check_server_name(name: &str) -> Result<(), Error> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 253 {
        return Err(Error::ServerNameInvalid);
    }
    let mut last_all_digits = false;
    for label in b.split(|&c| c == b'.') {
        let ok_chars = label
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-');
        let hyphen_edge = label.first() == Some(&b'-') || label.last() == Some(&b'-');
        if label.is_empty() || label.len() > 63 || !ok_chars || hyphen_edge {
            return Err(Error::ServerNameInvalid);
        }
        last_all_digits = label.iter().all(u8::is_ascii_digit);
    }
    if last_all_digits {
        return Err(Error::ServerNameInvalid);
    }
    Ok(())
}

/// Checks a server's certificate list (leaf first) against `trust` for `server_name` at `now`,
/// exactly as the handshake does (chain signatures, validity, CA and key-usage constraints,
/// extended key usage, the name). For hosts that receive a chain some other way, for tests and
/// for fuzzing; the handshake calls the same code.
///
/// # Errors
/// The server-authentication [`Error`]s (codes 3020–3033).
pub fn check_server_chain(
    trust: &ServerTrust<'_>,
    chain: &[&[u8]],
    server_name: &str,
    now: u64,
) -> Result<(), Error> {
    check_server_name(server_name)?;
    authenticate(trust, chain, server_name, now).map(|_| ())
}

/// Authenticates the server's certificate list (leaf first) and returns the leaf's key.
pub(crate) fn authenticate(
    trust: &ServerTrust<'_>,
    chain: &[&[u8]],
    server_name: &str,
    now: u64,
) -> Result<VerifyingKey, Error> {
    let leaf_der = chain.first().ok_or(Error::ServerCertMalformed)?;
    let leaf = Cert::parse(leaf_der).map_err(|_| Error::ServerCertMalformed)?;
    match trust {
        ServerTrust::PublicKeySha256(pin) => {
            let got: [u8; 32] = Sha256::digest(leaf.spki).into();
            if !bool::from(got.ct_eq(pin)) {
                return Err(Error::ServerKeyPinMismatch);
            }
            p256_key(&leaf)
        }
        ServerTrust::Ca(anchor) => {
            check_leaf(&leaf, server_name, now)?;
            let key = p256_key(&leaf)?;
            validate_path(anchor, &leaf, chain, now)?;
            Ok(key)
        }
    }
}

/// The leaf's own checks: validity, critical extensions, key usage, EKU, name.
fn check_leaf(leaf: &Cert<'_>, server_name: &str, now: u64) -> Result<(), Error> {
    check_validity(leaf, now)?;
    if leaf.unknown_critical {
        return Err(Error::ServerCertUnknownCritical);
    }
    if leaf.basic.is_some_and(|b| b.ca) {
        return Err(Error::ServerCertKeyUsage); // a CA certificate is no server certificate
    }
    if leaf
        .key_usage
        .is_some_and(|ku| ku & x509::KU_DIGITAL_SIGNATURE == 0)
    {
        return Err(Error::ServerCertKeyUsage);
    }
    if leaf.eku.is_some_and(|eku| !Cert::eku_has_server_auth(eku)) {
        return Err(Error::ServerCertNotServerAuth);
    }
    if !leaf
        .san
        .is_some_and(|san| san_matches(san, server_name.as_bytes()))
    {
        return Err(Error::ServerNameMismatch);
    }
    Ok(())
}

/// Walks from the leaf through the intermediates the server sent until a certificate is
/// issued by the pinned CA.
fn validate_path(
    anchor: &TrustAnchor<'_>,
    leaf: &Cert<'_>,
    chain: &[&[u8]],
    now: u64,
) -> Result<(), Error> {
    let ca = Cert::parse(anchor.der).map_err(|_| Error::CaCertMalformed)?;
    check_validity(&ca, now)?;
    let mut child = *leaf;
    // `intermediates`: CA certificates between `child` and the leaf.
    for intermediates in 0..MAX_CHAIN_LEN {
        if child.issuer == ca.subject && verify_signed_by(&child, &ca).is_ok() {
            if ca
                .basic
                .and_then(|b| b.path_len)
                .is_some_and(|n| n < intermediates as u32)
            {
                return Err(Error::IssuerNotCa);
            }
            return Ok(());
        }
        if intermediates + 1 >= MAX_CHAIN_LEN {
            break;
        }
        let Some(next) = chain.get(intermediates + 1) else {
            return Err(Error::ServerCertUntrusted);
        };
        let issuer = Cert::parse(next).map_err(|_| Error::ServerCertMalformed)?;
        if issuer.subject != child.issuer {
            return Err(Error::ServerCertUntrusted);
        }
        if !is_ca(&issuer)
            || issuer
                .basic
                .and_then(|b| b.path_len)
                .is_some_and(|n| n < intermediates as u32)
        {
            return Err(Error::IssuerNotCa);
        }
        if issuer.unknown_critical {
            return Err(Error::ServerCertUnknownCritical);
        }
        check_validity(&issuer, now)?;
        verify_signed_by(&child, &issuer)?;
        child = issuer;
    }
    Err(Error::ServerCertUntrusted)
}

/// `basicConstraints` `cA` TRUE and, if `keyUsage` is present, `keyCertSign`.
fn is_ca(cert: &Cert<'_>) -> bool {
    cert.basic.is_some_and(|b| b.ca)
        && cert
            .key_usage
            .is_none_or(|ku| ku & x509::KU_KEY_CERT_SIGN != 0)
}

/// `now` inside the certificate's validity period.
fn check_validity(cert: &Cert<'_>, now: u64) -> Result<(), Error> {
    match cert.valid_at(now) {
        Validity::Valid => Ok(()),
        Validity::NotYetValid => Err(Error::ServerCertNotYetValid),
        Validity::Expired => Err(Error::ServerCertExpired),
    }
}

/// The certificate's P-256 key.
fn p256_key(cert: &Cert<'_>) -> Result<VerifyingKey, Error> {
    match cert.key {
        Key::P256(point) => {
            VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::ServerCertMalformed)
        }
        Key::Other => Err(Error::ServerCertUnsupportedAlgorithm),
    }
}

/// Verifies `child`'s signature with `issuer`'s key (ECDSA P-256 with SHA-256 only).
fn verify_signed_by(child: &Cert<'_>, issuer: &Cert<'_>) -> Result<(), Error> {
    if child.sig_alg != SigAlg::EcdsaSha256 {
        return Err(Error::ServerCertUnsupportedAlgorithm);
    }
    let key = match issuer.key {
        Key::P256(point) => {
            VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::ServerCertUntrusted)?
        }
        Key::Other => return Err(Error::ServerCertUnsupportedAlgorithm),
    };
    let sig = Signature::from_der(child.signature).map_err(|_| Error::ServerCertUntrusted)?;
    key.verify(child.tbs, &sig)
        .map_err(|_| Error::ServerCertUntrusted)
}

/// True if a `dNSName` in the `GeneralNames` contents matches `host` (already checked by
/// [`check_server_name`]).
fn san_matches(san: &[u8], host: &[u8]) -> bool {
    let mut r = crate::der::Reader::new(san);
    while let Ok(name) = r.any() {
        // dNSName [2] IMPLICIT IA5String
        if name.tag == 0x82 && dns_name_matches(name.value, host) {
            return true;
        }
    }
    false
}

/// RFC 6125 §6.4: case-insensitive ASCII comparison; a wildcard only as the whole leftmost
/// label (`*.example.com`), matching exactly one label, and only above two labels.
fn dns_name_matches(presented: &[u8], host: &[u8]) -> bool {
    if presented
        .iter()
        .any(|c| !(c.is_ascii_alphanumeric() || b"-.*".contains(c)))
    {
        return false;
    }
    match presented.strip_prefix(b"*.") {
        Some(suffix) => {
            if suffix.contains(&b'*') || suffix.iter().filter(|&&c| c == b'.').count() < 1 {
                return false;
            }
            match host.iter().position(|&c| c == b'.') {
                Some(dot) => host
                    .get(dot + 1..)
                    .is_some_and(|h| h.eq_ignore_ascii_case(suffix)),
                None => false,
            }
        }
        None => !presented.contains(&b'*') && presented.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns_name_matches(b"Server.Test", b"server.test"));
        assert!(!dns_name_matches(b"server.test", b"server.test.evil"));
        assert!(dns_name_matches(b"*.example.com", b"api.example.com"));
        assert!(!dns_name_matches(b"*.example.com", b"a.b.example.com"));
        assert!(!dns_name_matches(b"*.example.com", b"example.com"));
        assert!(!dns_name_matches(b"*.com", b"example.com"));
        assert!(!dns_name_matches(b"a*.example.com", b"ab.example.com"));
        assert!(!dns_name_matches(b"*.*.example.com", b"a.b.example.com"));
        assert!(check_server_name("server.test").is_ok());
        assert!(check_server_name("localhost").is_ok());
        assert_eq!(
            check_server_name("127.0.0.1"),
            Err(Error::ServerNameInvalid)
        );
        assert_eq!(check_server_name("a..b"), Err(Error::ServerNameInvalid));
        assert_eq!(check_server_name("-a.b"), Err(Error::ServerNameInvalid));
        assert_eq!(check_server_name("a b"), Err(Error::ServerNameInvalid));
        assert_eq!(check_server_name(""), Err(Error::ServerNameInvalid));
    }
}
