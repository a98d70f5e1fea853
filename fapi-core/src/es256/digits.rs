//! Scalar recodings: signed fixed-window digits (for the tables) and width-w NAF (for the
//! path with doublings). Scalars are 32 little-endian bytes below 2²⁵⁶.

use super::table::Window;
use super::u256;

/// `w` bits of `k` from bit `offset` (bits past 255 read as 0), `w ≤ 16`.
fn bits(k: &[u8; 32], offset: u32, w: u32) -> u32 {
    let byte = (offset / 8) as usize;
    let b = |i: usize| u32::from(k.get(byte + i).copied().unwrap_or(0));
    ((b(0) | (b(1) << 8) | (b(2) << 16)) >> (offset % 8)) & ((1 << w) - 1)
}

/// The signed digits `d_i ∈ [−2^(w−1) + 1, 2^(w−1)]` with `k = Σ d_i·2^(w·i)`, one per window,
/// lowest first: each window's `w` bits plus the carry of the previous one, moved down by
/// `2^w` (carrying 1) when above `2^(w−1)`. Since `k < 2²⁵⁶` and the top window holds at most
/// `w − 1` bits of `k` ([`Window::windows`] = ⌈257/w⌉), the last digit is in
/// `[0, 2^(256 − w·(windows−1))]` and nothing carries out.
pub(crate) struct SignedDigits<'a> {
    k: &'a [u8; 32],
    w: u32,
    i: u32,
    windows: u32,
    carry: u32,
}

impl<'a> SignedDigits<'a> {
    pub(crate) fn new(k: &'a [u8; 32], window: Window) -> Self {
        Self {
            k,
            w: window.bits(),
            i: 0,
            windows: window.windows() as u32,
            carry: 0,
        }
    }
}

impl Iterator for SignedDigits<'_> {
    /// (window index, digit).
    type Item = (usize, i32);

    fn next(&mut self) -> Option<(usize, i32)> {
        if self.i >= self.windows {
            return None;
        }
        let v = bits(self.k, self.w * self.i, self.w) + self.carry;
        let half = 1u32 << (self.w - 1);
        let d = if v > half {
            self.carry = 1;
            v as i32 - (1i32 << self.w)
        } else {
            self.carry = 0;
            v as i32
        };
        let i = self.i as usize;
        self.i += 1;
        Some((i, d))
    }
}

/// Length of a wNAF of a 256-bit scalar: at most 257 digits.
pub(crate) const WNAF_LEN: usize = 257;

/// The width-`w` NAF of `k` into `out` (lowest digit first): odd digits in
/// `[−2^(w−1) + 1, 2^(w−1) − 1]` or 0, any `w` consecutive digits with at most one non-zero.
/// Returns the number of digits written (0 for k = 0). `2 ≤ w ≤ 7`.
pub(crate) fn wnaf(k: &[u8; 32], w: u32, out: &mut [i8; WNAF_LEN]) -> usize {
    // One extra limb: adding back a negative digit can carry past bit 255.
    let mut x = [0u64; 5];
    for (d, s) in x.iter_mut().zip(u256::from_le_bytes(k)) {
        *d = s;
    }
    let mut len = 0;
    let modulus = 1i64 << w;
    for slot in out.iter_mut() {
        if x.iter().all(|&l| l == 0) {
            break;
        }
        let mut d = 0i64;
        if x[0] & 1 == 1 {
            d = (x[0] & (modulus as u64 - 1)) as i64;
            if d >= modulus / 2 {
                d -= modulus;
            }
            // x −= d
            if d > 0 {
                sub_small(&mut x, d as u64);
            } else {
                add_small(&mut x, d.unsigned_abs());
            }
        }
        *slot = d as i8;
        len += 1;
        // x >>= 1
        let mut carry = 0u64;
        for limb in x.iter_mut().rev() {
            let low = *limb & 1;
            *limb = (*limb >> 1) | (carry << 63);
            carry = low;
        }
    }
    len
}

fn add_small(x: &mut [u64; 5], v: u64) {
    let mut carry = v;
    for limb in x.iter_mut() {
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = u64::from(c);
        if carry == 0 {
            break;
        }
    }
}

fn sub_small(x: &mut [u64; 5], v: u64) {
    let mut borrow = v;
    for limb in x.iter_mut() {
        let (s, b) = limb.overflowing_sub(borrow);
        *limb = s;
        borrow = u64::from(b);
        if borrow == 0 {
            break;
        }
    }
}
