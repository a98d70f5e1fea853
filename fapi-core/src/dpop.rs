//! DPoP proofs (RFC 9449 §4.3): every check of a proof JWT except single use, which the
//! decision records last (see [`crate::replay`]).
//!
//! Order of checks (each failure has its own code): compact form; header (`typ` `dpop+jwt`,
//! `alg` in the proof allowlist, no `crit`/`b64`); `jwk` present, public, usable, fitting
//! `alg`; signature by that `jwk`; claims JSON; `htm`; `htu`; `iat` window; `jti`; `ath`;
//! `nonce`. JSON/JWS/JWK defects are reported in the proof band ([`ProofDefect`]).

use crate::b64;
use crate::error::{DpopError, Error, JwsError, ProofDefect};
use crate::json::{self, JStr, JsonLimits, Object};
use crate::jwk;
use crate::jws::{self, AlgSet, MAX_SIGNATURE_LEN, TypRule};
use crate::keytables::{TableHooks, Tables};
use crate::nonce::NonceKeys;
use crate::replay::PairDigest;
use crate::time::{numeric_date, numeric_date_ceil};
use subtle::ConstantTimeEq;

/// Longest `jti` accepted, in bytes after unescaping (RFC 9449 does not bound it; we do).
pub const MAX_JTI_LEN: usize = 256;
/// Longest proof accepted, in bytes.
pub const MAX_PROOF_LEN: usize = 4096;
/// Decoded proof header and claims limits.
pub const PROOF_JSON_LIMITS: JsonLimits = JsonLimits {
    max_depth: 4,
    max_members: 64,
    max_len: 1536,
};

/// Proof settings (part of the request policy).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ProofPolicy {
    /// Algorithms accepted for proofs (asymmetric only, by construction).
    pub algs: AlgSet,
    /// Maximum proof age in seconds (`now ≤ iat + max_age`).
    pub max_age: u32,
    /// Clock leeway in seconds (`iat − leeway ≤ now`).
    pub leeway: u32,
    /// Whether every proof must carry a current server nonce.
    pub nonce_required: bool,
    /// Nonce slot length in seconds.
    pub nonce_slot: u32,
}

/// The one function that defines a proof's time window and its replay entry's expiry.
///
/// A proof passes while `iat − leeway ≤ now ≤ iat + max_age`; its (key, `jti`) pair must stay
/// recorded until `iat + max_age + leeway`, so that an instance whose clock runs up to `leeway`
/// ahead never reclaims it while another could still accept the proof.
///
/// # Errors
/// [`DpopError::IatInFuture`], [`DpopError::IatTooOld`].
pub fn window(iat: u64, now: u64, max_age: u32, leeway: u32) -> Result<u64, DpopError> {
    if now.saturating_add(u64::from(leeway)) < iat {
        return Err(DpopError::IatInFuture);
    }
    if now > iat.saturating_add(u64::from(max_age)) {
        return Err(DpopError::IatTooOld);
    }
    Ok(iat
        .saturating_add(u64::from(max_age))
        .saturating_add(u64::from(leeway)))
}

/// Proof keys a context remembers: DPoP clients return with the same key on every request,
/// so its point decoding and thumbprint are reused when the key bytes are identical.
const KEY_CACHE: usize = 4;

/// One entry of the proof-key cache; empty while `prepared` is `None` (an empty entry is all
/// zero bytes, so a fresh scratch is too).
#[derive(Clone, Debug)]
struct CachedKey {
    prepared: Option<jws::PreparedKey>,
    material: jwk::KeyMaterial,
    thumbprint: [u8; 32],
}

impl CachedKey {
    const EMPTY: Self = Self {
        prepared: None,
        material: jwk::KeyMaterial::P256([0; 64]),
        thumbprint: [0; 32],
    };
}

/// Decode scratch for one proof, and the context's small cache of decoded proof keys.
#[derive(Clone, Debug)]
pub struct ProofScratch {
    keys: [CachedKey; KEY_CACHE],
    next_key: usize,
    /// The proof's `jwk` (656 bytes: here rather than on the stack).
    jwk: jwk::Jwk,
    header: [u8; 1536],
    claims: [u8; 1536],
    signature: [u8; MAX_SIGNATURE_LEN],
    htu: [u8; crate::htu::MAX_URI_LEN],
    text: [u8; crate::htu::MAX_URI_LEN],
    rsa: crate::rsa::RsaScratch,
    /// The last proof key checked with the verifier's ES256 tables.
    tabled: Tabled,
}

impl Default for ProofScratch {
    fn default() -> Self {
        Self::new()
    }
}

impl ProofScratch {
    /// The key (`x ‖ y`) of the last proof this scratch checked, if it was an ES256 proof
    /// checked with the verifier's tables.
    pub(crate) fn tabled_key(&self) -> Option<(&[u8; 32], &[u8; 64])> {
        self.tabled.get()
    }

    /// Forgets the last tabled proof key (at the start and end of each decision, so that only
    /// the proof of the request being allowed can earn a table).
    pub(crate) fn forget_tabled(&mut self) {
        self.tabled.forget();
    }

    /// Zeroed scratch.
    pub const fn new() -> Self {
        Self {
            keys: [CachedKey::EMPTY; KEY_CACHE],
            next_key: 0,
            jwk: jwk::Jwk::EMPTY,
            header: [0; 1536],
            claims: [0; 1536],
            signature: [0; MAX_SIGNATURE_LEN],
            htu: [0; crate::htu::MAX_URI_LEN],
            text: [0; crate::htu::MAX_URI_LEN],
            rsa: crate::rsa::RsaScratch::new(),
            tabled: Tabled::EMPTY,
        }
    }
}

/// A proof key (thumbprint, `x ‖ y`) checked with the verifier's ES256 tables: a candidate
/// for a hot-key table once its request is allowed. Zero-sized without the feature
/// `es256-tables`, so the scratch (and the decision's code) stay as they were.
#[cfg(feature = "es256-tables")]
#[derive(Clone, Debug)]
struct Tabled {
    jkt: [u8; 32],
    xy: [u8; 64],
    live: bool,
}

#[cfg(feature = "es256-tables")]
impl Tabled {
    const EMPTY: Self = Self {
        jkt: [0; 32],
        xy: [0; 64],
        live: false,
    };
    fn set(&mut self, jkt: &[u8; 32], xy: &[u8; 64]) {
        self.jkt = *jkt;
        self.xy = *xy;
        self.live = true;
    }
    fn get(&self) -> Option<(&[u8; 32], &[u8; 64])> {
        self.live.then_some((&self.jkt, &self.xy))
    }
    fn forget(&mut self) {
        self.live = false;
    }
}

/// See the feature-enabled definition.
#[cfg(not(feature = "es256-tables"))]
#[derive(Clone, Debug)]
struct Tabled;

#[cfg(not(feature = "es256-tables"))]
impl Tabled {
    const EMPTY: Self = Self;
    #[inline(always)]
    fn set(&mut self, _: &[u8; 32], _: &[u8; 64]) {}
    #[inline(always)]
    fn get(&self) -> Option<(&[u8; 32], &[u8; 64])> {
        None
    }
    #[inline(always)]
    fn forget(&mut self) {}
}

/// What a proof proved. Only [`verify_proof`] constructs it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    jkt: [u8; 32],
    pair: PairDigest,
    expiry: u64,
}

impl VerifiedProof {
    /// RFC 7638 thumbprint of the proof key.
    pub fn jkt(&self) -> &[u8; 32] {
        &self.jkt
    }
    /// The (key, `jti`) pair digest for the replay check.
    pub fn pair(&self) -> &PairDigest {
        &self.pair
    }
    /// Until when the pair must stay recorded (Unix seconds).
    pub fn expiry(&self) -> u64 {
        self.expiry
    }
}

/// The request facts a proof is checked against.
#[derive(Copy, Clone, Debug)]
pub struct ProofContext<'r> {
    /// The HTTP method, exactly as received.
    pub method: &'r [u8],
    /// The expected `htu`, already normalised ([`crate::htu::expected_htu`]).
    pub expected_htu: &'r [u8],
    /// SHA-256 of the access token presented with the proof, if any.
    pub token_hash: Option<&'r [u8; 32]>,
    /// Time.
    pub now: u64,
}

fn claim_str<'a>(obj: &Object<'a>, name: &str, missing: DpopError) -> Result<JStr<'a>, Error> {
    obj.get(name)
        .ok_or(missing)?
        .as_str()
        .ok_or(Error::Dpop(DpopError::ClaimType))
}

/// Verifies a DPoP proof against the request, except single use.
///
/// # Errors
/// Proof-band JSON/JWS/JWK errors and [`DpopError`]s, in the order of the module doc.
pub fn verify_proof(
    proof: &[u8],
    policy: &ProofPolicy,
    scratch: &mut ProofScratch,
    cx: &ProofContext<'_>,
    nonces: &NonceKeys,
    provider: Option<&mut dyn jws::SignatureVerifier>,
) -> Result<VerifiedProof, Error> {
    verify_inner(
        proof,
        policy,
        scratch,
        cx,
        nonces,
        provider,
        TableHooks::NONE,
    )
    .map_err(ProofDefect::wrap)
}

/// As [`verify_proof`] with `provider`, or with fapi's own code and the verifier's tables
/// (if any) for ES256.
pub(crate) fn verify_proof_in(
    proof: &[u8],
    policy: &ProofPolicy,
    scratch: &mut ProofScratch,
    cx: &ProofContext<'_>,
    nonces: &NonceKeys,
    provider: Option<&mut dyn jws::SignatureVerifier>,
    tables: Tables<'_>,
) -> Result<VerifiedProof, Error> {
    verify_inner(proof, policy, scratch, cx, nonces, provider, tables).map_err(ProofDefect::wrap)
}

// The three steps below are separate, never-inlined functions so that the signature check —
// the deepest call of a decision — runs from a shallow frame: inlined together, the key
// parsing and claims temporaries (a 656-byte `Jwk`, a cached key, the `jti` buffer) sat in one
// 3.7 KB frame under every signature verification (thumbv7em).
fn verify_inner(
    proof: &[u8],
    policy: &ProofPolicy,
    scratch: &mut ProofScratch,
    cx: &ProofContext<'_>,
    nonces: &NonceKeys,
    provider: Option<&mut dyn jws::SignatureVerifier>,
    tables: Tables<'_>,
) -> Result<VerifiedProof, Error> {
    let ProofScratch {
        keys,
        next_key,
        jwk,
        header,
        claims,
        signature,
        htu,
        text,
        rsa,
        tabled,
    } = scratch;
    let p = parse_proof(proof, policy, keys, next_key, jwk, header, signature)?;
    tabled.forget();
    match provider {
        Some(pr) if !pr.is_builtin() => {
            // The key decoded above (so it is valid); the provider checks the equation.
            jws::verify_with(
                pr,
                p.key,
                jws::KeyRole::Proof,
                p.alg,
                p.signing_input,
                p.sig,
            )?;
        }
        // ES256 with the verifier's tables, when it keeps them.
        _ if p.alg == jws::Alg::Es256
            && let Some(ok) = tables.verify_jws(p.key, &p.jkt, p.signing_input, p.sig) =>
        {
            if !ok {
                return Err(JwsError::BadSignature.into());
            }
            if let jwk::KeyMaterial::P256(xy) = p.key.material() {
                tabled.set(&p.jkt, xy);
            }
        }
        // fapi's own code, with the decoded-key cache and this scratch's RSA memory.
        _ => jws::verify_prepared(p.prepared, p.alg, p.signing_input, p.sig, rsa)?,
    }
    check_claims(p.payload_b64, p.jkt, claims, text, htu, cx, policy, nonces)
}

/// A proof whose header, key and signature encoding passed, before its signature is checked.
struct ParsedProof<'p, 's> {
    alg: jws::Alg,
    signing_input: &'p [u8],
    payload_b64: &'p [u8],
    sig: &'s [u8],
    key: &'s jwk::Jwk,
    prepared: &'s jws::PreparedKey,
    jkt: [u8; 32],
}

/// Compact form, header, `jwk` (decoded, or found in the context's key cache), signature
/// encoding and payload encoding — in the order of the module doc.
#[inline(never)]
fn parse_proof<'p, 's>(
    proof: &'p [u8],
    policy: &ProofPolicy,
    keys: &'s mut [CachedKey; KEY_CACHE],
    next_key: &mut usize,
    jwk_out: &'s mut jwk::Jwk,
    header: &mut [u8; 1536],
    signature: &'s mut [u8; MAX_SIGNATURE_LEN],
) -> Result<ParsedProof<'p, 's>, Error> {
    let c = jws::split(proof, MAX_PROOF_LEN)?;
    let h = jws::parse_header(
        c.header_b64,
        header,
        &PROOF_JSON_LIMITS,
        policy.algs,
        Some(TypRule {
            expected: "dpop+jwt",
            allow_plain_jwt: false,
        }),
    )?;
    let alg = h.alg();
    let jwk_obj = h
        .object()
        .get("jwk")
        .ok_or(DpopError::JwkMissing)?
        .as_object()
        .ok_or(DpopError::JwkMissing)?;
    *jwk_out = jwk::parse_jwk_deferred(&jwk_obj)?.ok_or(DpopError::JwkUnusable)?;
    let key: &'s jwk::Jwk = jwk_out;
    if !key.fits(alg) {
        return Err(crate::error::JwkError::AlgKeyMismatch.into());
    }
    let slot = match keys
        .iter()
        .position(|k| k.prepared.is_some() && &k.material == key.material())
    {
        Some(i) => i,
        None => {
            // Only keys that decode are remembered; identical bytes decode identically.
            let prepared = jws::PreparedKey::new(key)?;
            let i = *next_key % KEY_CACHE;
            if let Some(slot) = keys.get_mut(i) {
                *slot = CachedKey {
                    prepared: Some(prepared),
                    material: *key.material(),
                    thumbprint: jwk::thumbprint(key.material()),
                };
            }
            *next_key = next_key.wrapping_add(1);
            i
        }
    };
    let keys: &'s [CachedKey; KEY_CACHE] = keys;
    let cached = keys.get(slot).ok_or(DpopError::JwkUnusable)?;
    let prepared = cached.prepared.as_ref().ok_or(DpopError::JwkUnusable)?;
    let sig = jws::decode_signature(c.signature_b64, alg, key, signature)?;
    if !b64::is_canonical(c.payload_b64) {
        return Err(JwsError::PayloadEncoding.into());
    }
    Ok(ParsedProof {
        alg,
        signing_input: c.signing_input,
        payload_b64: c.payload_b64,
        sig,
        key,
        prepared,
        jkt: cached.thumbprint,
    })
}

/// The claims of a proof whose signature holds: `htm`, `htu`, `iat`, `jti`, `ath`, `nonce`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn check_claims(
    payload_b64: &[u8],
    jkt: [u8; 32],
    claims: &mut [u8; 1536],
    text: &mut [u8; crate::htu::MAX_URI_LEN],
    htu: &mut [u8; crate::htu::MAX_URI_LEN],
    cx: &ProofContext<'_>,
    policy: &ProofPolicy,
    nonces: &NonceKeys,
) -> Result<VerifiedProof, Error> {
    let payload = b64::decode(payload_b64, claims).map_err(|e| match e {
        b64::B64Error::Encoding => JwsError::PayloadEncoding,
        b64::B64Error::Length => JwsError::PayloadTooLarge,
    })?;
    let obj = json::parse_object(payload, &PROOF_JSON_LIMITS)?;

    let htm = claim_str(&obj, "htm", DpopError::HtmMissing)?;
    if !htm.eq_bytes(cx.method) {
        return Err(DpopError::HtmMismatch.into());
    }
    let htu_s = claim_str(&obj, "htu", DpopError::HtuMissing)?;
    let htu_text = htu_s
        .unescape_into(text)
        .map_err(|_| DpopError::HtuInvalid)?;
    crate::htu::check(htu_text.as_bytes(), cx.expected_htu, htu)?;
    let iat_v = obj.get("iat").ok_or(DpopError::IatMissing)?;
    let iat = numeric_date(&iat_v).map_err(|_| DpopError::ClaimType)?;
    let iat_up = numeric_date_ceil(&iat_v).map_err(|_| DpopError::ClaimType)?;
    // A fractional iat is read up for the future check and down for the age check.
    window(iat_up, cx.now, u32::MAX, policy.leeway)?;
    let expiry = window(iat, cx.now, policy.max_age, policy.leeway)?;
    let jti = claim_str(&obj, "jti", DpopError::JtiMissing)?;
    let mut jti_buf = [0u8; MAX_JTI_LEN];
    let jti_text = jti
        .unescape_into(&mut jti_buf)
        .map_err(|_| DpopError::JtiTooLong)?;
    if let Some(th) = cx.token_hash {
        let ath = claim_str(&obj, "ath", DpopError::AthMissing)?;
        // Compared after unescaping, as every JSON value (an escaped spelling is the same
        // string); longer than 43 characters cannot fit and never matches.
        let mut ath_buf = [0u8; 43];
        let ok = ath.unescape_into(&mut ath_buf).is_ok_and(|a| {
            b64::decode_exact::<32>(a.as_bytes()).is_ok_and(|a| bool::from(a.ct_eq(th)))
        });
        if !ok {
            return Err(DpopError::AthMismatch.into());
        }
    }
    if policy.nonce_required {
        let n = claim_str(&obj, "nonce", DpopError::NonceMissing)?;
        let mut nonce_buf = [0u8; crate::nonce::NONCE_LEN];
        let n = n
            .unescape_into(&mut nonce_buf)
            .map_err(|_| DpopError::NonceInvalid)?;
        nonces.check(n.as_bytes(), cx.now, policy.nonce_slot)?;
    }
    Ok(VerifiedProof {
        jkt,
        pair: PairDigest::new(&jkt, jti_text.as_bytes()),
        expiry,
    })
}
