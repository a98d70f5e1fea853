//! A tiny sequence lock over atomic words: one writer at a time (others fail, never wait),
//! readers retry a bounded number of times. Used for small shared settings (nonce secrets).

use crate::error::{CapacityError, Error};
use core::sync::atomic::{AtomicU32, Ordering, fence};

/// Bounded retries for readers and for the writer's lock.
pub(crate) const SPIN_LIMIT: u32 = 10_000;

/// `N` data words guarded by a sequence word (odd while being written).
#[repr(C)]
#[derive(Debug)]
pub(crate) struct SeqWords<const N: usize> {
    seq: AtomicU32,
    data: [AtomicU32; N],
}

impl<const N: usize> SeqWords<N> {
    pub(crate) const fn new() -> Self {
        Self {
            seq: AtomicU32::new(0),
            data: [const { AtomicU32::new(0) }; N],
        }
    }

    /// A consistent copy of the words (zeros if a writer never finishes within the bound —
    /// then every check that depends on them fails closed).
    pub(crate) fn read(&self) -> [u32; N] {
        let mut out = [0u32; N];
        for _ in 0..SPIN_LIMIT {
            let s1 = self.seq.load(Ordering::Acquire);
            if s1 & 1 == 1 {
                core::hint::spin_loop();
                continue;
            }
            for (o, d) in out.iter_mut().zip(self.data.iter()) {
                *o = d.load(Ordering::Relaxed);
            }
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == s1 {
                return out;
            }
        }
        [0u32; N]
    }

    /// Replaces the words.
    ///
    /// # Errors
    /// [`CapacityError::SharedStateBusy`] if another writer holds the lock.
    pub(crate) fn write(&self, words: &[u32; N]) -> Result<(), Error> {
        let s = self.seq.load(Ordering::Relaxed);
        if s & 1 == 1
            || self
                .seq
                .compare_exchange(s, s.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return Err(CapacityError::SharedStateBusy.into());
        }
        fence(Ordering::Release);
        for (d, w) in self.data.iter().zip(words.iter()) {
            d.store(*w, Ordering::Relaxed);
        }
        self.seq.store(s.wrapping_add(2), Ordering::Release);
        Ok(())
    }
}
