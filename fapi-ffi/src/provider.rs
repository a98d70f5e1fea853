//! The crypto provider: context-level callbacks that check signature equations in the host's
//! code (an HSM, a PKA engine, OpenSSL). fapi validates every key and signature encoding
//! before a callback runs, so a provider cannot widen what is accepted.
//!
//! Handles belong to the context: issuer keys are imported lazily and kept until the
//! verifier's key-set generation changes (then all are released) or the context is released;
//! a DPoP proof key is imported and released within the call.

use crate::codes::*;
use crate::ctx::{ctx_mut, fapi_ctx};
use crate::ptr::aligned;
use crate::types::*;
use fapi_core::jwk::{Jwk, KeyMaterial};
use fapi_core::jws::{Alg, KeyRole, ProviderFailure, SignatureVerifier};

/// Key kind for `import_key`: a P-256 public key as 65 bytes of SEC1 uncompressed point.
pub const FAPI_KEY_P256: u32 = 1;
/// Key kind for `import_key`: an Ed25519 public key, 32 bytes.
pub const FAPI_KEY_ED25519: u32 = 2;
/// Key kind for `import_key`: an RSA public key as a 2-byte big-endian length of `n`, `n`
/// (256 to 512 bytes, no leading zero), then `e` (1 to 4 bytes, no leading zero).
pub const FAPI_KEY_RSA: u32 = 3;

/// Longest raw key passed to `import_key` (RSA-4096: 2 + 512 + 4 bytes).
pub const FAPI_MAX_RAW_KEY_LEN: u32 = 518;

/// Signature callbacks (all required). Each returns promptly; fapi calls them from the thread
/// that uses the context.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct fapi_crypto_provider {
    /// `sizeof(fapi_crypto_provider)`.
    pub struct_size: u32,
    /// `FAPI_STRUCT_VERSION`.
    pub version: u32,
    /// Passed back to every callback.
    pub user: *mut core::ffi::c_void,
    /// Imports a public key of `kind` (`FAPI_KEY_*`, raw formats as documented there): returns 0
    /// and sets `*handle`, or non-zero on failure (the request then fails closed with 503).
    pub import_key: Option<
        unsafe extern "C" fn(
            user: *mut core::ffi::c_void,
            kind: u32,
            raw: *const u8,
            raw_len: usize,
            handle: *mut u64,
        ) -> i32,
    >,
    /// Verifies: returns 1 for a valid signature, 0 for an invalid one, negative on failure.
    /// `alg` is one `FAPI_ALG_*` bit; `data` is the SHA-256 digest (32 bytes) for ES256, and
    /// the message for EdDSA/Ed25519; ES256 signatures are `r ‖ s` (64 bytes); RS256 is
    /// RSASSA-PKCS1-v1_5 and PS256 RSASSA-PSS with MGF1-SHA-256 and a 32-byte salt, both over
    /// the digest, the signature as long as the modulus.
    pub verify: Option<
        unsafe extern "C" fn(
            user: *mut core::ffi::c_void,
            handle: u64,
            alg: u32,
            data: *const u8,
            data_len: usize,
            sig: *const u8,
            sig_len: usize,
        ) -> i32,
    >,
    /// Releases a handle from `import_key`.
    pub release: Option<unsafe extern "C" fn(user: *mut core::ffi::c_void, handle: u64)>,
}

const SLOTS: usize = FAPI_MAX_KEYS as usize;

/// Imported issuer keys of one context.
pub(crate) struct Handles {
    pub(crate) provider: Option<fapi_crypto_provider>,
    generation: Option<fapi_core::keystore::KeySetTag>,
    keys: [Option<([u8; 32], u64)>; SLOTS],
}

impl Handles {
    pub(crate) const fn new() -> Self {
        Self {
            provider: None,
            generation: None,
            keys: [None; SLOTS],
        }
    }

    /// Releases every held handle.
    pub(crate) fn release_all(&mut self) {
        let Some(p) = self.provider else {
            return;
        };
        for slot in &mut self.keys {
            if let (Some((_, h)), Some(release)) = (slot.take(), p.release) {
                // SAFETY: the integrator's callback, called with its own `user` pointer and a
                // handle its import_key returned and that is released exactly once (taken).
                unsafe { release(p.user, h) };
            }
        }
    }

    /// Releases everything if the key set changed since the handles were imported.
    pub(crate) fn sync_generation(&mut self, generation: fapi_core::keystore::KeySetTag) {
        if self.generation != Some(generation) {
            self.release_all();
            self.generation = Some(generation);
        }
    }
}

/// The adapter the core calls.
pub(crate) struct Adapter<'a> {
    pub(crate) p: fapi_crypto_provider,
    pub(crate) handles: &'a mut Handles,
}

fn raw_key(key: &Jwk) -> (u32, [u8; FAPI_MAX_RAW_KEY_LEN as usize], usize) {
    let mut raw = [0u8; FAPI_MAX_RAW_KEY_LEN as usize];
    match key.material() {
        KeyMaterial::P256(xy) => {
            if let Some(first) = raw.first_mut() {
                *first = 4;
            }
            if let Some(rest) = raw.get_mut(1..65) {
                rest.copy_from_slice(xy);
            }
            (FAPI_KEY_P256, raw, 65)
        }
        KeyMaterial::Ed25519(x) => {
            if let Some(d) = raw.get_mut(..32) {
                d.copy_from_slice(x);
            }
            (FAPI_KEY_ED25519, raw, 32)
        }
        KeyMaterial::Rsa(k) => {
            let n = k.modulus();
            let e = k.exponent().to_be_bytes();
            let e = e
                .get(e.iter().take_while(|&&b| b == 0).count()..)
                .unwrap_or(&[]);
            let len = u16::try_from(n.len()).unwrap_or(0).to_be_bytes();
            let total = 2 + n.len() + e.len();
            for (d, s) in raw.iter_mut().zip(len.iter().chain(n).chain(e)) {
                *d = *s;
            }
            (FAPI_KEY_RSA, raw, total)
        }
    }
}

impl Adapter<'_> {
    fn import(&self, key: &Jwk) -> Result<u64, ProviderFailure> {
        let import = self.p.import_key.ok_or(ProviderFailure)?;
        let (kind, raw, n) = raw_key(key);
        let mut h = 0u64;
        // SAFETY: the integrator's callback with its `user`; `raw` is valid for `n` bytes and
        // `h` is a valid out-pointer for the duration of the call.
        let rc = unsafe { import(self.p.user, kind, raw.as_ptr(), n, &mut h) };
        if rc == 0 { Ok(h) } else { Err(ProviderFailure) }
    }

    fn release(&self, h: u64) {
        if let Some(release) = self.p.release {
            // SAFETY: a handle from import_key, released once.
            unsafe { release(self.p.user, h) };
        }
    }
}

impl SignatureVerifier for Adapter<'_> {
    fn verify(
        &mut self,
        key: &Jwk,
        role: KeyRole,
        alg: Alg,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<bool, ProviderFailure> {
        use sha2_shim::digest;
        let verify = self.p.verify.ok_or(ProviderFailure)?;
        let alg_bit = match alg {
            Alg::Es256 => FAPI_ALG_ES256,
            Alg::EdDsa => FAPI_ALG_EDDSA,
            Alg::Ed25519 => FAPI_ALG_ED25519,
            Alg::Ps256 => FAPI_ALG_PS256,
            Alg::Rs256 => FAPI_ALG_RS256,
            _ => return Err(ProviderFailure),
        };
        let d = digest(signing_input);
        let data: &[u8] = if alg.is_eddsa() { signing_input } else { &d };
        let (handle, temporary) = match role {
            KeyRole::Proof => (self.import(key)?, true),
            KeyRole::Issuer => {
                let tp = *key.thumbprint();
                let found = self
                    .handles
                    .keys
                    .iter()
                    .flatten()
                    .find(|(t, _)| *t == tp)
                    .map(|(_, h)| *h);
                match found {
                    Some(h) => (h, false),
                    None => {
                        let h = self.import(key)?;
                        match self.handles.keys.iter_mut().find(|s| s.is_none()) {
                            Some(slot) => {
                                *slot = Some((tp, h));
                                (h, false)
                            }
                            None => (h, true),
                        }
                    }
                }
            }
        };
        // SAFETY: the integrator's callback with its `user`; `data` and `signature` are valid
        // for their lengths during the call; `handle` came from its import_key.
        let rc = unsafe {
            verify(
                self.p.user,
                handle,
                alg_bit,
                data.as_ptr(),
                data.len(),
                signature.as_ptr(),
                signature.len(),
            )
        };
        if temporary {
            self.release(handle);
        }
        match rc {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(ProviderFailure),
        }
    }
}

mod sha2_shim {
    /// SHA-256 for digest-based providers (HSMs and PKA engines take digests).
    pub(super) fn digest(m: &[u8]) -> [u8; 32] {
        fapi_core::jws::sha256(m)
    }
}

/// Routes this context's signature checks to `provider` (copied; NULL restores fapi's
/// built-in code). Releases any handles held from a previous provider.
///
/// Returns `FAPI_OK`, or `FAPI_ERR_INVALID_ARGUMENT` (size/version, or a NULL callback).
///
/// # Safety
/// `ctx` from `fapi_ctx_init`, used by this thread only; `provider` NULL or readable. The
/// callbacks must stay callable until the provider is replaced or the context released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_set_provider(
    ctx: *mut fapi_ctx,
    provider: *const fapi_crypto_provider,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { ctx_mut(ctx) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        let new = if provider.is_null() {
            None
        } else {
            if !aligned(provider) {
                return FAPI_ERR_INVALID_ARGUMENT;
            }
            // SAFETY: non-NULL, aligned, readable per contract.
            let p = unsafe { *provider };
            if p.version != FAPI_STRUCT_VERSION
                || (p.struct_size as usize) < core::mem::size_of::<fapi_crypto_provider>()
                || p.import_key.is_none()
                || p.verify.is_none()
                || p.release.is_none()
            {
                return FAPI_ERR_INVALID_ARGUMENT;
            }
            Some(p)
        };
        c.handles.release_all();
        c.handles = Handles::new();
        c.handles.provider = new;
        FAPI_OK
    })
}

/// Releases everything the context holds outside its own memory (provider key handles).
/// Call before freeing or reusing a context's memory when a provider was set; harmless
/// otherwise. The context stays usable.
///
/// # Safety
/// `ctx` from `fapi_ctx_init`, used by this thread only.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_ctx_release(ctx: *mut fapi_ctx) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        match unsafe { ctx_mut(ctx) } {
            Ok(c) => {
                c.handles.release_all();
                FAPI_OK
            }
            Err(e) => e,
        }
    })
}
