//! The DPoP replay table: single use of each (key thumbprint, `jti`) pair, fail closed.
//!
//! - Entries are 32-byte slots of 32-bit atomic words (thumbv7em has no 64-bit atomics), so
//!   the table can live in memory shared by processes (nginx workers). No pointers, no locks.
//! - The slot index and a 128-bit fingerprint come from a **keyed** hash (a per-table secret),
//!   so nobody can aim entries at one probe sequence.
//! - Insert-if-absent is the last step of a decision, after everything else passed, so only
//!   holders of a valid token and key can consume capacity.
//! - A slot is reclaimed only after its expiry (the end of the proof's `iat` window plus the
//!   leeway). Full of live entries → [`CapacityError::ReplayTableFull`] (503, counted); a slot
//!   left half-written by a dead writer → [`CapacityError::ReplayBusy`] after a bounded spin,
//!   and it is taken over once stale. A live entry is never evicted.
//!
//! Concurrency: two inserts of the same pair that race into different slots both publish and
//! then re-scan; with sequentially consistent state words at least one sees the other, and the
//! one in the earlier probe position wins, so exactly one caller gets [`Insert::Fresh`].

use crate::error::{CapacityError, Error, MisuseError};
use crate::sha::Sha256;
use crate::time::div_rem_u32;
use core::num::NonZeroU32;
use core::sync::atomic::{AtomicU32, Ordering};

/// Slots examined per insert.
pub const PROBES: usize = 16;
/// Seconds after which a half-written slot is considered abandoned and may be taken over.
pub const STALE_BUSY_SECONDS: u32 = 5;
const SPIN: u32 = 200_000;

const EMPTY: u32 = 0;
const LIVE: u32 = 1;
// BUSY: low bits 0b10; bits 2..16: 14 bits of the fingerprint being written (so inserts of
// other pairs never wait for it); bits 16..32: the time it was taken, mod 2^16 seconds.
const BUSY_TAG: u32 = 2;

fn busy_word(fp: &[u32; 4], now: u64) -> u32 {
    BUSY_TAG | ((fp[0] & 0x3FFF) << 2) | ((now as u32 & 0xFFFF) << 16)
}

fn busy_tag_matches(s: u32, fp: &[u32; 4]) -> bool {
    (s >> 2) & 0x3FFF == fp[0] & 0x3FFF
}

/// One 32-byte table entry: state, 128-bit fingerprint, expiry (Unix seconds), padding.
#[repr(C)]
#[derive(Debug)]
pub struct ReplaySlot {
    w: [AtomicU32; 8],
}

impl ReplaySlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            w: [const { AtomicU32::new(0) }; 8],
        }
    }
}

impl Default for ReplaySlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Counters a host can read to alert on fail-closed events.
#[repr(C)]
#[derive(Debug, Default)]
pub struct ReplayCounters {
    /// Inserts refused because no slot was free.
    pub full: AtomicU32,
    /// Inserts refused because a slot stayed half-written.
    pub busy: AtomicU32,
    /// Replays detected.
    pub replays: AtomicU32,
}

impl ReplayCounters {
    /// Zeroed counters.
    pub const fn new() -> Self {
        Self {
            full: AtomicU32::new(0),
            busy: AtomicU32::new(0),
            replays: AtomicU32::new(0),
        }
    }
}

/// The digest that names a (key, `jti`) pair: SHA-256(jkt ‖ jti), jkt the 32-byte RFC 7638
/// thumbprint and jti its unescaped bytes. Identical on every instance (no secret): its
/// base64url form is the key for external stores.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PairDigest(pub [u8; 32]);

impl PairDigest {
    /// Computes the digest.
    pub fn new(jkt: &[u8; 32], jti: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(jkt);
        h.update(jti);
        Self(h.finalize().into())
    }

    /// base64url of the digest (43 characters): the external-store key.
    pub fn store_key(&self) -> [u8; 43] {
        let mut out = [0u8; 43];
        let _ = crate::b64::encode(&self.0, &mut out);
        out
    }
}

/// Outcome of an insert.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Insert {
    /// First use of the pair: recorded.
    Fresh,
    /// The pair was already recorded and is still live: a replay.
    Seen,
}

/// A fixed-size table for Rust `static`s: secret, counters and `N` slots.
#[derive(Debug)]
pub struct ReplayTable<const N: usize> {
    secret: [u8; 32],
    counters: ReplayCounters,
    slots: [ReplaySlot; N],
}

impl<const N: usize> ReplayTable<N> {
    /// An empty table keyed by `secret` (32 random bytes from the host).
    pub const fn new(secret: [u8; 32]) -> Self {
        Self {
            secret,
            counters: ReplayCounters::new(),
            slots: [const { ReplaySlot::new() }; N],
        }
    }

    /// A view for inserts.
    pub fn view(&self) -> ReplayView<'_> {
        ReplayView {
            secret: &self.secret,
            counters: &self.counters,
            slots: &self.slots,
        }
    }
}

/// A borrowed table: secret, counters and slots, wherever they live (a `static`, or a part
/// of a caller region sized at run time).
#[derive(Copy, Clone, Debug)]
pub struct ReplayView<'t> {
    secret: &'t [u8; 32],
    counters: &'t ReplayCounters,
    slots: &'t [ReplaySlot],
}

fn word(slot: &ReplaySlot, i: usize) -> Option<&AtomicU32> {
    slot.w.get(i)
}

impl<'t> ReplayView<'t> {
    /// Builds a view.
    ///
    /// # Errors
    /// [`MisuseError::StorageSize`] for an empty slot array.
    pub fn new(
        secret: &'t [u8; 32],
        counters: &'t ReplayCounters,
        slots: &'t [ReplaySlot],
    ) -> Result<Self, Error> {
        if slots.is_empty() || u32::try_from(slots.len()).is_err() {
            return Err(MisuseError::StorageSize.into());
        }
        Ok(Self {
            secret,
            counters,
            slots,
        })
    }

    /// The counters.
    pub fn counters(&self) -> &'t ReplayCounters {
        self.counters
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Live entries at `now` (a linear scan, for monitoring and tests).
    pub fn live(&self, now: u64) -> usize {
        self.slots
            .iter()
            .filter(|s| {
                word(s, 0).is_some_and(|w| w.load(Ordering::SeqCst) == LIVE)
                    && word(s, 5).is_some_and(|w| u64::from(w.load(Ordering::SeqCst)) > now)
            })
            .count()
    }

    fn keyed(&self, pair: &PairDigest) -> (usize, [u32; 4]) {
        let mut h = Sha256::new();
        h.update(b"fapi-replay-v1");
        h.update(self.secret);
        h.update(pair.0);
        let d: [u8; 32] = h.finalize().into();
        let mut w = [0u32; 8];
        for (o, c) in w.iter_mut().zip(d.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(c);
            *o = u32::from_le_bytes(b);
        }
        // `new` checked that the length is non-zero and fits 32 bits.
        let n = u32::try_from(self.slots.len())
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MIN);
        let (_, idx) = div_rem_u32(u64::from(w[0]) << 32 | u64::from(w[1]), n);
        (usize::try_from(idx).unwrap_or(0), [w[2], w[3], w[4], w[5]])
    }

    fn slot(&self, start: usize, probe: usize) -> Option<&ReplaySlot> {
        let n = self.slots.len();
        self.slots.get((start + probe % n) % n)
    }

    /// Waits (bounded) for a busy slot that may hold our pair to settle. Returns the state —
    /// settled, stale, or busy with another pair (which cannot match ours) — or `None` if it
    /// stayed busy with a matching tag for the whole bound.
    fn settle(state: &AtomicU32, now: u64, fp: &[u32; 4]) -> Option<u32> {
        for _ in 0..SPIN {
            let s = state.load(Ordering::SeqCst);
            if s & 3 != BUSY_TAG || is_stale(s, now) || !busy_tag_matches(s, fp) {
                return Some(s);
            }
            core::hint::spin_loop();
        }
        None
    }

    fn matches(slot: &ReplaySlot, fp: &[u32; 4], now: u64) -> bool {
        let same = (0..4)
            .all(|i| word(slot, 1 + i).map(|w| w.load(Ordering::SeqCst)) == fp.get(i).copied());
        same && word(slot, 5).is_some_and(|w| u64::from(w.load(Ordering::SeqCst)) > now)
    }

    /// Records `pair` until `expiry` unless it is already recorded and live.
    ///
    /// # Errors
    /// [`CapacityError::ReplayTableFull`] when no probed slot is free or expired;
    /// [`CapacityError::ReplayBusy`] when a slot stays half-written. Both fail closed.
    pub fn insert(&self, pair: &PairDigest, expiry: u64, now: u64) -> Result<Insert, Error> {
        let (start, fp) = self.keyed(pair);
        let probes = PROBES.min(self.slots.len());
        let expiry32 = u32::try_from(expiry).unwrap_or(u32::MAX);
        let busy = busy_word(&fp, now);
        'attempt: for _ in 0..4 {
            // Scan: any live match is a replay; remember the first reusable slot.
            let mut candidate: Option<(usize, u32)> = None;
            for p in 0..probes {
                let slot = self.slot(start, p).ok_or(MisuseError::StorageSize)?;
                let state = word(slot, 0).ok_or(MisuseError::StorageSize)?;
                let Some(s) = Self::settle(state, now, &fp) else {
                    self.counters.busy.fetch_add(1, Ordering::Relaxed);
                    return Err(CapacityError::ReplayBusy.into());
                };
                if s == LIVE && Self::matches(slot, &fp, now) {
                    self.counters.replays.fetch_add(1, Ordering::Relaxed);
                    return Ok(Insert::Seen);
                }
                let reusable = s == EMPTY
                    || (s & 3 == BUSY_TAG && is_stale(s, now))
                    || (s == LIVE
                        && word(slot, 5)
                            .is_some_and(|w| u64::from(w.load(Ordering::SeqCst)) <= now));
                if reusable && candidate.is_none() {
                    candidate = Some((p, s));
                }
            }
            let Some((mine, observed)) = candidate else {
                self.counters.full.fetch_add(1, Ordering::Relaxed);
                return Err(CapacityError::ReplayTableFull.into());
            };
            let slot = self.slot(start, mine).ok_or(MisuseError::StorageSize)?;
            let state = word(slot, 0).ok_or(MisuseError::StorageSize)?;
            if state
                .compare_exchange(observed, busy, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                continue 'attempt;
            }
            for (i, f) in fp.iter().enumerate() {
                if let Some(w) = word(slot, 1 + i) {
                    w.store(*f, Ordering::SeqCst);
                }
            }
            if let Some(w) = word(slot, 5) {
                w.store(expiry32, Ordering::SeqCst);
            }
            state.store(LIVE, Ordering::SeqCst);
            // Re-scan: a racing insert of the same pair in another slot decides by position.
            for p in 0..probes {
                if p == mine {
                    continue;
                }
                let other = self.slot(start, p).ok_or(MisuseError::StorageSize)?;
                let st = word(other, 0).ok_or(MisuseError::StorageSize)?;
                let Some(s) = Self::settle(st, now, &fp) else {
                    self.counters.busy.fetch_add(1, Ordering::Relaxed);
                    return Err(CapacityError::ReplayBusy.into());
                };
                if s == LIVE && Self::matches(other, &fp, now) && p < mine {
                    self.counters.replays.fetch_add(1, Ordering::Relaxed);
                    return Ok(Insert::Seen);
                }
            }
            return Ok(Insert::Fresh);
        }
        self.counters.busy.fetch_add(1, Ordering::Relaxed);
        Err(CapacityError::ReplayBusy.into())
    }
}

fn is_stale(busy: u32, now: u64) -> bool {
    let since = (busy >> 16) as u16;
    u32::from((now as u16).wrapping_sub(since)) > STALE_BUSY_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_then_seen_then_reclaimed() {
        let t: ReplayTable<64> = ReplayTable::new([7; 32]);
        let v = t.view();
        let p = PairDigest::new(&[1; 32], b"jti-1");
        assert_eq!(v.insert(&p, 1000, 500), Ok(Insert::Fresh));
        assert_eq!(v.insert(&p, 1000, 999), Ok(Insert::Seen));
        assert_eq!(v.insert(&p, 2000, 1000), Ok(Insert::Fresh));
        assert_eq!(v.live(1000), 1);
    }

    #[test]
    fn full_fails_closed_without_evicting() {
        let t: ReplayTable<4> = ReplayTable::new([9; 32]);
        let v = t.view();
        for i in 0..4u8 {
            let p = PairDigest::new(&[2; 32], &[i]);
            assert_eq!(v.insert(&p, 100, 10), Ok(Insert::Fresh));
        }
        let p = PairDigest::new(&[2; 32], b"x");
        assert_eq!(
            v.insert(&p, 100, 10),
            Err(Error::Capacity(CapacityError::ReplayTableFull))
        );
        for i in 0..4u8 {
            let p = PairDigest::new(&[2; 32], &[i]);
            assert_eq!(v.insert(&p, 100, 11), Ok(Insert::Seen));
        }
        assert_eq!(t.counters.full.load(Ordering::Relaxed), 1);
        // After expiry the slots are reusable.
        assert_eq!(v.insert(&p, 300, 100), Ok(Insert::Fresh));
    }

    #[test]
    fn busy_slot_fails_closed_then_stale_taken_over() {
        let t: ReplayTable<1> = ReplayTable::new([3; 32]);
        let v = t.view();
        let p = PairDigest::new(&[4; 32], b"a");
        let (_, fp) = v.keyed(&p);
        // A writer of the same pair that never finished (its tag matches ours).
        t.slots[0].w[0].store(busy_word(&fp, 100), Ordering::SeqCst);
        assert_eq!(
            v.insert(&p, 200, 101),
            Err(Error::Capacity(CapacityError::ReplayBusy))
        );
        assert_eq!(v.insert(&p, 200, 100 + 6), Ok(Insert::Fresh));
    }

    #[test]
    fn busy_slot_of_another_pair_is_skipped_without_waiting() {
        let t: ReplayTable<2> = ReplayTable::new([3; 32]);
        let v = t.view();
        let p = PairDigest::new(&[4; 32], b"a");
        let (start, fp) = v.keyed(&p);
        let other = [fp[0] ^ 1, 0, 0, 0];
        t.slots[start].w[0].store(busy_word(&other, 100), Ordering::SeqCst);
        assert_eq!(v.insert(&p, 200, 101), Ok(Insert::Fresh));
    }
}
