//! The named attack cases: access-token verification, JWKS loading and configuration misuse.
//!
//! Every case has exactly one expected result — `Ok` or one exact [`Error`] — and builds its
//! own token (and, where it needs one, its JWKS, configuration or scratch). Each table runs
//! every case (a panic inside fapi-core is caught and reported as that case's result), collects
//! all mismatches and fails once, listing each failing case with expected and actual results.

use fapi_core::Error;
use fapi_core::config::Config;
use fapi_core::error::{CapacityError, ClaimsError, JsonError, JwkError, JwsError, MisuseError};
use fapi_core::json::{JsonLimits, MAX_DEPTH_CAP, MAX_MEMBERS_CAP};
use fapi_core::jwk::{JWKS_LIMITS, Jwk, KeySet, LoadReport, MAX_KID_LEN};
use fapi_core::jws::{Alg, AlgSet};
use fapi_core::jwt::{self, Scratch};
use fapi_core::keytables::{self, TableConfig, Warm};
use fapi_core::time::MAX_NUMERIC_DATE;
use fapi_tests::cases::{
    ED25519_L, P256_N, add_member, attacker_ed, attacker_es, be_sub, big_token, claims_text,
    claims_with, claims_without, der_sig, dirty_tail, ed, ed_token, ed2, es, es_hdr_token,
    es_token, es2, hdr, hdr_no_kid, hdr_with, hmac_token, le_add, nested, padded, partial_group,
    parts, segment_count_tokens, sig_of, sign_bytes, sign_segments, sized_hdr, to_std_alphabet,
    with_header_unsigned, with_payload_unsigned, with_sig, with_sig_text,
};
use fapi_tests::harness::{report, run_all};
use fapi_tests::{
    AUD, ISS, NOW, Signer, b64u, b64u_decode, config, good_claims, good_token, hex, jwks, sign_raw,
    table_words, test_table_config,
};

// ---------------------------------------------------------------------------------------------
// Expected results.

type Want = Result<(), Error>;

const OK: Want = Ok(());

fn jws(e: JwsError) -> Want {
    Err(Error::Jws(e))
}
fn json(e: JsonError) -> Want {
    Err(Error::Json(e))
}
fn jwk(e: JwkError) -> Want {
    Err(Error::Jwk(e))
}
fn claims(e: ClaimsError) -> Want {
    Err(Error::Claims(e))
}
fn misuse(e: MisuseError) -> Want {
    Err(Error::Misuse(e))
}

// ---------------------------------------------------------------------------------------------
// Keys, configurations and token text.

/// Claims scratch of the big-document cases.
const BIG_C: usize = 32 * 1024;

/// The default key set: the EC key as `ec1`, the Ed25519 key as `ed1`.
fn default_jwks() -> String {
    jwks(&[es().jwk_with_kid("ec1"), ed().jwk_with_kid("ed1")])
}

fn all_algs() -> AlgSet {
    AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519])
}

fn cfg_algs(algs: &[Alg]) -> Config<'static> {
    Config::builder(ISS, AUD, AlgSet::of(algs))
        .build()
        .expect("valid config")
}
fn cfg_leeway(seconds: u32) -> Config<'static> {
    Config::builder(ISS, AUD, all_algs())
        .leeway(seconds)
        .build()
        .expect("valid config")
}
fn cfg_plain_jwt() -> Config<'static> {
    Config::builder(ISS, AUD, all_algs())
        .allow_plain_jwt_typ(true)
        .build()
        .expect("valid config")
}
fn cfg_max_token(n: usize) -> Config<'static> {
    Config::builder(ISS, AUD, all_algs())
        .max_token_len(n)
        .build()
        .expect("valid config")
}
/// Claims depth at the hard cap, sizes raised to fit a 10,000-deep document.
fn cfg_deep() -> Config<'static> {
    Config::builder(ISS, AUD, all_algs())
        .max_token_len(64 * 1024)
        .claims_limits(JsonLimits {
            max_depth: MAX_DEPTH_CAP,
            max_members: MAX_MEMBERS_CAP,
            max_len: BIG_C,
        })
        .build()
        .expect("valid config")
}

// ---------------------------------------------------------------------------------------------
// Token cases.

#[derive(Copy, Clone, Debug)]
enum ScratchKind {
    /// `Scratch<1024, 6144>`.
    Default,
    /// `Scratch<512, 6144>`: smaller than the default header limit.
    Small,
    /// `Scratch<1024, BIG_C>`.
    Big,
}

struct Case {
    name: String,
    want: Want,
    token: String,
    jwks: String,
    cfg: Config<'static>,
    scratch: ScratchKind,
}

fn case(name: impl Into<String>, want: Want, token: String) -> Case {
    Case {
        name: name.into(),
        want,
        token,
        jwks: default_jwks(),
        cfg: config(),
        scratch: ScratchKind::Default,
    }
}

impl Case {
    fn jwks(mut self, jwks: String) -> Self {
        self.jwks = jwks;
        self
    }
    fn cfg(mut self, cfg: Config<'static>) -> Self {
        self.cfg = cfg;
        self
    }
    fn scratch(mut self, scratch: ScratchKind) -> Self {
        self.scratch = scratch;
        self
    }
}

fn run_case(c: &Case) -> Result<Want, String> {
    run_case_on(c, false)
}

/// With `tables`, the token is checked by [`jwt::verify_access_token_tables`] with a table in
/// place for every P-256 key of the case's set (hot-key slots, [`table_config`]).
fn run_case_on(c: &Case, tables: bool) -> Result<Want, String> {
    let mut keys = KeySet::<8>::new();
    keys.load(c.jwks.as_bytes(), &JWKS_LIMITS)
        .map_err(|e| format!("setup: JWKS load failed: {e:?}"))?;
    let t = tables.then(|| table_words(&table_config()));
    for (t, k) in t
        .iter()
        .flat_map(|t| keys.keys().iter().map(move |k| (t, k)))
    {
        if let Some(pk) = keytables::public_key(k)
            && !matches!(
                t.warm(k.thumbprint(), &pk, NOW),
                Warm::Built | Warm::Present
            )
        {
            return Err("setup: no table for a P-256 key".into());
        }
    }
    let token = c.token.as_bytes();
    macro_rules! verify {
        ($s:expr) => {
            match t {
                None => jwt::verify_access_token(&c.cfg, keys.keys(), $s, token, NOW).map(|_| ()),
                Some(t) => jwt::verify_access_token_tables(&c.cfg, keys.keys(), $s, token, NOW, t)
                    .map(|_| ()),
            }
        };
    }
    let got = match c.scratch {
        ScratchKind::Default => {
            let mut s: Scratch = Scratch::new();
            verify!(&mut s)
        }
        ScratchKind::Small => {
            let mut s: Scratch<512, 6144> = Scratch::new();
            verify!(&mut s)
        }
        ScratchKind::Big => {
            let mut s: Box<Scratch<1024, BIG_C>> = Box::default();
            verify!(&mut *s)
        }
    };
    Ok(got)
}

/// Tables for the token cases: a hot-key slot for each of up to 16 keys (two candidate slots
/// each, so 32 slots keep every key of a set of 8), small windows for debug builds.
fn table_config() -> TableConfig {
    TableConfig {
        hot_keys: 32,
        ..test_table_config()
    }
}

fn alg_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let claims = b64u(claims_text().as_bytes());
    for spelling in ["none", "None", "NONE", "nOnE"] {
        let h = b64u(hdr(spelling, "ec1").as_bytes());
        v.push(case(
            format!("alg {spelling:?}, empty signature"),
            jws(JwsError::AlgNone),
            format!("{h}.{claims}."),
        ));
    }
    v.push(case(
        "alg none with a real ES256 signature",
        jws(JwsError::AlgNone),
        es_hdr_token(&hdr("none", "ec1")),
    ));
    v.push(case(
        "alg none spelled with an escape (n\\u006fne)",
        jws(JwsError::AlgNone),
        es_hdr_token(&hdr("n\\u006fne", "ec1")),
    ));
    v.push(case(
        "alg missing",
        jws(JwsError::AlgMissing),
        es_hdr_token(r#"{"typ":"at+jwt","kid":"ec1"}"#),
    ));
    v.push(case(
        "alg only inside a nested object",
        jws(JwsError::AlgMissing),
        es_hdr_token(r#"{"x":{"alg":"ES256"},"typ":"at+jwt","kid":"ec1"}"#),
    ));
    v.push(case(
        "alg HS256 spelled with an escape (\\u0048S256)",
        jws(JwsError::AlgSymmetric),
        es_hdr_token(&hdr("\\u0048S256", "ec1")),
    ));
    for (what, raw) in [
        ("a number", "256"),
        ("null", "null"),
        ("an array", r#"["ES256"]"#),
        ("an object", r#"{"name":"ES256"}"#),
        ("a boolean", "true"),
    ] {
        v.push(case(
            format!("alg is {what}"),
            jws(JwsError::HeaderMemberType),
            es_hdr_token(&format!(r#"{{"alg":{raw},"typ":"at+jwt","kid":"ec1"}}"#)),
        ));
    }
    // HS256 "keyed with the public key": the classic RS/ES → HS confusion.
    let pub_jwk_text = es().jwk_with_kid("ec1").to_string();
    v.push(case(
        "HS256 HMAC'd with the public JWK text",
        jws(JwsError::AlgSymmetric),
        hmac_token(&hdr("HS256", "ec1"), pub_jwk_text.as_bytes()),
    ));
    let jwk = es().public_jwk();
    let mut point = vec![0x04];
    point.extend(b64u_decode(jwk["x"].as_str().expect("x")));
    point.extend(b64u_decode(jwk["y"].as_str().expect("y")));
    v.push(case(
        "HS256 HMAC'd with the SEC1 public point",
        jws(JwsError::AlgSymmetric),
        hmac_token(&hdr("HS256", "ec1"), &point),
    ));
    v.push(case(
        "HS256 without kid HMAC'd with the public JWK text",
        jws(JwsError::AlgSymmetric),
        hmac_token(&hdr_no_kid("HS256"), pub_jwk_text.as_bytes()),
    ));
    for alg in ["HS384", "HS512", "hs256"] {
        v.push(case(
            format!("alg {alg}"),
            jws(JwsError::AlgSymmetric),
            hmac_token(&hdr(alg, "ec1"), pub_jwk_text.as_bytes()),
        ));
    }
    v.push(case(
        "EdDSA header with the kid of the EC key",
        jwk_mismatch(),
        sign_raw(&ed(), &hdr("EdDSA", "ec1"), &claims_text()),
    ));
    v.push(case(
        "ES256 header with the kid of the Ed25519 key",
        jwk_mismatch(),
        sign_raw(&es(), &hdr("ES256", "ed1"), &claims_text()),
    ));
    v.push(case(
        "Ed25519 header with the kid of the EC key",
        jwk_mismatch(),
        sign_raw(&ed(), &hdr("Ed25519", "ec1"), &claims_text()),
    ));
    v.push(
        case(
            "EdDSA token, allowlist ES256 only",
            jws(JwsError::AlgNotAllowed),
            ed_token(&claims_text()),
        )
        .cfg(cfg_algs(&[Alg::Es256])),
    );
    v.push(
        case(
            "ES256 token, allowlist EdDSA only",
            jws(JwsError::AlgNotAllowed),
            es_token(&claims_text()),
        )
        .cfg(cfg_algs(&[Alg::EdDsa])),
    );
    v.push(
        case(
            "Ed25519 token, allowlist EdDSA only",
            jws(JwsError::AlgNotAllowed),
            sign_raw(&ed(), &hdr("Ed25519", "ed1"), &claims_text()),
        )
        .cfg(cfg_algs(&[Alg::EdDsa])),
    );
    v.push(
        case(
            "EdDSA token, allowlist Ed25519 only",
            jws(JwsError::AlgNotAllowed),
            ed_token(&claims_text()),
        )
        .cfg(cfg_algs(&[Alg::Ed25519])),
    );
    for alg in ["PS256", "RS256"] {
        v.push(case(
            format!("alg {alg} (known, never in this allowlist)"),
            jws(JwsError::AlgNotAllowed),
            es_hdr_token(&hdr(alg, "ec1")),
        ));
    }
    for alg in [
        "ES512",
        "ES384",
        "es256",
        "ES256 ",
        " ES256",
        "",
        "ES256K",
        "EDDSA",
        "RSA-OAEP",
        "ES256ES256ES256ES256ES256",
    ] {
        v.push(case(
            format!("alg {alg:?} unknown"),
            jws(JwsError::AlgUnknown),
            es_hdr_token(&hdr(alg, "ec1")),
        ));
    }
    v.push(case("ES256 good token", OK, good_token(&es(), "ec1")));
    v.push(case("EdDSA good token", OK, good_token(&ed(), "ed1")));
    v.push(case(
        "Ed25519 (RFC 9864 name) with an Ed25519 key",
        OK,
        sign_raw(&ed(), &hdr("Ed25519", "ed1"), &claims_text()),
    ));
    v.push(case(
        "alg spelled with escapes (ES\\u0032\\u00356) equals ES256",
        OK,
        es_hdr_token(&hdr("ES\\u0032\\u00356", "ec1")),
    ));
    v.push(case(
        "an ALG member besides alg is a different member",
        OK,
        es_hdr_token(&hdr_with("ES256", "ec1", r#""ALG":"none""#)),
    ));
    v
}

fn jwk_mismatch() -> Want {
    jwk(JwkError::AlgKeyMismatch)
}

fn key_selection_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let dup = jwks(&[es().jwk_with_kid("k"), ed().jwk_with_kid("k")]);
    v.push(case(
        "unknown kid",
        jwk(JwkError::UnknownKid),
        sign_raw(&es(), &hdr("ES256", "nope"), &claims_text()),
    ));
    v.push(case(
        "kid differs only in case",
        jwk(JwkError::UnknownKid),
        sign_raw(&es(), &hdr("ES256", "EC1"), &claims_text()),
    ));
    v.push(case(
        "kid with path traversal",
        jwk(JwkError::UnknownKid),
        sign_raw(&es(), &hdr("ES256", "../../ec1"), &claims_text()),
    ));
    v.push(case(
        "kid spelled with an escape (e\\u00631) matches ec1",
        OK,
        sign_raw(&es(), &hdr("ES256", "e\\u00631"), &claims_text()),
    ));
    v.push(case(
        "kid is a number",
        jws(JwsError::HeaderMemberType),
        es_hdr_token(r#"{"alg":"ES256","typ":"at+jwt","kid":1}"#),
    ));
    v.push(case(
        "kid is null",
        jws(JwsError::HeaderMemberType),
        es_hdr_token(r#"{"alg":"ES256","typ":"at+jwt","kid":null}"#),
    ));
    v.push(case(
        "kid empty",
        jwk(JwkError::UnknownKid),
        sign_raw(&es(), &hdr("ES256", ""), &claims_text()),
    ));
    v.push(
        case(
            "no kid, two compatible EC keys",
            jwk(JwkError::AmbiguousKey),
            sign_raw(&es(), &hdr_no_kid("ES256"), &claims_text()),
        )
        .jwks(jwks(&[es().jwk_with_kid("a"), es2().jwk_with_kid("b")])),
    );
    v.push(
        case(
            "no kid, two compatible Ed25519 keys",
            jwk(JwkError::AmbiguousKey),
            sign_raw(&ed(), &hdr_no_kid("EdDSA"), &claims_text()),
        )
        .jwks(jwks(&[ed().jwk_with_kid("a"), ed2().jwk_with_kid("b")])),
    );
    v.push(case(
        "no kid, one compatible key in a mixed set",
        OK,
        sign_raw(&es(), &hdr_no_kid("ES256"), &claims_text()),
    ));
    v.push(
        case(
            "no kid, a one-key set",
            OK,
            sign_raw(&ed(), &hdr_no_kid("EdDSA"), &claims_text()),
        )
        .jwks(jwks(&[ed().public_jwk()])),
    );
    v.push(
        case(
            "no kid, no compatible key",
            jwk(JwkError::NoMatchingKey),
            sign_raw(&es(), &hdr_no_kid("ES256"), &claims_text()),
        )
        .jwks(jwks(&[ed().jwk_with_kid("ed1")])),
    );
    v.push(
        case(
            "kid in the token, keys without kid",
            jwk(JwkError::UnknownKid),
            es_token(&claims_text()),
        )
        .jwks(jwks(&[es().public_jwk(), ed().public_jwk()])),
    );
    v.push(
        case(
            "duplicate kid told apart by key type: ES256",
            OK,
            sign_raw(&es(), &hdr("ES256", "k"), &claims_text()),
        )
        .jwks(dup.clone()),
    );
    v.push(
        case(
            "duplicate kid told apart by key type: EdDSA",
            OK,
            sign_raw(&ed(), &hdr("EdDSA", "k"), &claims_text()),
        )
        .jwks(dup),
    );
    let mut ec_alg = es().jwk_with_kid("k");
    ec_alg["alg"] = "ES256".into();
    let mut ed_alg = ed().jwk_with_kid("k");
    ed_alg["alg"] = "EdDSA".into();
    v.push(
        case(
            "duplicate kid told apart by key alg: Ed25519 fits an EdDSA key",
            OK,
            sign_raw(&ed(), &hdr("Ed25519", "k"), &claims_text()),
        )
        .jwks(jwks(&[ec_alg, ed_alg])),
    );
    v.push(
        case(
            "duplicate kid, same key type",
            jwk(JwkError::AmbiguousKey),
            sign_raw(&es(), &hdr("ES256", "k"), &claims_text()),
        )
        .jwks(jwks(&[es().jwk_with_kid("k"), es2().jwk_with_kid("k")])),
    );
    v.push(
        case(
            "kid names the other EC key of the set",
            jws(JwsError::BadSignature),
            sign_raw(&es(), &hdr("ES256", "b"), &claims_text()),
        )
        .jwks(jwks(&[es().jwk_with_kid("a"), es2().jwk_with_kid("b")])),
    );
    v
}

fn signature_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let good = good_token(&es(), "ec1");
    let good_ed = good_token(&ed(), "ed1");
    let claims = claims_text();

    // Bit flips in the decoded JSON, re-encoded canonically, not re-signed.
    assert!(claims.contains("1700000600"));
    v.push(case(
        "payload bit flip: exp 1700000600 -> 1700000700",
        jws(JwsError::BadSignature),
        with_payload_unsigned(&good, claims.replace("1700000600", "1700000700").as_bytes()),
    ));
    v.push(case(
        "payload bit flip: sub alice -> alicd",
        jws(JwsError::BadSignature),
        with_payload_unsigned(&good, claims.replace("alice", "alicd").as_bytes()),
    ));
    v.push(case(
        "payload bit flip on an EdDSA token",
        jws(JwsError::BadSignature),
        with_payload_unsigned(&good_ed, claims.replace("alice", "alicd").as_bytes()),
    ));
    v.push(case(
        "header bit flip: typ at+jwt -> at+Jwt (policy still passes)",
        jws(JwsError::BadSignature),
        with_header_unsigned(
            &good_token_hdr(),
            hdr("ES256", "ec1").replace("at+jwt", "at+Jwt").as_bytes(),
        ),
    ));
    let h_extra = hdr_with("ES256", "ec1", r#""x":"a""#);
    v.push(case(
        "header bit flip: extra member value a -> c",
        jws(JwsError::BadSignature),
        with_header_unsigned(
            &es_hdr_token(&h_extra),
            h_extra.replace("\"a\"", "\"c\"").as_bytes(),
        ),
    ));
    v.push(case(
        "header bit flip: kid ec1 -> ec0",
        jwk(JwkError::UnknownKid),
        with_header_unsigned(&good_token_hdr(), hdr("ES256", "ec0").as_bytes()),
    ));
    // Bit flips in the decoded signature, re-encoded canonically.
    let flip = |token: &str, i: usize, bit: u8| {
        let mut s = sig_of(token);
        s[i] ^= bit;
        with_sig(token, &s)
    };
    v.push(case(
        "ES256 signature flip: r byte 0",
        jws(JwsError::BadSignature),
        flip(&good, 0, 0x01),
    ));
    v.push(case(
        "ES256 signature flip: r byte 31",
        jws(JwsError::BadSignature),
        flip(&good, 31, 0x80),
    ));
    v.push(case(
        "ES256 signature flip: s byte 63",
        jws(JwsError::BadSignature),
        flip(&good, 63, 0x01),
    ));
    v.push(case(
        "EdDSA signature flip: R byte 0",
        jws(JwsError::BadSignature),
        flip(&good_ed, 0, 0x01),
    ));
    v.push(case(
        "EdDSA signature flip: S byte 32",
        jws(JwsError::BadSignature),
        flip(&good_ed, 32, 0x01),
    ));
    v.push(case(
        "EdDSA signature flip: S top bit",
        jws(JwsError::BadSignature),
        flip(&good_ed, 63, 0x80),
    ));
    v.push(case(
        "signature segment with a non-zero trailing bit",
        jws(JwsError::SignatureEncoding),
        with_sig_text(&good, &dirty_tail(&parts(&good)[2])),
    ));
    let rs = sig_of(&good);
    let mut swapped = rs[32..].to_vec();
    swapped.extend_from_slice(&rs[..32]);
    v.push(case(
        "ES256 r and s swapped",
        jws(JwsError::BadSignature),
        with_sig(&good, &swapped),
    ));
    let other = es_token(&claims_with("jti", "\"token-2\""));
    v.push(case(
        "ES256 signature transplanted from another token",
        jws(JwsError::BadSignature),
        with_sig(&good, &sig_of(&other)),
    ));
    v.push(case(
        "ES256 signature by an attacker key under the real kid",
        jws(JwsError::BadSignature),
        sign_raw(&attacker_es(), &hdr("ES256", "ec1"), &claims),
    ));

    // Lengths.
    v.push(case(
        "ES256 signature truncated to 63 bytes",
        jws(JwsError::SignatureLength),
        with_sig(&good, &rs[..63]),
    ));
    let mut long = rs.clone();
    long.push(0);
    v.push(case(
        "ES256 signature over-long: 65 bytes",
        jws(JwsError::SignatureLength),
        with_sig(&good, &long),
    ));
    v.push(case(
        "EdDSA signature truncated to 63 bytes",
        jws(JwsError::SignatureLength),
        with_sig(&good_ed, &sig_of(&good_ed)[..63]),
    ));
    v.push(case(
        "ES256 signature doubled: 128 bytes",
        jws(JwsError::SignatureLength),
        with_sig(&good, &[rs.clone(), rs.clone()].concat()),
    ));
    v.push(case(
        "empty signature segment",
        jws(JwsError::SignatureLength),
        with_sig_text(&good, ""),
    ));
    v.push(case(
        "signature segment of an impossible length (85 characters)",
        jws(JwsError::SignatureEncoding),
        with_sig_text(&good, &parts(&good)[2][..85]),
    ));
    let der = der_sig(&rs);
    assert!((68..=72).contains(&der.len()), "DER length {}", der.len());
    v.push(case(
        format!("ES256 DER-encoded signature ({} bytes)", der.len()),
        jws(JwsError::SignatureLength),
        with_sig(&good, &der),
    ));

    // ECDSA scalars out of range (CVE-2022-21449 and friends).
    let n = hex(P256_N);
    let zero = [0u8; 32];
    let (r, s) = (&rs[..32], &rs[32..]);
    for (name, rr, ss) in [
        ("ES256 r = s = 0 (psychic signature)", &zero[..], &zero[..]),
        ("ES256 r = 0", &zero[..], s),
        ("ES256 s = 0", r, &zero[..]),
        ("ES256 r = n", &n[..], s),
        ("ES256 s = n", r, &n[..]),
        ("ES256 r = s = n", &n[..], &n[..]),
    ] {
        v.push(case(
            name,
            jws(JwsError::BadSignature),
            with_sig(&good, &[rr, ss].concat()),
        ));
    }
    let ff = [0xffu8; 32];
    v.push(case(
        "ES256 r = 2^256 - 1",
        jws(JwsError::BadSignature),
        with_sig(&good, &[&ff[..], s].concat()),
    ));
    // High-S and low-S: both verify (JWS does not require low-S).
    let s_neg = be_sub(&n, s);
    let (low, high) = if s < &s_neg[..] {
        (s.to_vec(), s_neg)
    } else {
        (s_neg, s.to_vec())
    };
    v.push(case(
        "ES256 high-S (s' = n - s) is valid",
        OK,
        with_sig(&good, &[r, &high[..]].concat()),
    ));
    v.push(case(
        "ES256 low-S is valid",
        OK,
        with_sig(&good, &[r, &low[..]].concat()),
    ));

    // Ed25519 malleability and degenerate signatures.
    let eds = sig_of(&good_ed);
    let mut l_le = hex(ED25519_L);
    l_le.reverse();
    let s_plus_l = le_add(&eds[32..], &l_le);
    v.push(case(
        "Ed25519 non-canonical S (S + L)",
        jws(JwsError::BadSignature),
        with_sig(&good_ed, &[&eds[..32], &s_plus_l[..]].concat()),
    ));
    v.push(case(
        "Ed25519 all-zero signature",
        jws(JwsError::BadSignature),
        with_sig(&good_ed, &[0u8; 64]),
    ));
    let mut identity_r = [0u8; 64];
    identity_r[0] = 1;
    v.push(case(
        "Ed25519 signature R = identity, S = 0",
        jws(JwsError::BadSignature),
        with_sig(&good_ed, &identity_r),
    ));
    v.push(case(
        "EdDSA signature by an attacker key under the real kid",
        jws(JwsError::BadSignature),
        sign_raw(&attacker_ed(), &hdr("EdDSA", "ed1"), &claims),
    ));
    v
}

/// A good ES256 token whose header is exactly `hdr("ES256", "ec1")`.
fn good_token_hdr() -> String {
    es_token(&claims_text())
}

fn embedded_key_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let claims = claims_text();
    let att = attacker_es().public_jwk().to_string();
    let att_ed = attacker_ed().public_jwk().to_string();
    let att_jwks_url = r#""https://attacker.example/jwks.json""#;
    for (name, member) in [
        (
            "jwk header with the attacker key",
            format!(r#""jwk":{att}"#),
        ),
        (
            "jku header to the attacker's JWKS",
            format!(r#""jku":{att_jwks_url}"#),
        ),
        (
            "x5u header to the attacker's certificate",
            r#""x5u":"https://attacker.example/cert.pem""#.to_string(),
        ),
        (
            "x5c header with the attacker's chain",
            r#""x5c":["MIIBszCCAVmgAwIBAgIUJ+/attacker+cert/AAAAAAAAAAAAAAAA="]"#.to_string(),
        ),
    ] {
        v.push(case(
            format!("{name}, signed by the attacker, kid of the real key"),
            jws(JwsError::BadSignature),
            sign_raw(&attacker_es(), &hdr_with("ES256", "ec1", &member), &claims),
        ));
    }
    v.push(case(
        "jwk header with the attacker key, no kid",
        jws(JwsError::BadSignature),
        sign_raw(
            &attacker_es(),
            &add_member(&hdr_no_kid("ES256"), &format!(r#""jwk":{att}"#)),
            &claims,
        ),
    ));
    v.push(case(
        "jwk header with the attacker Ed25519 key, kid of the real key",
        jws(JwsError::BadSignature),
        sign_raw(
            &attacker_ed(),
            &hdr_with("EdDSA", "ed1", &format!(r#""jwk":{att_ed}"#)),
            &claims,
        ),
    ));
    v.push(case(
        "jku header with the attacker's own kid is never fetched",
        jwk(JwkError::UnknownKid),
        sign_raw(
            &attacker_es(),
            &hdr_with("ES256", "attacker", &format!(r#""jku":{att_jwks_url}"#)),
            &claims,
        ),
    ));
    v
}

fn header_policy_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (name, member, want) in [
        (
            "crit [\"exp\"]",
            r#""crit":["exp"],"exp":1"#,
            JwsError::CritPresent,
        ),
        ("crit []", r#""crit":[]"#, JwsError::CritPresent),
        (
            "crit [\"b64\"] with b64 false",
            r#""crit":["b64"],"b64":false"#,
            JwsError::CritPresent,
        ),
        ("b64 false", r#""b64":false"#, JwsError::B64Present),
        ("b64 true", r#""b64":true"#, JwsError::B64Present),
    ] {
        v.push(case(
            name,
            jws(want),
            es_hdr_token(&hdr_with("ES256", "ec1", member)),
        ));
    }
    // typ.
    let typed = |typ: &str| format!(r#"{{"alg":"ES256","typ":"{typ}","kid":"ec1"}}"#);
    v.push(case(
        "typ missing",
        jws(JwsError::TypMissing),
        es_hdr_token(r#"{"alg":"ES256","kid":"ec1"}"#),
    ));
    v.push(case(
        "typ JWT",
        jws(JwsError::TypMismatch),
        es_hdr_token(&typed("JWT")),
    ));
    v.push(
        case(
            "typ JWT with allow_plain_jwt_typ",
            OK,
            es_hdr_token(&typed("JWT")),
        )
        .cfg(cfg_plain_jwt()),
    );
    v.push(
        case(
            "typ application/jwt with allow_plain_jwt_typ",
            OK,
            es_hdr_token(&typed("application/jwt")),
        )
        .cfg(cfg_plain_jwt()),
    );
    v.push(
        case(
            "typ at+jwt with allow_plain_jwt_typ",
            OK,
            es_hdr_token(&typed("at+jwt")),
        )
        .cfg(cfg_plain_jwt()),
    );
    v.push(
        case(
            "typ dpop+jwt with allow_plain_jwt_typ",
            jws(JwsError::TypMismatch),
            es_hdr_token(&typed("dpop+jwt")),
        )
        .cfg(cfg_plain_jwt()),
    );
    for typ in [
        "application/AT+JWT",
        "APPLICATION/AT+JWT",
        "AT+JWT",
        "application/at+jwt",
        "At+Jwt",
        "at\\u002bjwt",
    ] {
        v.push(case(
            format!("typ {typ:?} matches at+jwt"),
            OK,
            es_hdr_token(&typed(typ)),
        ));
    }
    for typ in [
        "jwt",
        "at+jwt ",
        "dpop+jwt",
        "application/at+jwt; charset=utf-8",
        "application/application/at+jwt",
        "text/at+jwt",
        "at+jws",
        "",
        "application/",
    ] {
        v.push(case(
            format!("typ {typ:?} mismatch"),
            jws(JwsError::TypMismatch),
            es_hdr_token(&typed(typ)),
        ));
    }
    for (what, raw) in [
        ("a number", "1"),
        ("null", "null"),
        ("an array", r#"["at+jwt"]"#),
    ] {
        v.push(case(
            format!("typ is {what}"),
            jws(JwsError::HeaderMemberType),
            es_hdr_token(&format!(r#"{{"alg":"ES256","typ":{raw},"kid":"ec1"}}"#)),
        ));
    }
    // Found by the differential check (tests/differential): registered members fapi never
    // uses were not looked at, so a token with `cty: 5` was accepted where RFC 7515 §4.1
    // (and the reference) makes the header malformed.
    for member in [
        r#""cty":5"#,
        r#""jku":1"#,
        r#""x5u":["https://as.example.com/cert"]"#,
        r#""x5t":true"#,
        r#""x5t#S256":{}"#,
        r#""x5c":"MIIB""#,
        r#""x5c":[1]"#,
        r#""jwk":"key""#,
    ] {
        v.push(case(
            format!("registered header member of the wrong type: {member}"),
            jws(JwsError::HeaderMemberType),
            es_hdr_token(&format!(
                r#"{{"alg":"ES256","typ":"at+jwt","kid":"ec1",{member}}}"#
            )),
        ));
    }
    v.push(case(
        "registered header members of their types, unused: accepted",
        OK,
        es_hdr_token(
            r#"{"alg":"ES256","typ":"at+jwt","kid":"ec1","cty":"JWT","jku":"file:///x","x5u":"https://a","x5t":"AA","x5t#S256":"AA","x5c":[]}"#,
        ),
    ));
    v
}

fn duplicate_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (name, header) in [
        (
            "header alg twice",
            r#"{"alg":"ES256","alg":"none","typ":"at+jwt","kid":"ec1"}"#,
        ),
        (
            "header alg twice, same value",
            r#"{"alg":"ES256","alg":"ES256","typ":"at+jwt","kid":"ec1"}"#,
        ),
        (
            "header escaped duplicate \\u0061lg",
            r#"{"alg":"ES256","\u0061lg":"none","typ":"at+jwt","kid":"ec1"}"#,
        ),
        (
            "header kid twice",
            r#"{"alg":"ES256","typ":"at+jwt","kid":"ec1","kid":"ed1"}"#,
        ),
        (
            "header typ twice",
            r#"{"alg":"ES256","typ":"at+jwt","typ":"JWT","kid":"ec1"}"#,
        ),
    ] {
        v.push(case(
            name,
            json(JsonError::DuplicateMember),
            es_hdr_token(header),
        ));
    }
    let c = claims_text();
    for (name, claims) in [
        (
            "claims iss twice",
            add_member(&c, r#""iss":"https://evil.example""#),
        ),
        (
            "claims iss twice, same value",
            add_member(&c, &format!(r#""iss":"{ISS}""#)),
        ),
        (
            "claims escaped duplicate \\u0069ss",
            add_member(&c, r#""\u0069ss":"https://evil.example""#),
        ),
        ("claims exp twice", add_member(&c, r#""exp":99999999999"#)),
        (
            "claims aud twice",
            add_member(&c, r#""aud":"https://evil.example""#),
        ),
        (
            "claims duplicate inside cnf",
            claims_with("cnf", r#"{"jkt":"a","jkt":"b"}"#),
        ),
        (
            "claims duplicate in a nested custom object",
            claims_with("ext", r#"{"a":{"b":1,"b":2}}"#),
        ),
    ] {
        v.push(case(
            name,
            json(JsonError::DuplicateMember),
            es_token(&claims),
        ));
    }
    v
}

fn structure_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let good = good_token(&es(), "ec1");
    let [h, p, s] = parts(&good);
    let more = [
        ("trailing dot", format!("{good}.")),
        ("empty token", String::new()),
        ("only dots (4 segments)", "...".to_string()),
    ];
    for (name, token) in segment_count_tokens(&good).into_iter().chain(more) {
        v.push(case(name, jws(JwsError::Segments), token));
    }
    v.push(case(
        "three empty segments",
        json(JsonError::Syntax),
        "..".to_string(),
    ));

    // Padding.
    let hp = partial_group(hdr("ES256", "ec1"));
    let cp = partial_group(claims_text());
    let (hb, cb) = (b64u(hp.as_bytes()), b64u(cp.as_bytes()));
    v.push(case(
        "padded header segment",
        jws(JwsError::HeaderEncoding),
        sign_segments(&es(), &padded(&hb), &cb),
    ));
    v.push(case(
        "padded payload segment",
        jws(JwsError::PayloadEncoding),
        sign_segments(&es(), &hb, &padded(&cb)),
    ));
    v.push(case(
        "padded signature segment",
        jws(JwsError::SignatureEncoding),
        with_sig_text(&good, &padded(&s)),
    ));
    v.push(case(
        "unpadded control: trailing whitespace in the JSON is fine",
        OK,
        sign_segments(&es(), &hb, &cb),
    ));
    // Non-zero trailing bits.
    v.push(case(
        "header segment with a non-zero trailing bit",
        jws(JwsError::HeaderEncoding),
        sign_segments(&es(), &dirty_tail(&hb), &cb),
    ));
    v.push(case(
        "payload segment with a non-zero trailing bit",
        jws(JwsError::PayloadEncoding),
        sign_segments(&es(), &hb, &dirty_tail(&cb)),
    ));
    // Standard base64 alphabet. '~' and '?' put 62 and 63 into the last sextet of a group.
    let hs = b64u(hdr_with("ES256", "ec1", r#""x":"~~~???""#).as_bytes());
    let cs = b64u(claims_with("jti", r#""~~~???""#).as_bytes());
    v.push(case(
        "standard base64 (+ /) in the header",
        jws(JwsError::HeaderEncoding),
        sign_segments(&es(), &to_std_alphabet(&hs), &cs),
    ));
    v.push(case(
        "standard base64 (+ /) in the payload",
        jws(JwsError::PayloadEncoding),
        sign_segments(&es(), &hs, &to_std_alphabet(&cs)),
    ));
    v.push(case(
        "url-alphabet control: the same token unchanged",
        OK,
        sign_segments(&es(), &hs, &cs),
    ));
    let sig_url = (0..1000)
        .map(|i| es_token(&claims_with("jti", &format!("\"token-{i}\""))))
        .find(|t| parts(t)[2].contains(['-', '_']))
        .expect("a signature with - or _");
    v.push(case(
        "standard base64 (+ /) in the signature",
        jws(JwsError::SignatureEncoding),
        with_sig_text(&sig_url, &to_std_alphabet(&parts(&sig_url)[2])),
    ));
    // Whitespace and impossible lengths.
    v.push(case(
        "leading space before the token",
        jws(JwsError::HeaderEncoding),
        format!(" {good}"),
    ));
    v.push(case(
        "trailing newline after the token",
        jws(JwsError::SignatureEncoding),
        format!("{good}\n"),
    ));
    v.push(case(
        "space inside the header segment",
        jws(JwsError::HeaderEncoding),
        format!("{} {}.{p}.{s}", &h[..4], &h[4..]),
    ));
    v.push(case(
        "space inside the payload segment",
        jws(JwsError::PayloadEncoding),
        sign_segments(&es(), &h, &format!("{} {}", &p[..4], &p[4..])),
    ));
    let h4 = {
        let mut j = hdr("ES256", "ec1");
        while !j.len().is_multiple_of(3) {
            j.push(' ');
        }
        b64u(j.as_bytes())
    };
    v.push(case(
        "header segment of an impossible length (4k+1)",
        jws(JwsError::HeaderEncoding),
        sign_segments(&es(), &format!("{h4}A"), &p),
    ));
    let p4 = {
        let mut j = claims_text();
        while !j.len().is_multiple_of(3) {
            j.push(' ');
        }
        b64u(j.as_bytes())
    };
    v.push(case(
        "payload segment of an impossible length (4k+1)",
        jws(JwsError::PayloadEncoding),
        sign_segments(&es(), &h, &format!("{p4}A")),
    ));
    v
}

fn json_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let claims = claims_text();
    let hdr_bytes = |extra: &[u8]| {
        let mut b = br#"{"alg":"ES256","typ":"at+jwt","kid":"ec1","x":""#.to_vec();
        b.extend_from_slice(extra);
        b.extend_from_slice(br#""}"#);
        b
    };
    for (name, bytes) in [
        ("invalid UTF-8 (0xFF) in a header string", &b"\xff"[..]),
        (
            "overlong UTF-8 (C0 AF) in a header string",
            &b"\xc0\xaf"[..],
        ),
        (
            "UTF-8 encoded surrogate (ED A0 80) in a header string",
            &b"\xed\xa0\x80"[..],
        ),
        (
            "truncated UTF-8 sequence in a header string",
            &b"\xe2\x82"[..],
        ),
        (
            "code point above U+10FFFF in a header string",
            &b"\xf4\x90\x80\x80"[..],
        ),
    ] {
        v.push(case(
            name,
            json(JsonError::InvalidUtf8),
            sign_bytes(&es(), &hdr_bytes(bytes), claims.as_bytes()),
        ));
    }
    let mut bad_claims = claims.clone().into_bytes();
    let at = bad_claims.iter().position(|&b| b == b'a').expect("an 'a'");
    bad_claims[at] = 0xff;
    v.push(case(
        "invalid UTF-8 in the claims",
        json(JsonError::InvalidUtf8),
        sign_bytes(&es(), hdr("ES256", "ec1").as_bytes(), &bad_claims),
    ));
    v.push(case(
        "header with a byte order mark",
        json(JsonError::Syntax),
        sign_bytes(
            &es(),
            &[b"\xef\xbb\xbf", hdr("ES256", "ec1").as_bytes()].concat(),
            claims.as_bytes(),
        ),
    ));
    v.push(case(
        "header is a JSON array",
        json(JsonError::NotObject),
        es_hdr_token(r#"[{"alg":"ES256","typ":"at+jwt","kid":"ec1"}]"#),
    ));
    v.push(case(
        "header with a trailing comma",
        json(JsonError::Syntax),
        es_hdr_token(r#"{"alg":"ES256","typ":"at+jwt","kid":"ec1",}"#),
    ));
    v.push(case(
        "header with a lone surrogate escape in kid",
        json(JsonError::InvalidEscape),
        es_hdr_token(r#"{"alg":"ES256","typ":"at+jwt","kid":"ec1\ud800"}"#),
    ));
    v.push(case(
        "claims are a JSON array",
        json(JsonError::NotObject),
        es_token(&format!("[{claims}]")),
    ));
    v.push(case(
        "claims are null",
        json(JsonError::NotObject),
        es_token("null"),
    ));
    v.push(case(
        "claims are not JSON",
        json(JsonError::Syntax),
        es_token("hello"),
    ));
    v.push(case(
        "claims are empty",
        json(JsonError::Syntax),
        es_token(""),
    ));
    v.push(case(
        "claims with trailing data",
        json(JsonError::Syntax),
        es_token(&format!("{claims}{{}}")),
    ));
    v.push(case(
        "claims with a raw control character",
        json(JsonError::ControlCharacter),
        es_token(&claims.replace("alice", "ali\u{1}ce")),
    ));
    v.push(case(
        "claims with an invalid escape",
        json(JsonError::InvalidEscape),
        es_token(&claims_with("sub", r#""a\x41""#)),
    ));
    // Depth (the top-level object counts as 1).
    v.push(case(
        "claims nested 16 deep (the default limit)",
        OK,
        es_token(&claims_with("deep", &nested(15))),
    ));
    v.push(case(
        "claims nested 17 deep",
        json(JsonError::DepthExceeded),
        es_token(&claims_with("deep", &nested(16))),
    ));
    v.push(case(
        "header nested 17 deep",
        json(JsonError::DepthExceeded),
        es_hdr_token(&hdr_with("ES256", "ec1", &format!(r#""x":{}"#, nested(16)))),
    ));
    v.push(
        case(
            "claims nested 10,000 deep, depth limit at the cap",
            json(JsonError::DepthExceeded),
            es_token(&claims_with("deep", &nested(9_999))),
        )
        .cfg(cfg_deep())
        .scratch(ScratchKind::Big),
    );
    let cap = usize::from(MAX_DEPTH_CAP);
    v.push(
        case(
            "claims nested exactly MAX_DEPTH_CAP deep",
            OK,
            es_token(&claims_with("deep", &nested(cap - 1))),
        )
        .cfg(cfg_deep())
        .scratch(ScratchKind::Big),
    );
    v.push(
        case(
            "claims nested MAX_DEPTH_CAP + 1 deep",
            json(JsonError::DepthExceeded),
            es_token(&claims_with("deep", &nested(cap))),
        )
        .cfg(cfg_deep())
        .scratch(ScratchKind::Big),
    );
    // Members.
    let members = |n: usize| {
        let mut c = claims.clone();
        for i in 0..n {
            c = add_member(&c, &format!(r#""m{i}":{i}"#));
        }
        c
    };
    let base = good_claims().as_object().expect("object").len();
    let max = usize::from(MAX_MEMBERS_CAP);
    v.push(case(
        "claims with 64 members",
        OK,
        es_token(&members(max - base)),
    ));
    v.push(case(
        "claims with 65 members",
        json(JsonError::TooManyMembers),
        es_token(&members(max - base + 1)),
    ));
    let nested_members: Vec<String> = (0..=max).map(|i| format!(r#""n{i}":{i}"#)).collect();
    v.push(case(
        "nested claims object with 65 members",
        json(JsonError::TooManyMembers),
        es_token(&claims_with(
            "ext",
            &format!("{{{}}}", nested_members.join(",")),
        )),
    ));
    let header_members: Vec<String> = (0..max - 2).map(|i| format!(r#""h{i}":0"#)).collect();
    v.push(case(
        "header with 65 members",
        json(JsonError::TooManyMembers),
        es_hdr_token(&hdr_with("ES256", "ec1", &header_members.join(","))),
    ));
    v.push(case(
        "header with 64 members",
        OK,
        es_hdr_token(&hdr_with("ES256", "ec1", &header_members[1..].join(","))),
    ));
    let pretty = serde_json::to_string_pretty(&good_claims()).expect("json");
    v.push(case(
        "pretty-printed claims with whitespace everywhere",
        OK,
        es_token(&format!("\n\t {}\r\n ", pretty.replace("\": ", "\" :\t "))),
    ));
    for (name, raw) in [
        ("exp with a plus sign", format!("+{}", NOW + 600)),
        ("exp with a trailing dot", format!("{}.", NOW + 600)),
        ("exp with a leading zero", format!("0{}", NOW + 600)),
        ("exp .5", ".5".to_string()),
        ("exp NaN", "NaN".to_string()),
    ] {
        v.push(case(
            name,
            json(JsonError::Syntax),
            es_token(&claims_with("exp", &raw)),
        ));
    }
    v
}

fn size_cases() -> Vec<Case> {
    let mut v = Vec::new();
    // A properly signed 64 KiB token.
    v.push(case(
        "64 KiB token",
        jws(JwsError::TokenTooLarge),
        big_token(),
    ));
    let good = good_token(&es(), "ec1");
    v.push(
        case("token exactly max_token_len long", OK, good.clone()).cfg(cfg_max_token(good.len())),
    );
    v.push(
        case(
            "token one byte over max_token_len",
            jws(JwsError::TokenTooLarge),
            good.clone(),
        )
        .cfg(cfg_max_token(good.len() - 1)),
    );
    v.push(case(
        "header of exactly 1024 bytes",
        OK,
        es_hdr_token(&sized_hdr(1024)),
    ));
    v.push(case(
        "header of 1025 bytes",
        jws(JwsError::HeaderTooLarge),
        es_hdr_token(&sized_hdr(1025)),
    ));
    let sized_claims = |len: usize| {
        let c = claims_with("pad", "\"\"");
        let c = c.replace(
            r#""pad":"""#,
            &format!("\"pad\":\"{}\"", "x".repeat(len - c.len())),
        );
        assert_eq!(c.len(), len);
        c
    };
    v.push(
        case(
            "claims of exactly 6144 bytes",
            OK,
            es_token(&sized_claims(6144)),
        )
        .cfg(cfg_max_token(16 * 1024)),
    );
    v.push(
        case(
            "claims of 6145 bytes",
            jws(JwsError::PayloadTooLarge),
            es_token(&sized_claims(6145)),
        )
        .cfg(cfg_max_token(16 * 1024)),
    );
    v.push(
        case(
            "scratch smaller than the header limit",
            misuse(MisuseError::ScratchTooSmall),
            good,
        )
        .scratch(ScratchKind::Small),
    );
    v
}

fn iss_aud_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let iss = |raw: &str| es_token(&claims_with("iss", raw));
    v.push(case(
        "iss wrong",
        claims(ClaimsError::IssMismatch),
        iss(r#""https://evil.example""#),
    ));
    v.push(case(
        "iss missing",
        claims(ClaimsError::IssMissing),
        es_token(&claims_without("iss")),
    ));
    for (name, raw) in [
        ("iss with a trailing slash", format!("\"{ISS}/\"")),
        (
            "iss with its case changed",
            format!("\"{}\"", ISS.to_uppercase()),
        ),
        (
            "iss with a trailing escaped NUL",
            format!("\"{ISS}\\u0000\""),
        ),
        ("iss with a trailing space", format!("\"{ISS} \"")),
        ("iss empty", "\"\"".to_string()),
        (
            "iss a prefix of the issuer",
            format!("\"{}\"", &ISS[..ISS.len() - 1]),
        ),
        ("iss is a number", "42".to_string()),
        ("iss is null", "null".to_string()),
        ("iss is an array holding the issuer", format!("[\"{ISS}\"]")),
    ] {
        v.push(case(name, claims(ClaimsError::IssMismatch), iss(&raw)));
    }
    v.push(case(
        "iss with escaped slashes equals the issuer",
        OK,
        iss(r#""https:\/\/as.example.com""#),
    ));
    v.push(case(
        "iss with \\u escapes equals the issuer",
        OK,
        iss(r#""\u0068ttps://as.example.co\u006D""#),
    ));
    let aud = |raw: &str| es_token(&claims_with("aud", raw));
    v.push(case(
        "aud array containing the audience",
        OK,
        aud(&format!(r#"["https://other.example","{AUD}"]"#)),
    ));
    v.push(case(
        "aud array holding only the audience",
        OK,
        aud(&format!(r#"["{AUD}"]"#)),
    ));
    v.push(case(
        "aud array with an escaped audience",
        OK,
        aud(r#"["https:\/\/rs.example.com"]"#),
    ));
    v.push(case(
        "aud string with \\u0068ttps equals the audience",
        OK,
        aud(r#""\u0068ttps://rs.example.com""#),
    ));
    for (name, raw) in [
        (
            "aud array without the audience",
            r#"["https://other.example"]"#.to_string(),
        ),
        ("aud empty array", "[]".to_string()),
        ("aud wrong string", r#""https://other.example""#.to_string()),
        ("aud with a trailing slash", format!("\"{AUD}/\"")),
        (
            "aud with its case changed",
            format!("\"{}\"", AUD.to_uppercase()),
        ),
        ("aud empty string", "\"\"".to_string()),
        (
            "aud array with a trailing-slash audience",
            format!("[\"{AUD}/\"]"),
        ),
    ] {
        v.push(case(name, claims(ClaimsError::AudMismatch), aud(&raw)));
    }
    for (name, raw) in [
        ("aud null", "null".to_string()),
        ("aud a number", "1".to_string()),
        ("aud a boolean", "true".to_string()),
        ("aud an object", format!(r#"{{"aud":"{AUD}"}}"#)),
        (
            "aud array with a number after the audience",
            format!("[\"{AUD}\",1]"),
        ),
        (
            "aud array with a number before the audience",
            format!("[1,\"{AUD}\"]"),
        ),
        ("aud array with null", format!("[\"{AUD}\",null]")),
        ("aud nested array", format!("[[\"{AUD}\"]]")),
    ] {
        v.push(case(name, claims(ClaimsError::AudMalformed), aud(&raw)));
    }
    v.push(case(
        "aud missing",
        claims(ClaimsError::AudMissing),
        es_token(&claims_without("aud")),
    ));
    v.push(case(
        "iss only inside a nested object",
        claims(ClaimsError::IssMissing),
        es_token(&add_member(
            &claims_without("iss"),
            &format!(r#""ext":{{"iss":"{ISS}"}}"#),
        )),
    ));
    v.push(case(
        "aud only inside a nested object",
        claims(ClaimsError::AudMissing),
        es_token(&add_member(
            &claims_without("aud"),
            &format!(r#""ext":{{"aud":"{AUD}"}}"#),
        )),
    ));
    v.push(case(
        "aud array with whitespace",
        OK,
        aud(&format!("[ \"https://other.example\" ,\n \"{AUD}\" ]")),
    ));
    v.push(case(
        "aud array with whitespace and a number",
        claims(ClaimsError::AudMalformed),
        aud(&format!("[ \"{AUD}\" , 1 ]")),
    ));
    v
}

fn time_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let with = |name: &str, raw: String| es_token(&claims_with(name, &raw));
    for (name, exp, want) in [
        (
            "exp NOW - 11 (leeway 10)",
            NOW - 11,
            claims(ClaimsError::Expired),
        ),
        (
            "exp NOW - 10 (now == exp + leeway)",
            NOW - 10,
            claims(ClaimsError::Expired),
        ),
        ("exp NOW - 9 (within leeway)", NOW - 9, OK),
        ("exp NOW - 5 (within leeway)", NOW - 5, OK),
        ("exp NOW (within leeway)", NOW, OK),
        ("exp 0", 0, claims(ClaimsError::Expired)),
    ] {
        v.push(case(name, want, with("exp", exp.to_string())));
    }
    v.push(
        case(
            "exp NOW with leeway 0",
            claims(ClaimsError::Expired),
            with("exp", NOW.to_string()),
        )
        .cfg(cfg_leeway(0)),
    );
    v.push(
        case(
            "exp NOW + 1 with leeway 0",
            OK,
            with("exp", (NOW + 1).to_string()),
        )
        .cfg(cfg_leeway(0)),
    );
    v.push(case(
        "exp NOW + 600.5 (fraction)",
        OK,
        with("exp", format!("{}.5", NOW + 600)),
    ));
    v.push(case(
        "exp with many fraction digits",
        OK,
        with(
            "exp",
            format!("{}.000000000000000000000000000001", NOW + 600),
        ),
    ));
    v.push(case(
        "exp at MAX_NUMERIC_DATE",
        OK,
        with("exp", MAX_NUMERIC_DATE.to_string()),
    ));
    v.push(case(
        "exp missing",
        claims(ClaimsError::ExpMissing),
        es_token(&claims_without("exp")),
    ));
    for (name, raw) in [
        ("exp as a string", format!("\"{}\"", NOW + 600)),
        ("exp null", "null".to_string()),
        ("exp true", "true".to_string()),
        ("exp an array", format!("[{}]", NOW + 600)),
        ("exp negative", "-1".to_string()),
        ("exp minus zero", "-0".to_string()),
        ("exp 1e10 (exponent)", "1e10".to_string()),
        ("exp 1E10 (exponent)", "1E10".to_string()),
        ("exp 1.7000006e9 (exponent)", "1.7000006e9".to_string()),
        ("exp 1e300", "1e300".to_string()),
        ("exp 1e-5", "1e-5".to_string()),
    ] {
        v.push(case(
            name,
            claims(ClaimsError::TimeMalformed),
            with("exp", raw),
        ));
    }
    for (name, raw) in [
        ("exp 2^64", "18446744073709551616".to_string()),
        ("exp 2^64 - 1", u64::MAX.to_string()),
        ("exp a 400-digit integer", format!("1{}", "0".repeat(399))),
        (
            "exp MAX_NUMERIC_DATE + 1",
            (MAX_NUMERIC_DATE + 1).to_string(),
        ),
    ] {
        v.push(case(
            name,
            claims(ClaimsError::TimeOutOfRange),
            with("exp", raw),
        ));
    }
    for (name, nbf, want) in [
        ("nbf NOW + 11", NOW + 11, claims(ClaimsError::NotYetValid)),
        ("nbf NOW + 10 (within leeway)", NOW + 10, OK),
        ("nbf NOW", NOW, OK),
    ] {
        v.push(case(name, want, with("nbf", nbf.to_string())));
    }
    v.push(case(
        "nbf NOW + 10.5 (half a second beyond the leeway)",
        claims(ClaimsError::NotYetValid),
        with("nbf", format!("{}.5", NOW + 10)),
    ));
    v.push(case("nbf missing", OK, es_token(&claims_without("nbf"))));
    v.push(case(
        "nbf as a string",
        claims(ClaimsError::TimeMalformed),
        with("nbf", format!("\"{NOW}\"")),
    ));
    v.push(case(
        "nbf 2^64",
        claims(ClaimsError::TimeOutOfRange),
        with("nbf", "18446744073709551616".to_string()),
    ));
    for (name, iat, want) in [
        (
            "iat NOW + 11",
            NOW + 11,
            claims(ClaimsError::IssuedInFuture),
        ),
        ("iat NOW + 10 (within leeway)", NOW + 10, OK),
    ] {
        v.push(case(name, want, with("iat", iat.to_string())));
    }
    v.push(case(
        "iat NOW + 10.5 (half a second beyond the leeway)",
        claims(ClaimsError::IssuedInFuture),
        with("iat", format!("{}.5", NOW + 10)),
    ));
    v.push(case("iat missing", OK, es_token(&claims_without("iat"))));
    v.push(case(
        "iat null",
        claims(ClaimsError::TimeMalformed),
        with("iat", "null".to_string()),
    ));
    v.push(case(
        "iat a 400-digit integer",
        claims(ClaimsError::TimeOutOfRange),
        with("iat", format!("9{}", "9".repeat(399))),
    ));
    v.push(
        case(
            "nbf NOW + 1 with leeway 0",
            claims(ClaimsError::NotYetValid),
            with("nbf", (NOW + 1).to_string()),
        )
        .cfg(cfg_leeway(0)),
    );
    v.push(
        case(
            "iat NOW + 61 with leeway 60",
            claims(ClaimsError::IssuedInFuture),
            with("iat", (NOW + 61).to_string()),
        )
        .cfg(cfg_leeway(60)),
    );
    v.push(case(
        "expired token with a wrong iss reports iss first",
        claims(ClaimsError::IssMismatch),
        es_token(&add_member(
            &claims_without("iss").replace(&(NOW + 600).to_string(), &(NOW - 100).to_string()),
            r#""iss":"https://evil.example""#,
        )),
    ));
    v
}

fn cnf_and_type_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let jkt = b64u(&[7u8; 32]);
    let cnf = |raw: String| es_token(&claims_with("cnf", &raw));
    for (name, raw) in [
        ("cnf a string", format!("\"{jkt}\"")),
        ("cnf an empty object", "{}".to_string()),
        ("cnf null", "null".to_string()),
        ("cnf an array", format!("[{{\"jkt\":\"{jkt}\"}}]")),
        (
            "cnf x5t (SHA-1, unsupported)",
            r#"{"x5t":"dGhpcyBpcyBhIHNoYS0x"}"#.to_string(),
        ),
        (
            "cnf jwk (unsupported)",
            format!(r#"{{"jwk":{}}}"#, es().public_jwk()),
        ),
        ("cnf jkt a number", r#"{"jkt":1}"#.to_string()),
        ("cnf jkt null", r#"{"jkt":null}"#.to_string()),
        ("cnf x5t#S256 an object", r#"{"x5t#S256":{}}"#.to_string()),
        (
            "cnf jkt with x5t#S256 a number",
            format!(r#"{{"jkt":"{jkt}","x5t#S256":5}}"#),
        ),
    ] {
        v.push(case(name, claims(ClaimsError::CnfUnsupported), cnf(raw)));
    }
    v.push(case("cnf jkt", OK, cnf(format!(r#"{{"jkt":"{jkt}"}}"#))));
    v.push(case(
        "cnf x5t#S256",
        OK,
        cnf(format!(r#"{{"x5t#S256":"{jkt}"}}"#)),
    ));
    v.push(case(
        "cnf jkt and x5t#S256",
        OK,
        cnf(format!(r#"{{"jkt":"{jkt}","x5t#S256":"{jkt}"}}"#)),
    ));
    for (name, member, raw) in [
        ("sub a number", "sub", "1"),
        ("sub null", "sub", "null"),
        ("client_id a number", "client_id", "7"),
        ("scope an array", "scope", r#"["accounts"]"#),
        ("jti null", "jti", "null"),
        ("jti an object", "jti", "{}"),
    ] {
        v.push(case(
            name,
            claims(ClaimsError::ClaimType),
            es_token(&claims_with(member, raw)),
        ));
    }
    v.push(case(
        "sub, client_id, scope, jti, iat, nbf absent (RFC 9068 §4 checks none of them)",
        OK,
        es_token(&format!(
            r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{}}}"#,
            NOW + 600
        )),
    ));
    v
}

fn token_cases() -> Vec<Case> {
    [
        alg_cases(),
        key_selection_cases(),
        signature_cases(),
        embedded_key_cases(),
        header_policy_cases(),
        duplicate_cases(),
        structure_cases(),
        json_cases(),
        size_cases(),
        iss_aud_cases(),
        time_cases(),
        cnf_and_type_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn access_token_cases() {
    let cases = token_cases();
    let failures = run_all(
        &cases,
        |c| &c.name,
        |c| match run_case(c) {
            Err(setup) => vec![setup],
            Ok(got) if got == c.want => vec![],
            Ok(got) => vec![format!("expected {:?}, got {got:?}", c.want)],
        },
    );
    report("access-token cases", cases.len(), 312, &failures);
}

/// Every access-token case again with the fast ES256 path: the same verdicts and codes.
#[test]
fn access_token_cases_with_tables() {
    let cases = token_cases();
    let failures = run_all(
        &cases,
        |c| &c.name,
        |c| match run_case_on(c, true) {
            Err(setup) => vec![setup],
            Ok(got) if got == c.want => vec![],
            Ok(got) => vec![format!("expected {:?}, got {got:?}", c.want)],
        },
    );
    report(
        "access-token cases (ES256 tables)",
        cases.len(),
        312,
        &failures,
    );
}

// ---------------------------------------------------------------------------------------------
// JWKS cases: `KeySet::load` into a set already holding the default keys.

struct JwksCase {
    name: String,
    jwks: String,
    want: Result<LoadReport, Error>,
    /// Tokens verified against the set after a successful load, with their expected results.
    then: Vec<(String, Want)>,
}

fn jcase(name: impl Into<String>, want: Result<LoadReport, Error>, jwks: String) -> JwksCase {
    JwksCase {
        name: name.into(),
        jwks,
        want,
        then: Vec::new(),
    }
}

impl JwksCase {
    fn then(mut self, token: String, want: Want) -> Self {
        self.then.push((token, want));
        self
    }
}

fn loaded(loaded: usize, skipped: usize) -> Result<LoadReport, Error> {
    Ok(LoadReport { loaded, skipped })
}
fn jwk_err(e: JwkError) -> Result<LoadReport, Error> {
    Err(Error::Jwk(e))
}

fn verify_with(keys: &[Jwk], token: &str) -> Want {
    let mut s: Scratch = Scratch::new();
    jwt::verify_access_token(&config(), keys, &mut s, token.as_bytes(), NOW).map(|_| ())
}

fn run_jwks_case(c: &JwksCase) -> Vec<String> {
    let mut out = Vec::new();
    let mut keys = KeySet::<8>::new();
    if let Err(e) = keys.load(default_jwks().as_bytes(), &JWKS_LIMITS) {
        return vec![format!("setup: default JWKS refused: {e:?}")];
    }
    let before: Vec<Jwk> = keys.keys().to_vec();
    let got = keys.load(c.jwks.as_bytes(), &JWKS_LIMITS);
    if got != c.want {
        out.push(format!("expected {:?}, got {got:?}", c.want));
    }
    match got {
        Err(_) => {
            if keys.keys() != &before[..] {
                out.push("the previous key set was not kept after a refused load".to_string());
            }
            let r = verify_with(keys.keys(), &good_token(&es(), "ec1"));
            if r != OK {
                out.push(format!("good token after the refused load: got {r:?}"));
            }
        }
        Ok(_) => {
            for (i, (token, want)) in c.then.iter().enumerate() {
                let r = verify_with(keys.keys(), token);
                if r != *want {
                    out.push(format!(
                        "token #{i} after load: expected {want:?}, got {r:?}"
                    ));
                }
            }
        }
    }
    out
}

/// An EC JWK object with raw member text replacing `x`/`y`.
fn ec_jwk(kid: &str, x: &str, y: &str) -> serde_json::Value {
    serde_json::json!({"kty":"EC","crv":"P-256","kid":kid,"x":x,"y":y})
}
fn okp_jwk(kid: &str, x: &[u8]) -> serde_json::Value {
    serde_json::json!({"kty":"OKP","crv":"Ed25519","kid":kid,"x":b64u(x)})
}
fn with(mut j: serde_json::Value, name: &str, value: serde_json::Value) -> serde_json::Value {
    j[name] = value;
    j
}

fn jwks_cases() -> Vec<JwksCase> {
    let mut v = Vec::new();
    let ec = es().jwk_with_kid("ec1");
    let ed_k = ed().jwk_with_kid("ed1");
    let (x, y) = (
        ec["x"].as_str().expect("x").to_string(),
        ec["y"].as_str().expect("y").to_string(),
    );
    let x5c = serde_json::json!(["MIIBszCCAVmgAwIBAgIUJ+/fake+chain/AAAAAAAAAAAAAAAAAA=="]);
    let rsa = serde_json::json!({
        "kty":"RSA","kid":"rsa1","use":"sig","alg":"RS256",
        "n": b64u(&[0xC5u8; 256]), "e":"AQAB", "x5c": x5c.clone()
    });
    let enc = with(es2().jwk_with_kid("enc1"), "use", "enc".into());

    v.push(
        jcase(
            "enc key + RSA key with an x5c chain + one signing key",
            loaded(2, 1),
            jwks(&[enc.clone(), rsa.clone(), ec.clone()]),
        )
        .then(good_token(&es(), "ec1"), OK)
        .then(
            sign_raw(&es2(), &hdr("ES256", "enc1"), &claims_text()),
            jwk(JwkError::UnknownKid),
        )
        .then(good_token(&ed(), "ed1"), jwk(JwkError::UnknownKid)),
    );
    v.push(
        jcase(
            "EC signing key carrying an x5c chain is loaded (x5c unused)",
            loaded(3, 1),
            jwks(&[
                enc.clone(),
                rsa,
                with(with(ec.clone(), "x5c", x5c), "use", "sig".into()),
                ed_k.clone(),
            ]),
        )
        .then(good_token(&es(), "ec1"), OK)
        .then(good_token(&ed(), "ed1"), OK),
    );
    // Private and symmetric material: the whole set is refused, the old one stays.
    let d = b64u(&[0x42u8; 32]);
    v.push(jcase(
        "EC key with d",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[with(ec.clone(), "d", d.clone().into())]),
    ));
    v.push(jcase(
        "EC key with d after a good key",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[
            ed_k.clone(),
            with(es2().jwk_with_kid("ec2"), "d", d.clone().into()),
        ]),
    ));
    v.push(jcase(
        "OKP key with d",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[with(ed_k.clone(), "d", d.clone().into())]),
    ));
    v.push(jcase(
        "EC key with d spelled \\u0064",
        jwk_err(JwkError::KeyPrivate),
        add_member_to_jwks_key(&ec, &format!(r#""\u0064":"{d}""#)),
    ));
    v.push(jcase(
        "oct key with k",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[
            serde_json::json!({"kty":"oct","kid":"hmac","k":b64u(b"secret")}),
            ec.clone(),
        ]),
    ));
    v.push(jcase(
        "RSA key with p",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[
            serde_json::json!({"kty":"RSA","kid":"r","n":b64u(&[0xC5u8; 256]),"e":"AQAB","p":"AQAB"}),
            ec.clone(),
        ]),
    ));
    v.push(jcase(
        "enc key with d (skipping does not excuse private material)",
        jwk_err(JwkError::KeyPrivate),
        jwks(&[with(enc.clone(), "d", d.into()), ec.clone()]),
    ));
    // EC points and encodings.
    let mut y_bad = b64u_decode(&y);
    y_bad[31] ^= 1;
    v.push(jcase(
        "EC point not on the curve",
        jwk_err(JwkError::EcPointInvalid),
        jwks(&[ec_jwk("bad", &x, &b64u(&y_bad))]),
    ));
    v.push(jcase(
        "EC point (0, 0)",
        jwk_err(JwkError::EcPointInvalid),
        jwks(&[ec_jwk("bad", &b64u(&[0; 32]), &b64u(&[0; 32]))]),
    ));
    let x_bytes = b64u_decode(&x);
    v.push(jcase(
        "EC x of 31 bytes",
        jwk_err(JwkError::KeyLength),
        jwks(&[ec_jwk("bad", &b64u(&x_bytes[1..]), &y)]),
    ));
    v.push(jcase(
        "EC x of 33 bytes",
        jwk_err(JwkError::KeyLength),
        jwks(&[ec_jwk("bad", &b64u(&[&[0u8][..], &x_bytes].concat()), &y)]),
    ));
    v.push(jcase(
        "EC x padded",
        jwk_err(JwkError::KeyEncoding),
        jwks(&[ec_jwk("bad", &format!("{x}="), &y)]),
    ));
    v.push(jcase(
        "EC x in the standard alphabet",
        jwk_err(JwkError::KeyEncoding),
        jwks(&[ec_jwk("bad", &format!("+{}", &x[1..]), &y)]),
    ));
    v.push(jcase(
        "EC y missing",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[serde_json::json!({"kty":"EC","crv":"P-256","kid":"bad","x":x})]),
    ));
    v.push(jcase(
        "EC x a number",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[with(ec.clone(), "x", 5.into())]),
    ));
    v.push(jcase(
        "kty missing",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[serde_json::json!({"crv":"P-256","kid":"bad","x":x,"y":y})]),
    ));
    v.push(jcase(
        "kty a number",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[with(ec.clone(), "kty", 1.into())]),
    ));
    v.push(jcase(
        "use a number",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[with(ec.clone(), "use", 1.into())]),
    ));
    // Ed25519 weak and malformed keys.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut minus_one = [0xffu8; 32]; // y = p - 1 = 2^255 - 20: the point (0, -1) of order 2
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let mut p_plus_one = [0xffu8; 32]; // y = p + 1: a non-canonical identity
    p_plus_one[0] = 0xee;
    p_plus_one[31] = 0x7f;
    for (name, key) in [
        ("Ed25519 small-order key: identity (x = 0100..00)", identity),
        ("Ed25519 small-order key: y = 0 (order 4)", [0u8; 32]),
        ("Ed25519 small-order key: y = -1 (order 2)", minus_one),
        (
            "Ed25519 small-order key: non-canonical identity (y = p + 1)",
            p_plus_one,
        ),
    ] {
        v.push(jcase(
            name,
            jwk_err(JwkError::OkpKeyInvalid),
            jwks(&[ed_k.clone(), okp_jwk("weak", &key)]),
        ));
    }
    v.push(jcase(
        "Ed25519 x of 31 bytes",
        jwk_err(JwkError::KeyLength),
        jwks(&[okp_jwk("short", &[9u8; 31])]),
    ));
    // Skipped keys and empty sets.
    v.push(jcase(
        "unknown kty only",
        jwk_err(JwkError::NoUsableKeys),
        jwks(&[serde_json::json!({"kty":"XYZ","kid":"u","x":x})]),
    ));
    v.push(jcase(
        "empty keys array",
        jwk_err(JwkError::NoUsableKeys),
        jwks(&[]),
    ));
    v.push(jcase(
        "P-384 key only",
        jwk_err(JwkError::NoUsableKeys),
        jwks(&[with(ec.clone(), "crv", "P-384".into())]),
    ));
    v.push(jcase(
        "X25519 key only",
        jwk_err(JwkError::NoUsableKeys),
        jwks(&[with(ed_k.clone(), "crv", "X25519".into())]),
    ));
    v.push(jcase(
        "enc keys only",
        jwk_err(JwkError::NoUsableKeys),
        jwks(std::slice::from_ref(&enc)),
    ));
    let sign_only = with(
        es2().jwk_with_kid("ops"),
        "key_ops",
        serde_json::json!(["sign"]),
    );
    v.push(
        jcase(
            "key_ops without verify is skipped",
            loaded(1, 1),
            jwks(&[sign_only.clone(), ec.clone()]),
        )
        .then(good_token(&es(), "ec1"), OK)
        .then(
            sign_raw(&es2(), &hdr("ES256", "ops"), &claims_text()),
            jwk(JwkError::UnknownKid),
        ),
    );
    v.push(jcase(
        "key_ops without verify only",
        jwk_err(JwkError::NoUsableKeys),
        jwks(&[sign_only]),
    ));
    v.push(
        jcase(
            "key_ops with verify and use sig are loaded",
            loaded(1, 0),
            jwks(&[with(
                with(ec.clone(), "key_ops", serde_json::json!(["verify"])),
                "use",
                "sig".into(),
            )]),
        )
        .then(good_token(&es(), "ec1"), OK),
    );
    v.push(jcase(
        "key_ops not an array",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[with(ec.clone(), "key_ops", "verify".into())]),
    ));
    v.push(
        jcase(
            "EC key with alg EdDSA is skipped",
            loaded(1, 1),
            jwks(&[with(ec.clone(), "alg", "EdDSA".into()), ed_k.clone()]),
        )
        .then(good_token(&es(), "ec1"), jwk(JwkError::UnknownKid)),
    );
    v.push(
        jcase(
            "key with alg HS256 is skipped",
            loaded(1, 1),
            jwks(&[with(ec.clone(), "alg", "HS256".into()), ed_k.clone()]),
        )
        .then(good_token(&ed(), "ed1"), OK),
    );
    v.push(
        jcase(
            "EC key with alg ES256 refuses an EdDSA token under its kid",
            loaded(2, 0),
            jwks(&[with(ec.clone(), "alg", "ES256".into()), ed_k.clone()]),
        )
        .then(good_token(&es(), "ec1"), OK)
        .then(
            sign_raw(&ed(), &hdr("EdDSA", "ec1"), &claims_text()),
            jwk(JwkError::AlgKeyMismatch),
        ),
    );
    // Capacity: KeySet<8>.
    let n_keys = |n: u8| -> Vec<serde_json::Value> {
        (1..=n)
            .map(|i| Signer::es256(i).jwk_with_kid(&format!("k{i}")))
            .collect()
    };
    v.push(jcase(
        "9 usable keys into a KeySet<8>",
        Err(Error::Capacity(CapacityError::KeySetFull)),
        jwks(&n_keys(9)),
    ));
    let mut eight_plus = n_keys(8);
    eight_plus.extend([
        enc.clone(),
        enc.clone(),
        serde_json::json!({"kty":"RSA","use":"enc","n": b64u(&[0xC5u8; 256]),"e":"AQAB"}),
    ]);
    v.push(jcase(
        "EC members under kty RSA (no n, e): the set is refused",
        Err(Error::Jwk(JwkError::KeyMalformed)),
        jwks(&[with(ec.clone(), "kty", "RSA".into())]),
    ));
    v.push(
        jcase(
            "8 usable keys and 3 skipped into a KeySet<8>",
            loaded(8, 3),
            jwks(&eight_plus),
        )
        .then(good_token(&Signer::es256(8), "k8"), OK),
    );
    // Set structure.
    for (name, text) in [
        ("keys an object", r#"{"keys":{}}"#),
        ("keys a string", r#"{"keys":"[]"}"#),
        ("keys missing", r#"{"kys":[]}"#),
        ("keys element not an object", r#"{"keys":[1]}"#),
    ] {
        v.push(jcase(
            name,
            jwk_err(JwkError::SetMalformed),
            text.to_string(),
        ));
    }
    v.push(jcase(
        "JWKS a top-level array",
        Err(Error::Json(JsonError::NotObject)),
        serde_json::json!([ec]).to_string(),
    ));
    v.push(jcase(
        "JWKS with keys twice",
        Err(Error::Json(JsonError::DuplicateMember)),
        format!(r#"{{"keys":[{ec}],"keys":[]}}"#),
    ));
    v.push(jcase(
        "JWKS key with a duplicate escaped x",
        Err(Error::Json(JsonError::DuplicateMember)),
        add_member_to_jwks_key(&ec, &format!(r#""\u0078":"{x}""#)),
    ));
    v.push(jcase(
        "JWKS nested deeper than 8",
        Err(Error::Json(JsonError::DepthExceeded)),
        jwks(&[with(
            ec.clone(),
            "ext",
            serde_json::from_str(&nested(7)).expect("json"),
        )]),
    ));
    // kid length.
    let long_kid = "k".repeat(MAX_KID_LEN + 1);
    v.push(jcase(
        "kid longer than MAX_KID_LEN",
        jwk_err(JwkError::KidTooLong),
        jwks(&[es().jwk_with_kid(&long_kid)]),
    ));
    let max_kid = "k".repeat(MAX_KID_LEN);
    v.push(
        jcase(
            "kid of exactly MAX_KID_LEN",
            loaded(1, 0),
            jwks(&[es().jwk_with_kid(&max_kid)]),
        )
        .then(good_token(&es(), &max_kid), OK),
    );
    v.push(
        jcase(
            "kid of MAX_KID_LEN after unescaping, longer escaped",
            loaded(1, 0),
            add_member_to_jwks_key(
                &es().public_jwk(),
                &format!(r#""kid":"{}""#, "\\u006b".repeat(MAX_KID_LEN)),
            ),
        )
        .then(good_token(&es(), &max_kid), OK),
    );
    v.push(jcase(
        "kid a number",
        jwk_err(JwkError::KeyMalformed),
        jwks(&[with(ec, "kid", 1.into())]),
    ));
    let filler = "x".repeat(JWKS_LIMITS.max_len);
    v.push(jcase(
        "JWKS larger than JWKS_LIMITS.max_len",
        Err(Error::Json(JsonError::TooLarge)),
        jwks(&[
            es().jwk_with_kid("ec1"),
            serde_json::json!({"kty":"XYZ","pad":filler}),
        ]),
    ));
    v
}

/// A one-key JWKS whose key gets extra raw member text.
fn add_member_to_jwks_key(key: &serde_json::Value, member: &str) -> String {
    format!(r#"{{"keys":[{}]}}"#, add_member(&key.to_string(), member))
}

#[test]
fn jwks_load_cases() {
    let cases = jwks_cases();
    let failures = run_all(&cases, |c| &c.name, run_jwks_case);
    report("JWKS cases", cases.len(), 52, &failures);
}

// ---------------------------------------------------------------------------------------------
// Configuration misuse cases.

struct ConfigCase {
    name: &'static str,
    want: Want,
    build: fn() -> Result<Config<'static>, Error>,
}

fn config_cases() -> Vec<ConfigCase> {
    vec![
        ConfigCase {
            name: "empty issuer",
            want: misuse(MisuseError::EmptyIssuer),
            build: || Config::builder("", AUD, all_algs()).build(),
        },
        ConfigCase {
            name: "empty issuer and audience reports the issuer",
            want: misuse(MisuseError::EmptyIssuer),
            build: || Config::builder("", "", all_algs()).build(),
        },
        ConfigCase {
            name: "empty audience",
            want: misuse(MisuseError::EmptyAudience),
            build: || Config::builder(ISS, "", all_algs()).build(),
        },
        ConfigCase {
            name: "empty allowlist (AlgSet::EMPTY)",
            want: misuse(MisuseError::EmptyAllowlist),
            build: || Config::builder(ISS, AUD, AlgSet::EMPTY).build(),
        },
        ConfigCase {
            name: "empty allowlist (AlgSet::of(&[]))",
            want: misuse(MisuseError::EmptyAllowlist),
            build: || Config::builder(ISS, AUD, AlgSet::of(&[])).build(),
        },
        ConfigCase {
            name: "PS256 in the allowlist",
            want: OK,
            build: || Config::builder(ISS, AUD, AlgSet::of(&[Alg::Es256, Alg::Ps256])).build(),
        },
        ConfigCase {
            name: "PS256 alone",
            want: OK,
            build: || Config::builder(ISS, AUD, AlgSet::of(&[Alg::Ps256])).build(),
        },
        ConfigCase {
            name: "RS256 in the allowlist",
            want: OK,
            build: || Config::builder(ISS, AUD, AlgSet::of(&[Alg::Rs256, Alg::EdDsa])).build(),
        },
        ConfigCase {
            name: "leeway 60",
            want: OK,
            build: || Config::builder(ISS, AUD, all_algs()).leeway(60).build(),
        },
        ConfigCase {
            name: "leeway 61 without unsafe",
            want: misuse(MisuseError::LeewayTooLarge),
            build: || Config::builder(ISS, AUD, all_algs()).leeway(61).build(),
        },
        ConfigCase {
            name: "leeway u32::MAX without unsafe",
            want: misuse(MisuseError::LeewayTooLarge),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .leeway(u32::MAX)
                    .build()
            },
        },
        ConfigCase {
            name: "leeway 61 with unsafe_allow_large_leeway",
            want: OK,
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .leeway(61)
                    .unsafe_allow_large_leeway()
                    .build()
            },
        },
        ConfigCase {
            name: "leeway 0",
            want: OK,
            build: || Config::builder(ISS, AUD, all_algs()).leeway(0).build(),
        },
        ConfigCase {
            name: "max_token_len 15",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .max_token_len(15)
                    .build()
            },
        },
        ConfigCase {
            name: "max_token_len 16",
            want: OK,
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .max_token_len(16)
                    .build()
            },
        },
        ConfigCase {
            name: "claims depth 0",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .claims_limits(JsonLimits {
                        max_depth: 0,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "claims depth MAX_DEPTH_CAP + 1",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .claims_limits(JsonLimits {
                        max_depth: MAX_DEPTH_CAP + 1,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "claims depth MAX_DEPTH_CAP",
            want: OK,
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .claims_limits(JsonLimits {
                        max_depth: MAX_DEPTH_CAP,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "header members MAX_MEMBERS_CAP + 1",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .header_limits(JsonLimits {
                        max_members: MAX_MEMBERS_CAP + 1,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "header members 0",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .header_limits(JsonLimits {
                        max_members: 0,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "header max_len 1",
            want: misuse(MisuseError::LimitOutOfRange),
            build: || {
                Config::builder(ISS, AUD, all_algs())
                    .header_limits(JsonLimits {
                        max_len: 1,
                        ..JsonLimits::DEFAULT
                    })
                    .build()
            },
        },
        ConfigCase {
            name: "the test configuration",
            want: OK,
            build: || Ok(config()),
        },
    ]
}

#[test]
fn config_misuse_cases() {
    let cases = config_cases();
    let failures = run_all(
        &cases,
        |c| c.name,
        |c| {
            let got = (c.build)().map(|_| ());
            if got == c.want {
                vec![]
            } else {
                vec![format!("expected {:?}, got {got:?}", c.want)]
            }
        },
    );
    report("config cases", cases.len(), 22, &failures);
}
