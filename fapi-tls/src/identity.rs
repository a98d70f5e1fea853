//! The client's identity for mTLS: a P-256 key and its certificate, checked before any
//! connection, and the certificate's `x5t#S256` thumbprint (RFC 8705 §3.1).

use crate::der::{self, Reader};
use crate::error::Error;
use crate::x509::{self, Cert, Key};
use p256::ecdsa::{SigningKey, VerifyingKey};

/// A client certificate (DER) and its P-256 private key, checked to belong together.
///
/// Only P-256 keys are accepted: embedded-tls without `alloc` holds at most 104 signature
/// bytes and `unwrap()`s on longer ones (an RSA-2048 CertificateVerify is 256 bytes), so any
/// other key is refused here with [`Error::ClientKeyUnsupported`], before a handshake starts.
/// The key is zeroed when this value is dropped.
#[derive(Clone)]
pub struct ClientIdentity<'a> {
    cert: &'a [u8],
    key: SigningKey,
    x5t: [u8; 32],
}

impl core::fmt::Debug for ClientIdentity<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("x5t_s256", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl<'a> ClientIdentity<'a> {
    /// Checks and holds `cert_der` (one X.509 v3 certificate, DER; PEM can be turned into DER
    /// with `fapi_core::mtls::decode_cert`) and `key_der` (a P-256 private key as PKCS#8
    /// `PrivateKeyInfo` DER, as `openssl genpkey` writes it, or SEC 1 `ECPrivateKey` DER).
    ///
    /// # Errors
    /// [`Error::ClientKeyUnsupported`] for an RSA (PKCS#8 or PKCS#1), Ed25519, P-384 or any
    /// other non-P-256 key; [`Error::ClientKeyMalformed`] for bytes that are no such key or an
    /// invalid scalar; [`Error::ClientCertMalformed`] if `cert_der` is not one certificate;
    /// [`Error::ClientCertKeyMismatch`] if the certificate's key is not this key's public key.
    pub fn from_der(cert_der: &'a [u8], key_der: &[u8]) -> Result<Self, Error> {
        let key = parse_private_key(key_der)?;
        let cert = Cert::parse(cert_der).map_err(|_| Error::ClientCertMalformed)?;
        let Key::P256(point) = cert.key else {
            return Err(Error::ClientCertKeyMismatch);
        };
        let cert_key =
            VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::ClientCertKeyMismatch)?;
        if &cert_key != key.verifying_key() {
            return Err(Error::ClientCertKeyMismatch);
        }
        Ok(Self {
            cert: cert_der,
            key,
            x5t: fapi_core::mtls::x5t_s256(cert_der),
        })
    }

    /// The certificate's DER bytes, as sent to the server.
    pub fn cert_der(&self) -> &'a [u8] {
        self.cert
    }

    /// The certificate's `x5t#S256` thumbprint: SHA-256 of its DER (computed by
    /// `fapi_core::mtls::x5t_s256`), the value a certificate-bound token's `cnf` carries.
    pub fn x5t_s256(&self) -> [u8; 32] {
        self.x5t
    }

    /// The thumbprint in the unpadded base64url form of `cnf["x5t#S256"]` (43 characters),
    /// written to `out`.
    pub fn x5t_s256_b64url<'o>(&self, out: &'o mut [u8; 43]) -> &'o str {
        // 32 bytes always encode to exactly 43 characters, so this cannot fail.
        fapi_core::b64::encode(&self.x5t, out).unwrap_or_default()
    }

    /// The signing key (for the CertificateVerify signature).
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// Parses a PKCS#8 or SEC 1 DER private key; only P-256 is accepted.
fn parse_private_key(der: &[u8]) -> Result<SigningKey, Error> {
    const BAD: Error = Error::ClientKeyMalformed;
    let top = der::single(der, der::SEQUENCE).map_err(|_| BAD)?;
    let mut r = Reader::new(top.value);
    let version = r.read(der::INTEGER).map_err(|_| BAD)?;
    match r.peek_tag() {
        // PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958): version 0 or 1.
        Some(der::SEQUENCE) if version == [0] || version == [1] => {
            let mut alg = Reader::new(r.read(der::SEQUENCE).map_err(|_| BAD)?);
            let oid = alg.read(der::OID).map_err(|_| BAD)?;
            if oid != x509::OID_EC_PUBLIC_KEY {
                return Err(Error::ClientKeyUnsupported); // RSA, RSA-PSS, Ed25519, …
            }
            if alg.optional(der::OID).map_err(|_| BAD)? != Some(x509::OID_P256) || !alg.is_empty() {
                return Err(Error::ClientKeyUnsupported); // another curve, or explicit parameters
            }
            let inner = r.read(der::OCTET_STRING).map_err(|_| BAD)?;
            // Attributes [0] and a public key [1] may follow; neither is needed.
            parse_sec1(inner)
        }
        // SEC 1 ECPrivateKey: version 1, then the scalar.
        Some(der::OCTET_STRING) if version == [1] => parse_sec1(der),
        // PKCS#1 RSAPrivateKey (version 0, then the modulus) or DSA: not P-256.
        Some(der::INTEGER) => Err(Error::ClientKeyUnsupported),
        _ => Err(BAD),
    }
}

/// Parses a SEC 1 `ECPrivateKey` whose curve, if named, is P-256.
fn parse_sec1(der: &[u8]) -> Result<SigningKey, Error> {
    const BAD: Error = Error::ClientKeyMalformed;
    let top = der::single(der, der::SEQUENCE).map_err(|_| BAD)?;
    let mut r = Reader::new(top.value);
    if r.read(der::INTEGER).map_err(|_| BAD)? != [1] {
        return Err(BAD);
    }
    let scalar = r.read(der::OCTET_STRING).map_err(|_| BAD)?;
    if let Some(params) = r.optional(0xa0).map_err(|_| BAD)? {
        let curve = der::single(params, der::OID).map_err(|_| Error::ClientKeyUnsupported)?;
        if curve.value != x509::OID_P256 {
            return Err(Error::ClientKeyUnsupported);
        }
    }
    let _public = r.optional(0xa1).map_err(|_| BAD)?;
    r.finish().map_err(|_| BAD)?;
    if scalar.len() != 32 {
        // A scalar of another length belongs to another curve.
        return Err(Error::ClientKeyUnsupported);
    }
    SigningKey::from_slice(scalar).map_err(|_| BAD)
}
