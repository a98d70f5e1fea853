//! Authorization responses (RFC 6749 §4.1.2): JWT-secured ones (JARM, FAPI 2.0 Message
//! Signing §5.4) and plain ones with RFC 9207 `iss`, from a query string, a fragment or a
//! `form_post` body — the caller passes whichever part carries the parameters.
//!
//! JARM: exactly one `response` parameter and none of `code`, `state`, `iss`, `error` beside
//! it; its JWS verified with the authorization server's keys and the client's algorithm
//! allowlist (ES256, EdDSA, PS256; RS256 only outside the FAPI 2.0 profile); then
//! [`crate::jwt::validate_claims`] with issuer = the configured issuer and audience =
//! `client_id` (`iss`, `aud`, `exp` with leeway); then `state`, then `error` or `code`.
//!
//! Plain: `iss` checked first whenever present (RFC 9207 §2.4) and required when the metadata
//! says `authorization_response_iss_parameter_supported` or under the FAPI 2.0 profile; then
//! `state`, then `error` or `code`. Parameters fapi reads may appear once only.
//!
//! `state` is compared in constant time. Values are decoded (percent-decoding or JSON
//! unescaping) into the caller's [`ResponseScratch`], and returned from there.

use crate::client::ClientConfig;
use crate::error::{AuthResponseError, Error, MisuseError};
use crate::form;
use crate::json::{JStr, Kind, Value};
use crate::jwk::Jwk;
use crate::jws;
use crate::jwt::{self, Scratch};
use subtle::ConstantTimeEq;

/// A stored value: where it sits in the scratch's parameter buffer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    len: usize,
}

/// Decode scratch for one authorization response: the JWT scratch for a JARM response
/// (`H`, `C` at least the header and claims limits of
/// [`ClientConfig::verify_config`]: 1 KiB and 6 KiB by default) and `P` bytes for the decoded
/// parameters and values.
#[derive(Clone, Debug)]
pub struct ResponseScratch<const H: usize = 1024, const C: usize = 6144, const P: usize = 8192> {
    jwt: Scratch<H, C>,
    params: [u8; P],
    error: [Option<Span>; 3],
}

impl<const H: usize, const C: usize, const P: usize> Default for ResponseScratch<H, C, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize, const C: usize, const P: usize> ResponseScratch<H, C, P> {
    /// Zeroed scratch (usable in `static` initialisers).
    pub const fn new() -> Self {
        Self {
            jwt: Scratch::new(),
            params: [0; P],
            error: [None; 3],
        }
    }

    fn text(&self, span: Option<Span>) -> Option<&str> {
        let s = span?;
        let b = self.params.get(s.start..s.start.checked_add(s.len)?)?;
        core::str::from_utf8(b).ok()
    }

    /// After [`verify_response`] returned [`AuthResponseError::ErrorResponse`]: the verified
    /// error response. `None` after any other result.
    pub fn error(&self) -> Option<AuthError<'_>> {
        let [e, d, u] = self.error;
        Some(AuthError {
            error: self.text(e)?,
            description: self.text(d),
            uri: self.text(u),
        })
    }
}

/// A verified error response (`state` and, for JARM, signature, `iss`, `aud` and `exp`
/// checked first).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AuthError<'s> {
    error: &'s str,
    description: Option<&'s str>,
    uri: Option<&'s str>,
}

impl<'s> AuthError<'s> {
    /// `error` (e.g. `access_denied`).
    pub fn error(&self) -> &'s str {
        self.error
    }
    /// `error_description`, if present.
    pub fn description(&self) -> Option<&'s str> {
        self.description
    }
    /// `error_uri`, if present.
    pub fn uri(&self) -> Option<&'s str> {
        self.uri
    }
}

/// A verified successful authorization response. Only [`verify_response`] constructs it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Authorized<'s> {
    code: &'s str,
}

impl<'s> Authorized<'s> {
    /// The authorization `code`, decoded.
    pub fn code(&self) -> &'s str {
        self.code
    }
}

/// What the client expects of the response it is about to read.
#[derive(Copy, Clone, Debug)]
pub struct Expected<'e> {
    /// The `state` the client sent.
    pub state: &'e str,
    /// Whether the client asked for a JARM response mode (`jwt`, `query.jwt`, …).
    pub jarm: bool,
    /// The metadata's `authorization_response_iss_parameter_supported` (plain responses must
    /// then carry `iss`).
    pub iss_parameter_supported: bool,
}

/// Hands out the parameter buffer piece by piece, so every returned `&str` lives as long as
/// the scratch.
struct Bump<'s> {
    buf: &'s mut [u8],
    offset: usize,
}

impl<'s> Bump<'s> {
    fn take(&mut self, n: usize) -> Result<(&'s mut [u8], Span), Error> {
        let buf = core::mem::take(&mut self.buf);
        let Some((head, tail)) = buf.split_at_mut_checked(n) else {
            return Err(AuthResponseError::ParameterTooLong.into());
        };
        self.buf = tail;
        let span = Span {
            start: self.offset,
            len: n,
        };
        self.offset += n;
        Ok((head, span))
    }

    /// Percent-decodes a form value.
    fn form(&mut self, raw: &[u8]) -> Result<(&'s str, Span), Error> {
        let n = form::decoded_len(raw)?;
        let (dst, span) = self.take(n)?;
        Ok((form::decode(raw, dst)?, span))
    }

    /// Unescapes a JSON string.
    fn jstr(&mut self, s: &JStr<'_>) -> Result<(&'s str, Span), Error> {
        let (dst, span) = self.take(s.unescaped_len())?;
        Ok((s.unescape_into(dst)?, span))
    }

    /// Unescapes a JSON value that must be a string if present.
    fn opt_claim(&mut self, v: Option<Value<'_>>) -> Result<Option<Span>, Error> {
        match v {
            None => Ok(None),
            Some(v) => Ok(Some(self.jstr(&claim_str(&v)?)?.1)),
        }
    }
}

fn claim_str<'a>(v: &Value<'a>) -> Result<JStr<'a>, Error> {
    match v.as_str() {
        Some(s) if v.kind() == Kind::String => Ok(s),
        _ => Err(AuthResponseError::ClaimType.into()),
    }
}

fn state_matches(got: &str, expected: &str) -> Result<(), Error> {
    if bool::from(got.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(AuthResponseError::StateMismatch.into())
    }
}

/// Verifies the authorization response in `input` (a query string, a fragment or a
/// `form_post` body; a leading `?` or `#` is ignored) at time `now`, with the authorization
/// server's `keys`, decoding into `scratch`.
///
/// # Errors
/// [`AuthResponseError::ErrorResponse`] for a verified error response (read it with
/// [`ResponseScratch::error`]); the other [`AuthResponseError`]s; for JARM also the JWS, JWK,
/// JSON and [`crate::error::ClaimsError`] codes of the token pipeline (a tampered response is
/// [`crate::error::JwsError::BadSignature`], another client's
/// [`crate::error::ClaimsError::AudMismatch`], an expired one
/// [`crate::error::ClaimsError::Expired`]); [`MisuseError::InvalidClientValue`] for an empty
/// expected `state`.
pub fn verify_response<'s, const H: usize, const C: usize, const P: usize>(
    client: &ClientConfig<'_>,
    keys: &[Jwk],
    input: &[u8],
    expected: &Expected<'_>,
    now: u64,
    scratch: &'s mut ResponseScratch<H, C, P>,
    provider: Option<&mut dyn jws::SignatureVerifier>,
) -> Result<Authorized<'s>, Error> {
    if expected.state.is_empty() {
        return Err(MisuseError::InvalidClientValue.into());
    }
    let ResponseScratch {
        jwt: jwt_scratch,
        params,
        error: error_slots,
    } = scratch;
    *error_slots = [None; 3];
    let mut bump = Bump {
        buf: params,
        offset: 0,
    };
    if expected.jarm {
        verify_jarm(
            client,
            keys,
            input,
            expected,
            now,
            jwt_scratch,
            &mut bump,
            error_slots,
            provider,
        )
    } else {
        verify_plain(client, input, expected, &mut bump, error_slots)
    }
}

fn verify_plain<'s>(
    client: &ClientConfig<'_>,
    input: &[u8],
    expected: &Expected<'_>,
    bump: &mut Bump<'s>,
    error_slots: &mut [Option<Span>; 3],
) -> Result<Authorized<'s>, Error> {
    let [code, state, iss, error, description, uri] = form::find_many(
        input,
        [
            "code",
            "state",
            "iss",
            "error",
            "error_description",
            "error_uri",
        ],
    )?;
    match iss {
        Some(raw) if !form::eq_decoded(raw, client.issuer()) => {
            return Err(AuthResponseError::IssMismatch.into());
        }
        Some(_) => {}
        None if expected.iss_parameter_supported || client.fapi2() => {
            return Err(AuthResponseError::IssMissing.into());
        }
        None => {}
    }
    let (got_state, _) = bump.form(state.ok_or(AuthResponseError::StateMissing)?)?;
    state_matches(got_state, expected.state)?;
    if let Some(e) = error {
        let (_, e) = bump.form(e)?;
        let d = match description {
            Some(raw) => Some(bump.form(raw)?.1),
            None => None,
        };
        let u = match uri {
            Some(raw) => Some(bump.form(raw)?.1),
            None => None,
        };
        *error_slots = [Some(e), d, u];
        return Err(AuthResponseError::ErrorResponse.into());
    }
    let (code, _) = bump.form(code.ok_or(AuthResponseError::CodeMissing)?)?;
    if code.is_empty() {
        return Err(AuthResponseError::CodeMissing.into());
    }
    Ok(Authorized { code })
}

#[allow(clippy::too_many_arguments)]
fn verify_jarm<'s, const H: usize, const C: usize>(
    client: &ClientConfig<'_>,
    keys: &[Jwk],
    input: &[u8],
    expected: &Expected<'_>,
    now: u64,
    jwt_scratch: &'s mut Scratch<H, C>,
    bump: &mut Bump<'s>,
    error_slots: &mut [Option<Span>; 3],
    provider: Option<&mut dyn jws::SignatureVerifier>,
) -> Result<Authorized<'s>, Error> {
    let [response, code, state, iss, error] =
        form::find_many(input, ["response", "code", "state", "iss", "error"])?;
    let response = response.ok_or(AuthResponseError::ResponseMissing)?;
    if code.is_some() || state.is_some() || iss.is_some() || error.is_some() {
        return Err(AuthResponseError::MixedResponse.into());
    }
    let (token, _) = bump.form(response)?;
    let cfg = client.verify_config();
    let d = jwt::verify_decode(
        cfg,
        None,
        keys,
        jwt_scratch,
        token.as_bytes(),
        None,
        provider,
        crate::keytables::TableHooks::NONE,
    )?;
    let claims = jwt::validate_claims(d.object, cfg, now)?;
    *d.claims_len = d.payload_len;
    let obj = claims.object();
    let [code, state, error, description, uri] =
        obj.get_many(["code", "state", "error", "error_description", "error_uri"]);
    let state = claim_str(&state.ok_or(AuthResponseError::StateMissing)?)?;
    let (got_state, _) = bump.jstr(&state)?;
    state_matches(got_state, expected.state)?;
    if let Some(e) = error {
        let e = bump.jstr(&claim_str(&e)?)?.1;
        let d = bump.opt_claim(description)?;
        let u = bump.opt_claim(uri)?;
        *error_slots = [Some(e), d, u];
        return Err(AuthResponseError::ErrorResponse.into());
    }
    let code = claim_str(&code.ok_or(AuthResponseError::CodeMissing)?)?;
    let (code, _) = bump.jstr(&code)?;
    if code.is_empty() {
        return Err(AuthResponseError::CodeMissing.into());
    }
    Ok(Authorized { code })
}
