//! Points of P-256 (y² = x³ − 3x + b): affine points for tables and keys, Jacobian points
//! (x = X/Z², y = Y/Z³; Z = 0 is the point at infinity) for the accumulator.
//!
//! The addition formulas are incomplete ones (fast), so every exceptional case is tested for
//! and handled: an input at infinity returns the other input, equal inputs go to the doubling
//! and opposite inputs give infinity. An incomplete formula left alone would return (0:0:0)
//! there, which the final check `X == r·Z²` would accept (0 == 0).

use super::field::Fe;

/// b of the curve equation, big-endian.
const B_BE: [u8; 32] = [
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
];
/// The base point G, big-endian coordinates.
const GX_BE: [u8; 32] = [
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
];
const GY_BE: [u8; 32] = [
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
];

/// A finite point on the curve in affine coordinates (Montgomery-form field elements).
///
/// Tables are arrays of these: 64 bytes each, no pointers, `Copy`, so they can live in
/// caller memory, a `static`, or (as [`AffinePoint::to_words`]) in shared memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct AffinePoint {
    pub(crate) x: Fe,
    pub(crate) y: Fe,
}

impl AffinePoint {
    /// Placeholder content for table memory before a build: (0, 0), not a curve point.
    pub const ZERO: AffinePoint = AffinePoint {
        x: Fe::ZERO,
        y: Fe::ZERO,
    };

    /// The base point G.
    pub const GENERATOR: AffinePoint = AffinePoint {
        x: Fe::from_be_const(&GX_BE),
        y: Fe::from_be_const(&GY_BE),
    };

    /// The point with these big-endian coordinates, if both are below p and it is on the
    /// curve (P-256 has cofactor 1, so every such point is in the group; infinity has no
    /// affine form).
    pub fn from_be_bytes(x: &[u8; 32], y: &[u8; 32]) -> Option<AffinePoint> {
        let p = AffinePoint {
            x: Fe::from_be_bytes(x)?,
            y: Fe::from_be_bytes(y)?,
        };
        p.is_on_curve().then_some(p)
    }

    /// `y² == x³ − 3x + b`.
    pub fn is_on_curve(&self) -> bool {
        let b = Fe::from_be_const(&B_BE);
        let x3 = self.x.square().mul(&self.x);
        let three_x = self.x.double().add(&self.x);
        self.y.square() == x3.sub(&three_x).add(&b)
    }

    /// Big-endian coordinates `(x, y)`.
    pub fn to_be_bytes(&self) -> ([u8; 32], [u8; 32]) {
        (self.x.to_be_bytes(), self.y.to_be_bytes())
    }

    /// The two Montgomery-form coordinates as 16 little-endian 32-bit words (x then y).
    pub fn to_words(&self) -> [u32; 16] {
        let mut out = [0u32; 16];
        let (x, y) = out.split_at_mut(8);
        x.copy_from_slice(&self.x.to_words());
        y.copy_from_slice(&self.y.to_words());
        out
    }

    /// The inverse of [`AffinePoint::to_words`]; `None` if a coordinate is not reduced. The
    /// point is not checked to be on the curve (a table is trusted as built).
    pub fn from_words(words: &[u32; 16]) -> Option<AffinePoint> {
        let mut x = [0u32; 8];
        let mut y = [0u32; 8];
        let (wx, wy) = words.split_at(8);
        x.copy_from_slice(wx);
        y.copy_from_slice(wy);
        Some(AffinePoint {
            x: Fe::from_words(&x)?,
            y: Fe::from_words(&y)?,
        })
    }

    /// `−self`.
    #[inline]
    pub(crate) fn neg(&self) -> AffinePoint {
        AffinePoint {
            x: self.x,
            y: self.y.neg(),
        }
    }
}

/// A point in Jacobian coordinates; Z = 0 is the point at infinity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jacobian {
    pub(crate) x: Fe,
    pub(crate) y: Fe,
    pub(crate) z: Fe,
}

impl Jacobian {
    /// The point at infinity, (1 : 1 : 0).
    pub(crate) const INFINITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    #[inline]
    pub(crate) fn from_affine(p: &AffinePoint) -> Jacobian {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }

    #[inline]
    pub(crate) fn is_infinity(&self) -> bool {
        self.z.is_zero()
    }

    /// `2·self` (dbl-2001-b, a = −3: 3M + 5S). Infinity doubles to infinity (Z3 = 2·Y·Z = 0);
    /// P-256 has no point of order 2, so Y = 0 never occurs for a finite point.
    #[inline]
    pub(crate) fn double(&self) -> Jacobian {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for an affine `q` (madd-2004-hmv: 8M + 3S), with the exceptional cases
    /// handled: `self` at infinity → `q`; `self == q` → doubling; `self == −q` → infinity.
    #[inline]
    pub(crate) fn add_affine(&self, q: &AffinePoint) -> Jacobian {
        if self.is_infinity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z.mul(&z1z1));
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if h.is_zero() {
            // Same x: the same point (r = 0) or its negative.
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = h.mul(&hh);
        let v = self.x.mul(&hh);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&hhh));
        let z3 = self.z.mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for Jacobian inputs (add-1998-cmo-2: 12M + 4S), exceptional cases handled
    /// as in [`Jacobian::add_affine`]. Used to build tables.
    pub(crate) fn add(&self, q: &Jacobian) -> Jacobian {
        if self.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z.mul(&z2z2));
        let s2 = q.y.mul(&self.z.mul(&z1z1));
        let h = u2.sub(&u1);
        let r = s2.sub(&s1);
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = h.mul(&hh);
        let v = u1.mul(&hh);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&hhh));
        let z3 = self.z.mul(&q.z).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// The affine form; `None` at infinity. One inversion: for tests and one-off use.
    #[cfg(test)]
    pub(crate) fn to_affine(self) -> Option<AffinePoint> {
        let zi = self.z.invert()?;
        let zi2 = zi.square();
        Some(AffinePoint {
            x: self.x.mul(&zi2),
            y: self.y.mul(&zi2.mul(&zi)),
        })
    }
}

/// Writes the affine form of each point `points` yields into `out` (as many as `out` holds),
/// with one field inversion per `scratch.len()` points (Montgomery's trick; one inversion in
/// all when `scratch` is at least as long as `out`).
///
/// To need only one field element of scratch per point, point k of a batch is stored
/// pre-scaled by λ = Z₀⋯Z_{k−1} (the same point with Z' = Z₀⋯Z_k, the running product),
/// so one backward pass from (Z₀⋯Z_last)⁻¹ gives every Z'⁻¹, stepping down by multiplying
/// with the stored Z_k. Returns `false` (and leaves `out` unspecified) if a point is at
/// infinity, which has no affine form, or `scratch` is empty.
pub(crate) fn normalize_into(
    points: &mut impl Iterator<Item = Jacobian>,
    out: &mut [AffinePoint],
    scratch: &mut [Fe],
) -> bool {
    if scratch.is_empty() {
        return false;
    }
    for chunk in out.chunks_mut(scratch.len()) {
        let Some(zs) = scratch.get_mut(..chunk.len()) else {
            return false;
        };
        let mut prod = Fe::ONE;
        for (slot, z) in chunk.iter_mut().zip(zs.iter_mut()) {
            let Some(p) = points.next() else {
                return false;
            };
            if p.is_infinity() {
                return false;
            }
            let l2 = prod.square();
            let l3 = l2.mul(&prod);
            *slot = AffinePoint {
                x: p.x.mul(&l2),
                y: p.y.mul(&l3),
            };
            *z = p.z;
            prod = prod.mul(&p.z);
        }
        let Some(mut inv) = prod.invert() else {
            return false;
        };
        for (slot, z) in chunk.iter_mut().zip(zs.iter()).rev() {
            let i2 = inv.square();
            let i3 = i2.mul(&inv);
            slot.x = slot.x.mul(&i2);
            slot.y = slot.y.mul(&i3);
            inv = inv.mul(z);
        }
    }
    true
}
