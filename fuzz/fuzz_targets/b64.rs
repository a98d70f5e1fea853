//! base64url: decoding never panics or allocates; whatever decodes is canonical and encodes
//! back to exactly the input; `is_canonical` agrees with `decode`.
#![no_main]
use fapi_core::b64;
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = [0u8; 4096];
    let mut back = [0u8; 5600];
    no_alloc(|| {
        let Ok(decoded) = b64::decode(data, &mut out) else {
            // Refused: not canonical base64url, or longer than `out` holds.
            assert!(data.len() > 5460 || !b64::is_canonical(data));
            return;
        };
        assert!(b64::is_canonical(data));
        let enc = b64::encode(decoded, &mut back).expect("room to encode");
        assert_eq!(enc.as_bytes(), data, "decode/encode round trip");
    });
});
