//! The client (`fapi_client`): the gateway as an OAuth client of one authorization server —
//! its configuration (issuer, `client_id`, accepted algorithms, FAPI 2.0 profile, leeway), the
//! server's JWKS, and the decode scratch for authorization responses and ID tokens, in one
//! block of caller memory. The calls that need who the client is or what the server signed
//! live here: discovery metadata, request objects, client assertions, the PAR body and the
//! authorization URL, authorization responses (JARM and plain), token request bodies, ID
//! tokens.

use crate::codes::*;
use crate::ptr::{aligned, bytes, code, opt_text, put, text, write_out};
use crate::sign::{fapi_signer, signer_mut};
use crate::types::*;
use crate::verifier::FAPI_REGION_ALIGN;
use core::mem::{align_of, size_of};
use fapi_core::client::ClientConfig;
use fapi_core::client_auth::{self, AssertionTyp, ClientAuth};
use fapi_core::jar::{self, AuthorizationRequest, ResponseMode};
use fapi_core::jarm::{self, Expected, ResponseScratch};
use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_core::jws::AlgSet;
use fapi_core::jwt::Scratch;
use fapi_core::metadata::{self, AlgList, Endpoint, Metadata, MetadataOptions};
use fapi_core::{id_token, par, token};

const CLIENT_MAGIC: u32 = 0x4641_434C; // "FACL"

/// Metadata option: UNSAFE outside tests — accept `http` endpoints (an authorization server on
/// loopback). RFC 8414 and FAPI 2.0 require TLS.
pub const FAPI_METADATA_ALLOW_HTTP: u32 = 1;

/// Endpoint: `authorization_endpoint`.
pub const FAPI_ENDPOINT_AUTHORIZATION: u32 = 0;
/// Endpoint: `token_endpoint`.
pub const FAPI_ENDPOINT_TOKEN: u32 = 1;
/// Endpoint: `pushed_authorization_request_endpoint` (RFC 9126).
pub const FAPI_ENDPOINT_PAR: u32 = 2;
/// Endpoint: `jwks_uri`.
pub const FAPI_ENDPOINT_JWKS: u32 = 3;
/// Endpoint: `userinfo_endpoint`.
pub const FAPI_ENDPOINT_USERINFO: u32 = 4;
/// Endpoint: `revocation_endpoint`.
pub const FAPI_ENDPOINT_REVOCATION: u32 = 5;
/// Endpoint: `introspection_endpoint`.
pub const FAPI_ENDPOINT_INTROSPECTION: u32 = 6;
/// Endpoint: `end_session_endpoint`.
pub const FAPI_ENDPOINT_END_SESSION: u32 = 7;

/// Algorithm list: `dpop_signing_alg_values_supported` (RFC 9449 §5.1).
pub const FAPI_ALG_LIST_DPOP: u32 = 0;
/// Algorithm list: `request_object_signing_alg_values_supported`.
pub const FAPI_ALG_LIST_REQUEST_OBJECT: u32 = 1;
/// Algorithm list: `token_endpoint_auth_signing_alg_values_supported`.
pub const FAPI_ALG_LIST_TOKEN_ENDPOINT_AUTH: u32 = 2;
/// Algorithm list: `authorization_signing_alg_values_supported` (JARM).
pub const FAPI_ALG_LIST_AUTHORIZATION: u32 = 3;
/// Algorithm list: `id_token_signing_alg_values_supported`.
pub const FAPI_ALG_LIST_ID_TOKEN: u32 = 4;

/// Metadata flag: `authorization_response_iss_parameter_supported` (RFC 9207) is true.
pub const FAPI_METADATA_ISS_PARAMETER_SUPPORTED: u32 = 1;
/// Metadata flag: `require_pushed_authorization_requests` (RFC 9126 §5) is true.
pub const FAPI_METADATA_REQUIRES_PAR: u32 = 2;
/// Metadata flag: `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.3) is true.
pub const FAPI_METADATA_CERT_BOUND_TOKENS: u32 = 4;

/// Metadata list for `fapi_client_metadata_supports`: `response_modes_supported`.
pub const FAPI_SUPPORTS_RESPONSE_MODE: u32 = 0;
/// Metadata list for `fapi_client_metadata_supports`: `token_endpoint_auth_methods_supported`.
pub const FAPI_SUPPORTS_AUTH_METHOD: u32 = 1;

/// `response_mode`: none sent (the server's default for `code`).
pub const FAPI_RESPONSE_MODE_DEFAULT: u32 = 0;
/// `response_mode`: `query`.
pub const FAPI_RESPONSE_MODE_QUERY: u32 = 1;
/// `response_mode`: `fragment`.
pub const FAPI_RESPONSE_MODE_FRAGMENT: u32 = 2;
/// `response_mode`: `form_post`.
pub const FAPI_RESPONSE_MODE_FORM_POST: u32 = 3;
/// `response_mode`: `jwt` (JARM).
pub const FAPI_RESPONSE_MODE_JWT: u32 = 4;
/// `response_mode`: `query.jwt` (JARM).
pub const FAPI_RESPONSE_MODE_QUERY_JWT: u32 = 5;
/// `response_mode`: `fragment.jwt` (JARM).
pub const FAPI_RESPONSE_MODE_FRAGMENT_JWT: u32 = 6;
/// `response_mode`: `form_post.jwt` (JARM).
pub const FAPI_RESPONSE_MODE_FORM_POST_JWT: u32 = 7;

/// Client assertion `typ`: `client-authentication+jwt` (explicit typing, the default).
pub const FAPI_ASSERTION_TYP_CLIENT_AUTHENTICATION: u32 = 0;
/// Client assertion `typ`: `JWT` (for servers that refuse the explicit type).
pub const FAPI_ASSERTION_TYP_JWT: u32 = 1;

/// Error member: `error`.
pub const FAPI_OAUTH_ERROR: u32 = 0;
/// Error member: `error_description`.
pub const FAPI_OAUTH_ERROR_DESCRIPTION: u32 = 1;
/// Error member: `error_uri`.
pub const FAPI_OAUTH_ERROR_URI: u32 = 2;

/// Longest `client_id`, in bytes.
pub const FAPI_MAX_CLIENT_ID_LEN: u32 = 255;

/// Client configuration. Copied into the client by `fapi_client_init`.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_client_config {
    /// `sizeof(fapi_client_config)`.
    pub struct_size: u32,
    /// `FAPI_STRUCT_VERSION`.
    pub version: u32,
    /// The authorization server's issuer identifier (required, at most
    /// `FAPI_MAX_ISSUER_LEN` bytes, UTF-8): discovery metadata must name it, JARM responses and
    /// ID tokens must carry it, request objects and assertions are addressed to it.
    pub issuer: fapi_str,
    /// The client's `client_id` (required, at most `FAPI_MAX_CLIENT_ID_LEN` bytes, UTF-8).
    pub client_id: fapi_str,
    /// Algorithms accepted on JARM responses and ID tokens (`FAPI_ALG_*` bits, required;
    /// PS256/ES256/EdDSA/Ed25519 only with the FAPI 2.0 profile).
    pub algs: u32,
    /// 1: the FAPI 2.0 profile (FAPI 2.0 algorithms for what the client signs and accepts;
    /// RFC 9207 `iss` required on plain authorization responses); 0: off.
    pub fapi2_profile: u32,
    /// Clock leeway in seconds (0 = 10; above 60 refused).
    pub leeway: u32,
    /// Reserved: 0.
    pub reserved: u32,
}

/// An authorization request (`fapi_client_request_object`). Random values (`state`, `nonce`,
/// the PKCE verifier behind `code_challenge`) are made from host random bytes
/// (`fapi_random_token`, `fapi_pkce_verifier`) and kept for the response.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_authorization_request {
    /// `sizeof(fapi_authorization_request)`.
    pub struct_size: u32,
    /// `FAPI_STRUCT_VERSION`.
    pub version: u32,
    /// `redirect_uri`: an absolute https URI without fragment (`http` too without the FAPI 2.0
    /// profile).
    pub redirect_uri: fapi_str,
    /// `scope` (ptr NULL: none).
    pub scope: fapi_str,
    /// `state` (required).
    pub state: fapi_str,
    /// `nonce` (ptr NULL: none; OpenID Connect needs one for an ID token).
    pub nonce: fapi_str,
    /// The `S256` `code_challenge` (`fapi_pkce_challenge`, 43 bytes).
    pub code_challenge: fapi_str,
    /// `dpop_jkt` (RFC 9449 §10; `fapi_signer_jkt` of the DPoP key; ptr NULL: none).
    pub dpop_jkt: fapi_str,
    /// `authorization_details` (RFC 9396): JSON text of an array of objects each with a
    /// string `type` (ptr NULL: none).
    pub authorization_details: fapi_str,
    /// `FAPI_RESPONSE_MODE_*`.
    pub response_mode: u32,
    /// Reserved: 0.
    pub reserved: u32,
}

/// What a client holds besides its scratch: the configuration, stored as plain data.
#[repr(C)]
pub(crate) struct Settings {
    issuer_len: u32,
    client_id_len: u32,
    algs: u32,
    fapi2: u32,
    leeway: u32,
    _pad: u32,
    issuer: [u8; 256],
    client_id: [u8; 256],
}

impl Settings {
    fn issuer(&self) -> &str {
        self.issuer
            .get(..self.issuer_len as usize)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    fn client_id(&self) -> &str {
        self.client_id
            .get(..self.client_id_len as usize)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The core configuration, rebuilt from the stored settings (checked at init).
    fn config(&self) -> Result<ClientConfig<'_>, u32> {
        let algs = AlgSet::from_bits(self.algs).ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
        let mut b = ClientConfig::builder(self.issuer(), self.client_id(), algs);
        if self.leeway != 0 {
            b = b.leeway(self.leeway);
        }
        if self.fapi2 == 1 {
            b = b.fapi2_profile();
        }
        b.build().map_err(code)
    }
}

const KEYS: usize = FAPI_MAX_KEYS as usize;

#[repr(C)]
pub(crate) struct ClientMem {
    magic: u32,
    _pad: u32,
    settings: Settings,
    keys: KeySet<KEYS>,
    response: ResponseScratch,
    id_token: Scratch,
}

const _: () = assert!(align_of::<ClientMem>() <= FAPI_REGION_ALIGN as usize);

/// A client of one authorization server (opaque to C; memory owned by the caller,
/// `fapi_client_size()` bytes aligned to `FAPI_REGION_ALIGN`). It holds no pointers and no
/// secrets. One thread at a time (verifying responses and ID tokens writes its scratch); use
/// one client per thread, or serialise.
pub struct fapi_client {
    _opaque: [u8; 0],
}

/// Checks a client pointer and returns its memory.
///
/// # Safety
/// `c` must be NULL or come from `fapi_client_init`, and not be used by another thread now.
unsafe fn client_mut<'a>(c: *mut fapi_client) -> Result<&'a mut ClientMem, u32> {
    let p = c.cast::<ClientMem>();
    if !aligned(p) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL and aligned; the caller guarantees memory from fapi_client_init (plain
    // data: any bytes are valid for the magic and settings), used by this thread only.
    let m = unsafe { &mut *p };
    if m.magic != CLIENT_MAGIC {
        return Err(FAPI_ERR_BAD_REGION);
    }
    Ok(m)
}

/// Bytes of memory a client needs (about 39 KiB: the server's key set, response and ID-token
/// decode scratch).
#[unsafe(no_mangle)]
pub extern "C" fn fapi_client_size() -> usize {
    size_of::<ClientMem>()
}

fn copy_setting(dst: &mut [u8; 256], src: &[u8], max: u32) -> Result<u32, u32> {
    if src.len() > max as usize || core::str::from_utf8(src).is_err() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    dst.get_mut(..src.len())
        .ok_or(FAPI_ERR_INVALID_ARGUMENT)?
        .copy_from_slice(src);
    u32::try_from(src.len()).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)
}

/// Formats `mem` (`len` ≥ `fapi_client_size()`, aligned to `FAPI_REGION_ALIGN`) as a client
/// for `cfg` with an empty key set (load the server's with `fapi_client_set_jwks`) and sets
/// `*out`. Nothing is written unless the configuration is accepted. The memory holds no
/// resources: to discard a client, reuse or free it.
///
/// Returns `FAPI_OK`; `FAPI_ERR_MISUSE_EMPTY_ISSUER`, `_EMPTY_CLIENT_ID`, `_EMPTY_ALLOWLIST`,
/// `_LEEWAY_TOO_LARGE`, `_CONTRADICTORY_POLICY` (an algorithm outside the FAPI 2.0 profile);
/// or `FAPI_ERR_INVALID_ARGUMENT` (NULL/misaligned pointers, `len` too small, size/version,
/// unknown `algs` bits, flags other than 0/1, strings too long or not UTF-8).
///
/// # Safety
/// `mem` writable for `len` bytes and used by nothing else; `cfg` readable with its strings
/// readable for their lengths; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_init(
    mem: *mut core::ffi::c_void,
    len: usize,
    cfg: *const fapi_client_config,
    out: *mut *mut fapi_client,
) -> u32 {
    crate::guard(|| {
        let p = mem.cast::<ClientMem>();
        if !aligned(out)
            || !aligned(p)
            || !(p as usize).is_multiple_of(FAPI_REGION_ALIGN as usize)
            || len < size_of::<ClientMem>()
            || !aligned(cfg)
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: non-NULL, aligned, readable per contract.
        let c = unsafe { &*cfg };
        if c.version != FAPI_STRUCT_VERSION
            || (c.struct_size as usize) < size_of::<fapi_client_config>()
            || c.fapi2_profile > 1
            || c.reserved != 0
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let (iss, id) = match unsafe {
            (
                bytes(c.issuer.ptr, c.issuer.len),
                bytes(c.client_id.ptr, c.client_id.len),
            )
        } {
            (Ok(i), Ok(d)) => (i, d),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let mut settings = Settings {
            issuer_len: 0,
            client_id_len: 0,
            algs: c.algs,
            fapi2: c.fapi2_profile,
            leeway: c.leeway,
            _pad: 0,
            issuer: [0; 256],
            client_id: [0; 256],
        };
        match (
            copy_setting(&mut settings.issuer, iss, FAPI_MAX_ISSUER_LEN),
            copy_setting(&mut settings.client_id, id, FAPI_MAX_CLIENT_ID_LEN),
        ) {
            (Ok(a), Ok(b)) => {
                settings.issuer_len = a;
                settings.client_id_len = b;
            }
            (Err(e), _) | (_, Err(e)) => return e,
        }
        if let Err(e) = settings.config() {
            return e;
        }
        // SAFETY: `p` is non-NULL, 8-aligned, with at least size_of::<ClientMem>() writable bytes
        // owned by the caller; each field is written once (plain data and const-initialised
        // scratch), which initialises the whole value. `out` checked.
        unsafe {
            core::ptr::addr_of_mut!((*p).settings).write(settings);
            core::ptr::addr_of_mut!((*p).keys).write(KeySet::new());
            core::ptr::addr_of_mut!((*p).response).write(ResponseScratch::new());
            core::ptr::addr_of_mut!((*p).id_token).write(Scratch::new());
            core::ptr::addr_of_mut!((*p)._pad).write(0);
            core::ptr::addr_of_mut!((*p).magic).write(CLIENT_MAGIC);
            *out = p.cast::<fapi_client>();
        }
        FAPI_OK
    })
}

/// Replaces the client's copy of the authorization server's key set (its `jwks_uri`
/// document; up to `FAPI_MAX_KEYS` usable keys). On any error the old set stays. `*loaded`
/// and `*skipped` (may be NULL) receive the usable and skipped key counts.
///
/// Returns `FAPI_OK`, a JSON/JWK code, `FAPI_ERR_CAPACITY_KEY_SET_FULL`, or an API code.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; `json` readable for `len`;
/// `loaded`/`skipped` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_set_jwks(
    c: *mut fapi_client,
    json: *const u8,
    len: usize,
    loaded: *mut u32,
    skipped: *mut u32,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let (m, json) = match unsafe { (client_mut(c), bytes(json, len)) } {
            (Ok(m), Ok(j)) => (m, j),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        match m.keys.load(json, &JWKS_LIMITS) {
            Ok(r) => {
                // SAFETY: forwarded contract (NULL outputs are skipped).
                unsafe {
                    put(loaded, u32::try_from(r.loaded).unwrap_or(u32::MAX));
                    put(skipped, u32::try_from(r.skipped).unwrap_or(u32::MAX));
                }
                FAPI_OK
            }
            Err(e) => code(e),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Discovery metadata. Each call parses and checks the whole document again (no state kept):
// keep the fetched document and pass it each time.

fn options(flags: u32) -> Option<MetadataOptions> {
    match flags {
        0 => Some(MetadataOptions { allow_http: false }),
        FAPI_METADATA_ALLOW_HTTP => Some(MetadataOptions { allow_http: true }),
        _ => None,
    }
}

/// Parses `doc` as metadata of the client's issuer and runs `f` on it.
///
/// # Safety
/// `c` as [`client_mut`]; `doc` readable for `len`.
unsafe fn with_metadata(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
    f: impl FnOnce(&Metadata<'_>) -> u32,
) -> u32 {
    // SAFETY: forwarded contract.
    let (m, doc) = match unsafe { (client_mut(c), bytes(doc, len)) } {
        (Ok(m), Ok(d)) => (m, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let Some(opts) = options(flags) else {
        return FAPI_ERR_INVALID_ARGUMENT;
    };
    match metadata::parse(doc, m.settings.issuer(), opts) {
        Ok(md) => f(&md),
        Err(e) => code(e),
    }
}

/// Checks discovery metadata (RFC 8414 / OpenID Connect Discovery) fetched for the client's
/// issuer: strict JSON; `issuer` exactly the configured one (mix-up defence); every endpoint,
/// and every `mtls_endpoint_aliases` entry, an absolute `https` URI without fragment (`http`
/// too with `FAPI_METADATA_ALLOW_HTTP`, UNSAFE outside tests); member types; `S256` among the
/// PKCE methods when listed. `flags`: 0 or `FAPI_METADATA_ALLOW_HTTP`.
///
/// Returns `FAPI_OK`, a `FAPI_ERR_METADATA_*` or JSON code, or an API code.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; `doc` readable for `len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_metadata_check(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
) -> u32 {
    // SAFETY: forwarded contract.
    crate::guard(|| unsafe { with_metadata(c, doc, len, flags, |_| FAPI_OK) })
}

/// Copies endpoint `endpoint` (`FAPI_ENDPOINT_*`) of checked metadata `doc` into `(out, cap,
/// *out_len)`: with `mtls` 1 (the client authenticates or binds tokens with its TLS
/// certificate) its `mtls_endpoint_aliases` entry when the server lists one (RFC 8705 §5),
/// else the plain endpoint.
///
/// Returns `FAPI_OK`, `FAPI_ERR_METADATA_ENDPOINT_MISSING`, `FAPI_ERR_BUFFER_TOO_SMALL`, the
/// codes of `fapi_client_metadata_check`, or an API code.
///
/// # Safety
/// As `fapi_client_metadata_check`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_metadata_endpoint(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
    endpoint: u32,
    mtls: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        let Some(e) = Endpoint::ALL.into_iter().find(|e| *e as u32 == endpoint) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        if mtls > 1 {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        unsafe {
            with_metadata(c, doc, len, flags, |md| {
                write_out(out, cap, out_len, |buf| md.endpoint_into(e, mtls == 1, buf))
            })
        }
    })
}

/// The algorithms fapi knows among those metadata list `list` (`FAPI_ALG_LIST_*`) names, as
/// `FAPI_ALG_*` bits into `*algs` (0 when absent). Pass `FAPI_ALG_LIST_DPOP`'s to
/// `fapi_signer_dpop_proof`.
///
/// # Safety
/// As `fapi_client_metadata_check`; `algs` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_metadata_algs(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
    list: u32,
    algs: *mut u32,
) -> u32 {
    crate::guard(|| {
        let Some(l) = AlgList::ALL.into_iter().find(|l| *l as u32 == list) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        if !aligned(algs) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        unsafe {
            with_metadata(c, doc, len, flags, |md| {
                // SAFETY: non-NULL and aligned; writable per contract.
                *algs = md.algs(l).bits();
                FAPI_OK
            })
        }
    })
}

/// The boolean members of checked metadata as `FAPI_METADATA_*` flag bits into `*bits`
/// (`FAPI_METADATA_ISS_PARAMETER_SUPPORTED`, `_REQUIRES_PAR`, `_CERT_BOUND_TOKENS`).
///
/// # Safety
/// As `fapi_client_metadata_check`; `bits` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_metadata_flags(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
    bits: *mut u32,
) -> u32 {
    crate::guard(|| {
        if !aligned(bits) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        unsafe {
            with_metadata(c, doc, len, flags, |md| {
                let mut b = 0;
                if md.iss_parameter_supported() {
                    b |= FAPI_METADATA_ISS_PARAMETER_SUPPORTED;
                }
                if md.requires_par() {
                    b |= FAPI_METADATA_REQUIRES_PAR;
                }
                if md.certificate_bound_tokens() {
                    b |= FAPI_METADATA_CERT_BOUND_TOKENS;
                }
                // SAFETY: non-NULL and aligned; writable per contract.
                *bits = b;
                FAPI_OK
            })
        }
    })
}

/// Whether metadata list `what` (`FAPI_SUPPORTS_RESPONSE_MODE`: `response_modes_supported`,
/// `FAPI_SUPPORTS_AUTH_METHOD`: `token_endpoint_auth_methods_supported`) names `value`
/// (e.g. `query.jwt`, `private_key_jwt`): `*yes` 1 or 0.
///
/// # Safety
/// As `fapi_client_metadata_check`; `value` readable for `value_len`; `yes` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_metadata_supports(
    c: *mut fapi_client,
    doc: *const u8,
    len: usize,
    flags: u32,
    what: u32,
    value: *const u8,
    value_len: usize,
    yes: *mut u32,
) -> u32 {
    crate::guard(|| {
        if !aligned(yes) || what > FAPI_SUPPORTS_AUTH_METHOD {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let v = match unsafe { text(value, value_len) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            with_metadata(c, doc, len, flags, |md| {
                let r = if what == FAPI_SUPPORTS_RESPONSE_MODE {
                    md.supports_response_mode(v)
                } else {
                    md.supports_auth_method(v)
                };
                // SAFETY: non-NULL and aligned; writable per contract.
                *yes = u32::from(r);
                FAPI_OK
            })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Requests.

fn response_mode(m: u32) -> Result<Option<ResponseMode>, u32> {
    Ok(Some(match m {
        FAPI_RESPONSE_MODE_DEFAULT => return Ok(None),
        FAPI_RESPONSE_MODE_QUERY => ResponseMode::Query,
        FAPI_RESPONSE_MODE_FRAGMENT => ResponseMode::Fragment,
        FAPI_RESPONSE_MODE_FORM_POST => ResponseMode::FormPost,
        FAPI_RESPONSE_MODE_JWT => ResponseMode::Jwt,
        FAPI_RESPONSE_MODE_QUERY_JWT => ResponseMode::QueryJwt,
        FAPI_RESPONSE_MODE_FRAGMENT_JWT => ResponseMode::FragmentJwt,
        FAPI_RESPONSE_MODE_FORM_POST_JWT => ResponseMode::FormPostJwt,
        _ => return Err(FAPI_ERR_INVALID_ARGUMENT),
    }))
}

/// # Safety
/// `r` readable with every string readable for its length.
unsafe fn authorization_request<'a>(
    r: *const fapi_authorization_request,
) -> Result<AuthorizationRequest<'a>, u32> {
    if !aligned(r) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, readable per contract.
    let r = unsafe { &*r };
    if r.version != FAPI_STRUCT_VERSION
        || (r.struct_size as usize) < size_of::<fapi_authorization_request>()
        || r.reserved != 0
    {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: forwarded contract for every string.
    unsafe {
        Ok(AuthorizationRequest {
            redirect_uri: text(r.redirect_uri.ptr, r.redirect_uri.len)?,
            scope: opt_text(r.scope.ptr, r.scope.len)?,
            state: text(r.state.ptr, r.state.len)?,
            nonce: opt_text(r.nonce.ptr, r.nonce.len)?,
            code_challenge: text(r.code_challenge.ptr, r.code_challenge.len)?,
            response_mode: response_mode(r.response_mode)?,
            dpop_jkt: opt_text(r.dpop_jkt.ptr, r.dpop_jkt.len)?,
            authorization_details: crate::ptr::opt_bytes(
                r.authorization_details.ptr,
                r.authorization_details.len,
            )?,
        })
    }
}

/// Writes a signed request object (RFC 9101, FAPI 2.0 Message Signing) for `req`: header
/// `typ` `oauth-authz-req+jwt` and the signer's `kid`; `iss` = `client_id`, `aud` = issuer,
/// `response_type` `code`, the request's parameters, `code_challenge_method` `S256`, `nbf` =
/// `iat` = `now`, `exp` = `now + lifetime` (1–3600 s), `jti` from `jti_random` (16–96 host
/// random bytes).
///
/// Returns `FAPI_OK`; `FAPI_ERR_BUFFER_TOO_SMALL` (`*out_len` = bytes needed);
/// `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE` (empty `state`, bad `redirect_uri`,
/// `code_challenge` or `dpop_jkt`, control characters); `_AUTHORIZATION_DETAILS_INVALID`;
/// `_LIFETIME_OUT_OF_RANGE`; `_RANDOM_LENGTH`; `FAPI_ERR_SIGN_ALG_NOT_ALLOWED` (under the
/// FAPI 2.0 profile: PS256, ES256, EdDSA only), `_ALG_KEY_MISMATCH`, `_SIGNATURE_LENGTH`;
/// `FAPI_ERR_CAPACITY_CRYPTO_PROVIDER_FAILURE`; or an API code.
///
/// # Safety
/// `c` from `fapi_client_init` and `s` from `fapi_signer_init_*`, each used by this thread
/// only; `req` readable with its strings; `jti_random` readable; `out` writable for `cap`,
/// overlapping no input; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_request_object(
    c: *mut fapi_client,
    s: *mut fapi_signer,
    req: *const fapi_authorization_request,
    now: u64,
    lifetime: u32,
    jti_random: *const u8,
    jti_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                signer_mut(s),
                authorization_request(req),
                bytes(jti_random, jti_len),
            )
        };
        let (m, sg, r, jti) = match parts {
            (Ok(a), Ok(b), Ok(r), Ok(j)) => (a, b, r, j),
            (Err(e), ..) | (_, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => return e,
        };
        let cfg = match m.settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                jar::write_request_object(&cfg, &r, now, lifetime, jti, sg.signer(), buf)
            })
        }
    })
}

/// Writes a `private_key_jwt` client assertion (RFC 7523): `typ` (`FAPI_ASSERTION_TYP_*`),
/// the signer's `kid`; `iss` = `sub` = `client_id`, `aud` = the issuer, `jti` from
/// `jti_random` (16–96 host random bytes), `iat` = `now`, `exp` = `now + lifetime` (1–300 s).
/// Make a fresh one for every request (servers record `jti`s; oidc-provider refuses a reused
/// one even on a DPoP-nonce retry).
///
/// Returns as `fapi_client_request_object` (without the request-value codes).
///
/// # Safety
/// As `fapi_client_request_object`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_assertion(
    c: *mut fapi_client,
    s: *mut fapi_signer,
    typ: u32,
    now: u64,
    lifetime: u32,
    jti_random: *const u8,
    jti_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        let typ = match typ {
            FAPI_ASSERTION_TYP_CLIENT_AUTHENTICATION => AssertionTyp::ClientAuthentication,
            FAPI_ASSERTION_TYP_JWT => AssertionTyp::Jwt,
            _ => return FAPI_ERR_INVALID_ARGUMENT,
        };
        // SAFETY: forwarded contract.
        let parts = unsafe { (client_mut(c), signer_mut(s), bytes(jti_random, jti_len)) };
        let (m, sg, jti) = match parts {
            (Ok(a), Ok(b), Ok(j)) => (a, b, j),
            (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return e,
        };
        let cfg = match m.settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                client_auth::write_assertion(&cfg, typ, now, lifetime, jti, sg.signer(), buf)
            })
        }
    })
}

/// The client authentication of a form: an assertion (`private_key_jwt`), or none (ptr NULL:
/// mTLS, the TLS client certificate authenticates and the form carries `client_id`).
///
/// # Safety
/// `ptr` readable for `len`.
unsafe fn client_auth<'a>(ptr: *const u8, len: usize) -> Result<ClientAuth<'a>, u32> {
    // SAFETY: forwarded contract.
    Ok(match unsafe { opt_text(ptr, len)? } {
        Some(assertion) => ClientAuth::PrivateKeyJwt { assertion },
        None => ClientAuth::Mtls,
    })
}

/// Writes the `application/x-www-form-urlencoded` PAR body (RFC 9126): `request` (the request
/// object), `dpop_jkt` (ptr NULL: none), `client_id`, and the client authentication:
/// `assertion` from `fapi_client_assertion` (`private_key_jwt`), or ptr NULL for mTLS (POST
/// it to the PAR endpoint's `mtls_endpoint_aliases` entry with the client certificate).
///
/// Returns `FAPI_OK`, `FAPI_ERR_BUFFER_TOO_SMALL`, `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE`
/// (empty request object or assertion, bad `dpop_jkt`), or an API code.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; inputs readable for their lengths;
/// `out` writable for `cap`, overlapping no input; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_par_body(
    c: *mut fapi_client,
    request_object: *const u8,
    request_object_len: usize,
    assertion: *const u8,
    assertion_len: usize,
    dpop_jkt: *const u8,
    dpop_jkt_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                text(request_object, request_object_len),
                client_auth(assertion, assertion_len),
                opt_text(dpop_jkt, dpop_jkt_len),
            )
        };
        let (m, ro, auth, jkt) = match parts {
            (Ok(a), Ok(b), Ok(d), Ok(j)) => (a, b, d, j),
            (Err(e), ..) | (_, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => return e,
        };
        let cfg = match m.settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                par::write_body(&cfg, ro, &auth, jkt, buf)
            })
        }
    })
}

/// Writes the authorization URL (RFC 9126 §4): `authorization_endpoint` (from
/// `fapi_client_metadata_endpoint`; any query it has kept) with `client_id` and the PAR
/// response's `request_uri`, percent-encoded.
///
/// Returns `FAPI_OK`, `FAPI_ERR_BUFFER_TOO_SMALL`, `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE`
/// (an endpoint that is not an absolute http(s) URI without fragment, an empty
/// `request_uri`), or an API code.
///
/// # Safety
/// As `fapi_client_par_body`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_authorization_url(
    c: *mut fapi_client,
    endpoint: *const u8,
    endpoint_len: usize,
    request_uri: *const u8,
    request_uri_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                text(endpoint, endpoint_len),
                text(request_uri, request_uri_len),
            )
        };
        let (m, ep, uri) = match parts {
            (Ok(a), Ok(b), Ok(u)) => (a, b, u),
            (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return e,
        };
        let id = m.settings.client_id();
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                par::write_authorization_url(ep, id, uri, buf)
            })
        }
    })
}

/// Writes an `authorization_code` token request body: `grant_type`, `code` (from
/// `fapi_client_verify_response`), `redirect_uri` (the request's), `code_verifier` (the PKCE
/// verifier), `client_id` and the client authentication (`assertion`, or ptr NULL for mTLS).
///
/// Returns `FAPI_OK`, `FAPI_ERR_BUFFER_TOO_SMALL`, `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE`,
/// `FAPI_ERR_MISUSE_PKCE_VERIFIER_INVALID`, or an API code.
///
/// # Safety
/// As `fapi_client_par_body`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_code_request(
    c: *mut fapi_client,
    code_value: *const u8,
    code_len: usize,
    redirect_uri: *const u8,
    redirect_uri_len: usize,
    code_verifier: *const u8,
    code_verifier_len: usize,
    assertion: *const u8,
    assertion_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                text(code_value, code_len),
                text(redirect_uri, redirect_uri_len),
                text(code_verifier, code_verifier_len),
                client_auth(assertion, assertion_len),
            )
        };
        let (m, code_s, redirect, verifier, auth) = match parts {
            (Ok(a), Ok(b), Ok(r), Ok(v), Ok(d)) => (a, b, r, v, d),
            (Err(e), ..)
            | (_, Err(e), ..)
            | (_, _, Err(e), ..)
            | (.., Err(e), _)
            | (.., Err(e)) => return e,
        };
        let cfg = match m.settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                token::write_code_request(&cfg, code_s, redirect, verifier, &auth, buf)
            })
        }
    })
}

/// Writes a `refresh_token` token request body: `grant_type`, `refresh_token` (the current
/// one), `scope` (ptr NULL: none; only to narrow), `client_id` and the client authentication
/// (`assertion`, or ptr NULL for mTLS). After a successful response, replace the stored
/// refresh token with `FAPI_TOKEN_REFRESH_TOKEN` of the response when it has one (rotation).
///
/// Returns `FAPI_OK`, `FAPI_ERR_BUFFER_TOO_SMALL`, `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE`, or
/// an API code.
///
/// # Safety
/// As `fapi_client_par_body`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_refresh_request(
    c: *mut fapi_client,
    refresh_token: *const u8,
    refresh_token_len: usize,
    scope: *const u8,
    scope_len: usize,
    assertion: *const u8,
    assertion_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                text(refresh_token, refresh_token_len),
                opt_text(scope, scope_len),
                client_auth(assertion, assertion_len),
            )
        };
        let (m, rt, scope, auth) = match parts {
            (Ok(a), Ok(b), Ok(s), Ok(d)) => (a, b, s, d),
            (Err(e), ..) | (_, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => return e,
        };
        let cfg = match m.settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                token::write_refresh_request(&cfg, rt, scope, &auth, buf)
            })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// What the authorization server signs.

/// Verifies an authorization response at time `now` and writes its `code` into `(out, cap,
/// *out_len)`. `input` is the part that carries the parameters: the redirect's query string,
/// its fragment, or a `form_post` body (a leading `?` or `#` is ignored). With `jarm` 1 (the
/// request asked for `jwt`, `query.jwt`, `fragment.jwt` or `form_post.jwt`): exactly one
/// `response` parameter, its JWS verified with the server's keys (`fapi_client_set_jwks`) and
/// the client's algorithms, `iss` = issuer, `aud` = `client_id`, `exp` (with leeway), then
/// `state`, then `code` or `error`. With `jarm` 0: RFC 9207 `iss` checked when present and
/// required when `iss_parameter_supported` is 1 (the metadata's
/// `FAPI_METADATA_ISS_PARAMETER_SUPPORTED`) or under the FAPI 2.0 profile; then `state`, then
/// `code` or `error`. `state` (the one sent) is compared in constant time.
///
/// Returns `FAPI_OK`; `FAPI_ERR_AUTHZ_ERROR_RESPONSE` for a verified error response (read it
/// with `fapi_client_response_error`); the other `FAPI_ERR_AUTHZ_*` codes (e.g.
/// `_STATE_MISMATCH`, `_ISS_MISMATCH`, `_ISS_MISSING`, `_RESPONSE_MISSING`,
/// `_MIXED_RESPONSE`); for JARM also the token pipeline's JWS, JWK, JSON and claims codes (a
/// tampered response `FAPI_ERR_JWS_BAD_SIGNATURE`, another client's
/// `FAPI_ERR_CLAIMS_AUD_MISMATCH`, an expired one `FAPI_ERR_CLAIMS_EXPIRED`);
/// `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE` for an empty `state`; `FAPI_ERR_BUFFER_TOO_SMALL`;
/// or an API code.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; `input` and `state` readable;
/// `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_verify_response(
    c: *mut fapi_client,
    input: *const u8,
    input_len: usize,
    state: *const u8,
    state_len: usize,
    jarm: u32,
    iss_parameter_supported: u32,
    now: u64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        if jarm > 1 || iss_parameter_supported > 1 || !aligned(out_len) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                bytes(input, input_len),
                text(state, state_len),
                crate::ptr::out_bytes(out, cap),
            )
        };
        let (m, input, state, _) = match parts {
            (Ok(a), Ok(b), Ok(s), Ok(o)) => (a, b, s, o),
            (Err(e), ..) | (_, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => return e,
        };
        let ClientMem {
            settings,
            keys,
            response,
            ..
        } = m;
        let cfg = match settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        let expected = Expected {
            state,
            jarm: jarm == 1,
            iss_parameter_supported: iss_parameter_supported == 1,
        };
        match jarm::verify_response(&cfg, keys.keys(), input, &expected, now, response, None) {
            // SAFETY: forwarded contract.
            Ok(a) => unsafe { crate::ptr::copy_out(a.code().as_bytes(), out, cap, out_len) },
            Err(e) => code(e),
        }
    })
}

/// After `fapi_client_verify_response` returned `FAPI_ERR_AUTHZ_ERROR_RESPONSE`: copies member
/// `member` (`FAPI_OAUTH_ERROR`, `_DESCRIPTION`, `_URI`) of the verified error response,
/// decoded, into `(out, cap, *out_len)`. `FAPI_ERR_NOT_FOUND` when absent;
/// `FAPI_ERR_WRONG_STATE` when the client's last response was not a verified error.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; `out` writable for `cap`;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_response_error(
    c: *mut fapi_client,
    member: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        if member > FAPI_OAUTH_ERROR_URI {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let m = match unsafe { client_mut(c) } {
            Ok(m) => m,
            Err(e) => return e,
        };
        let Some(err) = m.response.error() else {
            return FAPI_ERR_WRONG_STATE;
        };
        let v = match member {
            FAPI_OAUTH_ERROR => Some(err.error()),
            FAPI_OAUTH_ERROR_DESCRIPTION => err.description(),
            _ => err.uri(),
        };
        match v {
            // SAFETY: forwarded contract.
            Some(v) => unsafe { crate::ptr::copy_out(v.as_bytes(), out, cap, out_len) },
            None => FAPI_ERR_NOT_FOUND,
        }
    })
}

/// Verifies an ID token (OpenID Connect Core §3.1.3.7) at time `now`: the signature with the
/// server's keys and the client's algorithms (`typ`, when present, `JWT`), `iss` = issuer,
/// `aud` containing `client_id` (and `azp` = `client_id`, required with several audiences),
/// `exp`/`iat`/`nbf` with leeway, `sub` present, and `nonce` equal to the one sent (constant
/// time). Writes `sub` into `(sub, cap, *sub_len)`.
///
/// Returns `FAPI_OK`; `FAPI_ERR_ID_TOKEN_*` (e.g. `_NONCE_MISMATCH`); the token pipeline's
/// JWS, JWK, JSON and claims codes; `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE` (empty `nonce`);
/// `FAPI_ERR_BUFFER_TOO_SMALL`; or an API code.
///
/// # Safety
/// `c` from `fapi_client_init`, used by this thread only; `token` and `nonce` readable; `sub`
/// writable for `cap`; `sub_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_client_verify_id_token(
    c: *mut fapi_client,
    token: *const u8,
    token_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    now: u64,
    sub: *mut u8,
    cap: usize,
    sub_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        if !aligned(sub_len) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                client_mut(c),
                bytes(token, token_len),
                text(nonce, nonce_len),
                crate::ptr::out_bytes(sub, cap),
            )
        };
        let (m, token, nonce, _) = match parts {
            (Ok(a), Ok(b), Ok(n), Ok(o)) => (a, b, n, o),
            (Err(e), ..) | (_, Err(e), ..) | (.., Err(e), _) | (.., Err(e)) => return e,
        };
        let ClientMem {
            settings,
            keys,
            id_token: scratch,
            ..
        } = m;
        let cfg = match settings.config() {
            Ok(c) => c,
            Err(e) => return e,
        };
        match id_token::verify(&cfg, keys.keys(), scratch, token, nonce, now, None) {
            Ok(t) => match t.sub() {
                // SAFETY: forwarded contract.
                Some(s) => unsafe {
                    write_out(sub, cap, sub_len, |buf| s.unescape_into(buf).map(str::len))
                },
                None => FAPI_ERR_ID_TOKEN_SUB_MISSING,
            },
            Err(e) => code(e),
        }
    })
}
