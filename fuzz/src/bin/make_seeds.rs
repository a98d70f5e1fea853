//! Writes the committed seed corpus of every target into `fuzz/seeds/<target>/`, built from
//! the project's test fixtures and vectors (`tests/vectors`, RFC examples), so fuzzing starts
//! from inputs that reach deep into each parser. Deterministic: the same files every run.
//!
//!   cargo run --bin make_seeds   (inside fuzz/; the stable toolchain is enough)

use fapi_tests::{AUD, ISS, NOW, Signer, certs};
use serde_json::json;
use std::path::Path;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let d = dir.join(target);
    std::fs::create_dir_all(&d).expect("seed dir");
    std::fs::write(d.join(name), bytes).expect("seed file");
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("seeds");
    let _ = std::fs::remove_dir_all(&dir);

    let es = fapi_fuzz::issuer_es();
    let ed = fapi_fuzz::issuer_ed();
    let rsa = Signer::Rsa { pss: true };
    let tokens = fapi_fuzz::seed_tokens();
    for (name, t) in &tokens {
        write(&dir, "jws", name, t.as_bytes());
        for (i, part) in t.split('.').enumerate() {
            write(&dir, "b64", &format!("{name}-{i}"), part.as_bytes());
        }
    }
    for (name, p) in &fapi_fuzz::seed_proofs(&tokens[3].1) {
        write(&dir, "dpop_proof", name, p.as_bytes());
        write(&dir, "jws", &format!("proof-{name}"), p.as_bytes());
    }

    // JSON documents: claims, JWK sets, escapes; JWK sets from the vectors.
    let jwks = fapi_tests::jwks(&[
        es.jwk_with_kid(fapi_fuzz::KID_ES),
        ed.jwk_with_kid(fapi_fuzz::KID_ED),
        rsa.jwk_with_kid("rsa"),
    ]);
    write(&dir, "jwks", "fixture", jwks.as_bytes());
    write(&dir, "json", "jwks", jwks.as_bytes());
    write(
        &dir,
        "json",
        "claims",
        fapi_tests::good_claims().to_string().as_bytes(),
    );
    write(
        &dir,
        "json",
        "escapes",
        br#"{"a":"\u00e9\ud83d\ude00\n","b":[1,-2.5e3,true,null,{"c":{}}]}"#,
    );
    // Wycheproof's JWS and JWK files: each group's key as a JWK set, each test's JWS.
    for file in ["json_web_signature_test.json", "json_web_key_test.json"] {
        let path = root.join("../tests/vectors/wycheproof").join(file);
        let text = std::fs::read_to_string(&path).expect("wycheproof vectors");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        let stem = file.trim_end_matches("_test.json");
        for (g, group) in v["testGroups"].as_array().into_iter().flatten().enumerate() {
            for member in ["private", "public"] {
                let key = &group[member];
                let set = if key["keys"].is_array() {
                    key.clone()
                } else {
                    json!({"keys": [key]})
                };
                if key.is_object() {
                    write(
                        &dir,
                        "jwks",
                        &format!("{stem}-{g}-{member}"),
                        set.to_string().as_bytes(),
                    );
                }
            }
            for t in group["tests"].as_array().into_iter().flatten() {
                let jws = t["jws"].as_str().filter(|j| j.len() <= 8192);
                if let (Some(jws), Some(id)) = (jws, t["tcId"].as_u64()) {
                    write(&dir, "jws", &format!("{stem}-{id}"), jws.as_bytes());
                }
            }
        }
    }

    // Introspection responses.
    let active = json!({"active": true, "iss": ISS, "aud": AUD, "exp": NOW + 600,
        "iat": NOW - 60, "scope": "accounts", "client_id": "c1"});
    write(
        &dir,
        "introspection",
        "active",
        active.to_string().as_bytes(),
    );
    write(&dir, "introspection", "inactive", br#"{"active":false}"#);
    let cert_bound = json!({"active": true, "iss": ISS, "aud": AUD, "exp": NOW + 600,
        "cnf": {"x5t#S256": certs::RFC7517_B_X5T_S256}});
    write(
        &dir,
        "introspection",
        "cert-bound",
        cert_bound.to_string().as_bytes(),
    );

    // htu.
    let uris = [
        "https://rs.example.com/accounts",
        "HTTPS://RS.Example.COM:443/a/../accounts?x#y",
        "https://[::1]:8443/v1/%7euser/./x",
        "http://example.com:80",
        "https://api.example.com:8443/v1/accounts",
    ];
    for (i, u) in uris.iter().enumerate() {
        write(&dir, "htu", &format!("uri-{i}"), u.as_bytes());
    }

    // Client certificates: a selector byte, then the certificate in that encoding.
    let der = certs::cert_der();
    let forms: [(u8, &str, Vec<u8>); 4] = [
        (0, "der", der.clone()),
        (1, "pem", certs::pem_of(&der).into_bytes()),
        (2, "escaped-pem", certs::escaped_pem_of(&der).into_bytes()),
        (
            3,
            "client-cert",
            certs::client_cert_header_of(&der).into_bytes(),
        ),
    ];
    for (sel, name, bytes) in forms {
        let mut seed = vec![sel];
        seed.extend_from_slice(&bytes);
        write(&dir, "client_cert", name, &seed);
    }

    // Client side: metadata (flag byte first), the server's plain answers (selector byte
    // first), JARM and plain authorization responses (flag byte first), ID tokens.
    let meta = fapi_tests::client::metadata().to_string();
    write(
        &dir,
        "metadata",
        "good",
        &[&[0u8][..], meta.as_bytes()].concat(),
    );
    let answers: [(&str, u8, &[u8]); 6] = [
        ("par", 8, br#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#),
        ("token", 1, br#"{"access_token":"a.b.c","token_type":"DPoP","expires_in":600,"refresh_token":"r1","id_token":"x.y.z","scope":"openid"}"#),
        ("token-error", 17, br#"{"error":"use_dpop_nonce","error_description":"nonce required"}"#),
        ("error", 3, br#"{"error":"invalid_request","error_description":"x","error_uri":"https://e"}"#),
        ("nonce", 4, b"eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        ("form", 5, b"code=abc%20def&state=s%2B1&iss=https%3A%2F%2Fas.example.com"),
    ];
    for (name, sel, body) in answers {
        write(&dir, "client_responses", name, &[&[sel][..], body].concat());
    }
    let st = fapi_tests::client::STATE;
    for (alg, jwt) in fapi_fuzz::seed_jarm() {
        write(
            &dir,
            "jarm",
            &format!("query-{alg}"),
            format!("\x00response={jwt}").as_bytes(),
        );
        write(
            &dir,
            "jarm",
            &format!("fragment-{alg}"),
            format!("\x00#response={jwt}&x=1").as_bytes(),
        );
    }
    let plain = format!("\x01code=c1&state={st}&iss=https%3A%2F%2Fas.example.com");
    write(&dir, "jarm", "plain", plain.as_bytes());
    write(
        &dir,
        "jarm",
        "error",
        b"\x01error=access_denied&error_description=no&state=s",
    );
    for (alg, t) in fapi_fuzz::seed_id_tokens() {
        write(&dir, "id_token", alg, t.as_bytes());
    }

    // fapi-tls chains: two-octet length prefixes; certificates from fuzz/certs (made once by
    // openssl: a P-256 CA and a server certificate for server.fuzz.test valid until 2126).
    let cert = |name: &str| std::fs::read(root.join("certs").join(name)).expect("fuzz/certs");
    let (ca, leaf, key) = (cert("ca.der"), cert("leaf.der"), cert("leaf.key.der"));
    let framed = |parts: &[&[u8]]| {
        let mut v = Vec::new();
        for p in parts {
            v.extend_from_slice(&u16::try_from(p.len()).expect("small").to_be_bytes());
            v.extend_from_slice(p);
        }
        v
    };
    write(&dir, "tls_chain", "ca-leaf", &framed(&[&ca, &leaf]));
    write(&dir, "tls_chain", "leaf-ca", &framed(&[&leaf, &ca]));
    write(&dir, "tls_chain", "leaf-key", &framed(&[&leaf, &key]));

    // es256: selector, digest, signature (valid ones by the fixed keys 1, 2, n−1, 0x5A…), and
    // one with the key's coordinates from the input.
    for (i, secret) in [[1u8; 1], [2; 1]].iter().enumerate() {
        let mut k = [0u8; 32];
        k[31] = secret[0];
        let sk = p256::ecdsa::SigningKey::from_slice(&k).expect("scalar");
        let digest = [0x42u8 ^ i as u8; 32];
        let sig: p256::ecdsa::Signature =
            p256::ecdsa::signature::hazmat::PrehashSigner::sign_prehash(&sk, &digest)
                .expect("sign");
        let mut seed = vec![i as u8];
        seed.extend_from_slice(&digest);
        seed.extend_from_slice(&sig.to_bytes());
        write(&dir, "es256", &format!("key{i}"), &seed);
        let point = sk.verifying_key().to_sec1_point(false);
        seed[0] = 0x80;
        seed.extend_from_slice(&point.as_bytes()[1..]);
        write(&dir, "es256", &format!("input-key{i}"), &seed);
    }

    // The structure-aware target starts from a few byte patterns.
    for i in 0u8..8 {
        let bytes: Vec<u8> = (0..64u8)
            .map(|j| j.wrapping_mul(31).wrapping_add(i.wrapping_mul(17)))
            .collect();
        write(&dir, "decision", &format!("bytes-{i}"), &bytes);
    }
    println!("seeds written to {}", dir.display());
}
