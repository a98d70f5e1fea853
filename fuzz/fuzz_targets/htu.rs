//! `htu` normalisation and comparison: never panics or allocates; normalising is idempotent;
//! a normalisable URI matches itself and its normal form.
#![no_main]
use fapi_core::htu;
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut a = [0u8; 4096];
    let mut b = [0u8; 4096];
    let mut scratch = [0u8; 8192];
    no_alloc(|| {
        let Ok(n1) = htu::normalize(data, &mut a) else {
            return;
        };
        let n2 = htu::normalize(n1, &mut b).expect("a normal form normalises");
        assert_eq!(n1, n2, "normalisation is idempotent");
        assert!(
            htu::check(data, n1, &mut scratch).is_ok(),
            "matches its normal form"
        );
        assert!(
            htu::check(n1, n1, &mut scratch).is_ok(),
            "normal form matches itself"
        );
    });
});
