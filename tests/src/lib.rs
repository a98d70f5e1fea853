//! Test support shared by the fapi test suites: deterministic keys, JWK/JWKS text, and a
//! token minter that signs arbitrary header/payload JSON (so tests can build hostile tokens).
//!
//! This crate is std and allocates freely; it is never shipped.

use fapi_core::config::Config;
use fapi_core::jws::{Alg, AlgSet};
use p256::ecdsa::signature::Signer as _;

/// Issuer used by the test configurations.
pub const ISS: &str = "https://as.example.com";
/// Audience used by the test configurations.
pub const AUD: &str = "https://rs.example.com";
/// The fixed clock of the test tables.
pub const NOW: u64 = 1_700_000_000;

/// base64url without padding.
pub fn b64u(bytes: &[u8]) -> String {
    let mut buf = vec![0u8; fapi_core::b64::encoded_len(bytes.len())];
    fapi_core::b64::encode(bytes, &mut buf)
        .expect("sized buffer")
        .to_string()
}

/// base64url-decodes (canonical only).
pub fn b64u_decode(s: &str) -> Vec<u8> {
    let mut buf = vec![0u8; s.len()];
    fapi_core::b64::decode(s.as_bytes(), &mut buf)
        .expect("valid base64url")
        .to_vec()
}

/// Hex to bytes (test vectors).
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A signing key of either supported type.
#[derive(Clone)]
pub enum Signer {
    /// P-256 (ES256).
    Es256(p256::ecdsa::SigningKey),
    /// Ed25519 (EdDSA / Ed25519).
    Ed25519(ed25519_dalek::SigningKey),
}

impl Signer {
    /// A deterministic P-256 key derived from `seed`.
    pub fn es256(seed: u8) -> Self {
        let mut d = [0x11u8; 32];
        d[31] = seed;
        d[0] = 0x42;
        Self::Es256(p256::ecdsa::SigningKey::from_slice(&d).expect("valid scalar"))
    }

    /// A deterministic Ed25519 key derived from `seed`.
    pub fn ed25519(seed: u8) -> Self {
        let mut d = [0x22u8; 32];
        d[31] = seed;
        Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&d))
    }

    /// The public JWK members (no `kid`, `alg` or `use`) as a JSON object.
    pub fn public_jwk(&self) -> serde_json::Value {
        match self {
            Self::Es256(k) => {
                let p = k.verifying_key().to_sec1_point(false);
                let b = p.as_bytes();
                serde_json::json!({"kty":"EC","crv":"P-256","x":b64u(&b[1..33]),"y":b64u(&b[33..65])})
            }
            Self::Ed25519(k) => {
                serde_json::json!({"kty":"OKP","crv":"Ed25519","x":b64u(k.verifying_key().as_bytes())})
            }
        }
    }

    /// The public JWK with a `kid`.
    pub fn jwk_with_kid(&self, kid: &str) -> serde_json::Value {
        let mut j = self.public_jwk();
        j["kid"] = kid.into();
        j
    }

    /// Raw signature over `input` (ES256: P1363 `r ‖ s`).
    pub fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            Self::Es256(k) => {
                let s: p256::ecdsa::Signature = k.sign(input);
                s.to_bytes().to_vec()
            }
            Self::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(input).to_bytes().to_vec()
            }
        }
    }

    /// The default JWS `alg` for this key.
    pub fn alg(&self) -> &'static str {
        match self {
            Self::Es256(_) => "ES256",
            Self::Ed25519(_) => "EdDSA",
        }
    }
}

/// A JWKS document holding `keys`.
pub fn jwks(keys: &[serde_json::Value]) -> String {
    serde_json::json!({ "keys": keys }).to_string()
}

/// Signs exact header and payload text (no re-serialisation) into a compact JWS.
pub fn sign_raw(signer: &Signer, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64u(header.as_bytes()), b64u(payload.as_bytes()));
    let sig = signer.sign(input.as_bytes());
    format!("{input}.{}", b64u(&sig))
}

/// Claims that pass the test configuration at [`NOW`].
pub fn good_claims() -> serde_json::Value {
    serde_json::json!({
        "iss": ISS, "aud": AUD, "sub": "alice", "client_id": "client-1",
        "scope": "accounts payments", "jti": "token-1",
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 600
    })
}

/// A standard header for `signer` with `kid`.
pub fn header(signer: &Signer, kid: &str) -> String {
    serde_json::json!({"alg": signer.alg(), "typ": "at+jwt", "kid": kid}).to_string()
}

/// A good access token signed by `signer` under `kid`.
pub fn good_token(signer: &Signer, kid: &str) -> String {
    sign_raw(signer, &header(signer, kid), &good_claims().to_string())
}

/// The default test configuration: ES256, EdDSA and Ed25519 allowed.
pub fn config() -> Config<'static> {
    Config::builder(
        ISS,
        AUD,
        AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519]),
    )
    .build()
    .expect("valid test config")
}
