//! SHA-256 for fapi-core's own hashing: sha2's `Sha256` behind non-generic functions.
//!
//! On 32-bit targets each start, update and finalisation is one call, instead of sha2's
//! block-buffer code inlined at every site (about fifty in a resource-server decision: 3.9 KB
//! of Cortex-M flash, examples/firmware/README.md). 64-bit targets keep sha2's inlining.

use sha2::Digest;

/// A SHA-256 digest: 32 bytes (`.into()` gives a `[u8; 32]`).
pub(crate) type Output = sha2::digest::Output<sha2::Sha256>;

/// An incremental SHA-256 (FIPS 180-4).
#[derive(Clone, Default)]
pub(crate) struct Sha256(sha2::Sha256);

impl Sha256 {
    /// A fresh hash.
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn new() -> Self {
        Self(sha2::Sha256::new())
    }

    /// Absorbs `data`.
    #[inline]
    pub(crate) fn update(&mut self, data: impl AsRef<[u8]>) {
        self.update_bytes(data.as_ref());
    }

    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn update_bytes(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// Absorbs `data` (builder form).
    #[inline]
    pub(crate) fn chain_update(mut self, data: impl AsRef<[u8]>) -> Self {
        self.update_bytes(data.as_ref());
        self
    }

    /// The digest (sha2's output array, as `sha2::Sha256` returns it).
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn finalize(self) -> Output {
        self.0.finalize()
    }

    /// The digest of `data`.
    #[inline]
    pub(crate) fn digest(data: impl AsRef<[u8]>) -> Output {
        Self::new().chain_update(data).finalize()
    }
}
