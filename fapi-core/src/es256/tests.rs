//! Unit tests of the internals against `p256`'s own arithmetic.

extern crate std;
use std::{vec, vec::Vec};

use super::digits::{SignedDigits, WNAF_LEN, wnaf};
use super::field::{Fe, P_BE, reverse32};
use super::point::{AffinePoint, Jacobian};
use super::scalar::{self, N_BE};
use super::table::{self, PointTable, Window};
use super::u256;
use super::verify::{P_MINUS_N_BE, PublicKey, final_check};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{FieldBytes, ProjectivePoint, Scalar};

/// splitmix64: deterministic test input.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for c in out.chunks_exact_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        out
    }
}

fn sc_be(b: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*b))
}

fn sc_le(b: &[u8; 32]) -> Scalar {
    sc_be(&reverse32(b))
}

fn from_p256(p: &ProjectivePoint) -> Option<AffinePoint> {
    if bool::from(p256::elliptic_curve::group::Group::is_identity(p)) {
        return None;
    }
    let a = p.to_affine();
    AffinePoint::from_be_bytes(&a.x().into(), &a.y().into())
}

fn jac_eq(j: &Jacobian, p: &ProjectivePoint) -> bool {
    match (j.to_affine(), from_p256(p)) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn random_point(rng: &mut Rng) -> (Scalar, AffinePoint) {
    let k = sc_be(&rng.bytes());
    (k, from_p256(&(ProjectivePoint::GENERATOR * k)).unwrap())
}

#[test]
fn field_decoding_is_range_checked() {
    assert!(Fe::from_be_bytes(&P_BE).is_none());
    assert!(Fe::from_be_bytes(&[0xff; 32]).is_none());
    let mut p_minus_1 = P_BE;
    p_minus_1[31] -= 1;
    let fe = Fe::from_be_bytes(&p_minus_1).unwrap();
    assert_eq!(fe.to_be_bytes(), p_minus_1);
    assert_eq!(fe.add(&Fe::ONE), Fe::ZERO);
    // p + 1: the low 96 bits of p are all ones, so the carry runs into bit 96.
    let mut p_plus_1 = P_BE;
    for b in &mut p_plus_1[20..] {
        *b = 0;
    }
    p_plus_1[19] = 1;
    assert!(p_plus_1 > P_BE);
    assert!(Fe::from_be_bytes(&p_plus_1).is_none());
    assert_eq!(Fe::from_be_bytes(&[0; 32]), Some(Fe::ZERO));
}

#[test]
fn field_words_round_trip_and_refuse_unreduced() {
    let mut rng = Rng(1);
    for _ in 0..100 {
        let mut b = rng.bytes();
        b[0] &= 0x7f;
        let fe = Fe::from_be_bytes(&b).unwrap();
        assert_eq!(Fe::from_words(&fe.to_words()), Some(fe));
    }
    assert_eq!(Fe::from_words(&[u32::MAX; 8]), None);
}

/// The word-wise range check of `Fe::from_words` against the big-endian byte comparison with
/// p, on words equal to p's in a random number of top words and random below (p − 1, p and
/// p + 1 included).
#[test]
fn field_words_range_check_matches_bytes() {
    let be = |w: &[u32; 8]| {
        let mut b = [0u8; 32];
        for (chunk, x) in b.chunks_exact_mut(4).zip(w.iter().rev()) {
            chunk.copy_from_slice(&x.to_be_bytes());
        }
        b
    };
    let mut p = [0u32; 8];
    for (i, chunk) in P_BE.chunks_exact(4).rev().enumerate() {
        p[i] = u32::from_be_bytes(chunk.try_into().unwrap());
    }
    let mut cases = [p; 3];
    cases[1][0] -= 1;
    cases[2][0] = 0;
    cases[2][1] = 0;
    cases[2][2] = 0;
    cases[2][3] = 1;
    assert!(Fe::from_words(&cases[0]).is_none(), "p");
    assert!(Fe::from_words(&cases[1]).is_some(), "p − 1");
    assert!(Fe::from_words(&cases[2]).is_none(), "p + 1");
    let mut rng = Rng(11);
    for i in 0..20_000 {
        let r = rng.bytes();
        let mut w = p;
        let keep = i % 9;
        for (j, x) in w.iter_mut().enumerate().take(8 - keep) {
            let b = &r[j * 4..j * 4 + 4];
            *x = match r[31 - j] % 4 {
                0 => p[j].wrapping_add(1),
                1 => p[j].wrapping_sub(1),
                _ => u32::from_le_bytes(b.try_into().unwrap()),
            };
        }
        assert_eq!(Fe::from_words(&w).is_some(), be(&w) < P_BE, "{w:x?}");
    }
}

#[test]
fn field_inversion_matches_fermat() {
    let mut p_minus_2 = P_BE;
    p_minus_2[31] -= 2;
    let mut rng = Rng(2);
    for i in 0..200 {
        let mut b = rng.bytes();
        if i == 0 {
            b = [0; 32];
            b[31] = 1;
        }
        if i == 1 {
            b = P_BE;
            b[31] -= 1;
        }
        let Some(a) = Fe::from_be_bytes(&b) else {
            continue;
        };
        let inv = a.invert().unwrap();
        assert_eq!(inv, a.pow_vartime(&p_minus_2));
        let p = u256::from_le_bytes(&reverse32(&P_BE));
        let x = u256::from_le_bytes(&reverse32(&b));
        assert_eq!(u256::inv_mod_vartime(&x, &p), u256::inv_mod_binary(&x, &p));
        assert_eq!(inv.mul(&a), Fe::ONE);
    }
    assert_eq!(Fe::ZERO.invert(), None);
}

#[test]
fn scalar_inversion_matches_p256() {
    let n = u256::from_le_bytes(&reverse32(&N_BE));
    let mut rng = Rng(3);
    for i in 0..300 {
        let mut b = rng.bytes();
        if i == 0 {
            b = N_BE;
            b[31] -= 1; // n − 1
        }
        if i == 1 {
            b = [0; 32];
            b[31] = 1;
        }
        if !scalar::in_range(&b) {
            continue;
        }
        let inv = u256::inv_mod_vartime(&u256::from_le_bytes(&reverse32(&b)), &n).unwrap();
        let want = sc_be(&b).invert().unwrap();
        assert_eq!(
            reverse32(&u256::to_le_bytes(&inv)),
            <[u8; 32]>::from(want.to_bytes())
        );
    }
    assert!(u256::inv_mod_vartime(&[0; 4], &n).is_none());
    assert!(u256::inv_mod_vartime(&n, &n).is_none());
}

#[test]
fn scalar_range_and_u1_u2() {
    assert!(!scalar::in_range(&[0; 32]));
    assert!(!scalar::in_range(&N_BE));
    assert!(!scalar::in_range(&[0xff; 32]));
    let mut n1 = N_BE;
    n1[31] -= 1;
    assert!(scalar::in_range(&n1));
    let mut rng = Rng(4);
    for i in 0..200 {
        let mut e = rng.bytes();
        if i == 0 {
            e = [0xff; 32]; // ≥ n: reduced
        }
        if i == 1 {
            e = N_BE; // ≡ 0
        }
        let (r, s) = (rng.bytes(), if i == 2 { n1 } else { rng.bytes() });
        if !scalar::in_range(&r) || !scalar::in_range(&s) {
            continue;
        }
        let (u1, u2) = scalar::u1_u2(&e, &r, &s).unwrap();
        let w = sc_be(&s).invert().unwrap();
        assert_eq!(sc_le(&u1), sc_be(&e) * w, "u1 #{i}");
        assert_eq!(sc_le(&u2), sc_be(&r) * w, "u2 #{i}");
        assert!(reverse32(&u1) < N_BE && reverse32(&u2) < N_BE);
    }
}

#[test]
fn point_formulas_match_p256_including_exceptional_cases() {
    let mut rng = Rng(5);
    let inf = Jacobian::INFINITY;
    for _ in 0..50 {
        let (a, pa) = random_point(&mut rng);
        let (b, pb) = random_point(&mut rng);
        let ja = Jacobian::from_affine(&pa);
        // Give the accumulator a Z ≠ 1, as it has in a verification.
        let ja2 = ja.double(); // 2a
        let ja_scaled = ja2.add(&Jacobian::from_affine(&pa.neg())); // 2a − a = a, Z ≠ 1
        assert!(jac_eq(&ja_scaled, &(ProjectivePoint::GENERATOR * a)));
        assert!(jac_eq(&ja2, &(ProjectivePoint::GENERATOR * (a + a))));
        // Generic mixed addition.
        let sum = ja_scaled.add_affine(&pb);
        assert!(jac_eq(&sum, &(ProjectivePoint::GENERATOR * (a + b))));
        // Equal inputs → doubling; opposite → infinity; infinity in → other out.
        assert!(jac_eq(
            &ja_scaled.add_affine(&pa),
            &(ProjectivePoint::GENERATOR * (a + a))
        ));
        let opp = ja_scaled.add_affine(&pa.neg());
        assert!(opp.is_infinity());
        assert!(!final_check(&opp, &[1; 32]));
        assert!(jac_eq(
            &inf.add_affine(&pb),
            &(ProjectivePoint::GENERATOR * b)
        ));
        // The same for the Jacobian + Jacobian addition (both Z ≠ 1).
        let jb2 = Jacobian::from_affine(&pb).double();
        assert!(jac_eq(
            &ja2.add(&jb2),
            &(ProjectivePoint::GENERATOR * (a + a + b + b))
        ));
        assert!(jac_eq(
            &ja_scaled.add(&ja),
            &(ProjectivePoint::GENERATOR * (a + a))
        ));
        assert!(
            ja_scaled
                .add(&Jacobian::from_affine(&pa.neg()))
                .is_infinity()
        );
        assert!(jac_eq(
            &inf.add(&ja2),
            &(ProjectivePoint::GENERATOR * (a + a))
        ));
        assert!(jac_eq(
            &ja2.add(&inf),
            &(ProjectivePoint::GENERATOR * (a + a))
        ));
        assert!(inf.add(&inf).is_infinity());
        assert!(inf.double().is_infinity());
    }
}

/// Σ d_i·2^(w·i) mod n from the digits of `k`, with every digit in range.
fn digits_value(k: &[u8; 32], w: Window) -> Scalar {
    let two_w = Scalar::from(1u64 << w.bits());
    let digits: Vec<(usize, i32)> = SignedDigits::new(k, w).collect();
    assert_eq!(digits.len(), w.windows());
    let mut acc = Scalar::ZERO;
    for (i, d) in digits.iter().rev() {
        let max = if *i + 1 == w.windows() {
            w.top_points() as i32
        } else {
            w.per_window() as i32
        };
        assert!(
            *d <= max && *d > -(w.per_window() as i32),
            "w{} digit {i} = {d}",
            w.bits()
        );
        if *i + 1 == w.windows() {
            assert!(*d >= 0);
        }
        acc *= two_w;
        let m = Scalar::from(u64::from(d.unsigned_abs()));
        acc = if *d < 0 { acc - m } else { acc + m };
    }
    acc
}

#[test]
fn signed_digits_reconstruct_every_window_width() {
    let mut rng = Rng(6);
    let mut n1 = N_BE;
    n1[31] -= 1;
    let mut specials = vec![[0u8; 32], [0xff; 32], reverse32(&n1), reverse32(&N_BE)];
    let mut top = [0u8; 32];
    top[31] = 0x80;
    specials.push(top);
    let mut one = [0u8; 32];
    one[0] = 1;
    specials.push(one);
    for bits in 2..=12 {
        let w = Window::new(bits).unwrap();
        for k in specials
            .iter()
            .copied()
            .chain((0..100).map(|_| rng.bytes()))
        {
            assert_eq!(digits_value(&k, w), sc_le(&k), "w{bits}");
        }
    }
    assert!(Window::new(1).is_none() && Window::new(13).is_none());
}

#[test]
fn wnaf_reconstructs() {
    let mut rng = Rng(7);
    let mut n1 = N_BE;
    n1[31] -= 1;
    for k in [[0u8; 32], [0xff; 32], reverse32(&n1)]
        .into_iter()
        .chain((0..200).map(|_| rng.bytes()))
    {
        for w in 2..=7u32 {
            let mut out = [0i8; WNAF_LEN];
            let len = wnaf(&k, w, &mut out);
            let mut acc = Scalar::ZERO;
            let mut last_nonzero: Option<usize> = None;
            for i in (0..len).rev() {
                let d = out[i];
                acc = acc + acc;
                if d != 0 {
                    assert!(d % 2 != 0 && i32::from(d).abs() < (1 << (w - 1)));
                    if let Some(j) = last_nonzero {
                        assert!(j - i >= w as usize, "adjacent non-zero digits");
                    }
                    last_nonzero = Some(i);
                    let m = Scalar::from(u64::from(d.unsigned_abs()));
                    acc = if d < 0 { acc - m } else { acc + m };
                }
            }
            assert_eq!(acc, sc_le(&k));
            assert!(out[len..].iter().all(|&d| d == 0));
        }
    }
}

#[test]
fn table_points_are_the_multiples() {
    let mut rng = Rng(8);
    let (k, p) = random_point(&mut rng);
    let key = PublicKey::from_xy(&p.to_be_bytes().0, &p.to_be_bytes().1).unwrap();
    for bits in [2, 5, 6] {
        let w = Window::new(bits).unwrap();
        let mut mem = vec![AffinePoint::ZERO; w.points()];
        // A scratch shorter than the table: several batches.
        let mut scratch = vec![Fe::ZERO; 37];
        let t = table::build(&key, w, &mut mem, &mut scratch).unwrap();
        assert_eq!(t.points().len(), w.points());
        let mut idx = 0;
        for i in 0..w.windows() {
            let count = if i + 1 == w.windows() {
                w.top_points()
            } else {
                w.per_window()
            };
            let mut base = k;
            for _ in 0..bits as usize * i {
                base = base + base;
            }
            for m in 1..=count {
                let want =
                    from_p256(&(ProjectivePoint::GENERATOR * (base * Scalar::from(m as u64))));
                assert_eq!(t.point(idx), want, "w{bits} window {i} m {m}");
                idx += 1;
            }
        }
        assert_eq!(t.point(idx), None);
        assert_eq!(idx, w.points());
    }
    // Sizes in the module doc.
    let sizes: Vec<(usize, usize, usize)> = (2..=12)
        .map(|b| {
            let w = Window::new(b).unwrap();
            (w.windows(), w.points(), w.bytes())
        })
        .collect();
    assert_eq!(
        sizes,
        [
            (129, 257, 16_448),
            (86, 342, 21_888),
            (65, 513, 32_832),
            (52, 818, 52_352),
            (43, 1_360, 87_040),
            (37, 2_320, 148_480),
            (33, 4_097, 262_208),
            (29, 7_184, 459_776),
            (26, 12_864, 823_296),
            (24, 23_560, 1_507_840),
            (22, 43_024, 2_753_536)
        ]
    );
}

#[test]
fn table_build_errors() {
    let w = Window::W4;
    let mut small = vec![AffinePoint::ZERO; w.points() - 1];
    let mut scratch = [Fe::ZERO; 8];
    assert_eq!(
        table::build_base(w, &mut small, &mut scratch).unwrap_err(),
        table::TableError::TooSmall { needed: 513 }
    );
    let mut mem = vec![AffinePoint::ZERO; w.points()];
    assert_eq!(
        table::build_base(w, &mut mem, &mut []).unwrap_err(),
        table::TableError::NoScratch
    );
    let t = table::build_base(w, &mut mem, &mut scratch).unwrap();
    assert_eq!(t.point(0), Some(AffinePoint::GENERATOR));
    let pts = t.points();
    assert!(table::Table::from_built(w, pts).is_some());
    assert!(table::Table::from_built(Window::W5, pts).is_none());
}

/// A point with x in [n, p): r = x − n must be accepted through the `r + n < p` branch.
#[test]
fn final_check_high_x_branch() {
    let n = u256::from_le_bytes(&reverse32(&N_BE));
    let mut found = 0;
    for t in 0u64..64 {
        // x = n + t
        let mut x = n;
        let (s, c) = x[0].overflowing_add(t);
        x[0] = s;
        let mut i = 1;
        let mut carry = c;
        while carry {
            let (s, c) = x[i].overflowing_add(1);
            x[i] = s;
            carry = c;
            i += 1;
        }
        let x_be = reverse32(&u256::to_le_bytes(&x));
        let mut sec1 = [0u8; 33];
        sec1[0] = 2;
        sec1[1..].copy_from_slice(&x_be);
        let Ok(pk) = p256::PublicKey::from_sec1_bytes(&sec1) else {
            continue;
        };
        found += 1;
        let a = pk.as_affine();
        let pt = AffinePoint::from_be_bytes(&a.x().into(), &a.y().into()).unwrap();
        // Z ≠ 1: go through a doubling and a subtraction.
        let j = Jacobian::from_affine(&pt)
            .double()
            .add(&Jacobian::from_affine(&pt.neg()));
        assert!(!j.z.is_zero() && j.z != Fe::ONE);
        let mut r = [0u8; 32];
        r[24..].copy_from_slice(&t.to_be_bytes());
        if t == 0 {
            assert!(!scalar::in_range(&r)); // r = 0 is refused before the check
            continue;
        }
        assert!(final_check(&j, &r), "x = n + {t}");
        let mut r1 = r;
        r1[31] ^= 1;
        assert!(!final_check(&j, &r1));
    }
    assert!(found > 10);
}

/// The optimised inversion against the plain binary one on values with special shapes
/// (small, powers of two, near the modulus, long runs of ones), mod n and mod p, and on a
/// composite odd modulus (a common factor must give `None`).
#[test]
fn inversion_edge_values() {
    let n = u256::from_le_bytes(&reverse32(&N_BE));
    let p = u256::from_le_bytes(&reverse32(&P_BE));
    let mut values: Vec<u256::U256> = Vec::new();
    for i in 0..256u32 {
        let mut x = [0u64; 4];
        x[(i / 64) as usize] = 1 << (i % 64);
        values.push(x); // 2^i
        let mut y = [u64::MAX; 4];
        for (j, limb) in y.iter_mut().enumerate() {
            let lo = 64 * j as u32;
            if i <= lo {
                *limb = 0;
            } else if i < lo + 64 {
                *limb = (1u64 << (i - lo)) - 1;
            }
        }
        values.push(y); // 2^i − 1
    }
    for d in 1..300u64 {
        values.push([d, 0, 0, 0]);
        let mut x = n;
        x[0] -= d;
        values.push(x);
        let mut y = p;
        y[0] -= d;
        values.push(y);
    }
    let mut rng = Rng(11);
    for _ in 0..2000 {
        let mut b = rng.bytes();
        // Sparse and dense shapes.
        if rng.next() & 1 == 0 {
            for byte in &mut b {
                *byte &= 0x81;
            }
        }
        values.push(u256::from_le_bytes(&b));
    }
    for m in [n, p] {
        for x in &values {
            assert_eq!(
                u256::inv_mod_vartime(x, &m),
                u256::inv_mod_binary(x, &m),
                "{x:x?}"
            );
        }
    }
    // 15 = 3·5 as a toy composite: 3 has no inverse, 7 does (13).
    assert_eq!(u256::inv_mod_vartime(&[3, 0, 0, 0], &[15, 0, 0, 0]), None);
    assert_eq!(
        u256::inv_mod_vartime(&[7, 0, 0, 0], &[15, 0, 0, 0]),
        Some([13, 0, 0, 0])
    );
    // Even modulus refused.
    assert_eq!(u256::inv_mod_vartime(&[3, 0, 0, 0], &[16, 0, 0, 0]), None);
}

#[test]
fn p_minus_n_constant() {
    // p − n = 0x4319055358e8617b0c46353d039cdaae (127 bits), computed independently.
    let mut want = [0u8; 32];
    want[16..].copy_from_slice(&[
        0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61, 0x7b, 0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c, 0xda,
        0xae,
    ]);
    assert_eq!(P_MINUS_N_BE, want);
}
