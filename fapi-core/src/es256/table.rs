//! Fixed-window tables of precomputed multiples, so that a scalar multiplication is only
//! additions (no doublings).
//!
//! # Layout
//!
//! For a point P and window width w (2 ≤ w ≤ 12), the scalar is split into
//! `W = ⌈257 / w⌉` signed digits `d_i ∈ [−2^(w−1)+1, 2^(w−1)]` (see `digits::SignedDigits`), so
//! `k·P = Σ d_i·(2^(w·i)·P)`. Window `i` stores the affine points `m·2^(w·i)·P` for
//! `m = 1 ..= 2^(w−1)`; a negative digit negates y. The top window only needs
//! `m ≤ 2^(256 − w·(W−1))` and stores no more. Point `m` of window `i` is at index
//! `i·2^(w−1) + m − 1`, so index 0 is P itself (checked by the verifier: a table is only ever
//! used for its own point).
//!
//! | w | windows | points | bytes (64 per point) |
//! |---|---:|---:|---:|
//! | 2 | 129 | 257 | 16,448 |
//! | 3 | 86 | 342 | 21,888 |
//! | 4 | 65 | 513 | 32,832 |
//! | 5 | 52 | 818 | 52,352 |
//! | 6 | 43 | 1,360 | 87,040 |
//! | 7 | 37 | 2,320 | 148,480 |
//! | 8 | 33 | 4,097 | 262,208 |
//! | 9 | 29 | 7,184 | 459,776 |
//! | 10 | 26 | 12,864 | 823,296 |
//! | 11 | 24 | 23,560 | 1,507,840 |
//! | 12 | 22 | 43,024 | 2,753,536 |
//!
//! A verification with tables for G and Q adds one point per non-zero digit: about
//! `W_G + W_Q` mixed additions (75 for G8/Q6, 69 for G10/Q6, 66 for G8/Q8), and no doubling.
//! G's table is one per process (or per shared region), so it can afford a wider window than
//! the per-key tables.

use super::field::Fe;
use super::point::{AffinePoint, Jacobian, normalize_into};
use super::verify::PublicKey;

/// A window width for a table: 2 to 12 bits. Wider windows: fewer additions per verify,
/// more memory (see the module doc for the sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window(u8);

impl Window {
    /// 4-bit windows: 513 points, 32,832 bytes.
    pub const W4: Window = Window(4);
    /// 5-bit windows: 818 points, 52,352 bytes.
    pub const W5: Window = Window(5);
    /// 6-bit windows: 1,360 points, 87,040 bytes.
    pub const W6: Window = Window(6);
    /// 7-bit windows: 2,320 points, 148,480 bytes.
    pub const W7: Window = Window(7);
    /// 8-bit windows: 4,097 points, 262,208 bytes.
    pub const W8: Window = Window(8);
    /// 10-bit windows: 12,864 points, 823,296 bytes (a G table for gateways).
    pub const W10: Window = Window(10);
    /// 12-bit windows: 43,024 points, 2,753,536 bytes.
    pub const W12: Window = Window(12);

    /// A window of `bits` bits; `None` outside 2..=12.
    pub const fn new(bits: u32) -> Option<Window> {
        if bits >= 2 && bits <= 12 {
            Some(Window(bits as u8))
        } else {
            None
        }
    }

    /// Width in bits.
    pub const fn bits(self) -> u32 {
        self.0 as u32
    }

    /// Number of windows (signed digits): ⌈257 / w⌉.
    pub const fn windows(self) -> usize {
        257usize.div_ceil(self.0 as usize)
    }

    /// Points stored per window (all but the top one): 2^(w−1).
    pub const fn per_window(self) -> usize {
        1 << (self.0 - 1)
    }

    /// Points stored in the top window: 2^(256 − w·(windows − 1)).
    pub const fn top_points(self) -> usize {
        1 << (256 - self.0 as usize * (self.windows() - 1))
    }

    /// Points in a table of this width: what its memory must hold.
    pub const fn points(self) -> usize {
        (self.windows() - 1) * self.per_window() + self.top_points()
    }

    /// Bytes of a table of this width (64 per point).
    pub const fn bytes(self) -> usize {
        self.points() * core::mem::size_of::<AffinePoint>()
    }

    /// Points in window `i`.
    const fn points_in(self, i: usize) -> usize {
        if i + 1 == self.windows() {
            self.top_points()
        } else {
            self.per_window()
        }
    }
}

/// Where a verifier reads a table's points from: a slice in caller memory ([`Table`]), or
/// anything else that can hand out the points a build wrote (e.g. words in a shared region).
pub trait PointTable {
    /// The table's window width.
    fn window(&self) -> Window;
    /// The point at `index` (layout in the module doc); `None` past the end.
    fn point(&self, index: usize) -> Option<AffinePoint>;
}

/// A built table: its window width and its points, borrowed from caller memory.
#[derive(Clone, Copy, Debug)]
pub struct Table<'t> {
    window: Window,
    points: &'t [AffinePoint],
}

impl<'t> Table<'t> {
    /// Re-borrows memory a [`build`] (or [`build_base`]) filled earlier, e.g. a slot of a
    /// key cache. `None` unless `points` has exactly `window.points()` points and the first one
    /// is on the curve. The contents are otherwise trusted: the verifier only checks that the
    /// first point is the key (or G) it is asked about.
    pub fn from_built(window: Window, points: &'t [AffinePoint]) -> Option<Table<'t>> {
        let first = points.first()?;
        (points.len() == window.points() && first.is_on_curve()).then_some(Table { window, points })
    }

    /// The points.
    pub fn points(&self) -> &'t [AffinePoint] {
        self.points
    }
}

impl PointTable for Table<'_> {
    #[inline]
    fn window(&self) -> Window {
        self.window
    }

    #[inline]
    fn point(&self, index: usize) -> Option<AffinePoint> {
        self.points.get(index).copied()
    }
}

impl<T: PointTable + ?Sized> PointTable for &T {
    #[inline]
    fn window(&self) -> Window {
        (**self).window()
    }

    #[inline]
    fn point(&self, index: usize) -> Option<AffinePoint> {
        (**self).point(index)
    }
}

/// Why a table could not be built or used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The output holds fewer points than [`Window::points`].
    TooSmall {
        /// Points needed.
        needed: usize,
    },
    /// No scratch was given (at least one field element is needed).
    NoScratch,
    /// A table given as G's table is not (its first point is not G).
    NotBaseTable,
    /// A table given as the key's table is for another point.
    NotKeyTable,
    /// A multiple came out at infinity while building; cannot happen for a point of the group
    /// (every multiple used is below the prime n), reported rather than assumed.
    Degenerate,
}

/// The table's points in index order, in Jacobian form: for each window, `m·B` for
/// `m = 1, 2, …` by repeated addition of `B = 2^(w·i)·P`, then `B ← 2^w·B` by doublings.
struct Multiples {
    window: Window,
    base: Jacobian,
    cur: Jacobian,
    i: usize,
    m: usize,
}

impl Multiples {
    /// The multiples of `p` for a table of width `window`, from index 0.
    fn new(p: &AffinePoint, window: Window) -> Self {
        Multiples {
            window,
            base: Jacobian::from_affine(p),
            cur: Jacobian::INFINITY,
            i: 0,
            m: 0,
        }
    }
}

impl Iterator for Multiples {
    type Item = Jacobian;

    fn next(&mut self) -> Option<Jacobian> {
        if self.i >= self.window.windows() {
            return None;
        }
        self.cur = if self.m == 0 {
            self.base
        } else {
            self.cur.add(&self.base)
        };
        self.m += 1;
        if self.m == self.window.points_in(self.i) {
            self.m = 0;
            self.i += 1;
            if self.i < self.window.windows() {
                for _ in 0..self.window.bits() {
                    self.base = self.base.double();
                }
            }
        }
        Some(self.cur)
    }
}

fn build_for<'t>(
    p: &AffinePoint,
    window: Window,
    out: &'t mut [AffinePoint],
    scratch: &mut [Fe],
) -> Result<Table<'t>, TableError> {
    let needed = window.points();
    let Some(out) = out.get_mut(..needed) else {
        return Err(TableError::TooSmall { needed });
    };
    if scratch.is_empty() {
        return Err(TableError::NoScratch);
    }
    let mut multiples = Multiples::new(p, window);
    // Every multiple m·2^(w·i) is below n and n is prime, so no point is at infinity and
    // normalisation cannot fail for a point on the curve.
    if !normalize_into(&mut multiples, out, scratch) {
        return Err(TableError::Degenerate);
    }
    Ok(Table {
        window,
        points: out,
    })
}

/// Builds the table of a key into `out` (at least `window.points()` points; the rest is left
/// alone), with `scratch` for the batch normalisation: one field inversion per
/// `scratch.len()` points, so one inversion in all with `window.points()` elements of scratch.
///
/// # Errors
/// [`TableError::TooSmall`] or [`TableError::NoScratch`].
pub fn build<'t>(
    key: &PublicKey,
    window: Window,
    out: &'t mut [AffinePoint],
    scratch: &mut [Fe],
) -> Result<Table<'t>, TableError> {
    build_for(&key.point(), window, out, scratch)
}

/// Builds the table of `key` in pieces and hands each point to `sink` with its index (layout
/// in the module doc), for tables kept somewhere a slice cannot borrow, e.g. 32-bit words in
/// memory shared between processes. `chunk` holds the points of one piece and `scratch` its
/// batch normalisation (one field inversion per piece): both at least one element, at most
/// `chunk.len()` of `scratch` used.
///
/// # Errors
/// [`TableError::NoScratch`] if either buffer is empty, [`TableError::Degenerate`] (cannot
/// happen for a point of the group).
pub fn build_each(
    key: &PublicKey,
    window: Window,
    chunk: &mut [AffinePoint],
    scratch: &mut [Fe],
    sink: impl FnMut(usize, &AffinePoint),
) -> Result<(), TableError> {
    build_each_for(&key.point(), window, chunk, scratch, sink)
}

/// [`build_each`] for the base point G.
///
/// # Errors
/// As [`build_each`].
pub fn build_base_each(
    window: Window,
    chunk: &mut [AffinePoint],
    scratch: &mut [Fe],
    sink: impl FnMut(usize, &AffinePoint),
) -> Result<(), TableError> {
    build_each_for(&AffinePoint::GENERATOR, window, chunk, scratch, sink)
}

fn build_each_for(
    p: &AffinePoint,
    window: Window,
    chunk: &mut [AffinePoint],
    scratch: &mut [Fe],
    mut sink: impl FnMut(usize, &AffinePoint),
) -> Result<(), TableError> {
    let per = chunk.len().min(scratch.len());
    if per == 0 {
        return Err(TableError::NoScratch);
    }
    let mut multiples = Multiples::new(p, window);
    let total = window.points();
    let mut done = 0;
    while done < total {
        let n = per.min(total - done);
        let Some(out) = chunk.get_mut(..n) else {
            return Err(TableError::NoScratch);
        };
        if !normalize_into(&mut multiples, out, scratch) {
            return Err(TableError::Degenerate);
        }
        for (k, point) in out.iter().enumerate() {
            sink(done + k, point);
        }
        done += n;
    }
    Ok(())
}

/// Builds the table of the base point G (shared by every key), as [`build`].
///
/// # Errors
/// [`TableError::TooSmall`] or [`TableError::NoScratch`].
pub fn build_base<'t>(
    window: Window,
    out: &'t mut [AffinePoint],
    scratch: &mut [Fe],
) -> Result<Table<'t>, TableError> {
    build_for(&AffinePoint::GENERATOR, window, out, scratch)
}
