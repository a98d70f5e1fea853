//! ES256 tables kept by the shared verifier, so that known keys verify with additions only
//! ([`crate::es256`]): the base point's table, one table per P-256 key of the issuer's key set,
//! and a small cache of tables for DPoP keys that come back ("hot" keys).
//!
//! Everything is 32-bit atomic words in one caller-provided slice, located by offsets computed
//! from a [`TableConfig`] — no pointers — so the tables can sit in the same shared region as
//! the rest of the verifier (an nginx shared zone). Layout, in words:
//!
//! ```text
//! [header: magic, state, rate second, rate count, builds, refused by the rate limit, 2 spare]
//! [G table: base.points() × 16]
//! [issuer slot × 2·issuer_keys][hot slot × hot_keys]
//! slot = [seq, built, built at, thumbprint × 8][table: window.points() × 16]
//! ```
//!
//! Each slot is a sequence lock: `seq` is odd while its one writer fills it. A reader checks
//! the thumbprint, verifies, and keeps the verdict only if `seq` did not move meanwhile;
//! otherwise it verifies again without that table. A table is never trusted beyond that: the
//! verifier also checks that its first point is the key itself.
//!
//! - **Issuer keys**: slot `b·issuer_keys + i` holds the table of key `i` of key-store buffer
//!   `b`. A JWKS load builds the tables of the buffer it fills before the new set becomes
//!   visible ([`crate::request::Verifier::load_jwks`]), and the other buffer's tables stay
//!   untouched until the load after that, as the keys themselves.
//! - **Hot DPoP keys**: built only after a decision allowed a request with the key (its
//!   thumbprint matched a verified token's `cnf.jkt`, the proof passed every check and its
//!   `jti` was recorded), at most `builds_per_second` per second for the whole verifier; a
//!   key goes to one of two slots chosen by its thumbprint (the empty or the older one). A
//!   proof that did not pass never starts a build. Keys without a table take the G table and a
//!   width-5 NAF for the key (about twice the cost of a table verification, still about half
//!   of `p256`'s).
//!
//! A slot left odd by a process that died while writing is skipped until the region is
//! initialised again (its key's other slot still serves).

use crate::error::{Error, MisuseError};
use crate::es256::{self, AffinePoint, Fe, PointTable, PublicKey, Window};
use crate::jwk::{Jwk, KeyMaterial};
use core::sync::atomic::{AtomicU32, Ordering, fence};

const MAGIC: u32 = 0x4553_5442; // "ESTB"
/// Header words.
const HDR: usize = 8;
const H_MAGIC: usize = 0;
const H_STATE: usize = 1;
const H_RATE_SECOND: usize = 2;
const H_RATE_COUNT: usize = 3;
const H_BUILDS: usize = 4;
const H_REFUSED: usize = 5;
/// `state` once the G table is built.
const READY: u32 = 1;
/// Slot header words: seq, built, built at, thumbprint.
const SLOT_HDR: usize = 11;
const S_SEQ: usize = 0;
const S_BUILT: usize = 1;
const S_AT: usize = 2;
const S_JKT: usize = 3;
/// Words per affine point.
const POINT_WORDS: usize = 16;
/// Points normalised per field inversion while building (on the stack: 32 points and their Z,
/// 3 KiB).
const CHUNK: usize = 32;

/// Which tables a verifier keeps, and so how much memory ([`TableConfig::bytes`]).
///
/// | configuration | G | per issuer key | per hot key | memory with 4 issuer keys |
/// |---|---|---|---|---|
/// | [`TableConfig::gateway`] | 8 bits, 262,208 B | 6 bits, 87,084 B (×2 buffers) | 6 bits, 87,084 B (×16) | 2,352,256 B |
/// | [`TableConfig::firmware`] | 4 bits, 32,832 B | 4 bits, 32,876 B (×2 buffers) | none | 295,872 B |
///
/// Bytes per table for each width are in [`crate::es256::table`] (64 per point).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TableConfig {
    /// Window of the base point's table (one per verifier).
    pub base: Window,
    /// Window of each issuer key's table; `None`: issuer keys take the G table alone.
    pub issuer: Option<Window>,
    /// Capacity of the key store the tables serve (its keys per buffer).
    pub issuer_keys: usize,
    /// Window of each hot DPoP key's table; `None`: no hot-key cache.
    pub hot: Option<Window>,
    /// Hot-key slots (0 with `hot: None`).
    pub hot_keys: usize,
    /// Hot-key table builds allowed per second (of the `now` given to decisions), for the
    /// whole verifier.
    pub builds_per_second: u32,
}

const fn slot_words(w: Option<Window>) -> Option<usize> {
    match w {
        Some(w) => match w.points().checked_mul(POINT_WORDS) {
            Some(n) => n.checked_add(SLOT_HDR),
            None => None,
        },
        None => Some(0),
    }
}

impl TableConfig {
    /// For gateways: G 8 bits, issuer and hot keys 6 bits, 16 hot keys, 50 builds a second.
    /// A table verification then costs about 75 point additions.
    pub const fn gateway(issuer_keys: usize) -> Self {
        Self {
            base: Window::W8,
            issuer: Some(Window::W6),
            issuer_keys,
            hot: Some(Window::W6),
            hot_keys: 16,
            builds_per_second: 50,
        }
    }

    /// For firmware with RAM to spare: G and issuer keys 4 bits, no hot-key cache (about 130
    /// additions a verification).
    pub const fn firmware(issuer_keys: usize) -> Self {
        Self {
            base: Window::W4,
            issuer: Some(Window::W4),
            issuer_keys,
            hot: None,
            hot_keys: 0,
            builds_per_second: 0,
        }
    }

    /// Words (32-bit) the tables need; `None` if that overflows.
    pub const fn words(&self) -> Option<usize> {
        let (Some(g), Some(issuer), Some(hot)) = (
            self.base.points().checked_mul(POINT_WORDS),
            slot_words(self.issuer),
            slot_words(self.hot),
        ) else {
            return None;
        };
        let Some(issuer_slots) = self.issuer_keys.checked_mul(2) else {
            return None;
        };
        let (Some(i), Some(h)) = (
            issuer_slots.checked_mul(issuer),
            self.hot_keys.checked_mul(hot),
        ) else {
            return None;
        };
        match (HDR + g).checked_add(i) {
            Some(n) => n.checked_add(h),
            None => None,
        }
    }

    /// Bytes the tables need; `None` if that overflows.
    pub const fn bytes(&self) -> Option<usize> {
        match self.words() {
            Some(w) => w.checked_mul(4),
            None => None,
        }
    }

    /// Checks the rules [`KeyTables::new`] applies to a configuration, before any memory is
    /// laid out for it (a C caller's configuration is refused before its region is touched).
    ///
    /// # Errors
    /// [`MisuseError::TableConfig`] if a table is configured with no slots or slots with no
    /// window (`hot: None` with `hot_keys > 0`, or the reverse; `issuer` with
    /// `issuer_keys == 0`); [`MisuseError::StorageSize`] if [`TableConfig::words`] overflows.
    pub const fn check(&self) -> Result<(), Error> {
        if self.words().is_none() {
            return Err(Error::Misuse(MisuseError::StorageSize));
        }
        if self.hot.is_some() != (self.hot_keys > 0)
            || (self.issuer.is_some() && self.issuer_keys == 0)
        {
            return Err(Error::Misuse(MisuseError::TableConfig));
        }
        Ok(())
    }

    fn issuer_slots(&self) -> usize {
        if self.issuer.is_some() {
            self.issuer_keys.saturating_mul(2)
        } else {
            0
        }
    }

    fn hot_slots(&self) -> usize {
        if self.hot.is_some() { self.hot_keys } else { 0 }
    }
}

/// What [`KeyTables::warm`] did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Warm {
    /// A table for the key was built.
    Built,
    /// The key already has a table.
    Present,
    /// This second's build allowance is spent.
    RateLimited,
    /// Both candidate slots are being written by others.
    Busy,
    /// No hot-key cache is configured, or the G table is not built.
    Disabled,
}

/// Counters of hot-key builds (for operators and tests).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TableStats {
    /// Hot-key tables built.
    pub builds: u32,
    /// Builds refused by the rate limit.
    pub rate_limited: u32,
}

/// One slot: its header words and table words.
#[derive(Copy, Clone)]
struct Slot<'t> {
    window: Window,
    words: &'t [AtomicU32],
}

impl Slot<'_> {
    fn word(&self, i: usize) -> u32 {
        self.words.get(i).map_or(0, |w| w.load(Ordering::Relaxed))
    }

    fn seq(&self) -> u32 {
        self.words
            .get(S_SEQ)
            .map_or(1, |w| w.load(Ordering::Acquire))
    }

    fn holds(&self, jkt: &[u8; 32]) -> bool {
        self.word(S_BUILT) == 1 && (0..8).all(|i| self.word(S_JKT + i) == jkt_word(jkt, i))
    }

    /// The seq value under which the slot holds `jkt`'s table, if it does now.
    fn stable_for(&self, jkt: &[u8; 32]) -> Option<u32> {
        let s = self.seq();
        (s & 1 == 0 && self.holds(jkt)).then_some(s)
    }

    /// Whether the slot is still at `seq` after the reads before this call.
    fn unchanged(&self, seq: u32) -> bool {
        fence(Ordering::Acquire);
        self.words
            .get(S_SEQ)
            .is_some_and(|w| w.load(Ordering::Relaxed) == seq)
    }

    fn table(&self) -> WordTable<'_> {
        WordTable {
            window: self.window,
            words: self.words.get(SLOT_HDR..).unwrap_or(&[]),
        }
    }

    /// Takes the slot for writing (seq even → odd). `None` if another writer holds it.
    fn lock(&self) -> Option<u32> {
        let w = self.words.get(S_SEQ)?;
        let s = w.load(Ordering::Relaxed);
        if s & 1 == 1 {
            return None;
        }
        w.compare_exchange(s, s.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed)
            .ok()?;
        fence(Ordering::Release);
        Some(s)
    }

    fn unlock(&self, seq: u32) {
        if let Some(w) = self.words.get(S_SEQ) {
            w.store(seq.wrapping_add(2), Ordering::Release);
        }
    }

    fn store(&self, i: usize, v: u32) {
        if let Some(w) = self.words.get(i) {
            w.store(v, Ordering::Relaxed);
        }
    }

    /// Builds `key`'s table into the slot (locked by the caller), marking it built for `jkt`
    /// at `now` only if the build finished.
    fn fill(&self, jkt: &[u8; 32], key: &PublicKey, now: u64) -> bool {
        self.store(S_BUILT, 0);
        let ok = build_words(
            self.window,
            Some(key),
            self.words.get(SLOT_HDR..).unwrap_or(&[]),
        );
        if ok {
            for i in 0..8 {
                self.store(S_JKT + i, jkt_word(jkt, i));
            }
            self.store(S_AT, now as u32);
            self.store(S_BUILT, 1);
        }
        ok
    }

    fn clear(&self) {
        self.store(S_BUILT, 0);
    }
}

/// Word `i` (0..8) of a thumbprint, little-endian.
fn jkt_word(jkt: &[u8; 32], i: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(src) = jkt.get(i * 4..i * 4 + 4) {
        b.copy_from_slice(src);
    }
    u32::from_le_bytes(b)
}

/// A table read from atomic words (see [`PointTable`]).
struct WordTable<'t> {
    window: Window,
    words: &'t [AtomicU32],
}

impl PointTable for WordTable<'_> {
    #[inline]
    fn window(&self) -> Window {
        self.window
    }

    #[inline]
    fn point(&self, index: usize) -> Option<AffinePoint> {
        let at = index.checked_mul(POINT_WORDS)?;
        let src = self.words.get(at..at.checked_add(POINT_WORDS)?)?;
        let mut w = [0u32; POINT_WORDS];
        for (d, s) in w.iter_mut().zip(src) {
            *d = s.load(Ordering::Relaxed);
        }
        AffinePoint::from_words(&w)
    }
}

/// Builds the table of `key` (G if `None`) into `out`, point by point.
#[inline(never)]
fn build_words(window: Window, key: Option<&PublicKey>, out: &[AtomicU32]) -> bool {
    let mut chunk = [AffinePoint::ZERO; CHUNK];
    let mut scratch = [Fe::ZERO; CHUNK];
    let sink = |i: usize, p: &AffinePoint| {
        let at = i.saturating_mul(POINT_WORDS);
        if let Some(dst) = out.get(at..at.saturating_add(POINT_WORDS)) {
            for (d, s) in dst.iter().zip(p.to_words()) {
                d.store(s, Ordering::Relaxed);
            }
        }
    };
    if out.len() < window.points().saturating_mul(POINT_WORDS) {
        return false;
    }
    match key {
        Some(k) => es256::build_each(k, window, &mut chunk, &mut scratch, sink).is_ok(),
        None => es256::build_base_each(window, &mut chunk, &mut scratch, sink).is_ok(),
    }
}

/// The tables of one verifier: a view of its words and the configuration that lays them out.
#[derive(Copy, Clone, Debug)]
pub struct KeyTables<'t> {
    words: &'t [AtomicU32],
    cfg: TableConfig,
}

impl<'t> KeyTables<'t> {
    /// A view of `words` laid out for `cfg` (words initialised by [`KeyTables::init`], here or
    /// in another process).
    ///
    /// # Errors
    /// [`MisuseError::StorageSize`] if `words` is shorter than [`TableConfig::words`];
    /// [`MisuseError::TableConfig`] if a table is configured with no slots or slots with no
    /// window (`hot: None` with `hot_keys > 0`, or the reverse).
    pub fn new(words: &'t [AtomicU32], cfg: TableConfig) -> Result<Self, Error> {
        let need = cfg.words().ok_or(MisuseError::StorageSize)?;
        if words.len() < need {
            return Err(MisuseError::StorageSize.into());
        }
        cfg.check()?;
        Ok(Self { words, cfg })
    }

    /// Builds the G table and empties every slot. Call once, before the tables are shared
    /// (a few milliseconds for an 8-bit G table on a gateway).
    ///
    /// # Errors
    /// [`MisuseError::TableConfig`] if the build fails (it cannot for a valid configuration).
    pub fn init(&self) -> Result<(), Error> {
        for w in self.words.iter().take(self.cfg.words().unwrap_or(0)) {
            w.store(0, Ordering::Relaxed);
        }
        if !build_words(self.cfg.base, None, self.g_words()) {
            return Err(MisuseError::TableConfig.into());
        }
        let (Some(magic), Some(state)) = (self.words.get(H_MAGIC), self.words.get(H_STATE)) else {
            return Err(MisuseError::StorageSize.into());
        };
        magic.store(MAGIC, Ordering::Relaxed);
        state.store(READY, Ordering::Release);
        Ok(())
    }

    /// Whether [`KeyTables::init`] completed on these words.
    pub fn is_ready(&self) -> bool {
        self.header(H_STATE) == READY && self.header(H_MAGIC) == MAGIC
    }

    /// The configuration.
    pub fn config(&self) -> &TableConfig {
        &self.cfg
    }

    /// Hot-key build counters.
    pub fn stats(&self) -> TableStats {
        TableStats {
            builds: self.header(H_BUILDS),
            rate_limited: self.header(H_REFUSED),
        }
    }

    /// Header word `i` (`new` checked that the words hold the header).
    fn header(&self, i: usize) -> u32 {
        self.words.get(i).map_or(0, |w| w.load(Ordering::Acquire))
    }

    fn bump(&self, i: usize) -> u32 {
        self.words
            .get(i)
            .map_or(u32::MAX, |w| w.fetch_add(1, Ordering::AcqRel))
    }

    fn g_words(&self) -> &'t [AtomicU32] {
        let n = self.cfg.base.points() * POINT_WORDS;
        self.words.get(HDR..HDR + n).unwrap_or(&[])
    }

    /// Where the slots start, and the words of one issuer slot.
    fn slots_start(&self) -> (usize, usize) {
        let g_end = HDR + self.cfg.base.points() * POINT_WORDS;
        (g_end, slot_words(self.cfg.issuer).unwrap_or(0))
    }

    fn issuer_slot(&self, index: usize) -> Option<Slot<'t>> {
        if index >= self.cfg.issuer_slots() {
            return None;
        }
        let window = self.cfg.issuer?;
        let (g_end, per) = self.slots_start();
        let start = g_end + index * per;
        Some(Slot {
            window,
            words: self.words.get(start..start.checked_add(per)?)?,
        })
    }

    fn hot_slot(&self, index: usize) -> Option<Slot<'t>> {
        let n = self.cfg.hot_slots();
        if index >= n {
            return None;
        }
        let window = self.cfg.hot?;
        let per = slot_words(Some(window))?;
        let (g_end, issuer_per) = self.slots_start();
        let start = g_end + self.cfg.issuer_slots() * issuer_per + index * per;
        Some(Slot {
            window,
            words: self.words.get(start..start.checked_add(per)?)?,
        })
    }

    /// The two hot slots a thumbprint may use.
    fn hot_candidates(&self, jkt: &[u8; 32]) -> [Option<Slot<'t>>; 2] {
        let n = self.cfg.hot_slots().max(1);
        let a = jkt_word(jkt, 0) as usize % n;
        let b = jkt_word(jkt, 1) as usize % n;
        [
            self.hot_slot(a),
            if b == a { None } else { self.hot_slot(b) },
        ]
    }

    /// Whether a table for the key with thumbprint `jkt` is in place (issuer or hot).
    pub fn has_table(&self, jkt: &[u8; 32]) -> bool {
        self.find(jkt).is_some()
    }

    fn find(&self, jkt: &[u8; 32]) -> Option<(Slot<'t>, u32)> {
        let issuer = (0..self.cfg.issuer_slots()).filter_map(|i| self.issuer_slot(i));
        let hot = self.hot_candidates(jkt).into_iter().flatten();
        issuer
            .chain(hot)
            .find_map(|s| s.stable_for(jkt).map(|seq| (s, seq)))
    }

    /// Verifies an ES256 signature (`r ‖ s`) over `digest` by `key`, whose RFC 7638
    /// thumbprint is `jkt`: with its table if one is in place (and stayed in place while it
    /// was read), else with the G table alone. `None` if the G table is not built: the caller
    /// then takes its generic path.
    pub fn verify(
        &self,
        jkt: &[u8; 32],
        key: &PublicKey,
        digest: &[u8; 32],
        signature: &[u8; 64],
    ) -> Option<bool> {
        if !self.is_ready() {
            return None;
        }
        self.verify_found(self.find(jkt), key, digest, signature)
    }

    /// The second half of [`KeyTables::verify`]: with the slot `find` returned (and the seq
    /// it was stable under), else the G table alone.
    fn verify_found(
        &self,
        found: Option<(Slot<'t>, u32)>,
        key: &PublicKey,
        digest: &[u8; 32],
        signature: &[u8; 64],
    ) -> Option<bool> {
        let g = WordTable {
            window: self.cfg.base,
            words: self.g_words(),
        };
        if let Some((slot, seq)) = found {
            let r = es256::verify_with_tables(&g, &slot.table(), key, digest, signature);
            if let (Ok(v), true) = (r, slot.unchanged(seq)) {
                return Some(v);
            }
        }
        es256::verify_with_base_table(&g, key, digest, signature).ok()
    }

    /// [`KeyTables::verify`] for a JWS: `key` must be a P-256 JWK whose RFC 7638 thumbprint is
    /// `jkt` (the key set's and a proof's code compute it once; the tables are found by it),
    /// and `signature` 64 bytes (anything else: `Some(false)`). `None` if the G table is not
    /// built.
    #[inline(never)]
    pub fn verify_jws(
        &self,
        key: &Jwk,
        jkt: &[u8; 32],
        signing_input: &[u8],
        signature: &[u8],
    ) -> Option<bool> {
        if !self.is_ready() {
            return None;
        }
        let (Some(pk), Ok(sig)) = (public_key(key), <&[u8; 64]>::try_from(signature)) else {
            return Some(false);
        };
        let digest = crate::jws::sha256(signing_input);
        // `is_ready` was checked above: straight to the lookup.
        self.verify_found(self.find(jkt), &pk, &digest, sig)
    }

    /// Builds the issuer table of key `index` of key-store buffer `buffer` (`None`, or a key
    /// that is not P-256: the slot is emptied). Called by the key-set writer only, before the
    /// buffer is published.
    pub(crate) fn set_issuer(&self, buffer: usize, index: usize, key: Option<&Jwk>) {
        let Some(slot) = buffer
            .checked_mul(self.cfg.issuer_keys)
            .and_then(|b| b.checked_add(index))
            .filter(|_| index < self.cfg.issuer_keys)
            .and_then(|i| self.issuer_slot(i))
        else {
            return;
        };
        let Some(seq) = slot.lock() else {
            return;
        };
        match key.and_then(|k| public_key(k).map(|pk| (k.thumbprint(), pk))) {
            Some((jkt, pk)) if self.is_ready() => {
                slot.fill(jkt, &pk, 0);
            }
            _ => slot.clear(),
        }
        slot.unlock(seq);
    }

    /// Builds a hot-key table for `key` (thumbprint `jkt`) unless one is in place, within the
    /// rate limit. Call only after a decision that allowed a request with this key.
    pub fn warm(&self, jkt: &[u8; 32], key: &PublicKey, now: u64) -> Warm {
        if self.cfg.hot_slots() == 0 || !self.is_ready() {
            return Warm::Disabled;
        }
        if self.has_table(jkt) {
            return Warm::Present;
        }
        if !self.take_build(now) {
            return Warm::RateLimited;
        }
        // The empty candidate, else the one built longer ago; one being written is skipped.
        let mut pick: Option<(Slot<'t>, u32, (u32, u32))> = None;
        for s in self.hot_candidates(jkt).into_iter().flatten() {
            let seq = s.seq();
            if seq & 1 == 1 {
                continue;
            }
            let rank = (s.word(S_BUILT), s.word(S_AT));
            if pick.as_ref().is_none_or(|(_, _, r)| rank < *r) {
                pick = Some((s, seq, rank));
            }
        }
        let Some((slot, _, _)) = pick else {
            return Warm::Busy;
        };
        let Some(seq) = slot.lock() else {
            return Warm::Busy;
        };
        let built = slot.fill(jkt, key, now);
        slot.unlock(seq);
        if built {
            self.bump(H_BUILDS);
            Warm::Built
        } else {
            Warm::Busy
        }
    }

    /// Takes one build from this second's allowance (a reset racing with builds may let a
    /// few more through in that second).
    fn take_build(&self, now: u64) -> bool {
        let second = now as u32;
        let (Some(at), Some(count)) = (self.words.get(H_RATE_SECOND), self.words.get(H_RATE_COUNT))
        else {
            return false;
        };
        let cur = at.load(Ordering::Acquire);
        if cur != second
            && at
                .compare_exchange(cur, second, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            count.store(0, Ordering::Release);
        }
        if count.fetch_add(1, Ordering::AcqRel) < self.cfg.builds_per_second {
            true
        } else {
            self.bump(H_REFUSED);
            false
        }
    }
}

/// The verifier's tables as the decision code holds them: `Option<KeyTables>` with the feature
/// `es256-tables`, else the zero-sized [`NoTables`], whose hooks do nothing — a build without
/// the feature (the firmware's budgeted one) links none of the fast path.
#[cfg(feature = "es256-tables")]
pub(crate) type Tables<'t> = Option<KeyTables<'t>>;
/// See the feature-enabled definition.
#[cfg(not(feature = "es256-tables"))]
pub(crate) type Tables<'t> = NoTables<'t>;

/// No tables (builds without the feature `es256-tables`).
#[cfg(not(feature = "es256-tables"))]
#[derive(Copy, Clone, Debug)]
pub(crate) struct NoTables<'t>(core::marker::PhantomData<&'t ()>);

/// What the decision asks of its tables (see [`Tables`]).
pub(crate) trait TableHooks: Copy {
    /// No tables.
    const NONE: Self;
    /// [`KeyTables::verify_jws`]; `None`: no tables, take the generic path.
    fn verify_jws(
        &self,
        key: &Jwk,
        jkt: &[u8; 32],
        signing_input: &[u8],
        signature: &[u8],
    ) -> Option<bool>;
    /// [`KeyTables::set_issuer`].
    fn set_issuer(&self, buffer: usize, index: usize, key: Option<&Jwk>);
    /// [`KeyTables::warm`] for a key given as `x ‖ y`.
    fn warm_xy(&self, jkt: &[u8; 32], xy: &[u8; 64], now: u64);
    /// Whether there are tables.
    fn enabled(&self) -> bool;
}

impl TableHooks for Option<KeyTables<'_>> {
    const NONE: Self = None;

    fn verify_jws(
        &self,
        key: &Jwk,
        jkt: &[u8; 32],
        signing_input: &[u8],
        signature: &[u8],
    ) -> Option<bool> {
        self.as_ref()?
            .verify_jws(key, jkt, signing_input, signature)
    }

    fn set_issuer(&self, buffer: usize, index: usize, key: Option<&Jwk>) {
        if let Some(t) = self {
            t.set_issuer(buffer, index, key);
        }
    }

    fn warm_xy(&self, jkt: &[u8; 32], xy: &[u8; 64], now: u64) {
        // Every allowed request of a returning key comes here: a key that has its table costs
        // one lookup, not a point decoding.
        let Some(t) = self.as_ref().filter(|t| !t.has_table(jkt)) else {
            return;
        };
        let (x, y) = xy.split_at(32);
        if let (Ok(x), Ok(y)) = (x.try_into(), y.try_into())
            && let Some(pk) = PublicKey::from_xy(x, y)
        {
            t.warm(jkt, &pk, now);
        }
    }

    fn enabled(&self) -> bool {
        self.is_some()
    }
}

#[cfg(not(feature = "es256-tables"))]
impl TableHooks for NoTables<'_> {
    const NONE: Self = NoTables(core::marker::PhantomData);

    #[inline(always)]
    fn verify_jws(&self, _: &Jwk, _: &[u8; 32], _: &[u8], _: &[u8]) -> Option<bool> {
        None
    }

    #[inline(always)]
    fn set_issuer(&self, _: usize, _: usize, _: Option<&Jwk>) {}

    #[inline(always)]
    fn warm_xy(&self, _: &[u8; 32], _: &[u8; 64], _: u64) {}

    #[inline(always)]
    fn enabled(&self) -> bool {
        false
    }
}

/// The P-256 key of a JWK, for the tables (`None` for other key types).
pub fn public_key(key: &Jwk) -> Option<PublicKey> {
    match key.material() {
        KeyMaterial::P256(xy) => {
            let (x, y) = xy.split_at(32);
            PublicKey::from_xy(x.try_into().ok()?, y.try_into().ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use std::vec::Vec;

    /// A slot that a writer starts rewriting after a reader found it: the reader's verdict
    /// must not come from the half-written table. Deterministic: the "writer" runs between
    /// the reader's two halves.
    #[test]
    fn a_slot_written_during_a_read_is_not_trusted() {
        let cfg = TableConfig {
            base: Window::W4,
            issuer: None,
            issuer_keys: 0,
            hot: Window::new(3),
            hot_keys: 1,
            builds_per_second: 10,
        };
        let words: Vec<AtomicU32> = (0..cfg.words().unwrap())
            .map(|_| AtomicU32::new(0))
            .collect();
        let t = KeyTables::new(&words, cfg).unwrap();
        t.init().unwrap();
        let sk = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
        let pk = PublicKey::from_verifying_key(sk.verifying_key()).unwrap();
        let jkt = [7u8; 32];
        let digest = [0x33u8; 32];
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let sig: [u8; 64] = sig.to_bytes().into();
        assert_eq!(t.warm(&jkt, &pk, 1), Warm::Built);
        assert_eq!(t.verify(&jkt, &pk, &digest, &sig), Some(true));

        let slot = t.hot_slot(0).unwrap();
        let corrupt = || {
            // Points 20.. zeroed, as a writer part-way through another key's table leaves
            // them (point 0, the key itself, untouched).
            for w in slot.words.iter().skip(SLOT_HDR + 20 * POINT_WORDS) {
                w.store(0, Ordering::Relaxed);
            }
        };

        // The reader found the slot; then a writer locks it and writes part of it.
        let found = t.find(&jkt);
        assert!(found.is_some());
        let seq = slot.lock().unwrap();
        corrupt();
        assert_eq!(t.verify_found(found, &pk, &digest, &sig), Some(true));
        // A reader arriving while it is locked does not use it either.
        assert!(t.find(&jkt).is_none());
        assert_eq!(t.verify(&jkt, &pk, &digest, &sig), Some(true));
        // Unlocked (seq moved on): the stale reader still falls back.
        slot.unlock(seq);
        assert_eq!(t.verify_found(found, &pk, &digest, &sig), Some(true));
        // A stable table is trusted as it is: this one now gives the wrong answer, which is
        // why every verdict above had to come from the G table.
        assert_eq!(t.verify(&jkt, &pk, &digest, &sig), Some(false));
    }
}
