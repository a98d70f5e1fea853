//! Discovery: RFC 8414 authorization server metadata (and OpenID Connect Discovery 1.0
//! documents) parsed into the borrowed view a client needs.
//!
//! [`parse`] checks once, in this order: strict JSON; `issuer` present and exactly the
//! configured issuer (RFC 8414 §3.3, the mix-up defence); every endpoint fapi knows an
//! absolute `https` URI without fragment, in the document and in `mtls_endpoint_aliases`
//! (RFC 8705 §5); every member fapi reads of its JSON type (booleans, arrays of strings);
//! `code_challenge_methods_supported`, when present, lists `S256`. After `Ok` the accessors
//! never fail on types and never allocate.

use crate::error::{Error, MetadataError};
use crate::json::{self, JStr, JsonLimits, Kind, Object, Value};
use crate::jws::{Alg, AlgSet};

/// Limits for metadata documents: depth 8, 64 members per object, 32 KiB.
pub const METADATA_LIMITS: JsonLimits = JsonLimits {
    max_depth: 8,
    max_members: json::MAX_MEMBERS_CAP,
    max_len: 32 * 1024,
};

/// An endpoint of the authorization server.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Endpoint {
    /// `authorization_endpoint`.
    Authorization = 0,
    /// `token_endpoint`.
    Token = 1,
    /// `pushed_authorization_request_endpoint` (RFC 9126).
    PushedAuthorizationRequest = 2,
    /// `jwks_uri`.
    Jwks = 3,
    /// `userinfo_endpoint`.
    Userinfo = 4,
    /// `revocation_endpoint`.
    Revocation = 5,
    /// `introspection_endpoint`.
    Introspection = 6,
    /// `end_session_endpoint`.
    EndSession = 7,
}

impl Endpoint {
    /// Every endpoint, in a fixed order.
    pub const ALL: [Endpoint; 8] = [
        Self::Authorization,
        Self::Token,
        Self::PushedAuthorizationRequest,
        Self::Jwks,
        Self::Userinfo,
        Self::Revocation,
        Self::Introspection,
        Self::EndSession,
    ];

    /// The metadata member name.
    pub const fn member(self) -> &'static str {
        match self {
            Self::Authorization => "authorization_endpoint",
            Self::Token => "token_endpoint",
            Self::PushedAuthorizationRequest => "pushed_authorization_request_endpoint",
            Self::Jwks => "jwks_uri",
            Self::Userinfo => "userinfo_endpoint",
            Self::Revocation => "revocation_endpoint",
            Self::Introspection => "introspection_endpoint",
            Self::EndSession => "end_session_endpoint",
        }
    }
}

/// A metadata member listing algorithms.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AlgList {
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1).
    DpopSigning = 0,
    /// `request_object_signing_alg_values_supported`.
    RequestObjectSigning = 1,
    /// `token_endpoint_auth_signing_alg_values_supported`.
    TokenEndpointAuthSigning = 2,
    /// `authorization_signing_alg_values_supported` (JARM).
    AuthorizationSigning = 3,
    /// `id_token_signing_alg_values_supported`.
    IdTokenSigning = 4,
}

impl AlgList {
    /// Every list, in a fixed order.
    pub const ALL: [AlgList; 5] = [
        Self::DpopSigning,
        Self::RequestObjectSigning,
        Self::TokenEndpointAuthSigning,
        Self::AuthorizationSigning,
        Self::IdTokenSigning,
    ];

    /// The metadata member name.
    pub const fn member(self) -> &'static str {
        match self {
            Self::DpopSigning => "dpop_signing_alg_values_supported",
            Self::RequestObjectSigning => "request_object_signing_alg_values_supported",
            Self::TokenEndpointAuthSigning => "token_endpoint_auth_signing_alg_values_supported",
            Self::AuthorizationSigning => "authorization_signing_alg_values_supported",
            Self::IdTokenSigning => "id_token_signing_alg_values_supported",
        }
    }
}

/// Boolean metadata members fapi reads.
const BOOLS: [&str; 4] = [
    "authorization_response_iss_parameter_supported",
    "require_pushed_authorization_requests",
    "tls_client_certificate_bound_access_tokens",
    "require_signed_request_object",
];

/// String-array metadata members fapi reads (besides the [`AlgList`]s).
const LISTS: [&str; 5] = [
    "code_challenge_methods_supported",
    "response_modes_supported",
    "response_types_supported",
    "token_endpoint_auth_methods_supported",
    "grant_types_supported",
];

/// How strictly endpoints are checked.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// UNSAFE outside tests: accept `http` endpoints (e.g. an authorization server on
    /// loopback). RFC 8414 and FAPI 2.0 require TLS.
    pub allow_http: bool,
}

/// Checked authorization server metadata, borrowing the document. Only [`parse`] builds it.
#[derive(Copy, Clone, Debug)]
pub struct Metadata<'a> {
    object: Object<'a>,
    issuer: JStr<'a>,
}

fn endpoint_ok(v: &Value<'_>, opts: MetadataOptions) -> Result<(), Error> {
    let s = v.as_str().ok_or(MetadataError::MemberType)?;
    if crate::form::web_uri_ok(s.bytes(), opts.allow_http, true) {
        Ok(())
    } else {
        Err(MetadataError::EndpointInvalid.into())
    }
}

fn string_list_ok(v: &Value<'_>) -> Result<(), Error> {
    let elements = v.as_array().ok_or(MetadataError::MemberType)?;
    for e in elements {
        if e.kind() != Kind::String {
            return Err(MetadataError::MemberType.into());
        }
    }
    Ok(())
}

/// Parses and checks metadata fetched from the authorization server whose issuer identifier
/// is `expected_issuer`.
///
/// # Errors
/// JSON errors; [`MetadataError::IssuerMissing`], [`MetadataError::IssuerMismatch`],
/// [`MetadataError::EndpointInvalid`], [`MetadataError::MemberType`],
/// [`MetadataError::PkceS256Unsupported`].
pub fn parse<'a>(
    json_bytes: &'a [u8],
    expected_issuer: &str,
    opts: MetadataOptions,
) -> Result<Metadata<'a>, Error> {
    let object = json::parse_object(json_bytes, &METADATA_LIMITS)?;
    let issuer = object
        .get("issuer")
        .ok_or(MetadataError::IssuerMissing)?
        .as_str()
        .ok_or(MetadataError::MemberType)?;
    if expected_issuer.is_empty() || !issuer.eq_str(expected_issuer) {
        return Err(MetadataError::IssuerMismatch.into());
    }
    for e in Endpoint::ALL {
        if let Some(v) = object.get(e.member()) {
            endpoint_ok(&v, opts)?;
        }
    }
    if let Some(aliases) = object.get("mtls_endpoint_aliases") {
        let aliases = aliases.as_object().ok_or(MetadataError::MemberType)?;
        for (_, v) in aliases.members() {
            endpoint_ok(&v, opts)?;
        }
    }
    for name in BOOLS {
        if let Some(v) = object.get(name)
            && v.kind() != Kind::Bool
        {
            return Err(MetadataError::MemberType.into());
        }
    }
    for name in LISTS
        .iter()
        .copied()
        .chain(AlgList::ALL.map(AlgList::member))
    {
        if let Some(v) = object.get(name) {
            string_list_ok(&v)?;
        }
    }
    let md = Metadata { object, issuer };
    if md.object.contains("code_challenge_methods_supported")
        && !md.lists("code_challenge_methods_supported", "S256")
    {
        return Err(MetadataError::PkceS256Unsupported.into());
    }
    Ok(md)
}

impl<'a> Metadata<'a> {
    /// The whole document (for members fapi does not read).
    pub fn object(&self) -> Object<'a> {
        self.object
    }

    /// `issuer` (equal to the configured issuer).
    pub fn issuer(&self) -> JStr<'a> {
        self.issuer
    }

    /// The endpoint `e` from the document.
    ///
    /// # Errors
    /// [`MetadataError::EndpointMissing`].
    pub fn endpoint(&self, e: Endpoint) -> Result<JStr<'a>, Error> {
        self.object
            .get(e.member())
            .and_then(|v| v.as_str())
            .ok_or(MetadataError::EndpointMissing.into())
    }

    /// The endpoint `e` to use: its `mtls_endpoint_aliases` entry when the client
    /// authenticates or binds tokens with mTLS (`mtls`) and the server lists one (RFC 8705
    /// §5), else the plain one.
    ///
    /// # Errors
    /// [`MetadataError::EndpointMissing`].
    pub fn endpoint_for(&self, e: Endpoint, mtls: bool) -> Result<JStr<'a>, Error> {
        if mtls
            && let Some(alias) = self
                .object
                .get("mtls_endpoint_aliases")
                .and_then(|a| a.as_object())
                .and_then(|a| a.get(e.member()))
                .and_then(|v| v.as_str())
        {
            return Ok(alias);
        }
        self.endpoint(e)
    }

    /// Copies [`Metadata::endpoint_for`] into `out` (unescaped) and returns its length.
    ///
    /// # Errors
    /// [`MetadataError::EndpointMissing`], [`Error::BufferTooSmall`].
    pub fn endpoint_into(&self, e: Endpoint, mtls: bool, out: &mut [u8]) -> Result<usize, Error> {
        let s = self.endpoint_for(e, mtls)?;
        s.unescape_into(out).map(str::len)
    }

    fn flag(&self, name: &str) -> bool {
        self.object.get(name).map(|v| v.raw()) == Some(b"true".as_slice())
    }

    fn lists(&self, member: &str, value: &str) -> bool {
        self.object
            .get(member)
            .and_then(|v| v.as_array())
            .is_some_and(|mut it| it.any(|e| e.as_str().is_some_and(|s| s.eq_str(value))))
    }

    /// `authorization_response_iss_parameter_supported` (RFC 9207): when true, plain
    /// authorization responses must carry `iss`.
    pub fn iss_parameter_supported(&self) -> bool {
        self.flag("authorization_response_iss_parameter_supported")
    }

    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    pub fn requires_par(&self) -> bool {
        self.flag("require_pushed_authorization_requests")
    }

    /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.3).
    pub fn certificate_bound_tokens(&self) -> bool {
        self.flag("tls_client_certificate_bound_access_tokens")
    }

    /// The algorithms fapi knows among those `list` names (empty if absent).
    pub fn algs(&self, list: AlgList) -> AlgSet {
        let mut bits = 0u32;
        if let Some(elements) = self.object.get(list.member()).and_then(|v| v.as_array()) {
            for e in elements {
                if let Some(a) = e.as_str().as_ref().and_then(Alg::from_jstr) {
                    bits |= AlgSet::of(&[a]).bits();
                }
            }
        }
        AlgSet::from_bits(bits).unwrap_or(AlgSet::EMPTY)
    }

    /// `dpop_signing_alg_values_supported`, as [`Metadata::algs`].
    pub fn dpop_algs(&self) -> AlgSet {
        self.algs(AlgList::DpopSigning)
    }

    /// Whether `response_modes_supported` lists `mode` (e.g. `jwt`, `query.jwt`).
    pub fn supports_response_mode(&self, mode: &str) -> bool {
        self.lists("response_modes_supported", mode)
    }

    /// Whether `token_endpoint_auth_methods_supported` lists `method` (e.g.
    /// `private_key_jwt`, `tls_client_auth`, `self_signed_tls_client_auth`).
    pub fn supports_auth_method(&self, method: &str) -> bool {
        self.lists("token_endpoint_auth_methods_supported", method)
    }
}
