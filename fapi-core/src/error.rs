//! The one error type of fapi-core, its stable numeric codes, and its mapping to OAuth errors
//! and HTTP statuses (RFC 6750 §3.1, RFC 9449 §7.1).
//!
//! Codes are grouped in bands and never reused: JSON 100–199, JWS 200–299, JWK/JWKS 300–399,
//! claims 400–499, DPoP 500–599, mTLS 600–699, request 700–799, capacity 800–899,
//! misuse 900–999, and 1100–1399: a JSON, JWS or JWK defect (codes 100–399) found in a DPoP
//! proof rather than in the access token (proof code = 1000 + token code). The client side
//! has the band 2000–2999, one sub-band per object: discovery metadata 2000, PAR 2100,
//! authorization response (JARM and plain) 2200, token endpoint 2300, ID token 2400, signing
//! 2500. A JWS, JWK or claim defect of a JARM response or an ID token keeps its code of
//! bands 200–499 (the call says which object it was). Tests pin every code; a code's meaning
//! never changes once released.

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
    /// A DPoP proof or a binding between token, proof and certificate is refused.
    Dpop(DpopError),
    /// A JSON, JWS or JWK defect in a DPoP proof (code = 1000 + the token-side code).
    Proof(ProofDefect),
    /// Certificate binding (RFC 8705) refusals.
    Mtls(MtlsError),
    /// The HTTP request itself is refused (credentials, target, scope).
    Request(RequestError),
    /// Fixed-size storage is full.
    Capacity(CapacityError),
    /// The caller broke an API contract (configuration or buffers).
    Misuse(MisuseError),
    /// Client side: discovery metadata is refused.
    Metadata(MetadataError),
    /// Client side: a pushed authorization request (PAR) response is refused or an error.
    Par(ParError),
    /// Client side: an authorization response (JARM or plain) is refused or an error.
    AuthResponse(AuthResponseError),
    /// Client side: a token endpoint response is refused or an error.
    Token(TokenError),
    /// Client side: an ID token is refused.
    IdToken(IdTokenError),
    /// Client side: a signing key or signer is refused.
    Sign(SignError),
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
    /// An RSA modulus shorter than 2048 or longer than 4096 bits.
    RsaModulusSize = 319,
    /// An RSA modulus with a leading zero octet (RFC 7518 §6.3.1.1: no leading zeros).
    RsaModulusLeadingZero = 320,
    /// An even RSA modulus (not a product of two odd primes).
    RsaModulusEven = 321,
    /// An RSA public exponent that is even, below 3, longer than 4 octets, or has a leading
    /// zero octet.
    RsaExponent = 322,
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
    /// An introspection result that is not `"active": true` (RFC 7662 §2.2).
    Inactive = 413,
}

/// A token-side defect class found in a DPoP proof instead.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProofDefect {
    /// The proof's JSON is refused.
    Json(JsonError),
    /// The proof's JWS form, header or signature is refused.
    Jws(JwsError),
    /// The proof's `jwk` is refused.
    Jwk(JwkError),
}

impl ProofDefect {
    /// Moves a token-side error found while checking a proof into the proof band; other
    /// errors pass through unchanged.
    pub fn wrap(e: Error) -> Error {
        match e {
            Error::Json(j) => Error::Proof(Self::Json(j)),
            Error::Jws(j) => Error::Proof(Self::Jws(j)),
            Error::Jwk(j) => Error::Proof(Self::Jwk(j)),
            other => other,
        }
    }
}

/// DPoP proof and binding refusals (band 500). Proof defects answer `invalid_dpop_proof`,
/// binding defects (500 + 30…) `invalid_token`, nonce defects `use_dpop_nonce`.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum DpopError {
    /// The `DPoP` scheme was used without a `DPoP` header field.
    ProofMissing = 500,
    /// More than one `DPoP` field (or one folded with commas).
    MultipleProofs = 501,
    /// The proof header has no `jwk`.
    JwkMissing = 502,
    /// The proof's `jwk` is well-formed but cannot verify (e.g. `use: enc`, unknown curve).
    JwkUnusable = 503,
    /// `htm` is missing.
    HtmMissing = 504,
    /// `htm` is not the request method (case-sensitive).
    HtmMismatch = 505,
    /// `htu` is missing.
    HtuMissing = 506,
    /// `htu` does not equal the public base plus the request path after normalisation.
    HtuMismatch = 507,
    /// `htu` is not an absolute http(s) URI fapi can normalise.
    HtuInvalid = 508,
    /// `iat` is missing.
    IatMissing = 509,
    /// `iat` is older than the proof max age (`now > iat + max_age`).
    IatTooOld = 510,
    /// `iat` is in the future beyond the leeway.
    IatInFuture = 511,
    /// `jti` is missing.
    JtiMissing = 512,
    /// `jti` is longer than 256 bytes.
    JtiTooLong = 513,
    /// `ath` is missing while an access token is presented.
    AthMissing = 514,
    /// `ath` is not base64url(SHA-256(access token)).
    AthMismatch = 515,
    /// A nonce is required and the proof has none (`use_dpop_nonce`).
    NonceMissing = 516,
    /// The proof's nonce is not a current server nonce (`use_dpop_nonce`).
    NonceInvalid = 517,
    /// This (key, `jti`) pair was already used.
    Replayed = 518,
    /// A proof claim fapi reads has the wrong JSON type.
    ClaimType = 519,
    /// The replay store said the pair was seen (two-phase decision).
    ReplayedExternal = 520,
    /// The proof key's thumbprint is not the token's `cnf.jkt` (`invalid_token`).
    JktMismatch = 530,
    /// The `DPoP` scheme with a token that is not DPoP-bound (`invalid_token`).
    TokenNotBound = 531,
    /// A DPoP-bound token presented with the `Bearer` scheme (`invalid_token`).
    BearerDowngrade = 532,
    /// A DPoP-bound token while DPoP is off (`invalid_token`).
    DpopDisabled = 533,
    /// An unbound token where a sender constraint is required (`invalid_token`).
    BindingRequired = 534,
    /// A proof's expected `jkt` (standalone check) does not match its key (`invalid_dpop_proof`).
    ExpectedJktMismatch = 535,
}

/// Certificate-binding refusals (band 600).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum MtlsError {
    /// The token is certificate-bound and no client certificate came with the request.
    CertMissing = 600,
    /// The client certificate's SHA-256 thumbprint is not the token's `cnf["x5t#S256"]`.
    CertMismatch = 601,
    /// The client certificate could not be decoded (DER, PEM, escaped PEM, RFC 9440).
    CertMalformed = 602,
    /// `cnf["x5t#S256"]` is not canonical base64url of 32 bytes (padded, hex, SHA-1, …).
    CnfX5tMalformed = 603,
    /// A certificate-bound token while certificate binding is off.
    MtlsDisabled = 604,
}

/// Request-level refusals (band 700).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum RequestError {
    /// No credentials, or only an unsupported scheme: 401 with bare challenges.
    NoCredentials = 700,
    /// More than one `Authorization` field (or one folded with commas).
    MultipleAuthorization = 701,
    /// An `access_token` query parameter (RFC 6750 §2.3; refused always).
    TokenInQuery = 702,
    /// An `Authorization` value that is not `scheme SP token68`.
    MalformedAuthorization = 703,
    /// The request target is not origin-form or absolute-form on the configured base.
    InvalidTarget = 704,
    /// The token lacks a required scope (`insufficient_scope`, 403).
    InsufficientScope = 705,
    /// The request method is not an HTTP token.
    InvalidMethod = 706,
    /// Credentials in more than one way at once (e.g. `Bearer` and `DPoP` schemes).
    AmbiguousCredentials = 707,
}

/// Capacity refusals (band 800): fixed storage is full. Fail closed, never evict live state.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CapacityError {
    /// A JWKS has more usable keys than the key-set capacity.
    KeySetFull = 800,
    /// The replay table has no free slot for a fresh proof: fail closed (503), never evict.
    ReplayTableFull = 801,
    /// A replay slot stayed half-written past the bounded spin: fail closed (503).
    ReplayBusy = 802,
    /// The host's external replay store failed: fail closed (503).
    ReplayStoreError = 803,
    /// Shared state (key set, nonce secrets) is being written by another writer, or kept
    /// changing during a bounded read: retry later.
    SharedStateBusy = 804,
    /// The host's signature provider (HSM, OpenSSL) failed to answer: fail closed (503).
    CryptoProviderFailure = 805,
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
    /// Reserved, no longer returned: every algorithm fapi knows is available since RSA
    /// support landed. Kept so the code is never reused.
    AlgUnavailable = 904,
    /// A limit is zero or above its hard cap.
    LimitOutOfRange = 905,
    /// The caller's scratch is smaller than the configured limits need.
    ScratchTooSmall = 906,
    /// An argument is out of its documented range.
    InvalidArgument = 907,
    /// A public base is not `scheme://host[:port][/prefix]` without a trailing `/`.
    InvalidBase = 908,
    /// Policy settings contradict each other (e.g. DPoP off with nonces required).
    ContradictoryPolicy = 909,
    /// A nonce secret shorter than 32 bytes.
    NonceSecretTooShort = 910,
    /// A two-phase replay completion without a pending decision.
    ReplayNotPending = 911,
    /// Storage given for a table is not the size the configuration needs.
    StorageSize = 912,
    /// Nonces are required but no nonce secret is set: fail closed until one is.
    NonceSecretMissing = 913,
    /// Host random bytes too few (or too many) for the value made from them (client side:
    /// at least 16 bytes for `jti`, `state` and `nonce`, 32–96 for a PKCE verifier).
    RandomLength = 914,
    /// A JWT lifetime of zero or above its maximum (request object 3600 s, client assertion
    /// and DPoP proof 300 s).
    LifetimeOutOfRange = 915,
    /// The client's `client_id` is empty.
    EmptyClientId = 916,
    /// A value the client sends is empty or outside its syntax (e.g. a `redirect_uri` or
    /// `htu` that is not an absolute http(s) URI without fragment, a `code_challenge` that is
    /// not 43 base64url characters, a control character in a parameter).
    InvalidClientValue = 917,
    /// `authorization_details` is not a JSON array of objects each with a string `type`
    /// (RFC 9396 §2).
    AuthorizationDetailsInvalid = 918,
    /// A PKCE `code_verifier` that is not 43–128 unreserved characters (RFC 7636 §4.1).
    PkceVerifierInvalid = 919,
    /// ES256 tables configured with slots but no window or the reverse, or tables that could
    /// not be built ([`crate::keytables::TableConfig`]).
    TableConfig = 920,
}

/// Discovery metadata refusals (client band 2000; RFC 8414, OpenID Connect Discovery 1.0).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum MetadataError {
    /// The metadata has no `issuer`.
    IssuerMissing = 2000,
    /// `issuer` is not exactly the configured issuer (RFC 8414 §3.3: a mix-up defence).
    IssuerMismatch = 2001,
    /// A member fapi reads has the wrong JSON type (e.g. a boolean given as a string).
    MemberType = 2002,
    /// The endpoint asked for is not in the metadata.
    EndpointMissing = 2003,
    /// An endpoint is not an absolute `https` URI without fragment (or `http` when the
    /// integrator allowed it for loopback tests).
    EndpointInvalid = 2004,
    /// `code_challenge_methods_supported` is present without `S256`.
    PkceS256Unsupported = 2005,
}

/// Pushed authorization request refusals (client band 2100; RFC 9126).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ParError {
    /// The authorization server answered with an OAuth error; read it with
    /// `oauth::ErrorResponse::parse`.
    ErrorResponse = 2100,
    /// Neither a success (200, 201) nor an error status (4xx, 5xx) with an OAuth error body.
    UnexpectedStatus = 2101,
    /// The success response has no `request_uri`.
    RequestUriMissing = 2102,
    /// `request_uri` is not a non-empty string of at most 2048 bytes.
    RequestUriInvalid = 2103,
    /// The success response has no `expires_in`.
    ExpiresInMissing = 2104,
    /// `expires_in` is not a positive integer.
    ExpiresInInvalid = 2105,
}

/// Authorization response refusals (client band 2200; RFC 6749 §4.1.2, RFC 9207, JARM).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum AuthResponseError {
    /// A verified error response (`error`, `error_description`): the authorization failed.
    ErrorResponse = 2200,
    /// A JARM response was expected and there is no `response` parameter.
    ResponseMissing = 2201,
    /// `response` came with plain `code`, `state`, `iss` or `error` beside it.
    MixedResponse = 2202,
    /// A parameter fapi reads appears more than once (RFC 6749 §3.1).
    DuplicateParameter = 2203,
    /// A percent-encoding that is not `%` and two hex digits, or a value that is not UTF-8.
    ParameterEncoding = 2204,
    /// A parameter longer than the caller's scratch holds.
    ParameterTooLong = 2205,
    /// A plain response without `iss` where it is required (RFC 9207 §2.4).
    IssMissing = 2206,
    /// A plain response whose `iss` is not the expected issuer (RFC 9207 §2.4).
    IssMismatch = 2207,
    /// No `state` in the response.
    StateMissing = 2208,
    /// `state` is not the one the client sent (compared in constant time).
    StateMismatch = 2209,
    /// A success response without a non-empty `code`.
    CodeMissing = 2210,
    /// A JARM claim fapi reads (`code`, `state`, `error`, …) is not a string.
    ClaimType = 2211,
}

/// Token endpoint refusals (client band 2300; RFC 6749 §5, RFC 9449).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum TokenError {
    /// The authorization server answered with an OAuth error; read it with
    /// `oauth::ErrorResponse::parse`.
    ErrorResponse = 2300,
    /// The error is `use_dpop_nonce`: retry with the `DPoP-Nonce` value (read with
    /// `token::dpop_nonce`), a fresh proof and a fresh client assertion.
    UseDpopNonce = 2301,
    /// A `DPoP-Nonce` header value that is absent, empty, too long or not `1*NQCHAR`.
    DpopNonceInvalid = 2302,
    /// Neither a success (200) nor an error status (4xx, 5xx) with an OAuth error body.
    UnexpectedStatus = 2303,
    /// No non-empty `access_token` string.
    AccessTokenMissing = 2304,
    /// No `token_type` string.
    TokenTypeMissing = 2305,
    /// `token_type` is not `DPoP` after a DPoP proof, or not `Bearer` without one.
    TokenTypeMismatch = 2306,
    /// `expires_in` is present but not a non-negative integer.
    ExpiresInInvalid = 2307,
    /// `refresh_token`, `id_token` or `scope` is present but not a non-empty string.
    MemberType = 2308,
}

/// ID token refusals (client band 2400; OpenID Connect Core 1.0 §3.1.3.7).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum IdTokenError {
    /// No `nonce` claim (the client always sends one).
    NonceMissing = 2400,
    /// `nonce` is not the one the client sent (compared in constant time).
    NonceMismatch = 2401,
    /// Several audiences and no `azp`.
    AzpMissing = 2402,
    /// `azp` is not the client's `client_id`.
    AzpMismatch = 2403,
    /// No `iat` claim.
    IatMissing = 2404,
    /// No non-empty `sub` claim.
    SubMissing = 2405,
}

/// Signing refusals (client band 2500).
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum SignError {
    /// Private key bytes that are not a valid key (e.g. a P-256 scalar of zero or ≥ n).
    KeyInvalid = 2500,
    /// The signer's algorithm does not fit its public key.
    AlgKeyMismatch = 2501,
    /// A signing provider returned a signature of the wrong length.
    SignatureLength = 2502,
    /// The signer's algorithm is not allowed here (e.g. RS256 under the FAPI 2.0 profile).
    AlgNotAllowed = 2503,
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
            Self::Dpop(e) => e as u16,
            Self::Proof(p) => {
                1000 + match p {
                    ProofDefect::Json(e) => e as u16,
                    ProofDefect::Jws(e) => e as u16,
                    ProofDefect::Jwk(e) => e as u16,
                }
            }
            Self::Mtls(e) => e as u16,
            Self::Request(e) => e as u16,
            Self::Capacity(e) => e as u16,
            Self::Misuse(e) => e as u16,
            Self::Metadata(e) => e as u16,
            Self::Par(e) => e as u16,
            Self::AuthResponse(e) => e as u16,
            Self::Token(e) => e as u16,
            Self::IdToken(e) => e as u16,
            Self::Sign(e) => e as u16,
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
            Self::Proof(_) => OAuthError::InvalidDpopProof,
            Self::Dpop(e) => match e {
                DpopError::NonceMissing | DpopError::NonceInvalid => OAuthError::UseDpopNonce,
                DpopError::JktMismatch
                | DpopError::TokenNotBound
                | DpopError::BearerDowngrade
                | DpopError::DpopDisabled
                | DpopError::BindingRequired => OAuthError::InvalidToken,
                _ => OAuthError::InvalidDpopProof,
            },
            Self::Mtls(e) => match e {
                MtlsError::CertMalformed => OAuthError::InvalidRequest,
                _ => OAuthError::InvalidToken,
            },
            Self::Request(e) => match e {
                RequestError::NoCredentials => OAuthError::None,
                RequestError::InsufficientScope => OAuthError::InsufficientScope,
                _ => OAuthError::InvalidRequest,
            },
            Self::Capacity(_) | Self::Misuse(_) | Self::BufferTooSmall { .. } => OAuthError::None,
            Self::Metadata(_)
            | Self::Par(_)
            | Self::AuthResponse(_)
            | Self::Token(_)
            | Self::IdToken(_)
            | Self::Sign(_) => OAuthError::None,
        }
    }

    /// The HTTP status a resource server answers with when this error refuses a request.
    ///
    /// Client-side errors map to what a gateway acting as the client answers its user agent:
    /// 400 for a refused authorization response (the user agent brought it), 502 for a
    /// refused or failed answer of the authorization server (metadata, PAR, token, ID token),
    /// 500 for the client's own signing key.
    pub const fn http_status(self) -> u16 {
        match self.oauth_error() {
            OAuthError::InvalidRequest => 400,
            OAuthError::InsufficientScope => 403,
            OAuthError::InvalidToken | OAuthError::InvalidDpopProof | OAuthError::UseDpopNonce => {
                401
            }
            OAuthError::None => match self {
                Self::Request(RequestError::NoCredentials) => 401,
                Self::AuthResponse(_) => 400,
                Self::Metadata(_) | Self::Par(_) | Self::Token(_) | Self::IdToken(_) => 502,
                Self::Capacity(_) => 503,
                _ => 500,
            },
        }
    }

    /// A short, stable, human-readable name of the error (never contains input bytes).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Json(e) => e.name(),
            Self::Jws(e) => e.name(),
            Self::Jwk(e) => e.name(),
            Self::Claims(e) => e.name(),
            Self::Dpop(e) => e.name(),
            Self::Proof(e) => e.name(),
            Self::Mtls(e) => e.name(),
            Self::Request(e) => e.name(),
            Self::Capacity(e) => e.name(),
            Self::Misuse(e) => e.name(),
            Self::Metadata(e) => e.name(),
            Self::Par(e) => e.name(),
            Self::AuthResponse(e) => e.name(),
            Self::Token(e) => e.name(),
            Self::IdToken(e) => e.name(),
            Self::Sign(e) => e.name(),
            Self::BufferTooSmall { .. } => "buffer_too_small",
        }
    }

    /// [`Error::name`] split as `(prefix, rest)` for the errors a challenge names (those whose
    /// [`Error::oauth_error`] is not `None`); for the others it is empty or the name. A proof-band name is
    /// `"proof_"` and the token-side name, so a challenge writer links one copy of those names
    /// rather than two, and no client-side, capacity or misuse name: 4 KB less flash for a
    /// resource-server firmware (examples/firmware/README.md). A test checks the split.
    pub(crate) const fn challenge_name(self) -> (&'static str, &'static str) {
        match self {
            Self::Json(e) => ("", e.name()),
            Self::Jws(e) => ("", e.name()),
            Self::Jwk(e) => ("", e.name()),
            Self::Claims(e) => ("", e.name()),
            Self::Dpop(e) => ("", e.name()),
            Self::Proof(ProofDefect::Json(e)) => ("proof_", e.name()),
            Self::Proof(ProofDefect::Jws(e)) => ("proof_", e.name()),
            Self::Proof(ProofDefect::Jwk(e)) => ("proof_", e.name()),
            Self::Mtls(e) => ("", e.name()),
            Self::Request(e) => ("", e.name()),
            Self::Capacity(_)
            | Self::Misuse(_)
            | Self::Metadata(_)
            | Self::Par(_)
            | Self::AuthResponse(_)
            | Self::Token(_)
            | Self::IdToken(_)
            | Self::Sign(_)
            | Self::BufferTooSmall { .. } => ("", ""),
        }
    }
}

/// Every error value, for tables that must cover them all (C result codes, documentation,
/// tests that pin each code). A test checks codes and names are unique.
pub const ALL: &[Error] = &[
    Error::Json(JsonError::Syntax),
    Error::Json(JsonError::InvalidUtf8),
    Error::Json(JsonError::InvalidEscape),
    Error::Json(JsonError::ControlCharacter),
    Error::Json(JsonError::DepthExceeded),
    Error::Json(JsonError::TooManyMembers),
    Error::Json(JsonError::DuplicateMember),
    Error::Json(JsonError::TooLarge),
    Error::Json(JsonError::NotObject),
    Error::Jws(JwsError::Segments),
    Error::Jws(JwsError::HeaderEncoding),
    Error::Jws(JwsError::PayloadEncoding),
    Error::Jws(JwsError::SignatureEncoding),
    Error::Jws(JwsError::SignatureLength),
    Error::Jws(JwsError::TokenTooLarge),
    Error::Jws(JwsError::HeaderTooLarge),
    Error::Jws(JwsError::PayloadTooLarge),
    Error::Jws(JwsError::AlgMissing),
    Error::Jws(JwsError::AlgNone),
    Error::Jws(JwsError::AlgSymmetric),
    Error::Jws(JwsError::AlgNotAllowed),
    Error::Jws(JwsError::AlgUnknown),
    Error::Jws(JwsError::CritPresent),
    Error::Jws(JwsError::B64Present),
    Error::Jws(JwsError::TypMissing),
    Error::Jws(JwsError::TypMismatch),
    Error::Jws(JwsError::HeaderMemberType),
    Error::Jws(JwsError::BadSignature),
    Error::Jwk(JwkError::UnknownKid),
    Error::Jwk(JwkError::NoMatchingKey),
    Error::Jwk(JwkError::AmbiguousKey),
    Error::Jwk(JwkError::AlgKeyMismatch),
    Error::Jwk(JwkError::SetMalformed),
    Error::Jwk(JwkError::KeyMalformed),
    Error::Jwk(JwkError::KeyPrivate),
    Error::Jwk(JwkError::EcPointInvalid),
    Error::Jwk(JwkError::KeyLength),
    Error::Jwk(JwkError::OkpKeyInvalid),
    Error::Jwk(JwkError::KidTooLong),
    Error::Jwk(JwkError::KeyEncoding),
    Error::Jwk(JwkError::NoUsableKeys),
    Error::Jwk(JwkError::RsaModulusSize),
    Error::Jwk(JwkError::RsaModulusLeadingZero),
    Error::Jwk(JwkError::RsaModulusEven),
    Error::Jwk(JwkError::RsaExponent),
    Error::Claims(ClaimsError::IssMissing),
    Error::Claims(ClaimsError::IssMismatch),
    Error::Claims(ClaimsError::AudMissing),
    Error::Claims(ClaimsError::AudMismatch),
    Error::Claims(ClaimsError::AudMalformed),
    Error::Claims(ClaimsError::ExpMissing),
    Error::Claims(ClaimsError::Expired),
    Error::Claims(ClaimsError::NotYetValid),
    Error::Claims(ClaimsError::IssuedInFuture),
    Error::Claims(ClaimsError::TimeMalformed),
    Error::Claims(ClaimsError::TimeOutOfRange),
    Error::Claims(ClaimsError::CnfUnsupported),
    Error::Claims(ClaimsError::ClaimType),
    Error::Claims(ClaimsError::Inactive),
    Error::Dpop(DpopError::ProofMissing),
    Error::Dpop(DpopError::MultipleProofs),
    Error::Dpop(DpopError::JwkMissing),
    Error::Dpop(DpopError::JwkUnusable),
    Error::Dpop(DpopError::HtmMissing),
    Error::Dpop(DpopError::HtmMismatch),
    Error::Dpop(DpopError::HtuMissing),
    Error::Dpop(DpopError::HtuMismatch),
    Error::Dpop(DpopError::HtuInvalid),
    Error::Dpop(DpopError::IatMissing),
    Error::Dpop(DpopError::IatTooOld),
    Error::Dpop(DpopError::IatInFuture),
    Error::Dpop(DpopError::JtiMissing),
    Error::Dpop(DpopError::JtiTooLong),
    Error::Dpop(DpopError::AthMissing),
    Error::Dpop(DpopError::AthMismatch),
    Error::Dpop(DpopError::NonceMissing),
    Error::Dpop(DpopError::NonceInvalid),
    Error::Dpop(DpopError::Replayed),
    Error::Dpop(DpopError::ClaimType),
    Error::Dpop(DpopError::ReplayedExternal),
    Error::Dpop(DpopError::JktMismatch),
    Error::Dpop(DpopError::TokenNotBound),
    Error::Dpop(DpopError::BearerDowngrade),
    Error::Dpop(DpopError::DpopDisabled),
    Error::Dpop(DpopError::BindingRequired),
    Error::Dpop(DpopError::ExpectedJktMismatch),
    Error::Mtls(MtlsError::CertMissing),
    Error::Mtls(MtlsError::CertMismatch),
    Error::Mtls(MtlsError::CertMalformed),
    Error::Mtls(MtlsError::CnfX5tMalformed),
    Error::Mtls(MtlsError::MtlsDisabled),
    Error::Request(RequestError::NoCredentials),
    Error::Request(RequestError::MultipleAuthorization),
    Error::Request(RequestError::TokenInQuery),
    Error::Request(RequestError::MalformedAuthorization),
    Error::Request(RequestError::InvalidTarget),
    Error::Request(RequestError::InsufficientScope),
    Error::Request(RequestError::InvalidMethod),
    Error::Request(RequestError::AmbiguousCredentials),
    Error::Capacity(CapacityError::KeySetFull),
    Error::Capacity(CapacityError::ReplayTableFull),
    Error::Capacity(CapacityError::ReplayBusy),
    Error::Capacity(CapacityError::ReplayStoreError),
    Error::Capacity(CapacityError::SharedStateBusy),
    Error::Capacity(CapacityError::CryptoProviderFailure),
    Error::Misuse(MisuseError::LeewayTooLarge),
    Error::Misuse(MisuseError::EmptyIssuer),
    Error::Misuse(MisuseError::EmptyAudience),
    Error::Misuse(MisuseError::EmptyAllowlist),
    Error::Misuse(MisuseError::AlgUnavailable),
    Error::Misuse(MisuseError::LimitOutOfRange),
    Error::Misuse(MisuseError::ScratchTooSmall),
    Error::Misuse(MisuseError::InvalidArgument),
    Error::Misuse(MisuseError::InvalidBase),
    Error::Misuse(MisuseError::ContradictoryPolicy),
    Error::Misuse(MisuseError::NonceSecretTooShort),
    Error::Misuse(MisuseError::ReplayNotPending),
    Error::Misuse(MisuseError::StorageSize),
    Error::Misuse(MisuseError::NonceSecretMissing),
    Error::Misuse(MisuseError::RandomLength),
    Error::Misuse(MisuseError::LifetimeOutOfRange),
    Error::Misuse(MisuseError::EmptyClientId),
    Error::Misuse(MisuseError::InvalidClientValue),
    Error::Misuse(MisuseError::AuthorizationDetailsInvalid),
    Error::Misuse(MisuseError::PkceVerifierInvalid),
    Error::Misuse(MisuseError::TableConfig),
    Error::Metadata(MetadataError::IssuerMissing),
    Error::Metadata(MetadataError::IssuerMismatch),
    Error::Metadata(MetadataError::MemberType),
    Error::Metadata(MetadataError::EndpointMissing),
    Error::Metadata(MetadataError::EndpointInvalid),
    Error::Metadata(MetadataError::PkceS256Unsupported),
    Error::Par(ParError::ErrorResponse),
    Error::Par(ParError::UnexpectedStatus),
    Error::Par(ParError::RequestUriMissing),
    Error::Par(ParError::RequestUriInvalid),
    Error::Par(ParError::ExpiresInMissing),
    Error::Par(ParError::ExpiresInInvalid),
    Error::AuthResponse(AuthResponseError::ErrorResponse),
    Error::AuthResponse(AuthResponseError::ResponseMissing),
    Error::AuthResponse(AuthResponseError::MixedResponse),
    Error::AuthResponse(AuthResponseError::DuplicateParameter),
    Error::AuthResponse(AuthResponseError::ParameterEncoding),
    Error::AuthResponse(AuthResponseError::ParameterTooLong),
    Error::AuthResponse(AuthResponseError::IssMissing),
    Error::AuthResponse(AuthResponseError::IssMismatch),
    Error::AuthResponse(AuthResponseError::StateMissing),
    Error::AuthResponse(AuthResponseError::StateMismatch),
    Error::AuthResponse(AuthResponseError::CodeMissing),
    Error::AuthResponse(AuthResponseError::ClaimType),
    Error::Token(TokenError::ErrorResponse),
    Error::Token(TokenError::UseDpopNonce),
    Error::Token(TokenError::DpopNonceInvalid),
    Error::Token(TokenError::UnexpectedStatus),
    Error::Token(TokenError::AccessTokenMissing),
    Error::Token(TokenError::TokenTypeMissing),
    Error::Token(TokenError::TokenTypeMismatch),
    Error::Token(TokenError::ExpiresInInvalid),
    Error::Token(TokenError::MemberType),
    Error::IdToken(IdTokenError::NonceMissing),
    Error::IdToken(IdTokenError::NonceMismatch),
    Error::IdToken(IdTokenError::AzpMissing),
    Error::IdToken(IdTokenError::AzpMismatch),
    Error::IdToken(IdTokenError::IatMissing),
    Error::IdToken(IdTokenError::SubMissing),
    Error::Sign(SignError::KeyInvalid),
    Error::Sign(SignError::AlgKeyMismatch),
    Error::Sign(SignError::SignatureLength),
    Error::Sign(SignError::AlgNotAllowed),
    Error::Proof(ProofDefect::Json(JsonError::Syntax)),
    Error::Proof(ProofDefect::Json(JsonError::InvalidUtf8)),
    Error::Proof(ProofDefect::Json(JsonError::InvalidEscape)),
    Error::Proof(ProofDefect::Json(JsonError::ControlCharacter)),
    Error::Proof(ProofDefect::Json(JsonError::DepthExceeded)),
    Error::Proof(ProofDefect::Json(JsonError::TooManyMembers)),
    Error::Proof(ProofDefect::Json(JsonError::DuplicateMember)),
    Error::Proof(ProofDefect::Json(JsonError::TooLarge)),
    Error::Proof(ProofDefect::Json(JsonError::NotObject)),
    Error::Proof(ProofDefect::Jws(JwsError::Segments)),
    Error::Proof(ProofDefect::Jws(JwsError::HeaderEncoding)),
    Error::Proof(ProofDefect::Jws(JwsError::PayloadEncoding)),
    Error::Proof(ProofDefect::Jws(JwsError::SignatureEncoding)),
    Error::Proof(ProofDefect::Jws(JwsError::SignatureLength)),
    Error::Proof(ProofDefect::Jws(JwsError::TokenTooLarge)),
    Error::Proof(ProofDefect::Jws(JwsError::HeaderTooLarge)),
    Error::Proof(ProofDefect::Jws(JwsError::PayloadTooLarge)),
    Error::Proof(ProofDefect::Jws(JwsError::AlgMissing)),
    Error::Proof(ProofDefect::Jws(JwsError::AlgNone)),
    Error::Proof(ProofDefect::Jws(JwsError::AlgSymmetric)),
    Error::Proof(ProofDefect::Jws(JwsError::AlgNotAllowed)),
    Error::Proof(ProofDefect::Jws(JwsError::AlgUnknown)),
    Error::Proof(ProofDefect::Jws(JwsError::CritPresent)),
    Error::Proof(ProofDefect::Jws(JwsError::B64Present)),
    Error::Proof(ProofDefect::Jws(JwsError::TypMissing)),
    Error::Proof(ProofDefect::Jws(JwsError::TypMismatch)),
    Error::Proof(ProofDefect::Jws(JwsError::HeaderMemberType)),
    Error::Proof(ProofDefect::Jws(JwsError::BadSignature)),
    Error::Proof(ProofDefect::Jwk(JwkError::UnknownKid)),
    Error::Proof(ProofDefect::Jwk(JwkError::NoMatchingKey)),
    Error::Proof(ProofDefect::Jwk(JwkError::AmbiguousKey)),
    Error::Proof(ProofDefect::Jwk(JwkError::AlgKeyMismatch)),
    Error::Proof(ProofDefect::Jwk(JwkError::SetMalformed)),
    Error::Proof(ProofDefect::Jwk(JwkError::KeyMalformed)),
    Error::Proof(ProofDefect::Jwk(JwkError::KeyPrivate)),
    Error::Proof(ProofDefect::Jwk(JwkError::EcPointInvalid)),
    Error::Proof(ProofDefect::Jwk(JwkError::KeyLength)),
    Error::Proof(ProofDefect::Jwk(JwkError::OkpKeyInvalid)),
    Error::Proof(ProofDefect::Jwk(JwkError::KidTooLong)),
    Error::Proof(ProofDefect::Jwk(JwkError::KeyEncoding)),
    Error::Proof(ProofDefect::Jwk(JwkError::NoUsableKeys)),
    Error::Proof(ProofDefect::Jwk(JwkError::RsaModulusSize)),
    Error::Proof(ProofDefect::Jwk(JwkError::RsaModulusLeadingZero)),
    Error::Proof(ProofDefect::Jwk(JwkError::RsaModulusEven)),
    Error::Proof(ProofDefect::Jwk(JwkError::RsaExponent)),
    Error::BufferTooSmall { needed: 0 },
];

impl JsonError {
    /// The name of this error: the text of [`Error::name`] for `Error::Json(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            JsonError::Syntax => "json_syntax",
            JsonError::InvalidUtf8 => "json_invalid_utf8",
            JsonError::InvalidEscape => "json_invalid_escape",
            JsonError::ControlCharacter => "json_control_character",
            JsonError::DepthExceeded => "json_depth_exceeded",
            JsonError::TooManyMembers => "json_too_many_members",
            JsonError::DuplicateMember => "json_duplicate_member",
            JsonError::TooLarge => "json_too_large",
            JsonError::NotObject => "json_not_object",
        }
    }
}

impl JwsError {
    /// The name of this error: the text of [`Error::name`] for `Error::Jws(self)`.
    pub const fn name(self) -> &'static str {
        match self {
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
        }
    }
}

impl JwkError {
    /// The name of this error: the text of [`Error::name`] for `Error::Jwk(self)`.
    pub const fn name(self) -> &'static str {
        match self {
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
            JwkError::RsaModulusSize => "jwk_rsa_modulus_size",
            JwkError::RsaModulusLeadingZero => "jwk_rsa_modulus_leading_zero",
            JwkError::RsaModulusEven => "jwk_rsa_modulus_even",
            JwkError::RsaExponent => "jwk_rsa_exponent",
        }
    }
}

impl ClaimsError {
    /// The name of this error: the text of [`Error::name`] for `Error::Claims(self)`.
    pub const fn name(self) -> &'static str {
        match self {
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
            ClaimsError::Inactive => "claims_inactive",
        }
    }
}

impl DpopError {
    /// The name of this error: the text of [`Error::name`] for `Error::Dpop(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            DpopError::ProofMissing => "dpop_proof_missing",
            DpopError::MultipleProofs => "dpop_multiple_proofs",
            DpopError::JwkMissing => "dpop_jwk_missing",
            DpopError::JwkUnusable => "dpop_jwk_unusable",
            DpopError::HtmMissing => "dpop_htm_missing",
            DpopError::HtmMismatch => "dpop_htm_mismatch",
            DpopError::HtuMissing => "dpop_htu_missing",
            DpopError::HtuMismatch => "dpop_htu_mismatch",
            DpopError::HtuInvalid => "dpop_htu_invalid",
            DpopError::IatMissing => "dpop_iat_missing",
            DpopError::IatTooOld => "dpop_iat_too_old",
            DpopError::IatInFuture => "dpop_iat_in_future",
            DpopError::JtiMissing => "dpop_jti_missing",
            DpopError::JtiTooLong => "dpop_jti_too_long",
            DpopError::AthMissing => "dpop_ath_missing",
            DpopError::AthMismatch => "dpop_ath_mismatch",
            DpopError::NonceMissing => "dpop_nonce_missing",
            DpopError::NonceInvalid => "dpop_nonce_invalid",
            DpopError::Replayed => "dpop_replayed",
            DpopError::ClaimType => "dpop_claim_type",
            DpopError::ReplayedExternal => "dpop_replayed_external",
            DpopError::JktMismatch => "dpop_jkt_mismatch",
            DpopError::TokenNotBound => "dpop_token_not_bound",
            DpopError::BearerDowngrade => "dpop_bearer_downgrade",
            DpopError::DpopDisabled => "dpop_disabled",
            DpopError::BindingRequired => "dpop_binding_required",
            DpopError::ExpectedJktMismatch => "dpop_expected_jkt_mismatch",
        }
    }
}

impl ProofDefect {
    /// The name of this error: the text of [`Error::name`] for `Error::Proof(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            ProofDefect::Json(JsonError::Syntax) => "proof_json_syntax",
            ProofDefect::Json(JsonError::InvalidUtf8) => "proof_json_invalid_utf8",
            ProofDefect::Json(JsonError::InvalidEscape) => "proof_json_invalid_escape",
            ProofDefect::Json(JsonError::ControlCharacter) => "proof_json_control_character",
            ProofDefect::Json(JsonError::DepthExceeded) => "proof_json_depth_exceeded",
            ProofDefect::Json(JsonError::TooManyMembers) => "proof_json_too_many_members",
            ProofDefect::Json(JsonError::DuplicateMember) => "proof_json_duplicate_member",
            ProofDefect::Json(JsonError::TooLarge) => "proof_json_too_large",
            ProofDefect::Json(JsonError::NotObject) => "proof_json_not_object",
            ProofDefect::Jws(JwsError::Segments) => "proof_jws_segments",
            ProofDefect::Jws(JwsError::HeaderEncoding) => "proof_jws_header_encoding",
            ProofDefect::Jws(JwsError::PayloadEncoding) => "proof_jws_payload_encoding",
            ProofDefect::Jws(JwsError::SignatureEncoding) => "proof_jws_signature_encoding",
            ProofDefect::Jws(JwsError::SignatureLength) => "proof_jws_signature_length",
            ProofDefect::Jws(JwsError::TokenTooLarge) => "proof_jws_token_too_large",
            ProofDefect::Jws(JwsError::HeaderTooLarge) => "proof_jws_header_too_large",
            ProofDefect::Jws(JwsError::PayloadTooLarge) => "proof_jws_payload_too_large",
            ProofDefect::Jws(JwsError::AlgMissing) => "proof_jws_alg_missing",
            ProofDefect::Jws(JwsError::AlgNone) => "proof_jws_alg_none",
            ProofDefect::Jws(JwsError::AlgSymmetric) => "proof_jws_alg_symmetric",
            ProofDefect::Jws(JwsError::AlgNotAllowed) => "proof_jws_alg_not_allowed",
            ProofDefect::Jws(JwsError::AlgUnknown) => "proof_jws_alg_unknown",
            ProofDefect::Jws(JwsError::CritPresent) => "proof_jws_crit_present",
            ProofDefect::Jws(JwsError::B64Present) => "proof_jws_b64_present",
            ProofDefect::Jws(JwsError::TypMissing) => "proof_jws_typ_missing",
            ProofDefect::Jws(JwsError::TypMismatch) => "proof_jws_typ_mismatch",
            ProofDefect::Jws(JwsError::HeaderMemberType) => "proof_jws_header_member_type",
            ProofDefect::Jws(JwsError::BadSignature) => "proof_jws_bad_signature",
            ProofDefect::Jwk(JwkError::UnknownKid) => "proof_jwk_unknown_kid",
            ProofDefect::Jwk(JwkError::NoMatchingKey) => "proof_jwk_no_matching_key",
            ProofDefect::Jwk(JwkError::AmbiguousKey) => "proof_jwk_ambiguous_key",
            ProofDefect::Jwk(JwkError::AlgKeyMismatch) => "proof_jwk_alg_key_mismatch",
            ProofDefect::Jwk(JwkError::SetMalformed) => "proof_jwk_set_malformed",
            ProofDefect::Jwk(JwkError::KeyMalformed) => "proof_jwk_key_malformed",
            ProofDefect::Jwk(JwkError::KeyPrivate) => "proof_jwk_key_private",
            ProofDefect::Jwk(JwkError::EcPointInvalid) => "proof_jwk_ec_point_invalid",
            ProofDefect::Jwk(JwkError::KeyLength) => "proof_jwk_key_length",
            ProofDefect::Jwk(JwkError::OkpKeyInvalid) => "proof_jwk_okp_key_invalid",
            ProofDefect::Jwk(JwkError::KidTooLong) => "proof_jwk_kid_too_long",
            ProofDefect::Jwk(JwkError::KeyEncoding) => "proof_jwk_key_encoding",
            ProofDefect::Jwk(JwkError::NoUsableKeys) => "proof_jwk_no_usable_keys",
            ProofDefect::Jwk(JwkError::RsaModulusSize) => "proof_jwk_rsa_modulus_size",
            ProofDefect::Jwk(JwkError::RsaModulusLeadingZero) => {
                "proof_jwk_rsa_modulus_leading_zero"
            }
            ProofDefect::Jwk(JwkError::RsaModulusEven) => "proof_jwk_rsa_modulus_even",
            ProofDefect::Jwk(JwkError::RsaExponent) => "proof_jwk_rsa_exponent",
        }
    }
}

impl MtlsError {
    /// The name of this error: the text of [`Error::name`] for `Error::Mtls(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            MtlsError::CertMissing => "mtls_cert_missing",
            MtlsError::CertMismatch => "mtls_cert_mismatch",
            MtlsError::CertMalformed => "mtls_cert_malformed",
            MtlsError::CnfX5tMalformed => "mtls_cnf_x5t_malformed",
            MtlsError::MtlsDisabled => "mtls_disabled",
        }
    }
}

impl RequestError {
    /// The name of this error: the text of [`Error::name`] for `Error::Request(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            RequestError::NoCredentials => "request_no_credentials",
            RequestError::MultipleAuthorization => "request_multiple_authorization",
            RequestError::TokenInQuery => "request_token_in_query",
            RequestError::MalformedAuthorization => "request_malformed_authorization",
            RequestError::InvalidTarget => "request_invalid_target",
            RequestError::InsufficientScope => "request_insufficient_scope",
            RequestError::InvalidMethod => "request_invalid_method",
            RequestError::AmbiguousCredentials => "request_ambiguous_credentials",
        }
    }
}

impl CapacityError {
    /// The name of this error: the text of [`Error::name`] for `Error::Capacity(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            CapacityError::KeySetFull => "capacity_key_set_full",
            CapacityError::ReplayTableFull => "capacity_replay_table_full",
            CapacityError::ReplayBusy => "capacity_replay_busy",
            CapacityError::ReplayStoreError => "capacity_replay_store_error",
            CapacityError::SharedStateBusy => "capacity_shared_state_busy",
            CapacityError::CryptoProviderFailure => "capacity_crypto_provider_failure",
        }
    }
}

impl MisuseError {
    /// The name of this error: the text of [`Error::name`] for `Error::Misuse(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            MisuseError::LeewayTooLarge => "misuse_leeway_too_large",
            MisuseError::EmptyIssuer => "misuse_empty_issuer",
            MisuseError::EmptyAudience => "misuse_empty_audience",
            MisuseError::EmptyAllowlist => "misuse_empty_allowlist",
            MisuseError::AlgUnavailable => "misuse_alg_unavailable",
            MisuseError::LimitOutOfRange => "misuse_limit_out_of_range",
            MisuseError::ScratchTooSmall => "misuse_scratch_too_small",
            MisuseError::InvalidArgument => "misuse_invalid_argument",
            MisuseError::InvalidBase => "misuse_invalid_base",
            MisuseError::ContradictoryPolicy => "misuse_contradictory_policy",
            MisuseError::NonceSecretTooShort => "misuse_nonce_secret_too_short",
            MisuseError::ReplayNotPending => "misuse_replay_not_pending",
            MisuseError::StorageSize => "misuse_storage_size",
            MisuseError::NonceSecretMissing => "misuse_nonce_secret_missing",
            MisuseError::RandomLength => "misuse_random_length",
            MisuseError::LifetimeOutOfRange => "misuse_lifetime_out_of_range",
            MisuseError::EmptyClientId => "misuse_empty_client_id",
            MisuseError::InvalidClientValue => "misuse_invalid_client_value",
            MisuseError::AuthorizationDetailsInvalid => "misuse_authorization_details_invalid",
            MisuseError::PkceVerifierInvalid => "misuse_pkce_verifier_invalid",
            MisuseError::TableConfig => "misuse_table_config",
        }
    }
}

impl MetadataError {
    /// The name of this error: the text of [`Error::name`] for `Error::Metadata(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            MetadataError::IssuerMissing => "metadata_issuer_missing",
            MetadataError::IssuerMismatch => "metadata_issuer_mismatch",
            MetadataError::MemberType => "metadata_member_type",
            MetadataError::EndpointMissing => "metadata_endpoint_missing",
            MetadataError::EndpointInvalid => "metadata_endpoint_invalid",
            MetadataError::PkceS256Unsupported => "metadata_pkce_s256_unsupported",
        }
    }
}

impl ParError {
    /// The name of this error: the text of [`Error::name`] for `Error::Par(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            ParError::ErrorResponse => "par_error_response",
            ParError::UnexpectedStatus => "par_unexpected_status",
            ParError::RequestUriMissing => "par_request_uri_missing",
            ParError::RequestUriInvalid => "par_request_uri_invalid",
            ParError::ExpiresInMissing => "par_expires_in_missing",
            ParError::ExpiresInInvalid => "par_expires_in_invalid",
        }
    }
}

impl AuthResponseError {
    /// The name of this error: the text of [`Error::name`] for `Error::AuthResponse(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            AuthResponseError::ErrorResponse => "authz_error_response",
            AuthResponseError::ResponseMissing => "authz_response_missing",
            AuthResponseError::MixedResponse => "authz_mixed_response",
            AuthResponseError::DuplicateParameter => "authz_duplicate_parameter",
            AuthResponseError::ParameterEncoding => "authz_parameter_encoding",
            AuthResponseError::ParameterTooLong => "authz_parameter_too_long",
            AuthResponseError::IssMissing => "authz_iss_missing",
            AuthResponseError::IssMismatch => "authz_iss_mismatch",
            AuthResponseError::StateMissing => "authz_state_missing",
            AuthResponseError::StateMismatch => "authz_state_mismatch",
            AuthResponseError::CodeMissing => "authz_code_missing",
            AuthResponseError::ClaimType => "authz_claim_type",
        }
    }
}

impl TokenError {
    /// The name of this error: the text of [`Error::name`] for `Error::Token(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            TokenError::ErrorResponse => "token_error_response",
            TokenError::UseDpopNonce => "token_use_dpop_nonce",
            TokenError::DpopNonceInvalid => "token_dpop_nonce_invalid",
            TokenError::UnexpectedStatus => "token_unexpected_status",
            TokenError::AccessTokenMissing => "token_access_token_missing",
            TokenError::TokenTypeMissing => "token_token_type_missing",
            TokenError::TokenTypeMismatch => "token_token_type_mismatch",
            TokenError::ExpiresInInvalid => "token_expires_in_invalid",
            TokenError::MemberType => "token_member_type",
        }
    }
}

impl IdTokenError {
    /// The name of this error: the text of [`Error::name`] for `Error::IdToken(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            IdTokenError::NonceMissing => "id_token_nonce_missing",
            IdTokenError::NonceMismatch => "id_token_nonce_mismatch",
            IdTokenError::AzpMissing => "id_token_azp_missing",
            IdTokenError::AzpMismatch => "id_token_azp_mismatch",
            IdTokenError::IatMissing => "id_token_iat_missing",
            IdTokenError::SubMissing => "id_token_sub_missing",
        }
    }
}

impl SignError {
    /// The name of this error: the text of [`Error::name`] for `Error::Sign(self)`.
    pub const fn name(self) -> &'static str {
        match self {
            SignError::KeyInvalid => "sign_key_invalid",
            SignError::AlgKeyMismatch => "sign_alg_key_mismatch",
            SignError::SignatureLength => "sign_signature_length",
            SignError::AlgNotAllowed => "sign_alg_not_allowed",
        }
    }
}

impl Error {
    /// The error whose stable code is `code`, if any (`BufferTooSmall` reports `needed: 0`).
    pub fn from_code(code: u16) -> Option<Error> {
        ALL.iter().copied().find(|e| e.code() == code)
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
impl From<DpopError> for Error {
    fn from(e: DpopError) -> Self {
        Self::Dpop(e)
    }
}
impl From<MtlsError> for Error {
    fn from(e: MtlsError) -> Self {
        Self::Mtls(e)
    }
}
impl From<RequestError> for Error {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
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

impl From<MetadataError> for Error {
    fn from(e: MetadataError) -> Self {
        Self::Metadata(e)
    }
}
impl From<ParError> for Error {
    fn from(e: ParError) -> Self {
        Self::Par(e)
    }
}
impl From<AuthResponseError> for Error {
    fn from(e: AuthResponseError) -> Self {
        Self::AuthResponse(e)
    }
}
impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Self::Token(e)
    }
}
impl From<IdTokenError> for Error {
    fn from(e: IdTokenError) -> Self {
        Self::IdToken(e)
    }
}
impl From<SignError> for Error {
    fn from(e: SignError) -> Self {
        Self::Sign(e)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        for (i, a) in ALL.iter().enumerate() {
            for b in ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code(), "{a:?} / {b:?}");
                assert_ne!(a.name(), b.name(), "{a:?} / {b:?}");
            }
            assert_eq!(Error::from_code(a.code()).map(|e| e.code()), Some(a.code()));
        }
        assert!(ALL.len() > 150);
    }

    #[test]
    fn challenge_names_are_the_names() {
        for &e in ALL {
            // Only errors with an OAuth error are ever named in a challenge.
            if e.oauth_error() != OAuthError::None {
                let (prefix, rest) = e.challenge_name();
                assert_eq!(std::format!("{prefix}{rest}"), e.name(), "{e:?}");
            }
        }
    }

    #[test]
    fn client_codes_sit_in_their_sub_bands() {
        for e in ALL {
            let c = e.code();
            let band = match e {
                Error::Metadata(_) => 2000..2100,
                Error::Par(_) => 2100..2200,
                Error::AuthResponse(_) => 2200..2300,
                Error::Token(_) => 2300..2400,
                Error::IdToken(_) => 2400..2500,
                Error::Sign(_) => 2500..2600,
                _ => 0..2000,
            };
            assert!(band.contains(&c), "{e:?} = {c}");
        }
    }
}
