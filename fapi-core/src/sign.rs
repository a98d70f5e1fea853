//! Signing JWSs the client sends (request objects, client assertions, DPoP proofs), without
//! allocation, into caller buffers.
//!
//! A [`JwsSigner`] holds the private key: fapi's own [`Es256Key`] (p256, RFC 6979
//! deterministic nonces, so no randomness is needed) and [`Ed25519Key`] (ed25519-dalek), or a
//! host implementation that calls an HSM or a crypto library — the way PS256 is signed — as
//! [`crate::jws::SignatureVerifier`] does for verification. [`compact`] writes
//! `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)` with header members in one
//! fixed order (`alg`, `typ`, `kid`, `jwk`) and canonical unpadded base64url.

use crate::error::{Error, JwkError, SignError};
use crate::jwk::{KeyMaterial, MAX_KID_LEN};
use crate::jws::{Alg, AlgSet, MAX_SIGNATURE_LEN, ProviderFailure};
use crate::out::{self, JsonObject, Out, Sink};

/// Holds a private key and signs JWS signing inputs with it.
///
/// fapi checks that [`JwsSigner::alg`] fits [`JwsSigner::public_key`] and is allowed before
/// signing, and that the signature has the algorithm's exact length after.
pub trait JwsSigner {
    /// The JWS algorithm this signer uses.
    fn alg(&self) -> Alg;

    /// The public key of the signing key (written as `jwk` in DPoP proofs and hashed for
    /// `dpop_jkt`).
    fn public_key(&self) -> &KeyMaterial;

    /// The `kid` to put in headers that name the key (request objects, client assertions).
    fn kid(&self) -> Option<&str> {
        None
    }

    /// Signs `signing_input` (the whole `header.payload` text, not a digest), writes the JWS
    /// signature into `signature` (ES256: `r ‖ s`, 64 bytes; EdDSA: 64 bytes; RSA: the
    /// modulus length) and returns its length.
    ///
    /// # Errors
    /// [`ProviderFailure`] when the key or device could not sign (fails closed).
    fn sign(
        &mut self,
        signing_input: &[u8],
        signature: &mut [u8],
    ) -> Result<usize, ProviderFailure>;
}

/// Whether a key of this material can sign with `alg`.
pub fn key_fits(alg: Alg, key: &KeyMaterial) -> bool {
    matches!(
        (alg, key),
        (Alg::Es256, KeyMaterial::P256(_))
            | (Alg::EdDsa | Alg::Ed25519, KeyMaterial::Ed25519(_))
            | (Alg::Ps256 | Alg::Rs256, KeyMaterial::Rsa(_))
    )
}

/// The exact signature length of `alg` with `key`.
pub fn signature_len(alg: Alg, key: &KeyMaterial) -> usize {
    match (alg, key) {
        (Alg::Ps256 | Alg::Rs256, KeyMaterial::Rsa(k)) => k.len(),
        _ => 64,
    }
}

/// Checks a signer before use: its algorithm is in `allowed` and fits its key.
///
/// # Errors
/// [`SignError::AlgNotAllowed`], [`SignError::AlgKeyMismatch`].
pub fn check_signer(signer: &dyn JwsSigner, allowed: AlgSet) -> Result<(), Error> {
    if !allowed.contains(signer.alg()) {
        return Err(SignError::AlgNotAllowed.into());
    }
    if !key_fits(signer.alg(), signer.public_key()) {
        return Err(SignError::AlgKeyMismatch.into());
    }
    if signature_len(signer.alg(), signer.public_key()) > MAX_SIGNATURE_LEN {
        return Err(SignError::AlgKeyMismatch.into());
    }
    Ok(())
}

/// A `kid` stored inline (plain data, no pointer).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Kid {
    bytes: [u8; MAX_KID_LEN],
    len: u8,
}

impl Kid {
    const NONE: Self = Self {
        bytes: [0; MAX_KID_LEN],
        len: 0,
    };

    fn new(kid: &str) -> Result<Self, Error> {
        let mut k = Self::NONE;
        let dst = k.bytes.get_mut(..kid.len()).ok_or(JwkError::KidTooLong)?;
        dst.copy_from_slice(kid.as_bytes());
        k.len = u8::try_from(kid.len()).map_err(|_| JwkError::KidTooLong)?;
        Ok(k)
    }

    fn get(&self) -> Option<&str> {
        let b = self.bytes.get(..usize::from(self.len))?;
        if b.is_empty() {
            return None;
        }
        core::str::from_utf8(b).ok()
    }
}

/// An ES256 (P-256) signing key with RFC 6979 deterministic signatures. The private scalar is
/// wiped when the key is dropped; `Debug` never prints it.
#[derive(Clone, Debug)]
pub struct Es256Key {
    key: p256::ecdsa::SigningKey,
    public: KeyMaterial,
    kid: Kid,
}

impl Es256Key {
    /// A key from its 32-byte big-endian private scalar `d`.
    ///
    /// # Errors
    /// [`SignError::KeyInvalid`] if `d` is zero or not below the group order.
    pub fn from_secret(d: &[u8; 32]) -> Result<Self, Error> {
        let key = p256::ecdsa::SigningKey::from_slice(d).map_err(|_| SignError::KeyInvalid)?;
        let point = key.verifying_key().to_sec1_point(false);
        let mut xy = [0u8; 64];
        let sec1 = point.as_bytes();
        let coords = sec1.get(1..65).ok_or(SignError::KeyInvalid)?;
        xy.copy_from_slice(coords);
        Ok(Self {
            key,
            public: KeyMaterial::P256(xy),
            kid: Kid::NONE,
        })
    }

    /// The same key, named `kid` in the headers that name keys.
    ///
    /// # Errors
    /// [`JwkError::KidTooLong`] beyond [`MAX_KID_LEN`] bytes.
    pub fn with_kid(mut self, kid: &str) -> Result<Self, Error> {
        self.kid = Kid::new(kid)?;
        Ok(self)
    }
}

impl JwsSigner for Es256Key {
    fn alg(&self) -> Alg {
        Alg::Es256
    }

    fn public_key(&self) -> &KeyMaterial {
        &self.public
    }

    fn kid(&self) -> Option<&str> {
        self.kid.get()
    }

    fn sign(
        &mut self,
        signing_input: &[u8],
        signature: &mut [u8],
    ) -> Result<usize, ProviderFailure> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self
            .key
            .try_sign(signing_input)
            .map_err(|_| ProviderFailure)?;
        let bytes = sig.to_bytes();
        let dst = signature.get_mut(..64).ok_or(ProviderFailure)?;
        dst.copy_from_slice(&bytes);
        Ok(64)
    }
}

/// An Ed25519 signing key (`alg` `EdDSA`, or the fully specified `Ed25519`). The secret is
/// wiped when the key is dropped; `Debug` never prints it.
#[derive(Clone, Debug)]
pub struct Ed25519Key {
    key: ed25519_dalek::SigningKey,
    public: KeyMaterial,
    alg: Alg,
    kid: Kid,
}

impl Ed25519Key {
    /// A key from its 32-byte seed (RFC 8032 private key), signing as `EdDSA`.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = KeyMaterial::Ed25519(key.verifying_key().to_bytes());
        Self {
            key,
            public,
            alg: Alg::EdDsa,
            kid: Kid::NONE,
        }
    }

    /// The same key, signing with `alg` `Ed25519` (RFC 9864) instead of `EdDSA`.
    pub fn fully_specified(mut self) -> Self {
        self.alg = Alg::Ed25519;
        self
    }

    /// The same key, named `kid` in the headers that name keys.
    ///
    /// # Errors
    /// [`JwkError::KidTooLong`] beyond [`MAX_KID_LEN`] bytes.
    pub fn with_kid(mut self, kid: &str) -> Result<Self, Error> {
        self.kid = Kid::new(kid)?;
        Ok(self)
    }
}

impl JwsSigner for Ed25519Key {
    fn alg(&self) -> Alg {
        self.alg
    }

    fn public_key(&self) -> &KeyMaterial {
        &self.public
    }

    fn kid(&self) -> Option<&str> {
        self.kid.get()
    }

    fn sign(
        &mut self,
        signing_input: &[u8],
        signature: &mut [u8],
    ) -> Result<usize, ProviderFailure> {
        use ed25519_dalek::Signer as _;
        let sig = self
            .key
            .try_sign(signing_input)
            .map_err(|_| ProviderFailure)?;
        let dst = signature.get_mut(..64).ok_or(ProviderFailure)?;
        dst.copy_from_slice(&sig.to_bytes());
        Ok(64)
    }
}

/// Writes the public members of `key` in RFC 7638 order (`crv`, `kty`, `x`, `y` / `e`,
/// `kty`, `n`).
pub(crate) fn write_public_jwk(o: &mut JsonObject<'_>, key: &KeyMaterial) {
    match key {
        KeyMaterial::P256(xy) => {
            let (x, y) = xy.split_at(32);
            o.str("crv", "P-256");
            o.str("kty", "EC");
            o.b64("x", x);
            o.b64("y", y);
        }
        KeyMaterial::Ed25519(x) => {
            o.str("crv", "Ed25519");
            o.str("kty", "OKP");
            o.b64("x", x);
        }
        KeyMaterial::Rsa(k) => {
            let e = k.exponent().to_be_bytes();
            let first = e.iter().position(|&b| b != 0).unwrap_or(3);
            o.b64("e", e.get(first..).unwrap_or(&[]));
            o.str("kty", "RSA");
            o.b64("n", k.modulus());
        }
    }
}

/// A key's RFC 7638 SHA-256 thumbprint as base64url text (43 characters): the `dpop_jkt`
/// value and `cnf.jkt` of tokens bound to the key.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Jkt([u8; 43]);

impl Jkt {
    /// The thumbprint of `key`.
    pub fn of(key: &KeyMaterial) -> Self {
        let tp = crate::jwk::thumbprint(key);
        let mut t = [0u8; 43];
        // 32 bytes always encode to 43 characters.
        let _ = crate::b64::encode(&tp, &mut t);
        Self(t)
    }

    /// The base64url text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

/// What a JWS header holds besides `alg`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct JwsHeader<'h> {
    /// The `typ` media type (without `application/`), e.g. `oauth-authz-req+jwt`.
    pub typ: &'h str,
    /// Whether to write the signer's `kid`, if it has one.
    pub kid: bool,
    /// Whether to embed the public key as `jwk` (DPoP proofs).
    pub jwk: bool,
}

/// Writes a compact JWS at the end of `o`: the header, the payload written by `payload`, and
/// the signature (computed only in the writing pass).
pub(crate) fn write_jws(
    o: &mut Out<'_>,
    header: &JwsHeader<'_>,
    signer: &mut dyn JwsSigner,
    payload: impl FnOnce(&mut dyn Sink),
) -> Result<(), Error> {
    let start = o.len();
    {
        let mut b = out::B64::new(o);
        let mut h = JsonObject::open(&mut b);
        h.str("alg", signer.alg().name());
        h.str("typ", header.typ);
        if header.kid {
            h.opt_str("kid", signer.kid());
        }
        if header.jwk {
            h.object("jwk", |j| write_public_jwk(j, signer.public_key()));
        }
        h.close();
        b.finish();
    }
    o.put(b".");
    {
        let mut b = out::B64::new(o);
        payload(&mut b);
        b.finish();
    }
    let sig_len = signature_len(signer.alg(), signer.public_key());
    o.put(b".");
    if o.measuring() {
        o.advance(crate::b64::encoded_len(sig_len));
        return Ok(());
    }
    let mut sig = [0u8; MAX_SIGNATURE_LEN];
    let input = o
        .written_from(start)
        .ok_or(Error::BufferTooSmall { needed: o.len() })?;
    // The signing input is `header.payload`, without the final dot.
    let input = input.get(..input.len().saturating_sub(1)).unwrap_or(&[]);
    let n = signer
        .sign(input, &mut sig)
        .map_err(|ProviderFailure| crate::error::CapacityError::CryptoProviderFailure)?;
    if n != sig_len {
        return Err(SignError::SignatureLength.into());
    }
    let mut b = out::B64::new(o);
    b.put(sig.get(..n).unwrap_or(&[]));
    b.finish();
    Ok(())
}

/// Writes a compact JWS over `payload` (the exact payload bytes, e.g. JSON the caller made)
/// signed by `signer` with `alg` from `allowed`, and returns its length.
///
/// # Errors
/// [`SignError`]s of [`check_signer`],
/// [`crate::error::CapacityError::CryptoProviderFailure`] if the signer fails,
/// [`SignError::SignatureLength`], [`Error::BufferTooSmall`] with the length needed.
pub fn compact(
    header: &JwsHeader<'_>,
    payload: &[u8],
    signer: &mut dyn JwsSigner,
    allowed: AlgSet,
    out: &mut [u8],
) -> Result<usize, Error> {
    check_signer(signer, allowed)?;
    out::write_with(out, |o| write_jws(o, header, signer, |s| s.put(payload)))
}
