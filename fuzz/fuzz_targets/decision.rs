//! The whole per-request decision, structure-aware: `arbitrary` chooses keys, claims, header
//! members, proof members, request method/target and one byte flip, and the target signs real
//! tokens and proofs from those choices, so inputs get past base64 and signatures.
//!
//! Invariants checked on every input:
//! - a request whose token or proof bytes were altered after signing is never allowed;
//! - the same proof is never allowed twice (replay);
//! - a second verifier with the fast ES256 path (`Verifier::with_tables`, issuer and hot-key
//!   tables), given the same requests in the same order, reaches the same verdict and code;
//! - fapi-core does not allocate inside `decide`.
#![no_main]
use arbitrary::Arbitrary;
use fapi_core::error::{DpopError, Error};
use fapi_core::request::{Context, Decision};
use fapi_fuzz::no_alloc;
use fapi_tests::{NOW, Signer, dpop::pf};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::sync::{Mutex, OnceLock};

#[derive(Arbitrary, Debug)]
enum ClaimEdit {
    None,
    Drop(u8),
    Time(u8, i32),
    Text(u8, String),
    CnfJkt(String),
    Scope(String),
}

#[derive(Arbitrary, Debug)]
enum ProofEdit {
    None,
    Drop(u8),
    Htm(String),
    Htu(String),
    Iat(i32),
    Jti(String),
    Ath(String),
    HeaderTyp(String),
    HeaderAlg(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    issuer_ed: bool,
    holder_ed: bool,
    bind: bool,
    claim: ClaimEdit,
    proof: ProofEdit,
    kid_other: bool,
    method_post: bool,
    target: u8,
    /// (which: 0 token, 1 proof, 2 none; byte index; xor mask)
    flip: (u8, u16, u8),
    twice: bool,
    jti: u32,
}

const CLAIMS: [&str; 8] = ["iss", "aud", "exp", "nbf", "iat", "sub", "scope", "cnf"];
const PROOF_CLAIMS: [&str; 5] = ["htm", "htu", "iat", "jti", "ath"];
const TARGETS: [&str; 4] = ["/accounts", "/accounts?x=1", "/Accounts", "//accounts"];

type State = (
    fapi_tests::Fixture,
    Box<Context>,
    fapi_tests::Fixture,
    Box<Context>,
);

/// The plain verifier and the one with ES256 tables, each with its own replay table and
/// context, fed the same requests.
fn state() -> &'static Mutex<State> {
    static S: OnceLock<Mutex<State>> = OnceLock::new();
    S.get_or_init(|| {
        Mutex::new((
            fapi_fuzz::fixture(),
            Box::default(),
            fapi_fuzz::fixture().with_tables(),
            Box::default(),
        ))
    })
}

/// A verdict as comparable data.
fn verdict(d: Decision<'_>) -> Result<(), Error> {
    match d {
        Decision::Allow(_) => Ok(()),
        Decision::Deny(d) => Err(d.error()),
        Decision::NeedsReplayCheck(_) => Err(Error::Dpop(DpopError::Replayed)),
    }
}

fn pick<'a>(names: &[&'a str], i: u8) -> &'a str {
    names[usize::from(i) % names.len()]
}

fuzz_target!(|input: Input| {
    let issuer = if input.issuer_ed {
        fapi_fuzz::issuer_ed()
    } else {
        fapi_fuzz::issuer_es()
    };
    let kid = match (input.kid_other, input.issuer_ed) {
        (true, _) => "other",
        (false, true) => fapi_fuzz::KID_ED,
        (false, false) => fapi_fuzz::KID_ES,
    };
    let holder = if input.holder_ed {
        Signer::ed25519(7)
    } else {
        Signer::es256(8)
    };

    // The token.
    let mut claims = fapi_tests::good_claims();
    if input.bind {
        claims["cnf"] = json!({ "jkt": fapi_tests::jkt(&holder) });
    }
    match &input.claim {
        ClaimEdit::None => {}
        ClaimEdit::Drop(i) => {
            claims
                .as_object_mut()
                .expect("object")
                .remove(pick(&CLAIMS, *i));
        }
        ClaimEdit::Time(i, d) => {
            claims[pick(&["exp", "nbf", "iat"], *i)] = json!(NOW as i64 + i64::from(*d));
        }
        ClaimEdit::Text(i, s) => claims[pick(&CLAIMS, *i)] = Value::String(s.clone()),
        ClaimEdit::CnfJkt(s) => claims["cnf"] = json!({ "jkt": s }),
        ClaimEdit::Scope(s) => claims["scope"] = Value::String(s.clone()),
    }
    let mut token = fapi_tests::sign_raw(
        &issuer,
        &fapi_tests::header(&issuer, kid),
        &claims.to_string(),
    )
    .into_bytes();

    // The proof.
    let target = pick(&TARGETS, input.target);
    let token_text = String::from_utf8(token.clone()).expect("ascii");
    let jti = format!("jti-{}", input.jti);
    let mut p = pf(
        &holder,
        &format!("{}{target}", fapi_tests::BASE),
        Some(&token_text),
        &jti,
    );
    p = match &input.proof {
        ProofEdit::None => p,
        ProofEdit::Drop(i) => p.without(pick(&PROOF_CLAIMS, *i)),
        ProofEdit::Htm(s) => p.claim("htm", s.clone()),
        ProofEdit::Htu(s) => p.claim("htu", s.clone()),
        ProofEdit::Iat(d) => p.claim("iat", NOW as i64 + i64::from(*d)),
        ProofEdit::Jti(s) => p.claim("jti", s.clone()),
        ProofEdit::Ath(s) => p.claim("ath", s.clone()),
        ProofEdit::HeaderTyp(s) => p.hdr("typ", s.clone()),
        ProofEdit::HeaderAlg(s) => p.hdr("alg", s.clone()),
    };
    let mut proof = p.sign().into_bytes();

    // One flip after signing.
    let (which, at, mask) = input.flip;
    let mut tampered = false;
    if mask != 0 {
        let buf = match which % 3 {
            0 => Some(&mut token),
            1 => Some(&mut proof),
            _ => None,
        };
        if let Some(buf) = buf {
            let i = usize::from(at) % buf.len();
            buf[i] ^= mask;
            tampered = true;
        }
    }

    let mut auth = b"DPoP ".to_vec();
    auth.extend_from_slice(&token);
    let authorization: [&[u8]; 1] = [&auth];
    let dpop: [&[u8]; 1] = [&proof];
    let mut req = fapi_tests::request(&authorization, &dpop);
    req.method = if input.method_post { b"POST" } else { b"GET" };
    req.target = target.as_bytes();

    let mut guard = state().lock().expect("one fuzzing thread");
    let (fixture, ctx, fast_fixture, fast_ctx) = &mut *guard;
    let verifier = fixture.verifier();
    let fast = fast_fixture.verifier();
    let result = no_alloc(|| verdict(verifier.decide(ctx, &req)));
    let fast_result = no_alloc(|| verdict(fast.decide(fast_ctx, &req)));
    assert_eq!(
        result, fast_result,
        "the ES256 tables changed a verdict: {input:?}"
    );
    let first = result.is_ok();
    assert!(
        !(first && tampered),
        "allowed a request altered after signing: {input:?}"
    );
    if input.twice || first {
        let again = no_alloc(|| verdict(verifier.decide(ctx, &req)));
        let fast_again = no_alloc(|| verdict(fast.decide(fast_ctx, &req)));
        assert_eq!(
            again, fast_again,
            "the ES256 tables changed a verdict: {input:?}"
        );
        if first {
            assert_eq!(
                again,
                Err(Error::Dpop(DpopError::Replayed)),
                "a proof allowed twice"
            );
        }
    }
});
