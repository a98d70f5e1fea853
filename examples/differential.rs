//! `differential`: fapi's side of the differential check (`tests/differential/run.sh`). Reads
//! the generated cases (JSON lines, `tests/differential/gen.py`) and writes one verdict per
//! case: `{"id", "verdict": "accept"|"reject", "code", "name"}`.
//!
//! ```text
//! cargo run -p fapi-tests --example differential -- cases.jsonl > fapi.jsonl
//! ```
//!
//! Access tokens go through [`fapi_core::jwt::verify_access_token`] (the whole JWS and claims
//! pipeline) against the case's key set loaded by [`fapi_core::jwk::KeySet::load`]; DPoP proofs
//! through [`fapi_core::dpop::verify_proof`] against the case's request (method, URI, access
//! token). Issuer, audience, leeway (10 s), proof age (300 s) and the clock are fixed; the
//! algorithm allowlist is the case's. Only the inputs are read, never the generator's tags.

use fapi_core::Error;
use fapi_core::config::Config;
use fapi_core::dpop::{ProofContext, ProofPolicy, ProofScratch, verify_proof};
use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_core::jws::{Alg, AlgSet};
use fapi_core::jwt::{self, Scratch};
use fapi_core::nonce::NonceKeys;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Write};

const ISS: &str = "https://as.example.com";
const AUD: &str = "https://rs.example.com";

fn algs(case: &Value) -> AlgSet {
    let names: Vec<Alg> = case["algs"]
        .as_array()
        .expect("algs")
        .iter()
        .map(|a| Alg::from_name(a.as_str().expect("alg name").as_bytes()).expect("known alg"))
        .collect();
    AlgSet::of(&names)
}

/// The token exactly as generated: every character one byte (the generator keeps to ASCII,
/// bit flips included).
fn bytes(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("one byte per character"))
        .collect()
}

fn access_token(case: &Value, scratch: &mut Scratch) -> Result<(), Error> {
    let cfg = Config::builder(ISS, AUD, algs(case)).build()?;
    let mut keys = KeySet::<16>::new();
    keys.load(
        case["jwks"].as_str().expect("jwks").as_bytes(),
        &JWKS_LIMITS,
    )?;
    let token = bytes(case["token"].as_str().expect("token"));
    let now = case["now"].as_u64().expect("now");
    jwt::verify_access_token(&cfg, keys.keys(), scratch, &token, now).map(|_| ())
}

fn proof(case: &Value, scratch: &mut ProofScratch, nonces: &NonceKeys) -> Result<(), Error> {
    let req = &case["dpop"];
    let policy = ProofPolicy {
        algs: algs(case),
        max_age: 300,
        leeway: 10,
        nonce_required: false,
        nonce_slot: 60,
    };
    let mut expected = [0u8; fapi_core::htu::MAX_URI_LEN];
    let expected =
        fapi_core::htu::normalize(req["htu"].as_str().expect("htu").as_bytes(), &mut expected)
            .expect("the request URI of a case normalises");
    let token_hash: Option<[u8; 32]> = req["access_token"]
        .as_str()
        .map(|t| Sha256::digest(t.as_bytes()).into());
    let cx = ProofContext {
        method: req["method"].as_str().expect("method").as_bytes(),
        expected_htu: expected,
        token_hash: token_hash.as_ref(),
        now: case["now"].as_u64().expect("now"),
    };
    let token = bytes(case["token"].as_str().expect("token"));
    verify_proof(&token, &policy, scratch, &cx, nonces, None).map(|_| ())
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: differential CASES.jsonl");
    let file = std::fs::File::open(&path).expect("open cases");
    let mut scratch: Box<Scratch> = Box::default();
    let mut proof_scratch: Box<ProofScratch> = Box::default();
    let nonces = NonceKeys::new();
    let out = std::io::stdout();
    let mut out = out.lock();
    for line in BufReader::new(file).lines() {
        let case: Value = serde_json::from_str(&line.expect("read")).expect("case JSON");
        let r = match case["kind"].as_str() {
            Some("at") => access_token(&case, &mut scratch),
            Some("dpop") => proof(&case, &mut proof_scratch, &nonces),
            k => panic!("unknown case kind {k:?}"),
        };
        let v = match r {
            Ok(()) => json!({"id": case["id"], "verdict": "accept", "code": 0, "name": "ok"}),
            Err(e) => {
                json!({"id": case["id"], "verdict": "reject", "code": e.code(), "name": e.name()})
            }
        };
        writeln!(out, "{v}").expect("write");
    }
}
