//! The named cases of the per-request decision (`Verifier::decide`): `htu` normalisation,
//! proof claims and header, replay, schemes and credentials, `cnf` bindings, modes, nonces,
//! the token cache, scopes, client certificates, the exact `WWW-Authenticate` challenges, the
//! two-phase external replay store and the standalone `Verifier::check_proof`.
//!
//! The table cases each get a fresh [`Fixture`] and have exactly one expected outcome: `Allow`
//! (optionally with the binding, cache hit and `DPoP-Nonce` asserted) or `Deny` with one exact
//! [`Error`] (optionally with status, challenge and nonce). The runner also checks one invariant
//! on every case: only an allowed DPoP request records a (key, `jti`) pair in the replay table.
//! Every case runs (a panic is caught and reported as that case's result), every mismatch is
//! collected, and the table fails once, listing each failing case with expected and actual
//! results. Multi-step scenarios (replay, nonce rotation, cache and key rotation, replay-table
//! capacity, the external store, `check_proof`) are separate `#[test]` functions.

use fapi_core::Error;
use fapi_core::cache::CacheView;
use fapi_core::error::{
    CapacityError, ClaimsError, DpopError, JwkError, JwsError, MisuseError, MtlsError, ProofDefect,
    RequestError,
};
use fapi_core::htu::PublicBase;
use fapi_core::jws::{Alg, AlgSet};
use fapi_core::keystore::KeyStore;
use fapi_core::mtls::CertEncoding;
use fapi_core::nonce::NonceKeys;
use fapi_core::policy::{Mode, Policy, PolicyBuilder};
use fapi_core::replay::ReplayTable;
use fapi_core::request::{
    Binding, CertSource, ClientCert, Context, Decision, ReplayOutcome, ReplayStore, Request,
    Verifier,
};
use fapi_tests::cases::{
    bad_signature, claims_with_cnf, holder, holder_ed, holder_jwk_with, holder_private_jwk,
    jkt_bytes, malleate, other,
};
use fapi_tests::certs::{
    RFC7517_B_CERT_B64, RFC7517_B_X5T_S256, RFC7517_B_X5T_SHA1, cert_der, cert_x5t,
    client_cert_header_of, escaped_pem_of, other_cert_der, pem_of, std_b64_encode,
};
use fapi_tests::dpop::{self, ALGS, LEEWAY, MAX_AGE, NONCE_SECRET, Proof, SLOT, URL};
use fapi_tests::harness::{report, run_all};
use fapi_tests::req::{Req, ReqFields};
use fapi_tests::{
    BASE, Fixture, NOW, Signer, b64u, b64u_decode, config, dpop_token, good_claims, good_token,
    header, hex, jkt, jwks, leak, proof, sha256_b64u, sign_raw,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// Keys, tokens and proofs.

/// The key id of the issuer key in every fixture.
const KID: &str = "k1";

fn issuer() -> Signer {
    Signer::es256(1)
}

fn dpop_binding(s: &Signer) -> Binding {
    Binding::Dpop { jkt: jkt_bytes(s) }
}

/// A token signed by the fixture issuer with exactly these claims.
fn token_with(claims: &Value) -> String {
    let iss = issuer();
    sign_raw(&iss, &header(&iss, KID), &claims.to_string())
}
/// A token bound to `holder` by `cnf.jkt`.
fn bound_token(holder: &Signer) -> String {
    dpop_token(&issuer(), KID, holder)
}
/// An unbound (bearer) token.
fn bearer_token() -> String {
    good_token(&issuer(), KID)
}
/// A token bound by `cnf["x5t#S256"]`.
fn x5t_token(x5t: &str) -> String {
    token_with(&claims_with_cnf(json!({ "x5t#S256": x5t })))
}

/// The standard proof with `jti` `"jti-1"` (see [`dpop::pf`]).
fn pf(signer: &Signer, htu: &str, token: Option<&str>) -> Proof {
    dpop::pf(signer, htu, token, "jti-1")
}

/// The nonce of slot `t / 60` under [`NONCE_SECRET`].
fn nonce_at(t: u64) -> String {
    dpop::nonce_at(&NONCE_SECRET, t)
}

/// The binding of the RFC 7517 Appendix B certificate (RFC 8705 cases).
fn mtls_binding() -> Binding {
    Binding::Mtls {
        x5t_s256: cert_x5t(),
    }
}

// ---------------------------------------------------------------------------------------------
// Requests ([`Req`], borrowed by [`decide`] into a [`Request`], is `fapi_tests::req::Req`).

/// `DPoP <token>` with one `DPoP` field.
fn dpop_req(token: &str, proof: &str) -> Req {
    Req::new().dpop_req(token, proof)
}
/// `Bearer <token>`, no `DPoP` field.
fn bearer_req(token: &str) -> Req {
    Req::new().bearer(token)
}

fn new_ctx() -> Box<Context> {
    Box::new(Context::new())
}

fn decide<'c>(v: &Verifier<'_>, ctx: &'c mut Context, r: &Req) -> Decision<'c> {
    let auth: Vec<&[u8]> = r.auth.iter().map(Vec::as_slice).collect();
    let dpop: Vec<&[u8]> = r.dpop.iter().map(Vec::as_slice).collect();
    let scopes: Vec<&str> = r.scopes.iter().map(String::as_str).collect();
    let client_cert = r.cert.as_ref().map(|(bytes, encoding)| ClientCert {
        bytes,
        encoding: *encoding,
        source: if *encoding == CertEncoding::Der {
            CertSource::TlsStack
        } else {
            CertSource::TrustedProxy
        },
    });
    let req = Request {
        method: &r.method,
        target: &r.target,
        base: r.base,
        authorization: &auth,
        dpop: &dpop,
        client_cert,
        required_scopes: &scopes,
        now: r.now,
        introspection: None,
    };
    v.decide(ctx, &req)
}

// ---------------------------------------------------------------------------------------------
// Expected outcomes.

#[derive(Clone, Debug)]
enum Want {
    Allow {
        binding: Option<Binding>,
        cache_hit: Option<bool>,
        /// `Some(x)`: `Allow::dpop_nonce()` must be `x`.
        nonce: Option<Option<String>>,
    },
    Deny {
        error: Error,
        status: Option<u16>,
        challenge: Option<String>,
        /// `Some(x)`: `Deny::dpop_nonce()` must be `x`.
        nonce: Option<Option<String>>,
    },
}

fn allow() -> Want {
    Want::Allow {
        binding: None,
        cache_hit: None,
        nonce: None,
    }
}
fn deny(e: impl Into<Error>) -> Want {
    Want::Deny {
        error: e.into(),
        status: None,
        challenge: None,
        nonce: None,
    }
}
fn proof_jws(e: JwsError) -> Want {
    deny(Error::Proof(ProofDefect::Jws(e)))
}
fn proof_jwk(e: JwkError) -> Want {
    deny(Error::Proof(ProofDefect::Jwk(e)))
}
/// Allowed with `Binding::Dpop` of [`holder`].
fn ok_dpop() -> Want {
    allow().binding(dpop_binding(&holder()))
}

impl Want {
    fn binding(mut self, b: Binding) -> Self {
        if let Self::Allow { binding, .. } = &mut self {
            *binding = Some(b);
        }
        self
    }
    fn cache_hit(mut self, h: bool) -> Self {
        if let Self::Allow { cache_hit, .. } = &mut self {
            *cache_hit = Some(h);
        }
        self
    }
    fn nonce(mut self, n: Option<&str>) -> Self {
        let n = Some(n.map(str::to_string));
        match &mut self {
            Self::Allow { nonce, .. } | Self::Deny { nonce, .. } => *nonce = n,
        }
        self
    }
    fn status(mut self, s: u16) -> Self {
        if let Self::Deny { status, .. } = &mut self {
            *status = Some(s);
        }
        self
    }
    fn challenge(mut self, c: &str) -> Self {
        if let Self::Deny { challenge, .. } = &mut self {
            *challenge = Some(c.to_string());
        }
        self
    }
    fn is_dpop_allow(&self) -> bool {
        matches!(
            self,
            Self::Allow {
                binding: Some(Binding::Dpop { .. } | Binding::Both { .. }),
                ..
            }
        )
    }
}

fn describe(d: &Decision<'_>) -> String {
    match d {
        Decision::Allow(a) => format!(
            "Allow(binding {:?}, cache_hit {}, nonce {:?})",
            a.binding(),
            a.cache_hit(),
            a.dpop_nonce()
        ),
        Decision::Deny(x) => format!(
            "Deny({:?}, status {}, challenge {:?}, nonce {:?})",
            x.error(),
            x.status(),
            x.www_authenticate(),
            x.dpop_nonce()
        ),
        Decision::NeedsReplayCheck(c) => {
            format!("NeedsReplayCheck(key {}, expiry {})", c.key(), c.expiry())
        }
    }
}

/// The mismatches between a decision and the expected outcome.
fn check(d: &Decision<'_>, want: &Want) -> Vec<String> {
    let mut out = Vec::new();
    match (d, want) {
        (
            Decision::Allow(a),
            Want::Allow {
                binding,
                cache_hit,
                nonce,
            },
        ) => {
            if let Some(b) = binding
                && a.binding() != *b
            {
                out.push(format!("binding: expected {b:?}, got {:?}", a.binding()));
            }
            if let Some(h) = cache_hit
                && a.cache_hit() != *h
            {
                out.push(format!("cache_hit: expected {h}, got {}", a.cache_hit()));
            }
            if let Some(n) = nonce
                && a.dpop_nonce() != n.as_deref()
            {
                out.push(format!(
                    "dpop_nonce: expected {n:?}, got {:?}",
                    a.dpop_nonce()
                ));
            }
        }
        (
            Decision::Deny(x),
            Want::Deny {
                error,
                status,
                challenge,
                nonce,
            },
        ) => {
            if x.error() != *error {
                out.push(format!("expected Deny({error:?}), got {}", describe(d)));
            }
            if let Some(s) = status
                && x.status() != *s
            {
                out.push(format!("status: expected {s}, got {}", x.status()));
            }
            if let Some(c) = challenge
                && x.www_authenticate() != c
            {
                out.push(format!(
                    "WWW-Authenticate: expected {c:?}, got {:?}",
                    x.www_authenticate()
                ));
            }
            if let Some(n) = nonce
                && x.dpop_nonce() != n.as_deref()
            {
                out.push(format!(
                    "dpop_nonce: expected {n:?}, got {:?}",
                    x.dpop_nonce()
                ));
            }
        }
        (_, w) => out.push(format!("expected {w:?}, got {}", describe(d))),
    }
    out
}

/// Decides `r` and panics (naming `step`) unless the outcome is `want`.
fn expect(v: &Verifier<'_>, ctx: &mut Context, r: &Req, want: &Want, step: &str) {
    let d = decide(v, ctx, r);
    let failures = check(&d, want);
    assert!(failures.is_empty(), "{step}: {}", failures.join("; "));
}

// ---------------------------------------------------------------------------------------------
// The case table.

type Build = fn(PolicyBuilder<'static>) -> PolicyBuilder<'static>;

struct Case {
    name: String,
    policy: Build,
    setup: Option<fn(&Fixture)>,
    req: Req,
    want: Want,
}

fn case(name: impl Into<String>, req: Req, want: Want) -> Case {
    Case {
        name: name.into(),
        policy: |b| b,
        setup: None,
        req,
        want,
    }
}

impl Case {
    fn policy(mut self, p: Build) -> Self {
        self.policy = p;
        self
    }
    fn setup(mut self, s: fn(&Fixture)) -> Self {
        self.setup = Some(s);
        self
    }
}

fn run_case(c: &Case) -> Vec<String> {
    run_case_on(c, false)
}

/// As [`run_case`] with the fast ES256 path on (issuer-key tables, hot DPoP keys), and the
/// hot-key rule checked: a denied request never builds a table; an allowed DPoP request with
/// an ES256 proof key leaves that key's table in place, with any other key none.
fn run_case_tables(c: &Case) -> Vec<String> {
    run_case_on(c, true)
}

fn run_case_on(c: &Case, tables: bool) -> Vec<String> {
    let mut f = Fixture::new(&[(&issuer(), KID)], c.policy);
    if tables {
        f = f.with_tables();
    }
    if let Some(s) = c.setup {
        s(&f);
    }
    let v = f.verifier();
    let mut ctx = new_ctx();
    let d = decide(&v, &mut ctx, &c.req);
    let mut out = check(&d, &c.want);
    if let Some(t) = f.tables {
        let builds = t.stats().builds;
        match &d {
            Decision::Allow(a) => {
                let proof_jkt = match a.binding() {
                    Binding::Dpop { jkt } | Binding::Both { jkt, .. } => Some(jkt),
                    _ => None,
                };
                let es256_proof = c.req.dpop.first().is_some_and(|p| proof_alg(p) == "ES256");
                let want = u32::from(proof_jkt.is_some() && es256_proof);
                if builds != want {
                    out.push(format!("hot-key tables built: {builds}, expected {want}"));
                }
                if let Some(jkt) = proof_jkt
                    && t.has_table(&jkt) != es256_proof
                {
                    out.push(format!("hot-key table in place: {}", !es256_proof));
                }
            }
            _ if builds != 0 => out.push(format!("a refused request built {builds} table(s)")),
            _ => {}
        }
    }
    // Only an allowed DPoP request consumes replay capacity.
    let live = f.replay.view().live(c.req.now);
    let want_live = usize::from(c.want.is_dpop_allow());
    if live != want_live {
        out.push(format!(
            "replay table: expected {want_live} live entries, got {live}"
        ));
    }
    out
}

/// A DPoP request for a token bound to `h` whose `DPoP` field `proof` makes from `h`'s
/// standard proof for that token.
fn dpop_req_for(h: &Signer, proof: impl FnOnce(Proof) -> String) -> Req {
    let tok = bound_token(h);
    let p = proof(pf(h, URL, Some(&tok)));
    dpop_req(&tok, &p)
}

/// A DPoP request for [`holder`]'s bound token with the standard proof edited by `edit`.
fn proof_case(name: &str, edit: impl FnOnce(Proof) -> Proof, want: Want) -> Case {
    case(name, dpop_req_for(&holder(), |p| edit(p).sign()), want)
}

/// `s` written entirely as JSON `\u` escapes (the same string to any JSON reader).
fn escaped(s: &str) -> String {
    s.chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect()
}

/// `text` with the string member `"name":"value"` rewritten as escapes.
fn escape_member(text: &str, name: &str, value: &str) -> String {
    let plain = format!("\"{name}\":\"{value}\"");
    assert!(text.contains(&plain), "{name} in {text}");
    text.replace(&plain, &format!("\"{name}\":\"{}\"", escaped(value)))
}

/// The proof `p`, its string claim `name` written as escapes (the rest as serde_json writes it).
fn sign_escaping(p: &Proof, name: &str) -> String {
    let v = p.claims[name].as_str().expect("a string claim");
    let claims = escape_member(&p.claims.to_string(), name, v);
    sign_raw(&p.signer, &p.header.to_string(), &claims)
}

/// A DPoP request with target `target` on base `base` and a proof for `htu`.
fn htu_case(name: &str, target: &str, base: usize, htu: &str, want: Want) -> Case {
    let r = dpop_req_for(&holder(), |p| p.claim("htu", htu).sign());
    case(name, r.target(target).base(base), want)
}

fn htu_cases() -> Vec<Case> {
    let mismatch = || deny(DpopError::HtuMismatch);
    let invalid = || deny(DpopError::HtuInvalid);
    let target = || deny(RequestError::InvalidTarget).status(400);
    vec![
        htu_case("htu exact", "/accounts", 0, URL, ok_dpop()),
        // Allowed normalisations.
        htu_case(
            "htu scheme uppercase",
            "/accounts",
            0,
            "HTTPS://rs.example.com/accounts",
            ok_dpop(),
        ),
        htu_case(
            "htu host mixed case",
            "/accounts",
            0,
            "https://RS.Example.COM/accounts",
            ok_dpop(),
        ),
        htu_case(
            "htu default port 443",
            "/accounts",
            0,
            "https://rs.example.com:443/accounts",
            ok_dpop(),
        ),
        htu_case(
            "htu empty port",
            "/accounts",
            0,
            "https://rs.example.com:/accounts",
            ok_dpop(),
        ),
        htu_case(
            "htu empty path for target /",
            "/",
            0,
            "https://rs.example.com",
            ok_dpop(),
        ),
        htu_case(
            "htu / for target /",
            "/",
            0,
            "https://rs.example.com/",
            ok_dpop(),
        ),
        htu_case(
            "htu empty path with default port for target /",
            "/",
            0,
            "https://rs.example.com:443",
            ok_dpop(),
        ),
        htu_case(
            "percent-encoding hex case: target lower, htu upper",
            "/caf%c3%a9",
            0,
            "https://rs.example.com/caf%C3%A9",
            ok_dpop(),
        ),
        htu_case(
            "percent-encoding hex case: target upper, htu lower",
            "/a%2Fb",
            0,
            "https://rs.example.com/a%2fb",
            ok_dpop(),
        ),
        htu_case(
            "encoded unreserved char in htu (%61ccounts)",
            "/accounts",
            0,
            "https://rs.example.com/%61ccounts",
            ok_dpop(),
        ),
        htu_case(
            "encoded unreserved char in target (%61ccounts)",
            "/%61ccounts",
            0,
            URL,
            ok_dpop(),
        ),
        htu_case(
            "encoded tilde %7e vs ~",
            "/~alice",
            0,
            "https://rs.example.com/%7ealice",
            ok_dpop(),
        ),
        htu_case(
            "dot segments in htu",
            "/accounts",
            0,
            "https://rs.example.com/x/./../accounts",
            ok_dpop(),
        ),
        htu_case(
            "encoded dot segments in htu",
            "/accounts",
            0,
            "https://rs.example.com/x/%2E%2e/accounts",
            ok_dpop(),
        ),
        htu_case(
            "dot segments in target",
            "/x/../accounts",
            0,
            URL,
            ok_dpop(),
        ),
        htu_case(
            "query in htu ignored",
            "/accounts",
            0,
            "https://rs.example.com/accounts?x=1",
            ok_dpop(),
        ),
        htu_case(
            "fragment in htu ignored",
            "/accounts",
            0,
            "https://rs.example.com/accounts#frag",
            ok_dpop(),
        ),
        htu_case(
            "query in target ignored",
            "/accounts?page=2",
            0,
            URL,
            ok_dpop(),
        ),
        htu_case(
            "different queries in target and htu",
            "/accounts?page=2",
            0,
            "https://rs.example.com/accounts?page=3#f",
            ok_dpop(),
        ),
        // Differences.
        htu_case(
            "htu trailing slash",
            "/accounts",
            0,
            "https://rs.example.com/accounts/",
            mismatch(),
        ),
        htu_case("target trailing slash", "/accounts/", 0, URL, mismatch()),
        htu_case(
            "htu path case",
            "/accounts",
            0,
            "https://rs.example.com/Accounts",
            mismatch(),
        ),
        htu_case(
            "htu %2F vs target /",
            "/a/b",
            0,
            "https://rs.example.com/a%2Fb",
            mismatch(),
        ),
        htu_case(
            "htu / vs target %2F",
            "/a%2Fb",
            0,
            "https://rs.example.com/a/b",
            mismatch(),
        ),
        htu_case(
            "htu http vs https",
            "/accounts",
            0,
            "http://rs.example.com/accounts",
            mismatch(),
        ),
        htu_case(
            "htu other port",
            "/accounts",
            0,
            "https://rs.example.com:8443/accounts",
            mismatch(),
        ),
        htu_case(
            "htu other host",
            "/accounts",
            0,
            "https://api.example.com/accounts",
            mismatch(),
        ),
        htu_case(
            "htu host with trailing dot",
            "/accounts",
            0,
            "https://rs.example.com./accounts",
            mismatch(),
        ),
        htu_case(
            "htu double slash",
            "/accounts",
            0,
            "https://rs.example.com//accounts",
            mismatch(),
        ),
        htu_case(
            "htu with userinfo",
            "/accounts",
            0,
            "https://user@rs.example.com/accounts",
            invalid(),
        ),
        htu_case(
            "htu with userinfo and password",
            "/accounts",
            0,
            "https://user:pw@rs.example.com/accounts",
            invalid(),
        ),
        htu_case("relative htu", "/accounts", 0, "/accounts", invalid()),
        htu_case(
            "htu without scheme",
            "/accounts",
            0,
            "rs.example.com/accounts",
            invalid(),
        ),
        htu_case(
            "htu with scheme wss",
            "/accounts",
            0,
            "wss://rs.example.com/accounts",
            invalid(),
        ),
        htu_case("htu empty", "/accounts", 0, "", invalid()),
        htu_case(
            "htu with a space",
            "/accounts",
            0,
            "https://rs.example.com/acc ounts",
            invalid(),
        ),
        htu_case(
            "htu with invalid percent-encoding",
            "/accounts",
            0,
            "https://rs.example.com/acc%zzounts",
            invalid(),
        ),
        // Base index 1: https://api.example.com:8443/v1, a prefix the proxy removed.
        htu_case(
            "base 1: prefix restored",
            "/accounts",
            1,
            "https://api.example.com:8443/v1/accounts",
            ok_dpop(),
        ),
        htu_case(
            "base 1: htu without the prefix",
            "/accounts",
            1,
            "https://api.example.com:8443/accounts",
            mismatch(),
        ),
        htu_case(
            "base 1: htu without the port",
            "/accounts",
            1,
            "https://api.example.com/v1/accounts",
            mismatch(),
        ),
        htu_case("base 1: htu of base 0", "/accounts", 1, URL, mismatch()),
        htu_case(
            "base 1: target .. does not climb into the prefix",
            "/../accounts",
            1,
            "https://api.example.com:8443/v1/accounts",
            ok_dpop(),
        ),
        htu_case(
            "base 1: target .. cannot drop the prefix",
            "/../accounts",
            1,
            "https://api.example.com:8443/accounts",
            mismatch(),
        ),
        htu_case(
            "base index out of range",
            "/accounts",
            2,
            URL,
            deny(MisuseError::InvalidArgument).status(500).challenge(""),
        ),
        // Request targets.
        htu_case(
            "absolute-form target with the base origin",
            "https://rs.example.com/accounts",
            0,
            URL,
            ok_dpop(),
        ),
        htu_case(
            "absolute-form target with the base origin, other spelling",
            "HTTPS://RS.example.com:443/accounts?x=1",
            0,
            URL,
            ok_dpop(),
        ),
        htu_case(
            "absolute-form target with another host",
            "https://evil.example.com/accounts",
            0,
            "https://evil.example.com/accounts",
            target(),
        ),
        htu_case(
            "absolute-form target with another scheme",
            "http://rs.example.com/accounts",
            0,
            "http://rs.example.com/accounts",
            target(),
        ),
        htu_case(
            "absolute-form target with another port",
            "https://rs.example.com:8443/accounts",
            0,
            "https://rs.example.com:8443/accounts",
            target(),
        ),
        htu_case("asterisk-form target", "*", 0, URL, target()),
        htu_case(
            "authority-form target",
            "rs.example.com:443",
            0,
            URL,
            target(),
        ),
        htu_case("relative target", "accounts", 0, URL, target()),
        htu_case("empty target", "", 0, URL, target()),
        // RFC 9112 §3.2: a request-target has no fragment.
        htu_case("target with a fragment", "/accounts#f", 0, URL, target()),
        htu_case("target with a space", "/acc ounts", 0, URL, target()),
        // The target is the request's, whatever the credentials: a bearer request is refused
        // for a target that is not this resource server's either.
        case(
            "asterisk-form target with a bearer token",
            bearer_req(&bearer_token()).target("*"),
            target(),
        ),
        case(
            "absolute-form target of another origin with a bearer token",
            bearer_req(&bearer_token()).target("https://evil.example.com/accounts"),
            target(),
        ),
    ]
}

fn proof_claim_cases() -> Vec<Case> {
    vec![
        proof_case(
            "htm lowercase get",
            |p| p.claim("htm", "get"),
            deny(DpopError::HtmMismatch),
        ),
        proof_case(
            "htm POST for GET",
            |p| p.claim("htm", "POST"),
            deny(DpopError::HtmMismatch),
        ),
        case(
            "htm POST for POST",
            dpop_req_for(&holder(), |p| p.claim("htm", "POST").sign()).method("POST"),
            ok_dpop(),
        ),
        proof_case(
            "htm missing",
            |p| p.without("htm"),
            deny(DpopError::HtmMissing),
        ),
        proof_case(
            "htu missing",
            |p| p.without("htu"),
            deny(DpopError::HtuMissing),
        ),
        proof_case(
            "iat missing",
            |p| p.without("iat"),
            deny(DpopError::IatMissing),
        ),
        proof_case(
            "jti missing",
            |p| p.without("jti"),
            deny(DpopError::JtiMissing),
        ),
        proof_case(
            "htm not a string",
            |p| p.claim("htm", 1),
            deny(DpopError::ClaimType),
        ),
        proof_case(
            "iat a string",
            |p| p.claim("iat", NOW.to_string()),
            deny(DpopError::ClaimType),
        ),
        proof_case(
            "iat NOW - 300 (max age)",
            |p| p.claim("iat", NOW - MAX_AGE),
            ok_dpop(),
        ),
        proof_case(
            "iat NOW - 301 (too old)",
            |p| p.claim("iat", NOW - MAX_AGE - 1),
            deny(DpopError::IatTooOld),
        ),
        proof_case(
            "iat NOW + 10 (leeway)",
            |p| p.claim("iat", NOW + LEEWAY),
            ok_dpop(),
        ),
        proof_case(
            "iat NOW + 11 (in future)",
            |p| p.claim("iat", NOW + LEEWAY + 1),
            deny(DpopError::IatInFuture),
        ),
        proof_case(
            "jti 256 bytes",
            |p| p.claim("jti", "j".repeat(256)),
            ok_dpop(),
        ),
        proof_case(
            "jti 257 bytes",
            |p| p.claim("jti", "j".repeat(257)),
            deny(DpopError::JtiTooLong),
        ),
        proof_case(
            "ath missing",
            |p| p.without("ath"),
            deny(DpopError::AthMissing),
        ),
        proof_case(
            "ath padded",
            |p| {
                let a = format!("{}=", sha256_b64u(bound_token(&holder()).as_bytes()));
                p.claim("ath", a)
            },
            deny(DpopError::AthMismatch),
        ),
        proof_case(
            "ath hex",
            |p| {
                let d = Sha256::digest(bound_token(&holder()).as_bytes());
                let hx: String = d.iter().map(|b| format!("{b:02x}")).collect();
                p.claim("ath", hx)
            },
            deny(DpopError::AthMismatch),
        ),
        proof_case(
            "ath wrong",
            |p| p.claim("ath", sha256_b64u(b"something else")),
            deny(DpopError::AthMismatch),
        ),
        proof_case(
            "ath of another token",
            |p| p.claim("ath", sha256_b64u(bound_token(&other()).as_bytes())),
            deny(DpopError::AthMismatch),
        ),
        proof_case(
            "ath empty",
            |p| p.claim("ath", ""),
            deny(DpopError::AthMismatch),
        ),
        // Found by the differential check (tests/differential): values are compared after
        // unescaping, ath included.
        case(
            "ath written with JSON escapes equals",
            dpop_req_for(&holder(), |p| sign_escaping(&p, "ath")),
            ok_dpop(),
        ),
        case(
            "ath of another token written with JSON escapes",
            dpop_req_for(&holder(), |p| {
                sign_escaping(&p.claim("ath", sha256_b64u(b"something else")), "ath")
            }),
            deny(DpopError::AthMismatch),
        ),
    ]
}

fn proof_header_cases() -> Vec<Case> {
    vec![
        proof_case(
            "typ missing",
            |p| p.hdr_without("typ"),
            proof_jws(JwsError::TypMissing),
        ),
        proof_case(
            "typ jwt",
            |p| p.hdr("typ", "jwt"),
            proof_jws(JwsError::TypMismatch),
        ),
        proof_case(
            "typ at+jwt",
            |p| p.hdr("typ", "at+jwt"),
            proof_jws(JwsError::TypMismatch),
        ),
        proof_case(
            "typ application/dpop+jwt",
            |p| p.hdr("typ", "application/dpop+jwt"),
            ok_dpop(),
        ),
        case(
            "alg none, empty signature",
            dpop_req_for(&holder(), |p| p.hdr("alg", "none").unsigned()),
            proof_jws(JwsError::AlgNone),
        ),
        proof_case(
            "alg none with a real signature",
            |p| p.hdr("alg", "none"),
            proof_jws(JwsError::AlgNone),
        ),
        proof_case(
            "alg HS256",
            |p| p.hdr("alg", "HS256"),
            proof_jws(JwsError::AlgSymmetric),
        ),
        proof_case(
            "alg missing",
            |p| p.hdr_without("alg"),
            proof_jws(JwsError::AlgMissing),
        ),
        case(
            "Ed25519 proof (EdDSA) allowed by default",
            dpop_req_for(&holder_ed(), |p| p.sign()),
            allow().binding(dpop_binding(&holder_ed())),
        ),
        case(
            "proof alg EdDSA not in the proof allowlist (ES256 only)",
            dpop_req_for(&holder_ed(), |p| p.sign()),
            proof_jws(JwsError::AlgNotAllowed),
        )
        .policy(|b| b.proof_algs(AlgSet::of(&[Alg::Es256]))),
        proof_case(
            "proof alg ES256 not in the proof allowlist (EdDSA only)",
            |p| p,
            proof_jws(JwsError::AlgNotAllowed),
        )
        .policy(|b| b.proof_algs(AlgSet::of(&[Alg::EdDsa]))),
        proof_case(
            "crit in proof header",
            |p| p.hdr("crit", json!(["exp"])),
            proof_jws(JwsError::CritPresent),
        ),
        proof_case(
            "jwk missing",
            |p| p.hdr_without("jwk"),
            deny(DpopError::JwkMissing),
        ),
        proof_case(
            "jwk a string",
            |p| p.hdr("jwk", "key"),
            deny(DpopError::JwkMissing),
        ),
        proof_case(
            "private jwk (with d)",
            |p| p.hdr("jwk", holder_private_jwk()),
            proof_jwk(JwkError::KeyPrivate),
        ),
        proof_case(
            "jwk with use enc",
            |p| p.hdr("jwk", holder_jwk_with("use", "enc")),
            deny(DpopError::JwkUnusable),
        ),
        proof_case(
            "jwk of another curve (P-384)",
            |p| p.hdr("jwk", holder_jwk_with("crv", "P-384")),
            deny(DpopError::JwkUnusable),
        ),
        proof_case(
            "jwk Ed25519 with alg ES256",
            |p| p.hdr("jwk", holder_ed().public_jwk()),
            proof_jwk(JwkError::AlgKeyMismatch),
        ),
        proof_case(
            "jwk not the signer (header names another key)",
            |p| p.hdr("jwk", other().public_jwk()),
            proof_jws(JwsError::BadSignature),
        ),
        case(
            "proof signature bit flipped",
            dpop_req_for(&holder(), |p| bad_signature(&p.sign())),
            proof_jws(JwsError::BadSignature),
        ),
        case(
            "malleated ES256 proof (r, n - s) alone is valid",
            dpop_req_for(&holder(), |p| malleate(&p.sign())),
            ok_dpop(),
        ),
        case(
            "proof not a JWS",
            dpop_req_for(&holder(), |p| {
                let p = p.sign();
                p[..p.find('.').expect("dot")].to_string()
            }),
            proof_jws(JwsError::Segments),
        ),
    ]
}

fn scheme_cases() -> Vec<Case> {
    let h = holder();
    let tok = bound_token(&h);
    let p = pf(&h, URL, Some(&tok)).sign();
    let p2 = pf(&h, URL, Some(&tok)).claim("jti", "jti-2").sign();
    let bt = bearer_token();
    let bt_proof = pf(&h, URL, Some(&bt)).sign();
    vec![
        case(
            "DPoP scheme, bound token, proof",
            dpop_req(&tok, &p),
            ok_dpop().cache_hit(false).nonce(None),
        ),
        case(
            "scheme name dpop lowercase",
            dpop_req(&tok, &p).auth(&[&format!("dpop {tok}")]),
            ok_dpop(),
        ),
        case(
            "scheme name DPOP uppercase",
            dpop_req(&tok, &p).auth(&[&format!("DPOP {tok}")]),
            ok_dpop(),
        ),
        case(
            "DPoP field with surrounding spaces",
            dpop_req(&tok, &p).dpop(&[&format!("  {p} ")]),
            ok_dpop(),
        ),
        case(
            "Bearer scheme, unbound token",
            bearer_req(&bt),
            allow().binding(Binding::None).cache_hit(false).nonce(None),
        ),
        case(
            "scheme name bearer lowercase",
            Req::new().auth(&[&format!("bearer {bt}")]),
            allow().binding(Binding::None),
        ),
        case(
            "scheme name BEARER uppercase",
            Req::new().auth(&[&format!("BEARER {bt}")]),
            allow().binding(Binding::None),
        ),
        case(
            "Bearer with a DPoP field is still a bearer request",
            bearer_req(&bt).dpop(&[&bt_proof]),
            allow().binding(Binding::None),
        ),
        case(
            "Bearer downgrade of a DPoP-bound token",
            bearer_req(&tok),
            deny(DpopError::BearerDowngrade).status(401),
        ),
        case(
            "Bearer downgrade of a DPoP-bound token with a proof",
            bearer_req(&tok).dpop(&[&p]),
            deny(DpopError::BearerDowngrade),
        ),
        case(
            "unbound token with DPoP scheme",
            dpop_req(&bt, &bt_proof),
            deny(DpopError::TokenNotBound).status(401),
        ),
        case(
            "DPoP scheme without DPoP field",
            Req::new().auth(&[&format!("DPoP {tok}")]),
            deny(DpopError::ProofMissing).status(401),
        ),
        case(
            "two DPoP fields",
            dpop_req(&tok, &p).dpop(&[&p, &p2]),
            deny(DpopError::MultipleProofs),
        ),
        case(
            "one DPoP field folded with a comma",
            dpop_req(&tok, &p).dpop(&[&format!("{p}, {p2}")]),
            deny(DpopError::MultipleProofs),
        ),
        case(
            "two Authorization fields",
            dpop_req(&tok, &p).auth(&[&format!("DPoP {tok}"), &format!("DPoP {tok}")]),
            deny(RequestError::MultipleAuthorization).status(400),
        ),
        case(
            "one Authorization field folded with a comma",
            dpop_req(&tok, &p).auth(&[&format!("DPoP {tok}, Bearer {bt}")]),
            deny(RequestError::MultipleAuthorization).status(400),
        ),
        case(
            "access_token query parameter",
            dpop_req(&tok, &p).target(&format!("/accounts?access_token={tok}")),
            deny(RequestError::TokenInQuery).status(400),
        ),
        case(
            "access_token query parameter without credentials",
            Req::new().target("/accounts?x=1&access_token=abc"),
            deny(RequestError::TokenInQuery).status(400),
        ),
        case(
            "access%5Ftoken query parameter",
            bearer_req(&bt).target("/accounts?access%5Ftoken=abc"),
            deny(RequestError::TokenInQuery).status(400),
        ),
        case(
            "x_access_token query parameter is not the token",
            bearer_req(&bt).target("/accounts?x_access_token=abc"),
            allow().binding(Binding::None),
        ),
        case(
            "no Authorization",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("Bearer, DPoP {ALGS}")),
        ),
        case(
            "no Authorization but a DPoP field",
            Req::new().dpop(&[&p]),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("Bearer, DPoP {ALGS}")),
        ),
        case(
            "Basic credentials",
            Req::new().auth(&["Basic xyz"]),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("Bearer, DPoP {ALGS}")),
        ),
        case(
            "Bearer with no token",
            Req::new().auth(&["Bearer"]),
            deny(RequestError::MalformedAuthorization).status(400),
        ),
        case(
            "Bearer and a space, no token",
            Req::new().auth(&["Bearer "]),
            deny(RequestError::MalformedAuthorization).status(400),
        ),
        case(
            "Bearer with two tokens",
            Req::new().auth(&[&format!("Bearer {bt} {bt}")]),
            deny(RequestError::MalformedAuthorization).status(400),
        ),
        case(
            "DPoP with no token",
            Req::new().auth(&["DPoP"]).dpop(&[&p]),
            deny(RequestError::MalformedAuthorization).status(400),
        ),
        case(
            "method with a space",
            dpop_req(&tok, &p).method("GE T"),
            deny(RequestError::InvalidMethod).status(400),
        ),
        case(
            "empty method",
            dpop_req(&tok, &p).method(""),
            deny(RequestError::InvalidMethod).status(400),
        ),
    ]
}

fn cnf_and_mode_cases() -> Vec<Case> {
    let h = holder();
    let tok = bound_token(&h);
    let p = pf(&h, URL, Some(&tok)).sign();
    let bt = bearer_token();
    let x5t = x5t_token(RFC7517_B_X5T_S256);
    let cnf_case = |name: &str, cnf: Value| {
        let t = token_with(&claims_with_cnf(cnf));
        let pr = pf(&holder(), URL, Some(&t)).sign();
        case(
            name,
            dpop_req(&t, &pr),
            deny(ClaimsError::CnfUnsupported).status(401),
        )
    };
    vec![
        {
            let t = bound_token(&other());
            let pr = pf(&h, URL, Some(&t)).sign();
            case(
                "cnf.jkt of another key",
                dpop_req(&t, &pr),
                deny(DpopError::JktMismatch).status(401).challenge(&format!(
                    "DPoP error=\"invalid_token\", error_description=\"dpop_jkt_mismatch\", {ALGS}, Bearer"
                )),
            )
        },
        {
            let t = token_with(&claims_with_cnf(json!({ "jkt": format!("{}=", jkt(&h)) })));
            let pr = pf(&h, URL, Some(&t)).sign();
            case(
                "cnf.jkt padded never matches",
                dpop_req(&t, &pr),
                deny(DpopError::JktMismatch),
            )
        },
        {
            // Found by the differential check: cnf.jkt is compared after unescaping too.
            let claims = claims_with_cnf(json!({ "jkt": jkt(&h) })).to_string();
            let iss = issuer();
            let t = sign_raw(
                &iss,
                &header(&iss, KID),
                &escape_member(&claims, "jkt", &jkt(&h)),
            );
            let pr = pf(&h, URL, Some(&t)).sign();
            case(
                "cnf.jkt written with JSON escapes binds",
                dpop_req(&t, &pr),
                ok_dpop(),
            )
        },
        cnf_case(
            "cnf with only x5t (SHA-1)",
            json!({ "x5t": RFC7517_B_X5T_SHA1 }),
        ),
        cnf_case("cnf empty object", json!({})),
        cnf_case("cnf a string", json!("jkt")),
        cnf_case("cnf.jkt a number", json!({ "jkt": 1 })),
        case(
            "DPoP off: DPoP-bound token with Bearer",
            bearer_req(&tok),
            deny(DpopError::DpopDisabled).status(401),
        )
        .policy(|b| b.dpop(Mode::Off)),
        case(
            "DPoP off: DPoP-bound token with DPoP (scheme not offered)",
            dpop_req(&tok, &p),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge("Bearer"),
        )
        .policy(|b| b.dpop(Mode::Off)),
        case(
            "DPoP off: unbound Bearer token",
            bearer_req(&bt),
            allow().binding(Binding::None),
        )
        .policy(|b| b.dpop(Mode::Off)),
        case(
            "DPoP required: unbound Bearer token",
            bearer_req(&bt),
            deny(DpopError::BindingRequired).status(401),
        )
        .policy(|b| b.dpop(Mode::Required)),
        case(
            "DPoP required: DPoP-bound token",
            dpop_req(&tok, &p),
            ok_dpop(),
        )
        .policy(|b| b.dpop(Mode::Required)),
        case(
            "DPoP required: certificate-bound token only",
            bearer_req(&x5t).cert(cert_der(), CertEncoding::Der),
            deny(DpopError::BindingRequired),
        )
        .policy(|b| b.dpop(Mode::Required)),
        case(
            "mTLS off: certificate-bound token",
            bearer_req(&x5t).cert(cert_der(), CertEncoding::Der),
            deny(MtlsError::MtlsDisabled).status(401),
        )
        .policy(|b| b.mtls(Mode::Off)),
        case(
            "mTLS required: DPoP-bound token only",
            dpop_req(&tok, &p),
            deny(DpopError::BindingRequired),
        )
        .policy(|b| b.mtls(Mode::Required)),
        case(
            "mTLS required: unbound token",
            bearer_req(&bt),
            deny(DpopError::BindingRequired),
        )
        .policy(|b| b.mtls(Mode::Required)),
        case(
            "allow_unbound(false): unbound token",
            bearer_req(&bt),
            deny(DpopError::BindingRequired),
        )
        .policy(|b| b.allow_unbound(false)),
        case(
            "FAPI 2.0 profile: unbound token",
            bearer_req(&bt),
            deny(DpopError::BindingRequired).status(401),
        )
        .policy(|b| b.fapi2_profile()),
        case(
            "FAPI 2.0 profile: DPoP-bound token",
            dpop_req(&tok, &p),
            ok_dpop(),
        )
        .policy(|b| b.fapi2_profile()),
        case(
            "FAPI 2.0 profile: certificate-bound token",
            bearer_req(&x5t).cert(cert_der(), CertEncoding::Der),
            allow().binding(mtls_binding()),
        )
        .policy(|b| b.fapi2_profile()),
    ]
}

fn nonce_policy(b: PolicyBuilder<'static>) -> PolicyBuilder<'static> {
    b.nonce_required(true)
}
fn nonce_secret(f: &Fixture) {
    f.nonces
        .set_secret(&NONCE_SECRET, NOW)
        .expect("nonce secret");
}

fn nonce_cases() -> Vec<Case> {
    let current = nonce_at(NOW);
    let nonce_case = |name: &str, nonce: Option<&str>, want: Want| {
        let h = holder();
        let tok = bound_token(&h);
        let mut p = pf(&h, URL, Some(&tok));
        if let Some(n) = nonce {
            p = p.claim("nonce", n);
        }
        case(name, dpop_req(&tok, &p.sign()), want)
            .policy(nonce_policy)
            .setup(nonce_secret)
    };
    let use_nonce = |desc: &str| {
        format!("DPoP error=\"use_dpop_nonce\", error_description=\"{desc}\", {ALGS}, Bearer")
    };
    vec![
        nonce_case(
            "nonce missing",
            None,
            deny(DpopError::NonceMissing)
                .status(401)
                .challenge(&use_nonce("dpop_nonce_missing"))
                .nonce(Some(&current)),
        ),
        nonce_case(
            "nonce of two slots ago",
            Some(&nonce_at(NOW - 2 * SLOT)),
            deny(DpopError::NonceInvalid)
                .status(401)
                .challenge(&use_nonce("dpop_nonce_invalid"))
                .nonce(Some(&current)),
        ),
        nonce_case(
            "nonce of two slots ahead",
            Some(&nonce_at(NOW + 2 * SLOT)),
            deny(DpopError::NonceInvalid).nonce(Some(&current)),
        ),
        nonce_case(
            "nonce garbage",
            Some("not-a-nonce"),
            deny(DpopError::NonceInvalid).nonce(Some(&current)),
        ),
        nonce_case(
            "nonce of another secret",
            Some(&{
                let k = NonceKeys::new();
                k.set_secret(&[8; 32], NOW).expect("secret");
                k.current(NOW, 60).expect("set").as_str().to_string()
            }),
            deny(DpopError::NonceInvalid),
        ),
        nonce_case(
            "nonce current",
            Some(&current),
            ok_dpop().nonce(Some(&current)),
        ),
        {
            // Found by the differential check: the nonce is compared after unescaping too.
            let h = holder();
            let tok = bound_token(&h);
            let p = pf(&h, URL, Some(&tok)).claim("nonce", current.as_str());
            case(
                "nonce current, written with JSON escapes",
                dpop_req(&tok, &sign_escaping(&p, "nonce")),
                ok_dpop().nonce(Some(&current)),
            )
            .policy(nonce_policy)
            .setup(nonce_secret)
        },
        nonce_case(
            "nonce of the previous slot",
            Some(&nonce_at(NOW - SLOT)),
            ok_dpop().nonce(Some(&current)),
        ),
        nonce_case(
            "nonce of the next slot",
            Some(&nonce_at(NOW + SLOT)),
            ok_dpop().nonce(Some(&current)),
        ),
        proof_case(
            "nonce not required, secret set: Allow carries the nonce",
            |p| p,
            ok_dpop().nonce(Some(&current)),
        )
        .setup(nonce_secret),
        case(
            "nonce not required, secret set: bearer Allow carries the nonce",
            bearer_req(&bearer_token()),
            allow().binding(Binding::None).nonce(Some(&current)),
        )
        .setup(nonce_secret),
        proof_case(
            "nonce not required, no secret: no nonce",
            |p| p,
            ok_dpop().nonce(None),
        ),
        proof_case(
            "nonce secret set: other proof errors carry no nonce",
            |p| p.claim("htm", "POST"),
            deny(DpopError::HtmMismatch).nonce(None),
        )
        .policy(nonce_policy)
        .setup(nonce_secret),
    ]
}

fn scope_cases() -> Vec<Case> {
    let bt = bearer_token();
    let h = holder();
    let tok = bound_token(&h);
    let p = pf(&h, URL, Some(&tok)).sign();
    let no_scope = {
        let mut c = good_claims();
        c.as_object_mut().expect("object").remove("scope");
        token_with(&c)
    };
    vec![
        case(
            "scope payments required, token has accounts payments",
            bearer_req(&bt).scopes(&["payments"]),
            allow().binding(Binding::None),
        ),
        case(
            "scopes accounts and payments required",
            bearer_req(&bt).scopes(&["accounts", "payments"]),
            allow().binding(Binding::None),
        ),
        case(
            "scope pay required (prefix of payments)",
            bearer_req(&bt).scopes(&["pay"]),
            deny(RequestError::InsufficientScope).status(403).challenge(&format!(
                "Bearer error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", scope=\"pay\", DPoP {ALGS}"
            )),
        ),
        case(
            "scopes accounts and admin required",
            bearer_req(&bt).scopes(&["accounts", "admin"]),
            deny(RequestError::InsufficientScope).status(403).challenge(&format!(
                "Bearer error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", scope=\"accounts admin\", DPoP {ALGS}"
            )),
        ),
        case(
            "scope Payments required (case)",
            bearer_req(&bt).scopes(&["Payments"]),
            deny(RequestError::InsufficientScope),
        ),
        case(
            "scope required, scope claim missing",
            bearer_req(&no_scope).scopes(&["payments"]),
            deny(RequestError::InsufficientScope).status(403),
        ),
        case(
            "no scope required, scope claim missing",
            bearer_req(&no_scope),
            allow().binding(Binding::None),
        ),
        case(
            "scope required with DPoP",
            dpop_req(&tok, &p).scopes(&["payments"]),
            ok_dpop(),
        ),
        case(
            "insufficient scope with DPoP",
            dpop_req(&tok, &p).scopes(&["pay"]),
            deny(RequestError::InsufficientScope).status(403).challenge(&format!(
                "DPoP error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", {ALGS}, scope=\"pay\", Bearer"
            )),
        ),
    ]
}

fn cert_cases() -> Vec<Case> {
    let der = cert_der();
    let x5t = x5t_token(RFC7517_B_X5T_S256);
    let h = holder();
    let both = token_with(&claims_with_cnf(
        json!({ "jkt": jkt(&h), "x5t#S256": RFC7517_B_X5T_S256 }),
    ));
    let both_proof = pf(&h, URL, Some(&both)).sign();
    let malformed = |name: &str, v: &str| {
        case(
            name,
            bearer_req(&x5t_token(v)).cert(cert_der(), CertEncoding::Der),
            deny(MtlsError::CnfX5tMalformed).status(401),
        )
    };
    let hex_x5t: String = cert_x5t().iter().map(|b| format!("{b:02x}")).collect();
    vec![
        case(
            "certificate DER",
            bearer_req(&x5t).cert(der.clone(), CertEncoding::Der),
            allow().binding(mtls_binding()),
        ),
        case(
            "certificate PEM",
            bearer_req(&x5t).cert(pem_of(&der), CertEncoding::Pem),
            allow().binding(mtls_binding()),
        ),
        case(
            "certificate PEM with CRLF",
            bearer_req(&x5t).cert(pem_of(&der).replace('\n', "\r\n"), CertEncoding::Pem),
            allow().binding(mtls_binding()),
        ),
        case(
            "certificate escaped PEM (nginx)",
            bearer_req(&x5t).cert(escaped_pem_of(&der), CertEncoding::EscapedPem),
            allow().binding(mtls_binding()),
        ),
        case(
            "certificate Client-Cert (RFC 9440)",
            bearer_req(&x5t).cert(client_cert_header_of(&der), CertEncoding::ClientCertHeader),
            allow().binding(mtls_binding()),
        ),
        case(
            "certificate absent",
            bearer_req(&x5t),
            deny(MtlsError::CertMissing).status(401),
        ),
        case(
            "another certificate",
            bearer_req(&x5t).cert(other_cert_der(), CertEncoding::Der),
            deny(MtlsError::CertMismatch).status(401),
        ),
        case(
            "another certificate as PEM",
            bearer_req(&x5t).cert(pem_of(&other_cert_der()), CertEncoding::Pem),
            deny(MtlsError::CertMismatch),
        ),
        case(
            "certificate garbage DER",
            bearer_req(&x5t).cert(b"garbage".to_vec(), CertEncoding::Der),
            deny(MtlsError::CertMalformed).status(400),
        ),
        case(
            "certificate garbage PEM",
            bearer_req(&x5t).cert(
                b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
                CertEncoding::Pem,
            ),
            deny(MtlsError::CertMalformed),
        ),
        case(
            "certificate PEM given as DER",
            bearer_req(&x5t).cert(pem_of(&der), CertEncoding::Der),
            deny(MtlsError::CertMalformed),
        ),
        case(
            "certificate Client-Cert without colons",
            bearer_req(&x5t).cert(std_b64_encode(&der), CertEncoding::ClientCertHeader),
            deny(MtlsError::CertMalformed),
        ),
        case(
            "certificate truncated DER",
            bearer_req(&x5t).cert(der[..der.len() - 1].to_vec(), CertEncoding::Der),
            deny(MtlsError::CertMalformed),
        ),
        malformed("cnf x5t#S256 padded", &format!("{RFC7517_B_X5T_S256}=")),
        malformed("cnf x5t#S256 hex", &hex_x5t),
        malformed("cnf x5t#S256 of SHA-1 length", RFC7517_B_X5T_SHA1),
        malformed(
            "cnf x5t#S256 standard alphabet",
            &RFC7517_B_X5T_S256.replace('-', "+"),
        ),
        malformed(
            "cnf x5t#S256 non-canonical trailing bits (RFC 8705 example value)",
            "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",
        ),
        case(
            "jkt and x5t#S256: both proven",
            dpop_req(&both, &both_proof).cert(der.clone(), CertEncoding::Der),
            allow().binding(Binding::Both {
                jkt: jkt_bytes(&h),
                x5t_s256: cert_x5t(),
            }),
        ),
        case(
            "jkt and x5t#S256: certificate missing",
            dpop_req(&both, &both_proof),
            deny(MtlsError::CertMissing),
        ),
        case(
            "jkt and x5t#S256: proof missing",
            Req::new()
                .auth(&[&format!("DPoP {both}")])
                .cert(der.clone(), CertEncoding::Der),
            deny(DpopError::ProofMissing),
        ),
        case(
            "jkt and x5t#S256: another certificate",
            dpop_req(&both, &both_proof).cert(other_cert_der(), CertEncoding::Der),
            deny(MtlsError::CertMismatch),
        ),
        case(
            "jkt and x5t#S256: Bearer scheme",
            bearer_req(&both).cert(der.clone(), CertEncoding::Der),
            deny(DpopError::BearerDowngrade),
        ),
        {
            let pr = pf(&h, URL, Some(&x5t)).sign();
            case(
                "certificate-bound token with DPoP scheme",
                dpop_req(&x5t, &pr).cert(der, CertEncoding::Der),
                deny(DpopError::TokenNotBound),
            )
        },
    ]
}

fn challenge_cases() -> Vec<Case> {
    let h = holder();
    let tok = bound_token(&h);
    let bt = bearer_token();
    vec![
        case(
            "challenge: no credentials, default policy",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("Bearer, DPoP {ALGS}")),
        ),
        case(
            "challenge: no credentials, DPoP required, mTLS off",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("DPoP {ALGS}")),
        )
        .policy(|b| b.dpop(Mode::Required).mtls(Mode::Off)),
        // With DPoP required every token must be DPoP-bound, and a DPoP-bound token is never
        // accepted with `Bearer`: the Bearer scheme cannot succeed, so it is not offered.
        case(
            "challenge: no credentials, DPoP required (mTLS optional)",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("DPoP {ALGS}")),
        )
        .policy(|b| b.dpop(Mode::Required)),
        case(
            "challenge: no credentials, DPoP off",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge("Bearer"),
        )
        .policy(|b| b.dpop(Mode::Off)),
        case(
            "challenge: no credentials, FAPI 2.0 profile",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge(&format!("Bearer, DPoP {ALGS}")),
        )
        .policy(|b| b.fapi2_profile()),
        case(
            "challenge: no credentials, proof algs ES256 only",
            Req::new(),
            deny(RequestError::NoCredentials)
                .status(401)
                .challenge("Bearer, DPoP algs=\"ES256\""),
        )
        .policy(|b| b.proof_algs(AlgSet::of(&[Alg::Es256]))),
        case(
            "challenge: invalid_token on Bearer (expired)",
            bearer_req(&bt).now(NOW + 700),
            deny(ClaimsError::Expired).status(401).challenge(&format!(
                "Bearer error=\"invalid_token\", error_description=\"claims_expired\", DPoP {ALGS}"
            )),
        ),
        case(
            "challenge: invalid_token on Bearer (downgrade)",
            bearer_req(&tok),
            deny(DpopError::BearerDowngrade).status(401).challenge(&format!(
                "Bearer error=\"invalid_token\", error_description=\"dpop_bearer_downgrade\", DPoP {ALGS}"
            )),
        ),
        case(
            "challenge: invalid_token on Bearer, DPoP off",
            bearer_req(&tok),
            deny(DpopError::DpopDisabled).status(401).challenge(
                "Bearer error=\"invalid_token\", error_description=\"dpop_disabled\"",
            ),
        )
        .policy(|b| b.dpop(Mode::Off)),
        {
            let p = pf(&h, URL, Some(&tok)).claim("htm", "POST").sign();
            case(
                "challenge: invalid_dpop_proof on DPoP",
                dpop_req(&tok, &p),
                deny(DpopError::HtmMismatch).status(401).challenge(&format!(
                    "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_htm_mismatch\", {ALGS}, Bearer"
                )),
            )
        },
        {
            let p = pf(&h, URL, Some(&tok)).hdr_without("typ").sign();
            case(
                "challenge: invalid_dpop_proof on DPoP (proof JWS defect)",
                dpop_req(&tok, &p),
                proof_jws(JwsError::TypMissing).status(401).challenge(&format!(
                    "DPoP error=\"invalid_dpop_proof\", error_description=\"proof_jws_typ_missing\", {ALGS}, Bearer"
                )),
            )
        },
        {
            let p = pf(&h, URL, Some(&tok)).claim("htm", "POST").sign();
            case(
                "challenge: invalid_dpop_proof on DPoP, DPoP required, mTLS off",
                dpop_req(&tok, &p),
                deny(DpopError::HtmMismatch).status(401).challenge(&format!(
                    "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_htm_mismatch\", {ALGS}"
                )),
            )
            .policy(|b| b.dpop(Mode::Required).mtls(Mode::Off))
        },
        {
            let p = pf(&h, URL, Some(&tok)).sign();
            case(
                "challenge: use_dpop_nonce",
                dpop_req(&tok, &p),
                deny(DpopError::NonceMissing)
                    .status(401)
                    .challenge(&format!(
                        "DPoP error=\"use_dpop_nonce\", error_description=\"dpop_nonce_missing\", {ALGS}, Bearer"
                    ))
                    .nonce(Some(&nonce_at(NOW))),
            )
            .policy(nonce_policy)
            .setup(nonce_secret)
        },
        case(
            "challenge: insufficient_scope with scope",
            bearer_req(&bt).scopes(&["pay"]),
            deny(RequestError::InsufficientScope).status(403).challenge(&format!(
                "Bearer error=\"insufficient_scope\", error_description=\"request_insufficient_scope\", scope=\"pay\", DPoP {ALGS}"
            )),
        ),
        case(
            "challenge: invalid_request (400)",
            Req::new().auth(&[&format!("Bearer {bt}"), &format!("Bearer {bt}")]),
            deny(RequestError::MultipleAuthorization)
                .status(400)
                .challenge(&format!(
                    "Bearer error=\"invalid_request\", error_description=\"request_multiple_authorization\", DPoP {ALGS}"
                )),
        ),
        case(
            "challenge: invalid_dpop_proof for two DPoP fields",
            Req::new().auth(&[&format!("DPoP {tok}")]).dpop(&["a", "b"]),
            deny(DpopError::MultipleProofs)
                .status(401)
                .challenge(&format!(
                    "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_multiple_proofs\", {ALGS}, Bearer"
                )),
        ),
    ]
}

fn all_cases() -> Vec<Case> {
    [
        htu_cases(),
        proof_claim_cases(),
        proof_header_cases(),
        scheme_cases(),
        cnf_and_mode_cases(),
        nonce_cases(),
        scope_cases(),
        cert_cases(),
        challenge_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn decision_cases() {
    let cases = all_cases();
    let failures = run_all(&cases, |c| &c.name, run_case);
    report("decision cases", cases.len(), 190, &failures);
}

/// Every decision case again with the fast ES256 path on: the same verdicts and codes.
#[test]
fn decision_cases_with_tables() {
    let cases = all_cases();
    let failures = run_all(&cases, |c| &c.name, run_case_tables);
    report("decision cases (ES256 tables)", cases.len(), 190, &failures);
}

/// The `alg` of a compact JWS's header ("" if it does not decode).
fn proof_alg(jws: &[u8]) -> String {
    let head = jws
        .trim_ascii()
        .split(|&b| b == b'.')
        .next()
        .unwrap_or_default();
    let mut buf = vec![0u8; head.len()];
    fapi_core::b64::decode(head, &mut buf)
        .ok()
        .and_then(|h| serde_json::from_slice::<Value>(h).ok())
        .and_then(|h| h["alg"].as_str().map(str::to_string))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Policy contradictions (refused when built).

struct BuildCase {
    name: &'static str,
    build: Build,
    want: Result<(), Error>,
}

#[test]
fn policy_build_cases() {
    let contradictory = Err(Error::Misuse(MisuseError::ContradictoryPolicy));
    let cases = [
        BuildCase {
            name: "DPoP off with nonces required",
            build: |b| b.dpop(Mode::Off).nonce_required(true),
            want: contradictory,
        },
        BuildCase {
            name: "allow_unbound(true) with DPoP required",
            build: |b| b.allow_unbound(true).dpop(Mode::Required),
            want: contradictory,
        },
        BuildCase {
            name: "allow_unbound(true) with mTLS required",
            build: |b| b.allow_unbound(true).mtls(Mode::Required),
            want: contradictory,
        },
        BuildCase {
            name: "FAPI 2.0 with allow_unbound(true)",
            build: |b| b.fapi2_profile().allow_unbound(true),
            want: contradictory,
        },
        BuildCase {
            name: "FAPI 2.0 with DPoP off and mTLS off",
            build: |b| b.fapi2_profile().dpop(Mode::Off).mtls(Mode::Off),
            want: contradictory,
        },
        BuildCase {
            name: "FAPI 2.0 with DPoP off, mTLS required",
            build: |b| b.fapi2_profile().dpop(Mode::Off).mtls(Mode::Required),
            want: Ok(()),
        },
        BuildCase {
            name: "FAPI 2.0 with defaults",
            build: |b| b.fapi2_profile(),
            want: Ok(()),
        },
        BuildCase {
            name: "DPoP off, mTLS off, not FAPI 2.0 (plain bearer)",
            build: |b| b.dpop(Mode::Off).mtls(Mode::Off),
            want: Ok(()),
        },
        BuildCase {
            name: "nonces required with DPoP optional",
            build: |b| b.nonce_required(true),
            want: Ok(()),
        },
        BuildCase {
            name: "defaults",
            build: |b| b,
            want: Ok(()),
        },
    ];
    let bases: &'static [PublicBase] = leak([PublicBase::parse(BASE).expect("base")]).as_slice();
    let failures = run_all(
        &cases,
        |c| c.name,
        |c| {
            let got = (c.build)(Policy::builder(config(), bases))
                .build()
                .map(|_| ());
            if got == c.want {
                vec![]
            } else {
                vec![format!("expected {:?}, got {got:?}", c.want)]
            }
        },
    );
    report("policy build cases", cases.len(), 10, &failures);
}

// ---------------------------------------------------------------------------------------------
// Multi-step scenarios.

fn fixture() -> Fixture {
    Fixture::new(&[(&issuer(), KID)], |b| b)
}

/// The start of most multi-step scenarios: a fixture, its verifier, one worker context, the
/// [`holder`] key and a token bound to it.
struct Scenario {
    f: Fixture,
    v: Verifier<'static>,
    ctx: Box<Context>,
    h: Signer,
    tok: String,
}

impl Scenario {
    fn new(f: Fixture) -> Self {
        let v = f.verifier();
        let h = holder();
        let tok = bound_token(&h);
        Self {
            f,
            v,
            ctx: new_ctx(),
            h,
            tok,
        }
    }
    /// The holder's standard proof for the bound token, with `jti`.
    fn proof(&self, jti: &str) -> Proof {
        pf(&self.h, URL, Some(&self.tok)).claim("jti", jti)
    }
    /// A DPoP request for the bound token with [`Scenario::proof`].
    fn req(&self, jti: &str) -> Req {
        dpop_req(&self.tok, &self.proof(jti).sign())
    }
    /// As [`Scenario::req`], the proof issued and the request sent at `t`.
    fn req_at(&self, jti: &str, t: u64) -> Req {
        dpop_req(&self.tok, &self.proof(jti).claim("iat", t).sign()).now(t)
    }
    /// One step on the scenario's worker context.
    fn step(&mut self, r: &Req, want: &Want, step: &str) {
        expect(&self.v, &mut self.ctx, r, want, step);
    }
    /// One step on a fresh worker context.
    fn step_elsewhere(&self, r: &Req, want: &Want, step: &str) {
        expect(&self.v, &mut new_ctx(), r, want, step);
    }
}

#[test]
fn rfc7517_certificate_thumbprint_matches_vector() {
    let der = cert_der();
    assert_eq!(
        std_b64_encode(&der),
        RFC7517_B_CERT_B64,
        "base64 round trip"
    );
    assert_eq!(
        cert_x5t().to_vec(),
        hex("a499b6041a6407ccbbb42aab58cd17dfb58e9904cef33430f95a7156005bdb52"),
        "SHA-256 of the DER"
    );
    assert_eq!(b64u(&cert_x5t()), RFC7517_B_X5T_S256);
    assert_eq!(
        fapi_core::mtls::x5t_s256(&der),
        cert_x5t(),
        "fapi's thumbprint"
    );
}

#[test]
fn replay_identical_proof_twice() {
    let mut s = Scenario::new(fixture());
    let r = dpop_req(&s.tok, &pf(&s.h, URL, Some(&s.tok)).sign());
    s.step(&r, &ok_dpop(), "first use");
    s.step(
        &r,
        &deny(DpopError::Replayed).status(401).challenge(&format!(
            "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed\", {ALGS}, Bearer"
        )),
        "second use",
    );
    // Also from another worker context (the table is shared, not per context).
    s.step_elsewhere(&r, &deny(DpopError::Replayed), "other context");
    assert_eq!(s.f.replay.view().live(NOW), 1);
}

#[test]
fn replay_new_proof_reusing_jti() {
    let mut s = Scenario::new(fixture());
    s.step(&s.req("reused"), &ok_dpop(), "first");
    // Same key and jti, different iat (a new signature over new claims).
    let later = s.req_at("reused", NOW + 5);
    s.step(&later, &deny(DpopError::Replayed), "same jti, later iat");
    // Same key and jti for another target and method.
    let elsewhere = pf(&s.h, "https://rs.example.com/payments", Some(&s.tok))
        .claim("jti", "reused")
        .claim("htm", "POST")
        .sign();
    let elsewhere = dpop_req(&s.tok, &elsewhere)
        .target("/payments")
        .method("POST");
    s.step(
        &elsewhere,
        &deny(DpopError::Replayed),
        "same jti, other request",
    );
    // The same jti under another key is another pair.
    let o = other();
    let otok = bound_token(&o);
    let theirs = pf(&o, URL, Some(&otok)).claim("jti", "reused").sign();
    s.step(
        &dpop_req(&otok, &theirs),
        &allow().binding(dpop_binding(&o)),
        "same jti, other key",
    );
    // Once the first pair's entry has expired (iat + 300 + 10), the jti may be used again.
    let t = NOW + MAX_AGE + LEEWAY + 6;
    let much_later = s.req_at("reused", t);
    s.step(&much_later, &ok_dpop(), "same jti after the entry expired");
}

#[test]
fn replay_malleated_es256_proof() {
    let mut s = Scenario::new(fixture());
    let p = pf(&s.h, URL, Some(&s.tok)).sign();
    let m = malleate(&p);
    assert_ne!(p, m);
    let (original, malleated) = (dpop_req(&s.tok, &p), dpop_req(&s.tok, &m));
    s.step(&original, &ok_dpop(), "original");
    let replayed = deny(DpopError::Replayed);
    s.step(
        &malleated,
        &replayed,
        "malleated (r, n - s) of the used proof",
    );
    // And the other way round on a fresh fixture (same worker context): the malleated one first.
    s.v = fixture().verifier();
    s.step(&malleated, &ok_dpop(), "malleated first");
    s.step(&original, &replayed, "original after the malleated one");
}

#[test]
fn invalid_proofs_never_consume_replay_capacity() {
    let Scenario {
        f,
        v,
        mut ctx,
        h,
        tok,
    } = Scenario::new(fixture());
    let jti = "shared-jti";
    let base = || pf(&h, URL, Some(&tok)).claim("jti", jti);
    let expired_tok = token_with(&claims_with_cnf(json!({ "jkt": jkt(&h) })).tap_exp(NOW - 100));
    let other_tok = bound_token(&other());
    let invalid: Vec<(&str, Req, Want)> = vec![
        (
            "bad htu",
            dpop_req(
                &tok,
                &base().claim("htu", "https://rs.example.com/other").sign(),
            ),
            deny(DpopError::HtuMismatch),
        ),
        (
            "bad signature",
            dpop_req(&tok, &bad_signature(&base().sign())),
            proof_jws(JwsError::BadSignature),
        ),
        (
            "wrong ath",
            dpop_req(&tok, &base().claim("ath", sha256_b64u(b"x")).sign()),
            deny(DpopError::AthMismatch),
        ),
        (
            "htm mismatch",
            dpop_req(&tok, &base().claim("htm", "POST").sign()),
            deny(DpopError::HtmMismatch),
        ),
        (
            "iat too old",
            dpop_req(&tok, &base().claim("iat", NOW - 400).sign()),
            deny(DpopError::IatTooOld),
        ),
        (
            "jkt mismatch (valid proof, token bound to another key)",
            dpop_req(
                &other_tok,
                &pf(&h, URL, Some(&other_tok)).claim("jti", jti).sign(),
            ),
            deny(DpopError::JktMismatch),
        ),
        (
            "expired token with a valid proof",
            dpop_req(
                &expired_tok,
                &pf(&h, URL, Some(&expired_tok)).claim("jti", jti).sign(),
            ),
            deny(ClaimsError::Expired),
        ),
        (
            "insufficient scope with a valid proof",
            dpop_req(&tok, &base().sign()).scopes(&["admin"]),
            deny(RequestError::InsufficientScope),
        ),
        (
            "bearer downgrade",
            bearer_req(&tok).dpop(&[&base().sign()]),
            deny(DpopError::BearerDowngrade),
        ),
    ];
    for (name, r, want) in &invalid {
        expect(&v, &mut ctx, r, want, name);
        assert_eq!(
            f.replay.view().live(NOW),
            0,
            "{name}: consumed replay capacity"
        );
    }
    // The jti every refused proof carried is still unused.
    expect(
        &v,
        &mut ctx,
        &dpop_req(&tok, &base().sign()),
        &ok_dpop(),
        "valid proof with the shared jti",
    );
    assert_eq!(f.replay.view().live(NOW), 1);
}

/// Claims helper: sets `exp`.
trait TapExp {
    fn tap_exp(self, exp: u64) -> Self;
}
impl TapExp for Value {
    fn tap_exp(mut self, exp: u64) -> Self {
        self["exp"] = exp.into();
        self
    }
}

#[test]
fn replay_table_full_fails_closed() {
    let mut s = Scenario::new(fixture());
    let tiny: &'static ReplayTable<2> = leak(ReplayTable::new([0x33; 32]));
    s.v = Verifier::new(
        s.f.policy,
        s.f.keys.view(),
        ReplayStore::Table(tiny.view()),
        s.f.cache.view(),
        s.f.nonces,
    );
    let a = s.req_at("a", NOW);
    s.step(&a, &ok_dpop(), "first entry");
    s.step(&s.req_at("b", NOW), &ok_dpop(), "second entry");
    s.step(
        &s.req_at("c", NOW),
        &deny(CapacityError::ReplayTableFull)
            .status(503)
            .challenge(""),
        "third entry: table full",
    );
    assert_eq!(
        tiny.view()
            .counters()
            .full
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    // Live entries are never evicted: the first proof is still a replay.
    s.step(&a, &deny(DpopError::Replayed), "replay while full");
    // Bearer requests do not need the table.
    s.step(
        &bearer_req(&bearer_token()),
        &allow().binding(Binding::None),
        "bearer while full",
    );
    // After the entries expire (iat + 300 + 10), slots are reused.
    let t = NOW + MAX_AGE + LEEWAY;
    s.step(&s.req_at("d", t), &ok_dpop(), "after expiry");
}

#[test]
fn nonce_rotation() {
    let mut s = Scenario::new(Fixture::new(&[(&issuer(), KID)], nonce_policy));
    let nonces = s.f.nonces;
    nonces.set_secret(&NONCE_SECRET, NOW).expect("secret");
    let req = |s: &Scenario, jti: &str, t: u64, nonce: &str| {
        let p = s.proof(jti).claim("iat", t).claim("nonce", nonce).sign();
        dpop_req(&s.tok, &p).now(t)
    };
    let current = |t: u64| nonces.current(t, 60).expect("set").as_str().to_string();
    let old = current(NOW);
    assert_eq!(old, nonce_at(NOW));
    let ok_with = |n: &str| ok_dpop().nonce(Some(n));
    s.step(&req(&s, "r1", NOW, &old), &ok_with(&old), "before rotation");
    nonces.set_secret(&[8u8; 32], NOW).expect("rotate");
    let new = current(NOW);
    assert_ne!(old, new);
    s.step(
        &req(&s, "r2", NOW, &old),
        &ok_with(&new),
        "old secret's nonce right after rotation",
    );
    s.step(
        &req(&s, "r3", NOW + 59, &old),
        &ok_dpop(),
        "old secret's nonce 59 s after rotation",
    );
    let new61 = current(NOW + 61);
    s.step(
        &req(&s, "r4", NOW + 61, &old),
        &deny(DpopError::NonceInvalid)
            .status(401)
            .nonce(Some(&new61)),
        "old secret's nonce 61 s after rotation",
    );
    s.step(
        &req(&s, "r5", NOW + 61, &new),
        &ok_with(&new61),
        "new secret's nonce",
    );
}

#[test]
fn token_cache_hit_on_second_request() {
    let mut s = Scenario::new(fixture());
    s.step(&s.req("c1"), &ok_dpop().cache_hit(false), "first");
    s.step(&s.req("c2"), &ok_dpop().cache_hit(true), "second");
    // A cache hit still checks everything else: the proof binding, for one.
    let downgraded = s.req("c3").auth(&[&format!("Bearer {}", s.tok)]);
    s.step(
        &downgraded,
        &deny(DpopError::BearerDowngrade),
        "cached token downgraded",
    );
    // A bearer token too.
    let bt = bearer_req(&bearer_token());
    s.step(&bt, &allow().cache_hit(false), "bearer first");
    s.step_elsewhere(
        &bt,
        &allow().cache_hit(true),
        "bearer second, other context",
    );
}

#[test]
fn token_cache_key_rotation_refuses_cached_token() {
    let mut s = Scenario::new(fixture());
    s.step(&s.req("k1"), &ok_dpop().cache_hit(false), "first");
    s.step(&s.req("k2"), &ok_dpop().cache_hit(true), "cached");
    let reload = |keys: &[Value], what: &str| {
        s.f.keys
            .view()
            .load(jwks(keys).as_bytes(), &fapi_core::jwk::JWKS_LIMITS)
            .expect(what);
    };
    // A reload that keeps the signing key keeps the cache entry usable.
    let next = Signer::es256(2).jwk_with_kid("k2");
    reload(
        &[issuer().jwk_with_kid(KID), next.clone()],
        "reload with both keys",
    );
    s.step(&s.req("k3"), &ok_dpop().cache_hit(true), "key kept");
    // A reload without the signing key: the cached token is refused at once.
    reload(&[next], "reload without the signing key");
    s.step(
        &s.req("k4"),
        &deny(JwkError::UnknownKid).status(401),
        "signing key rotated out",
    );
    s.step_elsewhere(
        &bearer_req(&bearer_token()),
        &deny(JwkError::UnknownKid),
        "bearer token of the rotated-out key, other context",
    );
}

#[test]
fn token_cache_expired_token_refused_when_cached() {
    let mut s = Scenario::new(fixture());
    // exp is NOW + 600; the token leeway is 10 s.
    s.step(&s.req_at("e1", NOW), &ok_dpop().cache_hit(false), "fresh");
    let last = s.req_at("e2", NOW + 609);
    s.step(&last, &ok_dpop().cache_hit(true), "last second");
    s.step(
        &s.req_at("e3", NOW + 610),
        &deny(ClaimsError::Expired).status(401),
        "expired though cached",
    );
}

#[test]
fn external_replay_two_phase() {
    let mut f = fixture();
    f.external_replay = true;
    let s = Scenario::new(f);
    let jti = "ext-jti-1";
    let r = s.req(jti);
    let Scenario {
        f, v, mut ctx, h, ..
    } = s;
    let mut pair = jkt_bytes(&h).to_vec();
    pair.extend_from_slice(jti.as_bytes());
    let key = b64u(&Sha256::digest(&pair));
    let phase1 = |ctx: &mut Context, step: &str| match decide(&v, ctx, &r) {
        Decision::NeedsReplayCheck(c) => {
            assert_eq!(c.key(), key, "{step}: store key");
            assert_eq!(c.expiry(), NOW + MAX_AGE + LEEWAY, "{step}: expiry");
        }
        d => panic!("{step}: expected NeedsReplayCheck, got {}", describe(&d)),
    };
    let complete = |ctx: &mut Context, o: ReplayOutcome, want: &Want, step: &str| {
        let d = v.complete_replay(ctx, o);
        let failures = check(&d, want);
        assert!(failures.is_empty(), "{step}: {}", failures.join("; "));
    };
    let not_pending = deny(MisuseError::ReplayNotPending)
        .status(500)
        .challenge("");

    phase1(&mut ctx, "fresh: phase 1");
    complete(
        &mut ctx,
        ReplayOutcome::Fresh,
        &ok_dpop().cache_hit(false),
        "fresh: phase 2",
    );
    complete(
        &mut ctx,
        ReplayOutcome::Fresh,
        &not_pending,
        "fresh: completed twice",
    );

    phase1(&mut ctx, "seen: phase 1");
    complete(
        &mut ctx,
        ReplayOutcome::Seen,
        &deny(DpopError::ReplayedExternal)
            .status(401)
            .challenge(&format!(
                "DPoP error=\"invalid_dpop_proof\", error_description=\"dpop_replayed_external\", {ALGS}, Bearer"
            )),
        "seen: phase 2",
    );

    phase1(&mut ctx, "store error: phase 1");
    complete(
        &mut ctx,
        ReplayOutcome::StoreError,
        &deny(CapacityError::ReplayStoreError)
            .status(503)
            .challenge(""),
        "store error: phase 2",
    );

    // A later decision clears the pending one.
    phase1(&mut ctx, "superseded: phase 1");
    expect(
        &v,
        &mut ctx,
        &Req::new(),
        &deny(RequestError::NoCredentials),
        "superseded: other request",
    );
    complete(
        &mut ctx,
        ReplayOutcome::Fresh,
        &not_pending,
        "superseded: phase 2",
    );

    let mut fresh_ctx = new_ctx();
    complete(
        &mut fresh_ctx,
        ReplayOutcome::Fresh,
        &not_pending,
        "no pending decision",
    );

    // Bearer requests need no replay check.
    expect(
        &v,
        &mut ctx,
        &bearer_req(&bearer_token()),
        &allow().binding(Binding::None),
        "bearer with the external store",
    );
    assert_eq!(
        f.replay.view().live(NOW),
        0,
        "the built-in table is not used"
    );
}

#[test]
fn check_proof_standalone() {
    let Scenario {
        f, v, mut ctx, h, ..
    } = Scenario::new(fixture());
    let token_ep = "https://rs.example.com/token";
    let cp = |ctx: &mut Context, p: &str, at: Option<&str>, want_jkt: Option<&Signer>| {
        let expected = want_jkt.map(jkt_bytes);
        v.check_proof(
            ctx,
            &fapi_core::request::ProofCheck {
                proof: p.as_bytes(),
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: at.map(str::as_bytes),
                expected_jkt: expected.as_ref(),
                now: NOW,
            },
        )
    };
    // A token-endpoint proof (RFC 9449 §5): POST, no access token, no ath.
    let p1 = proof(&h, "POST", token_ep, NOW, "tp-1", None, None);
    let vp = cp(&mut ctx, &p1, None, None).expect("token-endpoint proof");
    assert_eq!(vp.jkt(), &jkt_bytes(&h));
    assert_eq!(vp.expiry(), NOW + MAX_AGE + LEEWAY);
    assert_eq!(
        cp(&mut ctx, &p1, None, None).map(|_| ()),
        Err(Error::Dpop(DpopError::Replayed)),
        "replay"
    );
    // expected_jkt mismatch, which does not consume the pair.
    let p2 = proof(&h, "POST", token_ep, NOW, "tp-2", None, None);
    assert_eq!(
        cp(&mut ctx, &p2, None, Some(&other())).map(|_| ()),
        Err(Error::Dpop(DpopError::ExpectedJktMismatch)),
        "expected jkt of another key"
    );
    assert_eq!(
        cp(&mut ctx, &p2, None, Some(&h)).map(|p| *p.jkt()),
        Ok(jkt_bytes(&h)),
        "expected jkt of the key"
    );
    assert_eq!(
        cp(&mut ctx, &p2, None, Some(&h)).map(|_| ()),
        Err(Error::Dpop(DpopError::Replayed)),
        "replay with expected jkt"
    );
    // With an access token, ath is required.
    let at = "opaque-access-token";
    let p3 = proof(&h, "POST", token_ep, NOW, "tp-3", None, None);
    assert_eq!(
        cp(&mut ctx, &p3, Some(at), None).map(|_| ()),
        Err(Error::Dpop(DpopError::AthMissing)),
        "access token without ath"
    );
    let p4 = proof(&h, "POST", token_ep, NOW, "tp-4", Some(at), None);
    assert!(
        cp(&mut ctx, &p4, Some(at), None).is_ok(),
        "access token with ath"
    );
    // htm/htu still checked.
    let p5 = proof(&h, "GET", token_ep, NOW, "tp-5", None, None);
    assert_eq!(
        cp(&mut ctx, &p5, None, None).map(|_| ()),
        Err(Error::Dpop(DpopError::HtmMismatch))
    );
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p5.as_bytes(),
                method: b"GET",
                target: b"*",
                base: 0,
                access_token: None,
                expected_jkt: None,
                now: NOW
            }
        )
        .map(|_| ()),
        Err(Error::Request(RequestError::InvalidTarget))
    );
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: p5.as_bytes(),
                method: b"GET",
                target: b"/token",
                base: 9,
                access_token: None,
                expected_jkt: None,
                now: NOW
            }
        )
        .map(|_| ()),
        Err(Error::Misuse(MisuseError::InvalidArgument))
    );
    assert_eq!(f.replay.view().live(NOW), 3);
}

/// The RFC 9449 example proofs, verbatim, from
/// /work/shared/vectors/rfc/rfc9449_dpop_examples.json (transcribed from RFC 9449 §4.1, §5 and
/// §7.1; signatures checked there with three JOSE libraries).
const RFC9449_4_1_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
const RFC9449_4_1_IAT: u64 = 1_562_262_616;
const RFC9449_5_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA";
const RFC9449_5_IAT: u64 = 1_562_265_296;
const RFC9449_7_1_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const RFC9449_7_1_IAT: u64 = 1_562_262_618;
const RFC9449_7_1_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC9449_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

#[test]
fn check_proof_rfc9449_examples() {
    let bases: &'static [PublicBase] = leak([
        PublicBase::parse("https://server.example.com").expect("base"),
        PublicBase::parse("https://resource.example.org").expect("base"),
    ])
    .as_slice();
    let policy = leak(Policy::builder(config(), bases).build().expect("policy"));
    let keys: &'static KeyStore<8> = leak(KeyStore::new());
    let table: &'static ReplayTable<64> = leak(ReplayTable::new([0x44; 32]));
    let nonces = leak(NonceKeys::new());
    let v = Verifier::new(
        policy,
        keys.view(),
        ReplayStore::Table(table.view()),
        CacheView::disabled(),
        nonces,
    );
    let mut ctx = new_ctx();
    let rfc_jkt: [u8; 32] = b64u_decode(RFC9449_JKT).try_into().expect("32 bytes");
    let token_ep = |ctx: &mut Context, p: &str, now: u64| {
        v.check_proof(
            ctx,
            &fapi_core::request::ProofCheck {
                proof: p.as_bytes(),
                method: b"POST",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: Some(&rfc_jkt),
                now,
            },
        )
        .map(|p| *p.jkt())
    };
    assert_eq!(
        token_ep(&mut ctx, RFC9449_4_1_PROOF, RFC9449_4_1_IAT + 3600),
        Err(Error::Dpop(DpopError::IatTooOld)),
        "§4.1 proof an hour later"
    );
    assert_eq!(
        token_ep(&mut ctx, RFC9449_5_PROOF, RFC9449_4_1_IAT),
        Err(Error::Dpop(DpopError::IatInFuture)),
        "§5 proof before its iat"
    );
    assert_eq!(
        token_ep(&mut ctx, RFC9449_4_1_PROOF, RFC9449_4_1_IAT),
        Ok(rfc_jkt),
        "§4.1 token request proof"
    );
    assert_eq!(
        token_ep(&mut ctx, RFC9449_4_1_PROOF, RFC9449_4_1_IAT + 1),
        Err(Error::Dpop(DpopError::Replayed)),
        "§4.1 proof replayed"
    );
    assert_eq!(
        v.check_proof(
            &mut ctx,
            &fapi_core::request::ProofCheck {
                proof: RFC9449_4_1_PROOF.as_bytes(),
                method: b"GET",
                target: b"/token",
                base: 0,
                access_token: None,
                expected_jkt: None,
                now: RFC9449_4_1_IAT
            }
        )
        .map(|_| ()),
        Err(Error::Dpop(DpopError::HtmMismatch)),
        "§4.1 proof for GET"
    );
    // §5 reuses the §4.1 jti 2680 s later, after the §4.1 entry expired: not a replay.
    assert_eq!(
        token_ep(&mut ctx, RFC9449_5_PROOF, RFC9449_5_IAT),
        Ok(rfc_jkt),
        "§5 refresh proof"
    );
    // §7.1: a resource request with an (opaque) access token and ath.
    let resource = |ctx: &mut Context, at: &str| {
        v.check_proof(
            ctx,
            &fapi_core::request::ProofCheck {
                proof: RFC9449_7_1_PROOF.as_bytes(),
                method: b"GET",
                target: b"/protectedresource",
                base: 1,
                access_token: Some(at.as_bytes()),
                expected_jkt: Some(&rfc_jkt),
                now: RFC9449_7_1_IAT,
            },
        )
        .map(|p| *p.jkt())
    };
    assert_eq!(
        resource(&mut ctx, "another-token"),
        Err(Error::Dpop(DpopError::AthMismatch)),
        "§7.1 proof with another access token"
    );
    assert_eq!(
        resource(&mut ctx, RFC9449_7_1_ACCESS_TOKEN),
        Ok(rfc_jkt),
        "§7.1 resource request proof"
    );
}
