//! Authorization responses: any query string, fragment or form_post body, verified as JARM
//! (and as a plain response) against the test authorization server's keys. No panic, no
//! allocation; a response is accepted only if it carries a JWT the server's keys really signed
//! (the seeds' signing inputs; the fuzzer holds no key) or, plain, the expected state.
#![no_main]
use fapi_core::jarm::{self, Expected, ResponseScratch};
use fapi_fuzz::no_alloc;
use fapi_tests::client as tc;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct State {
    keys: fapi_core::jwk::KeySet<8>,
    scratch: ResponseScratch,
    signed: Vec<Vec<u8>>,
}

fn state() -> &'static Mutex<Box<State>> {
    static S: OnceLock<Mutex<Box<State>>> = OnceLock::new();
    S.get_or_init(|| {
        let signed = fapi_fuzz::signing_inputs(&fapi_fuzz::seed_jarm());
        Mutex::new(Box::new(State {
            keys: tc::as_keys(),
            scratch: ResponseScratch::new(),
            signed,
        }))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let mut guard = state().lock().expect("one fuzzing thread");
    let State {
        keys,
        scratch,
        signed,
    } = &mut **guard;
    let client = if sel & 2 == 0 {
        tc::client()
    } else {
        tc::fapi2_client()
    };
    let expected = Expected {
        state: tc::STATE,
        jarm: sel & 1 == 0,
        iss_parameter_supported: sel & 4 == 0,
    };
    let ok = no_alloc(|| {
        jarm::verify_response(
            &client,
            keys.keys(),
            input,
            &expected,
            fapi_tests::NOW,
            scratch,
            None,
        )
        .is_ok()
    });
    if ok && expected.jarm {
        let text = String::from_utf8_lossy(input);
        assert!(
            signed
                .iter()
                .any(|s| text.contains(&*String::from_utf8_lossy(s))),
            "accepted a JARM response the server never signed"
        );
    }
});
