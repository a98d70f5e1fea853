//! RSA signature primitives (`fapi_core::rsa`): RS256 (RSASSA-PKCS1-v1_5) and PS256
//! (RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32) against Project Wycheproof's six SHA-256 files
//! for 2048/3072/4096-bit keys, the project's derived vectors (moduli whose size is not a
//! multiple of 8, other salt lengths, hand-built PSS defects), and the named cases of the RSA
//! issue. Provenance and every deviation from upstream: `tests/vectors/README.md`.
//!
//! Every loop counts its cases and asserts the count; failures are collected and reported
//! together, each naming its file and `tcId`.

use fapi_core::error::{Error, JwkError};
use fapi_core::rsa::{self, PublicKey, RsaScratch};
use fapi_tests::{b64u, b64u_decode, hex};
use serde_json::Value;
use sha2::{Digest, Sha256};

use fapi_tests::alloc_count::{Counting, count};

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// Support

/// Reads `tests/vectors/<rel>` as JSON.
fn load(rel: &str) -> Value {
    let path = format!("{}/vectors/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("missing string {k}"))
}

fn digest(msg: &[u8]) -> [u8; 32] {
    Sha256::digest(msg).into()
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Scheme {
    Rs256,
    Ps256,
}

impl Scheme {
    fn other(self) -> Self {
        match self {
            Self::Rs256 => Self::Ps256,
            Self::Ps256 => Self::Rs256,
        }
    }
}

fn verify(scheme: Scheme, key: &PublicKey, msg: &[u8], sig: &[u8], sc: &mut RsaScratch) -> bool {
    let d = digest(msg);
    match scheme {
        Scheme::Rs256 => rsa::verify_pkcs1v15_sha256(key, &d, sig, sc),
        Scheme::Ps256 => rsa::verify_pss_sha256(key, &d, sig, sc),
    }
}

/// Wycheproof "BigInt" hex (big-endian two's complement; a `00` may lead) as raw octets.
fn bigint_raw(h: &str) -> Vec<u8> {
    hex(h)
}

/// The same without leading zero octets.
fn bigint(h: &str) -> Vec<u8> {
    let b = bigint_raw(h);
    let skip = b.iter().take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

/// The group's key from `publicKey {modulus, publicExponent}`, cross-checked against the
/// group's JWK (`keyJwk` in the PKCS#1 files, `publicKeyJwk` in the PSS files).
fn group_key(g: &Value) -> (PublicKey, Vec<u8>, Vec<u8>) {
    let n = bigint(s(&g["publicKey"], "modulus"));
    let e = bigint(s(&g["publicKey"], "publicExponent"));
    let jwk = if g["keyJwk"].is_object() {
        &g["keyJwk"]
    } else {
        &g["publicKeyJwk"]
    };
    assert_eq!(s(jwk, "kty"), "RSA");
    assert_eq!(b64u_decode(s(jwk, "n")), n, "JWK n");
    assert_eq!(b64u_decode(s(jwk, "e")), e, "JWK e");
    assert_eq!(
        g["keySize"].as_u64(),
        Some(n.len() as u64 * 8),
        "keySize vs modulus"
    );
    let key = PublicKey::from_be(&n, &e).unwrap_or_else(|err| panic!("group key refused: {err}"));
    (key, n, e)
}

/// Upstream counts of one file: (tests, groups, valid, acceptable, invalid).
type Counts = (usize, usize, usize, usize, usize);

/// Runs every test of one Wycheproof file: valid → true, invalid and acceptable → false.
/// Also checks each valid signature is refused under the other padding (RS↔PS swap).
/// Returns the tcIds of the `acceptable` cases (refused by fapi: deviations).
fn wycheproof_file(file: &str, scheme: Scheme, want: Counts) -> Vec<u64> {
    let v = load(&format!("wycheproof/{file}"));
    let mut sc = RsaScratch::new();
    let mut failures = Vec::new();
    let mut acceptable = Vec::new();
    let (mut tests, mut groups, mut valid, mut acc, mut invalid) = (0, 0, 0, 0, 0);
    let mut swaps = 0;
    let want_type = match scheme {
        Scheme::Rs256 => "RsassaPkcs1Verify",
        Scheme::Ps256 => "RsassaPssVerify",
    };
    for g in v["testGroups"].as_array().expect("testGroups") {
        groups += 1;
        assert_eq!(s(g, "type"), want_type);
        assert_eq!(s(g, "sha"), "SHA-256");
        if scheme == Scheme::Ps256 {
            assert_eq!(s(g, "mgf"), "MGF1");
            assert_eq!(s(g, "mgfSha"), "SHA-256");
            assert_eq!(g["sLen"].as_u64(), Some(32));
        }
        let (key, _, _) = group_key(g);
        for t in g["tests"].as_array().expect("tests") {
            tests += 1;
            let id = t["tcId"].as_u64().expect("tcId");
            let msg = hex(s(t, "msg"));
            let sig = hex(s(t, "sig"));
            let result = s(t, "result");
            let want_ok = match result {
                "valid" => {
                    valid += 1;
                    true
                }
                "acceptable" => {
                    acc += 1;
                    acceptable.push(id);
                    false
                }
                "invalid" => {
                    invalid += 1;
                    false
                }
                other => panic!("{file} tcId {id}: result {other}"),
            };
            let got = verify(scheme, &key, &msg, &sig, &mut sc);
            if got != want_ok {
                failures.push(format!(
                    "{file} tcId {id} ({result}, {}): got {got}",
                    s(t, "comment")
                ));
            }
            if result == "valid" {
                swaps += 1;
                if verify(scheme.other(), &key, &msg, &sig, &mut sc) {
                    failures.push(format!(
                        "{file} tcId {id}: accepted as {:?}",
                        scheme.other()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!((tests, groups, valid, acc, invalid), want, "{file} counts");
    assert_eq!(v["numberOfTests"].as_u64(), Some(tests as u64));
    assert_eq!(swaps, valid);
    acceptable
}

/// The one `acceptable` case of each PKCS#1 file: tcId 8, `MissingNull` (DigestInfo without
/// the NULL parameter). fapi refuses it (documented deviation).
fn assert_missing_null_only(file: &str, acceptable: &[u64]) {
    assert_eq!(acceptable, [8], "{file}: acceptable cases");
    let v = load(&format!("wycheproof/{file}"));
    let t = v["testGroups"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tcId"] == 8)
        .unwrap();
    assert_eq!(t["flags"], serde_json::json!(["MissingNull"]));
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

#[test]
fn wycheproof_rsa_pkcs1_2048_sha256() {
    let f = "rsa_signature_2048_sha256_test.json";
    let acc = wycheproof_file(f, Scheme::Rs256, (259, 3, 9, 1, 249));
    assert_missing_null_only(f, &acc);
}

#[test]
fn wycheproof_rsa_pkcs1_3072_sha256() {
    let f = "rsa_signature_3072_sha256_test.json";
    let acc = wycheproof_file(f, Scheme::Rs256, (259, 2, 8, 1, 250));
    assert_missing_null_only(f, &acc);
}

#[test]
fn wycheproof_rsa_pkcs1_4096_sha256() {
    let f = "rsa_signature_4096_sha256_test.json";
    let acc = wycheproof_file(f, Scheme::Rs256, (258, 1, 7, 1, 250));
    assert_missing_null_only(f, &acc);
}

#[test]
fn wycheproof_rsa_pss_2048_sha256_mgf1_32() {
    let f = "rsa_pss_2048_sha256_mgf1_32_test.json";
    assert!(wycheproof_file(f, Scheme::Ps256, (108, 1, 63, 0, 45)).is_empty());
}

#[test]
fn wycheproof_rsa_pss_3072_sha256_mgf1_32() {
    let f = "rsa_pss_3072_sha256_mgf1_32_test.json";
    assert!(wycheproof_file(f, Scheme::Ps256, (108, 1, 63, 0, 45)).is_empty());
}

#[test]
fn wycheproof_rsa_pss_4096_sha256_mgf1_32() {
    let f = "rsa_pss_4096_sha256_mgf1_32_test.json";
    assert!(wycheproof_file(f, Scheme::Ps256, (108, 1, 63, 0, 45)).is_empty());
}

/// The small-exponent keys (e = 3) of the 2048 and 3072 PKCS#1 files load and their valid
/// signatures verify (counted separately so a policy that dropped e = 3 would show here).
#[test]
fn wycheproof_e3_keys_are_accepted() {
    let mut sc = RsaScratch::new();
    let mut seen = 0;
    for f in [
        "rsa_signature_2048_sha256_test.json",
        "rsa_signature_3072_sha256_test.json",
    ] {
        let v = load(&format!("wycheproof/{f}"));
        for g in v["testGroups"].as_array().unwrap() {
            let (key, _, _) = group_key(g);
            if key.exponent() != 3 {
                continue;
            }
            for t in g["tests"].as_array().unwrap() {
                assert_eq!(s(t, "result"), "valid");
                let ok = verify(
                    Scheme::Rs256,
                    &key,
                    &hex(s(t, "msg")),
                    &hex(s(t, "sig")),
                    &mut sc,
                );
                assert!(ok, "{f} tcId {}", t["tcId"]);
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 3);
}

// ---------------------------------------------------------------------------------------------
// The project's derived vectors (tests/vectors/generated/rsa_derived.json)

#[test]
fn derived_vectors() {
    let v = load("generated/rsa_derived.json");
    let keys = v["keys"].as_object().unwrap();
    let mut sc = RsaScratch::new();
    let mut failures = Vec::new();
    let (mut n_valid, mut n_invalid) = (0, 0);
    for (kid, k) in keys {
        let key = PublicKey::from_be(&hex(s(k, "n")), &hex(s(k, "e"))).unwrap();
        assert_eq!(Some(key.bits() as u64), k["bits"].as_u64(), "{kid}");
    }
    let tests = v["tests"].as_array().unwrap();
    for t in tests {
        let id = t["tcId"].as_u64().unwrap();
        let k = &keys[s(t, "key")];
        let key = PublicKey::from_be(&hex(s(k, "n")), &hex(s(k, "e"))).unwrap();
        let scheme = match s(t, "alg") {
            "RS256" => Scheme::Rs256,
            "PS256" => Scheme::Ps256,
            other => panic!("alg {other}"),
        };
        let msg = hex(s(t, "msg"));
        let sig = hex(s(t, "sig"));
        let want = match s(t, "result") {
            "valid" => {
                n_valid += 1;
                true
            }
            "invalid" => {
                n_invalid += 1;
                false
            }
            other => panic!("result {other}"),
        };
        let got = verify(scheme, &key, &msg, &sig, &mut sc);
        if got != want {
            failures.push(format!("tcId {id} ({}): got {got}", s(t, "comment")));
        }
        if want && verify(scheme.other(), &key, &msg, &sig, &mut sc) {
            failures.push(format!("tcId {id}: accepted under the other padding"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((tests.len(), n_valid, n_invalid), (31, 20, 11));
    assert_eq!(v["numberOfTests"].as_u64(), Some(31));
}

// ---------------------------------------------------------------------------------------------
// Named cases of the RSA issue

/// A valid Wycheproof signature and what it was made with.
struct Sample {
    file: String,
    scheme: Scheme,
    key: PublicKey,
    msg: Vec<u8>,
    sig: Vec<u8>,
}

/// The first valid signature of each scheme and size from Wycheproof.
fn valid_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for bits in [2048, 3072, 4096] {
        for (scheme, file) in [
            (
                Scheme::Rs256,
                format!("rsa_signature_{bits}_sha256_test.json"),
            ),
            (
                Scheme::Ps256,
                format!("rsa_pss_{bits}_sha256_mgf1_32_test.json"),
            ),
        ] {
            let v = load(&format!("wycheproof/{file}"));
            let g = &v["testGroups"][0];
            let (key, _, _) = group_key(g);
            let t = g["tests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["result"] == "valid")
                .unwrap();
            out.push(Sample {
                file,
                scheme,
                key,
                msg: hex(s(t, "msg")),
                sig: hex(s(t, "sig")),
            });
        }
    }
    assert_eq!(out.len(), 6);
    out
}

fn key_error(n: &[u8], e: &[u8]) -> Option<JwkError> {
    match PublicKey::from_be(n, e) {
        Ok(_) => None,
        Err(Error::Jwk(j)) => Some(j),
        Err(other) => panic!("unexpected {other}"),
    }
}

/// The first RSA key of a `json_web_key_test.json` test's private set.
fn jwk_test_key(tc_id: u64) -> (Vec<u8>, Vec<u8>) {
    let v = load("wycheproof/json_web_key_test.json");
    for g in v["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            if t["tcId"] == tc_id {
                let k = &g["private"]["keys"][0];
                assert_eq!(s(k, "kty"), "RSA");
                return (b64u_decode(s(k, "n")), b64u_decode(s(k, "e")));
            }
        }
    }
    panic!("tcId {tc_id} not found");
}

#[test]
fn key_1024_bit_refused() {
    // json_web_key_test.json tcId 8 "rejects1024bitRsaKey".
    let (n, e) = jwk_test_key(8);
    assert_eq!(n.len(), 128);
    assert_eq!(key_error(&n, &e), Some(JwkError::RsaModulusSize));
    // 2047 bits: one bit short of the minimum.
    let mut n2047 = vec![0xFFu8; 256];
    n2047[0] = 0x7F;
    assert_eq!(
        key_error(&n2047, &[1, 0, 1]),
        Some(JwkError::RsaModulusSize)
    );
    // 4097 bits: one bit over the maximum.
    let mut n4097 = vec![0xFFu8; 513];
    n4097[0] = 0x01;
    assert_eq!(
        key_error(&n4097, &[1, 0, 1]),
        Some(JwkError::RsaModulusSize)
    );
}

#[test]
fn exponent_one_refused() {
    // json_web_key_test.json tcId 9 "rejectsPublicExponent1".
    let (n, e) = jwk_test_key(9);
    assert_eq!(e, [1]);
    assert_eq!(key_error(&n, &e), Some(JwkError::RsaExponent));
}

#[test]
fn exponent_even_or_oversized_refused() {
    let Sample { key, .. } = valid_samples().remove(0);
    let n = key.modulus().to_vec();
    for e in [
        &[2][..],
        &[4],
        &[1, 0, 0],
        &[0x01, 0x00, 0x00, 0x00, 0x00],
        &[0, 1, 0, 1],
        &[],
        &[0],
    ] {
        assert_eq!(key_error(&n, e), Some(JwkError::RsaExponent), "e = {e:?}");
    }
    assert!(PublicKey::from_be(&n, &[3]).is_ok());
    assert!(PublicKey::from_be(&n, &[0xFF, 0xFF, 0xFF, 0xFF]).is_ok());
}

#[test]
fn modulus_with_leading_zero_octet_refused() {
    // Wycheproof's BigInt modulus keeps its sign octet: 00 a2 … (257 octets for 2048 bits).
    let v = load("wycheproof/rsa_signature_2048_sha256_test.json");
    let raw = bigint_raw(s(&v["testGroups"][0]["publicKey"], "modulus"));
    assert_eq!((raw.len(), raw[0]), (257, 0));
    assert_eq!(
        key_error(&raw, &[1, 0, 1]),
        Some(JwkError::RsaModulusLeadingZero)
    );
    assert!(PublicKey::from_be(&raw[1..], &[1, 0, 1]).is_ok());
    // Even a modulus that would be too small is refused for the leading zero first.
    assert_eq!(
        key_error(&[0, 0xC1], &[3]),
        Some(JwkError::RsaModulusLeadingZero)
    );
}

#[test]
fn even_modulus_refused() {
    let mut n = vec![0xFFu8; 256];
    n[255] = 0xFE;
    assert_eq!(key_error(&n, &[3]), Some(JwkError::RsaModulusEven));
}

#[test]
fn signature_length_must_equal_modulus_length() {
    let mut sc = RsaScratch::new();
    let mut cases = 0;
    for Sample {
        file,
        scheme,
        key,
        msg,
        sig,
    } in valid_samples()
    {
        assert_eq!(sig.len(), key.len());
        assert!(verify(scheme, &key, &msg, &sig, &mut sc), "{file}: control");
        let short = &sig[..sig.len() - 1];
        let mut long = sig.clone();
        long.push(0);
        let mut zero_prefixed = vec![0];
        zero_prefixed.extend_from_slice(&sig);
        for (what, bad) in [
            ("one byte short", short),
            ("one byte long", &long[..]),
            ("a leading 00 added (same integer)", &zero_prefixed[..]),
            ("empty", &[][..]),
        ] {
            assert!(!verify(scheme, &key, &msg, bad, &mut sc), "{file}: {what}");
            cases += 1;
        }
    }
    assert_eq!(cases, 24);
}

#[test]
fn leading_zero_stripped_signature_refused() {
    // Derived tcId 21 (RS256) and 22 (PS256): valid 2048-bit signatures starting with 00.
    let v = load("generated/rsa_derived.json");
    let k = &v["keys"]["k2048"];
    let key = PublicKey::from_be(&hex(s(k, "n")), &hex(s(k, "e"))).unwrap();
    let mut sc = RsaScratch::new();
    for (id, scheme) in [(21, Scheme::Rs256), (22, Scheme::Ps256)] {
        let t = &v["tests"][id - 1];
        assert_eq!(t["tcId"], id);
        assert!(s(t, "comment").contains("leading zero"));
        let msg = hex(s(t, "msg"));
        let sig = hex(s(t, "sig"));
        assert_eq!((sig.len(), sig[0]), (256, 0));
        assert!(verify(scheme, &key, &msg, &sig, &mut sc), "tcId {id}");
        assert!(
            !verify(scheme, &key, &msg, &sig[1..], &mut sc),
            "tcId {id} stripped"
        );
    }
}

#[test]
fn signature_not_below_modulus_refused() {
    let mut sc = RsaScratch::new();
    for Sample {
        file,
        scheme,
        key,
        msg,
        ..
    } in valid_samples()
    {
        let n = key.modulus().to_vec();
        let mut n_plus_1 = n.clone();
        *n_plus_1.last_mut().unwrap() += 1; // n is odd: no carry
        let zero = vec![0u8; n.len()];
        let mut one = zero.clone();
        *one.last_mut().unwrap() = 1;
        let mut n_minus_1 = n.clone();
        *n_minus_1.last_mut().unwrap() -= 1;
        for (what, sig) in [
            ("s = n", &n),
            ("s = n + 1", &n_plus_1),
            ("s = 2^8k - 1", &vec![0xFF; n.len()]),
            ("s = 0", &zero),
            ("s = 1", &one),
            ("s = n - 1", &n_minus_1),
        ] {
            assert!(!verify(scheme, &key, &msg, sig, &mut sc), "{file}: {what}");
        }
    }
}

#[test]
fn rs_ps_swap_refused() {
    // Each valid RS256 signature checked as PS256 fails, and the reverse (also asserted for
    // every valid Wycheproof and derived case above).
    let mut sc = RsaScratch::new();
    for Sample {
        file,
        scheme,
        key,
        msg,
        sig,
    } in valid_samples()
    {
        assert!(verify(scheme, &key, &msg, &sig, &mut sc), "{file}");
        assert!(
            !verify(scheme.other(), &key, &msg, &sig, &mut sc),
            "{file} swapped"
        );
    }
}

#[test]
fn pss_salt_length_other_than_32_refused() {
    // Derived tcId 15–19: PSS signatures with salt 0, 20, 31, 33, 64 that pyca/cryptography
    // accepts under their own salt length; tcId 20 is the salt-32 control.
    let v = load("generated/rsa_derived.json");
    let k = &v["keys"]["k2048"];
    let key = PublicKey::from_be(&hex(s(k, "n")), &hex(s(k, "e"))).unwrap();
    let mut sc = RsaScratch::new();
    for (id, salt, want) in [
        (15, "0", false),
        (16, "20", false),
        (17, "31", false),
        (18, "33", false),
        (19, "64", false),
        (20, "32", true),
    ] {
        let t = &v["tests"][id - 1];
        assert_eq!(t["tcId"], id);
        let comment = s(t, "comment");
        assert!(comment.contains(&format!("salt length {salt} ")) || comment.contains("salt 32"));
        let ok = verify(
            Scheme::Ps256,
            &key,
            &hex(s(t, "msg")),
            &hex(s(t, "sig")),
            &mut sc,
        );
        assert_eq!(ok, want, "tcId {id} salt {salt}");
    }
}

#[test]
fn digest_info_without_null_refused() {
    // Wycheproof tcId 8 (`MissingNull`, upstream `acceptable`) in each PKCS#1 file.
    let mut sc = RsaScratch::new();
    for bits in [2048, 3072, 4096] {
        let v = load(&format!("wycheproof/rsa_signature_{bits}_sha256_test.json"));
        let g = &v["testGroups"][0];
        let (key, _, _) = group_key(g);
        let t = g["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tcId"] == 8)
            .unwrap();
        assert_eq!(s(t, "result"), "acceptable");
        let sig = hex(s(t, "sig"));
        assert!(
            !verify(Scheme::Rs256, &key, &hex(s(t, "msg")), &sig, &mut sc),
            "{bits}"
        );
    }
}

#[test]
fn wrong_digest_refused() {
    let mut sc = RsaScratch::new();
    for Sample {
        file,
        scheme,
        key,
        msg,
        sig,
    } in valid_samples()
    {
        let mut d = digest(&msg);
        d[31] ^= 1;
        let ok = match scheme {
            Scheme::Rs256 => rsa::verify_pkcs1v15_sha256(&key, &d, &sig, &mut sc),
            Scheme::Ps256 => rsa::verify_pss_sha256(&key, &d, &sig, &mut sc),
        };
        assert!(!ok, "{file}");
    }
}

#[test]
fn key_accessors_and_thumbprint() {
    // RFC 7638 §3.1: the thumbprint of the example RSA key.
    let v = load("rfc/rfc7638_jwk_thumbprints.json");
    let vec = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "rfc7638-3.1-rsa")
        .unwrap();
    let n = b64u_decode(s(&vec["jwk"], "n"));
    let e = b64u_decode(s(&vec["jwk"], "e"));
    let key = PublicKey::from_be(&n, &e).unwrap();
    assert_eq!((key.len(), key.bits(), key.exponent()), (256, 2048, 65537));
    assert_eq!(key.modulus(), &n[..]);
    assert!(!key.is_empty());
    assert_eq!(
        b64u(&key.thumbprint()),
        s(&vec["expected"], "jwk_thumbprint_sha256_b64u")
    );
    // Two 512-octet buffers, and the parameter cache sized by its largest member (4096 bits:
    // modulus, R, R² and the word inverse).
    assert!(
        (1024 + 3 * 512..=1024 + 3 * 512 + 64).contains(&RsaScratch::SIZE),
        "RsaScratch::SIZE = {}",
        RsaScratch::SIZE
    );
    assert_eq!(std::mem::size_of::<RsaScratch>(), RsaScratch::SIZE);
}

/// The first valid (key, message, signature) of each group of a Wycheproof file.
fn valid_per_group(file: &str) -> Vec<(PublicKey, Vec<u8>, Vec<u8>)> {
    let v = load(&format!("wycheproof/{file}"));
    let mut out = Vec::new();
    for g in v["testGroups"].as_array().expect("testGroups") {
        let (key, _, _) = group_key(g);
        let tests = g["tests"].as_array().expect("tests");
        if let Some(t) = tests.iter().find(|t| s(t, "result") == "valid") {
            out.push((key, hex(s(t, "msg")), hex(s(t, "sig"))));
        }
    }
    out
}

/// One scratch keeps the Montgomery parameters of the last modulus. Switching keys (of the
/// same size, of another size, and to a modulus one octet away) must never verify with stale
/// parameters: each key's own signature passes and every other key's fails, in any order.
#[test]
fn parameter_cache_follows_the_key() {
    let mut keys = Vec::new();
    for file in [
        "rsa_signature_2048_sha256_test.json",
        "rsa_signature_3072_sha256_test.json",
        "rsa_signature_4096_sha256_test.json",
    ] {
        keys.extend(valid_per_group(file).into_iter().take(2));
    }
    // A modulus one octet away from the first key's (still odd, same length): a cache keyed
    // on anything less than the whole modulus would reuse the first key's parameters.
    let (first, msg, sig) = keys[0].clone();
    let mut n = first.modulus().to_vec();
    let mid = n.len() / 2;
    n[mid] ^= 0x10;
    let e = first.exponent().to_be_bytes();
    let near = PublicKey::from_be(&n, &e[1..]).unwrap();
    keys.insert(1, (near, msg.clone(), sig.clone()));
    // 2048 ×3 (with `near`), 3072 ×2, 4096 ×1: same-size and cross-size switches.
    let bits: Vec<usize> = keys.iter().map(|k| k.0.bits()).collect();
    assert_eq!(bits, [2048, 2048, 2048, 3072, 3072, 4096]);

    // Key 1 carries key 0's message and signature, so that signature verifies under key 0
    // only; every other signature verifies under its own key only.
    let valid = |sig: usize, key: usize| (sig == key && sig != 1) || (sig == 1 && key == 0);
    let mut sc = RsaScratch::new();
    let mut checks = 0;
    // Every ordered pair: signature i under key j, then under key i.
    for (i, (key_i, msg_i, sig_i)) in keys.iter().enumerate() {
        for (j, (key_j, _, _)) in keys.iter().enumerate() {
            assert_eq!(
                verify(Scheme::Rs256, key_j, msg_i, sig_i, &mut sc),
                valid(i, j),
                "signature {i} under key {j}"
            );
            assert_eq!(
                verify(Scheme::Rs256, key_i, msg_i, sig_i, &mut sc),
                valid(i, i),
                "signature {i} under key {i}, after key {j}"
            );
            checks += 2;
        }
    }
    assert_eq!(checks, 2 * keys.len() * keys.len());
}

// ---------------------------------------------------------------------------------------------
// Allocation

#[test]
fn counter_is_live() {
    let (_, n) = count(|| std::hint::black_box(vec![1u8; 16]));
    assert!(n >= 1, "counting allocator did not see an allocation");
}

#[test]
fn rsa_4096_verify_allocates_nothing() {
    let samples: Vec<_> = valid_samples()
        .into_iter()
        .filter(|x| x.key.bits() == 4096)
        .collect();
    assert_eq!(samples.len(), 2);
    let mut sc = Box::new(RsaScratch::new());
    for Sample {
        file,
        scheme,
        key,
        msg,
        sig,
    } in &samples
    {
        let d = digest(msg);
        let (ok, n) = count(|| match scheme {
            Scheme::Rs256 => rsa::verify_pkcs1v15_sha256(key, &d, sig, &mut sc),
            Scheme::Ps256 => rsa::verify_pss_sha256(key, &d, sig, &mut sc),
        });
        assert!(ok, "{file}");
        assert_eq!(n, 0, "{file}: verify allocated");
        let (k, n) = count(|| PublicKey::from_be(key.modulus(), &[1, 0, 1]));
        assert!(k.is_ok());
        assert_eq!(n, 0, "{file}: from_be allocated");
    }
}
