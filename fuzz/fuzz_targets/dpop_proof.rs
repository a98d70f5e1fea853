//! The DPoP proof check inside a whole decision: the seeds' DPoP-bound access token with any
//! bytes as its `DPoP` header. Nothing panics or allocates, and a request is allowed only with
//! a proof the holder key really signed (a seed's signing input; the fuzzer holds no key).
#![no_main]
use fapi_core::request::{Context, Decision};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct State {
    fixture: fapi_tests::Fixture,
    token: String,
    signed: Vec<Vec<u8>>,
    ctx: Box<Context>,
}

fn state() -> &'static Mutex<State> {
    static S: OnceLock<Mutex<State>> = OnceLock::new();
    S.get_or_init(|| {
        let token = fapi_fuzz::seed_tokens().swap_remove(3).1;
        let signed = fapi_fuzz::signing_inputs(&fapi_fuzz::seed_proofs(&token));
        let fixture = fapi_fuzz::fixture();
        Mutex::new(State {
            fixture,
            token,
            signed,
            ctx: Box::default(),
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let mut guard = state().lock().expect("one fuzzing thread");
    let State {
        fixture,
        token,
        signed,
        ctx,
    } = &mut *guard;
    let auth = format!("DPoP {token}");
    let authorization: [&[u8]; 1] = [auth.as_bytes()];
    let dpop: [&[u8]; 1] = [data];
    let req = fapi_tests::request(&authorization, &dpop);
    let verifier = fixture.verifier();
    let allowed = no_alloc(|| matches!(verifier.decide(ctx, &req), Decision::Allow(_)));
    if allowed {
        let input = fapi_fuzz::signing_input(data).expect("allowed: compact");
        assert!(
            signed.iter().any(|s| s == input),
            "allowed a proof the holder never signed"
        );
    }
});
