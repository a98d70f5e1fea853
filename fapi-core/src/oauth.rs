//! OAuth error responses of the PAR and token endpoints (RFC 6749 §5.2, RFC 9126 §2.3) and the
//! JSON limits of endpoint responses.

use crate::json::{self, JStr, JsonLimits, Kind, Object};

/// Limits for PAR and token endpoint responses: depth 8, 64 members per object, 32 KiB.
pub const RESPONSE_LIMITS: JsonLimits = JsonLimits {
    max_depth: 8,
    max_members: json::MAX_MEMBERS_CAP,
    max_len: 32 * 1024,
};

/// An OAuth error response: `error`, and `error_description` / `error_uri` when they are
/// strings. Values are borrowed, still JSON-escaped; compare with [`JStr::eq_str`] or copy
/// with [`JStr::unescape_into`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse<'a> {
    error: JStr<'a>,
    description: Option<JStr<'a>>,
    uri: Option<JStr<'a>>,
}

impl<'a> ErrorResponse<'a> {
    /// Reads an error response body; `None` if it is not a JSON object with a string
    /// `error`.
    pub fn parse(body: &'a [u8]) -> Option<Self> {
        let obj = json::parse_object(body, &RESPONSE_LIMITS).ok()?;
        Self::from_object(&obj)
    }

    /// Reads the error members of an already parsed object.
    pub(crate) fn from_object(obj: &Object<'a>) -> Option<Self> {
        let [error, description, uri] = obj.get_many(["error", "error_description", "error_uri"]);
        let string = |v: Option<json::Value<'a>>| {
            v.filter(|v| v.kind() == Kind::String)
                .and_then(|v| v.as_str())
        };
        Some(Self {
            error: string(error)?,
            description: string(description),
            uri: string(uri),
        })
    }

    /// `error` (e.g. `invalid_request`, `use_dpop_nonce`).
    pub fn error(&self) -> JStr<'a> {
        self.error
    }
    /// `error_description`, if a string.
    pub fn description(&self) -> Option<JStr<'a>> {
        self.description
    }
    /// `error_uri`, if a string.
    pub fn uri(&self) -> Option<JStr<'a>> {
        self.uri
    }
}
