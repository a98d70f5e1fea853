//! 256-bit unsigned integers as four little-endian `u64` limbs, for what fiat-crypto does not
//! provide: comparisons and a variable-time modular inversion (T. Pornin's optimised binary
//! GCD, with the plain binary extended Euclid kept as the tests' reference).
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
#[cfg(test)]
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
#[cfg(test)]
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
#[cfg(test)]
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
#[cfg(test)]
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
#[cfg(test)]
fn sub_mod(x: &U256, y: &U256, m: &U256) -> U256 {
    let (d, borrow) = sub(x, y);
    if borrow { add(&d, m).0 } else { d }
}

/// `a⁻¹ mod m` for an odd prime `m` and `0 < a < m`, by the binary extended Euclidean
/// algorithm (Hankerson–Menezes–Vanstone, *Guide to ECC*, Algorithm 2.22). `None` for
/// `a = 0`, `a ≥ m`, or (not for a prime `m`) a common factor. The tests' reference for
/// [`inv_mod_vartime`].
#[cfg(test)]
pub(crate) fn inv_mod_binary(a: &U256, m: &U256) -> Option<U256> {
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

/// Number of significant bits of `a`.
fn bit_len(a: &U256) -> u32 {
    let mut len = 0;
    for (i, limb) in a.iter().enumerate() {
        if *limb != 0 {
            len = 64 * i as u32 + (64 - limb.leading_zeros());
        }
    }
    len
}

/// Bits `pos .. pos + 64` of `a` (bits past 255 read as 0).
fn bits64(a: &U256, pos: u32) -> u64 {
    let limb = (pos / 64) as usize;
    let shift = pos % 64;
    let lo = a.get(limb).copied().unwrap_or(0);
    let hi = a.get(limb + 1).copied().unwrap_or(0);
    if shift == 0 {
        lo
    } else {
        (lo >> shift) | (hi << (64 - shift))
    }
}

/// A signed 320-bit integer in two's complement, five little-endian limbs.
type I320 = [u64; 5];

/// `a·f + b·g` for `a, b < 2²⁵⁶` and `|f|, |g| ≤ 2³¹`.
fn lin_comb(a: &[u64], f: i64, b: &[u64], g: i64) -> I320 {
    let mut out = [0u64; 5];
    let mut acc: i128 = 0;
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        acc += i128::from(*x) * i128::from(f) + i128::from(*y) * i128::from(g);
        *o = acc as u64;
        acc >>= 64;
    }
    out[4] = acc as u64;
    out
}

fn is_negative(x: &I320) -> bool {
    (x[4] as i64) < 0
}

fn negate(x: &mut I320) {
    let mut carry = true;
    for limb in x.iter_mut() {
        let (v, c) = (!*limb).overflowing_add(u64::from(carry));
        *limb = v;
        carry = c;
    }
}

/// `x >> s` (arithmetic), `0 < s < 64`.
fn sar(x: &mut I320, s: u32) {
    let top = x[4];
    let mut above = top;
    for limb in x.iter_mut().take(4).rev() {
        let v = *limb;
        *limb = (v >> s) | (above << (64 - s));
        above = v;
    }
    x[4] = ((top as i64) >> s) as u64;
}

/// `x + m` for `m < 2²⁵⁶` (wrapping at 2³²⁰).
fn add_m(x: &mut I320, m: &U256) {
    let mut carry = false;
    for (i, limb) in x.iter_mut().enumerate() {
        let y = m.get(i).copied().unwrap_or(0);
        let (v1, c1) = limb.overflowing_add(y);
        let (v2, c2) = v1.overflowing_add(u64::from(carry));
        *limb = v2;
        carry = c1 | c2;
    }
}

/// `x − m` for `m < 2²⁵⁶` (wrapping at 2³²⁰).
fn sub_m(x: &mut I320, m: &U256) {
    let mut borrow = false;
    for (i, limb) in x.iter_mut().enumerate() {
        let y = m.get(i).copied().unwrap_or(0);
        let (v1, b1) = limb.overflowing_sub(y);
        let (v2, b2) = v1.overflowing_sub(u64::from(borrow));
        *limb = v2;
        borrow = b1 | b2;
    }
}

/// The low 256 bits of a value known to be in `[0, 2²⁵⁶)`.
fn low256(x: &I320) -> U256 {
    [x[0], x[1], x[2], x[3]]
}

/// `(u·f + v·g)·2⁻³¹ mod m`, for `u, v < m` odd `m`, `|f|, |g| ≤ 2³¹`; `m_inv` = `−m⁻¹ mod 2⁶⁴`.
fn lin_comb_mod(u: &U256, f: i64, v: &U256, g: i64, m: &U256, m_inv: u64) -> U256 {
    let mut t = lin_comb(u, f, v, g);
    // Add k·m with k ≡ −t·m⁻¹ (mod 2³¹): then 2³¹ divides t + k·m exactly.
    let k = t[0].wrapping_mul(m_inv) & 0x7fff_ffff;
    let km = lin_comb(m, k as i64, &[0; 4], 0);
    let mut carry = false;
    for (x, y) in t.iter_mut().zip(km) {
        let (v1, c1) = x.overflowing_add(y);
        let (v2, c2) = v1.overflowing_add(u64::from(carry));
        *x = v2;
        carry = c1 | c2;
    }
    sar(&mut t, 31);
    // |t| < 2³²·m + 2³¹·m before the shift, so −3m < t < 3m after it.
    while is_negative(&t) {
        add_m(&mut t, m);
    }
    let mm = [m[0], m[1], m[2], m[3], 0];
    while !lt320(&t, &mm) {
        sub_m(&mut t, m);
    }
    low256(&t)
}

/// `x < y` for non-negative values.
fn lt320(x: &I320, y: &I320) -> bool {
    for (a, b) in x.iter().rev().zip(y.iter().rev()) {
        if a != b {
            return a < b;
        }
    }
    false
}

/// `a⁻¹ mod m` for an odd prime `m` and `0 < a < m`; `None` for `a = 0`, `a ≥ m`, or a common
/// factor (not for a prime `m`).
///
/// T. Pornin, "Optimized Binary GCD for Modular Inversion" (IACR ePrint 2020/972),
/// Algorithm 2, run until done instead of a fixed count: each outer step runs 31 steps of the
/// binary GCD on 64-bit approximations of `a` and `b` (their low 31 and top 33 bits), collecting
/// the update factors `f0, g0, f1, g1`, then applies them to the full values, dividing by 2³¹
/// (exactly for `a`, `b`; modulo `m` for `u`, `v`). Invariants: `a ≡ u·a₀`, `b ≡ v·a₀ (mod m)`,
/// `a, b ≥ 0`, `b` odd. When `a` reaches 0, `b` is the gcd (1) and `v` the inverse.
pub(crate) fn inv_mod_vartime(a0: &U256, m: &U256) -> Option<U256> {
    if *a0 == ZERO || !lt(a0, m) || is_even(m) {
        return None;
    }
    // −m⁻¹ mod 2⁶⁴ by Newton's iteration (m odd: m·m ≡ 1 mod 8 to start).
    let mut inv = m[0];
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
    }
    let m_inv = inv.wrapping_neg();

    let (mut a, mut b) = (*a0, *m);
    let (mut u, mut v) = (ONE, ZERO);
    // 2·256 − 1 steps suffice (Pornin, §3): 17 outer steps; a few more cannot hurt.
    for _ in 0..24 {
        if a == ZERO {
            break;
        }
        let n = bit_len(&a).max(bit_len(&b)).max(64);
        let approx = |x: &U256| (x[0] & 0x7fff_ffff) | (bits64(x, n - 33) << 31);
        let (mut xa, mut xb) = (approx(&a), approx(&b));
        let (mut f0, mut g0, mut f1, mut g1) = (1i64, 0i64, 0i64, 1i64);
        for _ in 0..31 {
            let odd = (xa & 1).wrapping_neg();
            let swap = odd & u64::from(xa < xb).wrapping_neg();
            let t = (xa ^ xb) & swap;
            xa ^= t;
            xb ^= t;
            let sw = swap as i64;
            let t = (f0 ^ f1) & sw;
            f0 ^= t;
            f1 ^= t;
            let t = (g0 ^ g1) & sw;
            g0 ^= t;
            g1 ^= t;
            let o = odd as i64;
            xa = xa.wrapping_sub(xb & odd);
            f0 -= f1 & o;
            g0 -= g1 & o;
            xa >>= 1;
            f1 <<= 1;
            g1 <<= 1;
        }
        let mut na = lin_comb(&a, f0, &b, g0);
        let mut nb = lin_comb(&a, f1, &b, g1);
        sar(&mut na, 31);
        sar(&mut nb, 31);
        if is_negative(&na) {
            negate(&mut na);
            f0 = -f0;
            g0 = -g0;
        }
        if is_negative(&nb) {
            negate(&mut nb);
            f1 = -f1;
            g1 = -g1;
        }
        let nu = lin_comb_mod(&u, f0, &v, g0, m, m_inv);
        let nv = lin_comb_mod(&u, f1, &v, g1, m, m_inv);
        a = low256(&na);
        b = low256(&nb);
        u = nu;
        v = nv;
    }
    (a == ZERO && b == ONE).then_some(v)
}
