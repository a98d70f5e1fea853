//! fapi-tls's server authentication (its own DER and X.509 reader, chain and name checks):
//! any certificate list, against a CA from the input and against the committed test CA
//! (`fuzz/certs/`). Also the client-identity and pin parsers. No panic, no allocation; a list
//! accepted under the committed CA has the committed leaf first (nothing else carries its
//! signature).
#![no_main]
use fapi_fuzz::no_alloc;
use fapi_tls::{ClientIdentity, ServerTrust, TrustAnchor, check_server_chain, spki_sha256};
use libfuzzer_sys::fuzz_target;

const CA: &[u8] = include_bytes!("../certs/ca.der");
const LEAF: &[u8] = include_bytes!("../certs/leaf.der");
const NAME: &str = "server.fuzz.test";
/// 2027-01-15, inside the committed certificates' validity.
const NOW: u64 = 1_800_000_000;

/// Up to five length-prefixed (two octets, big-endian) certificates.
fn split(mut data: &[u8]) -> ([&[u8]; 5], usize) {
    let mut out: [&[u8]; 5] = [&[]; 5];
    let mut n = 0;
    while n < out.len() && data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]])).min(data.len() - 2);
        out[n] = &data[2..2 + len];
        data = &data[2 + len..];
        n += 1;
    }
    (out, n)
}

fuzz_target!(|data: &[u8]| {
    let (parts, n) = split(data);
    if n == 0 {
        return;
    }
    let fixed = TrustAnchor::from_der(CA).expect("committed CA");
    no_alloc(|| {
        let chain = &parts[1..n.max(1)];
        // The first part as a CA, the rest as the chain.
        if let Ok(anchor) = TrustAnchor::from_der(parts[0]) {
            let _ = check_server_chain(&ServerTrust::Ca(anchor), chain, NAME, NOW);
        }
        // Every part as the chain under the committed CA.
        let all = &parts[..n];
        if check_server_chain(&ServerTrust::Ca(fixed), all, NAME, NOW).is_ok() {
            assert_eq!(
                all[0], LEAF,
                "a chain accepted under the test CA without its leaf"
            );
        }
        if let Ok(pin) = spki_sha256(parts[0]) {
            let _ = check_server_chain(&ServerTrust::PublicKeySha256(pin), all, NAME, NOW);
        }
        if n >= 2 {
            let _ = ClientIdentity::from_der(parts[0], parts[1]).map(|id| id.x5t_s256());
        }
    });
});
