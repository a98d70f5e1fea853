//! ID token validation (OpenID Connect Core 1.0 §3.1.3.7) for the client.
//!
//! Order: the JWS steps of the access-token pipeline with the client's algorithm allowlist
//! (`typ`, when present, must be `JWT`: an access token or another typed JWT is never taken
//! for an ID token); then [`crate::jwt::validate_claims`] with issuer = the configured issuer
//! and audience = `client_id` (`iss`, `aud`, `exp`, `nbf`, `iat` with leeway); then `iat`
//! and `sub` present, `azp` = `client_id` when present and required with several audiences,
//! and `nonce` equal to the one sent (constant time).

use crate::client::ClientConfig;
use crate::error::{Error, IdTokenError, JwsError};
use crate::json::{JStr, Kind};
use crate::jwk::Jwk;
use crate::jws::{self, VerifiedJws};
use crate::jwt::{self, Scratch, ValidatedClaims};
use subtle::ConstantTimeEq;

/// A verified ID token. Only [`verify`] constructs it.
#[derive(Copy, Clone, Debug)]
pub struct IdToken<'a, 's> {
    jws: VerifiedJws<'a, 's>,
    claims: ValidatedClaims<'s>,
}

impl<'a, 's> IdToken<'a, 's> {
    /// The verified JWS (header, key thumbprint).
    pub fn jws(&self) -> &VerifiedJws<'a, 's> {
        &self.jws
    }
    /// The validated claims (`sub`, `auth_time`, `acr`, … through [`ValidatedClaims::claim`]).
    pub fn claims(&self) -> &ValidatedClaims<'s> {
        &self.claims
    }
    /// `sub`.
    pub fn sub(&self) -> Option<JStr<'s>> {
        self.claims.sub()
    }
}

/// Compares a JSON string with `expected` in constant time (for equal lengths), unescaping
/// into `buf` only if the string has escapes.
pub(crate) fn ct_eq_jstr(s: &JStr<'_>, expected: &str, buf: &mut [u8]) -> bool {
    let text: &[u8] = if s.has_escapes() {
        match s.unescape_into(buf) {
            Ok(t) => t.as_bytes(),
            Err(_) => return false,
        }
    } else {
        s.raw()
    };
    bool::from(text.ct_eq(expected.as_bytes()))
}

/// Verifies an ID token signed by a key of `keys` at time `now`, for `client`, that must
/// carry `nonce` (the one of the authorization request), decoding into `scratch`.
///
/// # Errors
/// The JWS, JWK and JSON errors of the access-token pipeline ([`JwsError::TypMismatch`] for a
/// `typ` other than `JWT`); the [`crate::error::ClaimsError`]s of
/// [`jwt::validate_claims`]; [`IdTokenError`]s; [`crate::error::MisuseError::InvalidClientValue`]
/// for an empty `nonce`.
pub fn verify<'a, 's, const H: usize, const C: usize>(
    client: &ClientConfig<'_>,
    keys: &[Jwk],
    scratch: &'s mut Scratch<H, C>,
    token: &'a [u8],
    nonce: &str,
    now: u64,
    provider: Option<&mut dyn jws::SignatureVerifier>,
) -> Result<IdToken<'a, 's>, Error> {
    if nonce.is_empty() {
        return Err(crate::error::MisuseError::InvalidClientValue.into());
    }
    let cfg = client.verify_config();
    let d = jwt::verify_decode(
        cfg,
        None,
        keys,
        scratch,
        token,
        None,
        provider,
        crate::keytables::TableHooks::NONE,
    )?;
    if let Some(t) = d.jws.header().object().get("typ") {
        let ok = t.as_str().is_some_and(|s| jws::typ_matches(&s, "JWT"));
        if !ok {
            return Err(JwsError::TypMismatch.into());
        }
    }
    let claims = jwt::validate_claims(d.object, cfg, now)?;
    let obj = claims.object();
    let [iat, sub, azp, aud, got_nonce] = obj.get_many(["iat", "sub", "azp", "aud", "nonce"]);
    if iat.is_none() {
        return Err(IdTokenError::IatMissing.into());
    }
    if sub
        .and_then(|v| v.as_str())
        .is_none_or(|s| s.raw().is_empty())
    {
        return Err(IdTokenError::SubMissing.into());
    }
    let several_audiences = aud
        .and_then(|v| v.as_array())
        .is_some_and(|a| a.count() > 1);
    match azp {
        Some(v) => {
            let ok = v.kind() == Kind::String
                && v.as_str().is_some_and(|s| s.eq_str(client.client_id()));
            if !ok {
                return Err(IdTokenError::AzpMismatch.into());
            }
        }
        None if several_audiences => return Err(IdTokenError::AzpMissing.into()),
        None => {}
    }
    let got = got_nonce
        .ok_or(IdTokenError::NonceMissing)?
        .as_str()
        .ok_or(IdTokenError::NonceMismatch)?;
    let mut buf = [0u8; 256];
    if !ct_eq_jstr(&got, nonce, &mut buf) {
        return Err(IdTokenError::NonceMismatch.into());
    }
    *d.claims_len = d.payload_len;
    Ok(IdToken { jws: d.jws, claims })
}
