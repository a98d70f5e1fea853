//! The verified-token cache: skips a token's signature check when the same token was verified
//! before with a key that is still in force under the same configuration.
//!
//! Keyed by SHA-256(token) (computed once per request and shared with `ath`). An entry records
//! the signing key's RFC 7638 thumbprint and the configuration generation; a hit counts only
//! if that key is still in the current key set and the configuration is unchanged, so a
//! rotated-out key stops working at once. Time claims and every binding are re-checked on each
//! hit. Entries are atomic words under a per-entry sequence lock; the cache may evict freely.

use crate::jwk::Jwk;
use core::sync::atomic::{AtomicU32, Ordering, fence};

const WORDS: usize = 1 + 8 + 8 + 1;

/// One cache entry (72 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct CacheSlot {
    w: [AtomicU32; WORDS],
}

impl CacheSlot {
    /// An empty entry.
    pub const fn new() -> Self {
        Self {
            w: [const { AtomicU32::new(0) }; WORDS],
        }
    }
}

impl Default for CacheSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// A token cache with `N` entries for Rust `static`s.
#[derive(Debug)]
pub struct TokenCache<const N: usize> {
    slots: [CacheSlot; N],
}

impl<const N: usize> Default for TokenCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> TokenCache<N> {
    /// An empty cache.
    pub const fn new() -> Self {
        Self {
            slots: [const { CacheSlot::new() }; N],
        }
    }
    /// A view of the cache.
    pub fn view(&self) -> CacheView<'_> {
        CacheView { slots: &self.slots }
    }
}

/// A borrowed cache (possibly empty: caching off).
#[derive(Copy, Clone, Debug)]
pub struct CacheView<'c> {
    slots: &'c [CacheSlot],
}

/// A cache hit that still holds: the token hash matched, and the recorded key is in the
/// current set under the same configuration. Only [`CacheView::lookup`] constructs it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CacheHit {
    thumbprint: [u8; 32],
}

impl CacheHit {
    /// Thumbprint of the key that verified the token when it was cached.
    pub fn thumbprint(&self) -> &[u8; 32] {
        &self.thumbprint
    }
}

fn to_words(b: &[u8; 32]) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (o, c) in w.iter_mut().zip(b.chunks_exact(4)) {
        let mut x = [0u8; 4];
        x.copy_from_slice(c);
        *o = u32::from_le_bytes(x);
    }
    w
}

impl<'c> CacheView<'c> {
    /// A view over caller storage (an empty slice disables caching).
    pub fn new(slots: &'c [CacheSlot]) -> Self {
        Self { slots }
    }

    /// Whether the cache has any entries to use.
    pub fn is_enabled(&self) -> bool {
        !self.slots.is_empty()
    }

    /// A disabled cache.
    pub const fn disabled() -> Self {
        Self { slots: &[] }
    }

    fn slot(&self, token_hash: &[u8; 32]) -> Option<&CacheSlot> {
        if self.slots.is_empty() {
            return None;
        }
        let h = to_words(token_hash);
        let i = (h[0] as usize) % self.slots.len();
        self.slots.get(i)
    }

    /// Looks up a token; a hit requires the same configuration generation and a key with the
    /// recorded thumbprint in `keys`.
    pub fn lookup(&self, token_hash: &[u8; 32], config_gen: u32, keys: &[Jwk]) -> Option<CacheHit> {
        let slot = self.slot(token_hash)?;
        let seq = slot.w.first()?;
        let s1 = seq.load(Ordering::Acquire);
        if s1 & 1 == 1 || s1 == 0 {
            return None;
        }
        let mut w = [0u32; WORDS];
        for (d, s) in w.iter_mut().zip(slot.w.iter()) {
            *d = s.load(Ordering::Relaxed);
        }
        fence(Ordering::Acquire);
        if seq.load(Ordering::Relaxed) != s1 {
            return None;
        }
        let h = to_words(token_hash);
        if w.get(1..9)? != h.as_slice() || *w.get(17)? != config_gen {
            return None;
        }
        let mut tp = [0u8; 32];
        for (c, x) in tp.chunks_exact_mut(4).zip(w.get(9..17)?) {
            c.copy_from_slice(&x.to_le_bytes());
        }
        keys.iter()
            .any(|k| k.thumbprint() == &tp)
            .then_some(CacheHit { thumbprint: tp })
    }

    /// Records a verified token (best effort: skipped if another writer holds the entry).
    pub fn insert(&self, token_hash: &[u8; 32], config_gen: u32, thumbprint: &[u8; 32]) {
        let Some(slot) = self.slot(token_hash) else {
            return;
        };
        let Some(seq) = slot.w.first() else {
            return;
        };
        let s = seq.load(Ordering::Relaxed);
        if s & 1 == 1
            || seq
                .compare_exchange(s, s.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        let h = to_words(token_hash);
        let t = to_words(thumbprint);
        for (i, v) in h
            .iter()
            .chain(t.iter())
            .chain(core::iter::once(&config_gen))
            .enumerate()
        {
            if let Some(x) = slot.w.get(1 + i) {
                x.store(*v, Ordering::Relaxed);
            }
        }
        // Never publish sequence 0 (0 means "never written").
        let mut next = s.wrapping_add(2);
        if next == 0 {
            next = 2;
        }
        seq.store(next, Ordering::Release);
    }
}
