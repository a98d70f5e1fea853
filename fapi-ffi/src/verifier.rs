//! The shared verifier: one caller-provided region, laid out from the configuration.
//!
//! ```text
//! [Header: magic, layout, size, configuration copy, part offsets]
//! [KeyStoreHeader][KeySlot × max_keys (A)][KeySlot × max_keys (B)]
//! [ReplayCounters][ReplaySlot × replay_slots][CacheSlot × cache_slots][NonceKeys]
//! ```
//!
//! Plain `#[repr(C)]` data and 32-bit atomics, no pointers: it can be placed in `MAP_SHARED`
//! memory or an nginx shared zone, initialised once by one process, and attached by others
//! (`fapi_verifier_attach` checks magic, layout version and size). After initialisation only
//! the atomic parts change; the configuration copy is read-only.

use crate::codes::*;
use crate::ptr::{aligned, bytes};
use crate::types::*;
use core::mem::{align_of, size_of};
use fapi_core::cache::{CacheSlot, CacheView};
use fapi_core::config::Config;
use fapi_core::htu::PublicBase;
use fapi_core::jws::AlgSet;
use fapi_core::keystore::{KeySlot, KeyStoreHeader, KeyStoreView};
use fapi_core::nonce::NonceKeys;
use fapi_core::policy::{Mode, Policy};
use fapi_core::replay::{ReplayCounters, ReplaySlot, ReplayView};
use fapi_core::request::{ReplayStore, Verifier};

const MAGIC: u32 = 0x4641_5049; // "FAPI"
/// Layout version of the verifier region; bumped on any change of [`Header`] or the parts.
pub const FAPI_VERIFIER_LAYOUT: u32 = 3;
/// Alignment the verifier and context memory must have.
pub const FAPI_REGION_ALIGN: u32 = 8;

/// An initialised verifier region (opaque to C; memory owned by the caller).
pub struct fapi_verifier {
    _opaque: [u8; 0],
}

#[repr(C)]
pub(crate) struct Header {
    magic: u32,
    layout: u32,
    size: u64,
    max_keys: u32,
    replay_slots: u32,
    cache_slots: u32,
    base_count: u32,
    token_algs: u32,
    proof_algs: u32,
    leeway: u32,
    proof_max_age: u32,
    dpop_mode: u32,
    mtls_mode: u32,
    unbound: u32,
    nonce_required: u32,
    nonce_slot: u32,
    fapi2: u32,
    plain_jwt_typ: u32,
    max_token_len: u32,
    issuer_len: u32,
    audience_len: u32,
    issuer: [u8; 256],
    audience: [u8; 256],
    bases: [PublicBase; FAPI_MAX_BASES as usize],
    replay_secret: [u8; 32],
    off_keys_header: u32,
    off_keys_a: u32,
    off_keys_b: u32,
    off_replay_counters: u32,
    off_replay: u32,
    off_cache: u32,
    off_nonces: u32,
    _reserved: u32,
}

fn align_up(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

/// Offsets of each part for a configuration, and the total size.
#[derive(Copy, Clone)]
struct Layout {
    keys_header: usize,
    keys_a: usize,
    keys_b: usize,
    replay_counters: usize,
    replay: usize,
    cache: usize,
    nonces: usize,
    size: usize,
}

fn layout(max_keys: usize, replay_slots: usize, cache_slots: usize) -> Option<Layout> {
    let a = FAPI_REGION_ALIGN as usize;
    let mut at = align_up(size_of::<Header>(), a);
    let mut take = |bytes: usize| -> Option<usize> {
        let here = at;
        at = align_up(at.checked_add(bytes)?, a);
        Some(here)
    };
    let keys_header = take(size_of::<KeyStoreHeader>())?;
    let keys_a = take(size_of::<KeySlot>().checked_mul(max_keys)?)?;
    let keys_b = take(size_of::<KeySlot>().checked_mul(max_keys)?)?;
    let replay_counters = take(size_of::<ReplayCounters>())?;
    let replay = take(size_of::<ReplaySlot>().checked_mul(replay_slots)?)?;
    let cache = take(size_of::<CacheSlot>().checked_mul(cache_slots)?)?;
    let nonces = take(size_of::<NonceKeys>())?;
    let size = at;
    u32::try_from(size).ok()?;
    Some(Layout {
        keys_header,
        keys_a,
        keys_b,
        replay_counters,
        replay,
        cache,
        nonces,
        size,
    })
}

const _: () = assert!(align_of::<Header>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<KeySlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<ReplaySlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<CacheSlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<NonceKeys>() <= FAPI_REGION_ALIGN as usize);

/// The checked configuration values that decide the layout.
fn sizes(cfg: &fapi_config) -> Option<(usize, usize, usize)> {
    if cfg.max_keys == 0 || cfg.max_keys > FAPI_MAX_KEYS {
        return None;
    }
    Some((
        cfg.max_keys as usize,
        cfg.replay_slots as usize,
        cfg.cache_slots as usize,
    ))
}

/// Reads a caller's `fapi_config`, checking size and version.
///
/// # Safety
/// `cfg` must be NULL or point to a readable `fapi_config` of at least `struct_size` bytes.
unsafe fn read_config<'a>(cfg: *const fapi_config) -> Result<&'a fapi_config, u32> {
    if !aligned(cfg) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL and aligned; the caller guarantees a readable fapi_config.
    let c = unsafe { &*cfg };
    if c.version != FAPI_STRUCT_VERSION || (c.struct_size as usize) < size_of::<fapi_config>() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    Ok(c)
}

/// Bytes of verifier memory a configuration needs (0 if the configuration's sizes are out of
/// range). The replay table dominates: 32 bytes per slot.
///
/// # Safety
/// `cfg` must be NULL or point to a readable `fapi_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_size(cfg: *const fapi_config) -> usize {
    let r = crate::guard(|| {
        // SAFETY: forwarded contract.
        let Ok(c) = (unsafe { read_config(cfg) }) else {
            return 0;
        };
        sizes(c)
            .and_then(|(k, r, ca)| layout(k, r, ca))
            .map_or(0, |l| u32::try_from(l.size).unwrap_or(0))
    });
    if r == FAPI_ERR_PANIC { 0 } else { r as usize }
}

fn mode(m: u32) -> Option<Mode> {
    match m {
        FAPI_MODE_OFF => Some(Mode::Off),
        FAPI_MODE_OPTIONAL => Some(Mode::Optional),
        FAPI_MODE_REQUIRED => Some(Mode::Required),
        _ => None,
    }
}

/// A core error as its result code (misuse keeps its specific 9xx code, so an operator sees
/// which configuration rule failed).
fn core_code(e: fapi_core::Error) -> u32 {
    u32::from(e.code())
}

impl Header {
    fn issuer(&self) -> &str {
        self.issuer
            .get(..self.issuer_len as usize)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
    fn audience(&self) -> &str {
        self.audience
            .get(..self.audience_len as usize)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The core policy, rebuilt from the stored configuration (checked at init).
    pub(crate) fn policy(&self) -> Result<Policy<'_>, u32> {
        let algs = AlgSet::from_bits(self.token_algs).ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
        let mut token = Config::builder(self.issuer(), self.audience(), algs)
            .allow_plain_jwt_typ(self.plain_jwt_typ == 1)
            .max_token_len(self.max_token_len as usize);
        if self.leeway != 0 {
            token = token.leeway(self.leeway);
        }
        let token = token.build().map_err(core_code)?;
        let bases = self
            .bases
            .get(..self.base_count as usize)
            .ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
        let mut p = Policy::builder(token, bases)
            .dpop(mode(self.dpop_mode).ok_or(FAPI_ERR_INVALID_ARGUMENT)?)
            .mtls(mode(self.mtls_mode).ok_or(FAPI_ERR_INVALID_ARGUMENT)?)
            .nonce_required(self.nonce_required == 1);
        if self.proof_algs != 0 {
            p = p.proof_algs(AlgSet::from_bits(self.proof_algs).ok_or(FAPI_ERR_INVALID_ARGUMENT)?);
        }
        if self.proof_max_age != 0 {
            p = p.proof_max_age(self.proof_max_age);
        }
        if self.nonce_slot != 0 {
            p = p.nonce_slot(self.nonce_slot);
        }
        match self.unbound {
            FAPI_UNBOUND_DEFAULT => {}
            FAPI_UNBOUND_DENY => p = p.allow_unbound(false),
            FAPI_UNBOUND_ALLOW => p = p.allow_unbound(true),
            _ => return Err(FAPI_ERR_INVALID_ARGUMENT),
        }
        if self.fapi2 == 1 {
            p = p.fapi2_profile();
        }
        p.build().map_err(core_code)
    }
}

/// A checked view of an initialised region, valid for one call.
pub(crate) struct Region<'r> {
    pub(crate) header: &'r Header,
    base: *const u8,
}

impl<'r> Region<'r> {
    /// Checks magic, layout version and alignment of the region at `v`.
    ///
    /// # Safety
    /// `v` must be NULL or point to memory initialised by `fapi_verifier_init` (in this or
    /// another process) that stays mapped for `'r`.
    pub(crate) unsafe fn attach(v: *const fapi_verifier) -> Result<Self, u32> {
        let h = v.cast::<Header>();
        if !aligned(h) || !(h as usize).is_multiple_of(FAPI_REGION_ALIGN as usize) {
            return Err(FAPI_ERR_INVALID_ARGUMENT);
        }
        // SAFETY: non-NULL and aligned; the caller guarantees an initialised region, whose
        // header is plain data written once by init (any bytes are valid for its fields).
        let header = unsafe { &*h };
        if header.magic != MAGIC || header.layout != FAPI_VERIFIER_LAYOUT {
            return Err(FAPI_ERR_BAD_REGION);
        }
        let l = layout(
            header.max_keys as usize,
            header.replay_slots as usize,
            header.cache_slots as usize,
        )
        .ok_or(FAPI_ERR_BAD_REGION)?;
        if header.size != l.size as u64
            || header.off_keys_header as usize != l.keys_header
            || header.off_nonces as usize != l.nonces
        {
            return Err(FAPI_ERR_BAD_REGION);
        }
        Ok(Self {
            header,
            base: v.cast::<u8>(),
        })
    }

    /// A part of the region as `n` values of `T`.
    ///
    /// # Safety
    /// `off` and `n` must come from this region's layout (in bounds, aligned for `T`), and `T`
    /// must be a part type made only of atomics or plain integers (zero and any bytes valid).
    unsafe fn part<T>(&self, off: u32, n: usize) -> &'r [T] {
        // SAFETY: the caller passes an offset and count from the checked layout, so the range
        // lies inside the region, is aligned (every offset is a multiple of 8 ≥ align_of::<T>)
        // and was initialised by init; shared access is sound because T is atomics or
        // read-only plain data.
        unsafe { core::slice::from_raw_parts(self.base.add(off as usize).cast::<T>(), n) }
    }

    /// The core verifier over this region.
    pub(crate) fn with_verifier<R>(&self, f: impl FnOnce(&Verifier<'_>) -> R) -> Result<R, u32> {
        let h = self.header;
        let policy = h.policy()?;
        let k = h.max_keys as usize;
        // SAFETY: offsets and counts from the layout checked in `attach`; part types are
        // atomics (KeyStoreHeader, KeySlot, ReplayCounters, ReplaySlot, CacheSlot, NonceKeys).
        let (kh, ka, kb, rc, rs, cs, nk) = unsafe {
            (
                self.part::<KeyStoreHeader>(h.off_keys_header, 1),
                self.part::<KeySlot>(h.off_keys_a, k),
                self.part::<KeySlot>(h.off_keys_b, k),
                self.part::<ReplayCounters>(h.off_replay_counters, 1),
                self.part::<ReplaySlot>(h.off_replay, h.replay_slots as usize),
                self.part::<CacheSlot>(h.off_cache, h.cache_slots as usize),
                self.part::<NonceKeys>(h.off_nonces, 1),
            )
        };
        let (Some(kh), Some(rc), Some(nk)) = (kh.first(), rc.first(), nk.first()) else {
            return Err(FAPI_ERR_BAD_REGION);
        };
        let keys = KeyStoreView::new(kh, ka, kb).map_err(|_| FAPI_ERR_BAD_REGION)?;
        let replay = if rs.is_empty() {
            ReplayStore::External
        } else {
            ReplayStore::Table(
                ReplayView::new(&h.replay_secret, rc, rs).map_err(|_| FAPI_ERR_BAD_REGION)?,
            )
        };
        let v = Verifier::new(&policy, keys, replay, CacheView::new(cs), nk);
        Ok(f(&v))
    }

    /// Number of configured public bases.
    pub(crate) fn base_count(&self) -> u32 {
        self.header.base_count
    }

    /// The replay counters.
    pub(crate) fn counters(&self) -> Option<&'r ReplayCounters> {
        // SAFETY: offset from the checked layout; ReplayCounters is atomics.
        unsafe { self.part::<ReplayCounters>(self.header.off_replay_counters, 1) }.first()
    }
}

fn copy_str(dst: &mut [u8; 256], src: &[u8]) -> Result<u32, u32> {
    if src.len() > FAPI_MAX_ISSUER_LEN as usize || core::str::from_utf8(src).is_err() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    dst.get_mut(..src.len())
        .ok_or(FAPI_ERR_INVALID_ARGUMENT)?
        .copy_from_slice(src);
    u32::try_from(src.len()).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)
}

/// Formats `mem` (`len` bytes, aligned to [`FAPI_REGION_ALIGN`]) as a verifier for `cfg`, and
/// sets `*out` to it. Call once, before any other process attaches or any thread uses it. The
/// key set starts empty: load one with `fapi_verifier_set_jwks`.
///
/// Returns `FAPI_OK`; a `FAPI_ERR_MISUSE_*` code naming the configuration rule that failed
/// (e.g. `FAPI_ERR_MISUSE_EMPTY_ISSUER`, `_LEEWAY_TOO_LARGE`, `_ALG_UNAVAILABLE`,
/// `_CONTRADICTORY_POLICY`); `FAPI_ERR_INVALID_ARGUMENT` (NULL/misaligned pointers, `len`
/// smaller than `fapi_verifier_size(cfg)`, unknown enum values, a base that does not parse,
/// strings too long or not UTF-8); or `FAPI_ERR_PANIC`.
///
/// # Safety
/// `mem` must point to `len` writable bytes not used by anything else during the call;
/// `cfg` must point to a readable `fapi_config` whose strings are readable for their lengths;
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_init(
    mem: *mut core::ffi::c_void,
    len: usize,
    cfg: *const fapi_config,
    out: *mut *mut fapi_verifier,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let c = match unsafe { read_config(cfg) } {
            Ok(c) => c,
            Err(e) => return e,
        };
        let mem = mem.cast::<u8>();
        if !aligned(out)
            || mem.is_null()
            || !(mem as usize).is_multiple_of(FAPI_REGION_ALIGN as usize)
        {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let Some((k, r, ca)) = sizes(c) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        let Some(l) = layout(k, r, ca) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        if len < l.size {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        match unsafe_init(mem, &l, c) {
            Ok(()) => {
                // SAFETY: `out` checked non-NULL and aligned; caller guarantees writable.
                unsafe { *out = mem.cast::<fapi_verifier>() };
                FAPI_OK
            }
            Err(e) => e,
        }
    })
}

fn unsafe_init(mem: *mut u8, l: &Layout, c: &fapi_config) -> Result<(), u32> {
    // Build the header on the stack first: nothing touches `mem` unless the configuration is
    // accepted.
    let mut issuer = [0u8; 256];
    let mut audience = [0u8; 256];
    // SAFETY: the caller of fapi_verifier_init guarantees the config's strings are readable.
    let (iss, aud) = unsafe {
        (
            bytes(c.issuer.ptr, c.issuer.len)?,
            bytes(c.audience.ptr, c.audience.len)?,
        )
    };
    let issuer_len = copy_str(&mut issuer, iss)?;
    let audience_len = copy_str(&mut audience, aud)?;
    if c.base_count == 0 || c.base_count > FAPI_MAX_BASES as usize || c.bases.is_null() {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    if !aligned(c.bases) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, count bounded by FAPI_MAX_BASES; the caller guarantees
    // `base_count` readable fapi_str values.
    let base_strs = unsafe { core::slice::from_raw_parts(c.bases, c.base_count) };
    let mut bases = [PublicBase::EMPTY; FAPI_MAX_BASES as usize];
    for (dst, s) in bases.iter_mut().zip(base_strs) {
        // SAFETY: the caller guarantees each base string readable for its length.
        let b = unsafe { bytes(s.ptr, s.len)? };
        let text = core::str::from_utf8(b).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)?;
        *dst = PublicBase::parse(text).map_err(|_| FAPI_ERR_INVALID_ARGUMENT)?;
    }
    let header = Header {
        magic: MAGIC,
        layout: FAPI_VERIFIER_LAYOUT,
        size: l.size as u64,
        max_keys: c.max_keys,
        replay_slots: c.replay_slots,
        cache_slots: c.cache_slots,
        base_count: c.base_count as u32,
        token_algs: c.token_algs,
        proof_algs: c.proof_algs,
        leeway: c.leeway,
        proof_max_age: c.proof_max_age,
        dpop_mode: c.dpop_mode,
        mtls_mode: c.mtls_mode,
        unbound: c.unbound,
        nonce_required: c.nonce_required,
        nonce_slot: c.nonce_slot,
        fapi2: c.fapi2_profile,
        plain_jwt_typ: c.accept_plain_jwt_typ,
        max_token_len: if c.max_token_len == 0 {
            8192
        } else {
            c.max_token_len
        },
        issuer_len,
        audience_len,
        issuer,
        audience,
        bases,
        replay_secret: c.replay_secret,
        off_keys_header: l.keys_header as u32,
        off_keys_a: l.keys_a as u32,
        off_keys_b: l.keys_b as u32,
        off_replay_counters: l.replay_counters as u32,
        off_replay: l.replay as u32,
        off_cache: l.cache as u32,
        off_nonces: l.nonces as u32,
        _reserved: 0,
    };
    for flag in [c.nonce_required, c.fapi2_profile, c.accept_plain_jwt_typ] {
        if flag > 1 {
            return Err(FAPI_ERR_INVALID_ARGUMENT);
        }
    }
    // The policy must build (refuses misuse and contradictions) before anything is written.
    header.policy()?;
    // SAFETY: `mem` is non-NULL, 8-aligned and has at least `l.size` writable bytes (checked by
    // the caller of this function); zero bytes are a valid initial state for every atomic part
    // (empty key set, empty replay table and cache, no nonce secret).
    unsafe {
        core::ptr::write_bytes(mem, 0, l.size);
        core::ptr::write(mem.cast::<Header>(), header);
    }
    // The key store's salt comes from the host's random bytes, so a context never mistakes a
    // verifier later placed in the same memory for this one.
    let salt = u32::from_le_bytes([
        c.replay_secret[0],
        c.replay_secret[1],
        c.replay_secret[2],
        c.replay_secret[3],
    ]) ^ 0x9E37_79B9;
    // SAFETY: `l.keys_header` lies inside the region just initialised (zeroes are a valid
    // KeyStoreHeader), is 8-aligned, and no other thread can see the region yet.
    let kh = unsafe { &*mem.add(l.keys_header).cast::<KeyStoreHeader>() };
    kh.set_salt(salt);
    Ok(())
}

/// Checks that `mem` (`len` bytes) holds a verifier of this library's layout — for a process
/// that did not initialise it (e.g. an nginx worker attaching a shared zone) — and sets `*out`.
///
/// Returns `FAPI_OK`, `FAPI_ERR_BAD_REGION` (magic, layout version or size differ, or `len`
/// is smaller than the stored size), or `FAPI_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `mem` must point to `len` readable bytes that stay mapped while the verifier is used; `out`
/// must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_attach(
    mem: *mut core::ffi::c_void,
    len: usize,
    out: *mut *mut fapi_verifier,
) -> u32 {
    crate::guard(|| {
        if !aligned(out) || len < size_of::<Header>() {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        let v = mem.cast::<fapi_verifier>();
        // SAFETY: at least a header's worth of readable bytes (checked above) per the contract.
        let region = match unsafe { Region::attach(v) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        if (len as u64) < region.header.size {
            return FAPI_ERR_BAD_REGION;
        }
        // SAFETY: `out` checked non-NULL and aligned.
        unsafe { *out = v };
        FAPI_OK
    })
}

/// Replaces the key set with the keys of a JWKS document, atomically: readers see the old set
/// or the new one, never a mix; on any error the old set stays in force. Writers are
/// serialised internally (a concurrent second writer gets `FAPI_ERR_CAPACITY_SHARED_STATE_BUSY`).
/// `*loaded` and `*skipped` (may be NULL) receive the usable and skipped key counts.
///
/// Returns `FAPI_OK`, a JSON/JWK code (e.g. `FAPI_ERR_JWK_KEY_PRIVATE`), `FAPI_ERR_CAPACITY_*`,
/// or an API code.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; `json` readable for `len` bytes; `loaded` and
/// `skipped` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_set_jwks(
    v: *mut fapi_verifier,
    json: *const u8,
    len: usize,
    loaded: *mut u32,
    skipped: *mut u32,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let (region, json) = match unsafe { (Region::attach(v), bytes(json, len)) } {
            (Ok(r), Ok(j)) => (r, j),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let r = region.with_verifier(|ver| ver.load_jwks(json));
        match r {
            Err(e) => e,
            Ok(Err(e)) => core_code(e),
            Ok(Ok(report)) => {
                for (p, n) in [(loaded, report.loaded), (skipped, report.skipped)] {
                    if aligned(p) {
                        // SAFETY: non-NULL, aligned; the caller guarantees writable.
                        unsafe { *p = u32::try_from(n).unwrap_or(u32::MAX) };
                    }
                }
                FAPI_OK
            }
        }
    })
}

/// Installs or rotates the nonce secret (at least 32 bytes from the host's CSPRNG; share it
/// across a fleet so any instance can check any instance's nonces). After a rotation the
/// previous secret stays valid for one nonce slot from `now`.
///
/// Returns `FAPI_OK`, `FAPI_ERR_MISUSE_NONCE_SECRET_TOO_SHORT` (shorter than 32 bytes),
/// `FAPI_ERR_CAPACITY_SHARED_STATE_BUSY` (another writer at the same moment), or an API code.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; `secret` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_set_nonce_secret(
    v: *mut fapi_verifier,
    secret: *const u8,
    len: usize,
    now: u64,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let (region, secret) = match unsafe { (Region::attach(v), bytes(secret, len)) } {
            (Ok(r), Ok(s)) => (r, s),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        // SAFETY: offset from the checked layout; NonceKeys is atomics.
        let nk = unsafe { region.part::<NonceKeys>(region.header.off_nonces, 1) };
        match nk.first().map(|n| n.set_secret(secret, now)) {
            Some(Ok(())) => FAPI_OK,
            Some(Err(e)) => core_code(e),
            None => FAPI_ERR_BAD_REGION,
        }
    })
}

/// Copies the current `DPoP-Nonce` value (43 bytes) into `(out, cap)`; `*out_len` as usual.
/// `FAPI_ERR_NOT_FOUND` when no nonce secret is set.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; `out` writable for `cap` bytes; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_current_nonce(
    v: *mut fapi_verifier,
    now: u64,
    out: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let region = match unsafe { Region::attach(v) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        match region.with_verifier(|ver| ver.current_nonce(now)) {
            Err(e) => e,
            Ok(None) => FAPI_ERR_NOT_FOUND,
            // SAFETY: forwarded contract.
            Ok(Some(n)) => unsafe { crate::ptr::copy_out(n.as_bytes(), out, cap, out_len) },
        }
    })
}

/// Reads the replay table's fail-closed counters (any pointer may be NULL): inserts refused
/// because the table was full, because a slot stayed half-written, and replays detected.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; non-NULL outputs writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_replay_counters(
    v: *mut fapi_verifier,
    full: *mut u32,
    busy: *mut u32,
    replays: *mut u32,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let region = match unsafe { Region::attach(v) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Some(c) = region.counters() else {
            return FAPI_ERR_BAD_REGION;
        };
        use core::sync::atomic::Ordering::Relaxed;
        for (p, n) in [
            (full, c.full.load(Relaxed)),
            (busy, c.busy.load(Relaxed)),
            (replays, c.replays.load(Relaxed)),
        ] {
            if aligned(p) {
                // SAFETY: non-NULL, aligned; the caller guarantees writable.
                unsafe { *p = n };
            }
        }
        FAPI_OK
    })
}
