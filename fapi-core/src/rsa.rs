//! RSA signature verification for JWS `RS256` (RSASSA-PKCS1-v1_5, RFC 8017 §8.2.2) and `PS256`
//! (RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-octet salt, RFC 7518 §3.5, RFC 8017 §8.1.2),
//! without allocation.
//!
//! Keys are plain data ([`PublicKey`]): a big-endian modulus of 2048 to 4096 bits and an odd
//! public exponent of at least 3 that fits 32 bits. The modular exponentiation uses
//! `crypto-bigint` fixed-size integers, dispatched on the modulus size to `U2048` (moduli up to
//! 2048 bits) or `U4096` (longer ones: a separate `U3072` path would cost 7 KB of Cortex-M
//! flash for the rare 3072-bit key, which runs in `U4096` about 1.8× slower than it could), in Montgomery form with a left-to-right square-and-multiply over the exponent's bits
//! (for e = 65537: 16 squarings and one multiplication). Everything here is public data, so
//! nothing needs to run in constant time.
//!
//! The large buffers (the recovered encoded message, and the expected PKCS#1 encoding or the
//! PSS `DB`) live in a caller-owned [`RsaScratch`] rather than on the stack. The integers of the exponentiation are
//! `crypto-bigint` values on the stack; their footprint is documented at [`RsaScratch`].
//!
//! Verification answers only `true` or `false`: every failure (wrong length, signature not
//! below the modulus, any padding defect, digest mismatch) is the same opaque refusal.

use crate::error::{Error, JwkError};
use crate::sha::Sha256;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{MontyForm, MontyMultiplier, Odd, U2048, U4096, Uint, Word};

/// Smallest accepted modulus, in bits.
pub const MIN_MODULUS_BITS: usize = 2048;
/// Largest accepted modulus, in bits.
pub const MAX_MODULUS_BITS: usize = 4096;
/// Largest modulus (and signature) in octets.
pub const MAX_MODULUS_LEN: usize = MAX_MODULUS_BITS / 8;

/// SHA-256 output length (`hLen`).
const HASH_LEN: usize = 32;
/// PS256 salt length (`sLen`), fixed by RFC 7518 §3.5.
const SALT_LEN: usize = 32;

/// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }` up to
/// the digest (RFC 8017 §9.2 note 1). The form without the NULL parameter is not accepted.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// An RSA public key, plain data with no pointers (a `static`, a key-set slot or shared words).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// The modulus, big-endian, in the first `n_len` octets.
    n: [u8; MAX_MODULUS_LEN],
    n_len: u16,
    e: u32,
}

impl PublicKey {
    /// Checks and copies a public key given as big-endian octets (the decoded JWK `n` and `e`).
    ///
    /// The modulus must have no leading zero octet (RFC 7518 §6.3.1.1), be odd, and have 2048
    /// to 4096 significant bits (a 2047-bit modulus is refused). The exponent must be odd, at
    /// least 3, at most 4 octets, and have no leading zero octet (RFC 7518 §6.3.1.2).
    ///
    /// # Errors
    /// [`JwkError::RsaModulusLeadingZero`], [`JwkError::RsaModulusSize`],
    /// [`JwkError::RsaModulusEven`], [`JwkError::RsaExponent`] — checked in that order.
    pub fn from_be(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let Some((&top, _)) = n.split_first() else {
            return Err(JwkError::RsaModulusSize.into());
        };
        if top == 0 {
            return Err(JwkError::RsaModulusLeadingZero.into());
        }
        // Significant bits; `top` is non-zero, so this does not underflow.
        let bits = n.len().saturating_mul(8) - top.leading_zeros() as usize;
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) {
            return Err(JwkError::RsaModulusSize.into());
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(JwkError::RsaModulusEven.into());
        }
        let e = match e {
            [] | [0, ..] | [_, _, _, _, _, ..] => return Err(JwkError::RsaExponent.into()),
            bytes => bytes.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)),
        };
        if e < 3 || e & 1 == 0 {
            return Err(JwkError::RsaExponent.into());
        }
        let mut key = Self {
            n: [0; MAX_MODULUS_LEN],
            n_len: u16::try_from(n.len()).map_err(|_| JwkError::RsaModulusSize)?,
            e,
        };
        key.n
            .get_mut(..n.len())
            .ok_or(JwkError::RsaModulusSize)?
            .copy_from_slice(n);
        Ok(key)
    }

    /// The modulus, big-endian without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        self.n.get(..usize::from(self.n_len)).unwrap_or(&[])
    }

    /// The public exponent.
    pub fn exponent(&self) -> u32 {
        self.e
    }

    /// The modulus length in octets: the exact length of every signature under this key.
    pub fn len(&self) -> usize {
        usize::from(self.n_len)
    }

    /// Always `false`: a checked key has a modulus of at least 256 octets.
    pub fn is_empty(&self) -> bool {
        self.n_len == 0
    }

    /// The modulus length in bits (2048 to 4096).
    pub fn bits(&self) -> usize {
        let top = self.modulus().first().copied().unwrap_or(0);
        self.len().saturating_mul(8) - top.leading_zeros() as usize
    }

    /// The RFC 7638 SHA-256 thumbprint (`{"e":…,"kty":"RSA","n":…}`), via
    /// [`crate::jwk::thumbprint_rsa`].
    pub fn thumbprint(&self) -> [u8; 32] {
        let e = self.e.to_be_bytes();
        let skip = e.iter().take_while(|&&b| b == 0).count();
        crate::jwk::thumbprint_rsa(self.modulus(), e.get(skip..).unwrap_or(&[]))
    }
}

/// Caller-owned working memory for RSA verification: two 512-octet buffers (the encoded
/// message recovered from the signature, and the expected PKCS#1 v1.5 encoding or, for PSS,
/// `DB`) so neither lands on the stack, and the Montgomery parameters of the last modulus
/// verified with it (see [`RsaScratch::SIZE`]). One per thread (or per call).
///
/// The parameters (`R mod n`, `R² mod n`, `−n⁻¹ mod 2^w`) cost a long division and a wide
/// squaring, about a sixth of a 2048-bit verification. An access token's issuer key comes back
/// with every request, so they are kept for the last modulus and rebuilt only when the next
/// key differs (its full modulus is compared: nothing stale can be used). Everything in them
/// is public.
///
/// The exponentiation's integers (`crypto-bigint` `Uint`s and `crypto-bigint`'s own
/// temporaries) stay on the stack, sized by the modulus in use: only the matching
/// `U2048`/`U4096` path runs. Peak stack measured on a Cortex-M4 under QEMU by
/// `scripts/firmware-rsa-stack.sh` (budgets in `examples/firmware/README.md`); on x86-64 the
/// smallest thread stack that runs one verification is printed by
/// `cargo bench -p fapi-tests --bench rsa`.
#[derive(Clone, Debug)]
pub struct RsaScratch {
    em: [u8; MAX_MODULUS_LEN],
    expected: [u8; MAX_MODULUS_LEN],
    params: MontyCache,
}

impl Default for RsaScratch {
    fn default() -> Self {
        Self::new()
    }
}

impl RsaScratch {
    /// Size in bytes: the two buffers (1,024) plus the parameter cache, whose largest member
    /// (4096 bits: modulus, `R`, `R²` and the word inverse) is about 1.5 KiB.
    pub const SIZE: usize = core::mem::size_of::<Self>();

    /// Empty scratch (usable in `static` initialisers).
    pub const fn new() -> Self {
        Self {
            em: [0; MAX_MODULUS_LEN],
            expected: [0; MAX_MODULUS_LEN],
            params: MontyCache::Empty,
        }
    }
}

/// The Montgomery parameters of one modulus, of whichever size was verified last.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one slot in caller memory, sized by its largest member on purpose"
)]
enum MontyCache {
    Empty,
    B2048(FixedMontyParams<{ U2048::LIMBS }>),
    B4096(FixedMontyParams<{ U4096::LIMBS }>),
}

/// Moves one size's parameters into and out of the [`MontyCache`].
trait Cached: Sized {
    fn get(cache: &MontyCache) -> Option<&Self>;
    fn into_cache(self) -> MontyCache;
}

macro_rules! cached {
    ($($variant:ident: $uint:ty),*) => {$(
        impl Cached for FixedMontyParams<{ <$uint>::LIMBS }> {
            fn get(cache: &MontyCache) -> Option<&Self> {
                match cache {
                    MontyCache::$variant(p) => Some(p),
                    _ => None,
                }
            }
            fn into_cache(self) -> MontyCache {
                MontyCache::$variant(self)
            }
        }
    )*};
}
cached!(B2048: U2048, B4096: U4096);

/// Octets per `crypto-bigint` word on this target (8 on 64-bit hosts, 4 on Cortex-M).
const WORD_BYTES: usize = Word::BITS as usize / 8;

/// A big-endian octet string as a `Uint<L>`, or `None` if it does not fit.
fn uint_from_be<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    let mut words: [Word; L] = [0; L];
    let mut chunks = bytes.rchunks(WORD_BYTES);
    for (w, c) in words.iter_mut().zip(&mut chunks) {
        *w = c.iter().fold(0, |a: Word, &b| a << 8 | Word::from(b));
    }
    if chunks.next().is_some() {
        return None;
    }
    Some(Uint::from_words(words))
}

/// Writes `x` big-endian into all of `out`; `false` if `x` does not fit.
fn uint_to_be<const L: usize>(x: &Uint<L>, out: &mut [u8]) -> bool {
    let mut words = x.as_words().iter();
    for (c, w) in out.rchunks_mut(WORD_BYTES).zip(&mut words) {
        let b = w.to_be_bytes();
        let Some(tail) = b.len().checked_sub(c.len()).and_then(|s| b.get(s..)) else {
            return false;
        };
        // A short leading chunk must not drop significant octets.
        let head = b.get(..b.len() - tail.len()).unwrap_or(&[]);
        if head.iter().any(|&o| o != 0) {
            return false;
        }
        c.copy_from_slice(tail);
    }
    words.all(|&w| w == 0)
}

/// RSAVP1 (RFC 8017 §5.2.2) with `L`-limb integers: `out = s^e mod n`, big-endian, padded
/// to `out.len()` octets. `s` must already be known to be below `n`.
///
/// Never inlined, so that each size's stack frame is paid only by keys of that size (inlined
/// into one caller, the three sizes' frames added up to 8.9 KB on thumbv7em).
#[inline(never)]
fn rsavp1<const L: usize>(
    n: &[u8],
    e: u32,
    s: &[u8],
    out: &mut [u8],
    cache: &mut MontyCache,
) -> bool
where
    FixedMontyParams<L>: Cached,
{
    let (Some(n), Some(s)) = (uint_from_be::<L>(n), uint_from_be::<L>(s)) else {
        return false;
    };
    let Some(n) = Odd::new(n).into_option() else {
        return false;
    };
    // Reuse the cached parameters only for exactly this modulus.
    // Built in this frame: in a frame of its own (never inlined) the build alone peaked
    // higher (20.9 KB at 4096 bits on a Cortex-M4) than this frame with it (17.2 KB).
    if FixedMontyParams::<L>::get(cache).is_none_or(|p| p.modulus().as_ref() != n.as_ref()) {
        *cache = FixedMontyParams::new_vartime(n).into_cache();
    }
    let Some(params) = FixedMontyParams::<L>::get(cache) else {
        return false;
    };
    let base = FixedMontyForm::new(&s, params);
    // Left-to-right square-and-multiply over e's bits below the top one, in place (the
    // multiplier borrows the parameters instead of copying them into every temporary).
    let mut mm = <FixedMontyForm<L> as MontyForm>::Multiplier::from(params);
    let mut acc = base;
    let bits = u32::BITS - e.leading_zeros();
    for i in (0..bits.saturating_sub(1)).rev() {
        mm.square_assign(&mut acc);
        if (e >> i) & 1 == 1 {
            mm.mul_assign(&mut acc, &base);
        }
    }
    uint_to_be(&acc.retrieve(), out)
}

/// Checks the signature's length and range and writes `s^e mod n` as `k` octets into the front
/// of `em`; returns that slice.
fn recover<'s>(
    key: &PublicKey,
    sig: &[u8],
    em: &'s mut [u8; MAX_MODULUS_LEN],
    cache: &mut MontyCache,
) -> Option<&'s [u8]> {
    let n = key.modulus();
    let k = n.len();
    // The signature is exactly k octets (RFC 8017 §8.1.2 step 1, §8.2.2 step 1) and, as an
    // integer, below n (§5.2.2 step 1). Equal lengths make byte order the integer order.
    if sig.len() != k || sig >= n {
        return None;
    }
    let out = em.get_mut(..k)?;
    let ok = if k <= U2048::BYTES {
        rsavp1::<{ U2048::LIMBS }>(n, key.e, sig, out, cache)
    } else {
        rsavp1::<{ U4096::LIMBS }>(n, key.e, sig, out, cache)
    };
    if ok { Some(out) } else { None }
}

/// Verifies an `RS256` signature: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2) over the
/// message whose SHA-256 is `digest`.
///
/// The recovered encoded message must equal, octet for octet, the one complete expected
/// encoding `00 01 FF…FF 00 ‖ DigestInfo(sha256, NULL) ‖ digest` (§9.2); the DigestInfo without
/// the NULL parameter is refused. `sig` must be exactly as long as the modulus.
pub fn verify_pkcs1v15_sha256(
    key: &PublicKey,
    digest: &[u8; 32],
    sig: &[u8],
    scratch: &mut RsaScratch,
) -> bool {
    let RsaScratch {
        em,
        expected,
        params,
    } = scratch;
    let Some(em) = recover(key, sig, em, params) else {
        return false;
    };
    let k = em.len();
    let Some(want) = expected.get_mut(..k) else {
        return false;
    };
    // EM = 0x00 ‖ 0x01 ‖ PS (k − 3 − tLen octets of 0xFF, at least 8) ‖ 0x00 ‖ T.
    let t_len = SHA256_DIGEST_INFO.len() + HASH_LEN;
    let Some(ps_len) = k.checked_sub(3 + t_len).filter(|&l| l >= 8) else {
        return false;
    };
    let Some((head, rest)) = want.split_at_mut_checked(2) else {
        return false;
    };
    head.copy_from_slice(&[0x00, 0x01]);
    let Some((ps, rest)) = rest.split_at_mut_checked(ps_len) else {
        return false;
    };
    ps.fill(0xFF);
    let Some((sep, t)) = rest.split_at_mut_checked(1) else {
        return false;
    };
    sep.fill(0x00);
    let Some((info, h)) = t.split_at_mut_checked(SHA256_DIGEST_INFO.len()) else {
        return false;
    };
    info.copy_from_slice(&SHA256_DIGEST_INFO);
    if h.len() != HASH_LEN {
        return false;
    }
    h.copy_from_slice(digest);
    em == &*want
}

/// Verifies a `PS256` signature: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a salt of exactly
/// 32 octets (RFC 7518 §3.5) over the message whose SHA-256 is `digest`, per RFC 8017 §8.1.2
/// and EMSA-PSS-VERIFY (§9.1.2) in full: `emBits = modBits − 1`, `emLen = ⌈emBits / 8⌉` (one
/// octet less than the modulus when `modBits ≡ 1 (mod 8)`, whose recovered top octet must
/// then be zero), the `0xbc` trailer, the unused leftmost bits of `maskedDB` zero, `DB` =
/// zeros ‖ `0x01` ‖ salt, and `H = SHA-256(0x00×8 ‖ digest ‖ salt)`. Any other salt length
/// is refused. `sig` must be exactly as long as the modulus.
pub fn verify_pss_sha256(
    key: &PublicKey,
    digest: &[u8; 32],
    sig: &[u8],
    scratch: &mut RsaScratch,
) -> bool {
    let mod_bits = key.bits();
    let Some(em) = recover(key, sig, &mut scratch.em, &mut scratch.params) else {
        return false;
    };
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    // I2OSP(m, emLen) (§8.1.2 step 2c): with k = emLen + 1 the top octet must be zero.
    let Some((top, em)) = em.split_at_checked(em.len() - em_len) else {
        return false;
    };
    if top.iter().any(|&b| b != 0) {
        return false;
    }
    emsa_pss_verify(digest, em, em_bits, &mut scratch.expected)
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) for SHA-256, MGF1-SHA-256, sLen = 32. `db_buf` is
/// scratch for `DB`.
fn emsa_pss_verify(
    m_hash: &[u8; 32],
    em: &[u8],
    em_bits: usize,
    db_buf: &mut [u8; MAX_MODULUS_LEN],
) -> bool {
    let em_len = em.len();
    // Step 3.
    if em_len < HASH_LEN + SALT_LEN + 2 {
        return false;
    }
    // Step 4: the rightmost octet is 0xbc.
    let Some((&trailer, em)) = em.split_last() else {
        return false;
    };
    if trailer != 0xbc {
        return false;
    }
    // Step 5: maskedDB ‖ H.
    let db_len = em_len - HASH_LEN - 1;
    let Some((masked_db, h)) = em.split_at_checked(db_len) else {
        return false;
    };
    // Step 6: the leftmost 8·emLen − emBits bits of maskedDB are zero.
    let unused = 8 * em_len - em_bits;
    let top_mask = 0xFFu8.checked_shr(unused as u32).unwrap_or(0);
    if masked_db.first().is_none_or(|&b| b & !top_mask != 0) {
        return false;
    }
    // Steps 7–8: DB = maskedDB ⊕ MGF1(H, emLen − hLen − 1).
    let Some(db) = db_buf.get_mut(..db_len) else {
        return false;
    };
    db.copy_from_slice(masked_db);
    for (counter, block) in (0u32..).zip(db.chunks_mut(HASH_LEN)) {
        let mask = Sha256::new()
            .chain_update(h)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for (d, m) in block.iter_mut().zip(mask.iter()) {
            *d ^= m;
        }
    }
    // Step 9: clear the unused leftmost bits.
    if let Some(b) = db.first_mut() {
        *b &= top_mask;
    }
    // Step 10: DB = 0x00 × (emLen − hLen − sLen − 2) ‖ 0x01 ‖ salt.
    let Some((pad, rest)) = db.split_at_checked(em_len - HASH_LEN - SALT_LEN - 2) else {
        return false;
    };
    if pad.iter().any(|&b| b != 0) {
        return false;
    }
    let Some((&one, salt)) = rest.split_first() else {
        return false;
    };
    if one != 0x01 || salt.len() != SALT_LEN {
        return false;
    }
    // Steps 12–14: H' = SHA-256(0x00 × 8 ‖ mHash ‖ salt) equals H.
    let h2 = Sha256::new()
        .chain_update([0u8; 8])
        .chain_update(m_hash)
        .chain_update(salt)
        .finalize();
    h2.as_slice() == h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modulus(bits: usize) -> [u8; MAX_MODULUS_LEN] {
        let mut n = [0xFFu8; MAX_MODULUS_LEN];
        let len = bits.div_ceil(8);
        n[0] = (0xFFu16 >> (len * 8 - bits)) as u8;
        n
    }

    fn key_err(n: &[u8], e: &[u8]) -> Option<JwkError> {
        match PublicKey::from_be(n, e) {
            Ok(_) => None,
            Err(Error::Jwk(j)) => Some(j),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn key_sizes() {
        for bits in [2048, 2049, 2055, 3071, 3072, 3073, 4095, 4096] {
            let n = modulus(bits);
            let len = bits.div_ceil(8);
            let k = PublicKey::from_be(&n[..len], &[1, 0, 1]).unwrap();
            assert_eq!(k.bits(), bits);
            assert_eq!(k.len(), len);
            assert_eq!(k.exponent(), 65537);
            assert_eq!(k.modulus(), &n[..len]);
        }
        let mut n1024 = [0xFFu8; 128];
        n1024[0] = 0xC0;
        let mut n2047 = [0xFFu8; 256];
        n2047[0] = 0x7F;
        let mut n4097 = [0xFFu8; 513];
        n4097[0] = 0x01;
        for n in [&n1024[..], &n2047, &n4097] {
            assert_eq!(key_err(n, &[3]), Some(JwkError::RsaModulusSize));
        }
        assert_eq!(key_err(&[], &[3]), Some(JwkError::RsaModulusSize));
    }

    #[test]
    fn key_refusals() {
        let n = modulus(2048);
        let mut lz = [0u8; 257];
        lz[1..].copy_from_slice(&n[..256]);
        assert_eq!(key_err(&lz, &[3]), Some(JwkError::RsaModulusLeadingZero));
        let mut even = n;
        even[255] = 0xFE;
        assert_eq!(key_err(&even[..256], &[3]), Some(JwkError::RsaModulusEven));
        for e in [
            &[][..],
            &[1],
            &[2],
            &[0, 3],
            &[1, 0, 0],
            &[1, 0, 0, 0, 1],
            &[0xFF, 0xFF, 0xFF, 0xFE],
        ] {
            assert_eq!(key_err(&n[..256], e), Some(JwkError::RsaExponent), "{e:?}");
        }
        for (e, v) in [
            (&[3][..], 3),
            (&[1, 0, 1], 65537),
            (&[0xFF, 0xFF, 0xFF, 0xFF], u32::MAX),
        ] {
            assert_eq!(PublicKey::from_be(&n[..256], e).unwrap().exponent(), v);
        }
    }

    #[test]
    fn word_conversions_round_trip() {
        let bytes: [u8; 13] = core::array::from_fn(|i| i as u8 + 1);
        let x = uint_from_be::<{ U2048::LIMBS }>(&bytes).unwrap();
        let mut out = [0u8; 13];
        assert!(uint_to_be(&x, &mut out));
        assert_eq!(out, bytes);
        let mut short = [0u8; 12];
        assert!(!uint_to_be(&x, &mut short));
        assert!(uint_from_be::<{ U2048::LIMBS }>(&[1u8; 257]).is_none());
    }

    #[test]
    fn exponentiation_matches_small_cases() {
        // n = 2^2048 − 159 is odd; (n − 1)^e = −1 for odd e, (n−1)^2... via e = 3: 2^3 = 8.
        let mut n = [0xFFu8; 256];
        n[255] = 0x61;
        let mut s = [0u8; 256];
        s[255] = 2;
        let mut out = [0u8; 256];
        let mut cache = MontyCache::Empty;
        for (e, want) in [(3u32, 8u64), (5, 32), (65537, 0)] {
            assert!(rsavp1::<{ U2048::LIMBS }>(&n, e, &s, &mut out, &mut cache));
            if want != 0 {
                assert_eq!(out[248..], want.to_be_bytes());
                assert!(out[..248].iter().all(|&b| b == 0));
            }
        }
        // (n − 1)^65537 = n − 1.
        let mut m1 = n;
        m1[255] -= 1;
        assert!(rsavp1::<{ U2048::LIMBS }>(
            &n, 65537, &m1, &mut out, &mut cache
        ));
        assert_eq!(out, m1);
    }
}
