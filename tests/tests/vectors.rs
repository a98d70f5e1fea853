//! Public test vectors for fapi-core: Project Wycheproof (ECDSA P-256 P1363, Ed25519, JWS, JWK
//! sets) and RFC examples (RFC 7515 A.3, RFC 8037 A, RFC 7638 thumbprints).
//!
//! The vector files live in `tests/vectors/` (see its README for provenance, licences, which
//! test reads which file, and every case where fapi's verdict differs from upstream). They are
//! read relative to `CARGO_MANIFEST_DIR`, so the crate tests on its own.
//!
//! Every loop counts its cases and asserts the count, so an empty or truncated file fails.
//! Failures are collected and reported together, each naming its file and `tcId`.

use std::collections::{BTreeMap, BTreeSet};

use fapi_core::error::{Error, JsonError, JwkError, JwsError};
use fapi_core::json::JsonLimits;
use fapi_core::jwk::{self, JWKS_LIMITS, Jwk, KeySet, LoadReport};
use fapi_core::jws::{self, Alg, VerifyParams};
use fapi_core::jwt;
use fapi_tests::{Signer, b64u, b64u_decode, hex};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Support

type Verdict = Result<(), Error>;

const OK: Verdict = Ok(());

fn jws_err(e: JwsError) -> Verdict {
    Err(Error::Jws(e))
}

fn jwk_err(e: JwkError) -> Verdict {
    Err(Error::Jwk(e))
}

fn json_err(e: JsonError) -> Verdict {
    Err(Error::Json(e))
}

/// Reads `tests/vectors/<rel>` as JSON.
fn vector_file(rel: &str) -> Value {
    let path = format!("{}/vectors/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("member {key:?} is not a string in {v}"))
}

fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("member {key:?} is not an array"))
}

fn tc_id(t: &Value) -> u64 {
    t["tcId"].as_u64().expect("tcId")
}

/// Collects per-case outcomes; [`Tally::finish`] fails naming every mismatching case.
struct Tally {
    file: &'static str,
    run: usize,
    by_result: BTreeMap<String, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn new(file: &'static str) -> Self {
        Self {
            file,
            run: 0,
            by_result: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    /// Records one case `t` (its `result` is counted): `want` is fapi's exact verdict.
    fn check(&mut self, t: &Value, got: Verdict, want: Verdict) {
        self.run += 1;
        *self.by_result.entry(s(t, "result").to_owned()).or_default() += 1;
        if got != want {
            self.failures.push(format!(
                "{} tcId {} ({}; upstream {}): got {got:?}, want {want:?}",
                self.file,
                tc_id(t),
                s(t, "comment"),
                s(t, "result"),
            ));
        }
    }

    fn fail(&mut self, msg: String) {
        self.failures.push(format!("{}: {msg}", self.file));
    }

    fn count(&self, result: &str) -> usize {
        self.by_result.get(result).copied().unwrap_or(0)
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} of {} case(s) failed in {}:\n  {}",
            self.failures.len(),
            self.run,
            self.file,
            self.failures.join("\n  ")
        );
    }
}

/// The verifier policy of the test configuration (ES256, EdDSA, Ed25519; no `typ` rule: the
/// vectors are bare JWS, not access tokens).
fn verify_jws(token: &[u8], keys: &[Jwk]) -> Result<([u8; 32], Vec<u8>), Error> {
    let cfg = fapi_tests::config();
    let params = VerifyParams {
        max_token_len: cfg.max_token_len(),
        header_limits: cfg.header_limits(),
        allowed: cfg.algs(),
        typ: None,
    };
    let mut header_buf = vec![0u8; cfg.header_limits().max_len];
    let mut sig_buf = [0u8; jws::MAX_SIGNATURE_LEN];
    let v = jws::verify(
        token,
        keys,
        &params,
        &mut header_buf,
        &mut sig_buf,
        cfg.claims_limits().max_len,
    )?;
    Ok((*v.key_thumbprint(), v.payload_b64().to_vec()))
}

fn verdict_of(token: &str, keys: &[Jwk]) -> Verdict {
    verify_jws(token.as_bytes(), keys).map(|_| ())
}

/// Members only private or symmetric keys carry (RFC 7518 §6, RFC 8037).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn strip_private(key: &Value) -> Value {
    let mut k = key.clone();
    let obj = k.as_object_mut().expect("JWK object");
    for m in PRIVATE_MEMBERS {
        obj.remove(m);
    }
    k
}

fn load_set(jwks: &Value) -> (KeySet<16>, Result<LoadReport, Error>) {
    let mut set = KeySet::<16>::new();
    let text = jwks.to_string();
    let r = set.load(text.as_bytes(), &JWKS_LIMITS);
    (set, r)
}

fn loaded(n: usize, skipped: usize) -> Result<LoadReport, Error> {
    Ok(LoadReport { loaded: n, skipped })
}

fn unusable() -> Result<LoadReport, Error> {
    Err(Error::Jwk(JwkError::NoUsableKeys))
}

// ---------------------------------------------------------------------------------------------
// Wycheproof: ECDSA P-256 / SHA-256, P1363 signatures (the JWS ES256 form)

/// A Wycheproof BigInt coordinate (big-endian two's complement, maybe with a leading `00`, maybe
/// shorter than 32 octets) as the 32 octets a JWK carries.
fn coordinate(hex_text: &str) -> [u8; 32] {
    let mut b = hex(hex_text);
    while b.len() > 32 && b[0] == 0 {
        b.remove(0);
    }
    assert!(
        b.len() <= 32,
        "coordinate longer than 32 octets: {hex_text}"
    );
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    out
}

#[test]
fn wycheproof_ecdsa_p256_sha256_p1363() {
    let file = vector_file("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    let mut tally = Tally::new("ecdsa_secp256r1_sha256_p1363_test.json");
    let (mut groups, mut with_jwk) = (0, 0);
    for g in arr(&file, "testGroups") {
        groups += 1;
        let pk = &g["publicKey"];
        assert_eq!(s(pk, "curve"), "secp256r1");
        assert_eq!(s(g, "sha"), "SHA-256");
        let (x, y) = (coordinate(s(pk, "wx")), coordinate(s(pk, "wy")));
        assert_eq!(
            hex(s(pk, "uncompressed")),
            [&[4u8][..], &x, &y].concat(),
            "wx/wy vs uncompressed, group of tcId {}",
            tc_id(&g["tests"][0])
        );
        let (xb, yb) = (b64u(&x), b64u(&y));
        // Cross-check the conversion against the file's own JWK where it has one.
        if let Some(j) = g.get("publicKeyJwk") {
            with_jwk += 1;
            assert_eq!((s(j, "x"), s(j, "y")), (xb.as_str(), yb.as_str()));
        }
        let text = json!({"kty": "EC", "crv": "P-256", "x": xb, "y": yb}).to_string();
        let key = match jwk::parse_jwk_json(text.as_bytes(), &JsonLimits::DEFAULT) {
            Ok(k) => k,
            Err(e) => {
                // No group's key is refused today; if one ever is, none of its tests may be
                // upstream-valid (that would be an undocumented deviation).
                for t in arr(g, "tests") {
                    tally.check(t, Err(e), Err(e));
                    if s(t, "result") == "valid" {
                        tally.fail(format!("tcId {}: key refused with {e:?}", tc_id(t)));
                    }
                }
                continue;
            }
        };
        for t in arr(g, "tests") {
            let (msg, sig) = (hex(s(t, "msg")), hex(s(t, "sig")));
            let got = jws::verify_signature(&key, Alg::Es256, &msg, &sig);
            let want = match s(t, "result") {
                "valid" => OK,
                // Every signature-equation failure is the one opaque code, whatever the defect
                // (wrong length, r or s out of range, r + n, point at infinity, ...).
                "invalid" => jws_err(JwsError::BadSignature),
                other => panic!("tcId {}: unexpected result {other}", tc_id(t)),
            };
            tally.check(t, got, want);
        }
    }
    assert_eq!(groups, 112);
    assert_eq!(with_jwk, 103);
    assert_eq!(tally.run, 262);
    assert_eq!(tally.run as u64, file["numberOfTests"].as_u64().unwrap());
    assert_eq!((tally.count("valid"), tally.count("invalid")), (173, 89));
    assert_eq!(tally.count("acceptable"), 0);
    tally.finish();
}

// ---------------------------------------------------------------------------------------------
// Wycheproof: Ed25519

#[test]
fn wycheproof_ed25519() {
    let file = vector_file("wycheproof/ed25519_test.json");
    let mut tally = Tally::new("ed25519_test.json");
    let mut groups = 0;
    for g in arr(&file, "testGroups") {
        groups += 1;
        let pk = hex(s(&g["publicKey"], "pk"));
        assert_eq!(pk.len(), 32);
        let x = b64u(&pk);
        assert_eq!(s(&g["publicKeyJwk"], "x"), x, "file's own JWK");
        let text = json!({"kty": "OKP", "crv": "Ed25519", "x": x}).to_string();
        let key = match jwk::parse_jwk_json(text.as_bytes(), &JsonLimits::DEFAULT) {
            Ok(k) => k,
            Err(e) => {
                for t in arr(g, "tests") {
                    tally.check(t, Err(e), Err(e));
                    if s(t, "result") == "valid" {
                        tally.fail(format!("tcId {}: key refused with {e:?}", tc_id(t)));
                    }
                }
                continue;
            }
        };
        for t in arr(g, "tests") {
            let (msg, sig) = (hex(s(t, "msg")), hex(s(t, "sig")));
            let want = match s(t, "result") {
                "valid" => OK,
                "invalid" => jws_err(JwsError::BadSignature),
                other => panic!("tcId {}: unexpected result {other}", tc_id(t)),
            };
            // `EdDSA` (RFC 8037) and `Ed25519` (RFC 9864) are the same algorithm for this key.
            let got = jws::verify_signature(&key, Alg::EdDsa, &msg, &sig);
            let got_fs = jws::verify_signature(&key, Alg::Ed25519, &msg, &sig);
            if got != got_fs {
                tally.fail(format!(
                    "tcId {}: EdDSA {got:?} but Ed25519 {got_fs:?}",
                    tc_id(t)
                ));
            }
            tally.check(t, got, want);
        }
    }
    assert_eq!(groups, 78);
    assert_eq!(tally.run, 151);
    assert_eq!(tally.run as u64, file["numberOfTests"].as_u64().unwrap());
    assert_eq!((tally.count("valid"), tally.count("invalid")), (88, 63));
    assert_eq!(tally.count("acceptable"), 0);
    tally.finish();
}

// ---------------------------------------------------------------------------------------------
// Wycheproof: whole JWS (json_web_signature_test.json)

/// fapi's exact verdict for every tcId of `json_web_signature_test.json`.
///
/// Codes seen, by group (first–last tcId):
/// - hs256 (1–17): AlgSymmetric, Segments, Json Syntax (empty header), AlgNone.
/// - es256 (18–32): Ok (18), BadSignature, SignatureLength (empty signature), Segments,
///   UnknownKid (modified `kid`), Json Syntax, AlgSymmetric (key-confusion 31).
/// - rs256 (33–258), rs256 (259–263): AlgNotAllowed (RS256 is not in this suite's allowlist —
///   `rsa_jws.rs` verifies these groups with RSA allowed; the allowlist is checked before key selection, so the modified `kid` of
///   tcId 40 is never looked up), plus the structural Segments / Json Syntax cases of hs256.
/// - rs384, rs512, ps384, ps512, ES512: AlgUnknown; ps256: AlgNotAllowed; `none`/`NONE`
///   (341–344): AlgNone.
/// - rfc7520*: AlgNotAllowed (RS256), AlgUnknown (PS384, ES512), AlgSymmetric (HS256).
/// - encryption keys (353–356): AlgNotAllowed (RSA), UnknownKid (EC key skipped as `enc`).
/// - base64 (357–377): AlgSymmetric, HeaderEncoding (365, 366, 372).
/// - SpecialCaseEs256 (378–401): Ok (378), SignatureLength, BadSignature.
fn jws_file_expected(tc: u64) -> Verdict {
    use JwsError::*;
    match tc {
        // hs256: HMAC is refused from the header, whatever else is wrong later.
        1..=3 | 5 | 6 | 8 => jws_err(AlgSymmetric),
        4 | 7 | 10 | 12..=15 | 17 => jws_err(Segments),
        9 | 11 => json_err(JsonError::Syntax),
        16 => jws_err(AlgNone),
        // es256
        18 => OK,
        19 | 22 | 23 | 32 => jws_err(BadSignature),
        20 => jws_err(SignatureLength),
        21 | 24 | 27 | 29 | 30 => jws_err(Segments),
        25 => jwk_err(JwkError::UnknownKid),
        26 | 28 => json_err(JsonError::Syntax),
        31 => jws_err(AlgSymmetric),
        // rs256 (same structural cases as hs256 at 36..45)
        36 | 39 | 42 | 44 | 45 => jws_err(Segments),
        41 | 43 => json_err(JsonError::Syntax),
        33..=263 => jws_err(AlgNotAllowed),
        // rs384, rs512
        264..=271 => jws_err(AlgUnknown),
        // ps256
        272..=319 => jws_err(AlgNotAllowed),
        // ps384
        320..=324 => jws_err(AlgUnknown),
        // ps512 incl. WrongPrimitive headers: RS256 and PS256 are known, the rest unknown.
        332 | 338 => jws_err(AlgNotAllowed),
        325..=340 => jws_err(AlgUnknown),
        341..=344 => jws_err(AlgNone),
        // rfc7520 and rfc7520WithKeyOps
        345 | 349 => jws_err(AlgNotAllowed),
        346 | 347 | 350 | 351 => jws_err(AlgUnknown),
        348 | 352 => jws_err(AlgSymmetric),
        // keys for encryption: RSA tokens stop at the allowlist, EC keys are skipped on load.
        353 | 355 => jws_err(AlgNotAllowed),
        354 | 356 => jwk_err(JwkError::UnknownKid),
        // base64 (HS256): only a malformed header is seen before the HMAC refusal.
        365 | 366 | 372 => jws_err(HeaderEncoding),
        357..=377 => jws_err(AlgSymmetric),
        // SpecialCaseEs256
        378 => OK,
        379..=385 => jws_err(SignatureLength),
        386..=401 => jws_err(BadSignature),
        _ => panic!("tcId {tc} has no expectation"),
    }
}

/// Upstream-`valid` cases fapi refuses, each listed (with its reason) in
/// `vectors/README.md`, "Deviations from upstream".
const JWS_FILE_DEVIATIONS: &[u64] = &[
    // HMAC is never accepted for access tokens.
    1, 348, 352, 357, 358, 359, 372, 373, 376, 377,
    // RS256 / PS256: not in this suite's allowlist (verified in rsa_jws.rs).
    33, 259, 260, 261, 262, 263, 272, 273, 274, 275, 287, 288, 345, 349,
    // RS384, RS512, PS384, PS512, ES512: not fapi algorithms (FAPI 2.0 allows PS256, ES256,
    // EdDSA); always refused.
    264, 265, 266, 267, 268, 269, 270, 271, 320, 321, 322, 323, 325, 326, 327, 328, 346, 347, 350,
    351,
];

#[test]
fn wycheproof_json_web_signature() {
    let file = vector_file("wycheproof/json_web_signature_test.json");
    let mut tally = Tally::new("json_web_signature_test.json");
    let mut deviations = BTreeSet::new();
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut groups = 0;
    for g in arr(&file, "testGroups") {
        groups += 1;
        let first = tc_id(&g["tests"][0]);
        // The group's public JWK; HMAC groups have only `private`, so strip it.
        let key = g
            .get("public")
            .cloned()
            .unwrap_or_else(|| strip_private(&g["private"]));
        let (set, load) = load_set(&json!({ "keys": [key] }));
        let want_load = match first {
            // ES256 signing keys.
            18 | 378 => loaded(1, 0),
            // RSA signing keys (RS256, PS256, and the PS256-labelled keys of the PS384 groups)
            // load; this suite's allowlist has no RSA algorithm, so their tokens stop there
            // (tests/tests/rsa_jws.rs verifies them with RS256/PS256 allowed).
            33 | 259 | 272 | 345 | 346 | 349 | 350 => loaded(1, 0),
            // Everything else is skipped: oct (HMAC), P-521, and the keys for encryption
            // (`use: enc`, `key_ops: [encrypt]`).
            _ => unusable(),
        };
        if load != want_load {
            tally.fail(format!(
                "group {} (tcId {first}): load {load:?}, want {want_load:?}",
                s(g, "comment")
            ));
        }
        for t in arr(g, "tests") {
            let tc = tc_id(t);
            let got = verdict_of(s(t, "jws"), set.keys());
            if (got == OK) != (s(t, "result") == "valid") {
                deviations.insert(tc);
            }
            if let Err(e) = got {
                codes
                    .entry(s(g, "comment").to_owned())
                    .or_default()
                    .insert(e.name().to_owned());
            }
            tally.check(t, got, jws_file_expected(tc));
        }
    }
    assert_eq!(groups, 23);
    assert_eq!(tally.run, 401);
    assert_eq!(tally.run as u64, file["numberOfTests"].as_u64().unwrap());
    assert_eq!((tally.count("valid"), tally.count("invalid")), (46, 355));
    let listed: BTreeSet<u64> = JWS_FILE_DEVIATIONS.iter().copied().collect();
    assert_eq!(listed.len(), JWS_FILE_DEVIATIONS.len(), "duplicate in list");
    assert_eq!(
        deviations, listed,
        "verdicts that differ from upstream must be exactly the documented ones"
    );
    // Only upstream-valid cases may differ: nothing upstream-invalid is ever accepted.
    assert_eq!(deviations.len(), 44);
    // Distinct error names per group, for the README's record (visible with --nocapture).
    for (group, names) in &codes {
        println!("{group}: {names:?}");
    }
    tally.finish();
}

// ---------------------------------------------------------------------------------------------
// Wycheproof's `base64` group (tcId 357–377) is HS256-only. Its encoding cases are recreated
// under ES256: each malformed token is *signed over its malformed text*, so a lenient decoder
// that accepted the encoding would also accept the signature, and only the encoding check can
// refuse it.

const BASE64_KID: &str = "es256-key";

fn es256_fixture() -> (Signer, KeySet<16>) {
    let signer = Signer::es256(1);
    let jwks = json!({ "keys": [signer.jwk_with_kid(BASE64_KID)] });
    let (set, r) = load_set(&jwks);
    assert_eq!(r, loaded(1, 0));
    (signer, set)
}

/// `h.p.sig` where `sig` signs exactly the text `h.p`.
fn signed(signer: &Signer, h: &str, p: &str) -> String {
    let input = format!("{h}.{p}");
    format!("{input}.{}", b64u(&signer.sign(input.as_bytes())))
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Sets the lowest unused bit of the last character: the same octets for a lenient decoder,
/// but not the canonical encoding (RFC 4648 §3.5, RFC 7515 §2).
fn with_unused_bits(seg: &str) -> String {
    assert_ne!(seg.len() % 4, 0, "{seg}: no unused bits");
    let (head, last) = seg.split_at(seg.len() - 1);
    let v = B64URL
        .iter()
        .position(|&c| c == last.as_bytes()[0])
        .unwrap();
    let out = format!("{head}{}", B64URL[v | 1] as char);
    assert_ne!(out, seg);
    out
}

/// `seg` with `=` padding to a multiple of four (must add at least one `=`).
fn padded(seg: &str) -> String {
    let n = (4 - seg.len() % 4) % 4;
    assert!(n > 0, "{seg}: needs no padding");
    format!("{seg}{}", "=".repeat(n))
}

/// `seg` in the standard alphabet (`-` → `+`, `_` → `/`); must change something.
fn standard_alphabet(seg: &str) -> String {
    let out = seg.replace('-', "+").replace('_', "/");
    assert_ne!(out, seg, "{seg}: has no - or _");
    out
}

#[test]
fn wycheproof_jws_base64_group_recreated_under_es256() {
    use JwsError::*;
    let (signer, set) = es256_fixture();
    let hdr = r#"{"kid":"es256-key","alg":"ES256"}"#;
    // 34 octets: its encoding has unused bits and needs padding.
    let hdr_pad = r#"{"kid":"es256-key","alg":"ES256" }"#;
    let h = b64u(hdr.as_bytes());
    let hp = b64u(hdr_pad.as_bytes());
    let p = b64u(b"Test");
    assert_eq!(p, "VGVzdA");
    let good = signed(&signer, &h, &p);
    let (input, sig) = good.rsplit_once('.').unwrap();
    assert_eq!(sig.len(), 86);

    // A header, a payload and a signature whose encodings contain `-` or `_`. In ASCII text
    // only '>', '?', '~' (or DEL) at an offset of 2 mod 3 encode to `-`/`_`, so three '?' in
    // a row do.
    // Signatures are deterministic (RFC 6979): the bounded search ends at the same place
    // every run (about one signature in 15 has neither character).
    let h_dash = b64u(br#"{"kid":"es256-key","alg":"ES256","n":"???"}"#);
    assert!(h_dash.contains(['-', '_']), "{h_dash}");
    let p_dash = b64u(&[0xfb, 0xff, 0xbf]);
    assert_eq!(p_dash, "-_-_");
    let sig_dash = (0..64)
        .map(|i| signed(&signer, &h, &b64u(format!("Test{i}").as_bytes())))
        .find(|t| t.rsplit_once('.').unwrap().1.contains(['-', '_']))
        .expect("a signature with - or _ among 64");
    let (sig_dash_input, sig_dash_sig) = sig_dash.rsplit_once('.').unwrap();

    let cases: Vec<(&str, String, Verdict)> = vec![
        // -- Upstream cases, in tcId order.
        ("357 ValidMac", good.clone(), OK),
        (
            "360 spaces before signature",
            format!("{input}.    {sig}"),
            jws_err(SignatureEncoding),
        ),
        (
            "361 '?' before signature",
            format!("{input}.?{sig}"),
            jws_err(SignatureEncoding),
        ),
        (
            "362 '?' after signature",
            format!("{input}.{sig}?"),
            jws_err(SignatureEncoding),
        ),
        (
            "363 first signature character replaced by '?'",
            format!("{input}.?{}", &sig[1..]),
            jws_err(SignatureEncoding),
        ),
        (
            "364 first four signature characters replaced by '????'",
            format!("{input}.????{}", &sig[4..]),
            jws_err(SignatureEncoding),
        ),
        (
            "365 spaces after header",
            signed(&signer, &format!("{h}    "), &p),
            jws_err(HeaderEncoding),
        ),
        (
            "366 '####' after header",
            signed(&signer, &format!("{h}####"), &p),
            jws_err(HeaderEncoding),
        ),
        (
            "367 control: unpadded 34-octet header",
            signed(&signer, &hp, &p),
            OK,
        ),
        (
            "367 '=' padding on header",
            signed(&signer, &padded(&hp), &p),
            jws_err(HeaderEncoding),
        ),
        (
            "368 spaces before payload",
            signed(&signer, &h, &format!("    {p}")),
            jws_err(PayloadEncoding),
        ),
        (
            "369 '####' before payload",
            signed(&signer, &h, &format!("####{p}")),
            jws_err(PayloadEncoding),
        ),
        (
            "370 '=' padding on payload",
            signed(&signer, &h, &padded(&p)),
            jws_err(PayloadEncoding),
        ),
        (
            "371 '?' before payload",
            signed(&signer, &h, &format!("?{p}")),
            jws_err(PayloadEncoding),
        ),
        // Upstream `valid` (their decoder skips the '?'); fapi accepts only the base64url
        // alphabet (RFC 7515 §2, §7.1). Listed as deviations in the README.
        (
            "372 '?' inserted before the last header character",
            signed(
                &signer,
                &format!("{}?{}", &h[..h.len() - 1], &h[h.len() - 1..]),
                &p,
            ),
            jws_err(HeaderEncoding),
        ),
        (
            "373 '?' after payload",
            signed(&signer, &h, &format!("{p}?")),
            jws_err(PayloadEncoding),
        ),
        // 374/375 (unused bits in the payload) are `jws_verify_refuses_unused_bits_in_payload`.
        (
            "376 spaces in the header JSON",
            signed(
                &signer,
                &b64u(br#"{ "kid" : "es256-key", "alg" : "ES256" }"#),
                &p,
            ),
            OK,
        ),
        (
            "377 newline and tab in the header JSON",
            signed(
                &signer,
                &b64u(b"{\"kid\":\"es256-key\",\n\t\"alg\":\"ES256\"}"),
                &p,
            ),
            OK,
        ),
        // -- Further canonical-encoding cases the brief asks for.
        (
            "unused bits in header",
            signed(&signer, &with_unused_bits(&hp), &p),
            jws_err(HeaderEncoding),
        ),
        (
            "unused bits in signature",
            format!("{input}.{}", with_unused_bits(sig)),
            jws_err(SignatureEncoding),
        ),
        (
            "'=' padding on signature",
            format!("{input}.{}", padded(sig)),
            jws_err(SignatureEncoding),
        ),
        (
            "control: header encoding with - or _",
            signed(&signer, &h_dash, &p),
            OK,
        ),
        (
            "standard base64 (+ /) in header",
            signed(&signer, &standard_alphabet(&h_dash), &p),
            jws_err(HeaderEncoding),
        ),
        ("control: payload -_-_", signed(&signer, &h, &p_dash), OK),
        (
            "standard base64 (+ /) in payload",
            signed(&signer, &h, &standard_alphabet(&p_dash)),
            jws_err(PayloadEncoding),
        ),
        ("control: signature with - or _", sig_dash.clone(), OK),
        (
            "standard base64 (+ /) in signature",
            format!("{sig_dash_input}.{}", standard_alphabet(sig_dash_sig)),
            jws_err(SignatureEncoding),
        ),
        (
            "signature one character short (impossible length)",
            format!("{input}.{}", &sig[..85]),
            jws_err(SignatureEncoding),
        ),
        (
            "signature two characters short (63 octets)",
            format!("{input}.{}", &sig[..84]),
            jws_err(SignatureLength),
        ),
        (
            "signature one character long (65 octets)",
            format!("{input}.{sig}A"),
            jws_err(SignatureLength),
        ),
        (
            "empty signature",
            format!("{input}."),
            jws_err(SignatureLength),
        ),
        ("no signature segment", input.to_owned(), jws_err(Segments)),
        ("fourth segment", format!("{good}.{sig}"), jws_err(Segments)),
        ("trailing dot", format!("{good}."), jws_err(Segments)),
    ];
    let mut failures = Vec::new();
    for (label, token, want) in &cases {
        let got = verdict_of(token, set.keys());
        if got != *want {
            failures.push(format!("{label}: got {got:?}, want {want:?} ({token})"));
        }
    }
    assert_eq!(cases.len(), 34);
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );

    // Whatever `jws::verify` lets through, the access-token pipeline decodes the claims
    // canonically: unused bits in a signed claims segment refuse the token.
    let mut claims = fapi_tests::good_claims().to_string();
    while claims.len().is_multiple_of(3) {
        claims.push(' ');
    }
    let header = fapi_tests::header(&signer, BASE64_KID);
    let h_at = b64u(header.as_bytes());
    let c_at = b64u(claims.as_bytes());
    let cfg = fapi_tests::config();
    let mut scratch: jwt::Scratch = jwt::Scratch::new();
    let ok = signed(&signer, &h_at, &c_at);
    let r = jwt::verify_access_token(
        &cfg,
        set.keys(),
        &mut scratch,
        ok.as_bytes(),
        fapi_tests::NOW,
    );
    assert!(r.is_ok(), "control access token: {:?}", r.err());
    let bad = signed(&signer, &h_at, &with_unused_bits(&c_at));
    let r = jwt::verify_access_token(
        &cfg,
        set.keys(),
        &mut scratch,
        bad.as_bytes(),
        fapi_tests::NOW,
    );
    assert_eq!(r.err(), Some(Error::Jws(PayloadEncoding)));
}

/// Wycheproof tcId 374 (`ModifiedUnusedBitsInPayload`) and 375
/// (`MacOfIncorrectlyEncodedMessage`), recreated under ES256. `jws::verify` promises a canonical
/// payload encoding before the signature check, so both must be `PayloadEncoding`.
#[test]
fn jws_verify_refuses_unused_bits_in_payload() {
    let (signer, set) = es256_fixture();
    let h = b64u(br#"{"kid":"es256-key","alg":"ES256"}"#);
    let p = b64u(b"Test");
    let p_bits = with_unused_bits(&p);
    assert_eq!(p_bits, "VGVzdB");
    // 374: signed over the canonical text, presented with unused bits set.
    let good = signed(&signer, &h, &p);
    let sig = good.rsplit_once('.').unwrap().1;
    let t374 = format!("{h}.{p_bits}.{sig}");
    // 375: signed over the non-canonical text itself.
    let t375 = signed(&signer, &h, &p_bits);
    let got = [verdict_of(&t374, set.keys()), verdict_of(&t375, set.keys())];
    assert_eq!(
        got,
        [
            jws_err(JwsError::PayloadEncoding),
            jws_err(JwsError::PayloadEncoding)
        ],
        "[374 analog, 375 analog]"
    );
}

// ---------------------------------------------------------------------------------------------
// Wycheproof: JWK sets (json_web_key_test.json)

/// Upstream-`valid` cases fapi refuses (see the README).
const JWK_FILE_DEVIATIONS: &[u64] = &[
    2, 13, 14, 15, // HMAC is never accepted
    5,  // RS256: not in this suite's allowlist (tests/tests/rsa_jws.rs accepts it)
];

#[test]
fn wycheproof_json_web_key() {
    use JwsError::*;
    let file = vector_file("wycheproof/json_web_key_test.json");
    let mut tally = Tally::new("json_web_key_test.json");
    let mut deviations = BTreeSet::new();
    let mut groups = 0;
    for g in arr(&file, "testGroups") {
        groups += 1;
        let keys: Vec<Value> = arr(&g["private"], "keys")
            .iter()
            .map(strip_private)
            .collect();
        let (set, load) = load_set(&json!({ "keys": keys }));
        for t in arr(g, "tests") {
            let tc = tc_id(t);
            // (load report, verdict) per tcId.
            let (want_load, want) = match tc {
                // HS256 + ES256 set: the oct key is skipped, the EC key loads; HS256 refused.
                1 => (loaded(1, 1), jws_err(AlgSymmetric)),
                // Sets of oct keys only (HS256/384/512, AES): nothing usable; HMAC refused.
                2..=4 | 10..=18 | 25 | 26 => (unusable(), jws_err(AlgSymmetric)),
                // RSA keys load (or are refused on their own merits); RS256 is not in this
                // suite's allowlist (tests/tests/rsa_jws.rs allows it).
                5 | 7 => (loaded(1, 0), jws_err(AlgNotAllowed)),
                // `use: enc`, alg RSA1_5: skipped.
                6 => (unusable(), jws_err(AlgNotAllowed)),
                // 1024-bit modulus; e = 1: the whole set is refused.
                8 => (
                    Err(Error::Jwk(JwkError::RsaModulusSize)),
                    jws_err(AlgNotAllowed),
                ),
                9 => (
                    Err(Error::Jwk(JwkError::RsaExponent)),
                    jws_err(AlgNotAllowed),
                ),
                // EC keys whose alg is not fapi's (ES521, ES224), `use: enc`, P-384 curve:
                // skipped, so the token's kid is unknown.
                19..=21 | 23 => (unusable(), jwk_err(JwkError::UnknownKid)),
                // EC members under `kty: RSA` (no n, e): malformed, the set is refused.
                24 => (
                    Err(Error::Jwk(JwkError::KeyMalformed)),
                    jwk_err(JwkError::UnknownKid),
                ),
                // Not a point on P-256: the whole set is refused.
                22 => (
                    Err(Error::Jwk(JwkError::EcPointInvalid)),
                    jwk_err(JwkError::UnknownKid),
                ),
                _ => panic!("tcId {tc} has no expectation"),
            };
            if load != want_load {
                tally.fail(format!("tcId {tc}: load {load:?}, want {want_load:?}"));
            }
            let got = verdict_of(s(t, "jws"), set.keys());
            if (got == OK) != (s(t, "result") == "valid") {
                deviations.insert(tc);
            }
            tally.check(t, got, want);
        }
    }
    assert_eq!(groups, 25);
    assert_eq!(tally.run, 26);
    assert_eq!(tally.run as u64, file["numberOfTests"].as_u64().unwrap());
    assert_eq!((tally.count("valid"), tally.count("invalid")), (5, 21));
    let listed: BTreeSet<u64> = JWK_FILE_DEVIATIONS.iter().copied().collect();
    assert_eq!(deviations, listed, "undocumented deviations");
    tally.finish();
}

/// Loading the *private* sets as published is refused outright: a JWKS with private members is
/// a configuration error, never silently stripped.
#[test]
fn wycheproof_json_web_key_private_sets_refused() {
    let file = vector_file("wycheproof/json_web_key_test.json");
    let mut n = 0;
    for g in arr(&file, "testGroups") {
        let (set, r) = load_set(&g["private"]);
        let tc = tc_id(&g["tests"][0]);
        assert_eq!(
            r,
            Err(Error::Jwk(JwkError::KeyPrivate)),
            "group of tcId {tc}"
        );
        assert!(set.keys().is_empty());
        n += 1;
    }
    assert_eq!(n, 25);
}

// ---------------------------------------------------------------------------------------------
// RFC 7515 Appendix A.3 (ES256)

fn parse_jwk_value(v: &Value) -> Result<Jwk, Error> {
    jwk::parse_jwk_json(v.to_string().as_bytes(), &JsonLimits::DEFAULT)
}

#[test]
fn rfc7515_a3_es256() {
    let file = vector_file("rfc/rfc7515_a3_es256.json");
    let v = arr(&file, "vectors");
    assert_eq!(v.len(), 3);
    let ids: Vec<&str> = v.iter().map(|x| s(x, "id")).collect();
    assert_eq!(
        ids,
        [
            "rfc7515-a3-es256",
            "rfc7515-a3-es256-der-signature (derived)",
            "rfc7515-a3-es256-tampered-payload (derived)"
        ]
    );
    let key = parse_jwk_value(&v[0]["jwk_public"]).unwrap();
    assert_eq!(
        parse_jwk_value(&v[0]["jwk_private"]),
        Err(Error::Jwk(JwkError::KeyPrivate))
    );
    for x in v {
        assert_eq!(
            parse_jwk_value(&x["jwk_public"]).unwrap(),
            key,
            "{}",
            s(x, "id")
        );
    }
    let keys = [key];

    // A.3: valid, through the whole JWS path and at the primitive.
    let a3 = &v[0];
    let token = s(a3, "jws_compact");
    assert_eq!(
        token,
        format!("{}.{}", s(a3, "signing_input"), s(a3, "signature_b64u"))
    );
    let rs = [hex(s(a3, "signature_r_hex")), hex(s(a3, "signature_s_hex"))].concat();
    assert_eq!(rs, b64u_decode(s(a3, "signature_b64u")));
    assert_eq!(
        jws::verify_signature(&key, Alg::Es256, s(a3, "signing_input").as_bytes(), &rs),
        OK
    );
    let (thumb, payload_b64) = verify_jws(token.as_bytes(), &keys).unwrap();
    assert_eq!(payload_b64, s(a3, "payload_b64u").as_bytes());
    assert_eq!(
        b64u_decode(s(a3, "payload_b64u")),
        s(a3, "payload_utf8").as_bytes()
    );
    // Derived thumbprint of this key, from rfc7638_jwk_thumbprints.json.
    assert_eq!(b64u(&thumb), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");

    // The same (R, S) as DER: the wrong length for ES256 in a JWS, and no signature at the
    // primitive (which takes only r ‖ s).
    let der = &v[1];
    let der_sig = hex(s(der, "signature_der_hex"));
    assert_eq!(der_sig.len(), 71);
    assert_eq!(
        b64u_decode(s(der, "jws_compact").rsplit_once('.').unwrap().1),
        der_sig
    );
    assert_eq!(
        verdict_of(s(der, "jws_compact"), &keys),
        jws_err(JwsError::SignatureLength)
    );
    assert_eq!(
        jws::verify_signature(
            &key,
            Alg::Es256,
            s(a3, "signing_input").as_bytes(),
            &der_sig
        ),
        jws_err(JwsError::BadSignature)
    );

    // Tampered payload ("joe" → "eve"), signature unchanged.
    assert_eq!(
        verdict_of(s(&v[2], "jws_compact"), &keys),
        jws_err(JwsError::BadSignature)
    );
    for x in v {
        assert_eq!(
            x["expected"]["signature_valid"].as_bool(),
            Some(x == a3),
            "{}",
            s(x, "id")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 8037 Appendix A (Ed25519)

#[test]
fn rfc8037_appendix_a_ed25519() {
    let file = vector_file("rfc/rfc8037_appendix_a_ed25519.json");
    let v: BTreeMap<&str, &Value> = arr(&file, "vectors")
        .iter()
        .map(|x| (s(x, "id"), x))
        .collect();
    assert_eq!(v.len(), 5);
    let keys_v = v["rfc8037-a1-a2-keys"];
    let key = parse_jwk_value(&keys_v["jwk_public"]).unwrap();
    assert_eq!(
        parse_jwk_value(&keys_v["jwk_private"]),
        Err(Error::Jwk(JwkError::KeyPrivate))
    );
    let pk = hex(s(keys_v, "public_key_hex"));
    assert_eq!(
        key.material(),
        &jwk::KeyMaterial::Ed25519(pk.clone().try_into().unwrap())
    );
    // A.1: the private key derives the public key.
    let d: [u8; 32] = hex(s(keys_v, "private_key_hex")).try_into().unwrap();
    assert_eq!(b64u_decode(s(&keys_v["jwk_private"], "d")), d);
    let sk = ed25519_dalek::SigningKey::from_bytes(&d);
    assert_eq!(sk.verifying_key().as_bytes(), &pk[..]);

    // A.3: thumbprint.
    let tp = v["rfc8037-a3-thumbprint"];
    assert_eq!(
        b64u(key.thumbprint()),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        b64u(key.thumbprint()),
        s(&tp["expected"], "jwk_thumbprint_sha256")
    );
    assert_eq!(
        key.thumbprint().to_vec(),
        hex(s(tp, "thumbprint_sha256_hex"))
    );
    assert_eq!(parse_jwk_value(&tp["jwk"]).unwrap(), key);

    let keys = [key];
    // A.4/A.5 (`EdDSA`) and the RFC 9864 `Ed25519` variant: valid; deterministic re-signing
    // reproduces both signatures.
    for id in [
        "rfc8037-a4-a5-eddsa-jws",
        "rfc8037-key-alg-Ed25519 (derived, RFC 9864)",
    ] {
        let x = v[id];
        let token = s(x, "jws_compact");
        let input = s(x, "signing_input");
        assert_eq!(token, format!("{input}.{}", s(x, "signature_b64u")), "{id}");
        use ed25519_dalek::Signer as _;
        assert_eq!(
            b64u(&sk.sign(input.as_bytes()).to_bytes()),
            s(x, "signature_b64u"),
            "{id}: re-signing"
        );
        let (thumb, _) =
            verify_jws(token.as_bytes(), &keys).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert_eq!(&thumb, keys[0].thumbprint());
        assert_eq!(x["expected"]["signature_valid"].as_bool(), Some(true));
    }
    assert_eq!(
        s(v["rfc8037-a4-a5-eddsa-jws"], "protected_header_json"),
        r#"{"alg":"EdDSA"}"#
    );
    assert_eq!(
        s(
            v["rfc8037-key-alg-Ed25519 (derived, RFC 9864)"],
            "protected_header_json"
        ),
        r#"{"alg":"Ed25519"}"#
    );

    // Tampered payload.
    let bad = v["rfc8037-a4-tampered-payload (derived)"];
    assert_eq!(bad["expected"]["signature_valid"].as_bool(), Some(false));
    assert_eq!(
        verdict_of(s(bad, "jws_compact"), &keys),
        jws_err(JwsError::BadSignature)
    );
}

// ---------------------------------------------------------------------------------------------
// RFC 7638 thumbprints (RSA via thumbprint_rsa; EC and OKP via Jwk::thumbprint)

#[test]
fn rfc7638_jwk_thumbprints() {
    use sha2::{Digest, Sha256};
    let file = vector_file("rfc/rfc7638_jwk_thumbprints.json");
    let mut by_kty: BTreeMap<String, usize> = BTreeMap::new();
    for x in arr(&file, "vectors") {
        let id = s(x, "id");
        let j = &x["jwk"];
        let want = s(&x["expected"], "jwk_thumbprint_sha256_b64u");
        // The file's own canonical input hashes to the expected value.
        assert_eq!(
            b64u(&Sha256::digest(s(x, "thumbprint_input_json").as_bytes())),
            want,
            "{id}: file consistency"
        );
        let got: [u8; 32] = match s(j, "kty") {
            "RSA" => {
                let (n, e) = (b64u_decode(s(j, "n")), b64u_decode(s(j, "e")));
                assert_ne!(n[0], 0, "{id}: n has no leading zero octet");
                let k = parse_jwk_value(j).unwrap_or_else(|e| panic!("{id}: {e:?}"));
                assert_eq!(jwk::thumbprint_rsa(&n, &e), *k.thumbprint());
                *k.thumbprint()
            }
            "EC" | "OKP" => {
                let k = parse_jwk_value(j).unwrap_or_else(|e| panic!("{id}: {e:?}"));
                assert_eq!(jwk::thumbprint(k.material()), *k.thumbprint());
                *k.thumbprint()
            }
            other => panic!("{id}: kty {other}"),
        };
        assert_eq!(b64u(&got), want, "{id}");
        if let Some(octets) = x.get("thumbprint_sha256_octets") {
            let octets: Vec<u8> = octets
                .as_array()
                .unwrap()
                .iter()
                .map(|o| u8::try_from(o.as_u64().unwrap()).unwrap())
                .collect();
            assert_eq!(got.to_vec(), octets, "{id}: octets");
        }
        *by_kty.entry(s(j, "kty").to_owned()).or_default() += 1;
    }
    let counts: Vec<(&str, usize)> = by_kty.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(counts, [("EC", 2), ("OKP", 1), ("RSA", 2)]);
}
