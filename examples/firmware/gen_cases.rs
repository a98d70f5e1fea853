//! `gen_firmware_cases`: writes the decision cases of the firmware images.
//!
//! ```text
//! cargo run -p fapi-tests --example gen_firmware_cases            # rewrites both files
//! cargo run -p fapi-tests --example gen_firmware_cases -- --check # exit 1 if one is stale
//! ```
//!
//! Output (committed, generated data — edit this file, not them):
//! - `examples/firmware/src/cases.rs`: the JWKS, the nonce secret and every case of the Rust
//!   firmware (`src/main.rs`), run in order through `fapi_core::request::Verifier::decide`;
//! - `examples/firmware/c/cases.h`: the subset marked for the C firmware (`c/main.c`), run in
//!   the same order through the C ABI (`include/fapi.h`).
//!
//! Tokens and proofs are real: signed by the test support crate's [`Signer`]s (RFC 6979
//! ECDSA, Ed25519 and the RFC 7515 A.2 RSA key — deterministic, so the output is stable). The
//! cases come from the Rust case tables (`tests/tests/cases.rs`, `tests/tests/decision.rs`),
//! with the same names and builders. The expected outcomes are written here by hand from those
//! tables; nothing is computed by running fapi's decision code.
//!
//! State carries over between cases (one replay table, one token cache): every proof has its
//! own `jti` except in the replay scenarios, and a cache-hit case follows the case that filled
//! the cache.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use fapi_core::Error;
use fapi_core::error::{
    ClaimsError, DpopError, JsonError, JwkError, JwsError, MtlsError, ProofDefect, RequestError,
};
use fapi_core::mtls::CertEncoding;
use fapi_tests::cases::{
    add_member, claims_text, claims_with, claims_with_cnf, ed, ed_token, es, es_hdr_token,
    es_token, flip, hdr, hdr_with, hmac_token, holder, holder_ed, holder_private_jwk, malleate,
    nested, other, with_sig,
};
use fapi_tests::certs::{RFC7517_B_X5T_S256, cert_der, other_cert_der, pem_of};
use fapi_tests::dpop::{MAX_AGE, NONCE_SECRET, Proof, URL, nonce_at, pf};
use fapi_tests::{AUD, ISS, NOW, Signer, b64u, jkt, jwks, sha256_b64u, sign_raw};
use serde_json::{Value, json};

/// Verifiers of the firmware (the C firmware builds the first two).
#[derive(Clone, Copy, PartialEq, Eq)]
enum V {
    /// The resource-server policy with the token cache.
    Rs,
    /// The same policy, no token cache.
    NoCache,
    /// Nonces required (Rust firmware only).
    Nonce,
}

impl V {
    fn rust(self) -> &'static str {
        match self {
            Self::Rs => "V::Rs",
            Self::NoCache => "V::NoCache",
            Self::Nonce => "V::Nonce",
        }
    }
    fn c(self) -> &'static str {
        match self {
            Self::Rs => "GEN_V_RS",
            Self::NoCache => "GEN_V_NOCACHE",
            Self::Nonce => unreachable!("the C firmware has no nonce verifier"),
        }
    }
}

#[derive(Clone, Copy)]
enum Bind {
    None,
    Dpop,
    Mtls,
}

#[derive(Clone)]
enum Want {
    Allow {
        bind: Bind,
        cache_hit: Option<bool>,
    },
    Deny {
        error: Error,
        challenge: Option<String>,
    },
}

fn allow(bind: Bind) -> Want {
    Want::Allow {
        bind,
        cache_hit: None,
    }
}
fn allow_cached(bind: Bind, hit: bool) -> Want {
    Want::Allow {
        bind,
        cache_hit: Some(hit),
    }
}
fn deny(e: impl Into<Error>) -> Want {
    Want::Deny {
        error: e.into(),
        challenge: None,
    }
}
fn deny_with(e: impl Into<Error>, challenge: &str) -> Want {
    Want::Deny {
        error: e.into(),
        challenge: Some(challenge.to_string()),
    }
}
fn proof_jws(e: JwsError) -> Error {
    Error::Proof(ProofDefect::Jws(e))
}

/// The headline measurements of the footprint report (`scripts/firmware-report.sh` reads
/// them by this tag).
#[derive(Clone, Copy)]
enum Tag {
    None,
    Is(&'static str),
}

#[derive(Clone)]
struct Case {
    name: String,
    v: V,
    method: &'static str,
    target: String,
    auth: Vec<String>,
    dpop: Vec<String>,
    cert: Option<(Vec<u8>, CertEncoding)>,
    now: u64,
    want: Want,
    /// An RSA signature is verified (its own stack budget).
    rsa: bool,
    tag: Tag,
    /// Also in the C firmware.
    c: bool,
}

impl Case {
    fn new(name: &str, v: V, want: Want) -> Self {
        Self {
            name: name.to_string(),
            v,
            method: "GET",
            target: "/accounts".to_string(),
            auth: Vec::new(),
            dpop: Vec::new(),
            cert: None,
            now: NOW,
            want,
            rsa: false,
            tag: Tag::None,
            c: false,
        }
    }
    fn bearer(mut self, token: &str) -> Self {
        self.auth = vec![format!("Bearer {token}")];
        self
    }
    fn dpop_req(mut self, token: &str, proof: &str) -> Self {
        self.auth = vec![format!("DPoP {token}")];
        self.dpop = vec![proof.to_string()];
        self
    }
    fn cert(mut self, bytes: Vec<u8>, enc: CertEncoding) -> Self {
        self.cert = Some((bytes, enc));
        self
    }
    fn tag(mut self, t: &'static str) -> Self {
        self.tag = Tag::Is(t);
        self
    }
    fn rsa(mut self) -> Self {
        self.rsa = true;
        self
    }
    fn in_c(mut self) -> Self {
        self.c = true;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens: the issuer keys of the case tables (ES256 `ec1`, Ed25519 `ed1`) and the RFC 7515 A.2
// RSA key (`rsa1`).

const RSA_KID: &str = "rsa1";

fn es_claims_token(claims: &Value) -> String {
    sign_raw(&es(), &hdr("ES256", "ec1"), &claims.to_string())
}
fn ed_claims_token(claims: &Value) -> String {
    sign_raw(&ed(), &hdr("EdDSA", "ed1"), &claims.to_string())
}
fn bound(h: &Signer) -> Value {
    claims_with_cnf(json!({ "jkt": jkt(h) }))
}

/// An edit of the standard proof.
type ProofEdit = fn(Proof) -> Proof;

struct Gen {
    cases: Vec<Case>,
    jti: usize,
}

impl Gen {
    fn jti(&mut self) -> String {
        self.jti += 1;
        format!("fw-{}", self.jti)
    }
    /// A fresh standard proof of `h` for `token`.
    fn proof(&mut self, h: &Signer, token: &str) -> Proof {
        let jti = self.jti();
        pf(h, URL, Some(token), &jti)
    }
    fn push(&mut self, c: Case) {
        self.cases.push(c);
    }
}

fn build() -> Vec<Case> {
    let mut g = Gen {
        cases: Vec::new(),
        jti: 0,
    };
    let h = holder();
    let he = holder_ed();
    let es_tok = es_claims_token(&bound(&h));
    let ed_tok = ed_claims_token(&bound(&he));

    // --- Allowed requests: the measurements of the report.
    for (alg, tok, holder, tag) in [
        ("ES256", &es_tok, &h, "es256"),
        ("EdDSA", &ed_tok, &he, "eddsa"),
    ] {
        let p = g.proof(holder, tok).sign();
        g.push(
            Case::new(
                &format!("{alg} token + {alg} proof, no token cache"),
                V::NoCache,
                allow_cached(Bind::Dpop, false),
            )
            .dpop_req(tok, &p)
            .tag(match tag {
                "es256" => "es256-uncached",
                _ => "eddsa-uncached",
            })
            .in_c(),
        );
        let p = g.proof(holder, tok).sign();
        g.push(
            Case::new(
                &format!("{alg} token + {alg} proof, cache miss (fills the cache)"),
                V::Rs,
                allow_cached(Bind::Dpop, false),
            )
            .dpop_req(tok, &p)
            .tag(match tag {
                "es256" => "es256-cache-miss",
                _ => "eddsa-cache-miss",
            })
            .in_c(),
        );
        let p = g.proof(holder, tok).sign();
        g.push(
            Case::new(
                &format!("{alg} token + {alg} proof, cache hit (new proof)"),
                V::Rs,
                allow_cached(Bind::Dpop, true),
            )
            .dpop_req(tok, &p)
            .tag(match tag {
                "es256" => "es256-cached",
                _ => "eddsa-cached",
            })
            .in_c(),
        );
    }
    // Certificate-bound (RFC 8705).
    let x5t_tok = es_claims_token(&claims_with_cnf(json!({ "x5t#S256": RFC7517_B_X5T_S256 })));
    g.push(
        Case::new("certificate DER", V::NoCache, allow(Bind::Mtls))
            .bearer(&x5t_tok)
            .cert(cert_der(), CertEncoding::Der)
            .tag("mtls-es256")
            .in_c(),
    );
    g.push(
        Case::new("certificate PEM", V::NoCache, allow(Bind::Mtls))
            .bearer(&x5t_tok)
            .cert(pem_of(&cert_der()).into_bytes(), CertEncoding::Pem),
    );
    g.push(
        Case::new(
            "another certificate",
            V::NoCache,
            deny(MtlsError::CertMismatch),
        )
        .bearer(&x5t_tok)
        .cert(other_cert_der(), CertEncoding::Der)
        .in_c(),
    );
    g.push(
        Case::new(
            "certificate absent",
            V::NoCache,
            deny(MtlsError::CertMissing),
        )
        .bearer(&x5t_tok),
    );
    // RSA tokens (RFC 7515 A.2 key, 2048 bits): PS256 with an ES256 proof, RS256 bearer.
    let ps = Signer::Rsa { pss: true };
    let ps_tok = sign_raw(&ps, &hdr("PS256", RSA_KID), &bound(&h).to_string());
    let p = g.proof(&h, &ps_tok).sign();
    g.push(
        Case::new(
            "PS256 token + ES256 proof, no token cache",
            V::NoCache,
            allow_cached(Bind::Dpop, false),
        )
        .dpop_req(&ps_tok, &p)
        .rsa()
        .tag("ps256-es256-uncached")
        .in_c(),
    );
    let rs = Signer::Rsa { pss: false };
    let rs_tok = sign_raw(&rs, &hdr("RS256", RSA_KID), &claims_text());
    g.push(
        Case::new(
            "RS256 bearer token (non-FAPI issuer)",
            V::NoCache,
            allow(Bind::None),
        )
        .bearer(&rs_tok)
        .rsa(),
    );
    g.push(
        Case::new(
            "Bearer scheme, unbound ES256 token",
            V::Rs,
            allow(Bind::None),
        )
        .bearer(&es_token(&claims_text())),
    );

    // --- Token attacks (tests/tests/cases.rs).
    let good = es_token(&claims_text());
    let good_ed = ed_token(&claims_text());
    let claims = claims_text();
    let cs = b64u(claims.as_bytes());
    let token_cases: Vec<(&str, Error, String)> = vec![
        (
            "alg \"none\", empty signature",
            JwsError::AlgNone.into(),
            format!("{}.{cs}.", b64u(hdr("none", "ec1").as_bytes())),
        ),
        (
            "alg none with a real ES256 signature",
            JwsError::AlgNone.into(),
            es_hdr_token(&hdr("none", "ec1")),
        ),
        (
            "HS256 HMAC'd with the public JWK text",
            JwsError::AlgSymmetric.into(),
            hmac_token(
                &hdr("HS256", "ec1"),
                es().jwk_with_kid("ec1").to_string().as_bytes(),
            ),
        ),
        (
            "EdDSA header with the kid of the EC key",
            JwkError::AlgKeyMismatch.into(),
            sign_raw(&ed(), &hdr("EdDSA", "ec1"), &claims),
        ),
        (
            "unknown kid",
            JwkError::UnknownKid.into(),
            sign_raw(&es(), &hdr("ES256", "nope"), &claims),
        ),
        (
            "ES256 signature flip: r byte 0",
            JwsError::BadSignature.into(),
            flip(&good, 0, 0x01),
        ),
        (
            "EdDSA signature flip: S byte 32",
            JwsError::BadSignature.into(),
            flip(&good_ed, 32, 0x01),
        ),
        (
            "ES256 r = s = 0 (psychic signature)",
            JwsError::BadSignature.into(),
            with_sig(&good, &[0u8; 64]),
        ),
        (
            "crit [\"exp\"]",
            JwsError::CritPresent.into(),
            es_hdr_token(&hdr_with("ES256", "ec1", r#""crit":["exp"],"exp":1"#)),
        ),
        (
            "header alg twice",
            JsonError::DuplicateMember.into(),
            es_hdr_token(r#"{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"ec1"}"#),
        ),
        (
            "claims escaped duplicate \\u0069ss",
            JsonError::DuplicateMember.into(),
            es_token(&add_member(&claims, r#""\u0069ss":"https://evil.example""#)),
        ),
        (
            "exp NOW - 11 (leeway 10)",
            ClaimsError::Expired.into(),
            es_token(&claims_with("exp", &(NOW - 11).to_string())),
        ),
        (
            "iss wrong",
            ClaimsError::IssMismatch.into(),
            es_token(&claims_with("iss", "\"https://evil.example\"")),
        ),
        (
            "aud wrong string",
            ClaimsError::AudMismatch.into(),
            es_token(&claims_with("aud", "\"https://other.example\"")),
        ),
        (
            "exp 1e300",
            ClaimsError::TimeMalformed.into(),
            es_token(&claims_with("exp", "1e300")),
        ),
        (
            "claims nested 17 deep",
            JsonError::DepthExceeded.into(),
            es_token(&claims_with("deep", &nested(16))),
        ),
    ];
    for (name, e, tok) in token_cases {
        let c = Case::new(&format!("cases: {name}"), V::Rs, deny(e)).bearer(&tok);
        let c = if matches!(
            name,
            "alg \"none\", empty signature" | "ES256 signature flip: r byte 0"
        ) {
            c.in_c()
        } else {
            c
        };
        g.push(c);
    }
    // The JSON depth attacks: deep nesting where the default limit (16) refuses it. The
    // reader's depth stack is a fixed bit stack, so stack use does not grow with depth.
    let deep_claims = es_token(&claims_with("deep", &nested(2_500)));
    assert!(deep_claims.len() <= 8192, "within the default token limit");
    g.push(
        Case::new(
            "json depth attack: claims nested 2,500 deep (signed)",
            V::Rs,
            deny(JsonError::DepthExceeded),
        )
        .bearer(&deep_claims)
        .tag("json-depth-claims")
        .in_c(),
    );
    let deep_hdr = es_hdr_token(&hdr_with(
        "ES256",
        "ec1",
        &format!(r#""x":{}"#, nested(400)),
    ));
    g.push(
        Case::new(
            "json depth attack: header nested 400 deep",
            V::Rs,
            deny(JsonError::DepthExceeded),
        )
        .bearer(&deep_hdr),
    );
    // (serde_json cannot hold 600 levels: the member is added as text.)
    let base = g.proof(&h, &es_tok);
    let p = sign_raw(
        &h,
        &base.header.to_string(),
        &add_member(
            &base.claims.to_string(),
            &format!(r#""deep":{}"#, nested(600)),
        ),
    );
    assert!(
        p.len() <= fapi_core::dpop::MAX_PROOF_LEN,
        "within the proof limit"
    );
    g.push(
        Case::new(
            "json depth attack: proof claims nested 600 deep",
            V::Rs,
            deny(Error::Proof(ProofDefect::Json(JsonError::DepthExceeded))),
        )
        .dpop_req(&es_tok, &p)
        .tag("json-depth-proof"),
    );

    // --- DPoP attacks (tests/tests/decision.rs).
    let proof_cases: Vec<(&str, ProofEdit, Error)> = vec![
        (
            "htm POST for GET",
            |p| p.claim("htm", "POST"),
            DpopError::HtmMismatch.into(),
        ),
        (
            "htu other host",
            |p| p.claim("htu", "https://api.example.com/accounts"),
            DpopError::HtuMismatch.into(),
        ),
        (
            "iat NOW - 301 (too old)",
            |p| p.claim("iat", NOW - MAX_AGE - 1),
            DpopError::IatTooOld.into(),
        ),
        (
            "ath wrong",
            |p| p.claim("ath", sha256_b64u(b"something else")),
            DpopError::AthMismatch.into(),
        ),
        (
            "alg HS256",
            |p| p.hdr("alg", "HS256"),
            proof_jws(JwsError::AlgSymmetric),
        ),
        (
            "private jwk (with d)",
            |p| p.hdr("jwk", holder_private_jwk()),
            Error::Proof(ProofDefect::Jwk(JwkError::KeyPrivate)),
        ),
        (
            "jwk not the signer (header names another key)",
            |p| p.hdr("jwk", other().public_jwk()),
            proof_jws(JwsError::BadSignature),
        ),
    ];
    for (name, edit, e) in proof_cases {
        let p = edit(g.proof(&h, &es_tok)).sign();
        let c = Case::new(&format!("decision: {name}"), V::Rs, deny(e)).dpop_req(&es_tok, &p);
        let c = if name == "htu other host" {
            c.in_c()
        } else {
            c
        };
        g.push(c);
    }
    let p = g.proof(&h, &es_tok).hdr("alg", "none").unsigned();
    g.push(
        Case::new(
            "decision: alg none, empty signature",
            V::Rs,
            deny(proof_jws(JwsError::AlgNone)),
        )
        .dpop_req(&es_tok, &p),
    );
    let p = g.proof(&h, &es_tok).sign();
    g.push(
        Case::new(
            "decision: proof signature bit flipped",
            V::Rs,
            deny(proof_jws(JwsError::BadSignature)),
        )
        .dpop_req(&es_tok, &flip(&p, 10, 0x01)),
    );
    let o = other();
    let p = g.proof(&o, &es_tok).sign();
    g.push(
        Case::new(
            "decision: jkt mismatch (valid proof, token bound to another key)",
            V::Rs,
            deny(DpopError::JktMismatch),
        )
        .dpop_req(&es_tok, &p)
        .in_c(),
    );
    g.push(
        Case::new(
            "decision: Bearer downgrade of a DPoP-bound token",
            V::Rs,
            deny(DpopError::BearerDowngrade),
        )
        .bearer(&es_tok),
    );
    // Replay: the identical proof twice, then its malleated ES256 twin (r, n − s).
    let p = g.proof(&h, &es_tok).sign();
    let replayed = "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", \
                    algs=\"ES256 EdDSA Ed25519\", Bearer";
    g.push(
        Case::new(
            "decision: replay_identical_proof_twice: first use",
            V::Rs,
            allow(Bind::Dpop),
        )
        .dpop_req(&es_tok, &p)
        .in_c(),
    );
    g.push(
        Case::new(
            "decision: replay_identical_proof_twice: second use",
            V::Rs,
            deny_with(DpopError::Replayed, replayed),
        )
        .dpop_req(&es_tok, &p)
        .in_c(),
    );
    g.push(
        Case::new(
            "decision: replay_malleated_es256_proof: malleated (r, n - s) of the used proof",
            V::Rs,
            deny(DpopError::Replayed),
        )
        .dpop_req(&es_tok, &malleate(&p)),
    );
    // Nonces: a proof without one gets `use_dpop_nonce` and the nonce; the retry passes.
    let p = g.proof(&h, &es_tok).sign();
    g.push(
        Case::new(
            "decision: nonce required, proof without nonce",
            V::Nonce,
            deny(DpopError::NonceMissing),
        )
        .dpop_req(&es_tok, &p),
    );
    let p = g
        .proof(&h, &es_tok)
        .claim("nonce", nonce_at(&NONCE_SECRET, NOW))
        .sign();
    g.push(
        Case::new(
            "decision: nonce required, proof with the current nonce",
            V::Nonce,
            allow(Bind::Dpop),
        )
        .dpop_req(&es_tok, &p),
    );
    let p = g.proof(&h, &es_tok).claim("nonce", "made-up").sign();
    g.push(
        Case::new(
            "decision: nonce required, made-up nonce",
            V::Nonce,
            deny(DpopError::NonceInvalid),
        )
        .dpop_req(&es_tok, &p),
    );

    // --- Request-level refusals.
    let p = g.proof(&h, &es_tok).sign();
    let mut two = Case::new(
        "decision: two Authorization fields",
        V::Rs,
        deny(RequestError::MultipleAuthorization),
    )
    .dpop_req(&es_tok, &p);
    two.auth.push(format!("DPoP {es_tok}"));
    g.push(two);
    let mut q = Case::new(
        "decision: access_token query parameter",
        V::Rs,
        deny(RequestError::TokenInQuery),
    )
    .dpop_req(&es_tok, &p);
    q.target = format!("/accounts?access_token={es_tok}");
    g.push(q);
    g.push(
        Case::new(
            "decision: no Authorization",
            V::Rs,
            deny_with(
                RequestError::NoCredentials,
                "Bearer, DPoP algs=\"ES256 EdDSA Ed25519\"",
            ),
        )
        .in_c(),
    );
    g.cases
}

// ---------------------------------------------------------------------------------------------
// Output.

/// Named byte blobs, deduplicated (tokens recur across cases).
#[derive(Default)]
struct Blobs {
    names: HashMap<Vec<u8>, String>,
    order: Vec<(String, Vec<u8>)>,
}

impl Blobs {
    fn name(&mut self, b: &[u8]) -> String {
        if let Some(n) = self.names.get(b) {
            return n.clone();
        }
        let n = format!("B{}", self.order.len());
        self.names.insert(b.to_vec(), n.clone());
        self.order.push((n.clone(), b.to_vec()));
        n
    }
}

fn rust_bytes(b: &[u8]) -> String {
    let mut s = String::from("b\"");
    for &c in b {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(c)),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push('"');
    s
}

/// A C string literal; octal escapes always have three digits, so they never run on.
fn c_bytes(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'?' => s.push_str("\\?"),
            0x20..=0x7e => s.push(char::from(c)),
            _ => {
                let _ = write!(s, "\\{c:03o}");
            }
        }
    }
    s.push('"');
    s
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

fn encoding_rust(e: CertEncoding) -> &'static str {
    match e {
        CertEncoding::Der => "CertEncoding::Der",
        CertEncoding::Pem => "CertEncoding::Pem",
        CertEncoding::EscapedPem => "CertEncoding::EscapedPem",
        CertEncoding::ClientCertHeader => "CertEncoding::ClientCertHeader",
    }
}
fn encoding_c(e: CertEncoding) -> &'static str {
    match e {
        CertEncoding::Der => "FAPI_CERT_DER",
        CertEncoding::Pem => "FAPI_CERT_PEM",
        CertEncoding::EscapedPem => "FAPI_CERT_ESCAPED_PEM",
        CertEncoding::ClientCertHeader => "FAPI_CERT_CLIENT_CERT_HEADER",
    }
}

fn bind_rust(b: Bind) -> &'static str {
    match b {
        Bind::None => "Bind::None",
        Bind::Dpop => "Bind::Dpop",
        Bind::Mtls => "Bind::Mtls",
    }
}
fn bind_c(b: Bind) -> &'static str {
    match b {
        Bind::None => "FAPI_BINDING_NONE",
        Bind::Dpop => "FAPI_BINDING_DPOP",
        Bind::Mtls => "FAPI_BINDING_MTLS",
    }
}

const HEADER: &str = "Generated by `cargo run -p fapi-tests --example gen_firmware_cases` \
                      (examples/firmware/gen_cases.rs). Do not edit.";

fn the_jwks() -> String {
    jwks(&[
        es().jwk_with_kid("ec1"),
        ed().jwk_with_kid("ed1"),
        Signer::Rsa { pss: true }.jwk_with_kid(RSA_KID),
    ])
}

fn rust_file(cases: &[Case]) -> String {
    let mut blobs = Blobs::default();
    let mut body = String::new();
    for c in cases {
        let list = |blobs: &mut Blobs, v: &[String]| {
            let names: Vec<String> = v.iter().map(|x| blobs.name(x.as_bytes())).collect();
            format!("&[{}]", names.join(", "))
        };
        let auth = list(&mut blobs, &c.auth);
        let dpop = list(&mut blobs, &c.dpop);
        let target = blobs.name(c.target.as_bytes());
        let cert = match &c.cert {
            None => "None".to_string(),
            Some((b, e)) => format!("Some(({}, {}))", blobs.name(b), encoding_rust(*e)),
        };
        let want = match &c.want {
            Want::Allow { bind, cache_hit } => format!(
                "Want::Allow {{ binding: {}, cache_hit: {} }}",
                bind_rust(*bind),
                match cache_hit {
                    None => "None".to_string(),
                    Some(h) => format!("Some({h})"),
                }
            ),
            Want::Deny { error, challenge } => format!(
                "Want::Deny {{ code: {}, name: {}, status: {}, challenge: {} }}",
                error.code(),
                rust_str(error.name()),
                error.http_status(),
                match challenge {
                    None => "None".to_string(),
                    Some(ch) => format!("Some({})", rust_str(ch)),
                }
            ),
        };
        let tag = match c.tag {
            Tag::None => "\"\"".to_string(),
            Tag::Is(t) => rust_str(t),
        };
        let now = if c.now == NOW {
            "NOW".to_string()
        } else {
            c.now.to_string()
        };
        let _ = writeln!(
            body,
            "    Case {{\n        name: {},\n        verifier: {},\n        method: {},\n        \
             target: {target},\n        authorization: {auth},\n        dpop: {dpop},\n        \
             cert: {cert},\n        now: {now},\n        want: {want},\n        rsa: {},\n        \
             tag: {tag},\n    }},",
            rust_str(&c.name),
            c.v.rust(),
            rust_bytes(c.method.as_bytes()),
            c.rsa,
        );
    }
    let mut out = String::new();
    let _ = writeln!(out, "//! {HEADER}");
    let _ = writeln!(
        out,
        "//!\n//! {} cases; tokens and proofs signed by the test support crate's keys.",
        cases.len()
    );
    let _ = writeln!(out, "#![cfg_attr(rustfmt, rustfmt::skip)]\n");
    let _ = writeln!(out, "use fapi_core::mtls::CertEncoding;\n");
    let _ = writeln!(out, "use fapi_firmware::case::{{Bind, Case, V, Want}};\n");
    let _ = writeln!(out, "/// The clock of every case (Unix seconds).");
    let _ = writeln!(out, "pub const NOW: u64 = {NOW};");
    let _ = writeln!(out, "/// Expected issuer and audience.");
    let _ = writeln!(out, "pub const ISS: &str = {};", rust_str(ISS));
    let _ = writeln!(out, "pub const AUD: &str = {};", rust_str(AUD));
    let _ = writeln!(out, "/// The public base (scheme://host) of the requests.");
    let _ = writeln!(
        out,
        "pub const BASE: &str = {};",
        rust_str(fapi_tests::BASE)
    );
    let _ = writeln!(out, "/// The nonce secret of the nonce verifier.");
    let _ = writeln!(out, "pub const NONCE_SECRET: [u8; 32] = {NONCE_SECRET:?};");
    let _ = writeln!(
        out,
        "/// The issuer's keys: ES256 `ec1`, Ed25519 `ed1`, RSA-2048 `rsa1` (RFC 7515 A.2)."
    );
    let _ = writeln!(
        out,
        "pub const JWKS: &[u8] = {};\n",
        rust_bytes(the_jwks().as_bytes())
    );
    for (n, b) in &blobs.order {
        let _ = writeln!(out, "const {n}: &[u8] = {};", rust_bytes(b));
    }
    let _ = writeln!(out, "\n/// The cases, run in this order.");
    let _ = writeln!(out, "pub const CASES: &[Case] = &[\n{body}];");
    out
}

fn c_file(cases: &[Case]) -> String {
    let mut blobs = Blobs::default();
    let mut body = String::new();
    let mut n = 0;
    for c in cases.iter().filter(|c| c.c) {
        assert!(
            c.auth.len() <= 1 && c.dpop.len() <= 1,
            "C cases: one field each"
        );
        n += 1;
        let field = |blobs: &mut Blobs, v: &[String]| {
            v.first()
                .map_or("NULL".to_string(), |x| blobs.name(x.as_bytes()))
        };
        let auth = field(&mut blobs, &c.auth);
        let dpop = field(&mut blobs, &c.dpop);
        let target = blobs.name(c.target.as_bytes());
        let (cert, cert_len, enc) = match &c.cert {
            None => ("NULL".to_string(), "0".to_string(), "FAPI_CERT_NONE"),
            Some((b, e)) => {
                let name = blobs.name(b);
                let len = format!("sizeof {name} - 1");
                (name, len, encoding_c(*e))
            }
        };
        let (verdict, result, bind, cache_hit, challenge) = match &c.want {
            Want::Allow { bind, cache_hit } => (
                "FAPI_VERDICT_ALLOW",
                "FAPI_OK".to_string(),
                bind_c(*bind),
                cache_hit.map_or(-1, i32::from),
                "NULL".to_string(),
            ),
            Want::Deny { error, challenge } => (
                "FAPI_VERDICT_DENY",
                format!("FAPI_ERR_{}", error.name().to_ascii_uppercase()),
                "0",
                -1,
                challenge
                    .as_deref()
                    .map_or("NULL".to_string(), |ch| c_bytes(ch.as_bytes())),
            ),
        };
        let status = match &c.want {
            Want::Allow { .. } => 200,
            Want::Deny { error, .. } => error.http_status(),
        };
        let tag = match c.tag {
            Tag::None => "NULL".to_string(),
            Tag::Is(t) => c_bytes(t.as_bytes()),
        };
        let _ = writeln!(
            body,
            "    {{{}, {}, {}, {target}, sizeof {target} - 1, {}, {}, {}, {},\n     \
             {enc}, {cert}, {cert_len}, {}ULL,\n     {verdict}, {result}, {status}, {bind}, \
             {cache_hit}, {challenge}, {}, {tag}}},",
            c_bytes(c.name.as_bytes()),
            c.v.c(),
            c_bytes(c.method.as_bytes()),
            auth,
            if auth == "NULL" {
                "0".to_string()
            } else {
                format!("sizeof {auth} - 1")
            },
            dpop,
            if dpop == "NULL" {
                "0".to_string()
            } else {
                format!("sizeof {dpop} - 1")
            },
            c.now,
            u8::from(c.rsa),
        );
    }
    let mut out = String::new();
    let _ = writeln!(out, "/* {HEADER}");
    let _ = writeln!(
        out,
        " * The C firmware's subset of the Rust firmware's cases ({n} of {}), in the same order. */",
        cases.len()
    );
    out.push_str("#ifndef FAPI_FIRMWARE_CASES_H\n#define FAPI_FIRMWARE_CASES_H\n\n");
    out.push_str("#include <fapi.h>\n\n");
    let _ = writeln!(out, "#define GEN_NOW {NOW}ULL");
    let _ = writeln!(out, "#define GEN_ISS {}", c_bytes(ISS.as_bytes()));
    let _ = writeln!(out, "#define GEN_AUD {}", c_bytes(AUD.as_bytes()));
    let _ = writeln!(
        out,
        "#define GEN_BASE {}",
        c_bytes(fapi_tests::BASE.as_bytes())
    );
    out.push_str("/* Verifiers: the resource-server policy with and without the token cache. */\n");
    out.push_str("#define GEN_V_RS 0\n#define GEN_V_NOCACHE 1\n#define GEN_VERIFIERS 2\n\n");
    let _ = writeln!(
        out,
        "static const uint8_t GEN_JWKS[] = {};\n",
        c_bytes(the_jwks().as_bytes())
    );
    for (n, b) in &blobs.order {
        let _ = writeln!(out, "static const char {n}[] = {};", c_bytes(b));
    }
    out.push_str(
        "\nstruct gen_case {\n    const char *name;\n    uint32_t verifier;\n    \
         const char *method;\n    const char *target;\n    size_t target_len;\n    \
         const char *authorization; /* NULL: none */\n    size_t authorization_len;\n    \
         const char *dpop; /* NULL: none */\n    size_t dpop_len;\n    uint32_t cert_encoding;\n    \
         const char *cert;\n    size_t cert_len;\n    uint64_t now;\n    uint32_t verdict;\n    \
         uint32_t result;\n    uint32_t status;\n    uint32_t binding; /* allow only */\n    \
         int cache_hit; /* allow only: 0/1, -1 not checked */\n    \
         const char *challenge; /* deny: exact WWW-Authenticate, NULL not checked */\n    \
         int rsa; /* an RSA signature is verified (its own stack budget) */\n    \
         const char *tag; /* a headline measurement, or NULL */\n};\n\n",
    );
    let _ = writeln!(
        out,
        "static const struct gen_case GEN_CASES[] = {{\n{body}}};\n"
    );
    out.push_str("#endif\n");
    out
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .join("examples/firmware");
    let cases = build();
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        assert!(
            seen.insert(c.name.clone()),
            "duplicate case name {:?}",
            c.name
        );
    }
    let files = [
        (root.join("src/cases.rs"), rust_file(&cases)),
        (root.join("c/cases.h"), c_file(&cases)),
    ];
    let mut stale = false;
    for (path, text) in files {
        if check {
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            if old != text {
                eprintln!(
                    "stale: {} (regenerate: cargo run -p fapi-tests --example gen_firmware_cases)",
                    path.display()
                );
                stale = true;
            } else {
                println!("current: {}", path.display());
            }
        } else {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            println!("wrote {}", path.display());
        }
    }
    if stale {
        std::process::exit(1);
    }
}
