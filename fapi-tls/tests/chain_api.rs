//! `check_server_chain`, the handshake's server authentication as a function, on the fixed
//! certificates of the `tls_chain` fuzz target (`fuzz/certs/README.md`).

use fapi_tls::{Error, ServerTrust, TrustAnchor, check_server_chain, spki_sha256};

const CA: &[u8] = include_bytes!("../../fuzz/certs/ca.der");
const LEAF: &[u8] = include_bytes!("../../fuzz/certs/leaf.der");
const NAME: &str = "server.fuzz.test";
const NOW: u64 = 1_800_000_000;

#[test]
fn accepts_the_leaf_under_its_ca_and_its_pin() {
    let ca = ServerTrust::Ca(TrustAnchor::from_der(CA).unwrap());
    assert_eq!(check_server_chain(&ca, &[LEAF], NAME, NOW), Ok(()));
    assert_eq!(check_server_chain(&ca, &[LEAF, CA], NAME, NOW), Ok(()));
    let pin = ServerTrust::PublicKeySha256(spki_sha256(LEAF).unwrap());
    assert_eq!(check_server_chain(&pin, &[LEAF], NAME, NOW), Ok(()));
}

#[test]
fn refusals_have_their_codes() {
    let ca = ServerTrust::Ca(TrustAnchor::from_der(CA).unwrap());
    let name = check_server_chain(&ca, &[LEAF], "other.fuzz.test", NOW);
    let expired = check_server_chain(&ca, &[LEAF], NAME, 5_000_000_000);
    let not_leaf = check_server_chain(&ca, &[CA], NAME, NOW);
    let mut tampered = LEAF.to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let bad_sig = check_server_chain(&ca, &[&tampered], NAME, NOW);
    let empty = check_server_chain(&ca, &[], NAME, NOW);
    let other_pin = ServerTrust::PublicKeySha256([7; 32]);
    let pinned = check_server_chain(&other_pin, &[LEAF], NAME, NOW);
    assert_eq!(name, Err(Error::ServerNameMismatch));
    assert_eq!(expired, Err(Error::ServerCertExpired));
    assert_eq!(not_leaf, Err(Error::ServerCertKeyUsage));
    assert_eq!(bad_sig, Err(Error::ServerCertUntrusted));
    assert_eq!(empty, Err(Error::ServerCertMalformed));
    assert_eq!(pinned, Err(Error::ServerKeyPinMismatch));
}
