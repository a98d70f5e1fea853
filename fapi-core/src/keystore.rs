//! The shared key set: a JWKS held in 32-bit atomic words, double-buffered under a
//! generation counter, replaced through `&self` while requests are served.
//!
//! A load parses and validates the whole JWKS first (nothing changes on error: the previous
//! set stays in force), then writes the inactive buffer and publishes it by bumping the
//! generation. Readers copy the active buffer into their context and re-check the
//! generation (a sequence lock): a reader never sees a mix of two sets. Contexts keep their
//! copy until the generation changes, so the copy costs nothing on most requests.

use crate::error::{CapacityError, Error, MisuseError};
use crate::json::JsonLimits;
use crate::jwk::{self, JWK_WORDS, Jwk, KeySet, LoadReport};
use core::sync::atomic::{AtomicU32, Ordering, fence};

/// One key's storage.
#[repr(C)]
#[derive(Debug)]
pub struct KeySlot {
    w: [AtomicU32; JWK_WORDS],
}

impl KeySlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            w: [const { AtomicU32::new(0) }; JWK_WORDS],
        }
    }
}

impl Default for KeySlot {
    fn default() -> Self {
        Self::new()
    }
}

/// The control words of a shared key set: generation (odd while a writer fills the inactive
/// buffer), a writer lock, and each buffer's key count.
#[repr(C)]
#[derive(Debug, Default)]
pub struct KeyStoreHeader {
    generation: AtomicU32,
    writer: AtomicU32,
    len: [AtomicU32; 2],
    salt: AtomicU32,
}

impl KeyStoreHeader {
    /// Sets the store's salt (see [`KeyStoreView::set_salt`]).
    pub fn set_salt(&self, salt: u32) {
        self.salt.store(salt, Ordering::Release);
    }

    /// A fresh header (no keys, generation 0).
    pub const fn new() -> Self {
        Self {
            generation: AtomicU32::new(0),
            writer: AtomicU32::new(0),
            len: [const { AtomicU32::new(0) }; 2],
            salt: AtomicU32::new(0),
        }
    }
}

/// A shared key set with capacity `N` for Rust `static`s.
#[derive(Debug)]
pub struct KeyStore<const N: usize> {
    header: KeyStoreHeader,
    a: [KeySlot; N],
    b: [KeySlot; N],
}

impl<const N: usize> Default for KeyStore<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> KeyStore<N> {
    /// An empty store.
    pub const fn new() -> Self {
        Self {
            header: KeyStoreHeader::new(),
            a: [const { KeySlot::new() }; N],
            b: [const { KeySlot::new() }; N],
        }
    }

    /// A view of the store.
    pub fn view(&self) -> KeyStoreView<'_> {
        KeyStoreView {
            header: &self.header,
            bufs: [&self.a, &self.b],
        }
    }
}

/// Names one version of one shared key set: which store (its address in this process and a
/// per-store salt, so memory reused by another store is not mistaken for it) and which
/// generation. A context's key copy is valid only for the exact tag it was copied under —
/// never for another verifier that happens to be at the same generation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct KeySetTag {
    store: usize,
    salt: u32,
    generation: u32,
}

/// A borrowed shared key set (from a `static` or a caller region sized at run time).
#[derive(Copy, Clone, Debug)]
pub struct KeyStoreView<'s> {
    header: &'s KeyStoreHeader,
    bufs: [&'s [KeySlot]; 2],
}

const SPIN: u32 = 10_000;

impl<'s> KeyStoreView<'s> {
    /// Builds a view over two equally sized buffers.
    ///
    /// # Errors
    /// [`MisuseError::StorageSize`] if the buffers differ in size or are empty.
    pub fn new(
        header: &'s KeyStoreHeader,
        a: &'s [KeySlot],
        b: &'s [KeySlot],
    ) -> Result<Self, Error> {
        if a.len() != b.len() || a.is_empty() {
            return Err(MisuseError::StorageSize.into());
        }
        Ok(Self {
            header,
            bufs: [a, b],
        })
    }

    /// Capacity in keys.
    pub fn capacity(&self) -> usize {
        self.bufs[0].len()
    }

    /// The current generation (even when stable). Changes on every successful load.
    pub fn generation(&self) -> u32 {
        self.header.generation.load(Ordering::Acquire)
    }

    /// Sets the store's salt (e.g. from the host's random bytes when a region is initialised),
    /// which tells this store apart from another later placed in the same memory.
    pub fn set_salt(&self, salt: u32) {
        self.header.set_salt(salt);
    }

    fn tag(&self, generation: u32) -> KeySetTag {
        KeySetTag {
            store: core::ptr::from_ref(self.header) as usize,
            salt: self.header.salt.load(Ordering::Acquire),
            generation,
        }
    }

    /// The tag of the current stable version of this store.
    pub fn current_tag(&self) -> KeySetTag {
        self.tag(self.generation() & !1)
    }

    /// Replaces the key set with the keys of `json`. On any error nothing changes.
    ///
    /// # Errors
    /// JSON and [`crate::error::JwkError`]s, [`CapacityError::KeySetFull`], or
    /// [`CapacityError::SharedStateBusy`] if another load is in progress.
    pub fn load(&self, json: &[u8], limits: &JsonLimits) -> Result<LoadReport, Error> {
        self.load_with(json, limits, |_, _, _| {})
    }

    /// As [`KeyStoreView::load`], calling `on_key(buffer, index, key)` for every slot of the
    /// buffer being filled (`None` past the last key) before the new set is published: what
    /// is derived from the keys (e.g. [`crate::keytables`]) is in place when readers see them.
    ///
    /// # Errors
    /// As [`KeyStoreView::load`].
    pub fn load_with(
        &self,
        json: &[u8],
        limits: &JsonLimits,
        on_key: impl FnMut(usize, usize, Option<&Jwk>),
    ) -> Result<LoadReport, Error> {
        let cap = self.capacity();
        jwk::for_each_key(json, limits, |i, _| {
            if i >= cap {
                Err(CapacityError::KeySetFull.into())
            } else {
                Ok(())
            }
        })?;
        if self
            .header
            .writer
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(CapacityError::SharedStateBusy.into());
        }
        let r = self.write_locked(json, limits, on_key);
        self.header.writer.store(0, Ordering::Release);
        r
    }

    fn write_locked(
        &self,
        json: &[u8],
        limits: &JsonLimits,
        mut on_key: impl FnMut(usize, usize, Option<&Jwk>),
    ) -> Result<LoadReport, Error> {
        let g = self.header.generation.load(Ordering::Relaxed) & !1;
        let target = ((g >> 1) as usize + 1) & 1;
        let buf = *self.bufs.get(target).ok_or(MisuseError::StorageSize)?;
        self.header.generation.store(g | 1, Ordering::Relaxed);
        fence(Ordering::Release);
        let report = jwk::for_each_key(json, limits, |i, k| {
            let slot = buf.get(i).ok_or(CapacityError::KeySetFull)?;
            for (d, s) in slot.w.iter().zip(k.to_words()) {
                d.store(s, Ordering::Relaxed);
            }
            on_key(target, i, Some(&k));
            Ok(())
        });
        match report {
            Ok(r) => {
                for i in r.loaded..buf.len() {
                    on_key(target, i, None);
                }
                let len = self
                    .header
                    .len
                    .get(target)
                    .ok_or(MisuseError::StorageSize)?;
                len.store(u32::try_from(r.loaded).unwrap_or(0), Ordering::Relaxed);
                self.header
                    .generation
                    .store(g.wrapping_add(2), Ordering::Release);
                Ok(r)
            }
            Err(e) => {
                // Unreachable in practice (pass 1 validated the same bytes); keep the old set.
                self.header.generation.store(g, Ordering::Release);
                Err(e)
            }
        }
    }

    /// Copies the active set into `local` unless `local_tag` already names this store's
    /// current version. Returns the tag copied (or kept).
    ///
    /// # Errors
    /// [`CapacityError::SharedStateBusy`] if writers kept changing the set for the whole bounded
    /// retry (fails closed).
    pub fn refresh<const N: usize>(
        &self,
        local: &mut KeySet<N>,
        local_tag: &mut Option<KeySetTag>,
    ) -> Result<KeySetTag, Error> {
        for _ in 0..SPIN {
            let g1 = self.header.generation.load(Ordering::Acquire);
            let stable = g1 & !1;
            let tag = self.tag(stable);
            if *local_tag == Some(tag) {
                return Ok(tag);
            }
            let idx = ((g1 >> 1) & 1) as usize;
            let buf = *self.bufs.get(idx).ok_or(MisuseError::StorageSize)?;
            let n = self
                .header
                .len
                .get(idx)
                .map_or(0, |l| l.load(Ordering::Relaxed) as usize)
                .min(buf.len())
                .min(N);
            let mut ok = true;
            local.set_from(buf.iter().take(n).filter_map(|slot| {
                let mut w = [0u32; JWK_WORDS];
                for (d, s) in w.iter_mut().zip(slot.w.iter()) {
                    *d = s.load(Ordering::Relaxed);
                }
                let k = Jwk::from_words(&w);
                ok &= k.is_some();
                k
            }));
            fence(Ordering::Acquire);
            let g2 = self.header.generation.load(Ordering::Relaxed);
            if ok && g2.wrapping_sub(stable) <= 2 {
                *local_tag = Some(tag);
                return Ok(tag);
            }
            core::hint::spin_loop();
        }
        *local_tag = None;
        Err(CapacityError::SharedStateBusy.into())
    }
}
