//! Speed of ES256 verification: `p256`'s verify, the fast path of `fapi_core::es256` per
//! table configuration, table build time and size, and OpenSSL in the same run. Printed only
//! (never asserted: timing is no test).
//!
//! `cargo bench -p fapi-tests --bench es256`
//!
//! Times are CPU time of the measuring thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), as
//! `openssl speed` measures (it divides by CPU time unless given `-elapsed`), so time spent
//! descheduled counts on neither side (a busy machine still slows both: shared caches and
//! cores). The configurations are timed round-robin (3 rounds) so that load changes spread
//! over all of them. Inputs: 64 signatures by one key over distinct digests, verified in turn.
//! OpenSSL's figure comes from `openssl speed -seconds 1 ecdsap256` run by this binary before
//! and after the measurements (verifications per second, which keeps more digits than its
//! seconds column); ratios use the mean of the two.

use fapi_core::es256::{
    self, AffinePoint, Fe, PublicKey, Table, Window, verify_with_base_table, verify_with_tables,
    verify_without_tables,
};
use fapi_tests::bench::cpu_now;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::process::Command;

/// Microseconds per call of `f` for each of `batches` batches of about `secs` of CPU time.
fn batches(f: &mut dyn FnMut(), batches: usize, secs: f64) -> Vec<f64> {
    let t = cpu_now();
    let mut n = 0u32;
    while cpu_now() - t < secs / 4.0 {
        f();
        n += 1;
    }
    let per_batch = (n * 4).max(3);
    (0..batches)
        .map(|_| {
            let t = cpu_now();
            for _ in 0..per_batch {
                f();
            }
            (cpu_now() - t) * 1e6 / f64::from(per_batch)
        })
        .collect()
}

/// Median and best of a set of batch times.
fn median_best(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[0])
}

struct Sigs {
    digests: Vec<[u8; 32]>,
    sigs: Vec<[u8; 64]>,
}

impl Sigs {
    /// The next (digest, signature) after `*i`, in turn.
    fn at(&self, i: &mut usize) -> ([u8; 32], [u8; 64]) {
        *i = (*i + 1) % self.sigs.len();
        (self.digests[*i], self.sigs[*i])
    }
}

fn table(p: Option<&PublicKey>, bits: u32) -> Vec<AffinePoint> {
    let w = Window::new(bits).unwrap();
    let mut mem = vec![AffinePoint::ZERO; w.points()];
    let mut scratch = vec![Fe::ZERO; w.points()];
    match p {
        Some(k) => es256::build(k, w, &mut mem, &mut scratch).unwrap(),
        None => es256::build_base(w, &mut mem, &mut scratch).unwrap(),
    };
    mem
}

/// OpenSSL's ECDSA P-256 verify time in µs, from `openssl speed`; `None` if openssl is
/// missing or prints no such line.
fn get(ts: &[(u32, Vec<AffinePoint>)], b: u32) -> Table<'_> {
    let (_, mem) = ts.iter().find(|(x, _)| *x == b).unwrap();
    Table::from_built(Window::new(b).unwrap(), mem).unwrap()
}

fn openssl_verify_us() -> Option<f64> {
    let out = match Command::new("openssl")
        .args(["speed", "-seconds", "1", "ecdsap256"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            println!("  openssl not run: {e}");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  38542.2  11844.0"
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 8
            && f[1] == "bits"
            && f[3] == "(nistp256)"
            && let Ok(per_s) = f[7].parse::<f64>()
        {
            return Some(1e6 / per_s);
        }
    }
    println!("  (no nistp256 line in the output)\n{text}");
    None
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sk = SigningKey::from_slice(&Sha256::digest(b"es256 bench key")).unwrap();
    let vk = *sk.verifying_key();
    let key = PublicKey::from_verifying_key(&vk).unwrap();
    let mut digests = Vec::new();
    let mut sigs = Vec::new();
    let mut p256_sigs = Vec::new();
    for i in 0..64u32 {
        let d: [u8; 32] = Sha256::digest(i.to_be_bytes()).into();
        let s: Signature = sk.sign_prehash(&d).unwrap();
        digests.push(d);
        sigs.push(<[u8; 64]>::from(s.to_bytes()));
        p256_sigs.push(s);
    }
    let set = Sigs { digests, sigs };

    println!("OpenSSL first (`openssl speed -seconds 1 ecdsap256`, again at the end):");
    let openssl_before = openssl_verify_us();
    if let Some(o) = openssl_before {
        println!("  {:<44} {o:>7.1} µs", "OpenSSL ECDSA P-256 verify");
    }

    // Tables: G for each width used, the key for each.
    let g_bits = [12u32, 10, 8, 4];
    let q_bits = [8u32, 6, 4];
    let g_tables: Vec<(u32, Vec<AffinePoint>)> =
        g_bits.iter().map(|&b| (b, table(None, b))).collect();
    let q_tables: Vec<(u32, Vec<AffinePoint>)> =
        q_bits.iter().map(|&b| (b, table(Some(&key), b))).collect();

    // (label, G bits, Q bits): None = no table. The first entry is p256 itself.
    let configs: [(&str, Option<u32>, Option<u32>); 9] = [
        ("p256 0.14 VerifyingKey::verify_prehash", None, Some(0)),
        ("fast G12/Q8", Some(12), Some(8)),
        ("fast G10/Q6", Some(10), Some(6)),
        ("fast G8/Q8", Some(8), Some(8)),
        ("fast G8/Q6", Some(8), Some(6)),
        ("fast G8/Q4", Some(8), Some(4)),
        ("fast G4/Q4", Some(4), Some(4)),
        ("G8 table, key by wNAF (key without table)", Some(8), None),
        ("no tables (interleaved wNAF)", None, None),
    ];
    let mut j = 0;
    let mut runners: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    for (_, gb, qb) in configs {
        let g = gb.map(|b| get(&g_tables, b));
        let q = qb.filter(|&b| b > 0).map(|b| get(&q_tables, b));
        let set = &set;
        let (vk, p256_sigs, key) = (&vk, &p256_sigs, &key);
        runners.push(match (g, q, qb) {
            (None, None, Some(0)) => Box::new(move || {
                j = (j + 1) % 64;
                vk.verify_prehash(black_box(&set.digests[j]), &p256_sigs[j])
                    .unwrap();
            }),
            (Some(g), Some(q), _) => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert_eq!(
                    verify_with_tables(&g, &q, key, black_box(&d), black_box(&s)),
                    Ok(true)
                );
            }),
            (Some(g), None, _) => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert_eq!(
                    verify_with_base_table(&g, key, black_box(&d), black_box(&s)),
                    Ok(true)
                );
            }),
            _ => Box::new(move || {
                let (d, s) = set.at(&mut j);
                assert!(verify_without_tables(key, black_box(&d), black_box(&s)));
            }),
        });
    }
    // Round-robin: 3 rounds of 5 batches of ~0.1 s per configuration, so that load changes on
    // this shared machine spread over all of them alike.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    for _ in 0..3 {
        for (t, run) in times.iter_mut().zip(runners.iter_mut()) {
            t.extend(batches(run.as_mut(), 5, 0.1));
        }
    }
    drop(runners);
    println!(
        "ES256 verify, CPU time of this thread, median (best) of 15 batches in 3 rounds, 64 signatures by one key:"
    );
    let mut results = Vec::new();
    let mut p256_us = 0.0;
    for ((label, gb, qb), t) in configs.iter().zip(times) {
        let (med, best) = median_best(t);
        let bytes = gb.map_or(0, |b| Window::new(b).unwrap().bytes())
            + qb.and_then(Window::new).map_or(0, |w| w.bytes());
        if *qb == Some(0) {
            p256_us = med;
            println!("  {label:<44} {med:>7.1} µs ({best:.1})");
        } else {
            println!(
                "  {label:<44} {med:>7.1} µs ({best:.1})  = {:.2}× p256   tables {:>9} B (key table {} B)",
                med / p256_us,
                bytes,
                qb.and_then(Window::new).map_or(0, |w| w.bytes())
            );
        }
        results.push((*label, med, best));
    }

    println!("Table build (into caller memory, one inversion), CPU time, median (best):");
    for (label, p, bits) in [
        ("G12", None, 12u32),
        ("G10", None, 10),
        ("G8", None, 8),
        ("G4", None, 4),
        ("Q8", Some(&key), 8),
        ("Q6", Some(&key), 6),
        ("Q4", Some(&key), 4),
    ] {
        let w = Window::new(bits).unwrap();
        let mut mem = vec![AffinePoint::ZERO; w.points()];
        let mut scratch = vec![Fe::ZERO; w.points()];
        let (med, best) = median_best(batches(
            &mut || {
                let r = match p {
                    Some(k) => es256::build(k, w, &mut mem, &mut scratch).is_ok(),
                    None => es256::build_base(w, &mut mem, &mut scratch).is_ok(),
                };
                assert!(r);
            },
            5,
            0.2,
        ));
        println!(
            "  {label:<3}  {:>5} points {:>9} B  {:>8.1} µs ({best:.1})  = {:.1} p256 verifies",
            w.points(),
            w.bytes(),
            med,
            med / p256_us
        );
    }

    let openssl_after = openssl_verify_us();
    let openssl: Vec<f64> = [openssl_before, openssl_after]
        .into_iter()
        .flatten()
        .collect();
    if !openssl.is_empty() {
        let o = openssl.iter().sum::<f64>() / openssl.len() as f64;
        println!(
            "OpenSSL, same run (`openssl speed -seconds 1 ecdsap256`, before and after): {} µs, mean {o:.1} µs",
            openssl
                .iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(" and ")
        );
        println!("Ratios to OpenSSL's verify (median, best; goal for the fast path: ≤ 0.5×):");
        for (label, med, best) in &results {
            println!("  {label:<44} {:.2}× ({:.2}×)", med / o, best / o);
        }
    }
}
