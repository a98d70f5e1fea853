//! Pushed authorization requests (RFC 9126): the form body that pushes a signed request
//! object, the server's answer, and the authorization URL that follows.
//!
//! Body: `request` (the request object of [`crate::jar`]), `dpop_jkt` when the client binds
//! the authorization code to its DPoP key (RFC 9449 §10), then `client_id` and the client
//! authentication parameters. Answer: `201` (or `200`) with `request_uri` and `expires_in`;
//! an OAuth error otherwise. URL: the authorization endpoint with `client_id` and
//! `request_uri` only (RFC 9126 §4).

use crate::client::{ClientConfig, check_sha256_b64, check_value};
use crate::client_auth::ClientAuth;
use crate::error::{Error, MisuseError, ParError};
use crate::form::FormWriter;
use crate::json::{self, JStr, Kind};
use crate::oauth::{ErrorResponse, RESPONSE_LIMITS};
use crate::out::{self, Sink};

/// Longest `request_uri` accepted, in bytes (escaped).
pub const MAX_REQUEST_URI_LEN: usize = 2048;

/// Writes the `application/x-www-form-urlencoded` PAR body and returns its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an empty request object or assertion or a bad
/// `dpop_jkt`; [`Error::BufferTooSmall`] with the length needed.
pub fn write_body(
    client: &ClientConfig<'_>,
    request_object: &str,
    auth: &ClientAuth<'_>,
    dpop_jkt: Option<&str>,
    out: &mut [u8],
) -> Result<usize, Error> {
    check_value(request_object)?;
    auth.check()?;
    if let Some(j) = dpop_jkt {
        check_sha256_b64(j)?;
    }
    out::write_with(out, |o| {
        let mut f = FormWriter::new(o, true);
        f.pair("request", request_object.as_bytes());
        f.opt_pair("dpop_jkt", dpop_jkt);
        auth.write(&mut f, client.client_id());
        Ok(())
    })
}

/// A successful PAR answer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Pushed<'a> {
    request_uri: JStr<'a>,
    expires_in: u64,
}

impl<'a> Pushed<'a> {
    /// `request_uri` (still JSON-escaped; see [`Pushed::request_uri_into`]).
    pub fn request_uri(&self) -> JStr<'a> {
        self.request_uri
    }
    /// Copies `request_uri` (unescaped) into `out` and returns its length.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn request_uri_into(&self, out: &mut [u8]) -> Result<usize, Error> {
        self.request_uri.unescape_into(out).map(str::len)
    }
    /// `expires_in`, seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }
}

/// Reads a non-negative integer JSON number (no fraction, no exponent, no sign).
pub(crate) fn uint(v: &json::Value<'_>) -> Option<u64> {
    let raw = v.as_number()?;
    if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for &d in raw {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

/// Reads the PAR endpoint's answer: HTTP `status` and the JSON `body`.
///
/// # Errors
/// [`ParError::ErrorResponse`] for an OAuth error body (read it with
/// [`ErrorResponse::parse`]); [`ParError::UnexpectedStatus`]; JSON errors;
/// [`ParError::RequestUriMissing`], [`ParError::RequestUriInvalid`],
/// [`ParError::ExpiresInMissing`], [`ParError::ExpiresInInvalid`].
pub fn parse_response(status: u16, body: &[u8]) -> Result<Pushed<'_>, Error> {
    if !matches!(status, 200 | 201) {
        return Err(match ErrorResponse::parse(body) {
            Some(_) if (400..600).contains(&status) => ParError::ErrorResponse,
            _ => ParError::UnexpectedStatus,
        }
        .into());
    }
    let obj = json::parse_object(body, &RESPONSE_LIMITS)?;
    let [uri, expires_in] = obj.get_many(["request_uri", "expires_in"]);
    let uri = uri.ok_or(ParError::RequestUriMissing)?;
    let request_uri = uri
        .as_str()
        .filter(|s| uri.kind() == Kind::String && !s.raw().is_empty())
        .filter(|s| s.raw().len() <= MAX_REQUEST_URI_LEN)
        .ok_or(ParError::RequestUriInvalid)?;
    let expires_in = uint(&expires_in.ok_or(ParError::ExpiresInMissing)?)
        .filter(|&n| n > 0)
        .ok_or(ParError::ExpiresInInvalid)?;
    Ok(Pushed {
        request_uri,
        expires_in,
    })
}

/// Writes the authorization URL: `authorization_endpoint` (keeping any query it has) with
/// `client_id` and `request_uri` appended, both percent-encoded; returns its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an endpoint that is not an absolute http(s) URI
/// without fragment, or an empty `request_uri`; [`Error::BufferTooSmall`].
pub fn write_authorization_url(
    authorization_endpoint: &str,
    client_id: &str,
    request_uri: &str,
    out: &mut [u8],
) -> Result<usize, Error> {
    let ep = authorization_endpoint.as_bytes();
    if !crate::form::is_web_uri(ep, true, true) {
        return Err(MisuseError::InvalidClientValue.into());
    }
    check_value(client_id)?;
    check_value(request_uri)?;
    let has_query = ep.contains(&b'?');
    out::write_with(out, |o| {
        o.put(ep);
        match ep.last() {
            Some(b'?' | b'&') => {}
            _ if has_query => o.put(b"&"),
            _ => o.put(b"?"),
        }
        let mut f = FormWriter::new(o, true);
        f.pair("client_id", client_id.as_bytes());
        f.pair("request_uri", request_uri.as_bytes());
        Ok(())
    })
}
