//! Many threads against one shared verifier: no (key, jti) pair is ever accepted twice, and a
//! key-set swap under load never shows a reader a mix of two sets.

use fapi_core::jwk::KeySet;
use fapi_core::keystore::KeyStore;
use fapi_core::replay::{Insert, PairDigest, ReplayTable};
use fapi_core::request::{Context, Decision};
use fapi_tests::*;
use std::sync::atomic::{AtomicUsize, Ordering};

const THREADS: usize = 8;

#[test]
fn replay_table_accepts_each_pair_once_under_contention() {
    let table: &'static ReplayTable<4096> = leak(ReplayTable::new([0x11; 32]));
    const PAIRS: usize = 2000;
    let fresh: &'static Vec<AtomicUsize> = leak((0..PAIRS).map(|_| AtomicUsize::new(0)).collect());
    // A same-pair writer preempted mid-insert may make a racer fail closed (ReplayBusy): that
    // is never an acceptance, so it is recorded, not treated as a failure.
    let busy: &'static Vec<AtomicUsize> = leak((0..PAIRS).map(|_| AtomicUsize::new(0)).collect());
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                let v = table.view();
                for round in 0..3 {
                    for i in 0..PAIRS {
                        // Each thread walks the pairs in its own order.
                        let k = (i * (2 * t + 1) + round * 7) % PAIRS;
                        let p = PairDigest::new(&[7; 32], format!("jti-{k}").as_bytes());
                        match v.insert(&p, NOW + 300, NOW) {
                            Ok(Insert::Fresh) => {
                                fresh[k].fetch_add(1, Ordering::SeqCst);
                            }
                            Ok(Insert::Seen) => {}
                            Err(fapi_core::Error::Capacity(
                                fapi_core::error::CapacityError::ReplayBusy,
                            )) => {
                                busy[k].fetch_add(1, Ordering::SeqCst);
                            }
                            Err(e) => panic!("insert failed: {e:?}"),
                        }
                    }
                }
            });
        }
    });
    for (k, n) in fresh.iter().enumerate() {
        assert_eq!(
            n.load(Ordering::SeqCst),
            1,
            "pair {k} accepted {} times",
            n.load(Ordering::SeqCst)
        );
    }
    assert_eq!(table.view().live(NOW), PAIRS);
}

#[test]
fn decisions_accept_each_proof_once_across_threads() {
    let iss = Signer::es256(1);
    let holder = Signer::ed25519(3);
    let f = leak(Fixture::new(&[(&iss, "k1")], |b| b));
    let token = dpop_token(&iss, "k1", &holder);
    let auth = format!("DPoP {token}");
    // 40 distinct jtis; for each, two different proofs (other iat) sharing the jti.
    let proofs: Vec<(usize, String)> = (0..40)
        .flat_map(|j| {
            let jti = format!("shared-{j}");
            [0u64, 1].map(|d| {
                (
                    j,
                    proof(
                        &holder,
                        "GET",
                        "https://rs.example.com/accounts",
                        NOW - d,
                        &jti,
                        Some(&token),
                        None,
                    ),
                )
            })
        })
        .collect();
    let allowed: Vec<AtomicUsize> = (0..40).map(|_| AtomicUsize::new(0)).collect();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (proofs, allowed, auth) = (&proofs, &allowed, &auth);
            s.spawn(move || {
                let v = f.verifier();
                let mut ctx: Box<Context> = Box::default();
                for i in 0..proofs.len() {
                    let (j, p) = &proofs[(i + t * 5) % proofs.len()];
                    let a = [auth.as_bytes()];
                    let d = [p.as_bytes()];
                    match v.decide(&mut ctx, &request(&a, &d)) {
                        Decision::Allow(_) => {
                            allowed[*j].fetch_add(1, Ordering::SeqCst);
                        }
                        Decision::Deny(d) => assert_eq!(
                            d.error(),
                            fapi_core::Error::Dpop(fapi_core::error::DpopError::Replayed)
                        ),
                        Decision::NeedsReplayCheck(_) => panic!("table mode"),
                    }
                }
            });
        }
    });
    for (j, n) in allowed.iter().enumerate() {
        assert_eq!(
            n.load(Ordering::SeqCst),
            1,
            "jti {j} accepted {} times",
            n.load(Ordering::SeqCst)
        );
    }
}

#[test]
fn jwks_swap_under_load_never_mixes_sets() {
    let store: &'static KeyStore<4> = leak(KeyStore::new());
    let set_a = jwks(&[
        Signer::es256(10).jwk_with_kid("a1"),
        Signer::es256(11).jwk_with_kid("a2"),
        Signer::ed25519(12).jwk_with_kid("a3"),
    ]);
    let set_b = jwks(&[
        Signer::ed25519(20).jwk_with_kid("b1"),
        Signer::es256(21).jwk_with_kid("b2"),
    ]);
    store
        .view()
        .load(set_a.as_bytes(), &fapi_core::jwk::JWKS_LIMITS)
        .unwrap();
    let stop = leak(std::sync::atomic::AtomicBool::new(false));
    let checks = leak(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let mut local: KeySet<4> = KeySet::new();
                while !stop.load(Ordering::Relaxed) {
                    let mut generation = None; // force a copy every time
                    if store.view().refresh(&mut local, &mut generation).is_err() {
                        continue;
                    }
                    let kids: Vec<Vec<u8>> = local
                        .keys()
                        .iter()
                        .map(|k| k.kid().unwrap().to_vec())
                        .collect();
                    let all_a = kids.len() == 3 && kids.iter().all(|k| k[0] == b'a');
                    let all_b = kids.len() == 2 && kids.iter().all(|k| k[0] == b'b');
                    assert!(all_a || all_b, "mixed key set: {kids:?}");
                    checks.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        s.spawn(|| {
            for i in 0..400 {
                let set = if i % 2 == 0 { &set_b } else { &set_a };
                store
                    .view()
                    .load(set.as_bytes(), &fapi_core::jwk::JWKS_LIMITS)
                    .unwrap();
            }
            stop.store(true, Ordering::Relaxed);
        });
    });
    assert!(checks.load(Ordering::Relaxed) > 100, "readers barely ran");
}

/// One context used with two verifiers at the same key-set generation: each verifier's own
/// keys decide (the context's key copy is tagged with the store, not only the generation).
#[test]
fn one_context_two_verifiers_never_mix_key_sets() {
    let a_key = Signer::es256(31);
    let b_key = Signer::es256(32);
    let fa = Fixture::new(&[(&a_key, "a")], |b| b);
    let fb = Fixture::new(&[(&b_key, "b")], |b| b);
    let mut ctx: Box<Context> = Box::default();
    let ta = format!("Bearer {}", good_token(&a_key, "a"));
    let tb = format!("Bearer {}", good_token(&b_key, "b"));
    let (ra, rb) = ([ta.as_bytes()], [tb.as_bytes()]);
    let verdict = |f: &Fixture, ctx: &mut Context, auth: &[&[u8]]| match f
        .verifier()
        .decide(ctx, &request(auth, &[]))
    {
        Decision::Allow(_) => Ok(()),
        Decision::Deny(d) => Err(d.error()),
        Decision::NeedsReplayCheck(_) => panic!("table mode"),
    };
    let unknown = Err(fapi_core::Error::Jwk(
        fapi_core::error::JwkError::UnknownKid,
    ));
    assert_eq!(verdict(&fa, &mut ctx, &ra), Ok(()));
    assert_eq!(
        verdict(&fb, &mut ctx, &ra),
        unknown,
        "A's token must not pass B"
    );
    assert_eq!(verdict(&fb, &mut ctx, &rb), Ok(()));
    assert_eq!(
        verdict(&fa, &mut ctx, &rb),
        unknown,
        "B's token must not pass A"
    );
}
