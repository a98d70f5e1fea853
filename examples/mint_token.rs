//! `mint_token`: a demo-only issuer. Signs an access token with the committed demo key so the
//! demo has a real, fresh token to verify. Never use the demo key for anything else.
//!
//! ```text
//! cargo run -p fapi-tests --example mint_token -- [--now UNIX] [--ttl S] [--alg ES256|EdDSA] [--sub S]
//! ```
//! Prints the token on stdout. `--print-jwks` prints the demo issuer's public JWKS instead.

use fapi_tests::{AUD, ISS, Signer, jwks, sign_raw};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (mut ttl, mut alg, mut sub, mut print_jwks) =
        (300u64, "ES256".to_string(), "alice".to_string(), false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--now" => now = args.next().and_then(|v| v.parse().ok()).unwrap_or(now),
            "--ttl" => ttl = args.next().and_then(|v| v.parse().ok()).unwrap_or(ttl),
            "--alg" => alg = args.next().unwrap_or(alg),
            "--sub" => sub = args.next().unwrap_or(sub),
            "--print-jwks" => print_jwks = true,
            _ => {
                eprintln!("unknown argument {a}");
                std::process::exit(2);
            }
        }
    }
    // Demo issuer keys: deterministic, public knowledge, demo only.
    let es = Signer::es256(200);
    let ed = Signer::ed25519(201);
    if print_jwks {
        let mut e = es.jwk_with_kid("demo-es256");
        e["use"] = "sig".into();
        let mut d = ed.jwk_with_kid("demo-ed25519");
        d["use"] = "sig".into();
        // Real key sets carry encryption keys too: fapi skips and counts them.
        let enc = serde_json::json!({"kty":"EC","crv":"P-256","use":"enc","kid":"demo-enc",
            "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
        println!("{}", jwks(&[e, d, enc]));
        return;
    }
    let (signer, kid) = if alg == "EdDSA" {
        (&ed, "demo-ed25519")
    } else {
        (&es, "demo-es256")
    };
    let header = serde_json::json!({"alg": signer.alg(), "typ": "at+jwt", "kid": kid}).to_string();
    let claims = serde_json::json!({
        "iss": ISS, "aud": AUD, "sub": sub, "client_id": "demo-client", "scope": "accounts",
        "jti": format!("demo-{now}"), "iat": now, "nbf": now, "exp": now + ttl
    });
    println!("{}", sign_raw(signer, &header, &claims.to_string()));
}
