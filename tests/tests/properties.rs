//! Invariants as property tests, over inputs drawn from a seeded generator (hand-rolled
//! SplitMix64: deterministic, no new dependency; a failure prints the seed and the input):
//!
//! 1. the decision never allows a request whose token fails signature verification: signed
//!    tokens (ES256 and Ed25519 issuers, bearer and DPoP-bound) are mutated at random — bit
//!    flips, base64url character swaps, truncation and extension, segment swaps, header and
//!    payload rewrites that keep the old signature, re-signing by another key under the same
//!    `kid` — and whenever `fapi_core::jws::verify` refuses a mutant, the decision on a request
//!    carrying it (with a valid proof whose `ath` is the mutant's) must not be `Allow`, even
//!    after the original token went through and filled the token cache;
//! 2. the same proof is never allowed twice: random sequences of requests drawn with repetition
//!    from a pool of proofs (several holders, shared and distinct `jti`s, over two contexts of
//!    one verifier, and then from threads) allow each (key, `jti`) pair at most once, and allow
//!    every pair that was presented fresh;
//! 3. `htu` normalisation is idempotent and equal inputs compare equal: for URIs built from
//!    RFC 3986 pieces (and for random bytes), `normalize(normalize(u)) == normalize(u)`,
//!    `check(u, normalize(u))` passes, `check` agrees with comparing normal forms, and a
//!    variant of `u` made equivalent by the RFC 3986 §6.2.2/§6.2.3 rules (case of scheme and
//!    host, default port, percent-encoded unreserved characters, hex case, dot segments,
//!    query, fragment) has the same normal form.

use fapi_core::htu;
use fapi_core::json::JsonLimits;
use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_core::jws::{self, Alg, AlgSet, TypRule, VerifyParams};
use fapi_core::request::{Context, Decision, Request};
use fapi_tests::dpop::{URL, pf};
use fapi_tests::{
    Fixture, NOW, Signer, b64u, dpop_token, good_claims, header, jwks, request, sign_raw,
};
use std::collections::HashMap;

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SEED: u64 = 0x5EED_F0A9_2026;
const KID: &str = "k1";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn decide_one(f: &Fixture, ctx: &mut Context, auth: &str, proof: Option<&str>) -> bool {
    let a = [auth.as_bytes()];
    let p: Vec<&[u8]> = proof.iter().map(|p| p.as_bytes()).collect();
    let req: Request<'_> = request(&a, &p);
    matches!(f.verifier().decide(ctx, &req), Decision::Allow(_))
}

/// `jws::verify` with the policy's token settings (ES256, EdDSA, Ed25519; `typ` `at+jwt`).
fn jws_verifies(keys: &KeySet<4>, token: &str) -> bool {
    let limits = JsonLimits {
        max_len: 1024,
        ..JsonLimits::DEFAULT
    };
    let params = VerifyParams {
        max_token_len: 8192,
        header_limits: &limits,
        allowed: AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519]),
        typ: Some(TypRule {
            expected: "at+jwt",
            allow_plain_jwt: false,
        }),
    };
    let (mut h, mut s) = ([0u8; 1024], [0u8; jws::MAX_SIGNATURE_LEN]);
    jws::verify(token.as_bytes(), keys.keys(), &params, &mut h, &mut s, 6144).is_ok()
}

/// One random mutation of a compact JWS (as text; may be anything).
fn mutate(rng: &mut Rng, token: &str, issuer: &Signer, other: &Signer) -> String {
    let segs: Vec<&str> = token.split('.').collect();
    let mut b = token.as_bytes().to_vec();
    match rng.below(9) {
        0 => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
            String::from_utf8_lossy(&b).into_owned()
        }
        1 => {
            let i = rng.below(b.len());
            b[i] = *rng.pick(B64URL);
            String::from_utf8_lossy(&b).into_owned()
        }
        2 => token[..rng.below(token.len())].to_string(),
        3 => format!(
            "{token}{}",
            *rng.pick(&["A", "AA", "AAA", "=", ".", ".x", "_"])
        ),
        4 => {
            // Another payload under the old signature.
            let mut c = good_claims();
            c[*rng.pick(&["sub", "scope", "exp", "aud"])] = "changed".into();
            format!("{}.{}.{}", segs[0], b64u(c.to_string().as_bytes()), segs[2])
        }
        5 => {
            // Another header under the old signature.
            let h = *rng.pick(&[
                r#"{"alg":"ES256","typ":"at+jwt","kid":"k1"}"#,
                r#"{"alg":"EdDSA","typ":"at+jwt","kid":"k1"}"#,
                r#"{"alg":"ES256","typ":"at+jwt","kid":"k1","x":1}"#,
                r#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#,
            ]);
            format!("{}.{}.{}", b64u(h.as_bytes()), segs[1], segs[2])
        }
        6 => {
            // Signed by another key under the issuer's kid.
            let h = header(other, KID);
            let payload = String::from_utf8(fapi_tests::b64u_decode(segs[1])).expect("utf8");
            sign_raw(other, &h, &payload)
        }
        7 => {
            // The signature of another token of the same issuer.
            let mut c = good_claims();
            c["jti"] = format!("other-{}", rng.next()).into();
            let t2 = sign_raw(issuer, &header(issuer, KID), &c.to_string());
            let s2 = t2.rsplit('.').next().expect("segment").to_string();
            format!("{}.{}.{s2}", segs[0], segs[1])
        }
        _ => {
            // Two flips.
            for _ in 0..2 {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(7);
            }
            String::from_utf8_lossy(&b).into_owned()
        }
    }
}

#[test]
fn a_token_failing_signature_verification_is_never_allowed() {
    let mut rng = Rng(SEED);
    let holder = Signer::es256(9);
    let mut refused = 0;
    let mut allowed_originals = 0;
    for (issuer, other) in [
        (Signer::es256(1), Signer::es256(2)),
        (Signer::ed25519(1), Signer::ed25519(2)),
    ] {
        let f = Fixture::new(&[(&issuer, KID)], |b| b);
        let mut keys = KeySet::<4>::new();
        keys.load(jwks(&[issuer.jwk_with_kid(KID)]).as_bytes(), &JWKS_LIMITS)
            .expect("keys");
        let mut ctx = Box::new(Context::new());
        let bearer = sign_raw(&issuer, &header(&issuer, KID), &good_claims().to_string());
        let bound = dpop_token(&issuer, KID, &holder);
        for round in 0..150 {
            let dpop = round % 2 == 1;
            let original = if dpop { &bound } else { &bearer };
            let proof_for = |t: &str, n: u64| pf(&holder, URL, Some(t), &format!("jti-{n}")).sign();
            // The original goes through first (and fills the token cache).
            let ok = if dpop {
                decide_one(
                    &f,
                    &mut ctx,
                    &format!("DPoP {original}"),
                    Some(&proof_for(original, rng.next())),
                )
            } else {
                decide_one(&f, &mut ctx, &format!("Bearer {original}"), None)
            };
            assert!(ok, "the unmutated token is allowed");
            allowed_originals += 1;
            for _ in 0..4 {
                let m = mutate(&mut rng, original, &issuer, &other);
                if m == *original || jws_verifies(&keys, &m) {
                    continue;
                }
                refused += 1;
                let allowed = if dpop {
                    decide_one(
                        &f,
                        &mut ctx,
                        &format!("DPoP {m}"),
                        Some(&proof_for(&m, rng.next())),
                    )
                } else {
                    decide_one(&f, &mut ctx, &format!("Bearer {m}"), None)
                };
                assert!(
                    !allowed,
                    "seed {SEED:#x}: jws::verify refuses this token, the decision allowed it: {m}"
                );
            }
        }
    }
    // The property was exercised, not vacuous.
    assert_eq!(allowed_originals, 300);
    assert!(refused > 1000, "only {refused} refused mutants");
    println!("{refused} mutants refused by jws::verify, none allowed by the decision");
}

/// The property over one verifier: for `rounds` requests drawn from `pool`, each (holder, jti)
/// pair is allowed at most once and every pair presented was allowed once.
#[test]
fn the_same_proof_is_never_allowed_twice() {
    let mut rng = Rng(SEED ^ 1);
    let issuer = Signer::es256(1);
    let holders = [Signer::es256(11), Signer::ed25519(12), Signer::es256(13)];
    let f = Fixture::new(&[(&issuer, KID)], |b| b);
    let tokens: Vec<String> = holders
        .iter()
        .map(|h| dpop_token(&issuer, KID, h))
        .collect();
    // A pool with shared jtis across holders (different pairs) and several proofs per pair
    // (different htm/iat spellings of the same (key, jti)).
    let mut pool: Vec<(usize, String, String)> = Vec::new(); // (holder, jti, proof)
    for j in 0..40 {
        let jti = format!("jti-{}", j % 25);
        let hi = rng.below(holders.len());
        for variant in 0..2 {
            let p = pf(&holders[hi], URL, Some(&tokens[hi]), &jti)
                .claim("iat", NOW - variant * 5)
                .sign();
            pool.push((hi, jti.clone(), p));
        }
    }
    let mut ctxs = [Box::new(Context::new()), Box::new(Context::new())];
    let mut allowed: HashMap<(usize, String), usize> = HashMap::new();
    for _ in 0..600 {
        let (hi, jti, p) = rng.pick(&pool).clone();
        let ctx = &mut ctxs[rng.below(2)];
        if decide_one(&f, ctx, &format!("DPoP {}", tokens[hi]), Some(&p)) {
            *allowed.entry((hi, jti)).or_default() += 1;
        }
    }
    let presented: std::collections::HashSet<(usize, String)> =
        pool.iter().map(|(h, j, _)| (*h, j.clone())).collect();
    for (pair, n) in &allowed {
        assert_eq!(*n, 1, "seed {SEED:#x}: pair {pair:?} allowed {n} times");
    }
    // 600 draws from 80 proofs: every pair came up; each was allowed exactly once.
    assert_eq!(
        allowed.len(),
        presented.len(),
        "every fresh pair is allowed once"
    );
    println!(
        "600 requests over {} proofs: {} pairs, each allowed once",
        pool.len(),
        allowed.len()
    );

    // The same from threads: every proof of a fresh pool sent by 4 threads at once.
    let fresh: Vec<(usize, String, String)> = (0..60)
        .map(|j| {
            let hi = j % holders.len();
            let jti = format!("threaded-{j}");
            let p = pf(&holders[hi], URL, Some(&tokens[hi]), &jti).sign();
            (hi, jti, p)
        })
        .collect();
    let counts: Vec<std::sync::atomic::AtomicUsize> = (0..fresh.len())
        .map(|_| std::sync::atomic::AtomicUsize::new(0))
        .collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (f, fresh, tokens, counts) = (&f, &fresh, &tokens, &counts);
            s.spawn(move || {
                let mut ctx = Box::new(Context::new());
                for i in 0..fresh.len() {
                    let k = (i * (2 * t + 1)) % fresh.len();
                    let (hi, _, p) = &fresh[k];
                    if decide_one(f, &mut ctx, &format!("DPoP {}", tokens[*hi]), Some(p)) {
                        counts[k].fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let mut total = 0;
    for (k, c) in counts.iter().enumerate() {
        let n = c.load(std::sync::atomic::Ordering::SeqCst);
        assert!(n <= 1, "threaded proof {k} allowed {n} times");
        total += n;
    }
    // A racer may fail closed (replay_busy) but never accept: at most one each, most once.
    assert!(
        total >= fresh.len() / 2,
        "only {total} of {} allowed",
        fresh.len()
    );
    println!(
        "4 threads x {} proofs: {total} allowed, none twice",
        fresh.len()
    );
}

// ---------------------------------------------------------------------------------------------
// htu.

const UNRESERVED: &[u8] = b"abcxyzABCXYZ0189-._~";
const SUB_DELIMS: &[u8] = b"!$&'()*+,;=";

/// A random URI from RFC 3986 pieces (http/https, mostly valid) and an equivalent variant.
fn uri_pair(rng: &mut Rng) -> (String, String) {
    let scheme = *rng.pick(&["http", "https"]);
    let host = rng
        .pick(&[
            "rs.example.com",
            "a-b.example",
            "127.0.0.1",
            "[::1]",
            "x",
            "xn--bcher-kva.example",
        ])
        .to_string();
    let default_port = if scheme == "http" { "80" } else { "443" };
    let port = match rng.below(4) {
        0 => String::new(),
        1 => format!(":{}", 1 + rng.below(65535)),
        2 => ":8443".to_string(),
        _ => format!(":{default_port}"),
    };
    let mut segs: Vec<String> = Vec::new();
    for _ in 0..rng.below(5) {
        let mut s = String::new();
        for _ in 0..rng.below(6) {
            match rng.below(6) {
                0..=2 => s.push(*rng.pick(UNRESERVED) as char),
                3 => s.push(*rng.pick(SUB_DELIMS) as char),
                4 => s.push(*rng.pick(&[':', '@'])),
                _ => s.push_str(&format!("%{:02X}", rng.below(256))),
            }
        }
        if rng.chance(10) {
            s = rng.pick(&[".", ".."]).to_string();
        }
        segs.push(s);
    }
    let path = if segs.is_empty() && rng.chance(50) {
        String::new()
    } else {
        format!("/{}", segs.join("/"))
    };
    let u = format!("{scheme}://{host}{port}{path}");

    // The equivalent variant.
    let mut v_scheme = scheme.to_string();
    let mut v_host = host.clone();
    let mut v_port = port.clone();
    let mut v_path = path.clone();
    let mut tail = String::new();
    for _ in 0..1 + rng.below(3) {
        match rng.below(7) {
            0 => v_scheme = v_scheme.to_uppercase(),
            1 => v_host = v_host.to_uppercase(),
            2 if port.is_empty() => v_port = format!(":{default_port}"),
            3 => v_path = encode_one_unreserved(rng, &v_path),
            4 => v_path = lower_hex(&v_path),
            5 => {
                v_path = format!(
                    "{}{}",
                    rng.pick(&["/.", "/x/..", "/./y/.."]),
                    if v_path.is_empty() { "/" } else { &v_path }
                )
            }
            _ => tail = rng.pick(&["?q=1", "#f", "?a=%20&b#c", "?"]).to_string(),
        }
    }
    (u, format!("{v_scheme}://{v_host}{v_port}{v_path}{tail}"))
}

/// The byte offsets of the unreserved characters of `path` outside percent-encodings.
fn unreserved_offsets(path: &str) -> Vec<usize> {
    let b = path.as_bytes();
    let (mut i, mut v) = (0, Vec::new());
    while i < b.len() {
        if b[i] == b'%' {
            i += 3;
            continue;
        }
        if b[i].is_ascii_alphanumeric() || b"-._~".contains(&b[i]) {
            v.push(i);
        }
        i += 1;
    }
    v
}

/// `path` with one unreserved character percent-encoded (RFC 3986 §6.2.2.2: equivalent).
fn encode_one_unreserved(rng: &mut Rng, path: &str) -> String {
    let offsets = unreserved_offsets(path);
    if offsets.is_empty() {
        return path.to_string();
    }
    let i = *rng.pick(&offsets);
    format!(
        "{}%{:02X}{}",
        &path[..i],
        path.as_bytes()[i],
        &path[i + 1..]
    )
}

/// Lowercases the hex digits of every percent-encoding (RFC 3986 §6.2.2.1: equivalent).
fn lower_hex(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push('%');
            out.push_str(&s[i + 1..i + 3].to_lowercase());
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn norm(u: &[u8]) -> Option<Vec<u8>> {
    let mut out = [0u8; htu::MAX_URI_LEN];
    htu::normalize(u, &mut out).ok().map(<[u8]>::to_vec)
}

fn check(u: &[u8], expected: &[u8]) -> bool {
    let mut scratch = [0u8; htu::MAX_URI_LEN];
    htu::check(u, expected, &mut scratch).is_ok()
}

#[test]
fn htu_normalisation_is_idempotent_and_equal_inputs_compare_equal() {
    let mut rng = Rng(SEED ^ 2);
    let mut normalised = 0;
    for i in 0..4000 {
        let (u, v) = uri_pair(&mut rng);
        let Some(n) = norm(u.as_bytes()) else {
            // Refused (e.g. a dot segment spelled in an IP literal's place): the variant of a
            // refused URI is not compared.
            continue;
        };
        normalised += 1;
        let show = |x: &[u8]| String::from_utf8_lossy(x).into_owned();
        assert_eq!(
            norm(&n).as_deref(),
            Some(n.as_slice()),
            "case {i}: normalize is not idempotent on {u} -> {}",
            show(&n)
        );
        assert!(
            check(u.as_bytes(), &n),
            "case {i}: check({u}, normalize({u})) fails"
        );
        let nv = norm(v.as_bytes());
        assert_eq!(
            nv.as_deref(),
            Some(n.as_slice()),
            "case {i}: {v} (equivalent to {u}) normalises to {:?}, not {}",
            nv.as_deref().map(show),
            show(&n)
        );
        assert!(
            check(v.as_bytes(), &n),
            "case {i}: check({v}, normalize({u})) fails"
        );
        // check agrees with comparing normal forms, for an unrelated URI too.
        let (w, _) = uri_pair(&mut rng);
        assert_eq!(
            check(w.as_bytes(), &n),
            norm(w.as_bytes()).as_deref() == Some(n.as_slice()),
            "case {i}: check({w}, normalize({u})) disagrees with the normal forms"
        );
    }
    assert!(normalised > 2500, "only {normalised} URIs normalised");
    println!("{normalised} URIs and their equivalent variants normalise alike");

    // Random bytes (mostly refused): whatever normalises is a fixed point.
    let alphabet = b"htps:/%2Fa.-_~?#@[]:1 \x00\xff\\";
    for i in 0..20000 {
        let len = rng.below(40);
        let mut u: Vec<u8> = Vec::new();
        if rng.chance(70) {
            let prefixes: [&[u8]; 3] = [b"https://", b"http://", b"HTTP://h"];
            let prefix = prefixes[rng.below(prefixes.len())];
            u.extend_from_slice(prefix);
        }
        for _ in 0..len {
            u.push(*rng.pick(alphabet));
        }
        if let Some(n) = norm(&u) {
            assert_eq!(
                norm(&n).as_deref(),
                Some(n.as_slice()),
                "bytes {i}: normalize is not idempotent on {:?}",
                String::from_utf8_lossy(&u)
            );
            assert!(check(&u, &n));
        }
    }
    // The request side: every expected htu built from a base and a target is a normal form.
    let base = htu::PublicBase::parse("https://rs.example.com:8443/v1").expect("base");
    for _ in 0..2000 {
        let (u, _) = uri_pair(&mut rng);
        let target = u
            .split_once("//")
            .map_or("/", |(_, r)| r.find('/').map_or("/", |i| &r[i..]));
        let mut out = [0u8; htu::MAX_URI_LEN];
        if let Ok(e) = htu::expected_htu(&base, target.as_bytes(), &mut out) {
            let e = e.to_vec();
            assert_eq!(
                norm(&e).as_deref(),
                Some(e.as_slice()),
                "expected_htu({target})"
            );
        }
    }
}
