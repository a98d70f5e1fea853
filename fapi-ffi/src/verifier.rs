//! The shared verifier: one caller-provided region, laid out from the configuration.
//!
//! ```text
//! [Header: magic, layout, size, configuration copy, part offsets]
//! [KeyStoreHeader][KeySlot × max_keys (A)][KeySlot × max_keys (B)]
//! [ReplayCounters][ReplaySlot × replay_slots][CacheSlot × cache_slots][NonceKeys]
//! [ES256 tables: AtomicU32 × TableConfig::words() (only with es256_base_bits > 0)]
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
use core::sync::atomic::AtomicU32;
use fapi_core::cache::{CacheSlot, CacheView};
use fapi_core::config::Config;
use fapi_core::es256::Window;
use fapi_core::htu::PublicBase;
use fapi_core::jws::AlgSet;
use fapi_core::keystore::{KeySlot, KeyStoreHeader, KeyStoreView};
use fapi_core::keytables::{KeyTables, TableConfig};
use fapi_core::nonce::NonceKeys;
use fapi_core::policy::{Mode, Policy};
use fapi_core::replay::{ReplayCounters, ReplaySlot, ReplayView};
use fapi_core::request::{ReplayStore, Verifier};

const MAGIC: u32 = 0x4641_5049; // "FAPI"
/// Layout version of the verifier region; bumped on any change of [`Header`] or the parts.
pub const FAPI_VERIFIER_LAYOUT: u32 = 4;
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
    off_tables: u32,
    es256_base_bits: u32,
    es256_issuer_bits: u32,
    es256_hot_bits: u32,
    es256_hot_keys: u32,
    es256_builds_per_second: u32,
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
    tables: usize,
    size: usize,
}

fn layout(
    max_keys: usize,
    replay_slots: usize,
    cache_slots: usize,
    tables: Option<&TableConfig>,
) -> Option<Layout> {
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
    let table_bytes = match tables {
        Some(t) => t.bytes()?,
        None => 0,
    };
    let tables = take(table_bytes)?;
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
        tables,
        size,
    })
}

const _: () = assert!(align_of::<Header>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<KeySlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<ReplaySlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<CacheSlot>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<NonceKeys>() <= FAPI_REGION_ALIGN as usize);
const _: () = assert!(align_of::<AtomicU32>() <= FAPI_REGION_ALIGN as usize);

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

/// The ES256 table configuration of the `es256_*` fields (`None`: no tables). The fields
/// as stored, so the header can be checked with the same function.
///
/// # Errors
/// `FAPI_ERR_INVALID_ARGUMENT` for a width outside 2..=12; `FAPI_ERR_MISUSE_TABLE_CONFIG`
/// for other `es256_*` fields set without `es256_base_bits`, or the core's rules
/// ([`TableConfig::check`]: hot-key slots without a width or the reverse).
fn table_config(
    max_keys: u32,
    [base, issuer, hot, hot_keys, builds]: [u32; 5],
) -> Result<Option<TableConfig>, u32> {
    if base == 0 {
        return if issuer == 0 && hot == 0 && hot_keys == 0 && builds == 0 {
            Ok(None)
        } else {
            Err(FAPI_ERR_MISUSE_TABLE_CONFIG)
        };
    }
    let window = |bits: u32| match bits {
        0 => Ok(None),
        b => Window::new(b).map(Some).ok_or(FAPI_ERR_INVALID_ARGUMENT),
    };
    let t = TableConfig {
        base: window(base)?.ok_or(FAPI_ERR_INVALID_ARGUMENT)?,
        issuer: window(issuer)?,
        issuer_keys: max_keys as usize,
        hot: window(hot)?,
        hot_keys: hot_keys as usize,
        builds_per_second: if builds == 0 { 50 } else { builds },
    };
    t.check().map_err(core_code)?;
    if cfg!(not(feature = "es256-tables")) {
        // This library was built without the fast ES256 path.
        return Err(FAPI_ERR_MISUSE_TABLE_CONFIG);
    }
    Ok(Some(t))
}

/// The `es256_*` fields of a configuration, in [`table_config`]'s order.
fn table_fields(c: &fapi_config) -> [u32; 5] {
    [
        c.es256_base_bits,
        c.es256_issuer_bits,
        c.es256_hot_bits,
        c.es256_hot_keys,
        c.es256_builds_per_second,
    ]
}

/// Reads a caller's `fapi_config`, checking size and version. The `struct_size` of the struct
/// before the `es256_*` fields ([`CONFIG_V1_SIZE`], exactly) is read up to `replay_secret`
/// only, with the newer fields 0 (no ES256 tables); other sizes below `sizeof(fapi_config)`
/// are refused.
///
/// # Safety
/// `cfg` must be NULL or point to a readable `fapi_config` of at least `struct_size` bytes.
pub(crate) unsafe fn read_config(cfg: *const fapi_config) -> Result<fapi_config, u32> {
    if !aligned(cfg) {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL and aligned; the two leading u32 fields are in every version of the
    // struct, and the caller guarantees at least `struct_size` readable bytes.
    let (size, version) = unsafe {
        (
            core::ptr::addr_of!((*cfg).struct_size).read(),
            core::ptr::addr_of!((*cfg).version).read(),
        )
    };
    if version != FAPI_STRUCT_VERSION {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    if size as usize >= size_of::<fapi_config>() {
        // SAFETY: non-NULL, aligned, and at least `sizeof(fapi_config)` readable bytes; every
        // bit pattern is a valid fapi_config (integers, bytes and raw pointers).
        return Ok(unsafe { cfg.read() });
    }
    if size as usize != CONFIG_V1_SIZE {
        return Err(FAPI_ERR_INVALID_ARGUMENT);
    }
    let mut c = core::mem::MaybeUninit::<fapi_config>::zeroed();
    // SAFETY: the caller provides `size` = CONFIG_V1_SIZE ≥ CONFIG_V1_PREFIX readable bytes;
    // the destination is a local fapi_config, which has room for the prefix; zero bytes and
    // any copied bytes are valid for every field, so the value is initialised.
    Ok(unsafe {
        core::ptr::copy_nonoverlapping(
            cfg.cast::<u8>(),
            c.as_mut_ptr().cast::<u8>(),
            CONFIG_V1_PREFIX,
        );
        c.assume_init()
    })
}

/// The layout of a checked configuration.
///
/// # Errors
/// As [`table_config`]; `FAPI_ERR_INVALID_ARGUMENT` for sizes out of range.
fn config_layout(c: &fapi_config) -> Result<(Layout, Option<TableConfig>), u32> {
    let (k, r, ca) = sizes(c).ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
    let t = table_config(c.max_keys, table_fields(c))?;
    let l = layout(k, r, ca, t.as_ref()).ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
    Ok((l, t))
}

/// Bytes of verifier memory a configuration needs (0 if the configuration's sizes or ES256
/// table fields are out of range or contradictory). The replay table dominates unless ES256
/// tables are configured: 32 bytes per replay slot; the tables add the bytes README "ES256
/// tables" lists (about 2.4 MB with the gateway preset and 4 keys).
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
        config_layout(&c).map_or(0, |(l, _)| u32::try_from(l.size).unwrap_or(0))
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
    /// The ES256 table configuration stored at init.
    fn tables(&self) -> Result<Option<TableConfig>, u32> {
        table_config(
            self.max_keys,
            [
                self.es256_base_bits,
                self.es256_issuer_bits,
                self.es256_hot_bits,
                self.es256_hot_keys,
                self.es256_builds_per_second,
            ],
        )
    }

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
        let tables = header.tables().map_err(|_| FAPI_ERR_BAD_REGION)?;
        let l = layout(
            header.max_keys as usize,
            header.replay_slots as usize,
            header.cache_slots as usize,
            tables.as_ref(),
        )
        .ok_or(FAPI_ERR_BAD_REGION)?;
        if header.size != l.size as u64
            || header.off_keys_header as usize != l.keys_header
            || header.off_nonces as usize != l.nonces
            || header.off_tables as usize != l.tables
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
        match self.tables()? {
            #[cfg(feature = "es256-tables")]
            Some(t) => Ok(f(&v.with_tables(t))),
            // Unreachable: init refuses tables in a build without them.
            #[cfg(not(feature = "es256-tables"))]
            Some(_) => Err(FAPI_ERR_MISUSE_TABLE_CONFIG),
            None => Ok(f(&v)),
        }
    }

    /// The ES256 tables, if the configuration has them.
    pub(crate) fn tables(&self) -> Result<Option<KeyTables<'r>>, u32> {
        let Some(cfg) = self.header.tables().map_err(|_| FAPI_ERR_BAD_REGION)? else {
            return Ok(None);
        };
        let n = cfg.words().ok_or(FAPI_ERR_BAD_REGION)?;
        // SAFETY: offset and count from the layout checked in `attach` (the part is
        // `TableConfig::words()` words for this configuration); AtomicU32 is atomics.
        let words = unsafe { self.part::<AtomicU32>(self.header.off_tables, n) };
        KeyTables::new(words, cfg)
            .map(Some)
            .map_err(|_| FAPI_ERR_BAD_REGION)
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
/// key set starts empty: load one with `fapi_verifier_set_jwks`. With ES256 tables
/// (`es256_base_bits` > 0) this also builds the base point's table (a few milliseconds for 8
/// bits), and each `fapi_verifier_set_jwks` builds the tables of the new set's P-256 keys
/// before the set becomes visible.
///
/// Returns `FAPI_OK`; a `FAPI_ERR_MISUSE_*` code naming the configuration rule that failed
/// (e.g. `FAPI_ERR_MISUSE_EMPTY_ISSUER`, `_LEEWAY_TOO_LARGE`, `_ALG_UNAVAILABLE`,
/// `_CONTRADICTORY_POLICY`, `_TABLE_CONFIG`: `es256_hot_bits` without `es256_hot_keys` or the
/// reverse, or `es256_*` fields set with `es256_base_bits` 0); `FAPI_ERR_INVALID_ARGUMENT`
/// (NULL/misaligned pointers, `len` smaller than `fapi_verifier_size(cfg)`, unknown enum
/// values, a table width outside 2..=12, a base that does not parse, strings too long or not
/// UTF-8); or `FAPI_ERR_PANIC`.
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
        let (l, tables) = match config_layout(&c) {
            Ok(lt) => lt,
            Err(e) => return e,
        };
        if len < l.size {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        match unsafe_init(mem, &l, &c, tables) {
            Ok(()) => {
                // SAFETY: `out` checked non-NULL and aligned; caller guarantees writable.
                unsafe { *out = mem.cast::<fapi_verifier>() };
                FAPI_OK
            }
            Err(e) => e,
        }
    })
}

fn unsafe_init(
    mem: *mut u8,
    l: &Layout,
    c: &fapi_config,
    tables: Option<TableConfig>,
) -> Result<(), u32> {
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
        off_tables: l.tables as u32,
        es256_base_bits: c.es256_base_bits,
        es256_issuer_bits: c.es256_issuer_bits,
        es256_hot_bits: c.es256_hot_bits,
        es256_hot_keys: c.es256_hot_keys,
        es256_builds_per_second: tables.map_or(0, |t| t.builds_per_second),
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
    // (empty key set, empty replay table and cache, no nonce secret, tables not built).
    unsafe { core::ptr::write_bytes(mem, 0, l.size) };
    if let Some(t) = tables {
        let n = t.words().ok_or(FAPI_ERR_INVALID_ARGUMENT)?;
        // SAFETY: `l.tables` and `n` words come from the layout of this configuration, so the
        // part lies inside the zeroed region and is 8-aligned (≥ align_of::<AtomicU32>());
        // zero is a valid AtomicU32, and no other thread can see the region yet.
        let words =
            unsafe { core::slice::from_raw_parts(mem.add(l.tables).cast::<AtomicU32>(), n) };
        // The G table is built before the header is written: a region whose build failed
        // never carries the magic.
        KeyTables::new(words, t)
            .and_then(|kt| kt.init())
            .map_err(core_code)?;
    }
    // SAFETY: as above; the header is written once, before the region is shared.
    unsafe { core::ptr::write(mem.cast::<Header>(), header) };
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
/// Returns `FAPI_OK`, `FAPI_ERR_BAD_REGION` (magic, layout version or size differ, the stored
/// configuration does not give the stored layout, or `len` is smaller than the stored size),
/// or `FAPI_ERR_INVALID_ARGUMENT`.
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

/// Reads the ES256 tables' hot-key counters (any pointer may be NULL): hot DPoP-key tables
/// built, and builds refused by the rate limit (`es256_builds_per_second`). A table is built
/// for a DPoP key only after a decision allowed a request with it.
///
/// Returns `FAPI_OK`; `FAPI_ERR_NOT_FOUND` if the verifier has no ES256 tables
/// (`es256_base_bits` 0); `FAPI_ERR_BAD_REGION` or `FAPI_ERR_INVALID_ARGUMENT` for a bad `v`.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; non-NULL outputs writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_table_stats(
    v: *mut fapi_verifier,
    builds: *mut u32,
    rate_limited: *mut u32,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let region = match unsafe { Region::attach(v) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        let stats = match region.tables() {
            Ok(Some(t)) => t.stats(),
            Ok(None) => return FAPI_ERR_NOT_FOUND,
            Err(e) => return e,
        };
        // SAFETY: forwarded contract (NULL or writable).
        unsafe {
            crate::ptr::put(builds, stats.builds);
            crate::ptr::put(rate_limited, stats.rate_limited);
        }
        FAPI_OK
    })
}

/// Whether an ES256 table is in place for the P-256 key with RFC 7638 thumbprint `jkt` (32
/// bytes, as `fapi_ctx_binding` returns it): an issuer key's table built when its key set was
/// loaded, or a hot DPoP key's table.
///
/// Returns `FAPI_OK` (a table is in place), `FAPI_ERR_NOT_FOUND` (none, or the verifier has no
/// ES256 tables), `FAPI_ERR_BAD_REGION` or `FAPI_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `v` from `fapi_verifier_init`/`_attach`; `jkt` readable for 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fapi_verifier_has_es256_table(
    v: *mut fapi_verifier,
    jkt: *const u8,
) -> u32 {
    crate::guard(|| {
        // SAFETY: forwarded contract.
        let region = match unsafe { Region::attach(v) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        if jkt.is_null() {
            return FAPI_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: non-NULL; the caller guarantees 32 readable bytes.
        let Ok(jkt) = <&[u8; 32]>::try_from(unsafe { core::slice::from_raw_parts(jkt, 32) }) else {
            return FAPI_ERR_INVALID_ARGUMENT;
        };
        match region.tables() {
            Ok(Some(t)) if t.has_table(jkt) => FAPI_OK,
            Ok(_) => FAPI_ERR_NOT_FOUND,
            Err(e) => e,
        }
    })
}
