//! `gen_c_cases`: prints the C case table of the C ABI suite (`tests/c`) on stdout.
//!
//! ```text
//! cargo run -p fapi-tests --example gen_c_cases > tests/c/build/cases.inc
//! ```
//!
//! C cannot mint ES256/EdDSA tokens and DPoP proofs easily, so this generator does: it prints
//! a deterministic C source fragment (keys and signatures are deterministic) holding the JWKS,
//! the verifier configurations, the named cases (the same names as the Rust tables in
//! `tests/tests/cases.rs` and `tests/tests/decision.rs`, prefixed with the table they come
//! from) with their exact expected result codes — written as `FAPI_ERR_*` names so the C
//! compiler checks that each constant exists — HTTP statuses, OAuth errors and, for a subset,
//! the exact `WWW-Authenticate` value, plus the material of the API and concurrency tests (a
//! batch of distinct valid proofs for one token, two key sets for the swap test, the two-phase
//! replay and standalone proof checks).
//!
//! The expected outcomes are written here by hand from the Rust tables; nothing is computed by
//! running fapi's decision code. The cases run in order against one verifier per
//! configuration, so replay state carries over: every proof gets its own `jti` except in the
//! replay scenarios, which are ordered accordingly.

use std::collections::HashMap;
use std::fmt::Write as _;

use fapi_core::keytables::TableConfig;
use fapi_core::mtls::CertEncoding;
use fapi_tests::cases::{
    ED25519_L, P256_N, add_member, attacker_es, be_sub, big_token, claims_text, claims_with,
    claims_with_cnf, claims_without, dirty_tail, ed, ed_token, es, es_hdr_token, es_token, flip,
    hdr, hdr_with, hmac_token, holder, holder_ed, holder_jwk_with, holder_private_jwk, jkt_bytes,
    le_add, malleate, nested, other, padded, partial_group, parts, segment_count_tokens, sig_of,
    sign_bytes, sign_segments, sized_hdr, to_std_alphabet, with_payload_unsigned, with_sig,
    with_sig_text,
};
use fapi_tests::certs::{
    RFC7517_B_X5T_S256, cert_der, cert_x5t, client_cert_header_of, escaped_pem_of, other_cert_der,
    pem_of,
};
use fapi_tests::dpop::{ALGS, LEEWAY, MAX_AGE, NONCE_SECRET, Proof, SLOT, URL, nonce_at, pf};
use fapi_tests::req::{Req, ReqFields};
use fapi_tests::rsa_sign::RFC7515_A2_N;
use fapi_tests::{
    AUD, BASE, ISS, NOW, Signer, b64u, b64u_decode, good_claims, hex, jkt, jwks, sha256_b64u,
    sign_raw,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// Constants (those shared with the Rust tables are in `fapi_tests::dpop` and
// `fapi_tests::cases`).

/// The second public base of the decision fixtures (a prefix the proxy removed).
const BASE1: &str = "https://api.example.com:8443/v1";
/// The replay-table secret of the fixtures.
const REPLAY_SECRET: u8 = 0x5A;
/// Distinct valid proofs of the concurrency batch.
const BATCH_N: usize = 200;

// ---------------------------------------------------------------------------------------------
// Tokens (keys, token surgery, proofs and certificates are in `fapi_tests`).

fn good_es() -> String {
    es_token(&claims_text())
}
fn good_ed() -> String {
    ed_token(&claims_text())
}

/// A token of the decision fixture issuer with exactly these claims.
fn token_with(claims: &Value) -> String {
    sign_raw(&es(), &hdr("ES256", "ec1"), &claims.to_string())
}
fn bound_token(h: &Signer) -> String {
    token_with(&claims_with_cnf(json!({ "jkt": jkt(h) })))
}
fn bearer_token() -> String {
    good_es()
}
fn x5t_token(x5t: &str) -> String {
    token_with(&claims_with_cnf(json!({ "x5t#S256": x5t })))
}

// ---------------------------------------------------------------------------------------------
// Cases.

/// Verifier configurations (the C side builds one verifier per entry, once).
const V_DEFAULT: usize = 0;
const V_NONCE: usize = 1;
const V_DPOP_OFF: usize = 2;
const V_DPOP_REQUIRED: usize = 3;
const V_FAPI2: usize = 4;
const V_MTLS_OFF: usize = 5;
const V_PROOF_ES256: usize = 6;
/// PS256 and RS256 tokens, ES256 and PS256 proofs, the JWKS with the RSA key.
const V_RSA: usize = 7;
/// PS256 tokens but not RS256, ES256 proofs only, the JWKS with the RSA key.
const V_RSA_NO_RS256: usize = 8;
/// The FAPI 2.0 profile with PS256 tokens and proofs, the JWKS with the RSA key.
const V_RSA_FAPI2: usize = 9;

struct VerifierCfg {
    name: &'static str,
    /// A C expression of `FAPI_ALG_*` bits.
    token_algs: &'static str,
    dpop_mode: &'static str,
    mtls_mode: &'static str,
    nonce_required: u32,
    fapi2_profile: u32,
    proof_algs: &'static str,
    set_nonce_secret: bool,
    /// The C name of the JWKS blob the verifier loads, and how many keys it holds.
    jwks: &'static str,
    jwks_keys: u32,
}

fn verifiers() -> Vec<VerifierCfg> {
    let d = |name| VerifierCfg {
        name,
        token_algs: "GEN_TOKEN_ALGS",
        dpop_mode: "FAPI_MODE_OPTIONAL",
        mtls_mode: "FAPI_MODE_OPTIONAL",
        nonce_required: 0,
        fapi2_profile: 0,
        proof_algs: "0",
        set_nonce_secret: false,
        jwks: "GEN_JWKS",
        jwks_keys: 2,
    };
    let rsa = |name| VerifierCfg {
        jwks: "GEN_JWKS_RSA",
        jwks_keys: 3,
        ..d(name)
    };
    vec![
        d("default"),
        VerifierCfg {
            nonce_required: 1,
            set_nonce_secret: true,
            ..d("nonce required")
        },
        VerifierCfg {
            dpop_mode: "FAPI_MODE_OFF",
            ..d("DPoP off")
        },
        VerifierCfg {
            dpop_mode: "FAPI_MODE_REQUIRED",
            ..d("DPoP required")
        },
        VerifierCfg {
            fapi2_profile: 1,
            ..d("FAPI 2.0 profile")
        },
        VerifierCfg {
            mtls_mode: "FAPI_MODE_OFF",
            ..d("mTLS off")
        },
        VerifierCfg {
            proof_algs: "FAPI_ALG_ES256",
            ..d("proof algs ES256 only")
        },
        VerifierCfg {
            token_algs: "(GEN_TOKEN_ALGS | FAPI_ALG_PS256 | FAPI_ALG_RS256)",
            proof_algs: "(FAPI_ALG_ES256 | FAPI_ALG_PS256)",
            ..rsa("RSA: PS256 and RS256 tokens, ES256 and PS256 proofs")
        },
        VerifierCfg {
            token_algs: "(GEN_TOKEN_ALGS | FAPI_ALG_PS256)",
            proof_algs: "FAPI_ALG_ES256",
            ..rsa("RSA: PS256 tokens (no RS256), ES256 proofs only")
        },
        VerifierCfg {
            token_algs: "(GEN_TOKEN_ALGS | FAPI_ALG_PS256)",
            proof_algs: "(FAPI_ALG_ES256 | FAPI_ALG_PS256)",
            fapi2_profile: 1,
            ..rsa("RSA: FAPI 2.0 profile, PS256 tokens and proofs")
        },
    ]
}

#[derive(Clone)]
enum Want {
    Allow {
        binding: &'static str,
        jkt: Option<Vec<u8>>,
        x5t: Option<Vec<u8>>,
        cache_hit: Option<bool>,
        nonce: Option<Option<String>>,
    },
    Deny {
        code: &'static str,
        challenge: Option<String>,
        nonce: Option<Option<String>>,
    },
    /// `fapi_check_request` itself returns this API code.
    Api(&'static str),
}

fn allow_none() -> Want {
    Want::Allow {
        binding: "FAPI_BINDING_NONE",
        jkt: None,
        x5t: None,
        cache_hit: None,
        nonce: None,
    }
}
fn allow_dpop(h: &Signer) -> Want {
    Want::Allow {
        binding: "FAPI_BINDING_DPOP",
        jkt: Some(jkt_bytes(h).to_vec()),
        x5t: None,
        cache_hit: None,
        nonce: None,
    }
}
fn ok_dpop() -> Want {
    allow_dpop(&holder())
}
fn allow_mtls() -> Want {
    Want::Allow {
        binding: "FAPI_BINDING_MTLS",
        jkt: None,
        x5t: Some(cert_x5t().to_vec()),
        cache_hit: None,
        nonce: None,
    }
}
fn deny(code: &'static str) -> Want {
    Want::Deny {
        code,
        challenge: None,
        nonce: None,
    }
}

impl Want {
    fn challenge(mut self, c: &str) -> Self {
        if let Self::Deny { challenge, .. } = &mut self {
            *challenge = Some(c.to_string());
        }
        self
    }
    fn nonce(mut self, n: Option<&str>) -> Self {
        let n = Some(n.map(str::to_string));
        match &mut self {
            Self::Allow { nonce, .. } | Self::Deny { nonce, .. } => *nonce = n,
            Self::Api(_) => {}
        }
        self
    }
    fn cache_hit(mut self, h: bool) -> Self {
        if let Self::Allow { cache_hit, .. } = &mut self {
            *cache_hit = Some(h);
        }
        self
    }
}

/// The HTTP status and OAuth error of a refusal code, by RFC 6750 / RFC 9449 class (written
/// out here, not taken from fapi).
fn status_of(code: &str) -> (u32, &'static str) {
    let c = code.strip_prefix("FAPI_ERR_").expect("FAPI_ERR_ name");
    let invalid_token = (401, "invalid_token");
    let invalid_proof = (401, "invalid_dpop_proof");
    let invalid_request = (400, "invalid_request");
    if c.starts_with("JSON_") || c.starts_with("JWS_") || c.starts_with("CLAIMS_") {
        return invalid_token;
    }
    if c.starts_with("PROOF_") {
        return invalid_proof;
    }
    match c {
        "JWK_UNKNOWN_KID"
        | "JWK_NO_MATCHING_KEY"
        | "JWK_AMBIGUOUS_KEY"
        | "JWK_ALG_KEY_MISMATCH" => invalid_token,
        "DPOP_NONCE_MISSING" | "DPOP_NONCE_INVALID" => (401, "use_dpop_nonce"),
        "DPOP_JKT_MISMATCH"
        | "DPOP_TOKEN_NOT_BOUND"
        | "DPOP_BEARER_DOWNGRADE"
        | "DPOP_DISABLED"
        | "DPOP_BINDING_REQUIRED" => invalid_token,
        _ if c.starts_with("DPOP_") => invalid_proof,
        "MTLS_CERT_MALFORMED" => invalid_request,
        _ if c.starts_with("MTLS_") => invalid_token,
        "REQUEST_NO_CREDENTIALS" => (401, ""),
        "REQUEST_INSUFFICIENT_SCOPE" => (403, "insufficient_scope"),
        _ if c.starts_with("REQUEST_") => invalid_request,
        _ if c.starts_with("CAPACITY_") => (503, ""),
        _ => (500, ""),
    }
}

/// One request and its expected outcome.
#[derive(Clone)]
struct Case {
    name: String,
    verifier: usize,
    ctx: usize,
    /// The request (the builder methods of [`ReqFields`] set it).
    req: Req,
    /// For opaque tokens: the RFC 7662 introspection response.
    introspection: Option<Vec<u8>>,
    want: Want,
}

impl ReqFields for Case {
    fn req_mut(&mut self) -> &mut Req {
        &mut self.req
    }
}

impl Case {
    fn new(name: &str, want: Want) -> Self {
        Self {
            name: name.to_string(),
            verifier: V_DEFAULT,
            ctx: 0,
            req: Req::new(),
            introspection: None,
            want,
        }
    }
    fn introspection(mut self, json: &str) -> Self {
        self.introspection = Some(json.as_bytes().to_vec());
        self
    }
    fn on(mut self, verifier: usize) -> Self {
        self.verifier = verifier;
        self
    }
    fn ctx(mut self, ctx: usize) -> Self {
        self.ctx = ctx;
        self
    }
}

/// The case list under construction, with a `jti` counter so that every proof is distinct.
struct Gen {
    cases: Vec<Case>,
    jti: usize,
}

impl Gen {
    fn jti(&mut self) -> String {
        self.jti += 1;
        format!("c-{}", self.jti)
    }
    fn push(&mut self, c: Case) {
        self.cases.push(c);
    }
    /// A bearer-token case of cases.rs (`verify_access_token` through the `Bearer` scheme).
    fn token(&mut self, name: &str, want: Want, token: &str) {
        self.push(Case::new(&format!("cases: {name}"), want).bearer(token));
    }
    /// A DPoP request for [`holder`]'s bound token with the standard proof edited by `edit`.
    fn proof_case(&mut self, name: &str, edit: impl FnOnce(Proof) -> Proof, want: Want) {
        let h = holder();
        let tok = bound_token(&h);
        let jti = self.jti();
        let p = edit(pf(&h, URL, Some(&tok), &jti)).sign();
        self.push(Case::new(&format!("decision: {name}"), want).dpop_req(&tok, &p));
    }
    /// A DPoP request with `target` on `base` and a proof for `htu`.
    fn htu_case(&mut self, name: &str, target: &str, base: usize, htu: &str, want: Want) {
        let h = holder();
        let tok = bound_token(&h);
        let jti = self.jti();
        let p = pf(&h, htu, Some(&tok), &jti).sign();
        self.push(
            Case::new(&format!("decision: {name}"), want)
                .dpop_req(&tok, &p)
                .target(target)
                .base(base),
        );
    }
    fn decision(&mut self, name: &str, want: Want) -> Case {
        Case::new(&format!("decision: {name}"), want)
    }
}

fn token_cases(g: &mut Gen) {
    let good = good_es();
    let good_ed = good_ed();
    let claims = claims_text();
    let t = |e: &'static str| deny(e);
    g.token("ES256 good token", allow_none(), &good);
    g.token("EdDSA good token", allow_none(), &good_ed);
    g.token(
        "Ed25519 (RFC 9864 name) with an Ed25519 key",
        allow_none(),
        &sign_raw(&ed(), &hdr("Ed25519", "ed1"), &claims),
    );
    let cs = b64u(claims.as_bytes());
    for spelling in ["none", "NONE"] {
        let h = b64u(hdr(spelling, "ec1").as_bytes());
        g.token(
            &format!("alg {spelling:?}, empty signature"),
            t("FAPI_ERR_JWS_ALG_NONE"),
            &format!("{h}.{cs}."),
        );
    }
    g.token(
        "alg none with a real ES256 signature",
        t("FAPI_ERR_JWS_ALG_NONE"),
        &es_hdr_token(&hdr("none", "ec1")),
    );
    g.token(
        "alg missing",
        t("FAPI_ERR_JWS_ALG_MISSING"),
        &es_hdr_token(r#"{"typ":"at+jwt","kid":"ec1"}"#),
    );
    g.token(
        "alg is a number",
        t("FAPI_ERR_JWS_HEADER_MEMBER_TYPE"),
        &es_hdr_token(r#"{"alg":256,"typ":"at+jwt","kid":"ec1"}"#),
    );
    let pub_jwk_text = es().jwk_with_kid("ec1").to_string();
    g.token(
        "HS256 HMAC'd with the public JWK text",
        t("FAPI_ERR_JWS_ALG_SYMMETRIC"),
        &hmac_token(&hdr("HS256", "ec1"), pub_jwk_text.as_bytes()),
    );
    for alg in ["HS384", "hs256"] {
        g.token(
            &format!("alg {alg}"),
            t("FAPI_ERR_JWS_ALG_SYMMETRIC"),
            &hmac_token(&hdr(alg, "ec1"), pub_jwk_text.as_bytes()),
        );
    }
    g.token(
        "EdDSA header with the kid of the EC key",
        t("FAPI_ERR_JWK_ALG_KEY_MISMATCH"),
        &sign_raw(&ed(), &hdr("EdDSA", "ec1"), &claims),
    );
    g.token(
        "alg PS256 (known, never in this allowlist)",
        t("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        &es_hdr_token(&hdr("PS256", "ec1")),
    );
    g.token(
        "alg \"ES512\" unknown",
        t("FAPI_ERR_JWS_ALG_UNKNOWN"),
        &es_hdr_token(&hdr("ES512", "ec1")),
    );
    // Key selection.
    g.token(
        "unknown kid",
        t("FAPI_ERR_JWK_UNKNOWN_KID"),
        &sign_raw(&es(), &hdr("ES256", "nope"), &claims),
    );
    g.token(
        "kid differs only in case",
        t("FAPI_ERR_JWK_UNKNOWN_KID"),
        &sign_raw(&es(), &hdr("ES256", "EC1"), &claims),
    );
    g.token(
        "kid is a number",
        t("FAPI_ERR_JWS_HEADER_MEMBER_TYPE"),
        &es_hdr_token(r#"{"alg":"ES256","typ":"at+jwt","kid":1}"#),
    );
    g.token(
        "kid spelled with an escape (e\\u00631) matches ec1",
        allow_none(),
        &sign_raw(&es(), &hdr("ES256", "e\\u00631"), &claims),
    );
    // Signatures.
    g.token(
        "payload bit flip: sub alice -> alicd",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &with_payload_unsigned(&good, claims.replace("alice", "alicd").as_bytes()),
    );
    g.token(
        "ES256 signature flip: r byte 0",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &flip(&good, 0, 0x01),
    );
    g.token(
        "EdDSA signature flip: S byte 32",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &flip(&good_ed, 32, 0x01),
    );
    g.token(
        "ES256 signature by an attacker key under the real kid",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &sign_raw(&attacker_es(), &hdr("ES256", "ec1"), &claims),
    );
    let rs = sig_of(&good);
    g.token(
        "ES256 r = s = 0 (psychic signature)",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &with_sig(&good, &[0u8; 64]),
    );
    let n = hex(P256_N);
    g.token(
        "ES256 s = n",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &with_sig(&good, &[&rs[..32], &n[..]].concat()),
    );
    g.token(
        "ES256 signature truncated to 63 bytes",
        t("FAPI_ERR_JWS_SIGNATURE_LENGTH"),
        &with_sig(&good, &rs[..63]),
    );
    g.token(
        "empty signature segment",
        t("FAPI_ERR_JWS_SIGNATURE_LENGTH"),
        &with_sig_text(&good, ""),
    );
    let s_neg = be_sub(&n, &rs[32..]);
    let high = if rs[32..] < s_neg[..] {
        s_neg
    } else {
        rs[32..].to_vec()
    };
    g.token(
        "ES256 high-S (s' = n - s) is valid",
        allow_none(),
        &with_sig(&good, &[&rs[..32], &high[..]].concat()),
    );
    let eds = sig_of(&good_ed);
    let mut l_le = hex(ED25519_L);
    l_le.reverse();
    g.token(
        "Ed25519 non-canonical S (S + L)",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &with_sig(
            &good_ed,
            &[&eds[..32], &le_add(&eds[32..], &l_le)[..]].concat(),
        ),
    );
    let att = attacker_es().public_jwk().to_string();
    g.token(
        "jwk header with the attacker key, signed by the attacker, kid of the real key",
        t("FAPI_ERR_JWS_BAD_SIGNATURE"),
        &sign_raw(
            &attacker_es(),
            &hdr_with("ES256", "ec1", &format!(r#""jwk":{att}"#)),
            &claims,
        ),
    );
    g.token(
        "jku header with the attacker's own kid is never fetched",
        t("FAPI_ERR_JWK_UNKNOWN_KID"),
        &sign_raw(
            &attacker_es(),
            &hdr_with(
                "ES256",
                "attacker",
                r#""jku":"https://attacker.example/jwks.json""#,
            ),
            &claims,
        ),
    );
    // Header policy.
    g.token(
        "crit [\"exp\"]",
        t("FAPI_ERR_JWS_CRIT_PRESENT"),
        &es_hdr_token(&hdr_with("ES256", "ec1", r#""crit":["exp"],"exp":1"#)),
    );
    g.token(
        "b64 false",
        t("FAPI_ERR_JWS_B64_PRESENT"),
        &es_hdr_token(&hdr_with("ES256", "ec1", r#""b64":false"#)),
    );
    g.token(
        "typ missing",
        t("FAPI_ERR_JWS_TYP_MISSING"),
        &es_hdr_token(r#"{"alg":"ES256","kid":"ec1"}"#),
    );
    g.token(
        "typ JWT",
        t("FAPI_ERR_JWS_TYP_MISMATCH"),
        &es_hdr_token(r#"{"alg":"ES256","typ":"JWT","kid":"ec1"}"#),
    );
    // Duplicates.
    g.token(
        "header alg twice",
        t("FAPI_ERR_JSON_DUPLICATE_MEMBER"),
        &es_hdr_token(r#"{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"ec1"}"#),
    );
    g.token(
        "claims iss twice",
        t("FAPI_ERR_JSON_DUPLICATE_MEMBER"),
        &es_token(&add_member(&claims, r#""iss":"https://evil.example""#)),
    );
    g.token(
        "claims escaped duplicate \\u0069ss",
        t("FAPI_ERR_JSON_DUPLICATE_MEMBER"),
        &es_token(&add_member(&claims, r#""\u0069ss":"https://evil.example""#)),
    );
    // Structure and encodings.
    for (name, token) in segment_count_tokens(&good) {
        g.token(name, t("FAPI_ERR_JWS_SEGMENTS"), &token);
    }
    let [_, _, s] = parts(&good);
    g.token("three empty segments", t("FAPI_ERR_JSON_SYNTAX"), "..");
    let hb = b64u(partial_group(hdr("ES256", "ec1")).as_bytes());
    let cb = b64u(partial_group(claims.clone()).as_bytes());
    g.token(
        "padded signature segment",
        t("FAPI_ERR_JWS_SIGNATURE_ENCODING"),
        &with_sig_text(&good, &padded(&s)),
    );
    g.token(
        "unpadded control: trailing whitespace in the JSON is fine",
        allow_none(),
        &sign_segments(&es(), &hb, &cb),
    );
    g.token(
        "header segment with a non-zero trailing bit",
        t("FAPI_ERR_JWS_HEADER_ENCODING"),
        &sign_segments(&es(), &dirty_tail(&hb), &cb),
    );
    g.token(
        "payload segment with a non-zero trailing bit",
        t("FAPI_ERR_JWS_PAYLOAD_ENCODING"),
        &sign_segments(&es(), &hb, &dirty_tail(&cb)),
    );
    g.token(
        "signature segment with a non-zero trailing bit",
        t("FAPI_ERR_JWS_SIGNATURE_ENCODING"),
        &with_sig_text(&good, &dirty_tail(&s)),
    );
    let hs = b64u(hdr_with("ES256", "ec1", r#""x":"~~~???""#).as_bytes());
    let cs2 = b64u(claims_with("jti", r#""~~~???""#).as_bytes());
    g.token(
        "standard base64 (+ /) in the header",
        t("FAPI_ERR_JWS_HEADER_ENCODING"),
        &sign_segments(&es(), &to_std_alphabet(&hs), &cs2),
    );
    g.token(
        "standard base64 (+ /) in the payload",
        t("FAPI_ERR_JWS_PAYLOAD_ENCODING"),
        &sign_segments(&es(), &hs, &to_std_alphabet(&cs2)),
    );
    // JSON.
    g.token(
        "header is a JSON array",
        t("FAPI_ERR_JSON_NOT_OBJECT"),
        &es_hdr_token(r#"[{"alg":"ES256","typ":"at+jwt","kid":"ec1"}]"#),
    );
    let mut bad_claims = claims.clone().into_bytes();
    let at = bad_claims.iter().position(|&b| b == b'a').expect("an 'a'");
    bad_claims[at] = 0xff;
    g.token(
        "invalid UTF-8 in the claims",
        t("FAPI_ERR_JSON_INVALID_UTF8"),
        &sign_bytes(&es(), hdr("ES256", "ec1").as_bytes(), &bad_claims),
    );
    g.token(
        "claims with a raw control character",
        t("FAPI_ERR_JSON_CONTROL_CHARACTER"),
        &es_token(&claims.replace("alice", "ali\u{1}ce")),
    );
    g.token(
        "claims with an invalid escape",
        t("FAPI_ERR_JSON_INVALID_ESCAPE"),
        &es_token(&claims_with("sub", r#""a\x41""#)),
    );
    g.token(
        "claims nested 17 deep",
        t("FAPI_ERR_JSON_DEPTH_EXCEEDED"),
        &es_token(&claims_with("deep", &nested(16))),
    );
    let base = good_claims().as_object().expect("object").len();
    let mut many = claims.clone();
    for i in 0..=(64 - base) {
        many = add_member(&many, &format!(r#""m{i}":{i}"#));
    }
    g.token(
        "claims with 65 members",
        t("FAPI_ERR_JSON_TOO_MANY_MEMBERS"),
        &es_token(&many),
    );
    // Sizes.
    g.token(
        "64 KiB token",
        t("FAPI_ERR_JWS_TOKEN_TOO_LARGE"),
        &big_token(),
    );
    g.token(
        "header of 1025 bytes",
        t("FAPI_ERR_JWS_HEADER_TOO_LARGE"),
        &es_hdr_token(&sized_hdr(1025)),
    );
    // iss / aud.
    g.token(
        "iss wrong",
        t("FAPI_ERR_CLAIMS_ISS_MISMATCH"),
        &es_token(&claims_with("iss", r#""https://evil.example""#)),
    );
    g.token(
        "iss missing",
        t("FAPI_ERR_CLAIMS_ISS_MISSING"),
        &es_token(&claims_without("iss")),
    );
    g.token(
        "iss with a trailing slash",
        t("FAPI_ERR_CLAIMS_ISS_MISMATCH"),
        &es_token(&claims_with("iss", &format!("\"{ISS}/\""))),
    );
    g.token(
        "aud wrong string",
        t("FAPI_ERR_CLAIMS_AUD_MISMATCH"),
        &es_token(&claims_with("aud", r#""https://other.example""#)),
    );
    g.token(
        "aud missing",
        t("FAPI_ERR_CLAIMS_AUD_MISSING"),
        &es_token(&claims_without("aud")),
    );
    g.token(
        "aud null",
        t("FAPI_ERR_CLAIMS_AUD_MALFORMED"),
        &es_token(&claims_with("aud", "null")),
    );
    g.token(
        "aud array containing the audience",
        allow_none(),
        &es_token(&claims_with(
            "aud",
            &format!(r#"["https://other.example","{AUD}"]"#),
        )),
    );
    // Times.
    let with = |name: &str, raw: String| es_token(&claims_with(name, &raw));
    g.token(
        "exp NOW - 11 (leeway 10)",
        t("FAPI_ERR_CLAIMS_EXPIRED"),
        &with("exp", (NOW - 11).to_string()),
    );
    g.token(
        "exp NOW - 10 (now == exp + leeway)",
        t("FAPI_ERR_CLAIMS_EXPIRED"),
        &with("exp", (NOW - 10).to_string()),
    );
    g.token(
        "exp NOW - 9 (within leeway)",
        allow_none(),
        &with("exp", (NOW - 9).to_string()),
    );
    g.token(
        "exp missing",
        t("FAPI_ERR_CLAIMS_EXP_MISSING"),
        &es_token(&claims_without("exp")),
    );
    g.token(
        "exp as a string",
        t("FAPI_ERR_CLAIMS_TIME_MALFORMED"),
        &with("exp", format!("\"{}\"", NOW + 600)),
    );
    g.token(
        "exp 2^64",
        t("FAPI_ERR_CLAIMS_TIME_OUT_OF_RANGE"),
        &with("exp", "18446744073709551616".to_string()),
    );
    g.token(
        "nbf NOW + 11",
        t("FAPI_ERR_CLAIMS_NOT_YET_VALID"),
        &with("nbf", (NOW + 11).to_string()),
    );
    g.token(
        "iat NOW + 11",
        t("FAPI_ERR_CLAIMS_ISSUED_IN_FUTURE"),
        &with("iat", (NOW + 11).to_string()),
    );
    // cnf and claim types.
    g.token(
        "cnf a string",
        t("FAPI_ERR_CLAIMS_CNF_UNSUPPORTED"),
        &es_token(&claims_with("cnf", &format!("\"{}\"", b64u(&[7u8; 32])))),
    );
    g.token(
        "sub a number",
        t("FAPI_ERR_CLAIMS_CLAIM_TYPE"),
        &es_token(&claims_with("sub", "1")),
    );
}

fn decision_cases(g: &mut Gen) {
    let h = holder();
    let tok = bound_token(&h);
    let bt = bearer_token();
    let x5t = x5t_token(RFC7517_B_X5T_S256);
    let der = cert_der();

    // The first use of the bound token: no cache hit yet, no nonce (no secret set).
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    let c = g
        .decision(
            "DPoP scheme, bound token, proof",
            ok_dpop().cache_hit(false).nonce(None),
        )
        .dpop_req(&tok, &p);
    g.push(c);

    // htu and targets.
    let mismatch = || deny("FAPI_ERR_DPOP_HTU_MISMATCH");
    let invalid = || deny("FAPI_ERR_DPOP_HTU_INVALID");
    let target = || deny("FAPI_ERR_REQUEST_INVALID_TARGET");
    g.htu_case("htu exact", "/accounts", 0, URL, ok_dpop());
    g.htu_case(
        "htu scheme uppercase",
        "/accounts",
        0,
        "HTTPS://rs.example.com/accounts",
        ok_dpop(),
    );
    g.htu_case(
        "htu default port 443",
        "/accounts",
        0,
        "https://rs.example.com:443/accounts",
        ok_dpop(),
    );
    g.htu_case(
        "query in htu ignored",
        "/accounts",
        0,
        "https://rs.example.com/accounts?x=1",
        ok_dpop(),
    );
    g.htu_case(
        "htu trailing slash",
        "/accounts",
        0,
        "https://rs.example.com/accounts/",
        mismatch(),
    );
    g.htu_case(
        "htu http vs https",
        "/accounts",
        0,
        "http://rs.example.com/accounts",
        mismatch(),
    );
    g.htu_case(
        "htu other host",
        "/accounts",
        0,
        "https://api.example.com/accounts",
        mismatch(),
    );
    g.htu_case(
        "htu with userinfo",
        "/accounts",
        0,
        "https://user@rs.example.com/accounts",
        invalid(),
    );
    g.htu_case("relative htu", "/accounts", 0, "/accounts", invalid());
    g.htu_case(
        "base 1: prefix restored",
        "/accounts",
        1,
        "https://api.example.com:8443/v1/accounts",
        ok_dpop(),
    );
    g.htu_case(
        "base 1: htu without the prefix",
        "/accounts",
        1,
        "https://api.example.com:8443/accounts",
        mismatch(),
    );
    g.htu_case(
        "base index out of range",
        "/accounts",
        2,
        URL,
        Want::Api("FAPI_ERR_INVALID_ARGUMENT"),
    );
    g.htu_case(
        "absolute-form target with another host",
        "https://evil.example.com/accounts",
        0,
        "https://evil.example.com/accounts",
        target(),
    );
    g.htu_case("asterisk-form target", "*", 0, URL, target());

    // Proof claims.
    g.proof_case(
        "htm lowercase get",
        |p| p.claim("htm", "get"),
        deny("FAPI_ERR_DPOP_HTM_MISMATCH"),
    );
    g.proof_case(
        "htm POST for GET",
        |p| p.claim("htm", "POST"),
        deny("FAPI_ERR_DPOP_HTM_MISMATCH"),
    );
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).claim("htm", "POST").sign();
    let c = g
        .decision("htm POST for POST", ok_dpop())
        .dpop_req(&tok, &p)
        .method("POST");
    g.push(c);
    g.proof_case(
        "htm missing",
        |p| p.without("htm"),
        deny("FAPI_ERR_DPOP_HTM_MISSING"),
    );
    g.proof_case(
        "htu missing",
        |p| p.without("htu"),
        deny("FAPI_ERR_DPOP_HTU_MISSING"),
    );
    g.proof_case(
        "iat missing",
        |p| p.without("iat"),
        deny("FAPI_ERR_DPOP_IAT_MISSING"),
    );
    g.proof_case(
        "jti missing",
        |p| p.without("jti"),
        deny("FAPI_ERR_DPOP_JTI_MISSING"),
    );
    g.proof_case(
        "iat NOW - 300 (max age)",
        |p| p.claim("iat", NOW - MAX_AGE),
        ok_dpop(),
    );
    g.proof_case(
        "iat NOW - 301 (too old)",
        |p| p.claim("iat", NOW - MAX_AGE - 1),
        deny("FAPI_ERR_DPOP_IAT_TOO_OLD"),
    );
    g.proof_case(
        "iat NOW + 10 (leeway)",
        |p| p.claim("iat", NOW + LEEWAY),
        ok_dpop(),
    );
    g.proof_case(
        "iat NOW + 11 (in future)",
        |p| p.claim("iat", NOW + LEEWAY + 1),
        deny("FAPI_ERR_DPOP_IAT_IN_FUTURE"),
    );
    g.proof_case(
        "jti 256 bytes",
        |p| p.claim("jti", "j".repeat(256)),
        ok_dpop(),
    );
    g.proof_case(
        "jti 257 bytes",
        |p| p.claim("jti", "j".repeat(257)),
        deny("FAPI_ERR_DPOP_JTI_TOO_LONG"),
    );
    g.proof_case(
        "ath missing",
        |p| p.without("ath"),
        deny("FAPI_ERR_DPOP_ATH_MISSING"),
    );
    g.proof_case(
        "ath wrong",
        |p| p.claim("ath", sha256_b64u(b"something else")),
        deny("FAPI_ERR_DPOP_ATH_MISMATCH"),
    );
    g.proof_case(
        "ath of another token",
        |p| p.claim("ath", sha256_b64u(bound_token(&other()).as_bytes())),
        deny("FAPI_ERR_DPOP_ATH_MISMATCH"),
    );

    // Proof header.
    g.proof_case(
        "typ missing",
        |p| p.hdr_without("typ"),
        deny("FAPI_ERR_PROOF_JWS_TYP_MISSING"),
    );
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).hdr("alg", "none").unsigned();
    let c = g
        .decision(
            "alg none, empty signature",
            deny("FAPI_ERR_PROOF_JWS_ALG_NONE"),
        )
        .dpop_req(&tok, &p);
    g.push(c);
    g.proof_case(
        "alg HS256",
        |p| p.hdr("alg", "HS256"),
        deny("FAPI_ERR_PROOF_JWS_ALG_SYMMETRIC"),
    );
    g.proof_case(
        "crit in proof header",
        |p| p.hdr("crit", json!(["exp"])),
        deny("FAPI_ERR_PROOF_JWS_CRIT_PRESENT"),
    );
    g.proof_case(
        "jwk missing",
        |p| p.hdr_without("jwk"),
        deny("FAPI_ERR_DPOP_JWK_MISSING"),
    );
    g.proof_case(
        "private jwk (with d)",
        |p| p.hdr("jwk", holder_private_jwk()),
        deny("FAPI_ERR_PROOF_JWK_KEY_PRIVATE"),
    );
    g.proof_case(
        "jwk with use enc",
        |p| p.hdr("jwk", holder_jwk_with("use", "enc")),
        deny("FAPI_ERR_DPOP_JWK_UNUSABLE"),
    );
    g.proof_case(
        "jwk not the signer (header names another key)",
        |p| p.hdr("jwk", other().public_jwk()),
        deny("FAPI_ERR_PROOF_JWS_BAD_SIGNATURE"),
    );
    let jti = g.jti();
    let good_p = pf(&h, URL, Some(&tok), &jti).sign();
    let c = g
        .decision(
            "proof signature bit flipped",
            deny("FAPI_ERR_PROOF_JWS_BAD_SIGNATURE"),
        )
        .dpop_req(&tok, &flip(&good_p, 10, 0x01));
    g.push(c);
    let jti = g.jti();
    let p = malleate(&pf(&h, URL, Some(&tok), &jti).sign());
    let c = g
        .decision("malleated ES256 proof (r, n - s) alone is valid", ok_dpop())
        .dpop_req(&tok, &p);
    g.push(c);
    let c = g
        .decision("proof not a JWS", deny("FAPI_ERR_PROOF_JWS_SEGMENTS"))
        .dpop_req(&tok, &good_p[..good_p.find('.').expect("dot")]);
    g.push(c);
    let he = holder_ed();
    let te = bound_token(&he);
    let jti = g.jti();
    let p = pf(&he, URL, Some(&te), &jti).sign();
    let c = g
        .decision("Ed25519 proof (EdDSA) allowed by default", allow_dpop(&he))
        .dpop_req(&te, &p);
    g.push(c);

    // Schemes and fields.
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    let jti2 = g.jti();
    let p2 = pf(&h, URL, Some(&tok), &jti2).sign();
    let bt_jti = g.jti();
    let bt_proof = pf(&h, URL, Some(&bt), &bt_jti).sign();
    let c = g
        .decision("scheme name dpop lowercase", ok_dpop())
        .dpop_req(&tok, &p)
        .auth(&[&format!("dpop {tok}")]);
    g.push(c);
    let c = g
        .decision("Bearer scheme, unbound token", allow_none().nonce(None))
        .bearer(&bt);
    g.push(c);
    let c = g
        .decision(
            "Bearer with a DPoP field is still a bearer request",
            allow_none(),
        )
        .bearer(&bt)
        .dpop(&[&bt_proof]);
    g.push(c);
    let c = g
        .decision(
            "Bearer downgrade of a DPoP-bound token",
            deny("FAPI_ERR_DPOP_BEARER_DOWNGRADE").challenge(&format!(
                "Bearer error=\"invalid_token\", error_description=\"dpop_bearer_downgrade\", DPoP {ALGS}"
            )),
        )
        .bearer(&tok);
    g.push(c);
    let c = g
        .decision(
            "unbound token with DPoP scheme",
            deny("FAPI_ERR_DPOP_TOKEN_NOT_BOUND"),
        )
        .dpop_req(&bt, &bt_proof);
    g.push(c);
    let c = g
        .decision(
            "DPoP scheme without DPoP field",
            deny("FAPI_ERR_DPOP_PROOF_MISSING"),
        )
        .auth(&[&format!("DPoP {tok}")]);
    g.push(c);
    let c = g
        .decision("two DPoP fields", deny("FAPI_ERR_DPOP_MULTIPLE_PROOFS"))
        .dpop_req(&tok, &p)
        .dpop(&[&p, &p2]);
    g.push(c);
    let c = g
        .decision(
            "one DPoP field folded with a comma",
            deny("FAPI_ERR_DPOP_MULTIPLE_PROOFS"),
        )
        .dpop_req(&tok, &p)
        .dpop(&[&format!("{p}, {p2}")]);
    g.push(c);
    let c = g
        .decision(
            "challenge: invalid_dpop_proof for two DPoP fields",
            deny("FAPI_ERR_DPOP_MULTIPLE_PROOFS").challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_multiple_proofs\", {ALGS}, Bearer"
            )),
        )
        .auth(&[&format!("DPoP {tok}")])
        .dpop(&["a", "b"]);
    g.push(c);
    let c = g
        .decision(
            "two Authorization fields",
            deny("FAPI_ERR_REQUEST_MULTIPLE_AUTHORIZATION"),
        )
        .dpop_req(&tok, &p)
        .auth(&[&format!("DPoP {tok}"), &format!("DPoP {tok}")]);
    g.push(c);
    let c = g
        .decision(
            "one Authorization field folded with a comma",
            deny("FAPI_ERR_REQUEST_MULTIPLE_AUTHORIZATION"),
        )
        .dpop_req(&tok, &p)
        .auth(&[&format!("DPoP {tok}, Bearer {bt}")]);
    g.push(c);
    let c = g
        .decision(
            "challenge: invalid_request (400)",
            deny("FAPI_ERR_REQUEST_MULTIPLE_AUTHORIZATION").challenge(&format!(
                "Bearer error=\"invalid_request\", error_description=\"request_multiple_authorization\", DPoP {ALGS}"
            )),
        )
        .auth(&[&format!("Bearer {bt}"), &format!("Bearer {bt}")]);
    g.push(c);
    let c = g
        .decision(
            "access_token query parameter",
            deny("FAPI_ERR_REQUEST_TOKEN_IN_QUERY"),
        )
        .dpop_req(&tok, &p)
        .target(&format!("/accounts?access_token={tok}"));
    g.push(c);
    let c = g.decision(
        "access_token query parameter without credentials",
        deny("FAPI_ERR_REQUEST_TOKEN_IN_QUERY"),
    );
    g.push(c.target("/accounts?x=1&access_token=abc"));
    let no_creds = format!("Bearer, DPoP {ALGS}");
    let c = g.decision(
        "no Authorization",
        deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge(&no_creds),
    );
    g.push(c);
    let c = g
        .decision(
            "no Authorization but a DPoP field",
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge(&no_creds),
        )
        .dpop(&[&p]);
    g.push(c);
    let c = g
        .decision(
            "Basic credentials",
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge(&no_creds),
        )
        .auth(&["Basic xyz"]);
    g.push(c);
    let c = g
        .decision(
            "Bearer with no token",
            deny("FAPI_ERR_REQUEST_MALFORMED_AUTHORIZATION"),
        )
        .auth(&["Bearer"]);
    g.push(c);
    let c = g
        .decision(
            "method with a space",
            deny("FAPI_ERR_REQUEST_INVALID_METHOD"),
        )
        .dpop_req(&tok, &p)
        .method("GE T");
    g.push(c);

    // cnf.
    let t_other = bound_token(&other());
    let jti = g.jti();
    let pr = pf(&h, URL, Some(&t_other), &jti).sign();
    let c = g
        .decision(
            "cnf.jkt of another key",
            deny("FAPI_ERR_DPOP_JKT_MISMATCH").challenge(&format!(
                "DPoP error=\"invalid_token\", error_description=\"dpop_jkt_mismatch\", {ALGS}, Bearer"
            )),
        )
        .dpop_req(&t_other, &pr);
    g.push(c);
    let t_cnf = token_with(&claims_with_cnf(json!({})));
    let jti = g.jti();
    let pr = pf(&h, URL, Some(&t_cnf), &jti).sign();
    let c = g
        .decision("cnf empty object", deny("FAPI_ERR_CLAIMS_CNF_UNSUPPORTED"))
        .dpop_req(&t_cnf, &pr);
    g.push(c);

    // Scopes.
    let c = g
        .decision(
            "scope payments required, token has accounts payments",
            allow_none(),
        )
        .bearer(&bt)
        .scopes(&["payments"]);
    g.push(c);
    let c = g
        .decision(
            "scope pay required (prefix of payments)",
            deny("FAPI_ERR_REQUEST_INSUFFICIENT_SCOPE").challenge(&format!(
                "Bearer error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", scope=\"pay\", DPoP {ALGS}"
            )),
        )
        .bearer(&bt)
        .scopes(&["pay"]);
    g.push(c);
    let c = g
        .decision(
            "scopes accounts and admin required",
            deny("FAPI_ERR_REQUEST_INSUFFICIENT_SCOPE").challenge(&format!(
                "Bearer error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", scope=\"accounts admin\", DPoP {ALGS}"
            )),
        )
        .bearer(&bt)
        .scopes(&["accounts", "admin"]);
    g.push(c);
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    let c = g
        .decision(
            "insufficient scope with DPoP",
            deny("FAPI_ERR_REQUEST_INSUFFICIENT_SCOPE").challenge(&format!(
                "DPoP error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", {ALGS}, scope=\"pay\", Bearer"
            )),
        )
        .dpop_req(&tok, &p)
        .scopes(&["pay"]);
    g.push(c);
    let c = g
        .decision("scope required with DPoP", ok_dpop())
        .dpop_req(&tok, &p)
        .scopes(&["payments"]);
    g.push(c);

    // Certificates.
    let c = g
        .decision("certificate DER", allow_mtls())
        .bearer(&x5t)
        .cert(der.clone(), CertEncoding::Der);
    g.push(c);
    let c = g
        .decision("certificate PEM", allow_mtls())
        .bearer(&x5t)
        .cert(pem_of(&der), CertEncoding::Pem);
    g.push(c);
    let c = g
        .decision("certificate escaped PEM (nginx)", allow_mtls())
        .bearer(&x5t)
        .cert(escaped_pem_of(&der), CertEncoding::EscapedPem);
    g.push(c);
    let c = g
        .decision("certificate Client-Cert (RFC 9440)", allow_mtls())
        .bearer(&x5t)
        .cert(client_cert_header_of(&der), CertEncoding::ClientCertHeader);
    g.push(c);
    let c = g
        .decision("certificate absent", deny("FAPI_ERR_MTLS_CERT_MISSING"))
        .bearer(&x5t);
    g.push(c);
    let c = g
        .decision("another certificate", deny("FAPI_ERR_MTLS_CERT_MISMATCH"))
        .bearer(&x5t)
        .cert(other_cert_der(), CertEncoding::Der);
    g.push(c);
    let c = g
        .decision(
            "another certificate as PEM",
            deny("FAPI_ERR_MTLS_CERT_MISMATCH"),
        )
        .bearer(&x5t)
        .cert(pem_of(&other_cert_der()), CertEncoding::Pem);
    g.push(c);
    let c = g
        .decision(
            "certificate garbage DER",
            deny("FAPI_ERR_MTLS_CERT_MALFORMED"),
        )
        .bearer(&x5t)
        .cert(b"garbage".to_vec(), CertEncoding::Der);
    g.push(c);
    let c = g
        .decision(
            "cnf x5t#S256 padded",
            deny("FAPI_ERR_MTLS_CNF_X5T_MALFORMED"),
        )
        .bearer(&x5t_token(&format!("{RFC7517_B_X5T_S256}=")))
        .cert(der.clone(), CertEncoding::Der);
    g.push(c);
    let both = token_with(&claims_with_cnf(
        json!({ "jkt": jkt(&h), "x5t#S256": RFC7517_B_X5T_S256 }),
    ));
    let jti = g.jti();
    let both_proof = pf(&h, URL, Some(&both), &jti).sign();
    let c = g
        .decision(
            "jkt and x5t#S256: both proven",
            Want::Allow {
                binding: "FAPI_BINDING_BOTH",
                jkt: Some(jkt_bytes(&h).to_vec()),
                x5t: Some(cert_x5t().to_vec()),
                cache_hit: None,
                nonce: None,
            },
        )
        .dpop_req(&both, &both_proof)
        .cert(der.clone(), CertEncoding::Der);
    g.push(c);
    let jti = g.jti();
    let pr = pf(&h, URL, Some(&x5t), &jti).sign();
    let c = g
        .decision(
            "certificate-bound token with DPoP scheme",
            deny("FAPI_ERR_DPOP_TOKEN_NOT_BOUND"),
        )
        .dpop_req(&x5t, &pr)
        .cert(der, CertEncoding::Der);
    g.push(c);

    // Challenges.
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).claim("htm", "POST").sign();
    let c = g
        .decision(
            "challenge: invalid_dpop_proof on DPoP",
            deny("FAPI_ERR_DPOP_HTM_MISMATCH").challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_htm_mismatch\", {ALGS}, Bearer"
            )),
        )
        .dpop_req(&tok, &p);
    g.push(c);
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).hdr_without("typ").sign();
    let c = g
        .decision(
            "challenge: invalid_dpop_proof on DPoP (proof JWS defect)",
            deny("FAPI_ERR_PROOF_JWS_TYP_MISSING").challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"proof_jws_typ_missing\", {ALGS}, Bearer"
            )),
        )
        .dpop_req(&tok, &p);
    g.push(c);
    let c = g
        .decision(
            "challenge: invalid_token on Bearer (expired)",
            deny("FAPI_ERR_CLAIMS_EXPIRED").challenge(&format!(
                "Bearer error=\"invalid_token\", error_description=\"claims_expired\", DPoP {ALGS}"
            )),
        )
        .bearer(&bt)
        .now(NOW + 700);
    g.push(c);
}

/// The multi-step scenarios of decision.rs on the default verifier (replay state carries
/// over between steps).
fn scenario_cases(g: &mut Gen) {
    let h = holder();
    let tok = bound_token(&h);
    let replayed = || deny("FAPI_ERR_DPOP_REPLAYED");

    // replay_identical_proof_twice.
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    let n = "decision: replay_identical_proof_twice";
    g.push(Case::new(&format!("{n}: first use"), ok_dpop()).dpop_req(&tok, &p));
    g.push(
        Case::new(
            &format!("{n}: second use"),
            replayed().challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", {ALGS}, Bearer"
            )),
        )
        .dpop_req(&tok, &p),
    );
    g.push(
        Case::new(&format!("{n}: other context"), replayed())
            .dpop_req(&tok, &p)
            .ctx(1),
    );

    // replay_new_proof_reusing_jti.
    let n = "decision: replay_new_proof_reusing_jti";
    let first = pf(&h, URL, Some(&tok), "reused").sign();
    g.push(Case::new(&format!("{n}: first"), ok_dpop()).dpop_req(&tok, &first));
    let later = pf(&h, URL, Some(&tok), "reused")
        .claim("iat", NOW + 5)
        .sign();
    g.push(
        Case::new(&format!("{n}: same jti, later iat"), replayed())
            .dpop_req(&tok, &later)
            .now(NOW + 5),
    );
    let elsewhere = pf(&h, "https://rs.example.com/payments", Some(&tok), "reused")
        .claim("htm", "POST")
        .sign();
    g.push(
        Case::new(&format!("{n}: same jti, other request"), replayed())
            .dpop_req(&tok, &elsewhere)
            .target("/payments")
            .method("POST"),
    );
    let o = other();
    let otok = bound_token(&o);
    let theirs = pf(&o, URL, Some(&otok), "reused").sign();
    g.push(
        Case::new(&format!("{n}: same jti, other key"), allow_dpop(&o)).dpop_req(&otok, &theirs),
    );

    // replay_malleated_es256_proof.
    let n = "decision: replay_malleated_es256_proof";
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    g.push(Case::new(&format!("{n}: original"), ok_dpop()).dpop_req(&tok, &p));
    g.push(
        Case::new(
            &format!("{n}: malleated (r, n - s) of the used proof"),
            replayed(),
        )
        .dpop_req(&tok, &malleate(&p)),
    );

    // invalid_proofs_never_consume_replay_capacity.
    let n = "decision: invalid_proofs_never_consume_replay_capacity";
    let jti = "shared-jti";
    let base = || pf(&h, URL, Some(&tok), jti);
    let other_tok = bound_token(&other());
    let invalid = vec![
        (
            "bad htu",
            Case::new("", deny("FAPI_ERR_DPOP_HTU_MISMATCH")).dpop_req(
                &tok,
                &base().claim("htu", "https://rs.example.com/other").sign(),
            ),
        ),
        (
            "bad signature",
            Case::new("", deny("FAPI_ERR_PROOF_JWS_BAD_SIGNATURE"))
                .dpop_req(&tok, &flip(&base().sign(), 10, 0x01)),
        ),
        (
            "wrong ath",
            Case::new("", deny("FAPI_ERR_DPOP_ATH_MISMATCH"))
                .dpop_req(&tok, &base().claim("ath", sha256_b64u(b"x")).sign()),
        ),
        (
            "jkt mismatch (valid proof, token bound to another key)",
            Case::new("", deny("FAPI_ERR_DPOP_JKT_MISMATCH"))
                .dpop_req(&other_tok, &pf(&h, URL, Some(&other_tok), jti).sign()),
        ),
        (
            "insufficient scope with a valid proof",
            Case::new("", deny("FAPI_ERR_REQUEST_INSUFFICIENT_SCOPE"))
                .dpop_req(&tok, &base().sign())
                .scopes(&["admin"]),
        ),
        (
            "bearer downgrade",
            Case::new("", deny("FAPI_ERR_DPOP_BEARER_DOWNGRADE"))
                .bearer(&tok)
                .dpop(&[&base().sign()]),
        ),
        (
            "valid proof with the shared jti",
            Case::new("", ok_dpop()).dpop_req(&tok, &base().sign()),
        ),
    ];
    for (step, mut c) in invalid {
        c.name = format!("{n}: {step}");
        g.push(c);
    }

    // token_cache_hit_on_second_request, with a token used nowhere else.
    let n = "decision: token_cache_hit_on_second_request";
    let mut cc = claims_with_cnf(json!({ "jkt": jkt(&h) }));
    cc["jti"] = "token-cache".into();
    let ctok = token_with(&cc);
    let p1 = pf(&h, URL, Some(&ctok), "cache-1").sign();
    let p2 = pf(&h, URL, Some(&ctok), "cache-2").sign();
    let p3 = pf(&h, URL, Some(&ctok), "cache-3").sign();
    g.push(Case::new(&format!("{n}: first"), ok_dpop().cache_hit(false)).dpop_req(&ctok, &p1));
    g.push(Case::new(&format!("{n}: second"), ok_dpop().cache_hit(true)).dpop_req(&ctok, &p2));
    g.push(
        Case::new(
            &format!("{n}: cached token downgraded"),
            deny("FAPI_ERR_DPOP_BEARER_DOWNGRADE"),
        )
        .dpop_req(&ctok, &p3)
        .auth(&[&format!("Bearer {ctok}")]),
    );

    // Last on this verifier: time moves past the first entries' expiry (iat + 300 + 10).
    let t = NOW + MAX_AGE + LEEWAY + 6;
    let much_later = pf(&h, URL, Some(&tok), "reused").claim("iat", t).sign();
    g.push(
        Case::new(
            "decision: replay_new_proof_reusing_jti: same jti after the entry expired",
            ok_dpop(),
        )
        .dpop_req(&tok, &much_later)
        .now(t),
    );
}

/// introspection.rs: opaque tokens with the host's introspection result.
fn introspection_cases(g: &mut Gen) {
    const OPAQUE: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let holder = Signer::es256(4);
    let other = Signer::es256(5);
    let bound = format!(
        r#"{{"active":true,"sub":"someone@example.com","iss":"{ISS}","exp":{},"scope":"accounts","cnf":{{"jkt":"{}"}}}}"#,
        NOW + 600,
        jkt(&holder)
    );
    let p = |jti: &str, s: &Signer| fapi_tests::proof(s, "GET", URL, NOW, jti, Some(OPAQUE), None);
    let n = |s: &str| format!("introspection: {s}");
    let dpop = |name: &str, want: Want, proof: &str| {
        Case::new(&n(name), want)
            .dpop_req(OPAQUE, proof)
            .introspection(&bound)
    };
    g.push(dpop("bound and proven", allow_dpop(&holder), &p("i1", &holder)).scopes(&["accounts"]));
    g.push(dpop(
        "replay of the same proof",
        deny("FAPI_ERR_DPOP_REPLAYED"),
        &p("i1", &holder),
    ));
    g.push(dpop(
        "proof by another key",
        deny("FAPI_ERR_DPOP_JKT_MISMATCH"),
        &p("i2", &other),
    ));
    g.push(
        Case::new(
            &n("Bearer downgrade of a bound opaque token"),
            deny("FAPI_ERR_DPOP_BEARER_DOWNGRADE"),
        )
        .bearer(OPAQUE)
        .introspection(&bound),
    );
    g.push(
        dpop(
            "scope",
            deny("FAPI_ERR_REQUEST_INSUFFICIENT_SCOPE"),
            &p("i3", &holder),
        )
        .scopes(&["payments"]),
    );
    for (name, json, code) in [
        (
            "inactive",
            r#"{"active":false}"#.to_string(),
            "FAPI_ERR_CLAIMS_INACTIVE",
        ),
        (
            "active as a string",
            r#"{"active":"true"}"#.to_string(),
            "FAPI_ERR_CLAIMS_INACTIVE",
        ),
        (
            "active missing",
            r#"{"scope":"accounts"}"#.to_string(),
            "FAPI_ERR_CLAIMS_INACTIVE",
        ),
        (
            "expired",
            format!(r#"{{"active":true,"exp":{}}}"#, NOW - 11),
            "FAPI_ERR_CLAIMS_EXPIRED",
        ),
        (
            "wrong issuer",
            r#"{"active":true,"iss":"https://evil.example"}"#.to_string(),
            "FAPI_ERR_CLAIMS_ISS_MISMATCH",
        ),
        (
            "wrong audience",
            r#"{"active":true,"aud":"https://other.example"}"#.to_string(),
            "FAPI_ERR_CLAIMS_AUD_MISMATCH",
        ),
        (
            "unsupported cnf",
            r#"{"active":true,"cnf":{"x5t":"abc"}}"#.to_string(),
            "FAPI_ERR_CLAIMS_CNF_UNSUPPORTED",
        ),
        (
            "duplicate member",
            r#"{"active":true,"active":true}"#.to_string(),
            "FAPI_ERR_JSON_DUPLICATE_MEMBER",
        ),
    ] {
        g.push(
            Case::new(&n(name), deny(code))
                .bearer(OPAQUE)
                .introspection(&json),
        );
    }
    g.push(
        Case::new(&n("unbound active opaque token with Bearer"), allow_none())
            .bearer(OPAQUE)
            .introspection(r#"{"active":true,"scope":"accounts"}"#)
            .scopes(&["accounts"]),
    );
}

fn policy_cases(g: &mut Gen) {
    let h = holder();
    let tok = bound_token(&h);
    let bt = bearer_token();
    let x5t = x5t_token(RFC7517_B_X5T_S256);
    let der = cert_der();
    let current = nonce_at(&NONCE_SECRET, NOW);
    let use_nonce = |desc: &str| {
        format!("DPoP error=\"use_dpop_nonce\", error_description=\"{desc}\", {ALGS}, Bearer")
    };
    // Nonces (nonce_required, secret [7; 32] set at NOW).
    let nonce_cases: Vec<(&str, Option<String>, Want)> = vec![
        (
            "nonce missing",
            None,
            deny("FAPI_ERR_DPOP_NONCE_MISSING")
                .challenge(&use_nonce("dpop_nonce_missing"))
                .nonce(Some(&current)),
        ),
        (
            "nonce of two slots ago",
            Some(nonce_at(&NONCE_SECRET, NOW - 2 * SLOT)),
            deny("FAPI_ERR_DPOP_NONCE_INVALID")
                .challenge(&use_nonce("dpop_nonce_invalid"))
                .nonce(Some(&current)),
        ),
        (
            "nonce garbage",
            Some("not-a-nonce".to_string()),
            deny("FAPI_ERR_DPOP_NONCE_INVALID").nonce(Some(&current)),
        ),
        (
            "nonce of another secret",
            Some(nonce_at(&[8; 32], NOW)),
            deny("FAPI_ERR_DPOP_NONCE_INVALID"),
        ),
        (
            "nonce current",
            Some(current.clone()),
            ok_dpop().nonce(Some(&current)),
        ),
        (
            "nonce of the previous slot",
            Some(nonce_at(&NONCE_SECRET, NOW - SLOT)),
            ok_dpop().nonce(Some(&current)),
        ),
    ];
    for (name, nonce, want) in nonce_cases {
        let jti = g.jti();
        let mut p = pf(&h, URL, Some(&tok), &jti);
        if let Some(n) = nonce {
            p = p.claim("nonce", n);
        }
        let c = g.decision(name, want).dpop_req(&tok, &p.sign()).on(V_NONCE);
        g.push(c);
    }
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).claim("htm", "POST").sign();
    let c = g
        .decision(
            "nonce secret set: other proof errors carry no nonce",
            deny("FAPI_ERR_DPOP_HTM_MISMATCH").nonce(None),
        )
        .dpop_req(&tok, &p)
        .on(V_NONCE);
    g.push(c);

    // Modes.
    let jti = g.jti();
    let p = pf(&h, URL, Some(&tok), &jti).sign();
    let c = g
        .decision(
            "DPoP off: DPoP-bound token with Bearer",
            deny("FAPI_ERR_DPOP_DISABLED"),
        )
        .bearer(&tok)
        .on(V_DPOP_OFF);
    g.push(c);
    let c = g
        .decision(
            "challenge: invalid_token on Bearer, DPoP off",
            deny("FAPI_ERR_DPOP_DISABLED")
                .challenge("Bearer error=\"invalid_token\", error_description=\"dpop_disabled\""),
        )
        .bearer(&tok)
        .on(V_DPOP_OFF);
    g.push(c);
    let c = g
        .decision(
            "DPoP off: DPoP-bound token with DPoP (scheme not offered)",
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge("Bearer"),
        )
        .dpop_req(&tok, &p)
        .on(V_DPOP_OFF);
    g.push(c);
    let c = g
        .decision("DPoP off: unbound Bearer token", allow_none())
        .bearer(&bt)
        .on(V_DPOP_OFF);
    g.push(c);
    let c = g
        .decision(
            "DPoP required: unbound Bearer token",
            deny("FAPI_ERR_DPOP_BINDING_REQUIRED"),
        )
        .bearer(&bt)
        .on(V_DPOP_REQUIRED);
    g.push(c);
    let c = g
        .decision("DPoP required: DPoP-bound token", ok_dpop())
        .dpop_req(&tok, &p)
        .on(V_DPOP_REQUIRED);
    g.push(c);
    let c = g
        .decision(
            "challenge: no credentials, DPoP required (mTLS optional)",
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge(&format!("DPoP {ALGS}")),
        )
        .on(V_DPOP_REQUIRED);
    g.push(c);
    let c = g
        .decision(
            "FAPI 2.0 profile: unbound token",
            deny("FAPI_ERR_DPOP_BINDING_REQUIRED"),
        )
        .bearer(&bt)
        .on(V_FAPI2);
    g.push(c);
    let c = g
        .decision("FAPI 2.0 profile: certificate-bound token", allow_mtls())
        .bearer(&x5t)
        .cert(der.clone(), CertEncoding::Der)
        .on(V_FAPI2);
    g.push(c);
    let c = g
        .decision(
            "mTLS off: certificate-bound token",
            deny("FAPI_ERR_MTLS_DISABLED"),
        )
        .bearer(&x5t)
        .cert(der, CertEncoding::Der)
        .on(V_MTLS_OFF);
    g.push(c);
    let he = holder_ed();
    let te = bound_token(&he);
    let jti = g.jti();
    let p = pf(&he, URL, Some(&te), &jti).sign();
    let c = g
        .decision(
            "proof alg EdDSA not in the proof allowlist (ES256 only)",
            deny("FAPI_ERR_PROOF_JWS_ALG_NOT_ALLOWED"),
        )
        .dpop_req(&te, &p)
        .on(V_PROOF_ES256);
    g.push(c);
    let c = g
        .decision(
            "challenge: no credentials, proof algs ES256 only",
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge("Bearer, DPoP algs=\"ES256\""),
        )
        .on(V_PROOF_ES256);
    g.push(c);
}

// ---------------------------------------------------------------------------------------------
// RSA (RS256 / PS256) with the RFC 7515 A.2 key under kid `rsa1` (tests/tests/rsa_jws.rs).

/// The kid of the RSA key in `GEN_JWKS_RSA`.
const RSA_KID: &str = "rsa1";

/// The A.2 key signing PS256.
fn rsa_ps() -> Signer {
    Signer::Rsa { pss: true }
}
/// The A.2 key signing RS256.
fn rsa_rs() -> Signer {
    Signer::Rsa { pss: false }
}
/// A token signed by `s` under `rsa1` with the `alg` of `s`.
fn rsa_token(s: &Signer, claims: &str) -> String {
    sign_raw(s, &hdr(s.alg(), RSA_KID), claims)
}
/// A token signed by `s` under `rsa1`, bound to `h` by `cnf.jkt`.
fn rsa_bound(s: &Signer, h: &Signer) -> String {
    rsa_token(s, &claims_with_cnf(json!({ "jkt": jkt(h) })).to_string())
}
/// The A.2 modulus (256 octets, big-endian).
fn rsa_n() -> Vec<u8> {
    b64u_decode(RFC7515_A2_N)
}
/// An RSA JWK (kid `kid`) with the exact octets `n` and `e`.
fn rsa_jwk(kid: &str, n: &[u8], e: &[u8]) -> Value {
    json!({"kty": "RSA", "kid": kid, "n": b64u(n), "e": b64u(e)})
}
/// `n` with its lowest bit cleared (an even modulus).
fn even(mut n: Vec<u8>) -> Vec<u8> {
    if let Some(b) = n.last_mut() {
        *b &= 0xFE;
    }
    n
}
/// A modulus-shaped odd octet string of `bits` bits (not a product of primes: only the load
/// checks see it).
fn odd_modulus(bits: usize) -> Vec<u8> {
    let mut n = vec![0xC5u8; bits.div_ceil(8)];
    let top_bits = bits % 8;
    if top_bits != 0 {
        n[0] = 0xFF >> (8 - top_bits);
    }
    n
}

fn rsa_cases(g: &mut Gen) {
    let ps = rsa_ps();
    let rs = rsa_rs();
    let h = holder();
    let claims = claims_text();
    let n = |s: &str| format!("rsa: {s}");
    let ps_bearer = rsa_token(&ps, &claims);
    let rs_bearer = rsa_token(&rs, &claims);
    let rsa_algs = r#"algs="ES256 PS256""#;

    // Tokens through the decision, with an ES256 proof.
    let t_ps = rsa_bound(&ps, &h);
    let jti = g.jti();
    let p = pf(&h, URL, Some(&t_ps), &jti).sign();
    g.push(
        Case::new(
            &n("PS256 token + ES256 DPoP proof"),
            ok_dpop().cache_hit(false),
        )
        .dpop_req(&t_ps, &p)
        .on(V_RSA),
    );
    let jti = g.jti();
    let p = pf(&h, URL, Some(&t_ps), &jti).sign();
    g.push(
        Case::new(
            &n("PS256 token again with a new proof (token cache hit)"),
            ok_dpop().cache_hit(true),
        )
        .dpop_req(&t_ps, &p)
        .on(V_RSA),
    );
    let t_rs = rsa_bound(&rs, &h);
    let jti = g.jti();
    let p = pf(&h, URL, Some(&t_rs), &jti).sign();
    g.push(
        Case::new(&n("RS256 token + ES256 DPoP proof"), ok_dpop())
            .dpop_req(&t_rs, &p)
            .on(V_RSA),
    );
    g.push(
        Case::new(&n("RS256 bearer token"), allow_none())
            .bearer(&rs_bearer)
            .on(V_RSA),
    );
    g.push(
        Case::new(&n("PS256 bearer token"), allow_none())
            .bearer(&ps_bearer)
            .on(V_RSA),
    );

    // Signatures: the padding is bound to the header's alg; lengths are exact.
    let token_rows: Vec<(&str, &'static str, String)> = vec![
        (
            "PS256 signature under an RS256 header",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            sign_raw(&ps, &hdr("RS256", RSA_KID), &claims),
        ),
        (
            "RS256 signature under a PS256 header",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            sign_raw(&rs, &hdr("PS256", RSA_KID), &claims),
        ),
        (
            "PS256 signature one byte short (255 bytes)",
            "FAPI_ERR_JWS_SIGNATURE_LENGTH",
            with_sig(&ps_bearer, &sig_of(&ps_bearer)[..255]),
        ),
        (
            "RS256 signature one byte short (255 bytes)",
            "FAPI_ERR_JWS_SIGNATURE_LENGTH",
            with_sig(&rs_bearer, &sig_of(&rs_bearer)[..255]),
        ),
        (
            "PS256 signature one byte long (257 bytes)",
            "FAPI_ERR_JWS_SIGNATURE_LENGTH",
            with_sig(&ps_bearer, &[&sig_of(&ps_bearer)[..], &[0u8]].concat()),
        ),
        (
            "PS256 signature bit flip",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            flip(&ps_bearer, 100, 0x04),
        ),
        (
            "RS256 signature bit flip",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            flip(&rs_bearer, 200, 0x01),
        ),
        (
            "RS256 signature s = n (out of range)",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            with_sig(&rs_bearer, &rsa_n()),
        ),
        (
            "PS256 signature s = 0",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            with_sig(&ps_bearer, &[0u8; 256]),
        ),
        (
            "PS256 payload bit flip: sub alice -> alicd",
            "FAPI_ERR_JWS_BAD_SIGNATURE",
            with_payload_unsigned(&ps_bearer, claims.replace("alice", "alicd").as_bytes()),
        ),
        (
            "PS256 header with the kid of the EC key",
            "FAPI_ERR_JWK_ALG_KEY_MISMATCH",
            sign_raw(&ps, &hdr("PS256", "ec1"), &claims),
        ),
        (
            "ES256 header with the kid of the RSA key",
            "FAPI_ERR_JWK_ALG_KEY_MISMATCH",
            sign_raw(&es(), &hdr("ES256", RSA_KID), &claims),
        ),
    ];
    for (name, code, token) in token_rows {
        g.push(Case::new(&n(name), deny(code)).bearer(&token).on(V_RSA));
    }

    // A DPoP proof signed with the RSA key (jwk kty RSA, PS256), then replayed.
    let rh = rsa_ps();
    let t_rh = rsa_bound(&ps, &rh);
    let rsa_proof = pf(&rh, URL, Some(&t_rh), "rsa-proof-1").sign();
    g.push(
        Case::new(&n("RSA DPoP proof (jwk kty RSA, PS256)"), allow_dpop(&rh))
            .dpop_req(&t_rh, &rsa_proof)
            .on(V_RSA),
    );
    g.push(
        Case::new(
            &n("RSA DPoP proof replayed"),
            deny("FAPI_ERR_DPOP_REPLAYED").challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", {rsa_algs}, Bearer"
            )),
        )
        .dpop_req(&t_rh, &rsa_proof)
        .on(V_RSA),
    );
    let proof_rows: Vec<(&str, &'static str, String)> = vec![
        (
            "RSA DPoP proof signature bit flip",
            "FAPI_ERR_PROOF_JWS_BAD_SIGNATURE",
            flip(&pf(&rh, URL, Some(&t_rh), &g.jti()).sign(), 10, 0x01),
        ),
        (
            "RSA DPoP proof signature one byte short",
            "FAPI_ERR_PROOF_JWS_SIGNATURE_LENGTH",
            {
                let p = pf(&rh, URL, Some(&t_rh), &g.jti()).sign();
                with_sig(&p, &sig_of(&p)[..255])
            },
        ),
        (
            "RSA DPoP proof signed RS256 (not a proof algorithm here)",
            "FAPI_ERR_PROOF_JWS_ALG_NOT_ALLOWED",
            pf(&rsa_rs(), URL, Some(&t_rh), &g.jti()).sign(),
        ),
        (
            "RSA DPoP proof jwk with e = 1",
            "FAPI_ERR_PROOF_JWK_RSA_EXPONENT",
            pf(&rh, URL, Some(&t_rh), &g.jti())
                .hdr("jwk", json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQ"}))
                .sign(),
        ),
        (
            "RSA DPoP proof jwk with a 1024-bit n",
            "FAPI_ERR_PROOF_JWK_RSA_MODULUS_SIZE",
            pf(&rh, URL, Some(&t_rh), &g.jti())
                .hdr(
                    "jwk",
                    json!({"kty": "RSA", "n": b64u(&rsa_n()[..128]), "e": "AQAB"}),
                )
                .sign(),
        ),
        (
            "RSA DPoP proof jwk n with a leading 00 octet",
            "FAPI_ERR_PROOF_JWK_RSA_MODULUS_LEADING_ZERO",
            pf(&rh, URL, Some(&t_rh), &g.jti())
                .hdr(
                    "jwk",
                    json!({"kty": "RSA", "n": b64u(&[&[0u8][..], &rsa_n()].concat()), "e": "AQAB"}),
                )
                .sign(),
        ),
        (
            "RSA DPoP proof jwk with an even n",
            "FAPI_ERR_PROOF_JWK_RSA_MODULUS_EVEN",
            pf(&rh, URL, Some(&t_rh), &g.jti())
                .hdr(
                    "jwk",
                    json!({"kty": "RSA", "n": b64u(&even(rsa_n())), "e": "AQAB"}),
                )
                .sign(),
        ),
    ];
    for (name, code, proof) in proof_rows {
        g.push(
            Case::new(&n(name), deny(code))
                .dpop_req(&t_rh, &proof)
                .on(V_RSA),
        );
    }
    let jti = g.jti();
    let p = pf(&rh, URL, Some(&t_ps), &jti).sign();
    g.push(
        Case::new(
            &n("RSA DPoP proof for a token bound to the ES256 holder"),
            deny("FAPI_ERR_DPOP_JKT_MISMATCH"),
        )
        .dpop_req(&t_ps, &p)
        .on(V_RSA),
    );
    g.push(
        Case::new(
            &n("challenge: no credentials, proof algs ES256 PS256"),
            deny("FAPI_ERR_REQUEST_NO_CREDENTIALS").challenge(&format!("Bearer, DPoP {rsa_algs}")),
        )
        .on(V_RSA),
    );

    // Allowlists: RS256 not configured, PS256 not a proof algorithm.
    g.push(
        Case::new(
            &n("RS256 token under a config without RS256"),
            deny("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        )
        .bearer(&rs_bearer)
        .on(V_RSA_NO_RS256),
    );
    let jti = g.jti();
    let p = pf(&h, URL, Some(&t_rs), &jti).sign();
    g.push(
        Case::new(
            &n("RS256 DPoP-bound token under a config without RS256"),
            deny("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        )
        .dpop_req(&t_rs, &p)
        .on(V_RSA_NO_RS256),
    );
    g.push(
        Case::new(
            &n("PS256 bearer token under a config without RS256"),
            allow_none(),
        )
        .bearer(&ps_bearer)
        .on(V_RSA_NO_RS256),
    );
    g.push(
        Case::new(
            &n("the same RSA DPoP proof under proof algs without PS256"),
            deny("FAPI_ERR_PROOF_JWS_ALG_NOT_ALLOWED"),
        )
        .dpop_req(&t_rh, &rsa_proof)
        .on(V_RSA_NO_RS256),
    );
    g.push(
        Case::new(
            &n("PS256 token under the default config (no RSA algorithm)"),
            deny("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        )
        .bearer(&ps_bearer),
    );
    g.push(
        Case::new(
            &n("RS256 token under the default config (no RSA algorithm)"),
            deny("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        )
        .bearer(&rs_bearer),
    );

    // The FAPI 2.0 profile takes PS256 (tokens and proofs), never RS256.
    let p = pf(&rh, URL, Some(&t_rh), "rsa-fapi2-1").sign();
    g.push(
        Case::new(
            &n("FAPI 2.0: PS256 token with an RSA DPoP proof"),
            allow_dpop(&rh),
        )
        .dpop_req(&t_rh, &p)
        .on(V_RSA_FAPI2),
    );
    g.push(
        Case::new(
            &n("FAPI 2.0: RS256 token"),
            deny("FAPI_ERR_JWS_ALG_NOT_ALLOWED"),
        )
        .bearer(&rs_bearer)
        .on(V_RSA_FAPI2),
    );
    g.push(
        Case::new(
            &n("FAPI 2.0: unbound PS256 token"),
            deny("FAPI_ERR_DPOP_BINDING_REQUIRED"),
        )
        .bearer(&ps_bearer)
        .on(V_RSA_FAPI2),
    );
}

/// The JWKS loads of the RSA key checks (`GEN_JWKS_CASES`): each bad key sits next to a good
/// EC key and refuses the whole set with its own code.
fn rsa_jwks_cases() -> Vec<(String, String, &'static str, u32, u32)> {
    let ec = es().jwk_with_kid("ec1");
    let a2 = rsa_n();
    let e65537 = [1u8, 0, 1];
    let with_ec = |k: Value| jwks(&[ec.clone(), k]);
    let mut private = rsa_ps().jwk_with_kid(RSA_KID);
    private["d"] = fapi_tests::rsa_sign::RFC7515_A2_D.into();
    let rows: Vec<(&str, String, &'static str, u32, u32)> = vec![
        ("EC, Ed25519 and RSA keys", rsa_jwks_text(), "FAPI_OK", 3, 0),
        (
            "RSA n with a leading 00 octet",
            with_ec(rsa_jwk(RSA_KID, &[&[0u8][..], &a2].concat(), &e65537)),
            "FAPI_ERR_JWK_RSA_MODULUS_LEADING_ZERO",
            0,
            0,
        ),
        (
            "RSA n of 1024 bits",
            with_ec(rsa_jwk(RSA_KID, &a2[..128], &e65537)),
            "FAPI_ERR_JWK_RSA_MODULUS_SIZE",
            0,
            0,
        ),
        (
            "RSA n of 2047 bits",
            with_ec(rsa_jwk(RSA_KID, &odd_modulus(2047), &e65537)),
            "FAPI_ERR_JWK_RSA_MODULUS_SIZE",
            0,
            0,
        ),
        (
            "RSA n of 4097 bits",
            with_ec(rsa_jwk(RSA_KID, &odd_modulus(4097), &e65537)),
            "FAPI_ERR_JWK_RSA_MODULUS_SIZE",
            0,
            0,
        ),
        (
            "RSA n of 4096 bits loads",
            with_ec(rsa_jwk(RSA_KID, &odd_modulus(4096), &e65537)),
            "FAPI_OK",
            2,
            0,
        ),
        (
            "RSA e = 1",
            with_ec(rsa_jwk(RSA_KID, &a2, &[1])),
            "FAPI_ERR_JWK_RSA_EXPONENT",
            0,
            0,
        ),
        (
            "RSA e = 65536 (even)",
            with_ec(rsa_jwk(RSA_KID, &a2, &[1, 0, 0])),
            "FAPI_ERR_JWK_RSA_EXPONENT",
            0,
            0,
        ),
        (
            "RSA e with a leading 00 octet",
            with_ec(rsa_jwk(RSA_KID, &a2, &[0, 1, 0, 1])),
            "FAPI_ERR_JWK_RSA_EXPONENT",
            0,
            0,
        ),
        (
            "RSA n even",
            with_ec(rsa_jwk(RSA_KID, &even(a2.clone()), &e65537)),
            "FAPI_ERR_JWK_RSA_MODULUS_EVEN",
            0,
            0,
        ),
        (
            "RSA key with d (private)",
            with_ec(private),
            "FAPI_ERR_JWK_KEY_PRIVATE",
            0,
            0,
        ),
    ];
    rows.into_iter()
        .map(|(name, text, code, loaded, skipped)| {
            (format!("rsa: jwks: {name}"), text, code, loaded, skipped)
        })
        .collect()
}

/// `GEN_JWKS_RSA`: the default keys and the RSA key under `rsa1`.
fn rsa_jwks_text() -> String {
    jwks(&[
        es().jwk_with_kid("ec1"),
        ed().jwk_with_kid("ed1"),
        rsa_ps().jwk_with_kid(RSA_KID),
    ])
}

// ---------------------------------------------------------------------------------------------
// C output.

/// Byte strings emitted once each as `static const` arrays, referenced as `fapi_str`.
struct Blobs {
    decls: String,
    seen: HashMap<Vec<u8>, String>,
}

/// A C string literal body for `bytes` (octal escapes for everything but plain printable
/// ASCII; `?` escaped against trigraphs).
fn c_literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' | b'?' => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push('"');
    s
}

impl Blobs {
    /// A `fapi_str` initializer for `bytes`.
    fn of(&mut self, bytes: &[u8]) -> String {
        if bytes.is_empty() {
            return "{(const uint8_t *)\"\", 0}".to_string();
        }
        let name = if let Some(n) = self.seen.get(bytes) {
            n.clone()
        } else {
            let n = format!("gen_b{}", self.seen.len());
            // C11 guarantees string literals of 4095 characters; -Wpedantic warns above.
            if bytes.len() < 4000 {
                let _ = writeln!(
                    self.decls,
                    "static const char {n}[] = {};",
                    c_literal(bytes)
                );
            } else {
                let mut body = String::new();
                for (i, b) in bytes.iter().enumerate() {
                    if i % 40 == 0 {
                        body.push('\n');
                    }
                    let _ = write!(body, "{b},");
                }
                let _ = writeln!(
                    self.decls,
                    "static const unsigned char {n}[] = {{{body}\n}};"
                );
            }
            self.seen.insert(bytes.to_vec(), n.clone());
            n
        };
        format!("{{(const uint8_t *){name}, {}}}", bytes.len())
    }
}

fn render_case(b: &mut Blobs, c: &Case) -> String {
    let strs = |b: &mut Blobs, v: &[Vec<u8>]| -> String {
        if v.is_empty() {
            return "{{NULL, 0}}".to_string();
        }
        let items: Vec<String> = v.iter().map(|x| b.of(x)).collect();
        format!("{{{}}}", items.join(", "))
    };
    let r = &c.req;
    let scopes: Vec<Vec<u8>> = r.scopes.iter().map(|s| s.as_bytes().to_vec()).collect();
    assert!(r.auth.len() <= 3 && r.dpop.len() <= 3 && scopes.len() <= 3);
    let (cert_enc, cert_src, cert) = match &r.cert {
        None => (
            "FAPI_CERT_NONE",
            "FAPI_CERT_SOURCE_TLS",
            "{NULL, 0}".to_string(),
        ),
        Some((bytes, enc)) => (
            match enc {
                CertEncoding::Der => "FAPI_CERT_DER",
                CertEncoding::Pem => "FAPI_CERT_PEM",
                CertEncoding::EscapedPem => "FAPI_CERT_ESCAPED_PEM",
                CertEncoding::ClientCertHeader => "FAPI_CERT_CLIENT_CERT_HEADER",
            },
            if *enc == CertEncoding::Der {
                "FAPI_CERT_SOURCE_TLS"
            } else {
                "FAPI_CERT_SOURCE_TRUSTED_PROXY"
            },
            b.of(bytes),
        ),
    };
    let mut s = String::new();
    let _ = writeln!(s, "  {{ .name = {},", c_literal(c.name.as_bytes()));
    let _ = writeln!(
        s,
        "    .verifier = {}, .ctx = {}, .method = {}, .target = {}, .base = {},",
        c.verifier,
        c.ctx,
        b.of(&r.method),
        b.of(&r.target),
        r.base
    );
    let _ = writeln!(
        s,
        "    .auth_count = {}, .auth = {}, .dpop_count = {}, .dpop = {},",
        r.auth.len(),
        strs(b, &r.auth),
        r.dpop.len(),
        strs(b, &r.dpop)
    );
    let _ = writeln!(
        s,
        "    .cert_encoding = {cert_enc}, .cert_source = {cert_src}, .cert = {cert},"
    );
    let introspection = match &c.introspection {
        Some(x) => b.of(x),
        None => "{NULL, 0}".to_string(),
    };
    let _ = writeln!(
        s,
        "    .scope_count = {}, .scopes = {}, .introspection = {introspection}, .now = {}ULL,",
        scopes.len(),
        strs(b, &scopes),
        r.now
    );
    let opt = |b: &mut Blobs, v: &Option<Vec<u8>>| match v {
        Some(x) => b.of(x),
        None => "{NULL, 0}".to_string(),
    };
    let nonce_fields = |b: &mut Blobs, n: &Option<Option<String>>| match n {
        None => ("-1".to_string(), "{NULL, 0}".to_string()),
        Some(None) => ("0".to_string(), "{NULL, 0}".to_string()),
        Some(Some(v)) => ("1".to_string(), b.of(v.as_bytes())),
    };
    match &c.want {
        Want::Allow {
            binding,
            jkt,
            x5t,
            cache_hit,
            nonce,
        } => {
            let (has_nonce, nonce_v) = nonce_fields(b, nonce);
            let _ = writeln!(
                s,
                "    .ret = FAPI_OK, .verdict = FAPI_VERDICT_ALLOW, .result = FAPI_OK, .result_name = \"FAPI_OK\", .http_status = 200, .oauth_error = \"\","
            );
            let _ = writeln!(
                s,
                "    .binding = {binding}, .jkt = {}, .x5t = {}, .cache_hit = {},",
                opt(b, jkt),
                opt(b, x5t),
                cache_hit.map_or(-1, i32::from)
            );
            let _ = writeln!(
                s,
                "    .has_challenge = 1, .challenge = {{(const uint8_t *)\"\", 0}}, .has_nonce = {has_nonce}, .nonce = {nonce_v} }},"
            );
        }
        Want::Deny {
            code,
            challenge,
            nonce,
        } => {
            let (status, oauth) = status_of(code);
            let (has_nonce, nonce_v) = nonce_fields(b, nonce);
            let _ = writeln!(
                s,
                "    .ret = FAPI_OK, .verdict = FAPI_VERDICT_DENY, .result = {code}, .result_name = \"{code}\", .http_status = {status}, .oauth_error = \"{oauth}\","
            );
            let _ = writeln!(
                s,
                "    .binding = -1, .jkt = {{NULL, 0}}, .x5t = {{NULL, 0}}, .cache_hit = -1,"
            );
            let (has_ch, ch) = match challenge {
                Some(x) => (1, b.of(x.as_bytes())),
                None => (0, "{NULL, 0}".to_string()),
            };
            let _ = writeln!(
                s,
                "    .has_challenge = {has_ch}, .challenge = {ch}, .has_nonce = {has_nonce}, .nonce = {nonce_v} }},"
            );
        }
        Want::Api(code) => {
            let _ = writeln!(
                s,
                "    .ret = {code}, .verdict = FAPI_VERDICT_NONE, .result = {code}, .result_name = \"{code}\", .http_status = 0, .oauth_error = \"\","
            );
            let _ = writeln!(
                s,
                "    .binding = -1, .jkt = {{NULL, 0}}, .x5t = {{NULL, 0}}, .cache_hit = -1,"
            );
            let _ = writeln!(
                s,
                "    .has_challenge = 0, .challenge = {{NULL, 0}}, .has_nonce = -1, .nonce = {{NULL, 0}} }},"
            );
        }
    }
    s
}

/// `static const fapi_str NAME = {...};`
fn named(b: &mut Blobs, out: &mut String, name: &str, bytes: &[u8]) {
    let v = b.of(bytes);
    let _ = writeln!(out, "static const fapi_str {name} = {v};");
}

/// The material of the API and concurrency tests.
fn extras(b: &mut Blobs, out: &mut String) {
    let h = holder();
    let tok = bound_token(&h);
    let bt = bearer_token();
    let claims = good_claims();
    named(b, out, "GEN_BEARER_AUTH", format!("Bearer {bt}").as_bytes());
    for (c_name, claim) in [
        ("GEN_CLAIM_SUB", "sub"),
        ("GEN_CLAIM_CLIENT_ID", "client_id"),
        ("GEN_CLAIM_SCOPE", "scope"),
    ] {
        let v = claims[claim].as_str().expect("string claim");
        named(b, out, c_name, v.as_bytes());
    }
    named(
        b,
        out,
        "GEN_CLAIM_AUD_JSON",
        claims["aud"].to_string().as_bytes(),
    );
    let _ = writeln!(
        out,
        "#define GEN_CLAIM_EXP {}ULL",
        claims["exp"].as_u64().expect("exp")
    );
    // A token whose sub is escaped and whose aud is an array (exact JSON text).
    let aud_array = format!(r#"["https://other.example","{AUD}"]"#);
    let escaped = es_token(
        &claims_with("aud", &aud_array).replace("\"sub\":\"alice\"", "\"sub\":\"al\\u0069ce\""),
    );
    named(
        b,
        out,
        "GEN_ESCAPED_AUTH",
        format!("Bearer {escaped}").as_bytes(),
    );
    named(b, out, "GEN_ESCAPED_AUD_JSON", aud_array.as_bytes());

    // DPoP allow for the binding accessors.
    named(b, out, "GEN_DPOP_AUTH", format!("DPoP {tok}").as_bytes());
    let p = pf(&h, URL, Some(&tok), "api-binding").sign();
    named(b, out, "GEN_DPOP_PROOF", p.as_bytes());
    named(b, out, "GEN_HOLDER_JKT", &jkt_bytes(&h));
    named(b, out, "GEN_OTHER_JKT", &jkt_bytes(&other()));

    // The two-phase replay path (external store).
    let ext_jti = "ext-jti-1";
    let ext = pf(&h, URL, Some(&tok), ext_jti).sign();
    named(b, out, "GEN_EXT_PROOF", ext.as_bytes());
    let mut pair = jkt_bytes(&h).to_vec();
    pair.extend_from_slice(ext_jti.as_bytes());
    named(
        b,
        out,
        "GEN_EXT_KEY",
        b64u(&Sha256::digest(&pair)).as_bytes(),
    );
    let _ = writeln!(out, "#define GEN_EXT_EXPIRY {}ULL", NOW + MAX_AGE + LEEWAY);
    named(
        b,
        out,
        "GEN_EXT_SEEN_CHALLENGE",
        format!(
            "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed_external\", {ALGS}, Bearer"
        )
        .as_bytes(),
    );

    // Standalone proof checks (token endpoint).
    let token_ep = "https://rs.example.com/token";
    let at = "opaque-access-token";
    let cp = |htm: &str, jti: &str, token: Option<&str>| {
        fapi_tests::proof(&h, htm, token_ep, NOW, jti, token, None)
    };
    named(b, out, "GEN_CP_P1", cp("POST", "tp-1", None).as_bytes());
    named(b, out, "GEN_CP_P2", cp("POST", "tp-2", None).as_bytes());
    named(b, out, "GEN_CP_P3", cp("POST", "tp-3", None).as_bytes());
    named(b, out, "GEN_CP_P4", cp("POST", "tp-4", Some(at)).as_bytes());
    named(b, out, "GEN_CP_P5", cp("GET", "tp-5", None).as_bytes());
    named(b, out, "GEN_CP_AT", at.as_bytes());

    // Replay table full (2 slots, secret 0x33).
    let full = |jti: &str, iat: u64| pf(&h, URL, Some(&tok), jti).claim("iat", iat).sign();
    named(b, out, "GEN_FULL_A", full("a", NOW).as_bytes());
    named(b, out, "GEN_FULL_B", full("b", NOW).as_bytes());
    named(b, out, "GEN_FULL_C", full("c", NOW).as_bytes());
    named(
        b,
        out,
        "GEN_FULL_D",
        full("d", NOW + MAX_AGE + LEEWAY).as_bytes(),
    );
    let _ = writeln!(out, "#define GEN_FULL_D_NOW {}ULL", NOW + MAX_AGE + LEEWAY);

    // The nonce of the nonce verifier at NOW.
    named(
        b,
        out,
        "GEN_NONCE_NOW",
        nonce_at(&NONCE_SECRET, NOW).as_bytes(),
    );

    // ES256 tables (fapi_config.es256_*): the issuer's P-256 key (its table is built when
    // GEN_JWKS loads) and the region bytes of the configurations the suite uses, from the core.
    named(b, out, "GEN_ISSUER_ES_JKT", &jkt_bytes(&es()));
    for (name, t) in [
        ("GEN_TABLE_BYTES_GATEWAY_16", TableConfig::gateway(16)),
        ("GEN_TABLE_BYTES_GATEWAY_4", TableConfig::gateway(4)),
        ("GEN_TABLE_BYTES_FIRMWARE_16", TableConfig::firmware(16)),
    ] {
        let bytes = t.bytes().expect("table bytes");
        let _ = writeln!(out, "#define {name} {bytes}u");
    }

    // Concurrency: a batch of distinct valid proofs for one bound token.
    let bh = Signer::es256(11);
    let btok = bound_token(&bh);
    named(b, out, "GEN_BATCH_AUTH", format!("DPoP {btok}").as_bytes());
    let _ = writeln!(out, "#define GEN_BATCH_N {BATCH_N}");
    let mut items = Vec::new();
    for i in 0..BATCH_N {
        let p = pf(&bh, URL, Some(&btok), &format!("batch-{i}")).sign();
        items.push(format!("  {},", b.of(p.as_bytes())));
    }
    let _ = writeln!(
        out,
        "static const fapi_str GEN_BATCH_PROOFS[GEN_BATCH_N] = {{\n{}\n}};",
        items.join("\n")
    );

    // JWKS loads (cases.rs `jwks_cases`): private material refuses the whole set; encryption
    // keys are skipped and counted (the RSA key, with a made-up modulus, loads).
    let ec = es().jwk_with_kid("ec1");
    let mut private = ec.clone();
    private["d"] = b64u(&[0x42u8; 32]).into();
    named(b, out, "GEN_JWKS_PRIVATE", jwks(&[private]).as_bytes());
    let mut enc = Signer::es256(2).jwk_with_kid("enc1");
    enc["use"] = "enc".into();
    let rsa = json!({
        "kty":"RSA","kid":"rsa1","use":"sig","alg":"RS256",
        "n": b64u(&[0xC5u8; 256]), "e":"AQAB",
        "x5c": ["MIIBszCCAVmgAwIBAgIUJ+/fake+chain/AAAAAAAAAAAAAAAAAA=="]
    });
    named(b, out, "GEN_JWKS_MIXED", jwks(&[enc, rsa, ec]).as_bytes());
    named(
        b,
        out,
        "GEN_RSA_PS_BEARER_AUTH",
        format!("Bearer {}", rsa_token(&rsa_ps(), &claims_text())).as_bytes(),
    );
    named(
        b,
        out,
        "GEN_RSA_RS_BEARER_AUTH",
        format!("Bearer {}", rsa_token(&rsa_rs(), &claims_text())).as_bytes(),
    );
    named(
        b,
        out,
        "GEN_ED_BEARER_AUTH",
        format!("Bearer {}", good_ed()).as_bytes(),
    );

    // JWKS swap: key sets A and B, a bearer token for each.
    let ka = Signer::es256(21);
    let kb = Signer::ed25519(22);
    named(
        b,
        out,
        "GEN_JWKS_A",
        jwks(&[ka.jwk_with_kid("set-a")]).as_bytes(),
    );
    named(
        b,
        out,
        "GEN_JWKS_B",
        jwks(&[kb.jwk_with_kid("set-b")]).as_bytes(),
    );
    let ta = sign_raw(&ka, &hdr("ES256", "set-a"), &claims_text());
    let tb = sign_raw(&kb, &hdr("EdDSA", "set-b"), &claims_text());
    named(b, out, "GEN_SWAP_AUTH_A", format!("Bearer {ta}").as_bytes());
    named(b, out, "GEN_SWAP_AUTH_B", format!("Bearer {tb}").as_bytes());
}

/// The material of the client-side tests (`tests/c/suite_client.c`): the authorization
/// server's keys, a JARM response, an error response, a plain response, an ID token, a
/// metadata document, and the client keys with their thumbprints.
fn client_extras(b: &mut Blobs, out: &mut String) {
    use fapi_tests::client::{
        CLIENT_ID, CODE, NONCE, STATE, as_jwks, es_secret, id_claims, jarm, jarm_claims, metadata,
        signed,
    };
    let text = |out: &mut String, name: &str, v: &str| {
        let _ = writeln!(out, "#define {name} {}", c_literal(v.as_bytes()));
    };
    text(out, "GEN_CL_CLIENT_ID", CLIENT_ID);
    text(out, "GEN_CL_STATE", STATE);
    text(out, "GEN_CL_NONCE", NONCE);
    text(out, "GEN_CL_CODE", CODE);
    named(b, out, "GEN_CL_AS_JWKS", as_jwks().as_bytes());
    let claims = jarm_claims();
    let _ = writeln!(out, "#define GEN_CL_JARM_EXP {}ULL", claims["exp"]);
    let good = jarm("ES256", &claims);
    named(
        b,
        out,
        "GEN_CL_JARM_QUERY",
        format!("?response={good}").as_bytes(),
    );
    let eddsa = jarm("EdDSA", &claims);
    named(
        b,
        out,
        "GEN_CL_JARM_FORM",
        format!("response={eddsa}").as_bytes(),
    );
    let mut err = claims.clone();
    err.as_object_mut().expect("object").remove("code");
    err["error"] = "access_denied".into();
    err["error_description"] = "the user said no".into();
    named(
        b,
        out,
        "GEN_CL_JARM_ERROR",
        format!("#response={}", jarm("ES256", &err)).as_bytes(),
    );
    let iss_enc = ISS.replace(':', "%3A").replace('/', "%2F");
    named(
        b,
        out,
        "GEN_CL_PLAIN",
        format!("code={CODE}&state={STATE}&iss={iss_enc}").as_bytes(),
    );
    named(
        b,
        out,
        "GEN_CL_PLAIN_OTHER_ISS",
        format!("code={CODE}&state={STATE}&iss=https%3A%2F%2Fevil.example.com").as_bytes(),
    );
    named(
        b,
        out,
        "GEN_CL_PLAIN_NO_ISS",
        format!("code={CODE}&state={STATE}").as_bytes(),
    );
    let (s, kid) = fapi_tests::client::as_signer("ES256");
    let idt = signed(&s, kid, Some("JWT"), &id_claims());
    named(b, out, "GEN_CL_ID_TOKEN", idt.as_bytes());
    named(b, out, "GEN_CL_METADATA", metadata().to_string().as_bytes());
    named(b, out, "GEN_CL_ES_SECRET", &es_secret(1));
    // es_secret(1) and the seed below are the private keys of Signer::es256(1) and
    // Signer::ed25519(1); their thumbprints come from the test helpers, not from fapi.
    text(out, "GEN_CL_ES_JKT", &jkt(&Signer::es256(1)));
    let mut seed = [0x22u8; 32];
    seed[31] = 1;
    named(b, out, "GEN_CL_ED_SEED", &seed);
    text(out, "GEN_CL_ED_JKT", &jkt(&Signer::ed25519(1)));
    named(
        b,
        out,
        "GEN_CL_ES_PUBLIC_JWK",
        Signer::es256(1).public_jwk().to_string().as_bytes(),
    );
    named(
        b,
        out,
        "GEN_CL_ED_PUBLIC_JWK",
        Signer::ed25519(1).public_jwk().to_string().as_bytes(),
    );
    named(b, out, "GEN_CL_CERT_DER", &cert_der());
    named(b, out, "GEN_CL_CERT_PEM", pem_of(&cert_der()).as_bytes());
    text(out, "GEN_CL_CERT_X5T", &b64u(&cert_x5t()));
}

fn main() {
    let mut g = Gen {
        cases: Vec::new(),
        jti: 0,
    };
    token_cases(&mut g);
    decision_cases(&mut g);
    scenario_cases(&mut g);
    introspection_cases(&mut g);
    policy_cases(&mut g);
    rsa_cases(&mut g);
    let mut names = std::collections::HashSet::new();
    for c in &g.cases {
        assert!(names.insert(c.name.clone()), "duplicate case {:?}", c.name);
    }

    let mut b = Blobs {
        decls: String::new(),
        seen: HashMap::new(),
    };
    let mut body = String::new();
    let _ = writeln!(body, "#define GEN_ISS {}", c_literal(ISS.as_bytes()));
    let _ = writeln!(body, "#define GEN_AUD {}", c_literal(AUD.as_bytes()));
    let _ = writeln!(body, "#define GEN_BASE0 {}", c_literal(BASE.as_bytes()));
    let _ = writeln!(body, "#define GEN_BASE1 {}", c_literal(BASE1.as_bytes()));
    let _ = writeln!(body, "#define GEN_NOW {NOW}ULL");
    let _ = writeln!(
        body,
        "#define GEN_TOKEN_ALGS (FAPI_ALG_ES256 | FAPI_ALG_EDDSA | FAPI_ALG_ED25519)"
    );
    let _ = writeln!(body, "#define GEN_REPLAY_SECRET_BYTE 0x{REPLAY_SECRET:02X}");
    let _ = writeln!(
        body,
        "#define GEN_NONCE_SECRET_BYTE 0x{:02X}",
        NONCE_SECRET[0]
    );
    let default_jwks = jwks(&[es().jwk_with_kid("ec1"), ed().jwk_with_kid("ed1")]);
    named(&mut b, &mut body, "GEN_JWKS", default_jwks.as_bytes());
    named(
        &mut b,
        &mut body,
        "GEN_JWKS_RSA",
        rsa_jwks_text().as_bytes(),
    );
    extras(&mut b, &mut body);
    client_extras(&mut b, &mut body);

    let vs = verifiers();
    let _ = writeln!(body, "#define GEN_VERIFIER_COUNT {}", vs.len());
    let _ = writeln!(
        body,
        "static const gen_verifier GEN_VERIFIERS[GEN_VERIFIER_COUNT] = {{"
    );
    for v in &vs {
        let _ = writeln!(
            body,
            "  {{ .name = {}, .token_algs = {}, .dpop_mode = {}, .mtls_mode = {}, .nonce_required = {}, .fapi2_profile = {}, .proof_algs = {}, .set_nonce_secret = {}, .jwks = &{}, .jwks_keys = {} }},",
            c_literal(v.name.as_bytes()),
            v.token_algs,
            v.dpop_mode,
            v.mtls_mode,
            v.nonce_required,
            v.fapi2_profile,
            v.proof_algs,
            i32::from(v.set_nonce_secret),
            v.jwks,
            v.jwks_keys
        );
    }
    let _ = writeln!(body, "}};");

    let jwks_rows = rsa_jwks_cases();
    let _ = writeln!(body, "#define GEN_JWKS_CASE_COUNT {}", jwks_rows.len());
    let _ = writeln!(
        body,
        "static const gen_jwks_case GEN_JWKS_CASES[GEN_JWKS_CASE_COUNT] = {{"
    );
    for (name, text, code, loaded, skipped) in &jwks_rows {
        assert!(names.insert(name.clone()), "duplicate case {name:?}");
        let _ = writeln!(
            body,
            "  {{ .name = {}, .jwks = {}, .result = {code}, .result_name = \"{code}\", .loaded = {loaded}, .skipped = {skipped} }},",
            c_literal(name.as_bytes()),
            b.of(text.as_bytes())
        );
    }
    let _ = writeln!(body, "}};");

    let rows: Vec<String> = g.cases.iter().map(|c| render_case(&mut b, c)).collect();
    let replays = g
        .cases
        .iter()
        .filter(|c| {
            c.verifier == V_DEFAULT
                && matches!(
                    c.want,
                    Want::Deny {
                        code: "FAPI_ERR_DPOP_REPLAYED",
                        ..
                    }
                )
        })
        .count();
    let _ = writeln!(body, "#define GEN_DEFAULT_REPLAYS {replays}");
    let _ = writeln!(body, "#define GEN_CASE_COUNT {}", rows.len());
    let _ = writeln!(body, "static const gen_case GEN_CASES[GEN_CASE_COUNT] = {{");
    for r in rows {
        body.push_str(&r);
    }
    let _ = writeln!(body, "}};");

    print!(
        "/* Generated by `cargo run -p fapi-tests --example gen_c_cases`: do not edit, do not commit. */\n\
         /* Blobs (tokens, proofs, certificates, JWKS). */\n{}\n{body}",
        b.decls
    );
}
