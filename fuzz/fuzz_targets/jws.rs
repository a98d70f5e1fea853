//! JWS compact: split, header checks, key selection and signature verification of any bytes
//! against a fixed key set (ES256, Ed25519 and RSA issuer keys). Nothing panics or allocates,
//! and only what the issuer keys really signed verifies: the signing input of any token that
//! passes is one of the seeds' (the fuzzer holds no private key).
#![no_main]
use fapi_core::json::JsonLimits;
use fapi_core::jws::{self, Alg, AlgSet, VerifyParams};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static fapi_core::jwk::KeySet<4> {
    static KEYS: OnceLock<Box<fapi_core::jwk::KeySet<4>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signers = [
            (fapi_fuzz::issuer_es(), fapi_fuzz::KID_ES),
            (fapi_fuzz::issuer_ed(), fapi_fuzz::KID_ED),
            (fapi_tests::Signer::Rsa { pss: true }, "rsa"),
        ];
        let jwks: Vec<_> = signers.iter().map(|(s, k)| s.jwk_with_kid(k)).collect();
        let mut set = Box::new(fapi_core::jwk::KeySet::new());
        set.load(
            fapi_tests::jwks(&jwks).as_bytes(),
            &fapi_core::jwk::JWKS_LIMITS,
        )
        .expect("fixture keys");
        set
    })
}

/// The signing inputs (`header.payload`) the fixture's issuer keys signed for the seeds.
fn signed() -> &'static Vec<Vec<u8>> {
    static SIGNED: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let mut signed = fapi_fuzz::seed_tokens();
        let proofs = fapi_fuzz::seed_proofs(&signed[3].1);
        signed.extend(proofs);
        fapi_fuzz::signing_inputs(&signed)
    })
}

fuzz_target!(|data: &[u8]| {
    let keys = keys().keys();
    let params = VerifyParams {
        max_token_len: 8192,
        header_limits: &JsonLimits::DEFAULT,
        allowed: AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ps256, Alg::Rs256]),
        typ: None,
    };
    let mut header = [0u8; 1024];
    let mut sig = [0u8; 512];
    let ok = no_alloc(|| jws::verify(data, keys, &params, &mut header, &mut sig, 6144).is_ok());
    if ok {
        let input = fapi_fuzz::signing_input(data).expect("verified: compact");
        assert!(
            signed().iter().any(|s| s == input),
            "verified a signing input no key signed"
        );
    }
});
