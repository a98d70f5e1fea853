//! The decision verifies a returning DPoP key with its hot table (not only the G table): once
//! the key's table is built, every point of it but the key itself is overwritten, and the
//! next proof by that key must then fail its signature check. Had the decision taken the G
//! table alone, it would still allow (as it did while a proof's key was looked up by the zero
//! thumbprint its deferred parse leaves).

use fapi_core::error::{Error, JwsError, ProofDefect};
use fapi_core::es256::Window;
use fapi_core::keytables::{KeyTables, TableConfig};
use fapi_core::request::{Context, Decision};
use fapi_tests::*;
use std::sync::atomic::{AtomicU32, Ordering};

#[test]
fn decision_reads_the_hot_table() {
    // No issuer tables, so that the hot slots end the words: [header 8][G][hot slots].
    let cfg = TableConfig {
        base: Window::W4,
        issuer: None,
        issuer_keys: 0,
        hot: Window::new(2),
        hot_keys: 4,
        builds_per_second: 1000,
    };
    let words: &'static [AtomicU32] = Box::leak(
        (0..cfg.words().unwrap())
            .map(|_| AtomicU32::new(0))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let tables = KeyTables::new(words, cfg).unwrap();
    tables.init().unwrap();
    let issuer = Signer::es256(1);
    let holder = Signer::es256(5);
    let mut f = Fixture::new(&[(&issuer, "k1")], |b| b);
    f.tables = Some(tables);
    let v = f.verifier();
    v.load_jwks(f.jwks.as_bytes()).unwrap();

    let token = dpop_token(&issuer, "k1", &holder);
    let auth = format!("DPoP {token}");
    let a = [auth.as_bytes()];
    let mut ctx: Box<Context> = Box::default();
    let mut decide = |jti: &str| {
        let p = proof(
            &holder,
            "GET",
            &format!("{BASE}/accounts"),
            NOW,
            jti,
            Some(&token),
            None,
        );
        let d = [p.as_bytes()];
        match v.decide(&mut ctx, &request(&a, &d)) {
            Decision::Allow(_) => None,
            other => Some(other.error().unwrap()),
        }
    };
    assert_eq!(decide("j1"), None);
    let jkt: [u8; 32] = b64u_decode(&jkt(&holder)).try_into().unwrap();
    assert!(
        tables.has_table(&jkt),
        "the allowed decision built the hot table"
    );
    assert_eq!(decide("j2"), None, "the hot table verifies");

    // Overwrite every hot slot's points after the first (the key) with (0, 0).
    let g = 8 + Window::W4.points() * 16;
    let per = 11 + Window::new(2).unwrap().points() * 16;
    for slot in 0..4 {
        let start = g + slot * per + 11 + 16;
        for w in &words[start..g + (slot + 1) * per] {
            w.store(0, Ordering::Relaxed);
        }
    }
    assert!(tables.has_table(&jkt));
    assert_eq!(
        decide("j3"),
        Some(Error::Proof(ProofDefect::Jws(JwsError::BadSignature))),
        "the decision must have read the (now corrupted) hot table"
    );
}
