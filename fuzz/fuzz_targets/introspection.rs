//! Opaque tokens: any bytes as the host's RFC 7662 introspection response, with a Bearer
//! token. Claims checks, binding and scope run on whatever parses; nothing panics or
//! allocates, and an allowed request's response really says `"active": true`.
#![no_main]
use fapi_core::request::{Context, Decision};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

fn state() -> &'static Mutex<(fapi_tests::Fixture, Box<Context>)> {
    static S: OnceLock<Mutex<(fapi_tests::Fixture, Box<Context>)>> = OnceLock::new();
    S.get_or_init(|| Mutex::new((fapi_fuzz::fixture(), Box::default())))
}

fuzz_target!(|data: &[u8]| {
    let mut guard = state().lock().expect("one fuzzing thread");
    let (fixture, ctx) = &mut *guard;
    let authorization: [&[u8]; 1] = [b"Bearer opaque-token-value"];
    let mut req = fapi_tests::request(&authorization, &[]);
    req.introspection = Some(data);
    let verifier = fixture.verifier();
    let allowed = no_alloc(|| matches!(verifier.decide(ctx, &req), Decision::Allow(_)));
    if allowed {
        let text = String::from_utf8_lossy(data);
        assert!(text.contains("true"), "allowed without an active response");
    }
});
