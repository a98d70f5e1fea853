//! The DPoP pieces of the decision cases shared by `tests/tests/decision.rs` and the C case
//! generator: the default request URL and challenge parameters, an editable proof, and the
//! nonce of a time slot.

use fapi_core::nonce::NonceKeys;
use serde_json::{Value, json};

use crate::{NOW, Signer, b64u, proof_header, sha256_b64u, sign_raw};

/// The URL of the default request (`GET /accounts` on base 0).
pub const URL: &str = "https://rs.example.com/accounts";
/// The `algs` parameter of the default policy's DPoP challenge.
pub const ALGS: &str = r#"algs="ES256 EdDSA Ed25519""#;
/// The default proof max age (`Policy` default).
pub const MAX_AGE: u64 = 300;
/// The default leeway (from `Config`).
pub const LEEWAY: u64 = 10;
/// The nonce secret of the nonce cases.
pub const NONCE_SECRET: [u8; 32] = [7; 32];
/// The default nonce slot (seconds).
pub const SLOT: u64 = 60;

/// An editable DPoP proof: header and claims as JSON, signed on [`Proof::sign`].
#[derive(Clone)]
pub struct Proof {
    /// The signing key.
    pub signer: Signer,
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

/// The standard proof: `GET`, `htu`, `iat` [`NOW`], `jti`, `ath` of `token`.
pub fn pf(signer: &Signer, htu: &str, token: Option<&str>, jti: &str) -> Proof {
    let mut claims = json!({"htm": "GET", "htu": htu, "iat": NOW, "jti": jti});
    if let Some(t) = token {
        claims["ath"] = sha256_b64u(t.as_bytes()).into();
    }
    Proof {
        signer: signer.clone(),
        header: proof_header(signer),
        claims,
    }
}

impl Proof {
    /// Sets claim `name`.
    #[must_use]
    pub fn claim(mut self, name: &str, v: impl Into<Value>) -> Self {
        self.claims[name] = v.into();
        self
    }
    /// Removes claim `name`.
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.claims
            .as_object_mut()
            .expect("claims object")
            .remove(name);
        self
    }
    /// Sets header member `name`.
    #[must_use]
    pub fn hdr(mut self, name: &str, v: impl Into<Value>) -> Self {
        self.header[name] = v.into();
        self
    }
    /// Removes header member `name`.
    #[must_use]
    pub fn hdr_without(mut self, name: &str) -> Self {
        self.header
            .as_object_mut()
            .expect("header object")
            .remove(name);
        self
    }
    /// The signed compact JWS.
    pub fn sign(&self) -> String {
        sign_raw(
            &self.signer,
            &self.header.to_string(),
            &self.claims.to_string(),
        )
    }
    /// The header and claims with an empty signature (for `alg: none`).
    pub fn unsigned(&self) -> String {
        format!(
            "{}.{}.",
            b64u(self.header.to_string().as_bytes()),
            b64u(self.claims.to_string().as_bytes())
        )
    }
}

/// The nonce of `t`'s 60-second slot under `secret` (computed on a separate `NonceKeys`).
pub fn nonce_at(secret: &[u8], t: u64) -> String {
    let k = NonceKeys::new();
    k.set_secret(secret, NOW).expect("nonce secret");
    k.current(t, 60).expect("secret set").as_str().to_string()
}
