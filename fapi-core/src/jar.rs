//! JWT-secured authorization requests (RFC 9101, FAPI 2.0 Message Signing §5.3): the signed
//! request object a client pushes with PAR.
//!
//! Header `{"alg","typ":"oauth-authz-req+jwt","kid"}`; claims in a fixed order: `iss`
//! (= `client_id`), `aud` (= the issuer), `client_id`, `response_type` (`code`),
//! `redirect_uri`, `scope`, `state`, `nonce`, `code_challenge`, `code_challenge_method`
//! (`S256`), `response_mode`, `dpop_jkt`, `authorization_details`, `nbf`, `iat`, `exp`, `jti`.
//! `nbf` and `iat` are `now`; the lifetime is at most 60 minutes.

use crate::client::{ClientConfig, check_sha256_b64, check_value};
use crate::error::{Error, MisuseError};
use crate::json::{self, JsonLimits, Kind};
use crate::out::{self, JsonObject};
use crate::sign::{self, JwsHeader, JwsSigner};

/// The request object's `typ` (RFC 9101 §10.8).
pub const TYP: &str = "oauth-authz-req+jwt";
/// Longest request-object lifetime, in seconds (FAPI 2.0 Message Signing: `exp − nbf` ≤ 60
/// minutes).
pub const MAX_LIFETIME: u32 = 3600;
/// Limits for `authorization_details`: depth 8, 64 members per object, 8 KiB.
pub const AUTHORIZATION_DETAILS_LIMITS: JsonLimits = JsonLimits {
    max_depth: 8,
    max_members: json::MAX_MEMBERS_CAP,
    max_len: 8192,
};

/// How the authorization server returns its response (OAuth 2.0 Multiple Response Types,
/// Form Post, JARM).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ResponseMode {
    /// `query`.
    Query = 0,
    /// `fragment`.
    Fragment = 1,
    /// `form_post`.
    FormPost = 2,
    /// `jwt` (JARM, the server's default mode for the response type).
    Jwt = 3,
    /// `query.jwt` (JARM).
    QueryJwt = 4,
    /// `fragment.jwt` (JARM).
    FragmentJwt = 5,
    /// `form_post.jwt` (JARM).
    FormPostJwt = 6,
}

impl ResponseMode {
    /// The `response_mode` value.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
            Self::Jwt => "jwt",
            Self::QueryJwt => "query.jwt",
            Self::FragmentJwt => "fragment.jwt",
            Self::FormPostJwt => "form_post.jwt",
        }
    }

    /// Whether the response comes as a JARM `response` JWT.
    pub const fn is_jarm(self) -> bool {
        matches!(
            self,
            Self::Jwt | Self::QueryJwt | Self::FragmentJwt | Self::FormPostJwt
        )
    }
}

/// What the client asks for. Random values (`state`, `nonce`, the PKCE verifier behind
/// `code_challenge`) are made by the caller from host random bytes
/// ([`crate::random::token`], [`crate::pkce`]) and kept for the response.
#[derive(Copy, Clone, Debug)]
pub struct AuthorizationRequest<'p> {
    /// `redirect_uri`: an absolute https URI without fragment (`http` too outside the FAPI 2.0
    /// profile, for loopback redirects of native apps).
    pub redirect_uri: &'p str,
    /// `scope`, if any.
    pub scope: Option<&'p str>,
    /// `state` (required: fapi always binds the response to the request).
    pub state: &'p str,
    /// `nonce` (required by OpenID Connect when an ID token is expected).
    pub nonce: Option<&'p str>,
    /// The `S256` `code_challenge` ([`crate::pkce::challenge`]).
    pub code_challenge: &'p str,
    /// `response_mode`, if not the default.
    pub response_mode: Option<ResponseMode>,
    /// `dpop_jkt` (RFC 9449 §10): binds the authorization code to the client's DPoP key.
    pub dpop_jkt: Option<&'p str>,
    /// `authorization_details` (RFC 9396): JSON text of an array of objects each with a
    /// string `type`; checked by the strict JSON reader and copied as is.
    pub authorization_details: Option<&'p [u8]>,
}

/// Checks `authorization_details` and returns it without surrounding whitespace.
fn check_authorization_details(raw: &[u8]) -> Result<&[u8], Error> {
    let bad = Error::Misuse(MisuseError::AuthorizationDetailsInvalid);
    let v = json::parse_value(raw, &AUTHORIZATION_DETAILS_LIMITS).map_err(|_| bad)?;
    let elements = v.as_array().ok_or(bad)?;
    for e in elements {
        let obj = e.as_object().ok_or(bad)?;
        match obj.get("type") {
            Some(t) if t.kind() == Kind::String => {}
            _ => return Err(bad),
        }
    }
    Ok(v.raw())
}

/// Writes a signed request object for `req`, issued at `now` and valid for `lifetime`
/// seconds, with a `jti` made from `jti_random` (at least 16 host random bytes), and returns
/// its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an empty `state`, a bad `redirect_uri`,
/// `code_challenge` or `dpop_jkt`; [`MisuseError::AuthorizationDetailsInvalid`];
/// [`MisuseError::LifetimeOutOfRange`] outside 1–3600 s; [`MisuseError::RandomLength`];
/// the signer checks of [`sign::check_signer`] (under the FAPI 2.0 profile: PS256, ES256,
/// EdDSA only); [`Error::BufferTooSmall`] with the length needed.
pub fn write_request_object(
    client: &ClientConfig<'_>,
    req: &AuthorizationRequest<'_>,
    now: u64,
    lifetime: u32,
    jti_random: &[u8],
    signer: &mut dyn JwsSigner,
    out: &mut [u8],
) -> Result<usize, Error> {
    if lifetime == 0 || lifetime > MAX_LIFETIME {
        return Err(MisuseError::LifetimeOutOfRange.into());
    }
    crate::random::check(jti_random, crate::random::MIN_RANDOM)?;
    if !crate::form::is_web_uri(req.redirect_uri.as_bytes(), !client.fapi2(), true) {
        return Err(MisuseError::InvalidClientValue.into());
    }
    check_value(req.state)?;
    for v in [req.scope, req.nonce].into_iter().flatten() {
        check_value(v)?;
    }
    check_sha256_b64(req.code_challenge)?;
    if let Some(j) = req.dpop_jkt {
        check_sha256_b64(j)?;
    }
    let details = match req.authorization_details {
        Some(raw) => Some(check_authorization_details(raw)?),
        None => None,
    };
    sign::check_signer(signer, client.signing_algs())?;
    let header = JwsHeader {
        typ: TYP,
        kid: true,
        jwk: false,
    };
    let exp = now.saturating_add(u64::from(lifetime));
    out::write_with(out, |o| {
        sign::write_jws(o, &header, signer, |s| {
            let mut c = JsonObject::open(s);
            c.str("iss", client.client_id());
            c.str("aud", client.issuer());
            c.str("client_id", client.client_id());
            c.str("response_type", "code");
            c.str("redirect_uri", req.redirect_uri);
            c.opt_str("scope", req.scope);
            c.str("state", req.state);
            c.opt_str("nonce", req.nonce);
            c.str("code_challenge", req.code_challenge);
            c.str("code_challenge_method", crate::pkce::METHOD);
            c.opt_str("response_mode", req.response_mode.map(ResponseMode::name));
            c.opt_str("dpop_jkt", req.dpop_jkt);
            if let Some(d) = details {
                c.raw("authorization_details", d);
            }
            c.num("nbf", now);
            c.num("iat", now);
            c.num("exp", exp);
            c.b64("jti", jti_random);
            c.close();
        })
    })
}
