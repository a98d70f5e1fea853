//! The C-visible types: strings as `(ptr, len)`, the configuration, the request, and the
//! enum-like `uint32_t` constants (validated on entry, never trusted as Rust enums).

/// Version of [`fapi_config`], [`fapi_request`] and [`fapi_proof_check`] this library
/// understands; callers set `version` to it.
pub const FAPI_STRUCT_VERSION: u32 = 1;

/// Algorithm bit: ES256.
pub const FAPI_ALG_ES256: u32 = 1;
/// Algorithm bit: EdDSA (Ed25519).
pub const FAPI_ALG_EDDSA: u32 = 2;
/// Algorithm bit: Ed25519 (RFC 9864 name).
pub const FAPI_ALG_ED25519: u32 = 4;
/// Algorithm bit: PS256 (RSASSA-PSS, SHA-256, 2048–4096-bit keys).
pub const FAPI_ALG_PS256: u32 = 8;
/// Algorithm bit: RS256 (RSASSA-PKCS1-v1_5; never with the FAPI 2.0 profile).
pub const FAPI_ALG_RS256: u32 = 16;

/// Sender-constraint mode: no proof of this kind accepted; bound tokens refused.
pub const FAPI_MODE_OFF: u32 = 0;
/// Sender-constraint mode: enforced when the token is bound.
pub const FAPI_MODE_OPTIONAL: u32 = 1;
/// Sender-constraint mode: every token must be bound and proven.
pub const FAPI_MODE_REQUIRED: u32 = 2;

/// Unbound tokens: the default (allowed unless a mode is required or FAPI 2.0 is on).
pub const FAPI_UNBOUND_DEFAULT: u32 = 0;
/// Unbound tokens: refused.
pub const FAPI_UNBOUND_DENY: u32 = 1;
/// Unbound tokens: allowed with `Bearer` (refused as contradictory with a required mode).
pub const FAPI_UNBOUND_ALLOW: u32 = 2;

/// Verdict: no decision in this context yet.
pub const FAPI_VERDICT_NONE: u32 = 0;
/// Verdict: serve the request.
pub const FAPI_VERDICT_ALLOW: u32 = 1;
/// Verdict: refuse it (status, challenge and code in the context).
pub const FAPI_VERDICT_DENY: u32 = 2;
/// Verdict: ask the external replay store, then call `fapi_complete_replay`.
pub const FAPI_VERDICT_NEEDS_REPLAY_CHECK: u32 = 3;

/// External replay store answer: the key was new and is now stored.
pub const FAPI_REPLAY_FRESH: u32 = 0;
/// External replay store answer: the key was already there (a replay).
pub const FAPI_REPLAY_SEEN: u32 = 1;
/// External replay store answer: the store failed (fails closed: 503).
pub const FAPI_REPLAY_STORE_ERROR: u32 = 2;

/// Client certificate: none.
pub const FAPI_CERT_NONE: u32 = 0;
/// Client certificate: DER bytes.
pub const FAPI_CERT_DER: u32 = 1;
/// Client certificate: PEM text.
pub const FAPI_CERT_PEM: u32 = 2;
/// Client certificate: nginx's URL-escaped PEM (`$ssl_client_escaped_cert`).
pub const FAPI_CERT_ESCAPED_PEM: u32 = 3;
/// Client certificate: an RFC 9440 `Client-Cert` header value.
pub const FAPI_CERT_CLIENT_CERT_HEADER: u32 = 4;

/// Certificate source: the gateway's own TLS stack.
pub const FAPI_CERT_SOURCE_TLS: u32 = 0;
/// Certificate source: a TLS-terminating proxy the integrator trusts.
pub const FAPI_CERT_SOURCE_TRUSTED_PROXY: u32 = 1;

/// Binding proven: none (a bearer token).
pub const FAPI_BINDING_NONE: u32 = 0;
/// Binding proven: DPoP.
pub const FAPI_BINDING_DPOP: u32 = 1;
/// Binding proven: client certificate.
pub const FAPI_BINDING_MTLS: u32 = 2;
/// Binding proven: both.
pub const FAPI_BINDING_BOTH: u32 = 3;

/// Most public bases in one configuration.
pub const FAPI_MAX_BASES: u32 = 8;
/// Most keys in a key set.
pub const FAPI_MAX_KEYS: u32 = 16;
/// Longest issuer or audience, in bytes.
pub const FAPI_MAX_ISSUER_LEN: u32 = 255;
/// Longest `WWW-Authenticate` value written (a buffer of this size never gets
/// `FAPI_ERR_BUFFER_TOO_SMALL`).
pub const FAPI_MAX_CHALLENGE_LEN: u32 = 1024;
/// Length of a `DPoP-Nonce` value.
pub const FAPI_NONCE_LEN: u32 = 43;
/// Length of an external replay-store key (base64url of SHA-256).
pub const FAPI_REPLAY_KEY_LEN: u32 = 43;
/// Longest claim value copied out (the decoded claims limit): a buffer of this size never
/// gets `FAPI_ERR_BUFFER_TOO_SMALL` from `fapi_ctx_claim_str`.
pub const FAPI_MAX_CLAIM_LEN: u32 = 6144;
/// Most `Authorization` or `DPoP` values passed per request (more is refused anyway).
pub const FAPI_MAX_FIELDS: u32 = 8;
/// Most required scopes per request.
pub const FAPI_MAX_SCOPES: u32 = 16;

/// A byte string: `ptr` may be NULL only when `len` is 0.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_str {
    /// The bytes.
    pub ptr: *const u8,
    /// Their length.
    pub len: usize,
}

/// Verifier configuration. Copied into the verifier by `fapi_verifier_init`; the caller's
/// memory is not used afterwards.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_config {
    /// `sizeof(fapi_config)` as the caller compiled it (lets the ABI grow). The size of the
    /// struct before the `es256_*` fields (152 bytes on 64-bit targets, 124 on 32-bit ones) is
    /// still accepted and read without them: no ES256 tables. Other smaller sizes are refused.
    pub struct_size: u32,
    /// [`FAPI_STRUCT_VERSION`].
    pub version: u32,
    /// Expected `iss` (required, at most [`FAPI_MAX_ISSUER_LEN`] bytes, UTF-8).
    pub issuer: fapi_str,
    /// Expected `aud` (required, at most [`FAPI_MAX_ISSUER_LEN`] bytes, UTF-8).
    pub audience: fapi_str,
    /// Public bases `scheme://host[:port][/prefix]` requests arrive under (1 to
    /// [`FAPI_MAX_BASES`]); a request picks one by index.
    pub bases: *const fapi_str,
    /// Number of `bases`.
    pub base_count: usize,
    /// Access-token algorithm allowlist (`FAPI_ALG_*` bits, required).
    pub token_algs: u32,
    /// DPoP proof algorithm allowlist (`FAPI_ALG_*` bits; 0 = ES256 | EdDSA | Ed25519).
    pub proof_algs: u32,
    /// Clock leeway in seconds (0 = 10; above 60 refused).
    pub leeway: u32,
    /// Proof max age in seconds (0 = 300).
    pub proof_max_age: u32,
    /// `FAPI_MODE_*` for DPoP.
    pub dpop_mode: u32,
    /// `FAPI_MODE_*` for certificate binding.
    pub mtls_mode: u32,
    /// `FAPI_UNBOUND_*`.
    pub unbound: u32,
    /// 1: proofs must carry a server nonce (set a secret with
    /// `fapi_verifier_set_nonce_secret`); 0: not.
    pub nonce_required: u32,
    /// Nonce slot length in seconds (0 = 60).
    pub nonce_slot: u32,
    /// 1: the FAPI 2.0 profile; 0: off.
    pub fapi2_profile: u32,
    /// 1: WEAKENING — also accept `typ: JWT`; 0: only `at+jwt`.
    pub accept_plain_jwt_typ: u32,
    /// Maximum token length in bytes (0 = 8192).
    pub max_token_len: u32,
    /// Key-set capacity (1 to [`FAPI_MAX_KEYS`]).
    pub max_keys: u32,
    /// Replay-table slots (0 = external store: decisions end in
    /// `FAPI_VERDICT_NEEDS_REPLAY_CHECK`). Size it as README says.
    pub replay_slots: u32,
    /// Verified-token cache entries (0 = no cache).
    pub cache_slots: u32,
    /// 32 random bytes from the host: keys the replay table's slot hash.
    pub replay_secret: [u8; 32],
    // Added with the ES256 tables: a caller compiled against the header without them passes
    // the older, smaller `struct_size` and gets no tables (see `read_config`).
    /// ES256 tables (README "ES256 tables"): window of the base point's table, 2 to 12 bits;
    /// 0 = no tables (ES256 takes the generic path; the other `es256_*` fields must be 0).
    /// `FAPI_ES256_GATEWAY_*` is the gateway preset.
    pub es256_base_bits: u32,
    /// Window of each issuer key's table (2 to 12 bits; one table per key-set key, for each of
    /// the key store's two buffers); 0 = issuer keys take the base point's table alone.
    pub es256_issuer_bits: u32,
    /// Window of each hot DPoP key's table (2 to 12 bits); 0 = no hot-key cache (then
    /// `es256_hot_keys` must be 0).
    pub es256_hot_bits: u32,
    /// Hot DPoP-key tables kept (a table is built for a key only after a decision allowed a
    /// request with it); 0 with `es256_hot_bits` 0.
    pub es256_hot_keys: u32,
    /// Hot-key table builds allowed per second for the whole verifier (0 = 50).
    pub es256_builds_per_second: u32,
}

/// Bytes of the `fapi_config` prefix a caller compiled before the `es256_*` fields provides
/// (everything up to and including `replay_secret`).
pub(crate) const CONFIG_V1_PREFIX: usize = core::mem::offset_of!(fapi_config, es256_base_bits);
/// `sizeof(fapi_config)` before the `es256_*` fields (the prefix with its tail padding: 152
/// bytes on 64-bit targets, where the first new field sits in what was the tail padding).
pub(crate) const CONFIG_V1_SIZE: usize = CONFIG_V1_PREFIX
    .div_ceil(core::mem::align_of::<fapi_config>())
    * core::mem::align_of::<fapi_config>();
#[cfg(target_pointer_width = "64")]
const _: () = assert!(CONFIG_V1_SIZE == 152 && CONFIG_V1_PREFIX == 148);
#[cfg(target_pointer_width = "32")]
const _: () = assert!(CONFIG_V1_SIZE == 124 && CONFIG_V1_PREFIX == 124);

/// Gateway preset for the ES256 tables: base point's table window (8 bits, 262,208 bytes).
pub const FAPI_ES256_GATEWAY_BASE_BITS: u32 = 8;
/// Gateway preset: issuer-key table window (6 bits, 87,084 bytes per key and buffer).
pub const FAPI_ES256_GATEWAY_ISSUER_BITS: u32 = 6;
/// Gateway preset: hot DPoP-key table window (6 bits, 87,084 bytes per hot key).
pub const FAPI_ES256_GATEWAY_HOT_BITS: u32 = 6;
/// Gateway preset: hot DPoP keys kept.
pub const FAPI_ES256_GATEWAY_HOT_KEYS: u32 = 16;
/// Gateway preset: hot-key builds per second.
pub const FAPI_ES256_GATEWAY_BUILDS_PER_SECOND: u32 = 50;

/// One request as received.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_request {
    /// `sizeof(fapi_request)`.
    pub struct_size: u32,
    /// [`FAPI_STRUCT_VERSION`].
    pub version: u32,
    /// The method, exactly as received.
    pub method: fapi_str,
    /// The request target as received (`/path?query` or absolute-form).
    pub target: fapi_str,
    /// Index into the configured bases.
    pub base: u32,
    /// Number of `authorization` values.
    pub authorization_count: u32,
    /// Every `Authorization` field value.
    pub authorization: *const fapi_str,
    /// Number of `dpop` values.
    pub dpop_count: u32,
    /// Every `DPoP` field value.
    pub dpop: *const fapi_str,
    /// `FAPI_CERT_*` encoding of `client_cert` (`FAPI_CERT_NONE` when there is none).
    pub cert_encoding: u32,
    /// `FAPI_CERT_SOURCE_*`.
    pub cert_source: u32,
    /// The client certificate.
    pub client_cert: fapi_str,
    /// Number of `required_scopes`.
    pub required_scope_count: u32,
    /// Scopes the route requires (UTF-8).
    pub required_scopes: *const fapi_str,
    /// For opaque tokens: the RFC 7662 introspection response (ptr NULL = a JWT).
    pub introspection: fapi_str,
    /// Time, seconds since the Unix epoch.
    pub now: u64,
}

/// A standalone DPoP proof check (`fapi_check_proof`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_proof_check {
    /// `sizeof(fapi_proof_check)`.
    pub struct_size: u32,
    /// [`FAPI_STRUCT_VERSION`].
    pub version: u32,
    /// The one `DPoP` field value.
    pub proof: fapi_str,
    /// The method.
    pub method: fapi_str,
    /// The request target.
    pub target: fapi_str,
    /// Index into the configured bases.
    pub base: u32,
    /// 1 if `expected_jkt` is set.
    pub has_expected_jkt: u32,
    /// The access token sent with the proof (ptr NULL = none; then no `ath` is required).
    pub access_token: fapi_str,
    /// The thumbprint the proof key must have, when `has_expected_jkt` is 1.
    pub expected_jkt: [u8; 32],
    /// Time.
    pub now: u64,
}
