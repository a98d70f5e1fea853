//! Opaque tokens: the host's RFC 7662 introspection result replaces JWT verification, and the
//! same binding, scope and replay checks apply (RFC 9449 §6.2 shape).

use fapi_core::error::{ClaimsError, DpopError, Error, RequestError};
use fapi_core::request::{Binding, Context, Decision};
use fapi_tests::*;

const OPAQUE: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

fn decide(
    f: &Fixture,
    ctx: &mut Context,
    auth: &str,
    proof: Option<&str>,
    introspection: &str,
    scopes: &[&str],
) -> Result<Binding, Error> {
    let a = [auth.as_bytes()];
    let d: Vec<&[u8]> = proof.iter().map(|p| p.as_bytes()).collect();
    let mut r = request(&a, &d);
    r.introspection = Some(introspection.as_bytes());
    r.required_scopes = scopes;
    match f.verifier().decide(ctx, &r) {
        Decision::Allow(a) => Ok(a.binding()),
        Decision::Deny(d) => Err(d.error()),
        Decision::NeedsReplayCheck(_) => panic!("table mode"),
    }
}

#[test]
fn introspected_tokens_get_the_same_binding_checks() {
    let holder = Signer::es256(4);
    let other = Signer::es256(5);
    let f = Fixture::new(&[(&Signer::es256(1), "k1")], |b| b);
    let mut ctx: Box<Context> = Box::default();
    let jkt = jkt(&holder);
    let bound = format!(
        r#"{{"active":true,"sub":"someone@example.com","iss":"{ISS}","exp":{},"scope":"accounts","cnf":{{"jkt":"{jkt}"}}}}"#,
        NOW + 600
    );
    let htu = "https://rs.example.com/accounts";
    let p = |jti: &str, s: &Signer| proof(s, "GET", htu, NOW, jti, Some(OPAQUE), None);
    let dpop = format!("DPoP {OPAQUE}");
    let bearer = format!("Bearer {OPAQUE}");

    // Bound and proven.
    assert!(matches!(
        decide(
            &f,
            &mut ctx,
            &dpop,
            Some(&p("i1", &holder)),
            &bound,
            &["accounts"]
        ),
        Ok(Binding::Dpop { .. })
    ));
    // Replay of the same proof.
    assert_eq!(
        decide(&f, &mut ctx, &dpop, Some(&p("i1", &holder)), &bound, &[]),
        Err(Error::Dpop(DpopError::Replayed))
    );
    // Proof by another key.
    assert_eq!(
        decide(&f, &mut ctx, &dpop, Some(&p("i2", &other)), &bound, &[]),
        Err(Error::Dpop(DpopError::JktMismatch))
    );
    // Bearer downgrade of a bound opaque token.
    assert_eq!(
        decide(&f, &mut ctx, &bearer, None, &bound, &[]),
        Err(Error::Dpop(DpopError::BearerDowngrade))
    );
    // Scope.
    assert_eq!(
        decide(
            &f,
            &mut ctx,
            &dpop,
            Some(&p("i3", &holder)),
            &bound,
            &["payments"]
        ),
        Err(Error::Request(RequestError::InsufficientScope))
    );
    // Inactive, expired, wrong issuer, unsupported cnf, not JSON.
    let cases = [
        (
            r#"{"active":false}"#.to_string(),
            Error::Claims(ClaimsError::Inactive),
        ),
        (
            r#"{"active":"true"}"#.to_string(),
            Error::Claims(ClaimsError::Inactive),
        ),
        (
            r#"{"scope":"accounts"}"#.to_string(),
            Error::Claims(ClaimsError::Inactive),
        ),
        (
            format!(r#"{{"active":true,"exp":{}}}"#, NOW - 11),
            Error::Claims(ClaimsError::Expired),
        ),
        (
            r#"{"active":true,"iss":"https://evil.example"}"#.to_string(),
            Error::Claims(ClaimsError::IssMismatch),
        ),
        (
            r#"{"active":true,"aud":"https://other.example"}"#.to_string(),
            Error::Claims(ClaimsError::AudMismatch),
        ),
        (
            r#"{"active":true,"cnf":{"x5t":"abc"}}"#.to_string(),
            Error::Claims(ClaimsError::CnfUnsupported),
        ),
        (
            r#"{"active":true,"active":true}"#.to_string(),
            Error::Json(fapi_core::error::JsonError::DuplicateMember),
        ),
    ];
    for (json, want) in cases {
        assert_eq!(
            decide(&f, &mut ctx, &bearer, None, &json, &[]),
            Err(want),
            "{json}"
        );
    }
    // An unbound active opaque token with Bearer (default policy allows unbound tokens).
    assert_eq!(
        decide(
            &f,
            &mut ctx,
            &bearer,
            None,
            r#"{"active":true,"scope":"accounts"}"#,
            &["accounts"]
        ),
        Ok(Binding::None)
    );
}
