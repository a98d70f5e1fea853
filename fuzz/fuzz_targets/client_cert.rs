//! Client certificates in every encoding a TLS terminator may pass (DER, PEM, nginx's escaped
//! PEM, RFC 9440 `Client-Cert`): no panic or allocation; whatever decodes is one minimally
//! encoded DER SEQUENCE, and its thumbprint binding check runs.
#![no_main]
use fapi_core::mtls::{self, CertEncoding};
use fapi_fuzz::no_alloc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let encoding = match sel % 4 {
        0 => CertEncoding::Der,
        1 => CertEncoding::Pem,
        2 => CertEncoding::EscapedPem,
        _ => CertEncoding::ClientCertHeader,
    };
    let mut scratch = [0u8; 12288];
    let mut out = [0u8; 8192];
    no_alloc(|| {
        if let Ok(der) = mtls::decode_cert(input, encoding, &mut scratch, &mut out) {
            assert_eq!(der.first(), Some(&0x30), "a SEQUENCE");
            let _ = mtls::x5t_s256(der);
        }
    });
});
