//! Benchmark of the per-request decision against the raw signature checks it contains,
//! measured in the same run and printed as ratios (never asserted: timing is no test).
//!
//! `cargo bench -p fapi-tests --bench decision`
//!
//! Goals (issue: per-request decision): cached ES256 decision ≤ 1.10× one raw ES256 verify;
//! cached EdDSA decision ≤ raw Ed25519 verify + 10 µs.

use fapi_core::request::{Context, Decision, Verifier};
use fapi_tests::*;
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1500;

/// Median of 5 batches, in microseconds per operation.
fn time(mut f: impl FnMut(usize)) -> f64 {
    let mut batches: Vec<f64> = (0..5)
        .map(|b| {
            let t = Instant::now();
            for i in 0..N / 5 {
                f(b * (N / 5) + i);
            }
            t.elapsed().as_secs_f64() * 1e6 / (N / 5) as f64
        })
        .collect();
    batches.sort_by(|a, b| a.partial_cmp(b).unwrap());
    batches[2]
}

fn verifier(cache: bool) -> Verifier<'static> {
    let v = fapi_tests::bench::verifier(cache);
    let es = Signer::es256(1);
    let ed = Signer::ed25519(2);
    v.load_jwks(jwks(&[es.jwk_with_kid("es"), ed.jwk_with_kid("ed")]).as_bytes())
        .unwrap();
    v
}

fn decisions(issuer: &Signer, kid: &str, holder: &Signer, cache: bool) -> f64 {
    let v = verifier(cache);
    let token = dpop_token(issuer, kid, holder);
    let auth = format!("DPoP {token}");
    let proofs: Vec<String> = (0..N + 1)
        .map(|i| {
            proof(
                holder,
                "GET",
                "https://rs.example.com/accounts",
                NOW,
                &format!("j{i}"),
                Some(&token),
                None,
            )
        })
        .collect();
    let mut ctx: Box<Context> = Box::default();
    // Warm the cache (and the context's key copy) with one request.
    let a = [auth.as_bytes()];
    let d = [proofs[N].as_bytes()];
    assert!(matches!(
        v.decide(&mut ctx, &request(&a, &d)),
        Decision::Allow(_)
    ));
    time(|i| {
        let d = [proofs[i].as_bytes()];
        let r = request(&a, &d);
        match v.decide(&mut ctx, &r) {
            Decision::Allow(x) => assert_eq!(x.cache_hit(), cache),
            other => panic!("{:?}", other.error()),
        }
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // Profiling aid: `FAPI_BENCH_ONLY=ed-cached` runs just that figure (e.g. under callgrind).
    if std::env::var("FAPI_BENCH_ONLY").as_deref() == Ok("ed-cached") {
        let us = decisions(&Signer::ed25519(2), "ed", &Signer::ed25519(6), true);
        println!("decision EdDSA cached: {us:.1} µs/op");
        return;
    }
    use p256::ecdsa::signature::Verifier as _;
    let msg = b"benchmark message";
    let es_sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let es_sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&es_sk, msg);
    let es_vk = *es_sk.verifying_key();
    let raw_es = time(|_| es_vk.verify(black_box(msg), black_box(&es_sig)).unwrap());
    let ed_sk = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let ed_sig = ed25519_dalek::Signer::sign(&ed_sk, msg);
    let ed_vk = ed_sk.verifying_key();
    let raw_ed = time(|_| {
        ed_vk
            .verify_strict(black_box(msg), black_box(&ed_sig))
            .unwrap()
    });

    let es = Signer::es256(1);
    let ed = Signer::ed25519(2);
    let es_holder = Signer::es256(5);
    let ed_holder = Signer::ed25519(6);
    let es_unc = decisions(&es, "es", &es_holder, false);
    let es_c = decisions(&es, "es", &es_holder, true);
    let ed_unc = decisions(&ed, "ed", &ed_holder, false);
    let ed_c = decisions(&ed, "ed", &ed_holder, true);

    println!("fapi decision benchmark ({N} operations per figure, median of 5 batches)");
    println!("{:<48} {:>10}", "operation", "µs/op");
    println!("{:<48} {:>10.1}", "raw ES256 verify (p256)", raw_es);
    println!(
        "{:<48} {:>10.1}",
        "raw Ed25519 verify_strict (ed25519-dalek)", raw_ed
    );
    println!(
        "{:<48} {:>10.1}  = {:.2}× raw ES256",
        "decision ES256 token + ES256 proof, uncached",
        es_unc,
        es_unc / raw_es
    );
    println!(
        "{:<48} {:>10.1}  = {:.2}× raw ES256 (goal ≤ 1.10×)",
        "decision ES256 token + ES256 proof, cached",
        es_c,
        es_c / raw_es
    );
    println!(
        "{:<48} {:>10.1}  = {:.2}× raw Ed25519",
        "decision EdDSA token + EdDSA proof, uncached",
        ed_unc,
        ed_unc / raw_ed
    );
    println!(
        "{:<48} {:>10.1}  = raw Ed25519 + {:.1} µs (goal ≤ +10 µs)",
        "decision EdDSA token + EdDSA proof, cached",
        ed_c,
        ed_c - raw_ed
    );
}
