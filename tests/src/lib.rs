//! Test support shared by the fapi test suites: deterministic keys, JWK/JWKS text, and a
//! token minter that signs arbitrary header/payload JSON (so tests can build hostile tokens).
//!
//! The named-case tables (`tests/tests/cases.rs`, `tests/tests/decision.rs`) and the C case
//! generator (`examples/gen_c_cases.rs`) share their case-building pieces through the modules:
//! [`cases`] (case keys, header/claims text, token surgery), [`certs`] (the RFC 8705
//! certificate fixtures), [`dpop`] (editable proofs, nonces, request constants), [`req`] (an
//! owned request and its builder methods) and [`harness`] (the table runner). [`client`] holds
//! the client-side pieces (the client's configuration, the authorization server's keys, JARM
//! responses, ID tokens, metadata, a host signer).
//!
//! This crate is std and allocates freely; it is never shipped.

pub mod alloc_count;
pub mod bench;
pub mod cases;
pub mod certs;
pub mod client;
pub mod dpop;
pub mod harness;
pub mod req;
pub mod rsa_sign;

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
    assert!(s.len().is_multiple_of(2), "odd hex length");
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
    /// The RFC 7515 A.2 RSA key, signing RS256 (`pss: false`) or PS256 (`pss: true`).
    Rsa {
        /// PS256 rather than RS256.
        pss: bool,
    },
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
            Self::Rsa { .. } => serde_json::json!({
                "kty":"RSA","n": rsa_sign::RFC7515_A2_N, "e": rsa_sign::RFC7515_A2_E
            }),
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
            Self::Rsa { pss: false } => rsa_sign::rs256(input),
            Self::Rsa { pss: true } => {
                let salt: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(input).into();
                rsa_sign::ps256(input, &salt)
            }
        }
    }

    /// The default JWS `alg` for this key.
    pub fn alg(&self) -> &'static str {
        match self {
            Self::Es256(_) => "ES256",
            Self::Ed25519(_) => "EdDSA",
            Self::Rsa { pss: false } => "RS256",
            Self::Rsa { pss: true } => "PS256",
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

// ---------------------------------------------------------------------------------------------
// DPoP proofs and a per-request fixture.

/// base64url(SHA-256(bytes)).
pub fn sha256_b64u(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    b64u(&sha2::Sha256::digest(bytes))
}

/// The RFC 7638 thumbprint of a signer's public key, base64url.
pub fn jkt(signer: &Signer) -> String {
    let jwk = fapi_core::jwk::parse_jwk_json(
        signer.public_jwk().to_string().as_bytes(),
        &fapi_core::json::JsonLimits::DEFAULT,
    )
    .expect("own key parses");
    b64u(jwk.thumbprint())
}

/// The standard proof header for `signer`.
pub fn proof_header(signer: &Signer) -> serde_json::Value {
    serde_json::json!({"typ": "dpop+jwt", "alg": signer.alg(), "jwk": signer.public_jwk()})
}

/// A proof with the given claims (`ath` and `nonce` only when given).
pub fn proof(
    signer: &Signer,
    htm: &str,
    htu: &str,
    iat: u64,
    jti: &str,
    token: Option<&str>,
    nonce: Option<&str>,
) -> String {
    let mut c = serde_json::json!({"htm": htm, "htu": htu, "iat": iat, "jti": jti});
    if let Some(t) = token {
        c["ath"] = sha256_b64u(t.as_bytes()).into();
    }
    if let Some(n) = nonce {
        c["nonce"] = n.into();
    }
    sign_raw(signer, &proof_header(signer).to_string(), &c.to_string())
}

/// An access token bound to `holder` by `cnf.jkt` (and other claims as [`good_claims`]).
pub fn dpop_token(issuer: &Signer, kid: &str, holder: &Signer) -> String {
    let mut c = good_claims();
    c["cnf"] = serde_json::json!({ "jkt": jkt(holder) });
    sign_raw(issuer, &header(issuer, kid), &c.to_string())
}

/// Everything a shared verifier needs, leaked to `'static` (tests only).
pub struct Fixture {
    /// The policy.
    pub policy: &'static fapi_core::policy::Policy<'static>,
    /// The shared key set.
    pub keys: &'static fapi_core::keystore::KeyStore<8>,
    /// The replay table.
    pub replay: &'static fapi_core::replay::ReplayTable<1024>,
    /// The token cache.
    pub cache: &'static fapi_core::cache::TokenCache<64>,
    /// The nonce secrets.
    pub nonces: &'static fapi_core::nonce::NonceKeys,
    /// Use the two-phase external replay store instead of the table.
    pub external_replay: bool,
    /// Use the cache.
    pub use_cache: bool,
    /// The JWKS the key set was loaded from.
    pub jwks: String,
    /// ES256 tables ([`Fixture::with_tables`]), if any.
    pub tables: Option<fapi_core::keytables::KeyTables<'static>>,
}

/// The ES256 table configuration of test fixtures: small windows (G 4 bits, keys 2 bits), so
/// that debug builds, where fapi-core is unoptimised, stay quick; 4 hot-key slots.
pub fn test_table_config() -> fapi_core::keytables::TableConfig {
    use fapi_core::es256::Window;
    fapi_core::keytables::TableConfig {
        base: Window::W4,
        issuer: Window::new(2),
        issuer_keys: 8,
        hot: Window::new(2),
        hot_keys: 4,
        builds_per_second: 1000,
    }
}

/// Fresh, initialised table words for `cfg` (leaked; tests only). The G table is built once
/// per process and configuration and copied.
pub fn table_words(
    cfg: &fapi_core::keytables::TableConfig,
) -> fapi_core::keytables::KeyTables<'static> {
    use fapi_core::keytables::KeyTables;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};
    static TEMPLATES: Mutex<Vec<(String, Vec<u32>)>> = Mutex::new(Vec::new());
    let n = cfg.words().expect("table size");
    let fresh = || -> &'static [AtomicU32] {
        Box::leak(
            (0..n)
                .map(|_| AtomicU32::new(0))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    };
    let key = format!("{cfg:?}");
    let mut templates = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
    let template = match templates.iter().find(|(k, _)| *k == key) {
        Some((_, t)) => t.clone(),
        None => {
            // Built in memory that is freed again (a leaked template would be unreachable: the
            // fuzz targets' leak checker counts it).
            let words: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
            KeyTables::new(&words, *cfg)
                .expect("table config")
                .init()
                .expect("G table");
            let t: Vec<u32> = words.iter().map(|w| w.load(Ordering::Relaxed)).collect();
            templates.push((key, t.clone()));
            t
        }
    };
    let words = fresh();
    for (w, v) in words.iter().zip(template) {
        w.store(v, Ordering::Relaxed);
    }
    KeyTables::new(words, *cfg).expect("table config")
}

/// The public base of the fixtures.
pub const BASE: &str = "https://rs.example.com";

/// Leaks a value (tests only).
pub fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

impl Fixture {
    /// A fixture from a policy builder callback; the key set holds `issuer` under `kid`.
    pub fn new(
        issuers: &[(&Signer, &str)],
        build: impl FnOnce(
            fapi_core::policy::PolicyBuilder<'static>,
        ) -> fapi_core::policy::PolicyBuilder<'static>,
    ) -> Self {
        let bases: &'static [fapi_core::htu::PublicBase] = Box::leak(Box::new([
            fapi_core::htu::PublicBase::parse(BASE).expect("base"),
            fapi_core::htu::PublicBase::parse("https://api.example.com:8443/v1").expect("base"),
        ]));
        let policy = build(fapi_core::policy::Policy::builder(config(), bases))
            .build()
            .expect("valid test policy");
        let f = Self {
            policy: leak(policy),
            keys: leak(fapi_core::keystore::KeyStore::new()),
            replay: leak(fapi_core::replay::ReplayTable::new([0x5A; 32])),
            cache: leak(fapi_core::cache::TokenCache::new()),
            nonces: leak(fapi_core::nonce::NonceKeys::new()),
            external_replay: false,
            use_cache: true,
            jwks: jwks(
                &issuers
                    .iter()
                    .map(|(s, k)| s.jwk_with_kid(k))
                    .collect::<Vec<_>>(),
            ),
            tables: None,
        };
        f.keys
            .view()
            .load(f.jwks.as_bytes(), &fapi_core::jwk::JWKS_LIMITS)
            .expect("fixture keys load");
        f
    }

    /// The same fixture with ES256 tables ([`test_table_config`]): the key set is loaded
    /// again through the verifier, which builds the issuer keys' tables.
    pub fn with_tables(mut self) -> Self {
        self.tables = Some(table_words(&test_table_config()));
        self.verifier()
            .load_jwks(self.jwks.as_bytes())
            .expect("fixture keys load with tables");
        self
    }

    /// The verifier over this fixture's state.
    pub fn verifier(&self) -> fapi_core::request::Verifier<'static> {
        use fapi_core::request::ReplayStore;
        let v = fapi_core::request::Verifier::new(
            self.policy,
            self.keys.view(),
            if self.external_replay {
                ReplayStore::External
            } else {
                ReplayStore::Table(self.replay.view())
            },
            if self.use_cache {
                self.cache.view()
            } else {
                fapi_core::cache::CacheView::disabled()
            },
            self.nonces,
        );
        match self.tables {
            Some(t) => v.with_tables(t),
            None => v,
        }
    }
}

/// A request with the usual defaults (GET `/accounts` on base 0 at [`NOW`]).
pub fn request<'r>(
    authorization: &'r [&'r [u8]],
    dpop: &'r [&'r [u8]],
) -> fapi_core::request::Request<'r> {
    fapi_core::request::Request {
        method: b"GET",
        target: b"/accounts",
        base: 0,
        authorization,
        dpop,
        client_cert: None,
        required_scopes: &[],
        now: NOW,
        introspection: None,
    }
}
