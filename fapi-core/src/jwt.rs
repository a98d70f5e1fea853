//! JWT access tokens (RFC 7519, RFC 9068): the pipeline from compact bytes to validated
//! claims, with caller-provided decode scratch.
//!
//! `typ` must be `at+jwt` (same comparator as every `typ`), `iss` exact, `aud` a string or an
//! array containing the configured audience, `exp` required, `nbf`/`iat` not in the future
//! beyond the leeway. A `cnf` that is present but not an object holding a method fapi supports
//! (`jkt`, `x5t#S256`) refuses the token: it is never treated as unbound.

use crate::b64::{self, B64Error};
use crate::config::Config;
use crate::error::{ClaimsError, Error, JwsError, MisuseError};
use crate::json::{self, JStr, Kind, Object, Value};
use crate::jwk::Jwk;
use crate::jws::{self, MAX_SIGNATURE_LEN, TypRule, VerifiedJws, VerifyParams};
use crate::keytables::{TableHooks, Tables};
use crate::time::{numeric_date, numeric_date_ceil};

/// Decode scratch for one verification: the decoded header, claims and signature. Callers own
/// it (one per thread or worker) so nothing large lives on the stack.
///
/// `H` and `C` must be at least the configured header and claims limits.
#[derive(Clone, Debug)]
pub struct Scratch<const H: usize = 1024, const C: usize = 6144> {
    header: [u8; H],
    claims: [u8; C],
    claims_len: usize,
    signature: [u8; MAX_SIGNATURE_LEN],
    rsa: crate::rsa::RsaScratch,
}

impl<const H: usize, const C: usize> Default for Scratch<H, C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize, const C: usize> Scratch<H, C> {
    /// Zeroed scratch (usable in `static` initialisers).
    pub const fn new() -> Self {
        Self {
            header: [0; H],
            claims: [0; C],
            claims_len: 0,
            signature: [0; MAX_SIGNATURE_LEN],
            rsa: crate::rsa::RsaScratch::new(),
        }
    }

    /// The claims of the last successful verification, without re-validation (the bytes were
    /// validated then and are only written by the next verification).
    pub(crate) fn validated_claims(&self) -> Option<Object<'_>> {
        if self.claims_len == 0 {
            return None;
        }
        self.claims
            .get(..self.claims_len)
            .map(json::Object::from_validated)
    }

    /// The claims object decoded by the last successful verification (re-parsed).
    pub(crate) fn claims_object(&self, cfg: &Config<'_>) -> Result<Object<'_>, Error> {
        let bytes = self
            .claims
            .get(..self.claims_len)
            .ok_or(MisuseError::InvalidArgument)?;
        Ok(json::parse_object(bytes, &cfg.claims_limits)?)
    }
}

/// The confirmation (`cnf`, RFC 7800) of a token.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Confirmation<'a> {
    /// No `cnf`: a bearer token.
    Unbound,
    /// Bound by DPoP key thumbprint and/or certificate thumbprint (either may be absent, not
    /// both). Values are the raw base64url strings; the binding checks compare them.
    Bound {
        /// `cnf.jkt` (RFC 9449 §6.1).
        jkt: Option<JStr<'a>>,
        /// `cnf["x5t#S256"]` (RFC 8705 §3.1).
        x5t_s256: Option<JStr<'a>>,
    },
}

/// Claims that passed every check of [`validate_claims`]. Only that function constructs it.
#[derive(Copy, Clone, Debug)]
pub struct ValidatedClaims<'a> {
    object: Object<'a>,
    exp: u64,
    iat: Option<u64>,
    cnf: Confirmation<'a>,
}

fn opt_str<'a>(obj: &Object<'a>, name: &str) -> Result<Option<JStr<'a>>, Error> {
    match obj.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or(Error::Claims(ClaimsError::ClaimType)),
    }
}

impl<'a> ValidatedClaims<'a> {
    /// The whole claims object.
    pub fn object(&self) -> Object<'a> {
        self.object
    }
    /// `iss` (already checked to equal the configured issuer).
    pub fn iss(&self) -> Option<JStr<'a>> {
        self.object.get("iss").and_then(|v| v.as_str())
    }
    /// `sub`, if a string.
    pub fn sub(&self) -> Option<JStr<'a>> {
        self.object.get("sub").and_then(|v| v.as_str())
    }
    /// `aud` as sent (a string or an array).
    pub fn aud(&self) -> Option<Value<'a>> {
        self.object.get("aud")
    }
    /// `client_id`, if a string.
    pub fn client_id(&self) -> Option<JStr<'a>> {
        self.object.get("client_id").and_then(|v| v.as_str())
    }
    /// `scope`, if a string.
    pub fn scope(&self) -> Option<JStr<'a>> {
        self.object.get("scope").and_then(|v| v.as_str())
    }
    /// `jti`, if a string.
    pub fn jti(&self) -> Option<JStr<'a>> {
        self.object.get("jti").and_then(|v| v.as_str())
    }
    /// `exp` (seconds).
    pub fn exp(&self) -> u64 {
        self.exp
    }
    /// `iat` (seconds), if present.
    pub fn iat(&self) -> Option<u64> {
        self.iat
    }
    /// The confirmation method(s).
    pub fn cnf(&self) -> Confirmation<'a> {
        self.cnf
    }
    /// Any claim by name.
    pub fn claim(&self, name: &str) -> Option<Value<'a>> {
        self.object.get(name)
    }
    /// A string claim by name, unescaped into `out`.
    ///
    /// # Errors
    /// [`ClaimsError::ClaimType`] if absent or not a string (absent gives `Ok(None)`),
    /// [`Error::BufferTooSmall`] with the length needed.
    pub fn claim_str<'o>(&self, name: &str, out: &'o mut [u8]) -> Result<Option<&'o str>, Error> {
        match opt_str(&self.object, name)? {
            None => Ok(None),
            Some(s) => s.unescape_into(out).map(Some),
        }
    }
}

/// Checks a claims object against the configuration at time `now`.
///
/// # Errors
/// [`ClaimsError`]s in a fixed order: `iss`, `aud`, `exp`, `nbf`, `iat`, `cnf`, then the types
/// of `sub`, `client_id`, `scope`, `jti`.
pub fn validate_claims<'a>(
    object: Object<'a>,
    cfg: &Config<'_>,
    now: u64,
) -> Result<ValidatedClaims<'a>, Error> {
    let leeway = u64::from(cfg.leeway);
    // One pass over the members finds every claim read below.
    let [iss, aud, exp, nbf, iat, cnf, sub, client_id, scope, jti] = object.get_many([
        "iss",
        "aud",
        "exp",
        "nbf",
        "iat",
        "cnf",
        "sub",
        "client_id",
        "scope",
        "jti",
    ]);
    match iss.ok_or(ClaimsError::IssMissing)?.as_str() {
        Some(s) if s.eq_str(cfg.issuer) => {}
        _ => return Err(ClaimsError::IssMismatch.into()),
    }
    check_aud(aud, cfg.audience)?;
    let exp = numeric_date(&exp.ok_or(ClaimsError::ExpMissing)?)?;
    if now >= exp.saturating_add(leeway) {
        return Err(ClaimsError::Expired.into());
    }
    finish_claims(
        object,
        exp,
        [nbf, iat, cnf],
        [sub, client_id, scope, jti],
        now,
        leeway,
    )
}

/// The checks JWT and introspected claims share: `nbf` and `iat` not in the future beyond the
/// leeway (fractions read up), `cnf`, and the types of the string claims.
fn finish_claims<'a>(
    object: Object<'a>,
    exp: u64,
    [nbf, iat, cnf]: [Option<Value<'a>>; 3],
    strings: [Option<Value<'a>>; 4],
    now: u64,
    leeway: u64,
) -> Result<ValidatedClaims<'a>, Error> {
    if let Some(v) = nbf
        && numeric_date_ceil(&v)? > now.saturating_add(leeway)
    {
        return Err(ClaimsError::NotYetValid.into());
    }
    let iat = match iat {
        None => None,
        Some(v) => {
            if numeric_date_ceil(&v)? > now.saturating_add(leeway) {
                return Err(ClaimsError::IssuedInFuture.into());
            }
            Some(numeric_date(&v)?)
        }
    };
    let cnf = parse_cnf(cnf)?;
    for v in strings.into_iter().flatten() {
        if v.kind() != Kind::String {
            return Err(ClaimsError::ClaimType.into());
        }
    }
    Ok(ValidatedClaims {
        object,
        exp,
        iat,
        cnf,
    })
}

/// Checks an RFC 7662 introspection response (the host asked the authorization server about
/// an opaque token) and returns it as claims: `active` must be `true`; `exp`, `nbf`, `iat`,
/// `iss` and `aud` are checked as for a JWT **when present** (the introspection answer is
/// already the server's word on validity); `cnf` follows the same rules, so opaque tokens get
/// the same binding checks.
///
/// # Errors
/// [`ClaimsError::Inactive`], and the [`ClaimsError`]s of [`validate_claims`].
pub fn validate_introspection<'a>(
    object: Object<'a>,
    cfg: &Config<'_>,
    now: u64,
) -> Result<ValidatedClaims<'a>, Error> {
    let leeway = u64::from(cfg.leeway);
    let [
        active,
        iss,
        aud,
        exp,
        nbf,
        iat,
        cnf,
        sub,
        client_id,
        scope,
        jti,
    ] = object.get_many([
        "active",
        "iss",
        "aud",
        "exp",
        "nbf",
        "iat",
        "cnf",
        "sub",
        "client_id",
        "scope",
        "jti",
    ]);
    if active.map(|v| v.raw()) != Some(b"true".as_slice()) {
        return Err(ClaimsError::Inactive.into());
    }
    if let Some(iss) = iss {
        match iss.as_str() {
            Some(s) if s.eq_str(cfg.issuer) => {}
            _ => return Err(ClaimsError::IssMismatch.into()),
        }
    }
    if aud.is_some() {
        check_aud(aud, cfg.audience)?;
    }
    let exp = match exp {
        Some(v) => {
            let e = numeric_date(&v)?;
            if now >= e.saturating_add(leeway) {
                return Err(ClaimsError::Expired.into());
            }
            e
        }
        None => u64::MAX,
    };
    finish_claims(
        object,
        exp,
        [nbf, iat, cnf],
        [sub, client_id, scope, jti],
        now,
        leeway,
    )
}

/// Copies an introspection response into the scratch and validates it there, so its claims
/// live as long as the scratch (like a JWT's decoded claims).
///
/// # Errors
/// [`crate::error::JwsError::PayloadTooLarge`] if it does not fit, JSON errors, and those of
/// [`validate_introspection`].
pub fn load_introspection<'s, const H: usize, const C: usize>(
    scratch: &'s mut Scratch<H, C>,
    json_bytes: &[u8],
    cfg: &Config<'_>,
    now: u64,
) -> Result<ValidatedClaims<'s>, Error> {
    scratch.claims_len = 0;
    let n = json_bytes.len();
    let dst = scratch
        .claims
        .get_mut(..n)
        .filter(|_| n <= cfg.claims_limits.max_len)
        .ok_or(JwsError::PayloadTooLarge)?;
    dst.copy_from_slice(json_bytes);
    scratch.claims_len = n;
    let object = json::parse_object(dst, &cfg.claims_limits)?;
    validate_introspection(object, cfg, now)
}

fn check_aud(aud: Option<Value<'_>>, expected: &str) -> Result<(), Error> {
    let aud = aud.ok_or(ClaimsError::AudMissing)?;
    match aud.kind() {
        Kind::String => match aud.as_str() {
            Some(s) if s.eq_str(expected) => Ok(()),
            _ => Err(ClaimsError::AudMismatch.into()),
        },
        Kind::Array => {
            let mut found = false;
            for v in aud.as_array().ok_or(ClaimsError::AudMalformed)? {
                let s = v.as_str().ok_or(ClaimsError::AudMalformed)?;
                found |= s.eq_str(expected);
            }
            if found {
                Ok(())
            } else {
                Err(ClaimsError::AudMismatch.into())
            }
        }
        _ => Err(ClaimsError::AudMalformed.into()),
    }
}

fn parse_cnf(v: Option<Value<'_>>) -> Result<Confirmation<'_>, Error> {
    let Some(v) = v else {
        return Ok(Confirmation::Unbound);
    };
    let obj = v.as_object().ok_or(ClaimsError::CnfUnsupported)?;
    let member = |name: &str| -> Result<Option<JStr<'_>>, Error> {
        match obj.get(name) {
            None => Ok(None),
            Some(m) => m
                .as_str()
                .map(Some)
                .ok_or(Error::Claims(ClaimsError::CnfUnsupported)),
        }
    };
    let jkt = member("jkt")?;
    let x5t_s256 = member("x5t#S256")?;
    if jkt.is_none() && x5t_s256.is_none() {
        return Err(ClaimsError::CnfUnsupported.into());
    }
    Ok(Confirmation::Bound { jkt, x5t_s256 })
}

/// A verified access token: signature and claims both checked. Only
/// [`verify_access_token`] constructs it.
#[derive(Copy, Clone, Debug)]
pub struct AccessToken<'a, 's> {
    jws: VerifiedJws<'a, 's>,
    claims: ValidatedClaims<'s>,
}

impl<'a, 's> AccessToken<'a, 's> {
    /// The verified JWS (header, key thumbprint).
    pub fn jws(&self) -> &VerifiedJws<'a, 's> {
        &self.jws
    }
    /// The validated claims.
    pub fn claims(&self) -> &ValidatedClaims<'s> {
        &self.claims
    }
}

/// Verifies a JWT access token against `keys` and `cfg` at time `now`, decoding into
/// `scratch`.
///
/// Order: size and segments, header (alg allowlist, `crit`, `b64`, `typ`), key selection,
/// signature, payload decoding and JSON, claims.
///
/// # Errors
/// Any [`Error`] of those steps; [`MisuseError::ScratchTooSmall`] if `scratch` is smaller than
/// the configured limits.
pub fn verify_access_token<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
) -> Result<AccessToken<'a, 's>, Error> {
    verify_access_token_in(cfg, keys, scratch, token, now, TableHooks::NONE)
}

/// As [`verify_access_token`], ES256 checked with precomputed tables
/// ([`crate::keytables`]): a key with a table in place takes additions only, others the G
/// table; the verdicts are the same.
///
/// # Errors
/// As [`verify_access_token`].
#[cfg(feature = "es256-tables")]
pub fn verify_access_token_tables<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
    tables: crate::keytables::KeyTables<'_>,
) -> Result<AccessToken<'a, 's>, Error> {
    verify_access_token_in(cfg, keys, scratch, token, now, Some(tables))
}

/// [`verify_access_token`] with the verifier's tables (or none).
pub(crate) fn verify_access_token_in<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
    tables: Tables<'_>,
) -> Result<AccessToken<'a, 's>, Error> {
    let r = verify_inner(cfg, keys, scratch, token, now, None, None, tables);
    crate::log::token(r.as_ref().map_or_else(|e| e.code(), |_| 0));
    r
}

/// As [`verify_access_token`], with signatures checked by `provider` (see
/// [`jws::SignatureVerifier`]).
///
/// # Errors
/// As [`verify_access_token`], and [`crate::error::CapacityError::CryptoProviderFailure`].
pub fn verify_access_token_with<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
    provider: &mut dyn jws::SignatureVerifier,
) -> Result<AccessToken<'a, 's>, Error> {
    verify_inner(
        cfg,
        keys,
        scratch,
        token,
        now,
        None,
        Some(provider),
        TableHooks::NONE,
    )
}

/// As [`verify_access_token`], with a token-cache hit standing in for the signature check
/// when the header selects the cached key (claims are checked in full).
///
/// # Errors
/// As [`verify_access_token`].
pub fn verify_access_token_cached<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
    hit: &crate::cache::CacheHit,
) -> Result<AccessToken<'a, 's>, Error> {
    verify_inner(
        cfg,
        keys,
        scratch,
        token,
        now,
        Some(hit),
        None,
        TableHooks::NONE,
    )
}

#[allow(clippy::too_many_arguments)]
fn verify_inner<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    now: u64,
    hit: Option<&crate::cache::CacheHit>,
    provider: Option<&mut dyn jws::SignatureVerifier>,
    tables: Tables<'_>,
) -> Result<AccessToken<'a, 's>, Error> {
    let typ = TypRule {
        expected: "at+jwt",
        allow_plain_jwt: cfg.allow_plain_jwt_typ,
    };
    let decoded = verify_decode(cfg, Some(typ), keys, scratch, token, hit, provider, tables)?;
    let claims = validate_claims(decoded.object, cfg, now)?;
    *decoded.claims_len = decoded.payload_len;
    Ok(AccessToken {
        jws: decoded.jws,
        claims,
    })
}

/// A JWS verified and its payload decoded into the scratch, claims not yet checked.
pub(crate) struct Decoded<'a, 's> {
    /// The verified JWS.
    pub(crate) jws: VerifiedJws<'a, 's>,
    /// The payload as a JSON object (syntax and limits checked).
    pub(crate) object: Object<'s>,
    /// The scratch's record of the last validated claims: set it to `payload_len` once
    /// the claims pass, so [`Scratch::validated_claims`] never returns unchecked claims.
    pub(crate) claims_len: &'s mut usize,
    /// The decoded payload length.
    pub(crate) payload_len: usize,
}

/// The steps every signed JWT takes before its claims are checked: size and segments, header
/// (`alg` in `cfg.algs`, `crit`, `b64`, `typ` per `typ`), key selection, signature (or the
/// cache hit), payload decoding into `scratch` and strict JSON.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_decode<'a, 's, const H: usize, const C: usize>(
    cfg: &Config<'_>,
    typ: Option<TypRule>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    hit: Option<&crate::cache::CacheHit>,
    provider: Option<&mut dyn jws::SignatureVerifier>,
    tables: Tables<'_>,
) -> Result<Decoded<'a, 's>, Error> {
    if cfg.header_limits.max_len > H || cfg.claims_limits.max_len > C {
        return Err(MisuseError::ScratchTooSmall.into());
    }
    let Scratch {
        header,
        claims,
        claims_len,
        signature,
        rsa,
    } = scratch;
    // The built-in code unless a provider was given; its RSA memory is this scratch's.
    let mut builtin = jws::BuiltIn::with_tables(rsa, tables);
    let provider: &mut dyn jws::SignatureVerifier = match provider {
        Some(p) => p,
        None => &mut builtin,
    };
    *claims_len = 0;
    let header_buf = header
        .get_mut(..cfg.header_limits.max_len)
        .ok_or(MisuseError::ScratchTooSmall)?;
    let params = VerifyParams {
        max_token_len: cfg.max_token_len,
        header_limits: &cfg.header_limits,
        allowed: cfg.algs,
        typ,
    };
    let verified = jws::verify_or_hit(
        token,
        keys,
        &params,
        header_buf,
        signature,
        cfg.claims_limits.max_len,
        jws::SignatureCheck { hit, provider },
    )?;
    let payload = b64::decode(verified.payload_b64(), claims).map_err(|e| match e {
        B64Error::Encoding => JwsError::PayloadEncoding,
        B64Error::Length => JwsError::PayloadTooLarge,
    })?;
    let payload_len = payload.len();
    let object = json::parse_object(payload, &cfg.claims_limits)?;
    Ok(Decoded {
        jws: verified,
        object,
        claims_len,
        payload_len,
    })
}
