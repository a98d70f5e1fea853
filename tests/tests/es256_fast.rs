//! Differential tests of the fast ES256 path (`fapi_core::es256`) against `p256`'s
//! `VerifyingKey::verify_prehash`: every verdict of every path and window configuration must
//! equal p256's, and, for the named cases, the expected verdict written next to the case.
//!
//! - `wycheproof_p1363` / `wycheproof_der`: every case of both Wycheproof ECDSA P-256 SHA-256
//!   files (counts asserted).
//! - `named_exceptional_cases`: signatures built so that the accumulator meets the
//!   exceptional cases of the incomplete addition (u1·G = ±u2·Q, an accumulator equal to the
//!   next table point or its negative), keys whose R has x ≥ n (the `r + n < p` branch), and
//!   edge scalars.
//! - `random_differential`: random keys, valid signatures and tampered ones. 100,000
//!   verdicts in a release build (`cargo test --release -p fapi-tests --test es256_fast`, as
//!   `scripts/test-all.sh` runs it); a debug build runs 4,000 unless `FAPI_ES256_RANDOM`
//!   says how many.

use fapi_core::es256::{
    self, AffinePoint, Fe, PointTable, PublicKey, Table, Window, verify_with_base_table,
    verify_with_tables, verify_without_tables,
};
use fapi_tests::alloc_count::{Counting, count};
use fapi_tests::hex;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::FromSec1Point;
use p256::{FieldBytes, ProjectivePoint, Scalar};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Release builds check every configuration; debug builds (the workspace's plain
/// `cargo test`, where fapi-core is unoptimised: a table point costs ~40 µs to build there)
/// check two configurations with small key tables and one G table for the wNAF path.
const FULL: bool = !cfg!(debug_assertions);

/// (G bits, Q bits) of the table configurations checked on every case.
const CONFIGS: &[(u32, u32)] = if FULL {
    &[(8, 6), (8, 4), (4, 4), (2, 7), (5, 8), (6, 2)]
} else {
    &[(8, 4), (4, 2)]
};
/// Q window widths the configurations need.
const Q_BITS: &[u32] = if FULL { &[6, 4, 7, 8, 2] } else { &[4, 2] };
/// G tables for the path that computes the key's part by wNAF.
const G_FOR_WNAF: &[u32] = if FULL { &[8, 3] } else { &[8] };

/// G's table for each width, built once per test binary.
fn g_table(bits: u32) -> Table<'static> {
    static TABLES: [OnceLock<Vec<AffinePoint>>; 9] = [const { OnceLock::new() }; 9];
    let w = Window::new(bits).unwrap();
    let points = TABLES[bits as usize].get_or_init(|| {
        let mut mem = vec![AffinePoint::ZERO; w.points()];
        let mut scratch = vec![Fe::ZERO; w.points()];
        es256::build_base(w, &mut mem, &mut scratch).unwrap();
        mem
    });
    Table::from_built(w, points).unwrap()
}

/// A key with its tables.
struct FastKey {
    vk: VerifyingKey,
    key: PublicKey,
    q: Vec<(u32, Vec<AffinePoint>)>,
}

impl FastKey {
    fn new(vk: VerifyingKey, q_bits: &[u32]) -> Self {
        let key = PublicKey::from_verifying_key(&vk).unwrap();
        let q = q_bits
            .iter()
            .map(|&b| {
                let w = Window::new(b).unwrap();
                let mut mem = vec![AffinePoint::ZERO; w.points()];
                let mut scratch = vec![Fe::ZERO; w.points()];
                es256::build(&key, w, &mut mem, &mut scratch).unwrap();
                (b, mem)
            })
            .collect();
        FastKey { vk, key, q }
    }

    fn q_table(&self, bits: u32) -> Option<Table<'_>> {
        let (_, mem) = self.q.iter().find(|(b, _)| *b == bits)?;
        Table::from_built(Window::new(bits).unwrap(), mem)
    }
}

/// p256's verdict; a signature whose r or s is out of range does not parse, which is a "no".
fn p256_verdict(vk: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
    Signature::from_slice(sig).is_ok_and(|s| vk.verify_prehash(digest, &s).is_ok())
}

/// Checks every fast path against p256 and returns p256's verdict and the number of fast
/// verdicts compared. `all_paths = false` checks only the configurations whose Q table the key
/// has, plus the two table-less paths every 8th call (the random run).
fn check(k: &FastKey, digest: &[u8; 32], sig: &[u8; 64], what: &str) -> (bool, usize) {
    let want = p256_verdict(&k.vk, digest, sig);
    let mut n = 0;
    for &(gb, qb) in CONFIGS {
        if let Some(q) = k.q_table(qb) {
            let got = verify_with_tables(&g_table(gb), &q, &k.key, digest, sig);
            assert_eq!(got, Ok(want), "{what}: G{gb}/Q{qb}");
            n += 1;
        }
    }
    for &gb in G_FOR_WNAF {
        assert_eq!(
            verify_with_base_table(&g_table(gb), &k.key, digest, sig),
            Ok(want),
            "{what}: G{gb} table, key by wNAF"
        );
        n += 1;
    }
    assert_eq!(
        verify_without_tables(&k.key, digest, sig),
        want,
        "{what}: no tables"
    );
    (want, n + 1)
}

fn sig64(r: &Scalar, s: &Scalar) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&r.to_bytes());
    out[32..].copy_from_slice(&s.to_bytes());
    out
}

fn be32(s: &Scalar) -> [u8; 32] {
    s.to_bytes().into()
}

fn reduce(x: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*x))
}

fn vk_of(p: &ProjectivePoint) -> VerifyingKey {
    VerifyingKey::from_affine(p.to_affine()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Wycheproof

fn wycheproof(file: &str) -> Value {
    let path = format!("{}/vectors/wycheproof/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn group_key(g: &Value) -> FastKey {
    let pk = &g["publicKey"];
    let vk = VerifyingKey::from_sec1_bytes(&hex(pk["uncompressed"].as_str().unwrap())).unwrap();
    let coord = |name: &str| -> [u8; 32] {
        let b = hex(pk[name].as_str().unwrap());
        let skip = b.len().saturating_sub(32);
        assert!(b[..skip].iter().all(|&x| x == 0));
        let mut out = [0u8; 32];
        out[32 - (b.len() - skip)..].copy_from_slice(&b[skip..]);
        out
    };
    let from_xy = PublicKey::from_xy(&coord("wx"), &coord("wy")).unwrap();
    let k = FastKey::new(vk, Q_BITS);
    assert_eq!(from_xy, k.key, "wx/wy and the uncompressed point disagree");
    k
}

/// The two INTEGERs of a DER `SEQUENCE { r, s }`, leniently (short or long lengths, extra
/// zeros allowed), left-padded to 32 octets each; `None` if that does not parse or either is
/// longer than 32 octets once leading zeros are dropped. Strict parsing is p256's job; this
/// only exposes the raw integers of malformed encodings to both verifiers.
fn der_integers_lenient(der: &[u8]) -> Option<[u8; 64]> {
    fn len(b: &[u8]) -> Option<(usize, &[u8])> {
        let (&first, rest) = b.split_first()?;
        if first < 0x80 {
            return Some((first as usize, rest));
        }
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 2 || rest.len() < n {
            return None;
        }
        let v = rest[..n].iter().fold(0usize, |a, &x| a << 8 | x as usize);
        Some((v, &rest[n..]))
    }
    fn integer(b: &[u8]) -> Option<([u8; 32], &[u8])> {
        let (&tag, rest) = b.split_first()?;
        if tag != 0x02 {
            return None;
        }
        let (l, rest) = len(rest)?;
        if rest.len() < l {
            return None;
        }
        let (v, rest) = rest.split_at(l);
        let skip = v.iter().take_while(|&&x| x == 0).count();
        let v = &v[skip..];
        if v.len() > 32 {
            return None;
        }
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(v);
        Some((out, rest))
    }
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (_, body) = len(rest)?;
    let (r, body) = integer(body)?;
    let (s, _) = integer(body)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&r);
    out[32..].copy_from_slice(&s);
    Some(out)
}

#[test]
fn wycheproof_p1363() {
    let v = wycheproof("ecdsa_secp256r1_sha256_p1363_test.json");
    let (mut cases, mut valid, mut invalid, mut wrong_len, mut compared) = (0, 0, 0, 0, 0);
    for g in v["testGroups"].as_array().unwrap() {
        let k = group_key(g);
        for t in g["tests"].as_array().unwrap() {
            cases += 1;
            let id = t["tcId"].as_u64().unwrap();
            let expect_valid = match t["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: result {other}"),
            };
            let digest: [u8; 32] = Sha256::digest(hex(t["msg"].as_str().unwrap())).into();
            let sig = hex(t["sig"].as_str().unwrap());
            let Ok(sig) = <[u8; 64]>::try_from(&sig[..]) else {
                // Not 64 octets: no ES256 signature, refused before any arithmetic.
                assert!(!expect_valid, "tcId {id}");
                assert!(Signature::from_slice(&sig).is_err(), "tcId {id}");
                wrong_len += 1;
                continue;
            };
            let (verdict, n) = check(&k, &digest, &sig, &format!("p1363 tcId {id}"));
            assert_eq!(verdict, expect_valid, "tcId {id}: p256 against Wycheproof");
            compared += n;
            if verdict {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
    }
    println!(
        "p1363: {cases} cases: {valid} valid, {invalid} invalid, {wrong_len} not 64 octets; {compared} fast verdicts equal to p256's"
    );
    assert_eq!(cases, v["numberOfTests"].as_u64().unwrap() as usize);
    assert_eq!((cases, valid, invalid + wrong_len), (262, 173, 89));
}

#[test]
fn wycheproof_der() {
    let v = wycheproof("ecdsa_secp256r1_sha256_test.json");
    let (mut cases, mut valid, mut invalid, mut der_refused, mut raw, mut compared) =
        (0, 0, 0, 0, 0, 0);
    for g in v["testGroups"].as_array().unwrap() {
        let k = group_key(g);
        for t in g["tests"].as_array().unwrap() {
            cases += 1;
            let id = t["tcId"].as_u64().unwrap();
            let expect_valid = t["result"].as_str().unwrap() == "valid";
            assert!(expect_valid || t["result"] == "invalid", "tcId {id}");
            let digest: [u8; 32] = Sha256::digest(hex(t["msg"].as_str().unwrap())).into();
            let der = hex(t["sig"].as_str().unwrap());
            match Signature::from_der(&der) {
                Ok(sig) => {
                    let sig: [u8; 64] = sig.to_bytes().into();
                    let (verdict, n) = check(&k, &digest, &sig, &format!("DER tcId {id}"));
                    assert_eq!(verdict, expect_valid, "tcId {id}: p256 against Wycheproof");
                    compared += n;
                    if verdict {
                        valid += 1;
                    } else {
                        invalid += 1;
                    }
                }
                Err(_) => {
                    assert!(
                        !expect_valid,
                        "tcId {id}: p256 refused the DER of a valid case"
                    );
                    der_refused += 1;
                }
            }
            // Whatever the encoding's defects, the raw integers (when they fit) get the same
            // verdict from both: out-of-range r or s (0, n, ≥ n) in particular.
            if let Some(sig) = der_integers_lenient(&der) {
                let (_, n) = check(&k, &digest, &sig, &format!("DER tcId {id} (raw r, s)"));
                compared += n;
                raw += 1;
            }
        }
    }
    println!(
        "DER: {cases} cases: {valid} valid, {invalid} invalid after parsing, {der_refused} DER refused by p256; \
         {raw} raw (r, s) pairs also compared; {compared} fast verdicts equal to p256's"
    );
    assert_eq!(cases, v["numberOfTests"].as_u64().unwrap() as usize);
    assert_eq!((cases, valid, invalid + der_refused), (484, 174, 310));
}

// ---------------------------------------------------------------------------------------
// Named cases

struct Case {
    name: String,
    vk: VerifyingKey,
    digest: [u8; 32],
    sig: [u8; 64],
    expect: bool,
}

/// A signature under Q = k·G with chosen u1, u2: R = u1·G + u2·Q, r = x(R) mod n,
/// s = r/u2, e = u1·s (so that e/s = u1 and r/s = u2). If R is at infinity there is no r:
/// r = 1 is used and the signature is invalid.
fn with_u1_u2(name: &str, k: Scalar, u1: Scalar, u2: Scalar) -> Case {
    let q = ProjectivePoint::GENERATOR * k;
    let r_point = ProjectivePoint::GENERATOR * u1 + q * u2;
    let finite = !bool::from(p256::elliptic_curve::group::Group::is_identity(&r_point));
    let r = if finite {
        reduce(&r_point.to_affine().x().into())
    } else {
        Scalar::ONE
    };
    let s = r * u2.invert().unwrap();
    let e = u1 * s;
    Case {
        name: name.to_string(),
        vk: vk_of(&q),
        digest: be32(&e),
        sig: sig64(&r, &s),
        expect: finite && r != Scalar::ZERO,
    }
}

/// The key-substitution construction: for any finite R, digest e and s, the key
/// Q = u2⁻¹·(R − u1·G) with u1 = e/s, u2 = r/s, r = x(R) mod n accepts (r, s) on e.
fn with_r_point(name: &str, r_point: ProjectivePoint, e: Scalar, s: Scalar) -> Case {
    let r = reduce(&r_point.to_affine().x().into());
    let w = s.invert().unwrap();
    let (u1, u2) = (e * w, r * w);
    let q = (r_point - ProjectivePoint::GENERATOR * u1) * u2.invert().unwrap();
    Case {
        name: name.to_string(),
        vk: vk_of(&q),
        digest: be32(&e),
        sig: sig64(&r, &s),
        expect: true,
    }
}

/// The point with x-coordinate `x` (big-endian, < p) and even y, if there is one.
fn point_with_x(x: &[u8; 32]) -> Option<ProjectivePoint> {
    let mut sec1 = [0u8; 33];
    sec1[0] = 2;
    sec1[1..].copy_from_slice(x);
    p256::AffinePoint::from_sec1_bytes(&sec1)
        .ok()
        .map(ProjectivePoint::from)
}

fn scalar_u64(v: u64) -> Scalar {
    Scalar::from(v)
}

fn pow2(e: u32) -> Scalar {
    let mut x = Scalar::ONE;
    for _ in 0..e {
        x = x + x;
    }
    x
}

/// The big-endian octets of the integer n + t (t small): values in [n, p) as x-coordinates,
/// or out-of-range scalars.
fn n_plus(t: u64) -> [u8; 32] {
    let mut x: [u8; 32] = be32(&(-Scalar::ONE)); // n − 1
    let mut carry = t + 1;
    for b in x.iter_mut().rev() {
        let v = u64::from(*b) + (carry & 0xff);
        *b = v as u8;
        carry = (carry >> 8) + (v >> 8);
    }
    x
}

fn named_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let k = reduce(&Sha256::digest(b"named-case key").into());
    let two = |e| pow2(e);

    // 1. The exceptional cases of the final addition.
    cases.push(with_u1_u2(
        "u1·G = u2·Q: the last addition meets equal points (u1 = k, u2 = 1)",
        k,
        k,
        Scalar::ONE,
    ));
    cases.push(with_u1_u2(
        "u1·G = −u2·Q: the sum is the point at infinity (u1 = −k, u2 = 1)",
        k,
        -k,
        Scalar::ONE,
    ));
    cases.push(with_u1_u2(
        "u1·G = −u2·Q with a u2 of many digits (sum at infinity)",
        k,
        -(k * reduce(&[0x5a; 32])),
        reduce(&[0x5a; 32]),
    ));
    cases.push(with_u1_u2(
        "u1·G = u2·Q with a u2 of many digits",
        k,
        k * reduce(&[0xa5; 32]),
        reduce(&[0xa5; 32]),
    ));

    // 2. Mid-way: the accumulator (G part done, then the Q digits from the lowest window)
    //    equals the next Q table point, or its negative, for each Q window width.
    for &w in Q_BITS {
        let tw = two(w);
        cases.push(with_u1_u2(
            &format!("Q{w}: accumulator equals the next Q table point (u2 = 1 + 2^{w}, u1 = k·(2^{w} − 1))"),
            k,
            k * (tw - Scalar::ONE),
            Scalar::ONE + tw,
        ));
        cases.push(with_u1_u2(
            &format!("Q{w}: accumulator is the negative of the next Q table point, then goes on from infinity (u2 = 1 + 2^{w} + 2^{}, u1 = −k·(2^{w} + 1))", 2 * w),
            k,
            -(k * (tw + Scalar::ONE)),
            Scalar::ONE + tw + two(2 * w),
        ));
    }
    // For the paths that add G's digits last (key by wNAF): the accumulator u2·Q meets the
    // next G table point. Q = (2^w − 1)·G, u2 = 1, u1 = 1 + 2^w: Q + G = 2^w·G, then + 2^w·G.
    for &w in G_FOR_WNAF {
        let tw = two(w);
        cases.push(with_u1_u2(
            &format!("G{w} last: accumulator equals the next G table point"),
            tw - Scalar::ONE,
            Scalar::ONE + tw,
            Scalar::ONE,
        ));
        cases.push(with_u1_u2(
            &format!("G{w} last: accumulator meets the negative of a G table point, goes on from infinity"),
            -(tw + Scalar::ONE),
            Scalar::ONE + tw + two(2 * w),
            Scalar::ONE,
        ));
    }
    // Q = G and Q = −G: both tables hold the same points (or their negatives), and the
    // interleaved NAFs of the table-less path add the same point twice at the top digit.
    let u = reduce(&Sha256::digest(b"u").into());
    cases.push(with_u1_u2(
        "Q = G, u1 = u2 = 1",
        Scalar::ONE,
        Scalar::ONE,
        Scalar::ONE,
    ));
    cases.push(with_u1_u2("Q = G, u1 = u2 (random)", Scalar::ONE, u, u));
    cases.push(with_u1_u2("Q = G, u1 = −u2 (infinity)", Scalar::ONE, -u, u));
    cases.push(with_u1_u2("Q = −G, u1 = u2 (infinity)", -Scalar::ONE, u, u));
    cases.push(with_u1_u2("Q = −G, u1 = −u2", -Scalar::ONE, -u, u));
    cases.push(with_u1_u2("Q = 2G, u1 = 2·u2", scalar_u64(2), u + u, u));

    // 3. Edge scalars.
    let n1 = -Scalar::ONE;
    let all_ones_255 = two(255) - Scalar::ONE;
    let all_ones_256 = reduce(&[0xff; 32]); // 2^256 − 1 mod n
    for (name, u1, u2) in [
        ("u1 = 0 (digest 0): no G digit at all", Scalar::ZERO, u),
        ("u1 = 1, u2 = 1", Scalar::ONE, Scalar::ONE),
        ("u1 = n − 1, u2 = n − 1", n1, n1),
        (
            "u1 = 2^255 − 1 (all ones), u2 = 2^256 − 1 mod n",
            all_ones_255,
            all_ones_256,
        ),
        ("u1 = 2^255, u2 = 2^255 (one top digit)", two(255), two(255)),
        (
            "u1 = 2^128 − 1, u2 = 1",
            two(128) - Scalar::ONE,
            Scalar::ONE,
        ),
        ("u1 = 0, u2 = n − 1", Scalar::ZERO, n1),
    ] {
        cases.push(with_u1_u2(name, k, u1, u2));
    }
    let r_any = ProjectivePoint::GENERATOR * reduce(&Sha256::digest(b"R").into());
    let e_any = reduce(&Sha256::digest(b"e").into());
    cases.push(with_r_point("s = n − 1", r_any, e_any, n1));
    cases.push(with_r_point("s = 1", r_any, e_any, Scalar::ONE));
    cases.push(with_r_point(
        "s = 2^255 − 1 (all ones)",
        r_any,
        e_any,
        all_ones_255,
    ));
    cases.push(with_r_point("e = 0, s = n − 1", r_any, Scalar::ZERO, n1));
    // Digests ≥ n reduce: the octets n and 2^256 − 1 stand for e = 0 and 2^256 − 1 − n.
    let mut c = with_r_point("digest = n (≡ 0)", r_any, Scalar::ZERO, u);
    c.digest = n_plus(0);
    cases.push(c);
    let mut c = with_r_point("digest = 2^256 − 1 (≥ n, reduced)", r_any, all_ones_256, u);
    c.digest = [0xff; 32];
    cases.push(c);

    // 4. x(R) in [n, p): r = x − n, accepted through the `r + n < p` comparison.
    let mut high = 0;
    for t in 0..40u64 {
        let x = n_plus(t); // n + t
        let Some(rp) = point_with_x(&x) else { continue };
        let c = with_r_point(
            &format!("x(R) = n + {t}: r = {t}, the r + n < p branch"),
            rp,
            e_any,
            u,
        );
        if t == 0 {
            // r = 0 is out of range: there is no valid signature with x(R) = n.
            let mut c = c;
            c.name = "x(R) = n: r = 0, refused".to_string();
            c.expect = false;
            cases.push(c);
            continue;
        }
        let mut tampered = Case {
            name: format!("x(R) = n + {t}, r + 1"),
            vk: c.vk,
            digest: c.digest,
            sig: c.sig,
            expect: false,
        };
        let r1 = scalar_be(&c.sig[..32]) + Scalar::ONE;
        tampered.sig[..32].copy_from_slice(&r1.to_bytes());
        let mut unreduced = Case {
            name: format!("x(R) = n + {t}, r = x(R) itself (≥ n, out of range)"),
            vk: c.vk,
            digest: c.digest,
            sig: c.sig,
            expect: false,
        };
        unreduced.sig[..32].copy_from_slice(&x);
        cases.push(c);
        cases.push(tampered);
        cases.push(unreduced);
        high += 1;
        if high == 4 {
            break;
        }
    }
    assert!(high >= 4, "too few points with x in [n, p)");
    // r = n − 1 needs x(R) = n − 1; r = 1 with x(R) = 1.
    for (label, x) in [("n − 1", be32(&n1)), ("1", be32(&Scalar::ONE))] {
        if let Some(rp) = point_with_x(&x) {
            cases.push(with_r_point(
                &format!("r = {label} (x(R) = {label})"),
                rp,
                e_any,
                u,
            ));
        }
    }

    // 5. Out-of-range r and s with an otherwise valid signature.
    let base = with_u1_u2("base", k, u, reduce(&Sha256::digest(b"u2").into()));
    let n_be = n_plus(0);
    for (name, r, s) in [
        ("r = 0", Some([0u8; 32]), None),
        ("s = 0", None, Some([0u8; 32])),
        ("r = n", Some(n_be), None),
        ("s = n", None, Some(n_be)),
        ("r = 2^256 − 1", Some([0xff; 32]), None),
        ("s = 2^256 − 1", None, Some([0xff; 32])),
        ("r = s = 0", Some([0; 32]), Some([0; 32])),
    ] {
        let mut sig = base.sig;
        if let Some(r) = r {
            sig[..32].copy_from_slice(&r);
        }
        if let Some(s) = s {
            sig[32..].copy_from_slice(&s);
        }
        cases.push(Case {
            name: name.to_string(),
            vk: base.vk,
            digest: base.digest,
            sig,
            expect: false,
        });
    }
    // s + n = s mod n would verify if s were reduced instead of range-checked: n + s fits in
    // 256 bits only for s < 2^256 − n, so pick such an s via the construction with s small.
    let small_s = with_r_point("s = 5", r_any, e_any, scalar_u64(5));
    let mut s_plus_n = Case {
        name: "s + n in place of s (unreduced, refused)".to_string(),
        vk: small_s.vk,
        digest: small_s.digest,
        sig: small_s.sig,
        expect: false,
    };
    s_plus_n.sig[32..].copy_from_slice(&n_plus(5));
    cases.push(small_s);
    cases.push(s_plus_n);
    cases.push(base);
    cases
}

fn scalar_be(b: &[u8]) -> Scalar {
    reduce(&<[u8; 32]>::try_from(b).unwrap())
}

#[test]
fn named_exceptional_cases() {
    let cases = named_cases();
    let mut compared = 0;
    for c in &cases {
        let k = FastKey::new(c.vk, Q_BITS);
        let (verdict, n) = check(&k, &c.digest, &c.sig, &c.name);
        assert_eq!(verdict, c.expect, "{}: p256's verdict", c.name);
        compared += n;
        println!("  {:<5} {}", if c.expect { "valid" } else { "bad" }, c.name);
    }
    println!(
        "{} named cases, {compared} fast verdicts equal to p256's and to the expected one",
        cases.len()
    );
}

// ---------------------------------------------------------------------------------------
// Random

/// splitmix64.
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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Tally {
    valid: usize,
    tampered: usize,
    still_valid: usize,
    compared: usize,
}

/// Keys `keys` (by index), `per_key` valid + tampered pairs each, from a seed per key.
fn random_keys(keys: impl Iterator<Item = usize>, per_key: usize) -> Tally {
    let mut t = Tally::default();
    let mut prev: Option<([u8; 32], [u8; 64])> = None;
    for ki in keys {
        let mut rng = Rng(0x5eed_e525_6000 + ki as u64);
        let sk = loop {
            if let Ok(sk) = SigningKey::from_slice(&rng.bytes()) {
                break sk;
            }
        };
        // Each key gets one Q window width (all widths are covered across keys).
        let qb = Q_BITS[ki % Q_BITS.len()];
        let k = FastKey::new(*sk.verifying_key(), &[qb]);
        for i in 0..per_key {
            let digest = rng.bytes();
            let sig: Signature = sk.sign_prehash(&digest).unwrap();
            let sig: [u8; 64] = sig.to_bytes().into();
            // Every 8th signature also goes through the table-less paths.
            let full = i % 8 == 0;
            let (ok, n) = if full {
                check(&k, &digest, &sig, &format!("key {ki} sig {i}"))
            } else {
                check_fast_only(&k, &digest, &sig, qb)
            };
            assert!(ok, "p256 refused its own signature");
            t.compared += n;
            t.valid += 1;

            // A tampered copy, one of several kinds in turn.
            let (mut d2, mut s2) = (digest, sig);
            let kind = rng.below(9);
            match kind {
                0 => d2[rng.below(32) as usize] ^= 1 << rng.below(8),
                1 => s2[rng.below(32) as usize] ^= 1 << rng.below(8),
                2 => s2[32 + rng.below(32) as usize] ^= 1 << rng.below(8),
                3 => {
                    // n − s: the other valid s (ECDSA malleability; both accept).
                    let s = scalar_be(&s2[32..]);
                    s2[32..].copy_from_slice(&(-s).to_bytes());
                }
                4 => {
                    // r below p − n: the second comparison (r + n)·Z² runs.
                    s2[..16].fill(0);
                }
                5 => {
                    let (r, s) = s2.split_at_mut(32);
                    r.swap_with_slice(s);
                }
                6 => d2 = rng.bytes(),
                7 => {
                    // Another key's signature (the previous key's last one).
                    if let Some((pd, ps)) = prev {
                        d2 = pd;
                        s2 = ps;
                    } else {
                        d2[0] ^= 0x80;
                    }
                }
                _ => {
                    // r + 1 (the nearest wrong r).
                    let r = scalar_be(&s2[..32]) + Scalar::ONE;
                    s2[..32].copy_from_slice(&r.to_bytes());
                }
            }
            let (ok2, n) = if full {
                check(&k, &d2, &s2, &format!("key {ki} sig {i} tampered ({kind})"))
            } else {
                check_fast_only(&k, &d2, &s2, qb)
            };
            if ok2 {
                t.still_valid += 1;
                assert_eq!(kind, 3, "p256 accepted a tampered signature of kind {kind}");
            }
            t.compared += n;
            t.tampered += 1;
            if i + 1 == per_key {
                prev = Some((digest, sig));
            }
        }
    }
    t
}

#[test]
fn random_differential() {
    let total: usize = std::env::var("FAPI_ES256_RANDOM")
        .ok()
        .map(|v| v.parse().unwrap())
        .unwrap_or(if FULL { 100_000 } else { 2_000 });
    let keys = (total / 1_000).clamp(4, 100);
    let per_key = total.div_ceil(keys * 2); // one valid and one tampered verdict each
    // Two threads (keys split even/odd): the run is CPU-bound and independent per key.
    let parts: Vec<Tally> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| s.spawn(move || random_keys((w..keys).step_by(2), per_key)))
            .collect();
        workers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let t = parts.iter().fold(Tally::default(), |a, b| Tally {
        valid: a.valid + b.valid,
        tampered: a.tampered + b.tampered,
        still_valid: a.still_valid + b.still_valid,
        compared: a.compared + b.compared,
    });
    println!(
        "random: {keys} keys, {} valid + {} tampered signatures ({} tampered ones still valid: n − s), {} fast verdicts equal to p256's",
        t.valid, t.tampered, t.still_valid, t.compared
    );
    assert!(t.valid + t.tampered >= total);
}

/// The random run's common case: p256 against the key's table configurations only.
fn check_fast_only(k: &FastKey, digest: &[u8; 32], sig: &[u8; 64], qb: u32) -> (bool, usize) {
    let want = p256_verdict(&k.vk, digest, sig);
    let q = k.q_table(qb).unwrap();
    let mut n = 0;
    for &(gb, cqb) in CONFIGS {
        if cqb == qb {
            assert_eq!(
                verify_with_tables(&g_table(gb), &q, &k.key, digest, sig),
                Ok(want),
                "G{gb}/Q{qb}"
            );
            n += 1;
        }
    }
    (want, n)
}

// ---------------------------------------------------------------------------------------
// Misuse and allocation

#[test]
fn tables_of_other_points_are_refused() {
    let a = FastKey::new(
        *SigningKey::from_slice(&[1; 32]).unwrap().verifying_key(),
        &[4],
    );
    let b = FastKey::new(
        *SigningKey::from_slice(&[2; 32]).unwrap().verifying_key(),
        &[4],
    );
    let (d, s) = ([0u8; 32], [1u8; 64]);
    let qa = a.q_table(4).unwrap();
    assert_eq!(
        verify_with_tables(&g_table(4), &qa, &b.key, &d, &s),
        Err(es256::TableError::NotKeyTable)
    );
    assert_eq!(
        verify_with_tables(&qa, &qa, &a.key, &d, &s),
        Err(es256::TableError::NotBaseTable)
    );
    assert_eq!(
        verify_with_base_table(&qa, &a.key, &d, &s),
        Err(es256::TableError::NotBaseTable)
    );
}

#[test]
fn verify_and_build_allocate_nothing() {
    let sk = SigningKey::from_slice(&[3; 32]).unwrap();
    let digest = [7u8; 32];
    let sig: Signature = sk.sign_prehash(&digest).unwrap();
    let sig: [u8; 64] = sig.to_bytes().into();
    let key = PublicKey::from_verifying_key(sk.verifying_key()).unwrap();
    let g = g_table(8);
    let w = Window::W6;
    let mut mem = vec![AffinePoint::ZERO; w.points()];
    let mut scratch = vec![Fe::ZERO; 64];
    let (built, n) = count(|| es256::build(&key, w, &mut mem, &mut scratch).is_ok());
    assert!(built);
    assert_eq!(n, 0, "build allocated");
    let q = Table::from_built(w, &mem).unwrap();
    let (r, n) = count(|| verify_with_tables(&g, &q, &key, &digest, &sig));
    assert_eq!((r, n), (Ok(true), 0));
    let (r, n) = count(|| verify_with_base_table(&g, &key, &digest, &sig));
    assert_eq!((r, n), (Ok(true), 0));
    let (r, n) = count(|| verify_without_tables(&key, &digest, &sig));
    assert_eq!((r, n), (true, 0));
}

/// A table kept as 32-bit words (as it would be in a region of atomics shared by processes),
/// read through [`PointTable`].
struct WordTable {
    window: Window,
    words: Vec<u32>,
}

impl WordTable {
    fn of(t: &Table<'_>) -> Self {
        WordTable {
            window: t.window(),
            words: t.points().iter().flat_map(|p| p.to_words()).collect(),
        }
    }
}

impl PointTable for WordTable {
    fn window(&self) -> Window {
        self.window
    }
    fn point(&self, index: usize) -> Option<AffinePoint> {
        let w: &[u32; 16] = self
            .words
            .get(index * 16..index * 16 + 16)?
            .try_into()
            .ok()?;
        AffinePoint::from_words(w)
    }
}

#[test]
fn tables_as_words_give_the_same_verdicts() {
    let sk = SigningKey::from_slice(&[5; 32]).unwrap();
    let k = FastKey::new(*sk.verifying_key(), &[6]);
    let (g, q) = (g_table(8), k.q_table(6).unwrap());
    let (gw, qw) = (WordTable::of(&g), WordTable::of(&q));
    let dyn_g: &dyn PointTable = &gw;
    let mut rng = Rng(77);
    for i in 0..64 {
        let digest = rng.bytes();
        let sig: Signature = sk.sign_prehash(&digest).unwrap();
        let mut sig: [u8; 64] = sig.to_bytes().into();
        if i % 2 == 1 {
            sig[40] ^= 4;
        }
        let want = p256_verdict(&k.vk, &digest, &sig);
        assert_eq!(want, i % 2 == 0);
        assert_eq!(
            verify_with_tables(&gw, &qw, &k.key, &digest, &sig),
            Ok(want)
        );
        assert_eq!(
            verify_with_tables(dyn_g, &q, &k.key, &digest, &sig),
            Ok(want)
        );
        assert_eq!(
            verify_with_base_table(dyn_g, &k.key, &digest, &sig),
            Ok(want)
        );
    }
    // A word outside the field (≥ p) reads as no point: the verification refuses.
    let mut bad = WordTable::of(&q);
    bad.words[16 * 5..16 * 5 + 8].fill(u32::MAX);
    assert_eq!(bad.point(5), None);
}
