//! Arithmetic mod n, the order of the P-256 group, for the ECDSA scalars: range checks on
//! `r` and `s`, `w = s⁻¹`, `u1 = e·w`, `u2 = r·w`. Multiplication is fiat-crypto's verified
//! Montgomery multiplication for the P-256 scalar field (`p256_scalar_64` / `_32`); the
//! inversion is [`u256::inv_mod_vartime`] (`s` is public).

#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
use fiat_crypto::p256_scalar_32 as fiat;
#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
use fiat_crypto::p256_scalar_64 as fiat;

use fiat::{
    fiat_p256_scalar_montgomery_domain_field_element as Mont,
    fiat_p256_scalar_non_montgomery_domain_field_element as Plain,
};

use super::field::reverse32;
use super::u256;

#[cfg(all(target_pointer_width = "64", not(feature = "es256-fiat32")))]
const ZERO_LIMBS: [u64; 4] = [0; 4];
#[cfg(not(all(target_pointer_width = "64", not(feature = "es256-fiat32"))))]
const ZERO_LIMBS: [u32; 8] = [0; 8];

/// n, big-endian.
pub(crate) const N_BE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `1 ≤ x < n` for a big-endian `x`: the range ECDSA requires of `r` and `s`.
pub(crate) fn in_range(x_be: &[u8; 32]) -> bool {
    *x_be < N_BE && x_be.iter().any(|&b| b != 0)
}

/// `x mod n` as little-endian bytes, for any 256-bit big-endian `x` (x < 2n always holds).
pub(crate) fn reduce_le(x_be: &[u8; 32]) -> [u8; 32] {
    let x = u256::from_le_bytes(&reverse32(x_be));
    let n = u256::from_le_bytes(&reverse32(&N_BE));
    if u256::lt(&x, &n) {
        u256::to_le_bytes(&x)
    } else {
        let mut d = [0u64; 4];
        let mut borrow = false;
        for ((o, a), b) in d.iter_mut().zip(&x).zip(&n) {
            let (d1, b1) = a.overflowing_sub(*b);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *o = d2;
            borrow = b1 | b2;
        }
        u256::to_le_bytes(&d)
    }
}

/// fiat limbs of a little-endian integer `< n`.
fn limbs(le: &[u8; 32]) -> Plain {
    let mut out = ZERO_LIMBS;
    fiat::fiat_p256_scalar_from_bytes(&mut out, le);
    Plain(out)
}

/// `(u1, u2) = (e·s⁻¹, r·s⁻¹) mod n` as little-endian bytes, for a digest `e` (reduced here)
/// and `r`, `s` already checked by [`in_range`]. `None` only if `s` has no inverse (not in
/// range).
pub(crate) fn u1_u2(
    digest: &[u8; 32],
    r_be: &[u8; 32],
    s_be: &[u8; 32],
) -> Option<([u8; 32], [u8; 32])> {
    let n = u256::from_le_bytes(&reverse32(&N_BE));
    let s = u256::from_le_bytes(&reverse32(s_be));
    let w = u256::inv_mod_vartime(&s, &n)?;
    // fiat's mul(a, b) = a·b·2⁻²⁵⁶: with w in Montgomery form and e, r plain, the products
    // come out plain.
    let mut w_mont = Mont(ZERO_LIMBS);
    fiat::fiat_p256_scalar_to_montgomery(&mut w_mont, &limbs(&u256::to_le_bytes(&w)));
    let e = limbs(&reduce_le(digest));
    let r = limbs(&reverse32(r_be));
    let mut u1 = Mont(ZERO_LIMBS);
    let mut u2 = Mont(ZERO_LIMBS);
    fiat::fiat_p256_scalar_mul(&mut u1, &Mont(e.0), &w_mont);
    fiat::fiat_p256_scalar_mul(&mut u2, &Mont(r.0), &w_mont);
    let mut u1_le = [0u8; 32];
    let mut u2_le = [0u8; 32];
    fiat::fiat_p256_scalar_to_bytes(&mut u1_le, &u1.0);
    fiat::fiat_p256_scalar_to_bytes(&mut u2_le, &u2.0);
    Some((u1_le, u2_le))
}
