//! ECDSA P-256 verification over the tables: parse and range-check `(r, s)`, compute
//! `u1 = e·s⁻¹` and `u2 = r·s⁻¹`, accumulate `u1·G + u2·Q` in Jacobian form, and compare its x
//! with r without an inversion.

use super::digits::{SignedDigits, WNAF_LEN, wnaf};
use super::field::{Fe, P_BE};
use super::point::{AffinePoint, Jacobian, normalize_into};
use super::scalar::{self, N_BE};
use super::table::{PointTable, TableError};

/// A P-256 public key: a finite point on the curve (checked when made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(AffinePoint);

impl PublicKey {
    /// The key from big-endian coordinates; `None` unless both are below p and the point is on
    /// the curve.
    pub fn from_xy(x: &[u8; 32], y: &[u8; 32]) -> Option<PublicKey> {
        AffinePoint::from_be_bytes(x, y).map(PublicKey)
    }

    /// The key of a `p256` verifying key (already validated by `p256`, and checked again here).
    pub fn from_verifying_key(vk: &p256::ecdsa::VerifyingKey) -> Option<PublicKey> {
        let sec1 = vk.to_sec1_point(false);
        let x: [u8; 32] = sec1.x()?.as_slice().try_into().ok()?;
        let y: [u8; 32] = sec1.y()?.as_slice().try_into().ok()?;
        Self::from_xy(&x, &y)
    }

    /// The key as an affine point (the first point of its table).
    pub fn point(&self) -> AffinePoint {
        self.0
    }
}

/// Window width of the NAF used for a key without a table (and for G without one): 8 odd
/// multiples computed per verification.
const WNAF_W: u32 = 5;
/// Odd multiples P, 3P, …, 15P for a width-5 NAF.
const ODD: usize = 1 << (WNAF_W - 2);

/// `p − n`, big-endian: `r + n < p` iff `r < p − n`.
pub(crate) const P_MINUS_N_BE: [u8; 32] = {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    let mut i = 32;
    while i > 0 {
        i -= 1;
        // A const fn cannot use iterators; `i < 32` bounds the indices.
        #[allow(clippy::indexing_slicing)]
        let d = P_BE[i] as i16 - N_BE[i] as i16 - borrow;
        #[allow(clippy::indexing_slicing)]
        {
            out[i] = (d & 0xff) as u8;
        }
        borrow = if d < 0 { 1 } else { 0 };
    }
    out
};

/// `r`, `s` of a P1363 signature (`r ‖ s`, 32 bytes each, big-endian) if both are in
/// `[1, n − 1]`.
fn parse_signature(signature: &[u8; 64]) -> Option<([u8; 32], [u8; 32])> {
    let (r, s) = signature.split_at(32);
    let r: [u8; 32] = r.try_into().ok()?;
    let s: [u8; 32] = s.try_into().ok()?;
    (scalar::in_range(&r) && scalar::in_range(&s)).then_some((r, s))
}

/// Adds `Σ d_i·T[i]` to `acc` for the signed digits of `k`, skipping zero digits. `None` if
/// the table lacks a point (a table shorter than its window says).
#[inline]
fn add_digits<T: PointTable + ?Sized>(mut acc: Jacobian, t: &T, k: &[u8; 32]) -> Option<Jacobian> {
    let window = t.window();
    let per = window.per_window();
    for (i, d) in SignedDigits::new(k, window) {
        if d == 0 {
            continue;
        }
        let p = t.point(i * per + d.unsigned_abs() as usize - 1)?;
        acc = acc.add_affine(&if d < 0 { p.neg() } else { p });
    }
    Some(acc)
}

/// The inversion-free final check: the accumulated point R = (X : Y : Z) is finite (Z ≠ 0,
/// checked first: an infinity of the form (0 : 0 : 0) would otherwise pass 0 == 0) and
/// `x(R) mod n == r`, i.e. `X == r·Z²`, or `X == (r + n)·Z²` when `r + n < p` (an x in
/// `[n, p)` reduces to r).
pub(crate) fn final_check(acc: &Jacobian, r_be: &[u8; 32]) -> bool {
    if acc.is_infinity() {
        return false;
    }
    let Some(r) = Fe::from_be_bytes(r_be) else {
        return false;
    };
    let zz = acc.z.square();
    if acc.x == r.mul(&zz) {
        return true;
    }
    if *r_be < P_MINUS_N_BE {
        let r_plus_n = r.add(&Fe::from_be_const(&N_BE));
        return acc.x == r_plus_n.mul(&zz);
    }
    false
}

/// Verifies an ES256 signature (`r ‖ s`) over a SHA-256 `digest` with tables for both G and
/// the key: additions only, no doublings. A table that cannot hand out a point it should hold
/// (short, or unreadable words) makes the answer `Ok(false)`: it fails closed.
///
/// # Errors
/// [`TableError::NotBaseTable`] if `g` is not G's table, [`TableError::NotKeyTable`] if `q` is
/// not `key`'s: caller mistakes, kept apart from a bad signature (`Ok(false)`).
pub fn verify_with_tables<G: PointTable + ?Sized, Q: PointTable + ?Sized>(
    g: &G,
    q: &Q,
    key: &PublicKey,
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> Result<bool, TableError> {
    if g.point(0) != Some(AffinePoint::GENERATOR) {
        return Err(TableError::NotBaseTable);
    }
    if q.point(0) != Some(key.0) {
        return Err(TableError::NotKeyTable);
    }
    let Some((r, s)) = parse_signature(signature) else {
        return Ok(false);
    };
    let Some((u1, u2)) = scalar::u1_u2(digest, &r, &s) else {
        return Ok(false);
    };
    let Some(acc) = add_digits(Jacobian::INFINITY, g, &u1) else {
        return Ok(false);
    };
    let Some(acc) = add_digits(acc, q, &u2) else {
        return Ok(false);
    };
    Ok(final_check(&acc, &r))
}

/// Verifies with a table for G only (a key seen for the first time): `u2·Q` by a width-5
/// NAF with doublings, then `u1·G` added from the table.
///
/// # Errors
/// [`TableError::NotBaseTable`] if `g` is not G's table.
pub fn verify_with_base_table<G: PointTable + ?Sized>(
    g: &G,
    key: &PublicKey,
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> Result<bool, TableError> {
    if g.point(0) != Some(AffinePoint::GENERATOR) {
        return Err(TableError::NotBaseTable);
    }
    Ok(verify_generic(Some(g), key, digest, signature))
}

/// Verifies without any table (least memory): `u1·G + u2·Q` by interleaved width-5 NAFs
/// sharing one chain of doublings (Straus–Shamir).
pub fn verify_without_tables(key: &PublicKey, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
    verify_generic::<super::table::Table<'_>>(None, key, digest, signature)
}

/// `P, 3P, …, 15P` in affine form (one inversion).
fn odd_multiples(p: &AffinePoint) -> Option<[AffinePoint; ODD]> {
    let two = Jacobian::from_affine(p).double();
    let mut cur = Jacobian::from_affine(p);
    let mut first = true;
    let mut multiples = core::iter::from_fn(|| {
        if !first {
            cur = cur.add(&two);
        }
        first = false;
        Some(cur)
    });
    let mut out = [AffinePoint::ZERO; ODD];
    let mut scratch = [Fe::ZERO; ODD];
    normalize_into(&mut multiples, &mut out, &mut scratch).then_some(out)
}

/// The odd multiple for a NAF digit (odd, |d| < 2^(w−1)), negated for d < 0.
#[inline]
fn select(odd: &[AffinePoint; ODD], d: i8) -> Option<AffinePoint> {
    let p = odd.get((d.unsigned_abs() as usize - 1) / 2)?;
    Some(if d < 0 { p.neg() } else { *p })
}

fn verify_generic<G: PointTable + ?Sized>(
    g: Option<&G>,
    key: &PublicKey,
    digest: &[u8; 32],
    signature: &[u8; 64],
) -> bool {
    let Some((r, s)) = parse_signature(signature) else {
        return false;
    };
    let Some((u1, u2)) = scalar::u1_u2(digest, &r, &s) else {
        return false;
    };
    let Some(q_odd) = odd_multiples(&key.0) else {
        return false;
    };
    let mut naf_q = [0i8; WNAF_LEN];
    let len_q = wnaf(&u2, WNAF_W, &mut naf_q);
    // Without a G table, u1·G joins the same doubling chain.
    let mut naf_g = [0i8; WNAF_LEN];
    let (len_g, g_odd) = if g.is_none() {
        let Some(odd) = odd_multiples(&AffinePoint::GENERATOR) else {
            return false;
        };
        (wnaf(&u1, WNAF_W, &mut naf_g), odd)
    } else {
        (0, [AffinePoint::ZERO; ODD])
    };
    let top = len_q.max(len_g);
    let mut acc = Jacobian::INFINITY;
    for (dq, dg) in naf_q.iter().zip(naf_g.iter()).take(top).rev() {
        if !acc.is_infinity() {
            acc = acc.double();
        }
        if *dq != 0 {
            let Some(p) = select(&q_odd, *dq) else {
                return false;
            };
            acc = acc.add_affine(&p);
        }
        if *dg != 0 {
            let Some(p) = select(&g_odd, *dg) else {
                return false;
            };
            acc = acc.add_affine(&p);
        }
    }
    if let Some(g) = g {
        let Some(a) = add_digits(acc, g, &u1) else {
            return false;
        };
        acc = a;
    }
    final_check(&acc, &r)
}
