//! The signer (`fapi_signer`): a client signing key in caller memory — fapi's own ES256 (RFC
//! 6979) or Ed25519 key from secret bytes, or a host callback (an HSM, OpenSSL; any
//! algorithm, PS256 included) passed the way the verifier's crypto provider is — and the
//! DPoP proofs it signs.

use crate::codes::*;
use crate::ptr::{aligned, bytes, code, opt_bytes, text, write_out};
use crate::types::*;
use crate::verifier::FAPI_REGION_ALIGN;
use core::mem::{align_of, size_of};
use fapi_core::dpop_proof::{self, ProofRequest};
use fapi_core::jwk::{JWKS_LIMITS, KeyMaterial, MAX_KID_LEN};
use fapi_core::jws::{Alg, AlgSet, ProviderFailure};
use fapi_core::sign::{self, Ed25519Key, Es256Key, Jkt, JwsSigner};

const SIGNER_MAGIC: u32 = 0x4641_5347; // "FASG"

/// Length of a `dpop_jkt` / `cnf.jkt` value (base64url of a SHA-256 thumbprint).
pub const FAPI_JKT_LEN: u32 = 43;

/// A signing key (opaque to C; memory owned by the caller, `fapi_signer_size()` bytes aligned
/// to `FAPI_REGION_ALIGN`). One thread at a time. Holds private key bytes for the ES256 and
/// Ed25519 kinds: wipe it with `fapi_signer_wipe` before freeing or reusing the memory.
pub struct fapi_signer {
    _opaque: [u8; 0],
}

/// A host signer: the private key stays with the host (an HSM, a PKCS#11 token, OpenSSL),
/// which signs through `sign`. Copied by `fapi_signer_init_callback`; `public_jwk` is read
/// during that call only.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_signing_callback {
    /// `sizeof(fapi_signing_callback)`.
    pub struct_size: u32,
    /// `FAPI_STRUCT_VERSION`.
    pub version: u32,
    /// Passed back to `sign`.
    pub user: *mut core::ffi::c_void,
    /// The algorithm the key signs with: one `FAPI_ALG_*` bit (PS256, ES256, EdDSA, Ed25519,
    /// RS256).
    pub alg: u32,
    /// The public key as a JWK (JSON text; its `kid`, if any, names the key in request objects
    /// and client assertions). Checked like a key of a JWKS; private members are refused.
    pub public_jwk: fapi_str,
    /// Signs: writes the JWS signature into `sig` (`sig_cap` bytes available), sets
    /// `*sig_len` and returns 0; non-zero on failure (the call then fails closed with
    /// `FAPI_ERR_CAPACITY_CRYPTO_PROVIDER_FAILURE`). `data` is the SHA-256 digest of the
    /// signing input (32 bytes) for ES256, PS256 and RS256 — as HSMs take it — and the whole
    /// signing input for EdDSA/Ed25519. ES256 signatures are `r ‖ s` (64 bytes, not DER); PS256
    /// is RSASSA-PSS with MGF1-SHA-256 and a 32-byte salt; RSA signatures are as long as the
    /// modulus. A signature of another length is refused (`FAPI_ERR_SIGN_SIGNATURE_LENGTH`).
    pub sign: Option<
        unsafe extern "C" fn(
            user: *mut core::ffi::c_void,
            alg: u32,
            data: *const u8,
            data_len: usize,
            sig: *mut u8,
            sig_cap: usize,
            sig_len: *mut usize,
        ) -> i32,
    >,
}

/// What one DPoP proof covers (`fapi_signer_dpop_proof`).
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_dpop_proof_request {
    /// `sizeof(fapi_dpop_proof_request)`.
    pub struct_size: u32,
    /// `FAPI_STRUCT_VERSION`.
    pub version: u32,
    /// `htm`: the HTTP method (e.g. `POST`).
    pub htm: fapi_str,
    /// `htu`: the absolute target URI without query and fragment.
    pub htu: fapi_str,
    /// `nonce`: the server's last `DPoP-Nonce` value (ptr NULL: none).
    pub nonce: fapi_str,
    /// The access token the request presents (ptr NULL: none; else `ath` is its hash).
    pub access_token: fapi_str,
}

/// A host signer behind the callback.
#[derive(Clone, Debug)]
pub(crate) struct Host {
    user: *mut core::ffi::c_void,
    sign: unsafe extern "C" fn(
        *mut core::ffi::c_void,
        u32,
        *const u8,
        usize,
        *mut u8,
        usize,
        *mut usize,
    ) -> i32,
    alg: Alg,
    public: KeyMaterial,
    kid: [u8; MAX_KID_LEN],
    kid_len: usize,
}

pub(crate) fn alg_bit(a: Alg) -> u32 {
    AlgSet::of(&[a]).bits()
}

/// The one algorithm a single `FAPI_ALG_*` bit names.
pub(crate) fn alg_of(bit: u32) -> Option<Alg> {
    Alg::ALL.into_iter().find(|a| alg_bit(*a) == bit)
}

impl JwsSigner for Host {
    fn alg(&self) -> Alg {
        self.alg
    }

    fn public_key(&self) -> &KeyMaterial {
        &self.public
    }

    fn kid(&self) -> Option<&str> {
        let k = self.kid.get(..self.kid_len)?;
        if k.is_empty() {
            return None;
        }
        core::str::from_utf8(k).ok()
    }

    fn sign(
        &mut self,
        signing_input: &[u8],
        signature: &mut [u8],
    ) -> Result<usize, ProviderFailure> {
        let digest = fapi_core::jws::sha256(signing_input);
        let data: &[u8] = if self.alg.is_eddsa() {
            signing_input
        } else {
            &digest
        };
        let mut n = 0usize;
        // SAFETY: the integrator's callback with its own `user`; `data` is readable and
        // `signature` writable for their lengths during the call; `n` is a valid out-pointer.
        let rc = unsafe {
            (self.sign)(
                self.user,
                alg_bit(self.alg),
                data.as_ptr(),
                data.len(),
                signature.as_mut_ptr(),
                signature.len(),
                &mut n,
            )
        };
        if rc != 0 || n > signature.len() {
            return Err(ProviderFailure);
        }
        Ok(n)
    }
}

// Rust enums with Drop (the secret keys wipe themselves) live in the caller's memory; C never
// reads them.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Key {
    Es256(Es256Key),
    Ed25519(Ed25519Key),
    Host(Host),
}

#[repr(C)]
pub(crate) struct SignerMem {
    magic: u32,
    _pad: u32,
    key: Key,
}

const _: () = assert!(align_of::<SignerMem>() <= FAPI_REGION_ALIGN as usize);

impl SignerMem {
    pub(crate) fn signer(&mut self) -> &mut dyn JwsSigner {
        match &mut self.key {
            Key::Es256(k) => k,
            Key::Ed25519(k) => k,
            Key::Host(h) => h,
        }
    }
}

/// Checks a signer pointer and returns its memory.
///
/// # Safety
/// `s` must be NULL or come from a `fapi_signer_init_*` call, and not be used by another thread
/// now.
pub(crate) unsafe fn signer_mut<'a>(s: *mut fapi_signer) -> Result<&'a mut SignerMem, u32> {
    let p = s.cast::<SignerMem>();
    if !aligned(p) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL and aligned; the magic is read as a plain u32 first (any bytes valid).
    let magic = unsafe { p.cast::<u32>().read() };
    if magic != SIGNER_MAGIC {
        return Err(FAPI_ERR_BAD_REGION);
    }
    // SAFETY: the magic says fapi_signer_init_* initialised this memory with a SignerMem; the
    // caller guarantees exclusive use.
    Ok(unsafe { &mut *p })
}

/// Bytes of memory a signer needs (aligned to `FAPI_REGION_ALIGN`).
#[unsafe(no_mangle)]
pub extern "C" fn fapi_signer_size() -> usize {
    size_of::<SignerMem>()
}

/// Writes `key` into `mem` and sets `*out`.
///
/// # Safety
/// `mem` writable for `len` bytes, used by nothing else; `out` checked here.
unsafe fn place(
    mem: *mut core::ffi::c_void,
    len: usize,
    key: Key,
    out: *mut *mut fapi_signer,
) -> u32 {
    let p = mem.cast::<SignerMem>();
    if !aligned(out)
        || !aligned(p)
        || !(p as usize).is_multiple_of(FAPI_REGION_ALIGN as usize)
        || len < size_of::<SignerMem>()
    {
        return FAPI_ERR_INVALID_ARGUMENT;
    }
    // SAFETY: `p` is non-NULL, aligned, with at least size_of::<SignerMem>() writable bytes owned
    // by the caller; writing a fresh value initialises every field (any previous content is
    // overwritten without being dropped: the caller wipes a previous key first). `out` checked.
    unsafe {
        core::ptr::write(
            p,
            SignerMem {
                magic: SIGNER_MAGIC,
                _pad: 0,
                key,
            },
        );
        *out = p.cast::<fapi_signer>();
    }
    FAPI_OK
}

/// The mem/out checks every init does before building a key.
fn mem_ok(mem: *mut core::ffi::c_void, len: usize, out: *mut *mut fapi_signer) -> bool {
    aligned(out)
        && !mem.is_null()
        && (mem as usize).is_multiple_of(FAPI_REGION_ALIGN as usize)
        && len >= size_of::<SignerMem>()
}

/// Formats `mem` (`len` ≥ `fapi_signer_size()`, aligned to `FAPI_REGION_ALIGN`) as an ES256
/// signer with the 32-byte big-endian private scalar `secret` (signatures are RFC 6979
/// deterministic: no randomness needed), named `kid` (may be NULL/0: no `kid` header) in
/// request objects and client assertions, and sets `*out`. `secret` is copied; wipe your copy.
/// Initialising memory that holds a signer does not wipe the old key: call `fapi_signer_wipe`
/// first.
///
/// Returns `FAPI_OK`, `FAPI_ERR_SIGN_KEY_INVALID` (zero or not below the group order),
/// `FAPI_ERR_JWK_KID_TOO_LONG` (more than 96 bytes), or `FAPI_ERR_INVALID_ARGUMENT` (NULL or
/// misaligned pointers, `len` too small, `secret_len` not 32, `kid` not UTF-8).
///
/// # Safety
/// `mem` writable for `len` bytes and used by nothing else; `secret` readable for
/// `secret_len`; `kid` readable for `kid_len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_init_es256(
    mem: *mut core::ffi::c_void,
    len: usize,
    secret: *const u8,
    secret_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut fapi_signer,
) -> u32 {
    crate::guard(|| {
        if !mem_ok(mem, len, out) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let (d, kid) = match unsafe { (bytes(secret, secret_len), text(kid, kid_len)) } {
            (Ok(d), Ok(k)) => (d, k),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let Ok(d) = <&[u8; 32]>::try_from(d) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        let mut key = match Es256Key::from_secret(d) {
            Ok(k) => k,
            Err(e) => return code(e),
        };
        if !kid.is_empty() {
            key = match key.with_kid(kid) {
                Ok(k) => k,
                Err(e) => return code(e),
            };
        }
        // SAFETY: forwarded contract.
        unsafe { place(mem, len, Key::Es256(key), out) }
    })
}

/// As `fapi_signer_init_es256` for an Ed25519 key from its 32-byte RFC 8032 seed; `alg` is
/// `FAPI_ALG_EDDSA` or `FAPI_ALG_ED25519` (the RFC 9864 name written in headers).
///
/// Returns `FAPI_OK`, `FAPI_ERR_JWK_KID_TOO_LONG`, or `FAPI_ERR_INVALID_ARGUMENT` (also for
/// another `alg` or `seed_len` not 32).
///
/// # Safety
/// As `fapi_signer_init_es256`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_init_ed25519(
    mem: *mut core::ffi::c_void,
    len: usize,
    seed: *const u8,
    seed_len: usize,
    alg: u32,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut fapi_signer,
) -> u32 {
    crate::guard(|| {
        if !mem_ok(mem, len, out) || (alg != FAPI_ALG_EDDSA && alg != FAPI_ALG_ED25519) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let (d, kid) = match unsafe { (bytes(seed, seed_len), text(kid, kid_len)) } {
            (Ok(d), Ok(k)) => (d, k),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let Ok(d) = <&[u8; 32]>::try_from(d) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        let mut key = Ed25519Key::from_seed(d);
        if alg == FAPI_ALG_ED25519 {
            key = key.fully_specified();
        }
        if !kid.is_empty() {
            key = match key.with_kid(kid) {
                Ok(k) => k,
                Err(e) => return code(e),
            };
        }
        // SAFETY: forwarded contract.
        unsafe { place(mem, len, Key::Ed25519(key), out) }
    })
}

/// Formats `mem` as a host signer that signs through `cb->sign` (copied, with `cb->user`),
/// and sets `*out`. The public key comes from `cb->public_jwk` and must fit `cb->alg`.
///
/// Returns `FAPI_OK`; the JSON/JWK code of a refused `public_jwk` (e.g.
/// `FAPI_ERR_JWK_KEY_PRIVATE`); `FAPI_ERR_SIGN_ALG_KEY_MISMATCH`; or
/// `FAPI_ERR_INVALID_ARGUMENT` (NULL/misaligned pointers, size/version, no callback, `alg`
/// not exactly one known bit).
///
/// # Safety
/// As `fapi_signer_init_es256`; `cb` readable, with `public_jwk` readable for its length.
/// The callback must stay callable, and `user` valid, while the signer is used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_init_callback(
    mem: *mut core::ffi::c_void,
    len: usize,
    cb: *const fapi_signing_callback,
    out: *mut *mut fapi_signer,
) -> u32 {
    crate::guard(|| {
        if !mem_ok(mem, len, out) || !aligned(cb) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: non-NULL, aligned, readable per contract.
        let c = unsafe { *cb };
        if c.version != FAPI_STRUCT_VERSION
            || (c.struct_size as usize) < size_of::<fapi_signing_callback>()
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let (Some(sign_fn), Some(alg)) = (c.sign, alg_of(c.alg)) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        // SAFETY: forwarded contract.
        let jwk_json = match unsafe { bytes(c.public_jwk.ptr, c.public_jwk.len) } {
            Ok(j) => j,
            Err(e) => return e,
        };
        let jwk = match fapi_core::jwk::parse_jwk_json(jwk_json, &JWKS_LIMITS) {
            Ok(j) => j,
            Err(e) => return code(e),
        };
        if !sign::key_fits(alg, jwk.material()) {
            return FAPI_ERR_SIGN_ALG_KEY_MISMATCH;
        }
        let mut kid = [0u8; MAX_KID_LEN];
        let kid_src = jwk.kid().unwrap_or(&[]);
        let Some(dst) = kid.get_mut(..kid_src.len()) else {
            return FAPI_ERR_JWK_KID_TOO_LONG;
        };
        dst.copy_from_slice(kid_src);
        let host = Host {
            user: c.user,
            sign: sign_fn,
            alg,
            public: *jwk.material(),
            kid,
            kid_len: kid_src.len(),
        };
        // SAFETY: forwarded contract.
        unsafe { place(mem, len, Key::Host(host), out) }
    })
}

/// Wipes the signer: its private key bytes are zeroed (the key types wipe themselves when
/// dropped) and the memory no longer holds a signer (later calls get `FAPI_ERR_BAD_REGION`).
///
/// Returns `FAPI_OK` or an API code.
///
/// # Safety
/// `s` from a `fapi_signer_init_*` call, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_wipe(s: *mut fapi_signer) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let m = match unsafe { signer_mut(s) } {
            Ok(m) => m,
            Err(e) => return e,
        };
        let p: *mut SignerMem = m;
        // SAFETY: `p` holds an initialised SignerMem (checked magic) that nothing else uses;
        // it is dropped exactly once here, then overwritten with zeros (no magic: never
        // dropped again).
        unsafe {
            core::ptr::drop_in_place(p);
            core::ptr::write_bytes(p.cast::<u8>(), 0, size_of::<SignerMem>());
        }
        FAPI_OK
    })
}

/// The signer's algorithm (one `FAPI_ALG_*` bit) into `*alg`.
///
/// # Safety
/// As `fapi_signer_wipe`; `alg` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_alg(s: *mut fapi_signer, alg: *mut u32) -> u32 {
    crate::guard(|| {
        if !aligned(alg) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: forwarded contract.
        let m = match unsafe { signer_mut(s) } {
            Ok(m) => m,
            Err(e) => return e,
        };
        // SAFETY: non-NULL, aligned, writable per contract.
        unsafe { *alg = alg_bit(m.signer().alg()) };
        FAPI_OK
    })
}

/// Writes the RFC 7638 thumbprint of the signer's public key as base64url text
/// (`FAPI_JKT_LEN` = 43 bytes): the `dpop_jkt` of a PAR request and the `cnf.jkt` of tokens
/// bound to this key. `(out, cap, *out_len)` as usual.
///
/// # Safety
/// As `fapi_signer_wipe`; `out` writable for `cap`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_jkt(
    s: *mut fapi_signer,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let m = match unsafe { signer_mut(s) } {
            Ok(m) => m,
            Err(e) => return e,
        };
        let jkt = Jkt::of(m.signer().public_key());
        // SAFETY: forwarded contract.
        unsafe { crate::ptr::copy_out(jkt.as_str().as_bytes(), out, cap, out_len) }
    })
}

/// Writes a DPoP proof (RFC 9449 §4) for `req`, issued at `now`, with a `jti` made from
/// `jti_random` (16–96 host random bytes), signed by `s` if its algorithm is one of `algs`
/// (`FAPI_ALG_*` bits: the server's `dpop_signing_alg_values_supported`, see
/// `fapi_client_metadata_algs`). Header `{"alg","typ":"dpop+jwt","jwk"}`; claims `jti`,
/// `htm`, `htu`, `iat`, then `nonce` and `ath` when given. A fresh proof is needed for every
/// request, and after a `use_dpop_nonce` answer one with that nonce.
///
/// Returns `FAPI_OK`; `FAPI_ERR_BUFFER_TOO_SMALL` (`*out_len` = bytes needed);
/// `FAPI_ERR_MISUSE_INVALID_CLIENT_VALUE` (an `htm` that is not an HTTP token, an `htu` that
/// is not an absolute http(s) URI without query and fragment, a bad `nonce`);
/// `FAPI_ERR_MISUSE_RANDOM_LENGTH`; `FAPI_ERR_SIGN_ALG_NOT_ALLOWED`;
/// `FAPI_ERR_SIGN_ALG_KEY_MISMATCH`; `FAPI_ERR_CAPACITY_CRYPTO_PROVIDER_FAILURE` (the callback
/// failed; `out` is then zeroed); `FAPI_ERR_SIGN_SIGNATURE_LENGTH`; or an API code
/// (`FAPI_ERR_INVALID_ARGUMENT` for NULL pointers, size/version, unknown `algs` bits, text
/// that is not UTF-8).
///
/// # Safety
/// As `fapi_signer_wipe`; `req` readable with its strings readable for their lengths;
/// `jti_random` readable; `out` writable for `cap` and overlapping no input; `out_len`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_signer_dpop_proof(
    s: *mut fapi_signer,
    req: *const fapi_dpop_proof_request,
    now: u64,
    jti_random: *const u8,
    jti_len: usize,
    algs: u32,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        if !aligned(req) {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: non-NULL, aligned, readable per contract.
        let r = unsafe { &*req };
        if r.version != FAPI_STRUCT_VERSION
            || (r.struct_size as usize) < size_of::<fapi_dpop_proof_request>()
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let Some(allowed) = AlgSet::from_bits(algs) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        // SAFETY: forwarded contract for every string.
        let parts = unsafe {
            (
                text(r.htm.ptr, r.htm.len),
                text(r.htu.ptr, r.htu.len),
                crate::ptr::opt_text(r.nonce.ptr, r.nonce.len),
                opt_bytes(r.access_token.ptr, r.access_token.len),
                bytes(jti_random, jti_len),
            )
        };
        let (htm, htu, nonce, access_token, jti) = match parts {
            (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
            (Err(e), ..)
            | (_, Err(e), ..)
            | (_, _, Err(e), ..)
            | (.., Err(e), _)
            | (.., Err(e)) => return e,
        };
        // SAFETY: forwarded contract.
        let m = match unsafe { signer_mut(s) } {
            Ok(m) => m,
            Err(e) => return e,
        };
        let pr = ProofRequest {
            htm,
            htu,
            nonce,
            access_token,
        };
        // SAFETY: forwarded contract.
        unsafe {
            write_out(out, cap, out_len, |buf| {
                dpop_proof::write_proof(&pr, now, jti, m.signer(), allowed, buf)
            })
        }
    })
}
