//! The one error type of fapi-core, its stable numeric codes, and its mapping to OAuth errors
//! and HTTP statuses (RFC 6750 §3.1, RFC 9449 §7.1).
//!
//! Codes are grouped in bands and never reused: JSON 100–199, JWS 200–299, JWK/JWKS 300–399,
//! claims 400–499, DPoP 500–599, mTLS 600–699, request 700–799, capacity 800–899,
//! misuse 900–999. Tests pin every code; a code's meaning never changes once released.

/// Every way fapi-core refuses an input or a call.
///
/// `Copy` and small, so it can be returned from the hot path and mapped to C result codes in
/// one place. Caller misuse (`Misuse`, `BufferTooSmall`) is kept apart from attacker input.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The bytes are not acceptable JSON (syntax, UTF-8, limits, duplicates).
    Json(JsonError),
    /// The compact JWS is malformed, its header is refused, or its signature does not verify.
    Jws(JwsError),
    /// A JWK or JWKS is refused, or no usable key matches the token.
    Jwk(JwkError),
    /// A JWT claim is missing, malformed or does not hold.
    Claims(ClaimsError),
    /// Fixed-size storage is full.
    Capacity(CapacityError),
    /// The caller broke an API contract (configuration or buffers).
    Misuse(MisuseError),
    /// An output buffer is too small; `needed` bytes are required.
    BufferTooSmall {
        /// Bytes the output needs.
        needed: usize,
    },
}

/// JSON refusals (band 100).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum JsonError {
    /// Not RFC 8259 JSON (bad token, trailing data, unbalanced brackets, bad number).
    Syntax = 100,
    /// Bytes that are not well-formed UTF-8.
    InvalidUtf8 = 101,
    /// An invalid escape, or a `\u` surrogate that is not part of a pair.
    InvalidEscape = 102,
    /// A raw control character (U+0000–U+001F) inside a string.
    ControlCharacter = 103,
    /// Nesting deeper than the configured limit.
    DepthExceeded = 104,
    /// An object with more members than the configured limit.
    TooManyMembers = 105,
    /// The same member name twice in one object, compared after unescaping.
    DuplicateMember = 106,
    /// The document is larger than the configured limit.
    TooLarge = 107,
    /// The document is valid JSON but not an object where one is required.
    NotObject = 108,
}

/// JWS refusals (band 200).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum JwsError {
    /// Not exactly three `.`-separated segments.
    Segments = 200,
    /// The header segment is not canonical unpadded base64url.
    HeaderEncoding = 201,
    /// The payload segment is not canonical unpadded base64url.
    PayloadEncoding = 202,
    /// The signature segment is not canonical unpadded base64url.
    SignatureEncoding = 203,
    /// The decoded signature has the wrong length for the algorithm.
    SignatureLength = 204,
    /// The whole token is longer than the configured maximum.
    TokenTooLarge = 205,
    /// The decoded header is larger than the configured maximum.
    HeaderTooLarge = 206,
    /// The decoded payload is larger than the configured maximum.
    PayloadTooLarge = 207,
    /// The header has no `alg`.
    AlgMissing = 210,
    /// `alg` is `none` (in any spelling).
    AlgNone = 211,
    /// `alg` is a symmetric (HMAC) algorithm, never accepted.
    AlgSymmetric = 212,
    /// `alg` is known but not in the configured allowlist.
    AlgNotAllowed = 213,
    /// `alg` is not an algorithm fapi knows.
    AlgUnknown = 214,
    /// The header has `crit`: fapi understands no extension.
    CritPresent = 215,
    /// The header has `b64` (RFC 7797): refused.
    B64Present = 216,
    /// The header has no `typ` where one is required.
    TypMissing = 217,
    /// `typ` is not the expected media type.
    TypMismatch = 218,
    /// A header member fapi reads (`alg`, `kid`, `typ`) has the wrong JSON type or size.
    HeaderMemberType = 219,
    /// The signature does not verify (any failure of the signature equation, including
    /// scalars out of range). Deliberately one opaque code.
    BadSignature = 220,
}

/// JWK and JWKS refusals (band 300).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum JwkError {
    /// The token's `kid` is not in the key set: the host may refresh its JWKS (rate-limited).
    UnknownKid = 300,
    /// The token has no `kid` and no key in the set is compatible with its `alg`.
    NoMatchingKey = 301,
    /// More than one key could verify the token: selection must be unambiguous.
    AmbiguousKey = 302,
    /// The key named by `kid` cannot be used with the token's `alg`.
    AlgKeyMismatch = 303,
    /// The JWKS is not an object with a `keys` array.
    SetMalformed = 310,
    /// A key lacks a required member or a member has the wrong JSON type.
    KeyMalformed = 311,
    /// A key carries private or symmetric key material (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`).
    KeyPrivate = 312,
    /// An EC public key is not a point on its curve.
    EcPointInvalid = 313,
    /// A coordinate or key value has the wrong decoded length.
    KeyLength = 314,
    /// An Ed25519 public key does not decode or is a weak (small-order) key.
    OkpKeyInvalid = 315,
    /// `kid` is longer than [`crate::jwk::MAX_KID_LEN`].
    KidTooLong = 316,
    /// A key member is not canonical unpadded base64url.
    KeyEncoding = 317,
    /// The key set holds no key usable for verification.
    NoUsableKeys = 318,
}

/// JWT claim refusals (band 400).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ClaimsError {
    /// `iss` is missing.
    IssMissing = 400,
    /// `iss` is not exactly the configured issuer.
    IssMismatch = 401,
    /// `aud` is missing.
    AudMissing = 402,
    /// `aud` does not contain the configured audience.
    AudMismatch = 403,
    /// `aud` is neither a string nor an array of strings.
    AudMalformed = 404,
    /// `exp` is missing.
    ExpMissing = 405,
    /// The token has expired (`now >= exp + leeway`).
    Expired = 406,
    /// `nbf` is in the future beyond the leeway.
    NotYetValid = 407,
    /// `iat` is in the future beyond the leeway.
    IssuedInFuture = 408,
    /// A NumericDate is not a non-negative JSON number without exponent.
    TimeMalformed = 409,
    /// A NumericDate is beyond the supported range (year 5138).
    TimeOutOfRange = 410,
    /// `cnf` is present but not an object holding a supported method (`jkt`, `x5t#S256`).
    CnfUnsupported = 411,
    /// A claim fapi reads has the wrong JSON type.
    ClaimType = 412,
}

/// Capacity refusals (band 800): fixed storage is full. Fail closed, never evict live state.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CapacityError {
    /// A JWKS has more usable keys than the key-set capacity.
    KeySetFull = 800,
}

/// Caller misuse (band 900): never caused by request bytes alone.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum MisuseError {
    /// Leeway above 60 s without the explicit unsafe option.
    LeewayTooLarge = 900,
    /// The expected issuer is empty.
    EmptyIssuer = 901,
    /// The expected audience is empty.
    EmptyAudience = 902,
    /// The algorithm allowlist is empty.
    EmptyAllowlist = 903,
    /// An algorithm in the allowlist is not available in this build.
    AlgUnavailable = 904,
    /// A limit is zero or above its hard cap.
    LimitOutOfRange = 905,
    /// The caller's scratch is smaller than the configured limits need.
    ScratchTooSmall = 906,
    /// An argument is out of its documented range.
    InvalidArgument = 907,
}

/// The OAuth error attribute of a refusal (RFC 6750 §3.1, RFC 9449 §7.1).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OAuthError {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_token`.
    InvalidToken,
    /// `insufficient_scope`.
    InsufficientScope,
    /// `invalid_dpop_proof`.
    InvalidDpopProof,
    /// `use_dpop_nonce`.
    UseDpopNonce,
    /// No OAuth error attribute applies (capacity, misuse).
    None,
}

impl OAuthError {
    /// The attribute value as written in a `WWW-Authenticate` challenge, or `""` for `None`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::None => "",
        }
    }
}

impl Error {
    /// The stable numeric code of this error (see the module doc for bands).
    pub const fn code(self) -> u16 {
        match self {
            Self::Json(e) => e as u16,
            Self::Jws(e) => e as u16,
            Self::Jwk(e) => e as u16,
            Self::Claims(e) => e as u16,
            Self::Capacity(e) => e as u16,
            Self::Misuse(e) => e as u16,
            Self::BufferTooSmall { .. } => 950,
        }
    }

    /// The OAuth error a resource server answers with when this error refuses a request.
    pub const fn oauth_error(self) -> OAuthError {
        match self {
            Self::Json(_) | Self::Jws(_) | Self::Claims(_) => OAuthError::InvalidToken,
            Self::Jwk(e) => match e {
                JwkError::UnknownKid
                | JwkError::NoMatchingKey
                | JwkError::AmbiguousKey
                | JwkError::AlgKeyMismatch => OAuthError::InvalidToken,
                _ => OAuthError::None,
            },
            Self::Capacity(_) | Self::Misuse(_) | Self::BufferTooSmall { .. } => OAuthError::None,
        }
    }

    /// The HTTP status a resource server answers with when this error refuses a request.
    pub const fn http_status(self) -> u16 {
        match self.oauth_error() {
            OAuthError::InvalidRequest => 400,
            OAuthError::InsufficientScope => 403,
            OAuthError::InvalidToken | OAuthError::InvalidDpopProof | OAuthError::UseDpopNonce => {
                401
            }
            OAuthError::None => match self {
                Self::Capacity(_) => 503,
                _ => 500,
            },
        }
    }

    /// A short, stable, human-readable name of the error (never contains input bytes).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Json(e) => match e {
                JsonError::Syntax => "json_syntax",
                JsonError::InvalidUtf8 => "json_invalid_utf8",
                JsonError::InvalidEscape => "json_invalid_escape",
                JsonError::ControlCharacter => "json_control_character",
                JsonError::DepthExceeded => "json_depth_exceeded",
                JsonError::TooManyMembers => "json_too_many_members",
                JsonError::DuplicateMember => "json_duplicate_member",
                JsonError::TooLarge => "json_too_large",
                JsonError::NotObject => "json_not_object",
            },
            Self::Jws(e) => match e {
                JwsError::Segments => "jws_segments",
                JwsError::HeaderEncoding => "jws_header_encoding",
                JwsError::PayloadEncoding => "jws_payload_encoding",
                JwsError::SignatureEncoding => "jws_signature_encoding",
                JwsError::SignatureLength => "jws_signature_length",
                JwsError::TokenTooLarge => "jws_token_too_large",
                JwsError::HeaderTooLarge => "jws_header_too_large",
                JwsError::PayloadTooLarge => "jws_payload_too_large",
                JwsError::AlgMissing => "jws_alg_missing",
                JwsError::AlgNone => "jws_alg_none",
                JwsError::AlgSymmetric => "jws_alg_symmetric",
                JwsError::AlgNotAllowed => "jws_alg_not_allowed",
                JwsError::AlgUnknown => "jws_alg_unknown",
                JwsError::CritPresent => "jws_crit_present",
                JwsError::B64Present => "jws_b64_present",
                JwsError::TypMissing => "jws_typ_missing",
                JwsError::TypMismatch => "jws_typ_mismatch",
                JwsError::HeaderMemberType => "jws_header_member_type",
                JwsError::BadSignature => "jws_bad_signature",
            },
            Self::Jwk(e) => match e {
                JwkError::UnknownKid => "jwk_unknown_kid",
                JwkError::NoMatchingKey => "jwk_no_matching_key",
                JwkError::AmbiguousKey => "jwk_ambiguous_key",
                JwkError::AlgKeyMismatch => "jwk_alg_key_mismatch",
                JwkError::SetMalformed => "jwk_set_malformed",
                JwkError::KeyMalformed => "jwk_key_malformed",
                JwkError::KeyPrivate => "jwk_key_private",
                JwkError::EcPointInvalid => "jwk_ec_point_invalid",
                JwkError::KeyLength => "jwk_key_length",
                JwkError::OkpKeyInvalid => "jwk_okp_key_invalid",
                JwkError::KidTooLong => "jwk_kid_too_long",
                JwkError::KeyEncoding => "jwk_key_encoding",
                JwkError::NoUsableKeys => "jwk_no_usable_keys",
            },
            Self::Claims(e) => match e {
                ClaimsError::IssMissing => "claims_iss_missing",
                ClaimsError::IssMismatch => "claims_iss_mismatch",
                ClaimsError::AudMissing => "claims_aud_missing",
                ClaimsError::AudMismatch => "claims_aud_mismatch",
                ClaimsError::AudMalformed => "claims_aud_malformed",
                ClaimsError::ExpMissing => "claims_exp_missing",
                ClaimsError::Expired => "claims_expired",
                ClaimsError::NotYetValid => "claims_not_yet_valid",
                ClaimsError::IssuedInFuture => "claims_issued_in_future",
                ClaimsError::TimeMalformed => "claims_time_malformed",
                ClaimsError::TimeOutOfRange => "claims_time_out_of_range",
                ClaimsError::CnfUnsupported => "claims_cnf_unsupported",
                ClaimsError::ClaimType => "claims_claim_type",
            },
            Self::Capacity(e) => match e {
                CapacityError::KeySetFull => "capacity_key_set_full",
            },
            Self::Misuse(e) => match e {
                MisuseError::LeewayTooLarge => "misuse_leeway_too_large",
                MisuseError::EmptyIssuer => "misuse_empty_issuer",
                MisuseError::EmptyAudience => "misuse_empty_audience",
                MisuseError::EmptyAllowlist => "misuse_empty_allowlist",
                MisuseError::AlgUnavailable => "misuse_alg_unavailable",
                MisuseError::LimitOutOfRange => "misuse_limit_out_of_range",
                MisuseError::ScratchTooSmall => "misuse_scratch_too_small",
                MisuseError::InvalidArgument => "misuse_invalid_argument",
            },
            Self::BufferTooSmall { .. } => "buffer_too_small",
        }
    }
}

impl From<JsonError> for Error {
    fn from(e: JsonError) -> Self {
        Self::Json(e)
    }
}
impl From<JwsError> for Error {
    fn from(e: JwsError) -> Self {
        Self::Jws(e)
    }
}
impl From<JwkError> for Error {
    fn from(e: JwkError) -> Self {
        Self::Jwk(e)
    }
}
impl From<ClaimsError> for Error {
    fn from(e: ClaimsError) -> Self {
        Self::Claims(e)
    }
}
impl From<CapacityError> for Error {
    fn from(e: CapacityError) -> Self {
        Self::Capacity(e)
    }
}
impl From<MisuseError> for Error {
    fn from(e: MisuseError) -> Self {
        Self::Misuse(e)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl core::error::Error for Error {}
