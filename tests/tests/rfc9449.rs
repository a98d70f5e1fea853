//! RFC 9449 (DPoP) examples, with the RFC's 2019 clock: the three published proofs, their
//! `jkt` and `ath`, the §4.1/§5 pair that reuses a `jti` 2,680 s apart, the §6.1 token's
//! binding, and derived request-context cases. Source: tests/vectors/rfc/rfc9449_dpop_examples.json.

use fapi_core::error::{DpopError, Error, JwsError, ProofDefect};
use fapi_core::htu::PublicBase;
use fapi_core::json::{self, JsonLimits};
use fapi_core::policy::Policy;
use fapi_core::replay::ReplayTable;
use fapi_core::request::{Context, ReplayStore, Verifier};
use fapi_tests::{b64u, b64u_decode, config, leak};
use serde_json::Value;

fn vectors() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/rfc/rfc9449_dpop_examples.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).expect("vector file")).expect("json")
}

fn vector<'a>(all: &'a Value, id: &str) -> &'a Value {
    all["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("vector {id} missing"))
}

/// A verifier whose bases are the RFC's two servers (0: token endpoint host, 1: resource).
fn verifier() -> Verifier<'static> {
    let bases: &'static [PublicBase] = leak([
        PublicBase::parse("https://server.example.com").unwrap(),
        PublicBase::parse("https://resource.example.org").unwrap(),
    ]);
    let policy = leak(Policy::builder(config(), bases).build().unwrap());
    let replay = leak(ReplayTable::<64>::new([1; 32]));
    Verifier::new(
        policy,
        leak(fapi_core::keystore::KeyStore::<1>::new()).view(),
        ReplayStore::Table(replay.view()),
        fapi_core::cache::CacheView::disabled(),
        leak(fapi_core::nonce::NonceKeys::new()),
    )
}

fn jkt(all: &Value) -> [u8; 32] {
    b64u_decode(all["dpop_jwk_thumbprint"].as_str().unwrap())
        .try_into()
        .unwrap()
}

#[test]
fn token_request_proofs_and_jti_reuse_2680s_apart() {
    let all = vectors();
    let v41 = vector(&all, "rfc9449-4.1-token-request-proof");
    let v5 = vector(&all, "rfc9449-5-refresh-token-request-proof");
    let p41 = v41["dpop_proof_jwt"].as_str().unwrap().as_bytes();
    let p5 = v5["dpop_proof_jwt"].as_str().unwrap().as_bytes();
    let (t41, t5) = (1_562_262_616u64, 1_562_265_296u64);
    assert_eq!(t5 - t41, 2680);
    let v = verifier();
    let mut ctx: Box<Context> = Box::default();
    let want = jkt(&all);
    let ok = v
        .check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p41,
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: Some(&want),
                now: t41,
            },
        )
        .expect("RFC 9449 §4.1 proof verifies");
    assert_eq!(
        b64u(ok.jkt()),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
    // The identical proof again: a replay.
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p41,
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: Some(&want),
                now: t41 + 1
            }
        ),
        Err(Error::Dpop(DpopError::Replayed))
    );
    // §5 reuses the jti 2,680 s later: the first entry has expired with its window.
    assert!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p5,
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: Some(&want),
                now: t5
            }
        )
        .is_ok()
    );
    // ... and is single-use too.
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p5,
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: None,
                now: t5 + 5
            }
        ),
        Err(Error::Dpop(DpopError::Replayed))
    );
}

#[test]
fn resource_request_proof_with_ath() {
    let all = vectors();
    let v71 = vector(&all, "rfc9449-7.1-resource-request-proof-with-ath");
    let proof = v71["dpop_proof_jwt"].as_str().unwrap().as_bytes();
    let token = v71["access_token"].as_str().unwrap();
    let ath = vector(&all, "rfc9449-ath")["expected"]["ath"]
        .as_str()
        .unwrap();
    assert_eq!(fapi_tests::sha256_b64u(token.as_bytes()), ath);
    let now = 1_562_262_618;
    let target = b"/protectedresource";
    // Another token: the proof's ath does not match.
    let v = verifier();
    let mut ctx: Box<Context> = Box::default();
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof,
                method: b"GET",
                target,
                base: 1,
                access_token: Some(b"other-token"),
                expected_jkt: None,
                now
            }
        ),
        Err(Error::Dpop(DpopError::AthMismatch))
    );
    let ok = v
        .check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof,
                method: b"GET",
                target,
                base: 1,
                access_token: Some(token.as_bytes()),
                expected_jkt: Some(&jkt(&all)),
                now,
            },
        )
        .expect("RFC 9449 §7.1 proof verifies");
    assert_eq!(ok.jkt(), &jkt(&all));
}

#[test]
fn derived_request_context_cases() {
    let all = vectors();
    let p41 = vector(&all, "rfc9449-4.1-token-request-proof")["dpop_proof_jwt"]
        .as_str()
        .unwrap()
        .as_bytes();
    let tampered = vector(&all, "rfc9449-4.1-proof-tampered-htm (derived)")["dpop_proof_jwt"]
        .as_str()
        .unwrap()
        .as_bytes();
    let t = 1_562_262_616u64;
    type Case<'a> = (
        &'a str,
        &'a [u8],
        &'a [u8],
        &'a [u8],
        usize,
        u64,
        Result<(), Error>,
    );
    let cases: Vec<Case<'_>> = vec![
        ("as published", p41, b"POST", b"/token", 0, t, Ok(())),
        ("query ignored", p41, b"POST", b"/token?x=1", 0, t, Ok(())),
        (
            "absolute-form target",
            p41,
            b"POST",
            b"https://server.example.com/token",
            0,
            t,
            Ok(()),
        ),
        (
            "GET instead of POST",
            p41,
            b"GET",
            b"/token",
            0,
            t,
            Err(Error::Dpop(DpopError::HtmMismatch)),
        ),
        (
            "other path",
            p41,
            b"POST",
            b"/token2",
            0,
            t,
            Err(Error::Dpop(DpopError::HtuMismatch)),
        ),
        (
            "other host",
            p41,
            b"POST",
            b"/token",
            1,
            t,
            Err(Error::Dpop(DpopError::HtuMismatch)),
        ),
        (
            "trailing slash",
            p41,
            b"POST",
            b"/token/",
            0,
            t,
            Err(Error::Dpop(DpopError::HtuMismatch)),
        ),
        (
            "stale: 301 s after iat",
            p41,
            b"POST",
            b"/token",
            0,
            t + 301,
            Err(Error::Dpop(DpopError::IatTooOld)),
        ),
        (
            "at max age: 300 s after iat",
            p41,
            b"POST",
            b"/token",
            0,
            t + 300,
            Ok(()),
        ),
        (
            "from the future beyond leeway",
            p41,
            b"POST",
            b"/token",
            0,
            t - 11,
            Err(Error::Dpop(DpopError::IatInFuture)),
        ),
        ("within leeway", p41, b"POST", b"/token", 0, t - 10, Ok(())),
        (
            "tampered htm",
            tampered,
            b"GET",
            b"/token",
            0,
            t,
            Err(Error::Proof(ProofDefect::Jws(JwsError::BadSignature))),
        ),
    ];
    for (name, proof, method, target, base, now, want) in cases {
        // A fresh verifier per case: every case is the first use of the proof.
        let v = verifier();
        let mut ctx: Box<Context> = Box::default();
        let got = v
            .check_proof(
                &mut ctx,
                &fapi_core::request::ProofCheck {
                    proof,
                    method,
                    target,
                    base,
                    access_token: None,
                    expected_jkt: None,
                    now,
                },
            )
            .map(|_| ());
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn access_token_cnf_jkt_binds_the_proof_key() {
    // §6.1: the issuer key is not published, so only claims and binding are checked.
    let all = vectors();
    let v61 = vector(&all, "rfc9449-6.1-access-token-with-cnf-jkt");
    let token = v61["access_token_jwt"].as_str().unwrap();
    let payload = b64u_decode(token.split('.').nth(1).unwrap());
    let obj = json::parse_object(&payload, &JsonLimits::DEFAULT).unwrap();
    let cnf = obj.get("cnf").unwrap().as_object().unwrap();
    let jkt_claim = cnf.get("jkt").unwrap().as_str().unwrap();
    assert!(jkt_claim.eq_str(&b64u(&jkt(&all))));
    // And the thumbprint is the RFC 7638 thumbprint of the published proof key.
    let key = fapi_core::jwk::parse_jwk_json(
        all["dpop_public_jwk"].to_string().as_bytes(),
        &JsonLimits::DEFAULT,
    )
    .unwrap();
    assert_eq!(key.thumbprint(), &jkt(&all));
}
