//! Client-side test support: the client's configuration, the authorization server's keys,
//! JARM responses and ID tokens it would sign, metadata documents, and a host signer (the
//! PS256 path of an HSM) built on the test RSA key.

use fapi_core::client::ClientConfig;
use fapi_core::jwk::{JWKS_LIMITS, KeyMaterial, KeySet};
use fapi_core::jws::{Alg, AlgSet, ProviderFailure};
use fapi_core::sign::{Ed25519Key, Es256Key, JwsSigner};
use serde_json::{Value, json};

use crate::{ISS, NOW, Signer, b64u, b64u_decode, jwks, sign_raw};

/// The client's `client_id`.
pub const CLIENT_ID: &str = "client-1";
/// The `state` the client sent.
pub const STATE: &str = "s-0123456789abcdef";
/// The `nonce` the client sent.
pub const NONCE: &str = "n-0123456789abcdef";
/// The authorization code of the good responses.
pub const CODE: &str = "code-1";
/// The client's redirect URI.
pub const REDIRECT: &str = "https://client.example.com/cb";
/// 16 host random bytes (a `jti`).
pub const JTI: [u8; 16] = [0xA5; 16];

/// Every algorithm: what the client accepts outside the FAPI 2.0 profile.
pub fn all_algs() -> AlgSet {
    AlgSet::of(&Alg::ALL)
}

/// The client's configuration (all algorithms, no profile).
pub fn client() -> ClientConfig<'static> {
    ClientConfig::builder(ISS, CLIENT_ID, all_algs())
        .build()
        .expect("valid client config")
}

/// The client's configuration under the FAPI 2.0 profile.
pub fn fapi2_client() -> ClientConfig<'static> {
    ClientConfig::builder(ISS, CLIENT_ID, fapi_core::policy::FAPI2_ALGS)
        .fapi2_profile()
        .build()
        .expect("valid FAPI 2.0 client config")
}

/// The authorization server's keys: EC `ec1`, Ed25519 `ed1`, RSA `rsa1` (the RFC 7515 A.2
/// key, for PS256 and RS256).
pub fn as_jwks() -> String {
    jwks(&[
        Signer::es256(1).jwk_with_kid("ec1"),
        Signer::ed25519(1).jwk_with_kid("ed1"),
        Signer::Rsa { pss: true }.jwk_with_kid("rsa1"),
    ])
}

/// [`as_jwks`] loaded.
pub fn as_keys() -> KeySet<8> {
    let mut k = KeySet::new();
    k.load(as_jwks().as_bytes(), &JWKS_LIMITS)
        .expect("AS keys load");
    k
}

/// A signer of the authorization server and its `kid`.
pub fn as_signer(alg: &str) -> (Signer, &'static str) {
    match alg {
        "ES256" => (Signer::es256(1), "ec1"),
        "EdDSA" => (Signer::ed25519(1), "ed1"),
        "PS256" => (Signer::Rsa { pss: true }, "rsa1"),
        "RS256" => (Signer::Rsa { pss: false }, "rsa1"),
        other => panic!("no AS signer for {other}"),
    }
}

/// The claims of a good JARM response.
pub fn jarm_claims() -> Value {
    json!({
        "iss": ISS, "aud": CLIENT_ID, "exp": NOW + 300, "iat": NOW,
        "code": CODE, "state": STATE
    })
}

/// A JWT signed by `signer` under `kid` with `claims` (header `alg`, `kid`, and `typ` if
/// given).
pub fn signed(signer: &Signer, kid: &str, typ: Option<&str>, claims: &Value) -> String {
    let mut h = json!({"alg": signer.alg(), "kid": kid});
    if let Some(t) = typ {
        h["typ"] = t.into();
    }
    sign_raw(signer, &h.to_string(), &claims.to_string())
}

/// A JARM response JWT signed by the AS with `alg`.
pub fn jarm(alg: &str, claims: &Value) -> String {
    let (s, kid) = as_signer(alg);
    signed(&s, kid, None, claims)
}

/// The claims of a good ID token.
pub fn id_claims() -> Value {
    json!({
        "iss": ISS, "sub": "alice", "aud": CLIENT_ID, "exp": NOW + 300, "iat": NOW,
        "nonce": NONCE, "auth_time": NOW - 10
    })
}

/// A good metadata document (the endpoints on the issuer's origin, mTLS aliases).
pub fn metadata() -> Value {
    json!({
        "issuer": ISS,
        "authorization_endpoint": format!("{ISS}/authorize"),
        "token_endpoint": format!("{ISS}/token"),
        "pushed_authorization_request_endpoint": format!("{ISS}/par"),
        "jwks_uri": format!("{ISS}/jwks"),
        "mtls_endpoint_aliases": {
            "token_endpoint": "https://mtls.as.example.com/token",
            "pushed_authorization_request_endpoint": "https://mtls.as.example.com/par"
        },
        "authorization_response_iss_parameter_supported": true,
        "require_pushed_authorization_requests": true,
        "dpop_signing_alg_values_supported": ["ES256", "EdDSA", "PS256", "ES512"],
        "authorization_signing_alg_values_supported": ["PS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "response_modes_supported": ["query", "jwt", "query.jwt", "form_post.jwt"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "tls_client_auth"]
    })
}

/// The private scalar of [`Signer::es256`]`(seed)`, for fapi's own [`Es256Key`].
pub fn es_secret(seed: u8) -> [u8; 32] {
    let mut d = [0x11u8; 32];
    d[31] = seed;
    d[0] = 0x42;
    d
}

/// fapi's ES256 key with the same private key as [`Signer::es256`]`(seed)`.
pub fn es_key(seed: u8) -> Es256Key {
    Es256Key::from_secret(&es_secret(seed)).expect("valid scalar")
}

/// fapi's Ed25519 key with the same private key as [`Signer::ed25519`]`(seed)`.
pub fn ed_key(seed: u8) -> Ed25519Key {
    let mut d = [0x22u8; 32];
    d[31] = seed;
    Ed25519Key::from_seed(&d)
}

/// How a [`HostSigner`] misbehaves.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Signs correctly.
    None,
    /// Reports a failure (an unreachable HSM).
    Fails,
    /// Returns one byte too few.
    Short,
}

/// A host signer: the RFC 7515 A.2 RSA key signing PS256 (or RS256) outside fapi, the way an
/// HSM callback would.
pub struct HostSigner {
    /// PS256 (`true`) or RS256.
    pub pss: bool,
    /// Misbehaviour.
    pub fault: Fault,
    /// The public key.
    pub public: KeyMaterial,
    /// Calls to `sign`.
    pub calls: usize,
}

impl HostSigner {
    /// A PS256 (`pss`) or RS256 host signer.
    pub fn new(pss: bool, fault: Fault) -> Self {
        let n = b64u_decode(crate::rsa_sign::RFC7515_A2_N);
        let e = b64u_decode(crate::rsa_sign::RFC7515_A2_E);
        let public =
            KeyMaterial::Rsa(fapi_core::rsa::PublicKey::from_be(&n, &e).expect("RFC 7515 A.2 key"));
        Self {
            pss,
            fault,
            public,
            calls: 0,
        }
    }
}

impl JwsSigner for HostSigner {
    fn alg(&self) -> Alg {
        if self.pss { Alg::Ps256 } else { Alg::Rs256 }
    }
    fn public_key(&self) -> &KeyMaterial {
        &self.public
    }
    fn kid(&self) -> Option<&str> {
        Some("hsm-1")
    }
    fn sign(&mut self, input: &[u8], out: &mut [u8]) -> Result<usize, ProviderFailure> {
        self.calls += 1;
        let sig = Signer::Rsa { pss: self.pss }.sign(input);
        match self.fault {
            Fault::Fails => Err(ProviderFailure),
            Fault::Short => {
                out[..sig.len() - 1].copy_from_slice(&sig[..sig.len() - 1]);
                Ok(sig.len() - 1)
            }
            Fault::None => {
                out[..sig.len()].copy_from_slice(&sig);
                Ok(sig.len())
            }
        }
    }
}

/// The public JWK (JSON) of key material, as the AS would register it.
pub fn jwk_of(key: &KeyMaterial) -> Value {
    match key {
        KeyMaterial::P256(xy) => {
            json!({"kty":"EC","crv":"P-256","x":b64u(&xy[..32]),"y":b64u(&xy[32..])})
        }
        KeyMaterial::Ed25519(x) => json!({"kty":"OKP","crv":"Ed25519","x":b64u(x)}),
        KeyMaterial::Rsa(_) => Signer::Rsa { pss: true }.public_jwk(),
    }
}

/// Splits a compact JWS and decodes its header and payload as JSON.
pub fn decode_jws(jws: &str) -> (Value, Value) {
    let parts: Vec<&str> = jws.split('.').collect();
    assert_eq!(parts.len(), 3, "three segments");
    let h = serde_json::from_slice(&b64u_decode(parts[0])).expect("header JSON");
    let p = serde_json::from_slice(&b64u_decode(parts[1])).expect("payload JSON");
    (h, p)
}
