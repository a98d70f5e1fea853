//! The ES256 tables of the shared verifier (`fapi_core::keytables`) in whole decisions: when
//! tables are built (issuer keys at JWKS load, DPoP keys only after an allowed request, within
//! the rate limit), that a key with a table refuses a bad signature with the same code as
//! without, configuration errors, and concurrent rewrites of a slot never changing a verdict.
//!
//! The case tables (`decision.rs`, `cases.rs`) run every case with the tables on as well.

use fapi_core::Error;
use fapi_core::error::{DpopError, JwsError, MisuseError, ProofDefect};
use fapi_core::es256::{PublicKey, Window};
use fapi_core::keytables::{KeyTables, TableConfig, Warm};
use fapi_core::request::{Binding, Context, Decision, ReplayOutcome, Verifier};
use fapi_tests::cases::jkt_bytes;
use fapi_tests::dpop::{URL, pf};
use fapi_tests::{Fixture, NOW, Signer, dpop_token, jwks, request, table_words, test_table_config};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use std::sync::atomic::AtomicU32;

const KID: &str = "k1";

fn issuer() -> Signer {
    Signer::es256(1)
}

fn holder(seed: u8) -> Signer {
    Signer::es256(100 + seed)
}

fn fixture(cfg: TableConfig) -> Fixture {
    let mut f = Fixture::new(&[(&issuer(), KID)], |b| b);
    f.tables = Some(table_words(&cfg));
    f.verifier()
        .load_jwks(f.jwks.as_bytes())
        .expect("keys load with tables");
    f
}

fn tables(f: &Fixture) -> KeyTables<'static> {
    f.tables.expect("fixture with tables")
}

/// A proof of `h` for its bound token with `jti`, at `now`.
fn proof(h: &Signer, token: &str, jti: &str, now: u64) -> String {
    pf(h, URL, Some(token), jti).claim("iat", now).sign()
}

/// Decides `DPoP <token>` with `proof` at `now`; `Ok(binding)` or `Err(error)`.
fn decide(v: &Verifier<'_>, ctx: &mut Context, token: &str, proof: &str, now: u64) -> Verdict {
    let auth = format!("DPoP {token}");
    let a = [auth.as_bytes()];
    let p = [proof.as_bytes()];
    let mut r = request(&a, &p);
    r.now = now;
    verdict(v.decide(ctx, &r))
}

#[derive(Debug, PartialEq)]
enum Verdict {
    Allow(Binding),
    Deny(Error),
    Pending,
}

fn verdict(d: Decision<'_>) -> Verdict {
    match d {
        Decision::Allow(a) => Verdict::Allow(a.binding()),
        Decision::Deny(d) => Verdict::Deny(d.error()),
        Decision::NeedsReplayCheck(_) => Verdict::Pending,
    }
}

fn allowed(h: &Signer) -> Verdict {
    Verdict::Allow(Binding::Dpop { jkt: jkt_bytes(h) })
}

/// `s` with the last character of its signature segment changed.
fn tamper(s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    let i = b.len() - 2;
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

#[test]
fn issuer_tables_follow_the_key_set() {
    let f = fixture(test_table_config());
    let t = tables(&f);
    let v = f.verifier();
    assert!(t.has_table(&jkt_bytes(&issuer())), "loaded key has a table");
    assert_eq!(t.stats().builds, 0, "issuer tables are not hot-key builds");

    // Rotation: the new key's table is in place once the load returns (it was built before
    // the set was published); the previous set's tables stay until the load after.
    let k2 = Signer::es256(2);
    let k3 = Signer::es256(3);
    v.load_jwks(jwks(&[k2.jwk_with_kid("k2")]).as_bytes())
        .unwrap();
    assert!(t.has_table(&jkt_bytes(&k2)));
    assert!(
        t.has_table(&jkt_bytes(&issuer())),
        "previous buffer untouched"
    );
    v.load_jwks(jwks(&[k3.jwk_with_kid("k3")]).as_bytes())
        .unwrap();
    assert!(t.has_table(&jkt_bytes(&k3)));
    assert!(t.has_table(&jkt_bytes(&k2)));
    assert!(
        !t.has_table(&jkt_bytes(&issuer())),
        "its buffer was refilled"
    );

    // A token of the new key is allowed; one of a removed key is refused as before.
    let h = holder(1);
    let mut ctx = Box::new(Context::new());
    let tok = dpop_token(&k3, "k3", &h);
    assert_eq!(
        decide(&v, &mut ctx, &tok, &proof(&h, &tok, "a", NOW), NOW),
        allowed(&h)
    );

    // EdDSA keys get no table (only P-256 has one).
    let ed = Signer::ed25519(9);
    v.load_jwks(jwks(&[ed.jwk_with_kid("ed"), k3.jwk_with_kid("k3")]).as_bytes())
        .unwrap();
    assert!(!t.has_table(&jkt_bytes(&ed)));
    assert!(t.has_table(&jkt_bytes(&k3)));
}

#[test]
fn bad_token_signature_with_a_table_is_refused_with_its_code() {
    let f = fixture(test_table_config());
    assert!(tables(&f).has_table(&jkt_bytes(&issuer())));
    let v = f.verifier();
    let h = holder(1);
    let tok = tamper(&dpop_token(&issuer(), KID, &h));
    let mut ctx = Box::new(Context::new());
    assert_eq!(
        decide(&v, &mut ctx, &tok, &proof(&h, &tok, "a", NOW), NOW),
        Verdict::Deny(JwsError::BadSignature.into())
    );
}

#[test]
fn hot_key_table_only_after_an_allowed_request() {
    let f = fixture(test_table_config());
    let t = tables(&f);
    let v = f.verifier();
    let mut ctx = Box::new(Context::new());
    let h = holder(1);
    let tok = dpop_token(&issuer(), KID, &h);
    let jkt = jkt_bytes(&h);

    // Refused requests build nothing: wrong htu, a proof by another key (cnf.jkt mismatch),
    // a bad proof signature.
    let wrong_htu = pf(&h, "https://rs.example.com/other", Some(&tok), "w").sign();
    assert_eq!(
        decide(&v, &mut ctx, &tok, &wrong_htu, NOW),
        Verdict::Deny(DpopError::HtuMismatch.into())
    );
    let other = holder(2);
    assert_eq!(
        decide(&v, &mut ctx, &tok, &proof(&other, &tok, "o", NOW), NOW),
        Verdict::Deny(DpopError::JktMismatch.into())
    );
    let bad = tamper(&proof(&h, &tok, "b", NOW));
    let bad_sig = Verdict::Deny(Error::Proof(ProofDefect::Jws(JwsError::BadSignature)));
    assert_eq!(decide(&v, &mut ctx, &tok, &bad, NOW), bad_sig);
    assert_eq!(t.stats().builds, 0);
    assert!(!t.has_table(&jkt) && !t.has_table(&jkt_bytes(&other)));

    // The first allowed request builds the table; later ones find it.
    let p1 = proof(&h, &tok, "1", NOW);
    assert_eq!(decide(&v, &mut ctx, &tok, &p1, NOW), allowed(&h));
    assert!(t.has_table(&jkt));
    assert_eq!(t.stats().builds, 1);
    assert_eq!(
        decide(&v, &mut ctx, &tok, &p1, NOW),
        Verdict::Deny(DpopError::Replayed.into())
    );
    assert_eq!(
        decide(&v, &mut ctx, &tok, &proof(&h, &tok, "2", NOW), NOW),
        allowed(&h)
    );
    assert_eq!(t.stats().builds, 1, "a key with a table is not built again");

    // With its table, a bad proof signature has the same code as without.
    let bad = tamper(&proof(&h, &tok, "3", NOW));
    assert_eq!(decide(&v, &mut ctx, &tok, &bad, NOW), bad_sig);
}

#[test]
fn hot_key_builds_are_rate_limited() {
    let cfg = TableConfig {
        builds_per_second: 1,
        hot_keys: 8,
        ..test_table_config()
    };
    let f = fixture(cfg);
    let t = tables(&f);
    let v = f.verifier();
    let mut ctx = Box::new(Context::new());
    let (h1, h2) = (holder(1), holder(2));
    let (t1, t2) = (
        dpop_token(&issuer(), KID, &h1),
        dpop_token(&issuer(), KID, &h2),
    );
    assert_eq!(
        decide(&v, &mut ctx, &t1, &proof(&h1, &t1, "a", NOW), NOW),
        allowed(&h1)
    );
    // Same second: allowed, but no table for the second key.
    assert_eq!(
        decide(&v, &mut ctx, &t2, &proof(&h2, &t2, "b", NOW), NOW),
        allowed(&h2)
    );
    assert!(t.has_table(&jkt_bytes(&h1)) && !t.has_table(&jkt_bytes(&h2)));
    assert_eq!((t.stats().builds, t.stats().rate_limited), (1, 1));
    // The next second's allowance builds it.
    let now = NOW + 1;
    assert_eq!(
        decide(&v, &mut ctx, &t2, &proof(&h2, &t2, "c", now), now),
        allowed(&h2)
    );
    assert!(t.has_table(&jkt_bytes(&h2)));
    assert_eq!(t.stats().builds, 2);
}

#[test]
fn external_replay_store_builds_only_after_fresh() {
    let mut f = Fixture::new(&[(&issuer(), KID)], |b| b);
    f.external_replay = true;
    let f = f.with_tables();
    let t = tables(&f);
    let v = f.verifier();
    let mut ctx = Box::new(Context::new());
    let h = holder(1);
    let tok = dpop_token(&issuer(), KID, &h);
    for outcome in [ReplayOutcome::Seen, ReplayOutcome::StoreError] {
        let p = proof(&h, &tok, "x", NOW);
        assert_eq!(decide(&v, &mut ctx, &tok, &p, NOW), Verdict::Pending);
        assert!(!t.has_table(&jkt_bytes(&h)), "nothing built while pending");
        assert!(matches!(
            verdict(v.complete_replay(&mut ctx, outcome)),
            Verdict::Deny(_)
        ));
        assert_eq!(t.stats().builds, 0, "{outcome:?} builds nothing");
    }
    let p = proof(&h, &tok, "y", NOW);
    assert_eq!(decide(&v, &mut ctx, &tok, &p, NOW), Verdict::Pending);
    assert_eq!(
        verdict(v.complete_replay(&mut ctx, ReplayOutcome::Fresh)),
        allowed(&h)
    );
    assert!(t.has_table(&jkt_bytes(&h)));
    assert_eq!(t.stats().builds, 1);
}

#[test]
fn configuration_errors_have_their_codes() {
    let cfg = test_table_config();
    let n = cfg.words().unwrap();
    let words: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    assert_eq!(
        KeyTables::new(&words[..n - 1], cfg).err(),
        Some(MisuseError::StorageSize.into())
    );
    let no_slots = TableConfig { hot_keys: 0, ..cfg };
    assert_eq!(
        KeyTables::new(&words, no_slots).err(),
        Some(MisuseError::TableConfig.into())
    );
    let no_window = TableConfig { hot: None, ..cfg };
    assert_eq!(
        KeyTables::new(&words, no_window).err(),
        Some(MisuseError::TableConfig.into())
    );
    let huge = TableConfig {
        issuer_keys: usize::MAX / 2,
        ..cfg
    };
    assert_eq!(huge.words(), None);
    assert_eq!(
        KeyTables::new(&words, huge).err(),
        Some(MisuseError::StorageSize.into())
    );
    // Not initialised: no table path (the caller's generic path answers), nothing built.
    let t = KeyTables::new(&words, cfg).unwrap();
    assert!(!t.is_ready());
    let h = holder(1);
    let pk = public(&h);
    assert_eq!(t.warm(&jkt_bytes(&h), &pk, NOW), Warm::Disabled);
    assert_eq!(t.verify(&jkt_bytes(&h), &pk, &[1; 32], &[1; 64]), None);
}

#[test]
fn documented_memory_of_the_presets() {
    // The figures of `TableConfig`'s doc table and of the README.
    assert_eq!(TableConfig::gateway(4).bytes(), Some(2_352_256));
    assert_eq!(TableConfig::firmware(4).bytes(), Some(295_872));
    assert_eq!(Window::W8.bytes(), 262_208);
    assert_eq!(Window::W6.bytes(), 87_040);
}

fn public(s: &Signer) -> PublicKey {
    let Signer::Es256(k) = s else {
        panic!("an ES256 signer")
    };
    PublicKey::from_verifying_key(k.verifying_key()).unwrap()
}

/// One slot shared by two keys, rewritten back and forth by two threads while two others
/// verify valid and tampered signatures of both keys through it: every verdict must be
/// right (a reader that saw the slot change falls back to the G table alone). A smoke test
/// of real threads; the deterministic check of the sequence lock is the unit test
/// `keytables::tests::a_slot_written_during_a_read_is_not_trusted` in fapi-core.
#[test]
fn concurrent_rewrites_never_change_a_verdict() {
    let cfg = TableConfig {
        issuer: None,
        issuer_keys: 0,
        hot_keys: 1,
        builds_per_second: u32::MAX,
        ..test_table_config()
    };
    let t = table_words(&cfg);
    // (thumbprint, key, digest, signature) of two keys.
    type Signed = ([u8; 32], PublicKey, [u8; 32], [u8; 64]);
    let keys: Vec<Signed> = (0..2)
        .map(|i| {
            let s = holder(10 + i);
            let digest = [0x5a ^ i; 32];
            let Signer::Es256(k) = &s else { unreachable!() };
            let sig: p256::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
            let sig: [u8; 64] = sig.to_bytes().into();
            (jkt_bytes(&s), public(&s), digest, sig)
        })
        .collect();
    let rounds = if cfg!(debug_assertions) { 40 } else { 400 };
    std::thread::scope(|sc| {
        for w in 0..2 {
            let keys = &keys;
            sc.spawn(move || {
                for r in 0..rounds {
                    let (jkt, pk, ..) = &keys[(r + w) % 2];
                    t.warm(jkt, pk, NOW + r as u64);
                }
            });
        }
        for _ in 0..2 {
            let keys = &keys;
            sc.spawn(move || {
                for r in 0..rounds * 4 {
                    let (jkt, pk, digest, sig) = &keys[r % 2];
                    assert_eq!(t.verify(jkt, pk, digest, sig), Some(true));
                    let mut bad = *sig;
                    bad[63] ^= 1;
                    assert_eq!(t.verify(jkt, pk, digest, &bad), Some(false));
                    let mut wrong = *digest;
                    wrong[0] ^= 0x80;
                    assert_eq!(t.verify(jkt, pk, &wrong, sig), Some(false));
                }
            });
        }
    });
    assert!(t.stats().builds >= 2, "the slot was rewritten");
}
