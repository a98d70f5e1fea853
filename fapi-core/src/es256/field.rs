//! The P-256 base field GF(p), p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1, over fiat-crypto's formally
//! verified Montgomery arithmetic (`p256_64` on 64-bit targets, `p256_32` elsewhere, e.g.
//! thumbv7em). fiat's outputs are always fully reduced (`< p`), so limb equality is field
//! equality.

#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
use fiat_crypto::p256_32 as fiat;
#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
use fiat_crypto::p256_64 as fiat;

use fiat::{
    fiat_p256_montgomery_domain_field_element as Mont,
    fiat_p256_non_montgomery_domain_field_element as Plain,
};

use super::u256;

#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
type Limbs = [u64; 4];
#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
type Limbs = [u32; 8];

#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
const ZERO_LIMBS: Limbs = [0; 4];
#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
const ZERO_LIMBS: Limbs = [0; 8];

/// p, big-endian.
pub(crate) const P_BE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// p as limbs, least significant first.
#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
const P_LIMBS: Limbs = [
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0,
    0xffff_ffff_0000_0001,
];
#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
const P_LIMBS: Limbs = [
    0xffff_ffff,
    0xffff_ffff,
    0xffff_ffff,
    0,
    0,
    0,
    1,
    0xffff_ffff,
];

/// Whether little-endian limbs are below p: compared limb by limb from the top (no byte
/// conversion; tables read from words check every coordinate).
#[inline]
fn below_p(l: &Limbs) -> bool {
    for (a, p) in l.iter().rev().zip(P_LIMBS.iter().rev()) {
        if a != p {
            return a < p;
        }
    }
    false
}

/// Reverses 32 bytes (big-endian ↔ little-endian), in a `const fn`.
pub(crate) const fn reverse32(b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        // A const fn cannot use iterators; `i < 32` bounds both indices.
        #[allow(clippy::indexing_slicing)]
        {
            out[i] = b[31 - i];
        }
        i += 1;
    }
    out
}

/// An element of GF(p) in fiat's Montgomery form (`a·2²⁵⁶ mod p`), always fully reduced.
///
/// Plain data (no pointers): tables of points are arrays of these, in caller memory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Fe(Limbs);

impl core::fmt::Debug for Fe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Fe(0x")?;
        for b in self.to_be_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl Fe {
    /// 0.
    pub const ZERO: Fe = Fe(ZERO_LIMBS);
    /// 1.
    pub const ONE: Fe = {
        let mut m = Mont(ZERO_LIMBS);
        fiat::fiat_p256_set_one(&mut m);
        Fe(m.0)
    };

    /// The element of a big-endian integer known to be below p (constants), in a `const fn`.
    /// A value ≥ p is reduced mod p (fiat's `from_bytes` precondition is then not met, so only
    /// use this for checked constants).
    pub(crate) const fn from_be_const(b: &[u8; 32]) -> Fe {
        let le = reverse32(b);
        let mut plain = ZERO_LIMBS;
        fiat::fiat_p256_from_bytes(&mut plain, &le);
        let mut m = Mont(ZERO_LIMBS);
        fiat::fiat_p256_to_montgomery(&mut m, &Plain(plain));
        Fe(m.0)
    }

    /// The element of a big-endian integer; `None` unless it is below p (no reduction: a
    /// coordinate ≥ p is refused, not wrapped).
    pub fn from_be_bytes(b: &[u8; 32]) -> Option<Fe> {
        if *b < P_BE {
            Some(Self::from_be_const(b))
        } else {
            None
        }
    }

    /// The canonical big-endian encoding (of the integer, not the Montgomery form).
    pub fn to_be_bytes(&self) -> [u8; 32] {
        reverse32(&self.to_le_bytes())
    }

    fn to_le_bytes(self) -> [u8; 32] {
        let mut plain = Plain(ZERO_LIMBS);
        fiat::fiat_p256_from_montgomery(&mut plain, &Mont(self.0));
        let mut out = [0u8; 32];
        fiat::fiat_p256_to_bytes(&mut out, &plain.0);
        out
    }

    fn from_le_bytes(le: &[u8; 32]) -> Fe {
        Self::from_be_const(&reverse32(le))
    }

    /// The Montgomery form as eight little-endian 32-bit words (for tables kept as words, e.g.
    /// in memory shared between processes). The same words on 32- and 64-bit targets.
    pub fn to_words(&self) -> [u32; 8] {
        #[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
        {
            let mut out = [0u32; 8];
            for (pair, limb) in out.chunks_exact_mut(2).zip(self.0) {
                for (w, v) in pair.iter_mut().zip([limb as u32, (limb >> 32) as u32]) {
                    *w = v;
                }
            }
            out
        }
        #[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
        {
            self.0
        }
    }

    /// The inverse of [`Fe::to_words`]; `None` if the words are not a reduced Montgomery form
    /// (≥ p).
    #[inline]
    pub fn from_words(words: &[u32; 8]) -> Option<Fe> {
        #[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
        let limbs = {
            let mut limbs = ZERO_LIMBS;
            for (limb, pair) in limbs.iter_mut().zip(words.chunks_exact(2)) {
                for (i, w) in pair.iter().enumerate() {
                    *limb |= u64::from(*w) << (32 * i);
                }
            }
            limbs
        };
        #[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
        let limbs = *words;
        below_p(&limbs).then_some(Fe(limbs))
    }

    /// `self == 0`.
    #[inline]
    pub fn is_zero(&self) -> bool {
        self.0 == ZERO_LIMBS
    }

    /// `self + rhs`.
    #[inline]
    pub fn add(&self, rhs: &Fe) -> Fe {
        let mut out = Mont(ZERO_LIMBS);
        fiat::fiat_p256_add(&mut out, &Mont(self.0), &Mont(rhs.0));
        Fe(out.0)
    }

    /// `self − rhs`.
    #[inline]
    pub fn sub(&self, rhs: &Fe) -> Fe {
        let mut out = Mont(ZERO_LIMBS);
        fiat::fiat_p256_sub(&mut out, &Mont(self.0), &Mont(rhs.0));
        Fe(out.0)
    }

    /// `−self`.
    #[inline]
    pub fn neg(&self) -> Fe {
        let mut out = Mont(ZERO_LIMBS);
        fiat::fiat_p256_opp(&mut out, &Mont(self.0));
        Fe(out.0)
    }

    /// `2·self`.
    #[inline]
    pub fn double(&self) -> Fe {
        self.add(self)
    }

    /// `self · rhs`.
    #[inline]
    pub fn mul(&self, rhs: &Fe) -> Fe {
        let mut out = Mont(ZERO_LIMBS);
        fiat::fiat_p256_mul(&mut out, &Mont(self.0), &Mont(rhs.0));
        Fe(out.0)
    }

    /// `self²`.
    #[inline]
    pub fn square(&self) -> Fe {
        let mut out = Mont(ZERO_LIMBS);
        fiat::fiat_p256_square(&mut out, &Mont(self.0));
        Fe(out.0)
    }

    /// `self⁻¹`, `None` for 0. Variable time (binary extended Euclid on the integer): only
    /// public values are inverted.
    pub fn invert(&self) -> Option<Fe> {
        let a = u256::from_le_bytes(&self.to_le_bytes());
        let p = u256::from_le_bytes(&reverse32(&P_BE));
        let inv = u256::inv_mod_vartime(&a, &p)?;
        Some(Self::from_le_bytes(&u256::to_le_bytes(&inv)))
    }

    /// `self^e` for a big-endian exponent, by square-and-multiply (Fermat inversion
    /// `self^(p−2)` checks [`Fe::invert`] in the tests).
    #[cfg(test)]
    pub(crate) fn pow_vartime(&self, e_be: &[u8; 32]) -> Fe {
        let mut acc = Fe::ONE;
        for byte in e_be {
            for bit in (0..8).rev() {
                acc = acc.square();
                if (byte >> bit) & 1 == 1 {
                    acc = acc.mul(self);
                }
            }
        }
        acc
    }
}
