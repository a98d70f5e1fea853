//! 256-bit unsigned integers as four little-endian `u64` limbs, for what fiat-crypto does not
//! provide: comparisons and a variable-time modular inversion (binary extended Euclid).
//!
//! Variable time is fine here: every value is public (a signature's `s`, a table's `Z`s).

/// Four little-endian 64-bit limbs.
pub(crate) type U256 = [u64; 4];

const ZERO: U256 = [0; 4];
const ONE: U256 = [1, 0, 0, 0];

/// The integer of 32 little-endian bytes.
pub(crate) fn from_le_bytes(b: &[u8; 32]) -> U256 {
    let mut out = ZERO;
    for (limb, chunk) in out.iter_mut().zip(b.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(w);
    }
    out
}

/// The 32 little-endian bytes of `a`.
pub(crate) fn to_le_bytes(a: &U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(a) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// `a + b` and the carry out.
fn add(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = ZERO;
    let mut carry = false;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (s1, c1) = x.overflowing_add(*y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *o = s2;
        carry = c1 | c2;
    }
    (out, carry)
}

/// `a − b` and the borrow out.
fn sub(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = ZERO;
    let mut borrow = false;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (d1, b1) = x.overflowing_sub(*y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *o = d2;
        borrow = b1 | b2;
    }
    (out, borrow)
}

/// `a < b`.
pub(crate) fn lt(a: &U256, b: &U256) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a >> 1`, shifting `top` in as bit 255.
fn shr1(a: &mut U256, top: bool) {
    let mut carry = u64::from(top);
    for limb in a.iter_mut().rev() {
        let low = *limb & 1;
        *limb = (*limb >> 1) | (carry << 63);
        carry = low;
    }
}

fn is_even(a: &U256) -> bool {
    a[0] & 1 == 0
}

/// `x / 2 mod m` for `x < m`, `m` odd.
fn half_mod(x: &mut U256, m: &U256) {
    if is_even(x) {
        shr1(x, false);
    } else {
        let (s, carry) = add(x, m);
        *x = s;
        shr1(x, carry);
    }
}

/// `x − y mod m` for `x, y < m`.
fn sub_mod(x: &U256, y: &U256, m: &U256) -> U256 {
    let (d, borrow) = sub(x, y);
    if borrow { add(&d, m).0 } else { d }
}

/// `a⁻¹ mod m` for an odd prime `m` and `0 < a < m`, by the binary extended Euclidean
/// algorithm (Hankerson–Menezes–Vanstone, *Guide to ECC*, Algorithm 2.22). `None` for
/// `a = 0`, `a ≥ m`, or (not for a prime `m`) a common factor.
pub(crate) fn inv_mod_vartime(a: &U256, m: &U256) -> Option<U256> {
    if *a == ZERO || !lt(a, m) {
        return None;
    }
    // Invariants: x1·a ≡ u and x2·a ≡ v (mod m); x1, x2 < m.
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (ONE, ZERO);
    while u != ONE && v != ONE {
        if u == ZERO || v == ZERO {
            return None; // gcd(a, m) ≠ 1
        }
        while is_even(&u) {
            shr1(&mut u, false);
            half_mod(&mut x1, m);
        }
        while is_even(&v) {
            shr1(&mut v, false);
            half_mod(&mut x2, m);
        }
        if lt(&u, &v) {
            v = sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        } else {
            u = sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        }
    }
    Some(if u == ONE { x1 } else { x2 })
}
