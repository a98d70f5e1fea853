//! The token endpoint (RFC 6749 §4.1.3, §6, §5): `authorization_code` and `refresh_token`
//! request bodies, the response, refresh-token rotation, and the DPoP nonce retry (RFC 9449
//! §8).
//!
//! A response is refused unless its `token_type` is what the request asked for: `DPoP` when
//! a DPoP proof was sent, `Bearer` otherwise (compared case-insensitively, RFC 6749 §5.1) — a
//! `Bearer` token after a proof is a downgrade. An error response is
//! [`TokenError::ErrorResponse`], or [`TokenError::UseDpopNonce`] when the server wants a
//! nonce: read the `DPoP-Nonce` header with [`dpop_nonce`] and retry with a fresh proof and
//! a fresh client assertion.

use crate::client::{ClientConfig, check_value};
use crate::client_auth::ClientAuth;
use crate::error::{Error, MisuseError, TokenError};
use crate::form::FormWriter;
use crate::json::{self, JStr, Kind, Value};
use crate::oauth::{ErrorResponse, RESPONSE_LIMITS};
use crate::out;

/// Longest `DPoP-Nonce` value accepted, in bytes.
pub const MAX_NONCE_LEN: usize = 512;

/// Writes an `authorization_code` grant body: `grant_type`, `code`, `redirect_uri` (the one
/// of the authorization request), `code_verifier`, then the client authentication; returns
/// its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an empty `code` or `redirect_uri`,
/// [`MisuseError::PkceVerifierInvalid`], [`Error::BufferTooSmall`].
pub fn write_code_request(
    client: &ClientConfig<'_>,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    auth: &ClientAuth<'_>,
    out: &mut [u8],
) -> Result<usize, Error> {
    check_value(code)?;
    check_value(redirect_uri)?;
    if !crate::pkce::is_valid_verifier(code_verifier.as_bytes()) {
        return Err(MisuseError::PkceVerifierInvalid.into());
    }
    auth.check()?;
    out::write_with(out, |o| {
        let mut f = FormWriter::new(o, true);
        f.pair("grant_type", b"authorization_code");
        f.pair("code", code.as_bytes());
        f.pair("redirect_uri", redirect_uri.as_bytes());
        f.pair("code_verifier", code_verifier.as_bytes());
        auth.write(&mut f, client.client_id());
        Ok(())
    })
}

/// Writes a `refresh_token` grant body: `grant_type`, `refresh_token`, `scope` if narrowing,
/// then the client authentication; returns its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an empty refresh token or scope,
/// [`Error::BufferTooSmall`].
pub fn write_refresh_request(
    client: &ClientConfig<'_>,
    refresh_token: &str,
    scope: Option<&str>,
    auth: &ClientAuth<'_>,
    out: &mut [u8],
) -> Result<usize, Error> {
    check_value(refresh_token)?;
    if let Some(s) = scope {
        check_value(s)?;
    }
    auth.check()?;
    out::write_with(out, |o| {
        let mut f = FormWriter::new(o, true);
        f.pair("grant_type", b"refresh_token");
        f.pair("refresh_token", refresh_token.as_bytes());
        f.opt_pair("scope", scope);
        auth.write(&mut f, client.client_id());
        Ok(())
    })
}

/// The `token_type` of an access token.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TokenType {
    /// `Bearer` (RFC 6750; also certificate-bound tokens, RFC 8705).
    Bearer = 0,
    /// `DPoP` (RFC 9449).
    DPoP = 1,
}

/// A successful token response whose `token_type` matched the request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TokenResponse<'a> {
    access_token: JStr<'a>,
    token_type: TokenType,
    expires_in: Option<u64>,
    refresh_token: Option<JStr<'a>>,
    id_token: Option<JStr<'a>>,
    scope: Option<JStr<'a>>,
}

impl<'a> TokenResponse<'a> {
    /// `access_token` (JSON-escaped text; copy with [`JStr::unescape_into`]).
    pub fn access_token(&self) -> JStr<'a> {
        self.access_token
    }
    /// `token_type`.
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }
    /// `expires_in`, seconds, if given.
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }
    /// A new `refresh_token`, if given (it replaces the previous one: [`RefreshToken`]).
    pub fn refresh_token(&self) -> Option<JStr<'a>> {
        self.refresh_token
    }
    /// `id_token`, if given (validate with [`crate::id_token::verify`]).
    pub fn id_token(&self) -> Option<JStr<'a>> {
        self.id_token
    }
    /// `scope`, if given (the granted scope when it differs from the requested one).
    pub fn scope(&self) -> Option<JStr<'a>> {
        self.scope
    }
}

fn opt_nonempty_str<'a>(v: Option<Value<'a>>) -> Result<Option<JStr<'a>>, Error> {
    match v {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) if v.kind() == Kind::String && !s.raw().is_empty() => Ok(Some(s)),
            _ => Err(TokenError::MemberType.into()),
        },
    }
}

/// Reads the token endpoint's answer: HTTP `status`, the JSON `body`, and whether the request
/// carried a DPoP proof.
///
/// # Errors
/// [`TokenError::UseDpopNonce`], [`TokenError::ErrorResponse`] (read the body with
/// [`ErrorResponse::parse`]), [`TokenError::UnexpectedStatus`]; JSON errors;
/// [`TokenError::AccessTokenMissing`], [`TokenError::TokenTypeMissing`],
/// [`TokenError::TokenTypeMismatch`], [`TokenError::ExpiresInInvalid`],
/// [`TokenError::MemberType`].
pub fn parse_response(
    status: u16,
    body: &[u8],
    dpop_sent: bool,
) -> Result<TokenResponse<'_>, Error> {
    if status != 200 {
        return Err(match ErrorResponse::parse(body) {
            Some(e) if (400..600).contains(&status) => {
                if e.error().eq_str("use_dpop_nonce") {
                    TokenError::UseDpopNonce
                } else {
                    TokenError::ErrorResponse
                }
            }
            _ => TokenError::UnexpectedStatus,
        }
        .into());
    }
    let obj = json::parse_object(body, &RESPONSE_LIMITS)?;
    let [access, typ, expires, refresh, id, scope] = obj.get_many([
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "id_token",
        "scope",
    ]);
    let access_token = opt_nonempty_str(access)
        .ok()
        .flatten()
        .ok_or(TokenError::AccessTokenMissing)?;
    let typ = typ
        .and_then(|v| v.as_str())
        .ok_or(TokenError::TokenTypeMissing)?;
    let mut typ_buf = [0u8; 8];
    let typ_text = typ
        .unescape_into(&mut typ_buf)
        .map_err(|_| TokenError::TokenTypeMismatch)?;
    let token_type = if typ_text.eq_ignore_ascii_case("DPoP") {
        TokenType::DPoP
    } else if typ_text.eq_ignore_ascii_case("Bearer") {
        TokenType::Bearer
    } else {
        return Err(TokenError::TokenTypeMismatch.into());
    };
    if (token_type == TokenType::DPoP) != dpop_sent {
        return Err(TokenError::TokenTypeMismatch.into());
    }
    let expires_in = match expires {
        None => None,
        Some(v) => Some(crate::par::uint(&v).ok_or(TokenError::ExpiresInInvalid)?),
    };
    Ok(TokenResponse {
        access_token,
        token_type,
        expires_in,
        refresh_token: opt_nonempty_str(refresh)?,
        id_token: opt_nonempty_str(id)?,
        scope: opt_nonempty_str(scope)?,
    })
}

/// Checks a `DPoP-Nonce` header value (`1*NQCHAR`, RFC 9449 §8.1) and returns it, to send as
/// the `nonce` of the next proof.
///
/// # Errors
/// [`TokenError::DpopNonceInvalid`] for an empty, over-long or ill-formed value.
pub fn dpop_nonce(header_value: &[u8]) -> Result<&str, Error> {
    let ok = !header_value.is_empty()
        && header_value.len() <= MAX_NONCE_LEN
        && header_value
            .iter()
            .all(|&b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E));
    if !ok {
        return Err(TokenError::DpopNonceInvalid.into());
    }
    core::str::from_utf8(header_value).map_err(|_| TokenError::DpopNonceInvalid.into())
}

/// The client's current refresh token, in caller memory (plain data). Refresh-token rotation:
/// after each successful refresh, [`RefreshToken::rotate`] replaces it with the response's
/// new token, if the response has one (RFC 6749 §6, RFC 9700 §4.14.2).
#[derive(Clone, Debug)]
pub struct RefreshToken<const N: usize = 1024> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for RefreshToken<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RefreshToken<N> {
    /// No refresh token yet.
    pub const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    /// The current refresh token, if any.
    pub fn get(&self) -> Option<&str> {
        let b = self.bytes.get(..self.len)?;
        if b.is_empty() {
            return None;
        }
        core::str::from_utf8(b).ok()
    }

    /// Replaces the current token with the response's `refresh_token`, if it has one; returns
    /// whether it did. On error the current token is unchanged.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] if the new token is longer than `N`.
    pub fn rotate(&mut self, response: &TokenResponse<'_>) -> Result<bool, Error> {
        let Some(new) = response.refresh_token() else {
            return Ok(false);
        };
        let needed = new.unescaped_len();
        if needed > N {
            return Err(Error::BufferTooSmall { needed });
        }
        let n = new.unescape_into(&mut self.bytes)?.len();
        self.len = n;
        Ok(true)
    }

    /// Sets the token (e.g. one restored from the host's storage).
    ///
    /// # Errors
    /// [`MisuseError::InvalidClientValue`] for an empty value or control characters;
    /// [`Error::BufferTooSmall`] if longer than `N`.
    pub fn set(&mut self, token: &str) -> Result<(), Error> {
        check_value(token)?;
        let dst = self
            .bytes
            .get_mut(..token.len())
            .ok_or(Error::BufferTooSmall {
                needed: token.len(),
            })?;
        dst.copy_from_slice(token.as_bytes());
        self.len = token.len();
        Ok(())
    }

    /// Forgets the token (e.g. after the server refused it with `invalid_grant`).
    pub fn clear(&mut self) {
        self.bytes.fill(0);
        self.len = 0;
    }
}
