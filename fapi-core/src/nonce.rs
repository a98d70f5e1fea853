//! Server-issued DPoP nonces (RFC 9449 §8, §9) that need no shared state.
//!
//! `nonce = base64url(HMAC-SHA256(secret, "fapi-dpop-nonce-v1" ‖ slot))`, where
//! `slot = now / slot_seconds` as 8 big-endian bytes. Any instance holding the secret can
//! issue and check nonces; slots `s−1`, `s`, `s+1` are accepted (clock skew across a fleet),
//! and after a rotation the previous secret stays valid for one slot. Comparison is constant
//! time. Secrets live in atomic words so a shared verifier can rotate them through `&self`.

use crate::b64;
use crate::error::{DpopError, Error, MisuseError};
use crate::seqlock::SeqWords;
use crate::sha::Sha256;
use crate::time::div_rem_u32;
use core::num::NonZeroU32;
use subtle::ConstantTimeEq;

type Secrets = ([u8; 32], Option<([u8; 32], u64)>);

/// Length of a nonce in characters (base64url of 32 bytes).
pub const NONCE_LEN: usize = 43;
/// Shortest secret accepted.
pub const MIN_SECRET_LEN: usize = 32;
const TAG: &[u8] = b"fapi-dpop-nonce-v1";

/// Words of [`NonceKeys`]: current secret (8), previous secret (8), rotated-at (1), flags (1).
const WORDS: usize = 18;

/// The nonce secrets of a verifier: plain atomic words, safe to share between threads and
/// processes; rotated through `&self`.
#[repr(C)]
#[derive(Debug)]
pub struct NonceKeys {
    words: SeqWords<WORDS>,
}

impl Default for NonceKeys {
    fn default() -> Self {
        Self::new()
    }
}

/// A nonce, as text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// The nonce text (to send as `DPoP-Nonce`).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
    /// The nonce bytes.
    pub fn as_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.0
    }
}

/// The slot length in seconds (0 counts as 1).
fn slot_len(slot_seconds: u32) -> NonZeroU32 {
    NonZeroU32::new(slot_seconds).unwrap_or(NonZeroU32::MIN)
}

/// HMAC-SHA256 (RFC 2104) of `TAG ‖ slot` under the 32-byte `secret`: the key, shorter than
/// SHA-256's 64-byte block, is zero-padded to it. Written on [`Sha256`] rather than with the
/// `hmac` crate so that a firmware links one SHA-256 (a test compares it with `hmac`).
fn mac(secret: &[u8; 32], slot: u64) -> [u8; 32] {
    const IPAD: u8 = 0x36;
    const OPAD: u8 = 0x5C;
    let mut pad = [IPAD; 64];
    for (p, k) in pad.iter_mut().zip(secret) {
        *p ^= k;
    }
    let inner = Sha256::new()
        .chain_update(pad)
        .chain_update(TAG)
        .chain_update(slot.to_be_bytes())
        .finalize();
    for p in &mut pad {
        *p ^= IPAD ^ OPAD;
    }
    Sha256::new()
        .chain_update(pad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn encode(tag: &[u8; 32]) -> Nonce {
    let mut out = [0u8; NONCE_LEN];
    let _ = b64::encode(tag, &mut out);
    Nonce(out)
}

impl NonceKeys {
    /// No secret set: nonces cannot be issued or checked until [`NonceKeys::set_secret`].
    pub const fn new() -> Self {
        Self {
            words: SeqWords::new(),
        }
    }

    /// Installs `secret` (first use) or rotates to it, keeping the previous secret valid for
    /// one slot from `now`. Only the first 32 bytes' worth of entropy is needed; longer
    /// secrets are hashed down.
    ///
    /// # Errors
    /// [`MisuseError::NonceSecretTooShort`] below 32 bytes.
    pub fn set_secret(&self, secret: &[u8], now: u64) -> Result<(), Error> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(MisuseError::NonceSecretTooShort.into());
        }
        let key: [u8; 32] = if secret.len() == 32 {
            let mut k = [0u8; 32];
            k.copy_from_slice(secret);
            k
        } else {
            Sha256::digest(secret).into()
        };
        let mut w = self.words.read();
        let had = w.get(17).copied().unwrap_or(0) & 1 == 1;
        // previous := current (if any), current := key
        for i in 0..8 {
            let cur = w.get(i).copied().unwrap_or(0);
            if let Some(p) = w.get_mut(8 + i) {
                *p = if had { cur } else { 0 };
            }
            let chunk = key.get(i * 4..i * 4 + 4).unwrap_or(&[0; 4]);
            if let Some(c) = w.get_mut(i) {
                *c = u32::from_le_bytes([
                    chunk.first().copied().unwrap_or(0),
                    chunk.get(1).copied().unwrap_or(0),
                    chunk.get(2).copied().unwrap_or(0),
                    chunk.get(3).copied().unwrap_or(0),
                ]);
            }
        }
        if let Some(r) = w.get_mut(16) {
            *r = u32::try_from(now).unwrap_or(u32::MAX);
        }
        if let Some(f) = w.get_mut(17) {
            *f = 1 | if had { 2 } else { 0 };
        }
        self.words.write(&w)
    }

    /// Current secret, and the previous one with its rotation time.
    fn snapshot(&self) -> Option<Secrets> {
        let w = self.words.read();
        let flags = w.get(17).copied().unwrap_or(0);
        if flags & 1 == 0 {
            return None;
        }
        let key_at = |base: usize| {
            let mut k = [0u8; 32];
            for (i, c) in k.chunks_exact_mut(4).enumerate() {
                c.copy_from_slice(&w.get(base + i).copied().unwrap_or(0).to_le_bytes());
            }
            k
        };
        let prev =
            (flags & 2 != 0).then(|| (key_at(8), u64::from(w.get(16).copied().unwrap_or(0))));
        Some((key_at(0), prev))
    }

    /// The nonce to send now (as `DPoP-Nonce` on challenges and, optionally, on successes).
    /// `None` until a secret is set.
    pub fn current(&self, now: u64, slot_seconds: u32) -> Option<Nonce> {
        let (cur, _) = self.snapshot()?;
        Some(encode(&mac(
            &cur,
            div_rem_u32(now, slot_len(slot_seconds)).0,
        )))
    }

    /// Checks a nonce received in a proof.
    ///
    /// # Errors
    /// [`DpopError::NonceInvalid`] unless it is the current secret's nonce for slot `s−1`, `s`
    /// or `s+1`, or the previous secret's within one slot of its rotation.
    pub fn check(&self, nonce: &[u8], now: u64, slot_seconds: u32) -> Result<(), Error> {
        let bad = Error::Dpop(DpopError::NonceInvalid);
        let (cur, prev) = self.snapshot().ok_or(bad)?;
        let len = slot_len(slot_seconds);
        let s = div_rem_u32(now, len).0;
        let len = u64::from(len.get());
        let mut ok = subtle::Choice::from(0u8);
        for slot in [s.saturating_sub(1), s, s.saturating_add(1)] {
            ok |= encode(&mac(&cur, slot)).0.as_slice().ct_eq(nonce);
            if let Some((p, rotated_at)) = prev
                && now < rotated_at.saturating_add(len)
            {
                ok |= encode(&mac(&p, slot)).0.as_slice().ct_eq(nonce);
            }
        }
        if bool::from(ok) { Ok(()) } else { Err(bad) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};

    #[test]
    fn mac_is_hmac_sha256() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..200u64 {
            let mut secret = [0u8; 32];
            for b in &mut secret {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            let slot = if i < 4 {
                [0, 1, u64::MAX, 1 << 32][i as usize]
            } else {
                x
            };
            let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&secret).unwrap();
            m.update(TAG);
            m.update(&slot.to_be_bytes());
            let want: [u8; 32] = m.finalize().into_bytes().into();
            assert_eq!(mac(&secret, slot), want, "{i}");
        }
    }
}
