//! ID tokens: any bytes, verified against the test authorization server's keys with the
//! expected nonce. No panic, no allocation; only what the server's keys signed verifies (the
//! seeds' signing inputs).
#![no_main]
use fapi_core::jwt::Scratch;
use fapi_fuzz::no_alloc;
use fapi_tests::client as tc;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct State {
    keys: fapi_core::jwk::KeySet<8>,
    scratch: Scratch,
    signed: Vec<Vec<u8>>,
}

fn state() -> &'static Mutex<Box<State>> {
    static S: OnceLock<Mutex<Box<State>>> = OnceLock::new();
    S.get_or_init(|| {
        let signed = fapi_fuzz::signing_inputs(&fapi_fuzz::seed_id_tokens());
        Mutex::new(Box::new(State {
            keys: tc::as_keys(),
            scratch: Scratch::new(),
            signed,
        }))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut guard = state().lock().expect("one fuzzing thread");
    let State {
        keys,
        scratch,
        signed,
    } = &mut **guard;
    let client = tc::client();
    let ok = no_alloc(|| {
        fapi_core::id_token::verify(
            &client,
            keys.keys(),
            scratch,
            data,
            tc::NONCE,
            fapi_tests::NOW,
            None,
        )
        .is_ok()
    });
    if ok {
        let input = fapi_fuzz::signing_input(data).expect("verified: compact");
        assert!(
            signed.iter().any(|s| s == input),
            "verified an ID token the server never signed"
        );
    }
});
