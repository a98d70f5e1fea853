//! JWK Set loading: any document; accepted keys are usable (thumbprint, kid, alg) and a
//! second load of the same bytes gives the same keys. No panic, no allocation.
#![no_main]
use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut a: Box<KeySet<8>> = Box::new(KeySet::new());
    let mut b: Box<KeySet<8>> = Box::new(KeySet::new());
    no_alloc(|| {
        let ra = a.load(data, &JWKS_LIMITS);
        let rb = b.load(data, &JWKS_LIMITS);
        assert_eq!(ra.is_ok(), rb.is_ok());
        if ra.is_ok() {
            assert_eq!(a.keys().len(), b.keys().len());
            for (x, y) in a.keys().iter().zip(b.keys()) {
                assert_eq!(x.thumbprint(), y.thumbprint());
                let _ = (x.kid(), x.alg());
            }
        }
    });
});
