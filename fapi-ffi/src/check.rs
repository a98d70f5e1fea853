//! Per-request calls and the accessors of a context's last verdict.

use crate::codes::*;
use crate::ctx::{ctx_mut, ctx_ref, fapi_ctx};
use crate::ptr::{aligned, bytes, copy_out};
use crate::types::*;
use crate::verifier::{Region, fapi_verifier};
use core::mem::size_of;
use fapi_core::mtls::CertEncoding;
use fapi_core::request::{
    Binding, CertSource, ClientCert, Outcome, ProofCheck, ReplayOutcome, Request,
};

/// Up to `out.len()` C strings, each converted by `f`, written into `out` in place (`out` lives
/// in the frame that stays under the whole decision, so no by-value copies); returns how many.
///
/// # Safety
/// `p` must be NULL (with `n` 0) or point to `n` readable `fapi_str` whose bytes are readable.
unsafe fn strs_with<'a, T>(
    p: *const fapi_str,
    n: u32,
    out: &mut [T],
    f: impl Fn(&'a [u8]) -> Result<T, u32>,
) -> Result<usize, u32> {
    if n == 0 {
        return Ok(0);
    }
    if !aligned(p) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // More than out.len() values: keep that many (for fields, two already mean "refuse").
    let take = (n as usize).min(out.len());
    // SAFETY: non-NULL, aligned; the caller guarantees `n` ≥ `take` readable fapi_str.
    let items = unsafe { core::slice::from_raw_parts(p, take) };
    for (o, s) in out.iter_mut().zip(items) {
        // SAFETY: the caller guarantees each string readable for its length.
        *o = f(unsafe { bytes(s.ptr, s.len)? })?;
    }
    Ok(take)
}

/// [`strs_with`] keeping the bytes.
///
/// # Safety
/// As [`strs_with`].
unsafe fn strs<'a>(p: *const fapi_str, n: u32, out: &mut [&'a [u8]]) -> Result<usize, u32> {
    // SAFETY: forwarded contract.
    unsafe { strs_with(p, n, out, |b: &'a [u8]| Ok(b)) }
}

/// [`strs_with`] for strings that must be UTF-8.
///
/// # Safety
/// As [`strs_with`].
unsafe fn utf8_strs<'a>(p: *const fapi_str, n: u32, out: &mut [&'a str]) -> Result<usize, u32> {
    // SAFETY: forwarded contract.
    unsafe {
        strs_with(p, n, out, |b: &'a [u8]| {
            core::str::from_utf8(b).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)
        })
    }
}

pub(crate) fn cert_encoding(e: u32) -> Option<CertEncoding> {
    match e {
        FAPI_CERT_DER => Some(CertEncoding::Der),
        FAPI_CERT_PEM => Some(CertEncoding::Pem),
        FAPI_CERT_ESCAPED_PEM => Some(CertEncoding::EscapedPem),
        FAPI_CERT_CLIENT_CERT_HEADER => Some(CertEncoding::ClientCertHeader),
        _ => None,
    }
}

/// Decides one request. Returns `FAPI_OK` whenever a verdict (allow, deny) or a pending
/// state (needs replay check) was reached — read it with `fapi_ctx_verdict` and the other
/// `fapi_ctx_*` accessors. Any other return value is caller misuse: `FAPI_ERR_INVALID_ARGUMENT`
/// (NULL/misaligned pointers, unknown `cert_encoding`/`cert_source`, a base index out of
/// range, more than `FAPI_MAX_SCOPES` scopes, non-UTF-8 scopes, struct size/version),
/// `FAPI_ERR_BAD_REGION`, or `FAPI_ERR_PANIC`.
///
/// Concurrency: any number of threads or processes may call this on one verifier, each with
/// its own context.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; `ctx` from `fapi_ctx_init` and used by this
/// thread only; `req` readable, with every string readable for its length during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_check_request(
    v: *mut fapi_verifier,
    ctx: *mut fapi_ctx,
    req: *const fapi_request,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { check_request(v, ctx, req) } {
            Ok(()) => FAPI_OK,
            Err(e) => e,
        }
    })
}

/// # Safety
/// As [`fapi_check_request`].
unsafe fn check_request(
    v: *mut fapi_verifier,
    ctx: *mut fapi_ctx,
    req: *const fapi_request,
) -> Result<(), u32> {
    if !aligned(req) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, readable per contract.
    let r = unsafe { &*req };
    if r.version != FAPI_STRUCT_VERSION || (r.struct_size as usize) < size_of::<fapi_request>() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: forwarded contract for every pointer below.
    let c = unsafe { ctx_mut(ctx)? };
    // Any failure below leaves no verdict behind (never a stale allow).
    c.core.clear();
    // SAFETY: forwarded contract.
    let region = unsafe { Region::attach(v)? };
    // SAFETY: forwarded contract.
    let (method, target) = unsafe {
        (
            bytes(r.method.ptr, r.method.len)?,
            bytes(r.target.ptr, r.target.len)?,
        )
    };
    const F: usize = FAPI_MAX_FIELDS as usize;
    const S: usize = FAPI_MAX_SCOPES as usize;
    let mut auth: [&[u8]; F] = [&[]; F];
    // SAFETY: forwarded contract.
    let na = unsafe { strs(r.authorization, r.authorization_count, &mut auth)? };
    let mut dpop: [&[u8]; F] = [&[]; F];
    // SAFETY: forwarded contract.
    let nd = unsafe { strs(r.dpop, r.dpop_count, &mut dpop)? };
    if r.required_scope_count > FAPI_MAX_SCOPES {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    let mut scopes: [&str; S] = [""; S];
    // SAFETY: forwarded contract.
    let ns = unsafe { utf8_strs(r.required_scopes, r.required_scope_count, &mut scopes)? };
    let client_cert = if r.cert_encoding == FAPI_CERT_NONE {
        None
    } else {
        let encoding = cert_encoding(r.cert_encoding).ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
        let source = match r.cert_source {
            FAPI_CERT_SOURCE_TLS => CertSource::TlsStack,
            FAPI_CERT_SOURCE_TRUSTED_PROXY => CertSource::TrustedProxy,
            _ => return Err(FAPI_ERR_INVALID_ARGUMENT),
        };
        // SAFETY: forwarded contract.
        let b = unsafe { bytes(r.client_cert.ptr, r.client_cert.len)? };
        Some(ClientCert {
            bytes: b,
            encoding,
            source,
        })
    };
    let introspection = if r.introspection.ptr.is_null() {
        None
    } else {
        // SAFETY: forwarded contract.
        Some(unsafe { bytes(r.introspection.ptr, r.introspection.len)? })
    };
    if r.base >= region.base_count() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    let request = Request {
        method,
        target,
        base: r.base as usize,
        authorization: auth.get(..na).unwrap_or(&[]),
        dpop: dpop.get(..nd).unwrap_or(&[]),
        client_cert,
        required_scopes: scopes.get(..ns).unwrap_or(&[]),
        now: r.now,
        introspection,
    };
    region.with_verifier(|ver| match c.handles.provider {
        None => {
            ver.decide(&mut c.core, &request);
        }
        Some(p) => {
            c.handles.sync_generation(ver.key_generation());
            let mut adapter = crate::provider::Adapter {
                p,
                handles: &mut c.handles,
            };
            ver.decide_with(&mut c.core, &request, &mut adapter);
        }
    })
}

/// Completes a decision that ended in `FAPI_VERDICT_NEEDS_REPLAY_CHECK` with the host's
/// replay-store answer (`FAPI_REPLAY_FRESH`, `_SEEN` or `_STORE_ERROR`). Returns `FAPI_OK`
/// with the final verdict in the context (a call without a pending check denies with
/// `FAPI_ERR_MISUSE_REPLAY_NOT_PENDING`), or an API code.
///
/// # Safety
/// As [`fapi_check_request`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_complete_replay(
    v: *mut fapi_verifier,
    ctx: *mut fapi_ctx,
    outcome: u32,
) -> u32 {
    crate::guard(|| {
        let o = match outcome {
            FAPI_REPLAY_FRESH => ReplayOutcome::Fresh,
            FAPI_REPLAY_SEEN => ReplayOutcome::Seen,
            FAPI_REPLAY_STORE_ERROR => ReplayOutcome::StoreError,
            _ => return FAPI_ERR_INVALID_ARGUMENT,
        };
        // SAFETY: forwarded contract.
        let (region, c) = match unsafe { (Region::attach(v), ctx_mut(ctx)) } {
            (Ok(r), Ok(c)) => (r, c),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        match region.with_verifier(|ver| {
            ver.complete_replay(&mut c.core, o);
        }) {
            Ok(()) => FAPI_OK,
            Err(e) => e,
        }
    })
}

/// Checks a standalone DPoP proof (token endpoint, opaque tokens): every RFC 9449 §4.3 check,
/// the expected thumbprint if given, and single use in the built-in table. Returns `FAPI_OK`
/// and writes the proof key's RFC 7638 thumbprint to `jkt_out` (32 bytes, may be NULL), or
/// the refusal's code (e.g. `FAPI_ERR_DPOP_REPLAYED`), or an API code.
///
/// # Safety
/// As [`fapi_check_request`]; `jkt_out` NULL or 32 writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_check_proof(
    v: *mut fapi_verifier,
    ctx: *mut fapi_ctx,
    check: *const fapi_proof_check,
    jkt_out: *mut u8,
) -> u32 {
    crate::guard(|| {
        if !aligned(check) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: non-NULL, aligned, readable per contract.
        let k = unsafe { &*check };
        if k.version != FAPI_STRUCT_VERSION
            || (k.struct_size as usize) < size_of::<fapi_proof_check>()
            || k.has_expected_jkt > 1
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let parts = unsafe {
            (
                Region::attach(v),
                ctx_mut(ctx),
                bytes(k.proof.ptr, k.proof.len),
                bytes(k.method.ptr, k.method.len),
                bytes(k.target.ptr, k.target.len),
            )
        };
        let (region, c, proof, method, target) = match parts {
            (Ok(a), Ok(b), Ok(p), Ok(m), Ok(t)) => (a, b, p, m, t),
            (Err(e), ..)
            | (_, Err(e), ..)
            | (_, _, Err(e), ..)
            | (.., Err(e), _)
            | (.., Err(e)) => {
                return e;
            }
        };
        let access_token = if k.access_token.ptr.is_null() {
            None
        } else {
            // SAFETY: forwarded contract.
            match unsafe { bytes(k.access_token.ptr, k.access_token.len) } {
                Ok(t) => Some(t),
                Err(e) => return e,
            }
        };
        if k.base >= region.base_count() {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let pc = ProofCheck {
            proof,
            method,
            target,
            base: k.base as usize,
            access_token,
            expected_jkt: (k.has_expected_jkt == 1).then_some(&k.expected_jkt),
            now: k.now,
        };
        let r = region.with_verifier(|ver| match c.handles.provider {
            None => ver.check_proof(&mut c.core, &pc),
            Some(p) => {
                let mut adapter = crate::provider::Adapter {
                    p,
                    handles: &mut c.handles,
                };
                ver.check_proof_with(&mut c.core, &pc, &mut adapter)
            }
        });
        match r {
            Err(e) => e,
            Ok(Err(e)) => u32::from(e.code()),
            Ok(Ok(p)) => {
                if !jkt_out.is_null() {
                    // SAFETY: non-NULL; the caller guarantees 32 writable bytes.
                    unsafe { core::ptr::copy_nonoverlapping(p.jkt().as_ptr(), jkt_out, 32) };
                }
                FAPI_OK
            }
        }
    })
}

/// The context's last verdict: `FAPI_VERDICT_NONE`, `_ALLOW`, `_DENY` or
/// `_NEEDS_REPLAY_CHECK` (`FAPI_VERDICT_NONE` for an invalid context).
///
/// # Safety
/// `ctx` from `fapi_ctx_init`, not being written by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_verdict(ctx: *const fapi_ctx) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { ctx_ref(ctx) }.map(|c| c.core.outcome()) {
            Ok(Outcome::Allow { .. }) => FAPI_VERDICT_ALLOW,
            Ok(Outcome::Deny { .. }) => FAPI_VERDICT_DENY,
            Ok(Outcome::Pending(_)) => FAPI_VERDICT_NEEDS_REPLAY_CHECK,
            _ => FAPI_VERDICT_NONE,
        }
    })
}

/// The result code of the last denial (`FAPI_OK` when the last verdict is not a denial).
///
/// # Safety
/// As [`fapi_ctx_verdict`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_result(ctx: *const fapi_ctx) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { ctx_ref(ctx) }.map(|c| c.core.outcome()) {
            Ok(Outcome::Deny { error }) => u32::from(error.code()),
            Ok(_) => FAPI_OK,
            Err(e) => e,
        }
    })
}

/// The HTTP status to answer with: 200 on allow, the refusal's status on deny, 0 otherwise.
///
/// # Safety
/// As [`fapi_ctx_verdict`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_http_status(ctx: *const fapi_ctx) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { ctx_ref(ctx) }.map(|c| c.core.outcome()) {
            Ok(Outcome::Allow { .. }) => 200,
            Ok(Outcome::Deny { error }) => u32::from(error.http_status()),
            _ => 0,
        }
    })
}

/// The OAuth error of the last denial as a static NUL-terminated string (`"invalid_token"`,
/// `"invalid_dpop_proof"`, `"use_dpop_nonce"`, `"invalid_request"`, `"insufficient_scope"`),
/// or `""` (no OAuth error: allow, 500/503, no credentials). Never NULL.
///
/// # Safety
/// As [`fapi_ctx_verdict`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_oauth_error(ctx: *const fapi_ctx) -> *const core::ffi::c_char {
    use fapi_core::error::OAuthError;
    let mut which = 0u32;
    crate::guard(|| {
        // SAFETY: forwarded contract.
        if let Ok(Outcome::Deny { error }) = unsafe { ctx_ref(ctx) }.map(|c| c.core.outcome()) {
            which = match error.oauth_error() {
                OAuthError::InvalidRequest => 1,
                OAuthError::InvalidToken => 2,
                OAuthError::InsufficientScope => 3,
                OAuthError::InvalidDpopProof => 4,
                OAuthError::UseDpopNonce => 5,
                _ => 0,
            };
        }
        FAPI_OK
    });
    match which {
        1 => c"invalid_request".as_ptr(),
        2 => c"invalid_token".as_ptr(),
        3 => c"insufficient_scope".as_ptr(),
        4 => c"invalid_dpop_proof".as_ptr(),
        5 => c"use_dpop_nonce".as_ptr(),
        _ => c"".as_ptr(),
    }
}

/// Points `*ptr`/`*len` at the `WWW-Authenticate` value of the last denial (inside the
/// context: valid until its next use; not NUL-terminated). Empty for 500/503 and non-denials.
///
/// # Safety
/// As [`fapi_ctx_verdict`]; `ptr` and `len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_www_authenticate(
    ctx: *const fapi_ctx,
    ptr: *mut *const u8,
    len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { ctx_ref(ctx) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract.
        unsafe { point(c.core.challenge().as_bytes(), ptr, len) }
    })
}

/// Points `*ptr`/`*len` at the `DPoP-Nonce` to send with the last verdict (allows when a nonce
/// secret is set, `use_dpop_nonce` denials). `FAPI_ERR_NOT_FOUND` when there is none.
/// Responses carrying it need `Cache-Control: no-store`.
///
/// # Safety
/// As [`fapi_ctx_www_authenticate`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_dpop_nonce(
    ctx: *const fapi_ctx,
    ptr: *mut *const u8,
    len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { ctx_ref(ctx) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        match c.core.dpop_nonce() {
            // SAFETY: forwarded contract.
            Some(n) => unsafe { point(n.as_bytes(), ptr, len) },
            None => FAPI_ERR_NOT_FOUND,
        }
    })
}

/// # Safety
/// `ptr`, `len` checked here for NULL/alignment; writable per the caller's contract.
unsafe fn point(b: &[u8], ptr: *mut *const u8, len: *mut usize) -> u32 {
    if !aligned(ptr) || !aligned(len) {
        return FAPI_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: both non-NULL and aligned; writable per contract.
    unsafe {
        *ptr = b.as_ptr();
        *len = b.len();
    }
    FAPI_OK
}

/// The value of claim `name` of the context's last allowed request.
///
/// # Safety
/// As [`fapi_ctx_verdict`]; `name` readable for `name_len`.
unsafe fn claim<'a>(
    ctx: *const fapi_ctx,
    name: *const u8,
    name_len: usize,
) -> Result<fapi_core::json::Value<'a>, u32> {
    // SAFETY: forwarded contract.
    let (c, name) = unsafe { (ctx_ref(ctx)?, bytes(name, name_len)?) };
    let name = core::str::from_utf8(name).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)?;
    let obj = c.core.claims().ok_or(FAPI_ERR_WRONG_STATE)?;
    obj.get(name).ok_or(FAPI_ERR_NOT_FOUND)
}

/// Copies a string claim of the last allowed request (e.g. `"sub"`, `"client_id"`, `"scope"`,
/// `"iss"`, `"jti"`, or any other), unescaped, into `(out, cap)`; `*out_len` receives the
/// bytes written, or on `FAPI_ERR_BUFFER_TOO_SMALL` the bytes needed (a buffer of
/// `FAPI_MAX_CLAIM_LEN` always suffices). `FAPI_ERR_NOT_FOUND` if absent, `FAPI_ERR_CLAIMS_CLAIM_TYPE`
/// if not a string (use `fapi_ctx_claim_json`), `FAPI_ERR_WRONG_STATE` unless the last verdict
/// is an allow.
///
/// # Safety
/// As [`fapi_ctx_verdict`]; `name` readable for `name_len`; `out` writable for `cap`;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_claim_str(
    ctx: *const fapi_ctx,
    name: *const u8,
    name_len: usize,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let v = match unsafe { claim(ctx, name, name_len) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        let Some(s) = v.as_str() else {
            return FAPI_ERR_CLAIMS_CLAIM_TYPE;
        };
        let mut buf = [0u8; FAPI_MAX_CLAIM_LEN as usize];
        match s.unescape_into(&mut buf) {
            // SAFETY: forwarded contract.
            Ok(text) => unsafe { copy_out(text.as_bytes(), out, cap, out_len) },
            Err(_) => FAPI_ERR_BUFFER_TOO_SMALL,
        }
    })
}

/// Points `*ptr`/`*len` at a claim's exact JSON text (e.g. an `aud` array, `cnf`, numbers),
/// inside the context and valid until its next use. Errors as `fapi_ctx_claim_str`.
///
/// # Safety
/// As [`fapi_ctx_www_authenticate`]; `name` readable for `name_len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_claim_json(
    ctx: *const fapi_ctx,
    name: *const u8,
    name_len: usize,
    ptr: *mut *const u8,
    len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { claim(ctx, name, name_len) } {
            // SAFETY: forwarded contract.
            Ok(v) => unsafe { point(v.raw(), ptr, len) },
            Err(e) => e,
        }
    })
}

/// Reads a NumericDate claim (`"exp"`, `"iat"`, `"nbf"`, …) of the last allowed request as
/// whole seconds. Errors as `fapi_ctx_claim_str`; a non-number is `FAPI_ERR_CLAIMS_CLAIM_TYPE`.
///
/// # Safety
/// As [`fapi_ctx_verdict`]; `name` readable; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_claim_time(
    ctx: *const fapi_ctx,
    name: *const u8,
    name_len: usize,
    out: *mut u64,
) -> u32 {
    crate::guard(|| {
        if !aligned(out) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let v = match unsafe { claim(ctx, name, name_len) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        match fapi_core::time::numeric_date(&v) {
            Ok(t) => {
                // SAFETY: non-NULL and aligned; writable per contract.
                unsafe { *out = t };
                FAPI_OK
            }
            Err(_) => FAPI_ERR_CLAIMS_CLAIM_TYPE,
        }
    })
}

/// The binding the last allowed request proved (`FAPI_BINDING_*`), whether the token cache
/// vouched for its signature (`*cache_hit` 0/1), and the proven thumbprints: the proof key's
/// RFC 7638 `jkt` and the certificate's SHA-256 (32 bytes each; zeros when not proven). Any
/// output may be NULL. `FAPI_ERR_WRONG_STATE` unless the last verdict is an allow.
///
/// # Safety
/// As [`fapi_ctx_verdict`]; non-NULL outputs writable (`jkt`, `x5t_s256`: 32 bytes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_binding(
    ctx: *const fapi_ctx,
    binding: *mut u32,
    cache_hit: *mut u32,
    jkt: *mut u8,
    x5t_s256: *mut u8,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { ctx_ref(ctx) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        let Outcome::Allow {
            binding: b,
            cache_hit: hit,
        } = c.core.outcome()
        else {
            return FAPI_ERR_WRONG_STATE;
        };
        let (kind, j, x) = match b {
            Binding::None => (FAPI_BINDING_NONE, [0u8; 32], [0u8; 32]),
            Binding::Dpop { jkt } => (FAPI_BINDING_DPOP, jkt, [0u8; 32]),
            Binding::Mtls { x5t_s256 } => (FAPI_BINDING_MTLS, [0u8; 32], x5t_s256),
            Binding::Both { jkt, x5t_s256 } => (FAPI_BINDING_BOTH, jkt, x5t_s256),
        };
        // SAFETY: each output is checked non-NULL (and aligned for u32) before the write; the
        // caller guarantees writable memory of the documented size.
        unsafe {
            if aligned(binding) {
                *binding = kind;
            }
            if aligned(cache_hit) {
                *cache_hit = u32::from(hit);
            }
            if !jkt.is_null() {
                core::ptr::copy_nonoverlapping(j.as_ptr(), jkt, 32);
            }
            if !x5t_s256.is_null() {
                core::ptr::copy_nonoverlapping(x.as_ptr(), x5t_s256, 32);
            }
        }
        FAPI_OK
    })
}

/// For `FAPI_VERDICT_NEEDS_REPLAY_CHECK`: points `*key`/`*key_len` at the store key (43
/// bytes, base64url(SHA-256(jkt ‖ jti)), identical on every instance; inside the context) and
/// writes the Unix time until which the store must keep it (e.g. Redis
/// `SET key 1 NX EXAT expiry`). `FAPI_ERR_WRONG_STATE` otherwise.
///
/// # Safety
/// As [`fapi_ctx_www_authenticate`]; `expiry` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_replay_check(
    ctx: *const fapi_ctx,
    key: *mut *const u8,
    key_len: *mut usize,
    expiry: *mut u64,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { ctx_ref(ctx) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        if !aligned(expiry) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let Some(check) = c.core.pending_replay() else {
            return FAPI_ERR_WRONG_STATE;
        };
        // SAFETY: non-NULL, aligned; writable per contract.
        unsafe { *expiry = check.expiry() };
        // SAFETY: forwarded contract.
        unsafe { point(check.key().as_bytes(), key, key_len) }
    })
}
