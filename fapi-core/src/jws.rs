//! JWS compact serialization (RFC 7515 §7.1): splitting, the protected header, algorithm
//! policy, and signature verification.
//!
//! The algorithm comes from the header but is only accepted if it is in the caller's required
//! allowlist and fits the selected key; `none` and HMAC are never accepted. `crit` and `b64`
//! are refused (fapi understands no extension). `jwk`, `jku`, `x5u` and `x5c` are never used to
//! select or fetch a key: an attacker key there simply fails the signature check.

use crate::b64::{self, B64Error};
use crate::error::{Error, JwsError};
use crate::json::{self, JStr, JsonLimits, Kind, Object};
use crate::jwk::{Jwk, KeyMaterial};
use crate::keytables::TableHooks;
use crate::sha::Sha256;

/// A JWS signature algorithm fapi knows.
// Discriminants start at 1 so that `Option<Alg>::None` is the zero byte: an empty key slot, and
// so a fresh `request::Context`, is then all zero bytes, and a `static` of one lands in `.bss`
// (no flash image). They mean nothing else (`AlgSet` bits are `bit()`).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256, signature `r ‖ s` (RFC 7518 §3.4).
    Es256 = 1,
    /// EdDSA (RFC 8037) — with fapi, always Ed25519.
    EdDsa = 2,
    /// Ed25519, the fully specified name (RFC 9864).
    Ed25519 = 3,
    /// RSASSA-PSS with SHA-256 (RFC 7518 §3.5). Reserved: verification lands with RSA support.
    Ps256 = 4,
    /// RSASSA-PKCS1-v1_5 with SHA-256. Reserved: never in the FAPI 2.0 profile.
    Rs256 = 5,
}

impl Alg {
    /// Every algorithm, in a fixed order.
    pub const ALL: [Alg; 5] = [Alg::Es256, Alg::EdDsa, Alg::Ed25519, Alg::Ps256, Alg::Rs256];

    /// The JOSE name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Ed25519 => "Ed25519",
            Self::Ps256 => "PS256",
            Self::Rs256 => "RS256",
        }
    }

    /// Parses an exact (case-sensitive) JOSE name.
    pub fn from_name(s: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name().as_bytes() == s)
    }

    /// Parses a JSON string holding an exact JOSE name (compared after unescaping).
    pub fn from_jstr(s: &JStr<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|a| s.eq_str(a.name()))
    }

    /// Whether the algorithm is EdDSA over Ed25519 under either name.
    pub const fn is_eddsa(self) -> bool {
        matches!(self, Self::EdDsa | Self::Ed25519)
    }

    const fn bit(self) -> u8 {
        match self {
            Self::Es256 => 1,
            Self::EdDsa => 2,
            Self::Ed25519 => 4,
            Self::Ps256 => 8,
            Self::Rs256 => 16,
        }
    }
}

/// A set of algorithms: the required allowlist for tokens or proofs.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AlgSet(u8);

impl AlgSet {
    /// The empty set (never a valid allowlist).
    pub const EMPTY: Self = Self(0);

    /// A set of the given algorithms.
    pub const fn of(algs: &[Alg]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < algs.len() {
            // A const fn cannot use iterators; `i < algs.len()` bounds the index.
            #[allow(clippy::indexing_slicing)]
            let a = algs[i];
            bits |= a.bit();
            i += 1;
        }
        Self(bits)
    }

    /// The set's bits (ES256 = 1, EdDSA = 2, Ed25519 = 4, PS256 = 8, RS256 = 16), as the C ABI
    /// writes them.
    pub const fn bits(self) -> u32 {
        self.0 as u32
    }

    /// A set from bits; `None` if an unknown bit is set.
    pub const fn from_bits(bits: u32) -> Option<Self> {
        if bits & !0x1F != 0 {
            None
        } else {
            Some(Self(bits as u8))
        }
    }

    /// Whether `alg` is in the set.
    pub const fn contains(self, alg: Alg) -> bool {
        self.0 & alg.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The algorithms of the set, in [`Alg::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Alg> {
        Alg::ALL.into_iter().filter(move |a| self.contains(*a))
    }
}

/// The three segments of a compact JWS, as received.
#[derive(Copy, Clone, Debug)]
pub struct Compact<'a> {
    /// `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers.
    pub signing_input: &'a [u8],
    /// The header segment.
    pub header_b64: &'a [u8],
    /// The payload segment.
    pub payload_b64: &'a [u8],
    /// The signature segment.
    pub signature_b64: &'a [u8],
}

/// Splits a compact JWS into exactly three segments.
///
/// # Errors
/// [`JwsError::TokenTooLarge`] beyond `max_len`, [`JwsError::Segments`] unless there are
/// exactly two dots.
pub fn split(token: &[u8], max_len: usize) -> Result<Compact<'_>, Error> {
    if token.len() > max_len {
        return Err(JwsError::TokenTooLarge.into());
    }
    let mut dots = token
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c == b'.')
        .map(|(i, _)| i);
    let (Some(d1), Some(d2), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(JwsError::Segments.into());
    };
    let seg = |a: usize, b: usize| token.get(a..b).ok_or(Error::Jws(JwsError::Segments));
    Ok(Compact {
        signing_input: seg(0, d2)?,
        header_b64: seg(0, d1)?,
        payload_b64: seg(d1 + 1, d2)?,
        signature_b64: seg(d2 + 1, token.len())?,
    })
}

/// What a verifier requires of a header's `typ` (RFC 7515 §4.1.9 comparison).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TypRule {
    /// The expected media type without `application/`, e.g. `at+jwt`.
    pub expected: &'static str,
    /// Also accept plain `JWT` (a weakening for tokens from older issuers; RFC 9068 §4 says no).
    pub allow_plain_jwt: bool,
}

/// Compares a `typ` value with a media type: ASCII case-insensitive, with an optional
/// `application/` prefix on the value (RFC 7515 §4.1.9).
pub fn typ_matches(typ: &JStr<'_>, expected: &str) -> bool {
    let mut buf = [0u8; 64];
    let Ok(t) = typ.unescape_into(&mut buf) else {
        return false;
    };
    let t = t.as_bytes();
    let prefix = b"application/";
    let t = match t.get(..prefix.len()) {
        Some(p) if p.eq_ignore_ascii_case(prefix) => t.get(prefix.len()..).unwrap_or(&[]),
        _ => t,
    };
    t.eq_ignore_ascii_case(expected.as_bytes())
}

/// A parsed, policy-checked protected header.
#[derive(Copy, Clone, Debug)]
pub struct Header<'a> {
    alg: Alg,
    kid: Option<JStr<'a>>,
    object: Object<'a>,
}

impl<'a> Header<'a> {
    /// The accepted algorithm.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The `kid`, if present.
    pub fn kid(&self) -> Option<JStr<'a>> {
        self.kid
    }

    /// The whole header object (e.g. for a DPoP proof's `jwk`).
    pub fn object(&self) -> Object<'a> {
        self.object
    }
}

/// Decodes the header segment into `buf` and checks it: JSON object, `alg` present, known,
/// asymmetric and allowed, no `crit`, no `b64`, the registered members `typ`, `jku`, `x5u`,
/// `x5t`, `x5t#S256`, `cty` strings and `x5c` an array of strings when present, `typ` per
/// `typ_rule`.
///
/// # Errors
/// [`JwsError`]s and JSON errors as listed above.
pub fn parse_header<'b>(
    header_b64: &[u8],
    buf: &'b mut [u8],
    limits: &JsonLimits,
    allowed: AlgSet,
    typ_rule: Option<TypRule>,
) -> Result<Header<'b>, Error> {
    let bytes = b64::decode(header_b64, buf).map_err(|e| match e {
        B64Error::Encoding => JwsError::HeaderEncoding,
        B64Error::Length => JwsError::HeaderTooLarge,
    })?;
    let object = json::parse_object(bytes, limits)?;
    let [
        alg_value,
        crit,
        b64_member,
        kid,
        typ,
        jku,
        x5u,
        x5c,
        x5t,
        x5t_s256,
        cty,
    ] = object.get_many([
        "alg", "crit", "b64", "kid", "typ", "jku", "x5u", "x5c", "x5t", "x5t#S256", "cty",
    ]);
    let alg_str = alg_value
        .ok_or(JwsError::AlgMissing)?
        .as_str()
        .ok_or(JwsError::HeaderMemberType)?;
    let alg = match Alg::from_jstr(&alg_str) {
        Some(a) => a,
        None => return Err(classify_unknown_alg(&alg_str).into()),
    };
    if !allowed.contains(alg) {
        return Err(JwsError::AlgNotAllowed.into());
    }
    if crit.is_some() {
        return Err(JwsError::CritPresent.into());
    }
    if b64_member.is_some() {
        return Err(JwsError::B64Present.into());
    }
    // Registered members fapi never uses must still have their RFC 7515 §4.1 types: a header
    // with `cty: 5` or `x5c: "..."` is malformed whatever reads it next (`jwk` is checked by
    // `verify_or_hit` for tokens and by `crate::dpop` for proofs).
    let strings_ok = [typ, jku, x5u, x5t, x5t_s256, cty]
        .into_iter()
        .flatten()
        .all(|v| v.kind() == Kind::String);
    let x5c_ok = x5c.is_none_or(|v| {
        v.as_array()
            .is_some_and(|mut certs| certs.all(|c| c.kind() == Kind::String))
    });
    if !strings_ok || !x5c_ok {
        return Err(JwsError::HeaderMemberType.into());
    }
    let kid = match kid {
        None => None,
        Some(v) => Some(v.as_str().ok_or(JwsError::HeaderMemberType)?),
    };
    if let Some(rule) = typ_rule {
        let typ = typ
            .ok_or(JwsError::TypMissing)?
            .as_str()
            .ok_or(JwsError::HeaderMemberType)?;
        let ok =
            typ_matches(&typ, rule.expected) || (rule.allow_plain_jwt && typ_matches(&typ, "JWT"));
        if !ok {
            return Err(JwsError::TypMismatch.into());
        }
    }
    Ok(Header { alg, kid, object })
}

fn classify_unknown_alg(s: &JStr<'_>) -> JwsError {
    let mut buf = [0u8; 16];
    let Ok(t) = s.unescape_into(&mut buf) else {
        return JwsError::AlgUnknown;
    };
    let t = t.as_bytes();
    if t.eq_ignore_ascii_case(b"none") {
        JwsError::AlgNone
    } else if t.len() >= 2 && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"HS")) {
        JwsError::AlgSymmetric
    } else {
        JwsError::AlgUnknown
    }
}

/// Parses a P-256 public key from `x ‖ y` (checks the point is on the curve).
pub(crate) fn p256_key(xy: &[u8; 64]) -> Result<p256::ecdsa::VerifyingKey, ()> {
    let mut sec1 = [0u8; 65];
    let (tag, rest) = sec1.split_at_mut(1);
    if let Some(t) = tag.first_mut() {
        *t = 0x04;
    }
    rest.copy_from_slice(xy);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| ())
}

/// Parses an Ed25519 public key, refusing non-decodable and small-order keys.
pub(crate) fn ed25519_key(x: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey, ()> {
    let k = ed25519_dalek::VerifyingKey::from_bytes(x).map_err(|_| ())?;
    if k.is_weak() {
        return Err(());
    }
    Ok(k)
}

/// Largest signature fapi decodes (RSA-4096).
pub const MAX_SIGNATURE_LEN: usize = 512;

/// The exact signature length `alg` has with `key`: 64 for ES256 and Ed25519, the modulus
/// length for RSA.
pub fn signature_len(alg: Alg, key: &Jwk) -> usize {
    match (alg, key.material()) {
        (Alg::Ps256 | Alg::Rs256, KeyMaterial::Rsa(k)) => k.len(),
        _ => 64,
    }
}

/// Decodes the signature segment, which must have the exact length `alg` uses with `key`.
///
/// # Errors
/// [`JwsError::SignatureEncoding`] or [`JwsError::SignatureLength`].
pub fn decode_signature<'b>(
    sig_b64: &[u8],
    alg: Alg,
    key: &Jwk,
    buf: &'b mut [u8],
) -> Result<&'b [u8], Error> {
    let want = signature_len(alg, key);
    let n = b64::decoded_len(sig_b64.len()).ok_or(JwsError::SignatureEncoding)?;
    if n != want {
        // A wrong length is a length defect unless the text is not base64url at all.
        return Err(if b64::is_url_alphabet(sig_b64) {
            JwsError::SignatureLength
        } else {
            JwsError::SignatureEncoding
        }
        .into());
    }
    b64::decode(sig_b64, buf).map_err(|e| {
        Error::Jws(match e {
            B64Error::Encoding => JwsError::SignatureEncoding,
            B64Error::Length => JwsError::SignatureLength,
        })
    })
}

/// Why a key is being used: issuer keys come back on every request (a provider may keep them
/// imported); a proof key is used once per call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// A key of the issuer's key set (access tokens).
    Issuer,
    /// A DPoP proof's `jwk`.
    Proof,
}

/// A signature provider failed (e.g. an HSM is unreachable): fail closed, 503.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ProviderFailure;

/// Where signature equations are checked: fapi's own code ([`BuiltIn`]) or a host provider
/// (HSM, PKA engine, OpenSSL). fapi validates the key and the signature's encoding (length,
/// ECDSA scalars in [1, n−1], Ed25519 S < L and R not of small order) **before** calling a
/// provider, so a provider can never widen what is accepted.
pub trait SignatureVerifier {
    /// Whether `signature` is valid for `signing_input` under `key` and `alg`.
    ///
    /// # Errors
    /// [`ProviderFailure`] when the provider could not answer (fails closed).
    fn verify(
        &mut self,
        key: &Jwk,
        role: KeyRole,
        alg: Alg,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, ProviderFailure>;

    /// Whether this is fapi's built-in code (lets the core reuse its decoded keys).
    fn is_builtin(&self) -> bool {
        false
    }
}

/// fapi's own signature code (p256, ed25519-dalek `verify_strict`, [`crate::rsa`]): the
/// default, and the only path claimed allocation-free. Its RSA working memory is the caller's
/// (a field of the decode scratch or context), not the stack.
#[derive(Debug)]
pub struct BuiltIn<'s> {
    rsa: &'s mut crate::rsa::RsaScratch,
    tables: crate::keytables::Tables<'s>,
}

impl<'s> BuiltIn<'s> {
    /// The built-in code, with `rsa` as RSA working memory.
    pub fn new(rsa: &'s mut crate::rsa::RsaScratch) -> Self {
        Self {
            rsa,
            tables: TableHooks::NONE,
        }
    }

    /// As [`BuiltIn::new`], ES256 checked with the verifier's tables when it has them.
    pub(crate) fn with_tables(
        rsa: &'s mut crate::rsa::RsaScratch,
        tables: crate::keytables::Tables<'s>,
    ) -> Self {
        Self { rsa, tables }
    }
}

impl SignatureVerifier for BuiltIn<'_> {
    fn verify(
        &mut self,
        key: &Jwk,
        _role: KeyRole,
        alg: Alg,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, ProviderFailure> {
        if alg == Alg::Es256
            && let Some(ok) =
                self.tables
                    .verify_jws(key, key.thumbprint(), signing_input, signature)
        {
            return Ok(ok);
        }
        Ok(verify_material(
            key.material(),
            alg,
            signing_input,
            signature,
            self.rsa,
        ))
    }

    fn is_builtin(&self) -> bool {
        true
    }
}

/// The group order L of Ed25519, little-endian.
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The encoding checks a provider's answer is never trusted with (see [`SignatureVerifier`]).
/// Never inlined: its key decoding would otherwise sit in [`verify_with`]'s frame, under every
/// built-in verification too.
#[inline(never)]
fn signature_prechecks(alg: Alg, key: &Jwk, signature: &[u8]) -> bool {
    if let (Alg::Ps256 | Alg::Rs256, KeyMaterial::Rsa(k)) = (alg, key.material()) {
        // Exactly the modulus length, and below the modulus (same length: compare bytes).
        return signature.len() == k.len() && signature < k.modulus();
    }
    match alg {
        Alg::Es256 => p256::ecdsa::Signature::from_slice(signature).is_ok(),
        Alg::EdDsa | Alg::Ed25519 => {
            let (Some(r), Some(s)) = (signature.get(..32), signature.get(32..64)) else {
                return false;
            };
            if signature.len() != 64 {
                return false;
            }
            // S < L, compared as little-endian integers (most significant byte last).
            let s_lt_l = s
                .iter()
                .rev()
                .zip(ED25519_L.iter().rev())
                .find(|(a, b)| a != b)
                .is_some_and(|(a, b)| a < b);
            let mut rb = [0u8; 32];
            rb.copy_from_slice(r);
            let r_ok = ed25519_dalek::VerifyingKey::from_bytes(&rb).is_ok_and(|p| !p.is_weak());
            s_lt_l && r_ok
        }
        Alg::Ps256 | Alg::Rs256 => false,
    }
}

/// Verifies through `provider` after fapi's own checks of the key fit and the signature
/// encoding.
///
/// # Errors
/// [`crate::error::JwkError::AlgKeyMismatch`], [`JwsError::BadSignature`], or
/// [`crate::error::CapacityError::CryptoProviderFailure`].
pub fn verify_with(
    provider: &mut dyn SignatureVerifier,
    key: &Jwk,
    role: KeyRole,
    alg: Alg,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    if !key.fits(alg) {
        return Err(crate::error::JwkError::AlgKeyMismatch.into());
    }
    // fapi's own code checks encodings itself; a host provider is never trusted with them.
    if !provider.is_builtin() && !signature_prechecks(alg, key, signature) {
        return Err(JwsError::BadSignature.into());
    }
    match provider.verify(key, role, alg, signing_input, signature) {
        Ok(true) => Ok(()),
        Ok(false) => Err(JwsError::BadSignature.into()),
        Err(ProviderFailure) => Err(crate::error::CapacityError::CryptoProviderFailure.into()),
    }
}

/// SHA-256 of `m` (the digest ES256/PS256/RS256 providers are given).
pub fn sha256(m: &[u8]) -> [u8; 32] {
    Sha256::digest(m).into()
}

/// A public key decoded and checked once, ready to verify signatures.
// Short-lived values on the stack or in a fixed cache (no allocation to box into). Tags start
// at 1 so that `Option<PreparedKey>::None` is zero bytes (see `Alg`).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum PreparedKey {
    /// A P-256 point on the curve.
    P256(p256::ecdsa::VerifyingKey) = 1,
    /// An Ed25519 point that decodes and is not of small order.
    Ed25519(ed25519_dalek::VerifyingKey) = 2,
    /// An RSA key (checked when parsed).
    Rsa(crate::rsa::PublicKey) = 3,
}

impl PreparedKey {
    /// Decodes the key's point.
    ///
    /// # Errors
    /// [`crate::error::JwkError::EcPointInvalid`] or [`crate::error::JwkError::OkpKeyInvalid`].
    pub fn new(key: &Jwk) -> Result<Self, Error> {
        use crate::error::JwkError;
        match key.material() {
            KeyMaterial::P256(xy) => p256_key(xy)
                .map(Self::P256)
                .map_err(|()| JwkError::EcPointInvalid.into()),
            KeyMaterial::Ed25519(x) => ed25519_key(x)
                .map(Self::Ed25519)
                .map_err(|()| JwkError::OkpKeyInvalid.into()),
            KeyMaterial::Rsa(k) => Ok(Self::Rsa(*k)),
        }
    }
}

/// Verifies `signature` over `signing_input` with `key` under `alg`.
///
/// Any failure — key/alg mismatch aside — is the one opaque [`JwsError::BadSignature`]:
/// ECDSA scalars out of `[1, n−1]` (CVE-2022-21449) included. ES256 accepts high-S (JWS does);
/// Ed25519 uses `verify_strict`.
///
/// # Errors
/// [`JwsError::BadSignature`], or [`crate::error::JwkError::AlgKeyMismatch`] if the key does not
/// fit `alg`.
pub fn verify_signature(
    key: &Jwk,
    alg: Alg,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    if !key.fits(alg) {
        return Err(crate::error::JwkError::AlgKeyMismatch.into());
    }
    // A convenience for one-off checks: its RSA working memory (2.5 KiB) is on the stack. The
    // verification pipeline uses `BuiltIn` with the caller's scratch instead.
    let mut rsa = crate::rsa::RsaScratch::new();
    if verify_material(key.material(), alg, signing_input, signature, &mut rsa) {
        Ok(())
    } else {
        Err(Error::Jws(JwsError::BadSignature))
    }
}

/// Verifies with a key decoded by [`PreparedKey::new`] (the caller checked `alg` fits it).
///
/// # Errors
/// [`JwsError::BadSignature`] for any failure.
pub fn verify_prepared(
    key: &PreparedKey,
    alg: Alg,
    signing_input: &[u8],
    signature: &[u8],
    rsa: &mut crate::rsa::RsaScratch,
) -> Result<(), Error> {
    let ok = match (alg, key) {
        (Alg::Es256, PreparedKey::P256(vk)) => verify_es256(vk, signing_input, signature),
        (Alg::EdDsa | Alg::Ed25519, PreparedKey::Ed25519(vk)) => {
            verify_ed25519(vk, signing_input, signature)
        }
        (Alg::Rs256 | Alg::Ps256, PreparedKey::Rsa(k)) => {
            verify_rsa(k, alg == Alg::Ps256, signing_input, signature, rsa)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Jws(JwsError::BadSignature))
    }
}

/// Verifies with a key's own material, each algorithm's key decoded in that algorithm's frame:
/// what [`PreparedKey::new`] then [`verify_prepared`] do, without a `PreparedKey` (an RSA key
/// copied into it is 520 bytes) on the stack under the verification.
fn verify_material(
    m: &KeyMaterial,
    alg: Alg,
    signing_input: &[u8],
    signature: &[u8],
    rsa: &mut crate::rsa::RsaScratch,
) -> bool {
    match (alg, m) {
        (Alg::Es256, KeyMaterial::P256(xy)) => verify_es256_xy(xy, signing_input, signature),
        (Alg::EdDsa | Alg::Ed25519, KeyMaterial::Ed25519(x)) => {
            verify_ed25519_x(x, signing_input, signature)
        }
        (Alg::Rs256 | Alg::Ps256, KeyMaterial::Rsa(k)) => {
            verify_rsa(k, alg == Alg::Ps256, signing_input, signature, rsa)
        }
        _ => false,
    }
}

#[inline(never)]
fn verify_es256_xy(xy: &[u8; 64], signing_input: &[u8], signature: &[u8]) -> bool {
    p256_key(xy).is_ok_and(|vk| verify_es256(&vk, signing_input, signature))
}

#[inline(never)]
fn verify_ed25519_x(x: &[u8; 32], signing_input: &[u8], signature: &[u8]) -> bool {
    ed25519_key(x).is_ok_and(|vk| verify_ed25519(&vk, signing_input, signature))
}

// One function per algorithm, never inlined: inlined into one frame, the three
// verifications' temporaries took separate stack slots (6 KB on thumbv7em), so every
// decision paid for all three. Apart, a decision's peak stack is that of its own algorithm.

#[inline(never)]
fn verify_es256(vk: &p256::ecdsa::VerifyingKey, signing_input: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
        return false;
    };
    let digest: [u8; 32] = Sha256::digest(signing_input).into();
    vk.verify_prehash(&digest, &sig).is_ok()
}

#[inline(never)]
fn verify_ed25519(
    vk: &ed25519_dalek::VerifyingKey,
    signing_input: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    let sig = ed25519_dalek::Signature::from_bytes(&bytes);
    vk.verify_strict(signing_input, &sig).is_ok()
}

#[inline(never)]
fn verify_rsa(
    k: &crate::rsa::PublicKey,
    pss: bool,
    signing_input: &[u8],
    signature: &[u8],
    rsa: &mut crate::rsa::RsaScratch,
) -> bool {
    let digest: [u8; 32] = Sha256::digest(signing_input).into();
    if pss {
        crate::rsa::verify_pss_sha256(k, &digest, signature, rsa)
    } else {
        crate::rsa::verify_pkcs1v15_sha256(k, &digest, signature, rsa)
    }
}

/// A JWS whose header passed policy and whose signature verified with a key of the set.
/// Only [`verify`] constructs it.
#[derive(Copy, Clone, Debug)]
pub struct VerifiedJws<'a, 'h> {
    header: Header<'h>,
    payload_b64: &'a [u8],
    thumbprint: [u8; 32],
    cache_hit: bool,
}

impl<'a, 'h> VerifiedJws<'a, 'h> {
    /// The verified header.
    pub fn header(&self) -> &Header<'h> {
        &self.header
    }

    /// The payload segment (still base64url), covered by the signature.
    pub fn payload_b64(&self) -> &'a [u8] {
        self.payload_b64
    }

    /// RFC 7638 thumbprint of the key that verified the signature.
    pub fn key_thumbprint(&self) -> &[u8; 32] {
        &self.thumbprint
    }

    /// Whether the signature check was skipped because the token cache vouched for it.
    pub fn cache_hit(&self) -> bool {
        self.cache_hit
    }
}

/// What [`verify`] needs: buffers and policy.
pub struct VerifyParams<'p> {
    /// Maximum token length.
    pub max_token_len: usize,
    /// Limits for the header JSON.
    pub header_limits: &'p JsonLimits,
    /// The required allowlist.
    pub allowed: AlgSet,
    /// The `typ` requirement, if any.
    pub typ: Option<TypRule>,
}

/// Splits, checks the header, selects the key from `keys`, and verifies the signature (a
/// convenience: RSA working memory on the stack; the access-token pipeline passes the
/// caller's through [`verify_or_hit`]).
///
/// The payload is checked to be canonical base64url before the (costly) signature check, but
/// parsed only after it.
///
/// # Errors
/// Any JWS, JSON or key-selection error.
pub fn verify<'a, 'h>(
    token: &'a [u8],
    keys: &[Jwk],
    params: &VerifyParams<'_>,
    header_buf: &'h mut [u8],
    sig_buf: &mut [u8],
    payload_max: usize,
) -> Result<VerifiedJws<'a, 'h>, Error> {
    let mut rsa = crate::rsa::RsaScratch::new();
    let mut builtin = BuiltIn::new(&mut rsa);
    let check = SignatureCheck {
        hit: None,
        provider: &mut builtin,
    };
    verify_or_hit(token, keys, params, header_buf, sig_buf, payload_max, check)
}

/// How [`verify_or_hit`] settles the signature: a cache hit for the selected key, or the
/// provider.
pub struct SignatureCheck<'p> {
    /// A token-cache hit (used only if it names the key the header selects).
    pub hit: Option<&'p crate::cache::CacheHit>,
    /// Who checks the equation otherwise.
    pub provider: &'p mut dyn SignatureVerifier,
}

/// As [`verify`], but a cache hit whose key is the one the header selects stands in for the
/// signature check (every other step runs).
///
/// # Errors
/// As [`verify`].
pub fn verify_or_hit<'a, 'h>(
    token: &'a [u8],
    keys: &[Jwk],
    params: &VerifyParams<'_>,
    header_buf: &'h mut [u8],
    sig_buf: &mut [u8],
    payload_max: usize,
    check: SignatureCheck<'_>,
) -> Result<VerifiedJws<'a, 'h>, Error> {
    let SignatureCheck { hit, provider } = check;
    let c = split(token, params.max_token_len)?;
    let header = parse_header(
        c.header_b64,
        header_buf,
        params.header_limits,
        params.allowed,
        params.typ,
    )?;
    // A token's `jwk` is never used, but must be what RFC 7515 §4.1.3 says: an object.
    if header
        .object()
        .get("jwk")
        .is_some_and(|v| v.kind() != Kind::Object)
    {
        return Err(JwsError::HeaderMemberType.into());
    }
    let key = crate::jwk::select(keys, header.kid().as_ref(), header.alg())?;
    let signature = decode_signature(c.signature_b64, header.alg(), key, sig_buf)?;
    let n = b64::decoded_len(c.payload_b64.len()).ok_or(JwsError::PayloadEncoding)?;
    if n > payload_max {
        return Err(JwsError::PayloadTooLarge.into());
    }
    if !b64::is_canonical(c.payload_b64) {
        return Err(JwsError::PayloadEncoding.into());
    }
    let cache_hit = hit.is_some_and(|h| h.thumbprint() == key.thumbprint());
    if !cache_hit {
        verify_with(
            provider,
            key,
            KeyRole::Issuer,
            header.alg(),
            c.signing_input,
            signature,
        )?;
    }
    Ok(VerifiedJws {
        header,
        payload_b64: c.payload_b64,
        thumbprint: *key.thumbprint(),
        cache_hit,
    })
}
