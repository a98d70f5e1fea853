//! The client side: named-case tables with one exact expected result each — discovery
//! metadata, PAR responses, authorization responses (JARM and plain, every attack class),
//! token responses, ID tokens — and the writers (request objects, client assertions, PAR
//! bodies, authorization URLs, token bodies, DPoP proofs) checked against fapi's own
//! verifiers and published vectors (RFC 6979 A.2.5, RFC 8032 §7.1, RFC 7636 Appendix B, in
//! `tests/vectors/rfc/`).

use fapi_core::Error;
use fapi_core::client::ClientConfig;
use fapi_core::client_auth::{self, AssertionTyp, ClientAuth};
use fapi_core::error::{
    AuthResponseError, ClaimsError, IdTokenError, JsonError, JwkError, JwsError, MetadataError,
    MisuseError, ParError, SignError, TokenError,
};
use fapi_core::jar::{self, AuthorizationRequest, ResponseMode};
use fapi_core::jarm::{self, Expected, ResponseScratch};
use fapi_core::json::JsonLimits;
use fapi_core::jwk::{self, KeyMaterial};
use fapi_core::jws::{self, Alg, AlgSet, TypRule, VerifyParams};
use fapi_core::metadata::{self, AlgList, Endpoint, MetadataOptions};
use fapi_core::sign::{self, Ed25519Key, Es256Key, Jkt, JwsSigner};
use fapi_core::{dpop_proof, form, id_token, oauth, par, pkce, random, token};
use fapi_tests::client::{
    CLIENT_ID, CODE, Fault, HostSigner, JTI, NONCE, REDIRECT, STATE, all_algs, as_keys, client,
    decode_jws, ed_key, es_key, fapi2_client, id_claims, jarm, jarm_claims, jwk_of, metadata,
    signed,
};
use fapi_tests::harness::{report, run_all};
use fapi_tests::{ISS, NOW, Signer, b64u, hex, jkt, sha256_b64u};
use serde_json::{Value, json};

type Want = Result<(), Error>;
const OK: Want = Ok(());

struct Case {
    name: &'static str,
    want: Want,
    run: Box<dyn Fn() -> Want>,
}

fn case(name: &'static str, want: Want, run: impl Fn() -> Want + 'static) -> Case {
    Case {
        name,
        want,
        run: Box::new(run),
    }
}

fn run_table(table: &str, cases: Vec<Case>, min: usize) {
    let failures = run_all(
        &cases,
        |c| c.name,
        |c| {
            let got = (c.run)();
            if got == c.want {
                vec![]
            } else {
                vec![format!("expected {:?}, got {:?}", c.want, got)]
            }
        },
    );
    report(table, cases.len(), min, &failures);
}

fn e(x: impl Into<Error>) -> Want {
    Err(x.into())
}

/// Runs `f` with a buffer and returns the text written.
fn text(f: impl FnOnce(&mut [u8]) -> Result<usize, Error>) -> String {
    let mut buf = vec![0u8; 16 * 1024];
    let n = f(&mut buf).expect("writes");
    String::from_utf8(buf[..n].to_vec()).expect("UTF-8 output")
}

// ---------------------------------------------------------------------------------------------
// Discovery metadata.

fn md_with(edit: impl Fn(&mut Value)) -> String {
    let mut m = metadata();
    edit(&mut m);
    m.to_string()
}

fn parse_md(doc: &str, opts: MetadataOptions) -> Want {
    metadata::parse(doc.as_bytes(), ISS, opts).map(|_| ())
}

#[test]
fn metadata_table() {
    let strict = MetadataOptions::default();
    let loose = MetadataOptions { allow_http: true };
    let c = |name, want, edit: fn(&mut Value), opts| {
        let doc = md_with(edit);
        case(name, want, move || parse_md(&doc, opts))
    };
    let cases = vec![
        c("good", OK, |_| {}, strict),
        c(
            "issuer missing",
            e(MetadataError::IssuerMissing),
            |m| {
                m.as_object_mut().unwrap().remove("issuer");
            },
            strict,
        ),
        c(
            "issuer of another server (mix-up)",
            e(MetadataError::IssuerMismatch),
            |m| m["issuer"] = "https://evil.example.com".into(),
            strict,
        ),
        c(
            "issuer with a trailing slash",
            e(MetadataError::IssuerMismatch),
            |m| m["issuer"] = format!("{ISS}/").into(),
            strict,
        ),
        c(
            "issuer not a string",
            e(MetadataError::MemberType),
            |m| m["issuer"] = json!([ISS]),
            strict,
        ),
        c(
            "http token endpoint",
            e(MetadataError::EndpointInvalid),
            |m| m["token_endpoint"] = "http://as.example.com/token".into(),
            strict,
        ),
        c(
            "http token endpoint allowed for loopback tests",
            OK,
            |m| m["token_endpoint"] = "http://127.0.0.1:3000/token".into(),
            loose,
        ),
        c(
            "endpoint with a fragment",
            e(MetadataError::EndpointInvalid),
            |m| m["pushed_authorization_request_endpoint"] = format!("{ISS}/par#x").into(),
            strict,
        ),
        c(
            "endpoint with userinfo",
            e(MetadataError::EndpointInvalid),
            |m| m["authorization_endpoint"] = "https://u@as.example.com/a".into(),
            strict,
        ),
        c(
            "endpoint not a string",
            e(MetadataError::MemberType),
            |m| m["jwks_uri"] = json!(1),
            strict,
        ),
        c(
            "mTLS alias over http",
            e(MetadataError::EndpointInvalid),
            |m| m["mtls_endpoint_aliases"]["token_endpoint"] = "http://mtls.example/t".into(),
            strict,
        ),
        c(
            "mTLS aliases not an object",
            e(MetadataError::MemberType),
            |m| m["mtls_endpoint_aliases"] = json!(["https://mtls.example/t"]),
            strict,
        ),
        c(
            "iss parameter flag as a string",
            e(MetadataError::MemberType),
            |m| m["authorization_response_iss_parameter_supported"] = "true".into(),
            strict,
        ),
        c(
            "DPoP algorithms not an array",
            e(MetadataError::MemberType),
            |m| m["dpop_signing_alg_values_supported"] = "ES256".into(),
            strict,
        ),
        c(
            "an algorithm list with a number",
            e(MetadataError::MemberType),
            |m| m["id_token_signing_alg_values_supported"] = json!(["ES256", 256]),
            strict,
        ),
        c(
            "PKCE without S256",
            e(MetadataError::PkceS256Unsupported),
            |m| m["code_challenge_methods_supported"] = json!(["plain"]),
            strict,
        ),
        c(
            "no PKCE list at all",
            OK,
            |m| {
                m.as_object_mut()
                    .unwrap()
                    .remove("code_challenge_methods_supported");
            },
            strict,
        ),
    ];
    let mut cases = cases;
    cases.push(case("issuer written with escaped slashes", OK, || {
        let doc = md_with(|_| {}).replace("\"issuer\":\"https://", "\"issuer\":\"https:\\/\\/");
        assert!(doc.contains("https:\\/\\/as.example.com\""));
        parse_md(&doc, MetadataOptions::default())
    }));
    cases.push(case(
        "duplicate issuer member",
        e(JsonError::DuplicateMember),
        || {
            let doc = format!("{{\"issuer\":\"{ISS}\",\"issuer\":\"https://evil.example.com\"}}");
            parse_md(&doc, MetadataOptions::default())
        },
    ));
    cases.push(case(
        "empty configured issuer",
        e(MetadataError::IssuerMismatch),
        || metadata::parse(md_with(|_| {}).as_bytes(), "", MetadataOptions::default()).map(|_| ()),
    ));
    run_table("metadata", cases, 20);
}

#[test]
fn metadata_accessors() {
    let doc = metadata().to_string();
    let md = metadata::parse(doc.as_bytes(), ISS, MetadataOptions::default()).unwrap();
    let mut buf = [0u8; 256];
    let n = md.endpoint_into(Endpoint::Token, false, &mut buf).unwrap();
    assert_eq!(&buf[..n], format!("{ISS}/token").as_bytes());
    let n = md.endpoint_into(Endpoint::Token, true, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"https://mtls.as.example.com/token");
    // No alias: the plain endpoint, with or without mTLS.
    let n = md.endpoint_into(Endpoint::Jwks, true, &mut buf).unwrap();
    assert_eq!(&buf[..n], format!("{ISS}/jwks").as_bytes());
    assert_eq!(
        md.endpoint(Endpoint::Userinfo),
        Err(Error::Metadata(MetadataError::EndpointMissing))
    );
    assert_eq!(
        md.endpoint_into(Endpoint::Token, false, &mut buf[..5]),
        Err(Error::BufferTooSmall {
            needed: ISS.len() + 6
        })
    );
    assert!(md.iss_parameter_supported());
    assert!(md.requires_par());
    assert!(!md.certificate_bound_tokens());
    // ES512 is not an algorithm fapi knows: left out, never an error.
    assert_eq!(
        md.dpop_algs(),
        AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ps256])
    );
    assert_eq!(
        md.algs(AlgList::AuthorizationSigning),
        AlgSet::of(&[Alg::Ps256, Alg::Es256])
    );
    assert!(md.algs(AlgList::IdTokenSigning).is_empty());
    assert!(md.supports_response_mode("query.jwt"));
    assert!(!md.supports_response_mode("fragment.jwt"));
    assert!(md.supports_auth_method("private_key_jwt"));
    assert!(md.issuer().eq_str(ISS));
}

// ---------------------------------------------------------------------------------------------
// PAR responses.

fn par_resp(status: u16, body: &str) -> Want {
    par::parse_response(status, body.as_bytes()).map(|p| {
        assert!(
            p.request_uri()
                .eq_str("urn:ietf:params:oauth:request_uri:abc")
        );
        assert_eq!(p.expires_in(), 60);
    })
}

#[test]
fn par_response_table() {
    let good = r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#;
    let c = |name, want, status: u16, body: &'static str| {
        case(name, want, move || par_resp(status, body))
    };
    let cases = vec![
        c("201 created", OK, 201, good),
        c("200 accepted too", OK, 200, good),
        c(
            "error response",
            e(ParError::ErrorResponse),
            400,
            r#"{"error":"invalid_request","error_description":"bad"}"#,
        ),
        c(
            "client authentication error",
            e(ParError::ErrorResponse),
            401,
            r#"{"error":"invalid_client"}"#,
        ),
        c(
            "redirect status",
            e(ParError::UnexpectedStatus),
            302,
            r#"{"error":"x"}"#,
        ),
        c(
            "server error without OAuth body",
            e(ParError::UnexpectedStatus),
            500,
            "<html>oops</html>",
        ),
        c(
            "no request_uri",
            e(ParError::RequestUriMissing),
            201,
            r#"{"expires_in":60}"#,
        ),
        c(
            "request_uri a number",
            e(ParError::RequestUriInvalid),
            201,
            r#"{"request_uri":1,"expires_in":60}"#,
        ),
        c(
            "request_uri empty",
            e(ParError::RequestUriInvalid),
            201,
            r#"{"request_uri":"","expires_in":60}"#,
        ),
        c(
            "no expires_in",
            e(ParError::ExpiresInMissing),
            201,
            r#"{"request_uri":"urn:x"}"#,
        ),
        c(
            "expires_in zero",
            e(ParError::ExpiresInInvalid),
            201,
            r#"{"request_uri":"urn:x","expires_in":0}"#,
        ),
        c(
            "expires_in a string",
            e(ParError::ExpiresInInvalid),
            201,
            r#"{"request_uri":"urn:x","expires_in":"60"}"#,
        ),
        c(
            "expires_in a fraction",
            e(ParError::ExpiresInInvalid),
            201,
            r#"{"request_uri":"urn:x","expires_in":60.5}"#,
        ),
        c(
            "not JSON",
            e(JsonError::Syntax),
            201,
            r#"{"request_uri":"urn:x","expires_in":60"#,
        ),
    ];
    run_table("PAR responses", cases, 14);
    // The error is surfaced with its `error` and description.
    let body = br#"{"error":"invalid_request_object","error_description":"exp too far"}"#;
    let err = oauth::ErrorResponse::parse(body).expect("an OAuth error");
    assert!(err.error().eq_str("invalid_request_object"));
    assert!(err.description().unwrap().eq_str("exp too far"));
    assert!(err.uri().is_none());
    assert!(oauth::ErrorResponse::parse(b"{\"error\":1}").is_none());
}

// ---------------------------------------------------------------------------------------------
// Authorization responses.

fn respond(cfg: &ClientConfig<'static>, input: &str, jarm_mode: bool, iss_supported: bool) -> Want {
    let keys = as_keys();
    let mut scratch: Box<ResponseScratch> = Box::default();
    let exp = Expected {
        state: STATE,
        jarm: jarm_mode,
        iss_parameter_supported: iss_supported,
    };
    let r = jarm::verify_response(
        cfg,
        keys.keys(),
        input.as_bytes(),
        &exp,
        NOW,
        &mut scratch,
        None,
    )
    .map(|a| assert_eq!(a.code(), CODE));
    if r == Err(AuthResponseError::ErrorResponse.into()) {
        let err = scratch.error().expect("error response kept");
        assert_eq!(err.error(), "access_denied");
        assert_eq!(err.description(), Some("the user said no"));
    } else {
        assert!(scratch.error().is_none());
    }
    r
}

fn jarm_with(alg: &'static str, edit: impl Fn(&mut Value)) -> String {
    let mut c = jarm_claims();
    edit(&mut c);
    format!("response={}", jarm(alg, &c))
}

fn tamper_payload(jws: &str) -> String {
    let parts: Vec<&str> = jws.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&fapi_tests::b64u_decode(parts[1])).unwrap();
    claims["code"] = "attacker-code".into();
    format!(
        "{}.{}.{}",
        parts[0],
        b64u(claims.to_string().as_bytes()),
        parts[2]
    )
}

#[test]
fn authorization_response_table() {
    let j = |name, want, input: String| {
        case(name, want, move || respond(&client(), &input, true, true))
    };
    let j2 = |name, want, input: String| {
        case(name, want, move || {
            respond(&fapi2_client(), &input, true, true)
        })
    };
    let p = |name, want, input: &'static str, iss_supported: bool| {
        case(name, want, move || {
            respond(&client(), input, false, iss_supported)
        })
    };
    let p2 = |name, want, input: &'static str| {
        case(name, want, move || {
            respond(&fapi2_client(), input, false, false)
        })
    };
    let good = jarm("ES256", &jarm_claims());
    let plain_iss = "code=code-1&state=s-0123456789abcdef&iss=https%3A%2F%2Fas.example.com";
    let mut cases = vec![
        // JARM, each algorithm.
        j("JARM ES256 (query.jwt)", OK, format!("response={good}")),
        j(
            "JARM ES256 with a leading '?'",
            OK,
            format!("?response={good}"),
        ),
        j(
            "JARM ES256 in a fragment (fragment.jwt)",
            OK,
            format!("#response={good}"),
        ),
        j(
            "JARM ES256 in a form_post body with other fields",
            OK,
            format!("response={good}&x=1"),
        ),
        j("JARM EdDSA", OK, jarm_with("EdDSA", |_| {})),
        j("JARM PS256", OK, jarm_with("PS256", |_| {})),
        j(
            "JARM RS256 outside the FAPI 2.0 profile",
            OK,
            jarm_with("RS256", |_| {}),
        ),
        j2(
            "JARM RS256 under the FAPI 2.0 profile",
            e(JwsError::AlgNotAllowed),
            jarm_with("RS256", |_| {}),
        ),
        j2(
            "JARM PS256 under the FAPI 2.0 profile",
            OK,
            jarm_with("PS256", |_| {}),
        ),
        // The attack classes.
        j(
            "tampered JARM (code swapped, signature kept)",
            e(JwsError::BadSignature),
            format!("response={}", tamper_payload(&good)),
        ),
        j(
            "JARM for another client",
            e(ClaimsError::AudMismatch),
            jarm_with("ES256", |c| c["aud"] = "client-2".into()),
        ),
        j(
            "JARM expired",
            e(ClaimsError::Expired),
            jarm_with("ES256", |c| c["exp"] = (NOW - 20).into()),
        ),
        j(
            "JARM expired within the leeway",
            OK,
            jarm_with("ES256", |c| c["exp"] = (NOW - 5).into()),
        ),
        j(
            "JARM without exp",
            e(ClaimsError::ExpMissing),
            jarm_with("ES256", |c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
        ),
        j(
            "JARM from another issuer (mix-up)",
            e(ClaimsError::IssMismatch),
            jarm_with("ES256", |c| c["iss"] = "https://evil.example.com".into()),
        ),
        j(
            "JARM state mismatch",
            e(AuthResponseError::StateMismatch),
            jarm_with("ES256", |c| c["state"] = "s-0123456789abcdeX".into()),
        ),
        j(
            "JARM state of another length",
            e(AuthResponseError::StateMismatch),
            jarm_with("ES256", |c| c["state"] = "s-0".into()),
        ),
        j(
            "JARM without state",
            e(AuthResponseError::StateMissing),
            jarm_with("ES256", |c| {
                c.as_object_mut().unwrap().remove("state");
            }),
        ),
        j(
            "JARM state not a string",
            e(AuthResponseError::ClaimType),
            jarm_with("ES256", |c| c["state"] = json!(1)),
        ),
        j(
            "JARM state with JSON escapes equals",
            OK,
            format!(
                "response={}",
                fapi_tests::sign_raw(
                    &Signer::es256(1),
                    r#"{"alg":"ES256","kid":"ec1"}"#,
                    &jarm_claims()
                        .to_string()
                        .replace("\"s-0123", "\"\\u0073-0123")
                )
            ),
        ),
        j(
            "JARM without code",
            e(AuthResponseError::CodeMissing),
            jarm_with("ES256", |c| {
                c.as_object_mut().unwrap().remove("code");
            }),
        ),
        j(
            "JARM code empty",
            e(AuthResponseError::CodeMissing),
            jarm_with("ES256", |c| c["code"] = "".into()),
        ),
        j(
            "JARM error response",
            e(AuthResponseError::ErrorResponse),
            jarm_with("ES256", |c| {
                let o = c.as_object_mut().unwrap();
                o.remove("code");
                o.insert("error".into(), "access_denied".into());
                o.insert("error_description".into(), "the user said no".into());
            }),
        ),
        j(
            "JARM error response with a wrong state",
            e(AuthResponseError::StateMismatch),
            jarm_with("ES256", |c| {
                let o = c.as_object_mut().unwrap();
                o.remove("code");
                o.insert("error".into(), "access_denied".into());
                o.insert("state".into(), "other".into());
            }),
        ),
        j(
            "JARM signed by a key not in the JWKS",
            e(JwkError::UnknownKid),
            format!(
                "response={}",
                signed(&Signer::es256(0x66), "evil", None, &jarm_claims())
            ),
        ),
        j(
            "JARM signed by an unknown key under a known kid",
            e(JwsError::BadSignature),
            format!(
                "response={}",
                signed(&Signer::es256(0x66), "ec1", None, &jarm_claims())
            ),
        ),
        j(
            "JARM alg none",
            e(JwsError::AlgNone),
            format!(
                "response={}.{}.",
                b64u(br#"{"alg":"none"}"#),
                b64u(jarm_claims().to_string().as_bytes())
            ),
        ),
        j(
            "JARM HS256",
            e(JwsError::AlgSymmetric),
            format!(
                "response={}.{}.c2ln",
                b64u(br#"{"alg":"HS256","kid":"ec1"}"#),
                b64u(jarm_claims().to_string().as_bytes())
            ),
        ),
        j(
            "JARM expected, plain response given",
            e(AuthResponseError::ResponseMissing),
            plain_iss.to_string(),
        ),
        j(
            "JARM with a plain code beside it",
            e(AuthResponseError::MixedResponse),
            format!("response={good}&code=other"),
        ),
        j(
            "JARM with a plain state beside it",
            e(AuthResponseError::MixedResponse),
            format!("state={STATE}&response={good}"),
        ),
        j(
            "two response parameters",
            e(AuthResponseError::DuplicateParameter),
            format!("response={good}&response={good}"),
        ),
        j(
            "response with a bad percent-encoding",
            e(AuthResponseError::ParameterEncoding),
            format!("response={good}%G0"),
        ),
        j(
            "response not a JWS",
            e(JwsError::Segments),
            "response=abc".to_string(),
        ),
        // Plain responses (RFC 9207).
        p("plain with iss", OK, plain_iss, true),
        p(
            "plain with iss percent-encoded in lower case",
            OK,
            "code=code-1&state=s-0123456789abcdef&iss=https%3a%2f%2fas.example.com",
            true,
        ),
        p(
            "plain iss mismatch (mix-up)",
            e(AuthResponseError::IssMismatch),
            "code=code-1&state=s-0123456789abcdef&iss=https%3A%2F%2Fevil.example.com",
            false,
        ),
        p(
            "plain iss checked before state",
            e(AuthResponseError::IssMismatch),
            "code=code-1&state=wrong&iss=https%3A%2F%2Fevil.example.com",
            false,
        ),
        p(
            "plain iss missing where the metadata supports it",
            e(AuthResponseError::IssMissing),
            "code=code-1&state=s-0123456789abcdef",
            true,
        ),
        p(
            "plain iss missing, not advertised",
            OK,
            "code=code-1&state=s-0123456789abcdef",
            false,
        ),
        p2(
            "plain iss missing under the FAPI 2.0 profile",
            e(AuthResponseError::IssMissing),
            "code=code-1&state=s-0123456789abcdef",
        ),
        p(
            "plain state mismatch",
            e(AuthResponseError::StateMismatch),
            "code=code-1&state=s-0123456789abcdeX&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain state missing",
            e(AuthResponseError::StateMissing),
            "code=code-1&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain code missing",
            e(AuthResponseError::CodeMissing),
            "state=s-0123456789abcdef&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain code empty",
            e(AuthResponseError::CodeMissing),
            "code=&state=s-0123456789abcdef&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain duplicate state",
            e(AuthResponseError::DuplicateParameter),
            "code=code-1&state=s-0123456789abcdef&state=x&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain duplicate code, one percent-encoded name",
            e(AuthResponseError::DuplicateParameter),
            "code=code-1&c%6Fde=x&state=s-0123456789abcdef",
            false,
        ),
        p(
            "plain bad percent-encoding",
            e(AuthResponseError::ParameterEncoding),
            "code=code-1&state=s-0123456789abcdef%4",
            false,
        ),
        p(
            "plain state not UTF-8",
            e(AuthResponseError::ParameterEncoding),
            "code=code-1&state=%FF",
            false,
        ),
        p(
            "plain error response",
            e(AuthResponseError::ErrorResponse),
            "error=access_denied&error_description=the+user%20said+no&state=s-0123456789abcdef&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
        p(
            "plain error response with a wrong state",
            e(AuthResponseError::StateMismatch),
            "error=access_denied&state=x&iss=https%3A%2F%2Fas.example.com",
            true,
        ),
    ];
    cases.push(case(
        "a code longer than the scratch",
        e(AuthResponseError::ParameterTooLong),
        || {
            let input = format!("code={}&state={STATE}", "c".repeat(300));
            let mut scratch: Box<ResponseScratch<1024, 6144, 256>> = Box::default();
            let exp = Expected {
                state: STATE,
                jarm: false,
                iss_parameter_supported: false,
            };
            jarm::verify_response(
                &client(),
                &[],
                input.as_bytes(),
                &exp,
                NOW,
                &mut scratch,
                None,
            )
            .map(|_| ())
        },
    ));
    cases.push(case(
        "an empty expected state is misuse",
        e(MisuseError::InvalidClientValue),
        || {
            let mut scratch: Box<ResponseScratch> = Box::default();
            let exp = Expected {
                state: "",
                jarm: false,
                iss_parameter_supported: false,
            };
            jarm::verify_response(
                &client(),
                &[],
                b"code=1&state=",
                &exp,
                NOW,
                &mut scratch,
                None,
            )
            .map(|_| ())
        },
    ));
    run_table("authorization responses", cases, 50);
}

// ---------------------------------------------------------------------------------------------
// Token responses.

fn tok(status: u16, body: &str, dpop_sent: bool) -> Want {
    token::parse_response(status, body.as_bytes(), dpop_sent).map(|_| ())
}

#[test]
fn token_response_table() {
    let c = |name, want, status: u16, body: &'static str, dpop: bool| {
        case(name, want, move || tok(status, body, dpop))
    };
    let cases = vec![
        c(
            "DPoP token after a proof",
            OK,
            200,
            r#"{"access_token":"at","token_type":"DPoP","expires_in":300,"refresh_token":"rt2","id_token":"a.b.c","scope":"openid"}"#,
            true,
        ),
        c(
            "token_type compared case-insensitively",
            OK,
            200,
            r#"{"access_token":"at","token_type":"dpop"}"#,
            true,
        ),
        c(
            "Bearer token after a DPoP proof (downgrade)",
            e(TokenError::TokenTypeMismatch),
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":300}"#,
            true,
        ),
        c(
            "Bearer token without a proof (mTLS-bound)",
            OK,
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":0}"#,
            false,
        ),
        c(
            "DPoP token without a proof",
            e(TokenError::TokenTypeMismatch),
            200,
            r#"{"access_token":"at","token_type":"DPoP"}"#,
            false,
        ),
        c(
            "unknown token_type",
            e(TokenError::TokenTypeMismatch),
            200,
            r#"{"access_token":"at","token_type":"N_A"}"#,
            true,
        ),
        c(
            "token_type longer than any known",
            e(TokenError::TokenTypeMismatch),
            200,
            r#"{"access_token":"at","token_type":"DPoPDPoPDPoP"}"#,
            true,
        ),
        c(
            "no access_token",
            e(TokenError::AccessTokenMissing),
            200,
            r#"{"token_type":"DPoP"}"#,
            true,
        ),
        c(
            "access_token empty",
            e(TokenError::AccessTokenMissing),
            200,
            r#"{"access_token":"","token_type":"DPoP"}"#,
            true,
        ),
        c(
            "no token_type",
            e(TokenError::TokenTypeMissing),
            200,
            r#"{"access_token":"at"}"#,
            true,
        ),
        c(
            "expires_in a string",
            e(TokenError::ExpiresInInvalid),
            200,
            r#"{"access_token":"at","token_type":"DPoP","expires_in":"300"}"#,
            true,
        ),
        c(
            "expires_in negative",
            e(TokenError::ExpiresInInvalid),
            200,
            r#"{"access_token":"at","token_type":"DPoP","expires_in":-1}"#,
            true,
        ),
        c(
            "refresh_token a number",
            e(TokenError::MemberType),
            200,
            r#"{"access_token":"at","token_type":"DPoP","refresh_token":1}"#,
            true,
        ),
        c(
            "id_token empty",
            e(TokenError::MemberType),
            200,
            r#"{"access_token":"at","token_type":"DPoP","id_token":""}"#,
            true,
        ),
        c(
            "use_dpop_nonce",
            e(TokenError::UseDpopNonce),
            400,
            r#"{"error":"use_dpop_nonce","error_description":"nonce required"}"#,
            true,
        ),
        c(
            "invalid_grant",
            e(TokenError::ErrorResponse),
            400,
            r#"{"error":"invalid_grant"}"#,
            true,
        ),
        c(
            "invalid_client on 401",
            e(TokenError::ErrorResponse),
            401,
            r#"{"error":"invalid_client"}"#,
            true,
        ),
        c(
            "HTML error page",
            e(TokenError::UnexpectedStatus),
            502,
            "<html/>",
            true,
        ),
        c(
            "success status with broken JSON",
            e(JsonError::Syntax),
            200,
            r#"{"access_token":"at","#,
            true,
        ),
        c(
            "duplicate token_type",
            e(JsonError::DuplicateMember),
            200,
            r#"{"access_token":"at","token_type":"DPoP","token_type":"Bearer"}"#,
            true,
        ),
    ];
    run_table("token responses", cases, 20);
}

#[test]
fn dpop_nonce_header_and_refresh_rotation() {
    assert_eq!(
        token::dpop_nonce(b"eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        Ok("eyJ7S_zG.eyJH0-Z.HX4w-7v")
    );
    for bad in [
        &b""[..],
        b"a b",
        b"a\"b",
        b"a\\b",
        b"\xc3\xa9",
        &[b'n'; 513],
    ] {
        assert_eq!(
            token::dpop_nonce(bad),
            Err(TokenError::DpopNonceInvalid.into()),
            "{bad:?}"
        );
    }
    let mut rt: token::RefreshToken = token::RefreshToken::new();
    assert_eq!(rt.get(), None);
    let first = br#"{"access_token":"at1","token_type":"DPoP","refresh_token":"rt-1"}"#;
    let r = token::parse_response(200, first, true).unwrap();
    assert_eq!(rt.rotate(&r), Ok(true));
    assert_eq!(rt.get(), Some("rt-1"));
    // The server rotates: the new token replaces the old one.
    let second = br#"{"access_token":"at2","token_type":"DPoP","refresh_token":"rt-2"}"#;
    let r = token::parse_response(200, second, true).unwrap();
    assert_eq!(rt.rotate(&r), Ok(true));
    assert_eq!(rt.get(), Some("rt-2"));
    // The server does not rotate: the current one stays.
    let third = br#"{"access_token":"at3","token_type":"DPoP"}"#;
    let r = token::parse_response(200, third, true).unwrap();
    assert_eq!(rt.rotate(&r), Ok(false));
    assert_eq!(rt.get(), Some("rt-2"));
    // Too long for the slot: refused, the current one stays.
    let long = format!(
        r#"{{"access_token":"a","token_type":"DPoP","refresh_token":"{}"}}"#,
        "r".repeat(40)
    );
    let r = token::parse_response(200, long.as_bytes(), true).unwrap();
    let mut small: token::RefreshToken<32> = token::RefreshToken::new();
    small.set("rt-0").unwrap();
    assert_eq!(small.rotate(&r), Err(Error::BufferTooSmall { needed: 40 }));
    assert_eq!(small.get(), Some("rt-0"));
    small.clear();
    assert_eq!(small.get(), None);
    // The refresh request carries the current token.
    let body = text(|b| {
        token::write_refresh_request(&client(), rt.get().unwrap(), None, &ClientAuth::Mtls, b)
    });
    assert_eq!(
        body,
        "grant_type=refresh_token&refresh_token=rt-2&client_id=client-1"
    );
}

// ---------------------------------------------------------------------------------------------
// ID tokens.

fn idt(cfg: &ClientConfig<'static>, token: &str, nonce: &str) -> Want {
    let keys = as_keys();
    let mut scratch: Box<fapi_core::jwt::Scratch> = Box::default();
    id_token::verify(
        cfg,
        keys.keys(),
        &mut scratch,
        token.as_bytes(),
        nonce,
        NOW,
        None,
    )
    .map(|t| {
        assert!(t.sub().unwrap().eq_str("alice"));
    })
}

fn id_with(edit: impl Fn(&mut Value)) -> String {
    let mut c = id_claims();
    edit(&mut c);
    jarm("ES256", &c)
}

#[test]
fn id_token_table() {
    let c = |name, want, token: String| case(name, want, move || idt(&client(), &token, NONCE));
    let good = id_with(|_| {});
    let cases = vec![
        c("good ES256", OK, good.clone()),
        c("good PS256", OK, jarm("PS256", &id_claims())),
        c("good EdDSA", OK, jarm("EdDSA", &id_claims())),
        c(
            "typ JWT",
            OK,
            signed(&Signer::es256(1), "ec1", Some("JWT"), &id_claims()),
        ),
        c(
            "typ at+jwt (an access token)",
            e(JwsError::TypMismatch),
            signed(&Signer::es256(1), "ec1", Some("at+jwt"), &id_claims()),
        ),
        c(
            "wrong nonce",
            e(IdTokenError::NonceMismatch),
            id_with(|c| c["nonce"] = "n-0123456789abcdeX".into()),
        ),
        c(
            "nonce missing",
            e(IdTokenError::NonceMissing),
            id_with(|c| {
                c.as_object_mut().unwrap().remove("nonce");
            }),
        ),
        c(
            "nonce not a string",
            e(IdTokenError::NonceMismatch),
            id_with(|c| c["nonce"] = json!(7)),
        ),
        c(
            "iss of another server",
            e(ClaimsError::IssMismatch),
            id_with(|c| c["iss"] = "https://evil.example.com".into()),
        ),
        c(
            "for another client",
            e(ClaimsError::AudMismatch),
            id_with(|c| c["aud"] = "client-2".into()),
        ),
        c(
            "expired",
            e(ClaimsError::Expired),
            id_with(|c| c["exp"] = (NOW - 11).into()),
        ),
        c(
            "issued in the future",
            e(ClaimsError::IssuedInFuture),
            id_with(|c| c["iat"] = (NOW + 60).into()),
        ),
        c(
            "iat missing",
            e(IdTokenError::IatMissing),
            id_with(|c| {
                c.as_object_mut().unwrap().remove("iat");
            }),
        ),
        c(
            "sub missing",
            e(IdTokenError::SubMissing),
            id_with(|c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
        ),
        c(
            "several audiences without azp",
            e(IdTokenError::AzpMissing),
            id_with(|c| c["aud"] = json!([CLIENT_ID, "client-2"])),
        ),
        c(
            "several audiences with azp",
            OK,
            id_with(|c| {
                c["aud"] = json!([CLIENT_ID, "client-2"]);
                c["azp"] = CLIENT_ID.into();
            }),
        ),
        c(
            "azp of another client",
            e(IdTokenError::AzpMismatch),
            id_with(|c| c["azp"] = "client-2".into()),
        ),
        c(
            "one audience in an array",
            OK,
            id_with(|c| c["aud"] = json!([CLIENT_ID])),
        ),
        c("tampered", e(JwsError::BadSignature), {
            let parts: Vec<&str> = good.split('.').collect();
            let mut claims = id_claims();
            claims["sub"] = "mallory".into();
            format!(
                "{}.{}.{}",
                parts[0],
                b64u(claims.to_string().as_bytes()),
                parts[2]
            )
        }),
    ];
    let mut cases = cases;
    cases.push(case(
        "RS256 under the FAPI 2.0 profile",
        e(JwsError::AlgNotAllowed),
        || idt(&fapi2_client(), &jarm("RS256", &id_claims()), NONCE),
    ));
    cases.push(case(
        "an empty expected nonce is misuse",
        e(MisuseError::InvalidClientValue),
        || idt(&client(), &jarm("ES256", &id_claims()), ""),
    ));
    run_table("ID tokens", cases, 21);
}

// ---------------------------------------------------------------------------------------------
// Writers: request objects, assertions, PAR bodies, URLs, token bodies, DPoP proofs.

/// Verifies a JWS the client wrote with fapi's own verifier and the public key, and returns
/// its header and claims.
fn verify_own(jws_text: &str, key: &KeyMaterial, typ: &'static str) -> (Value, Value) {
    let (h, _) = decode_jws(jws_text);
    let mut public = jwk_of(key);
    if let Some(kid) = h.get("kid") {
        public["kid"] = kid.clone();
    }
    let jwk = jwk::parse_jwk_json(public.to_string().as_bytes(), &JsonLimits::DEFAULT)
        .expect("own public key parses");
    let params = VerifyParams {
        max_token_len: 16 * 1024,
        header_limits: &JsonLimits::DEFAULT,
        allowed: all_algs(),
        typ: Some(TypRule {
            expected: typ,
            allow_plain_jwt: false,
        }),
    };
    let (mut h, mut s) = ([0u8; 2048], [0u8; 512]);
    jws::verify(jws_text.as_bytes(), &[jwk], &params, &mut h, &mut s, 8192)
        .expect("fapi's own verifier accepts the client's JWS");
    decode_jws(jws_text)
}

fn auth_request() -> AuthorizationRequest<'static> {
    AuthorizationRequest {
        redirect_uri: REDIRECT,
        scope: Some("openid accounts"),
        state: STATE,
        nonce: Some(NONCE),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        response_mode: Some(ResponseMode::QueryJwt),
        dpop_jkt: None,
        authorization_details: None,
    }
}

#[test]
fn request_object_is_signed_checked_and_verifiable() {
    let mut key = es_key(7).with_kid("client-key-1").unwrap();
    let holder = ed_key(3);
    let jkt = Jkt::of(holder.public_key());
    let details = br#" [{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"1.00"}}] "#;
    let req = AuthorizationRequest {
        dpop_jkt: Some(jkt.as_str()),
        authorization_details: Some(details),
        ..auth_request()
    };
    let ro =
        text(|b| jar::write_request_object(&fapi2_client(), &req, NOW, 300, &JTI, &mut key, b));
    let (_, c) = verify_own(&ro, key.public_key(), jar::TYP);
    // Header members in their fixed order, claims in theirs.
    let (header_text, claims_text) = raw_parts(&ro);
    assert_eq!(
        header_text,
        r#"{"alg":"ES256","typ":"oauth-authz-req+jwt","kid":"client-key-1"}"#
    );
    assert_eq!(c["iss"], CLIENT_ID);
    assert_eq!(c["aud"], ISS);
    assert_eq!(c["client_id"], CLIENT_ID);
    assert_eq!(c["response_type"], "code");
    assert_eq!(c["redirect_uri"], REDIRECT);
    assert_eq!(c["scope"], "openid accounts");
    assert_eq!(c["state"], STATE);
    assert_eq!(c["nonce"], NONCE);
    assert_eq!(c["code_challenge_method"], "S256");
    assert_eq!(c["response_mode"], "query.jwt");
    assert_eq!(c["dpop_jkt"], jkt.as_str());
    assert_eq!(c["dpop_jkt"], jkt_of_signer_ed(3));
    assert_eq!(c["authorization_details"][0]["type"], "payment_initiation");
    assert_eq!(c["nbf"], NOW);
    assert_eq!(c["iat"], NOW);
    assert_eq!(c["exp"], NOW + 300);
    assert_eq!(c["jti"], b64u(&JTI));
    let order = [
        "iss",
        "aud",
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "response_mode",
        "dpop_jkt",
        "authorization_details",
        "nbf",
        "iat",
        "exp",
        "jti",
    ];
    assert_eq!(member_order(&claims_text), order);
    // Deterministic (RFC 6979): the same input gives the same bytes.
    let again =
        text(|b| jar::write_request_object(&fapi2_client(), &req, NOW, 300, &JTI, &mut key, b));
    assert_eq!(ro, again);
    // Too small a buffer: the exact length needed, nothing written.
    let mut small = vec![0u8; ro.len() - 1];
    assert_eq!(
        jar::write_request_object(&fapi2_client(), &req, NOW, 300, &JTI, &mut key, &mut small),
        Err(Error::BufferTooSmall { needed: ro.len() })
    );
    assert!(small.iter().all(|&b| b == 0));
}

/// The decoded header and payload text of a compact JWS.
fn raw_parts(jws: &str) -> (String, String) {
    let mut it = jws.split('.');
    let h = String::from_utf8(fapi_tests::b64u_decode(it.next().unwrap())).unwrap();
    let p = String::from_utf8(fapi_tests::b64u_decode(it.next().unwrap())).unwrap();
    (h, p)
}

/// The top-level member names of a JSON object text, in document order.
fn member_order(json_text: &str) -> Vec<String> {
    let obj = fapi_core::json::parse_object(json_text.as_bytes(), &JsonLimits::DEFAULT).unwrap();
    obj.members()
        .map(|(k, _)| String::from_utf8(k.raw().to_vec()).unwrap())
        .collect()
}

fn jkt_of_signer_ed(seed: u8) -> String {
    jkt(&Signer::ed25519(seed))
}

#[test]
fn request_object_refusals() {
    fn ro(
        cfg: ClientConfig<'static>,
        req: AuthorizationRequest<'static>,
        lifetime: u32,
        jti: &'static [u8],
        signer: &mut dyn JwsSigner,
    ) -> Want {
        let mut buf = vec![0u8; 8192];
        jar::write_request_object(&cfg, &req, NOW, lifetime, jti, signer, &mut buf).map(|_| ())
    }
    let es = || es_key(7);
    let c = |name, want, req: AuthorizationRequest<'static>, lifetime: u32| {
        case(name, want, move || {
            ro(client(), req, lifetime, &JTI, &mut es())
        })
    };
    let base = auth_request();
    let mut cases = vec![
        c("good", OK, base, 300),
        c("lifetime of 60 minutes", OK, base, 3600),
        c(
            "lifetime above 60 minutes",
            e(MisuseError::LifetimeOutOfRange),
            base,
            3601,
        ),
        c("lifetime zero", e(MisuseError::LifetimeOutOfRange), base, 0),
        c(
            "empty state",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest { state: "", ..base },
            300,
        ),
        c(
            "state with a control character",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest {
                state: "a\nb",
                ..base
            },
            300,
        ),
        c(
            "code_challenge not S256 output",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest {
                code_challenge: "plain-verifier",
                ..base
            },
            300,
        ),
        c(
            "redirect_uri relative",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest {
                redirect_uri: "/cb",
                ..base
            },
            300,
        ),
        c(
            "redirect_uri with a fragment",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest {
                redirect_uri: "https://client.example.com/cb#x",
                ..base
            },
            300,
        ),
        c(
            "http loopback redirect outside the profile",
            OK,
            AuthorizationRequest {
                redirect_uri: "http://127.0.0.1:8080/cb",
                ..base
            },
            300,
        ),
        c(
            "authorization_details not an array",
            e(MisuseError::AuthorizationDetailsInvalid),
            AuthorizationRequest {
                authorization_details: Some(br#"{"type":"x"}"#),
                ..base
            },
            300,
        ),
        c(
            "authorization_details without type",
            e(MisuseError::AuthorizationDetailsInvalid),
            AuthorizationRequest {
                authorization_details: Some(br#"[{"actions":["read"]}]"#),
                ..base
            },
            300,
        ),
        c(
            "authorization_details with a duplicate member",
            e(MisuseError::AuthorizationDetailsInvalid),
            AuthorizationRequest {
                authorization_details: Some(br#"[{"type":"a","type":"b"}]"#),
                ..base
            },
            300,
        ),
        c(
            "authorization_details with trailing data",
            e(MisuseError::AuthorizationDetailsInvalid),
            AuthorizationRequest {
                authorization_details: Some(br#"[{"type":"a"}] x"#),
                ..base
            },
            300,
        ),
        c(
            "dpop_jkt not a thumbprint",
            e(MisuseError::InvalidClientValue),
            AuthorizationRequest {
                dpop_jkt: Some("abc"),
                ..base
            },
            300,
        ),
    ];
    cases.push(case(
        "http redirect under the FAPI 2.0 profile",
        e(MisuseError::InvalidClientValue),
        move || {
            let req = AuthorizationRequest {
                redirect_uri: "http://127.0.0.1:8080/cb",
                ..base
            };
            ro(fapi2_client(), req, 300, &JTI, &mut es())
        },
    ));
    cases.push(case(
        "jti from 15 random bytes",
        e(MisuseError::RandomLength),
        move || ro(client(), base, 300, &[1; 15], &mut es()),
    ));
    cases.push(case(
        "RS256 host signer under the FAPI 2.0 profile",
        e(SignError::AlgNotAllowed),
        move || {
            ro(
                fapi2_client(),
                base,
                300,
                &JTI,
                &mut HostSigner::new(false, Fault::None),
            )
        },
    ));
    cases.push(case("PS256 host signer under the profile", OK, move || {
        ro(
            fapi2_client(),
            base,
            300,
            &JTI,
            &mut HostSigner::new(true, Fault::None),
        )
    }));
    cases.push(case(
        "host signer that fails",
        e(fapi_core::error::CapacityError::CryptoProviderFailure),
        move || {
            ro(
                client(),
                base,
                300,
                &JTI,
                &mut HostSigner::new(true, Fault::Fails),
            )
        },
    ));
    cases.push(case(
        "host signer returning a short signature",
        e(SignError::SignatureLength),
        move || {
            ro(
                client(),
                base,
                300,
                &JTI,
                &mut HostSigner::new(true, Fault::Short),
            )
        },
    ));
    cases.push(case(
        "a signer whose key does not fit its algorithm",
        e(SignError::AlgKeyMismatch),
        move || {
            struct Liar(KeyMaterial);
            impl JwsSigner for Liar {
                fn alg(&self) -> Alg {
                    Alg::Es256
                }
                fn public_key(&self) -> &KeyMaterial {
                    &self.0
                }
                fn sign(&mut self, _: &[u8], _: &mut [u8]) -> Result<usize, jws::ProviderFailure> {
                    Ok(64)
                }
            }
            ro(
                client(),
                base,
                300,
                &JTI,
                &mut Liar(KeyMaterial::Ed25519([9; 32])),
            )
        },
    ));
    run_table("request objects", cases, 22);
}

#[test]
fn host_signer_ps256_verifies_and_signs_only_when_writing() {
    let mut hsm = HostSigner::new(true, Fault::None);
    let ro = text(|b| {
        jar::write_request_object(&fapi2_client(), &auth_request(), NOW, 60, &JTI, &mut hsm, b)
    });
    let (h, _) = verify_own(&ro, &hsm.public, jar::TYP);
    assert_eq!(h["alg"], "PS256");
    assert_eq!(h["kid"], "hsm-1");
    // The measuring pass never signs: one call for one JWS.
    assert_eq!(hsm.calls, 1);
    let mut small = [0u8; 10];
    let r = jar::write_request_object(
        &client(),
        &auth_request(),
        NOW,
        60,
        &JTI,
        &mut hsm,
        &mut small,
    );
    assert_eq!(r, Err(Error::BufferTooSmall { needed: ro.len() }));
    assert_eq!(hsm.calls, 1, "no signature for a buffer that is too small");
}

#[test]
fn es256_is_rfc6979_deterministic_and_ed25519_matches_rfc8032() {
    let v: Value =
        serde_json::from_str(include_str!("../vectors/rfc/rfc6979_a25_p256_sha256.json")).unwrap();
    let x: [u8; 32] = hex(v["private_x"].as_str().unwrap()).try_into().unwrap();
    let mut key = Es256Key::from_secret(&x).unwrap();
    let KeyMaterial::P256(xy) = key.public_key() else {
        panic!("P-256 key")
    };
    assert_eq!(xy[..32], hex(v["public_ux"].as_str().unwrap())[..]);
    assert_eq!(xy[32..], hex(v["public_uy"].as_str().unwrap())[..]);
    for t in v["vectors"].as_array().unwrap() {
        let msg = t["message"].as_str().unwrap();
        let mut sig = [0u8; 64];
        assert_eq!(key.sign(msg.as_bytes(), &mut sig), Ok(64));
        let want = hex(&format!(
            "{}{}",
            t["r"].as_str().unwrap(),
            t["s"].as_str().unwrap()
        ));
        assert_eq!(sig[..], want[..], "RFC 6979 A.2.5 {msg}");
        // fapi's own verifier accepts it.
        let jwk = jwk::parse_jwk_json(
            jwk_of(key.public_key()).to_string().as_bytes(),
            &JsonLimits::DEFAULT,
        )
        .unwrap();
        assert_eq!(
            jws::verify_signature(&jwk, Alg::Es256, msg.as_bytes(), &sig),
            Ok(())
        );
    }
    // The test minter's p256 signatures (also RFC 6979) are the same bytes.
    let input = b"eyJhbGciOiJFUzI1NiJ9.e30";
    let mut sig = [0u8; 64];
    es_key(5).sign(input, &mut sig).unwrap();
    assert_eq!(sig.to_vec(), Signer::es256(5).sign(input));

    let v: Value =
        serde_json::from_str(include_str!("../vectors/rfc/rfc8032_ed25519_test1.json")).unwrap();
    let seed: [u8; 32] = hex(v["secret_key"].as_str().unwrap()).try_into().unwrap();
    let mut ed = Ed25519Key::from_seed(&seed);
    assert_eq!(
        ed.public_key(),
        &KeyMaterial::Ed25519(hex(v["public_key"].as_str().unwrap()).try_into().unwrap())
    );
    let mut sig = [0u8; 64];
    assert_eq!(ed.sign(b"", &mut sig), Ok(64));
    assert_eq!(sig.to_vec(), hex(v["signature"].as_str().unwrap()));
    assert_eq!(ed.alg(), Alg::EdDsa);
    assert_eq!(ed.clone().fully_specified().alg(), Alg::Ed25519);
    // Invalid P-256 scalars are refused.
    assert!(matches!(
        Es256Key::from_secret(&[0; 32]),
        Err(Error::Sign(SignError::KeyInvalid))
    ));
    assert!(matches!(
        Es256Key::from_secret(&[0xFF; 32]),
        Err(Error::Sign(SignError::KeyInvalid))
    ));
    assert!(matches!(
        es_key(1).with_kid(&"k".repeat(97)),
        Err(Error::Jwk(JwkError::KidTooLong))
    ));
}

#[test]
fn generic_compact_writer() {
    let mut key = ed_key(4).with_kid("ed-key").unwrap();
    let hdr = sign::JwsHeader {
        typ: "example+jwt",
        kid: true,
        jwk: false,
    };
    let payload = br#"{"hello":"world"}"#;
    let out = text(|b| sign::compact(&hdr, payload, &mut key, all_algs(), b));
    let (_, p) = verify_own(&out, key.public_key(), "example+jwt");
    assert_eq!(
        raw_parts(&out),
        (
            r#"{"alg":"EdDSA","typ":"example+jwt","kid":"ed-key"}"#.to_string(),
            r#"{"hello":"world"}"#.to_string()
        )
    );
    assert_eq!(p["hello"], "world");
    // Canonical base64url: no padding, URL alphabet only.
    assert!(
        out.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    );
    assert_eq!(
        sign::compact(
            &hdr,
            payload,
            &mut key,
            AlgSet::of(&[Alg::Es256]),
            &mut [0; 512]
        ),
        Err(SignError::AlgNotAllowed.into())
    );
}

#[test]
fn client_assertion() {
    let mut key = es_key(8).with_kid("ck").unwrap();
    let a = text(|b| {
        client_auth::write_assertion(
            &client(),
            AssertionTyp::default(),
            NOW,
            60,
            &JTI,
            &mut key,
            b,
        )
    });
    let (_, c) = verify_own(&a, key.public_key(), "client-authentication+jwt");
    let (h, claims_text) = raw_parts(&a);
    assert_eq!(
        h,
        r#"{"alg":"ES256","typ":"client-authentication+jwt","kid":"ck"}"#
    );
    assert_eq!(
        member_order(&claims_text),
        ["iss", "sub", "aud", "jti", "iat", "exp"]
    );
    assert_eq!(c["iss"], CLIENT_ID);
    assert_eq!(c["sub"], CLIENT_ID);
    assert_eq!(c["aud"], ISS);
    assert_eq!(c["jti"], b64u(&JTI));
    assert_eq!(c["iat"], NOW);
    assert_eq!(c["exp"], NOW + 60);
    let a = text(|b| {
        client_auth::write_assertion(&client(), AssertionTyp::Jwt, NOW, 60, &JTI, &mut key, b)
    });
    let (h, _) = verify_own(&a, key.public_key(), "JWT");
    assert_eq!(h["typ"], "JWT");
    let mut buf = [0u8; 1024];
    for (lifetime, jti, want) in [
        (
            301,
            &JTI[..],
            Error::Misuse(MisuseError::LifetimeOutOfRange),
        ),
        (0, &JTI[..], Error::Misuse(MisuseError::LifetimeOutOfRange)),
        (60, &JTI[..8], Error::Misuse(MisuseError::RandomLength)),
    ] {
        assert_eq!(
            client_auth::write_assertion(
                &client(),
                AssertionTyp::default(),
                NOW,
                lifetime,
                jti,
                &mut key,
                &mut buf
            ),
            Err(want)
        );
    }
}

#[test]
fn par_body_url_and_token_bodies() {
    let assertion = "eyJ.eyJ.sig";
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    let auth = ClientAuth::PrivateKeyJwt { assertion };
    let body = text(|b| par::write_body(&client(), "a.b.c", &auth, Some(jkt), b));
    assert_eq!(
        body,
        "request=a.b.c&dpop_jkt=0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I&client_id=client-1\
         &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
         &client_assertion=eyJ.eyJ.sig"
    );
    // Every parameter reads back with the decoder.
    let names: Vec<String> = form::params(body.as_bytes())
        .map(|p| {
            let mut n = [0u8; 64];
            form::decode(p.name, &mut n).unwrap().to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "request",
            "dpop_jkt",
            "client_id",
            "client_assertion_type",
            "client_assertion"
        ]
    );
    let [t] = form::find_many(body.as_bytes(), ["client_assertion_type"]).unwrap();
    let mut buf = [0u8; 128];
    assert_eq!(
        form::decode(t.unwrap(), &mut buf).unwrap(),
        client_auth::ASSERTION_TYPE
    );
    let mtls = text(|b| par::write_body(&client(), "a.b.c", &ClientAuth::Mtls, None, b));
    assert_eq!(mtls, "request=a.b.c&client_id=client-1");
    assert_eq!(
        par::write_body(&client(), "", &ClientAuth::Mtls, None, &mut buf),
        Err(MisuseError::InvalidClientValue.into())
    );
    assert_eq!(
        par::write_body(&client(), "a.b.c", &ClientAuth::Mtls, Some("x"), &mut buf),
        Err(MisuseError::InvalidClientValue.into())
    );

    let url = text(|b| {
        par::write_authorization_url(
            "https://as.example.com/authorize",
            "client 1",
            "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
            b,
        )
    });
    assert_eq!(
        url,
        "https://as.example.com/authorize?client_id=client%201\
         &request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c"
    );
    let url =
        text(|b| par::write_authorization_url("https://as.example.com/a?tenant=x", "c", "u", b));
    assert_eq!(
        url,
        "https://as.example.com/a?tenant=x&client_id=c&request_uri=u"
    );
    assert_eq!(
        par::write_authorization_url("https://as.example.com/a#f", "c", "u", &mut buf),
        Err(MisuseError::InvalidClientValue.into())
    );

    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let body = text(|b| {
        token::write_code_request(
            &client(),
            "SplxlOBeZQQYbYS6WxSbIA",
            REDIRECT,
            verifier,
            &auth,
            b,
        )
    });
    assert_eq!(
        body,
        "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
         &redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb\
         &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=client-1\
         &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
         &client_assertion=eyJ.eyJ.sig"
    );
    assert_eq!(
        token::write_code_request(&client(), "c", REDIRECT, "short", &auth, &mut buf),
        Err(MisuseError::PkceVerifierInvalid.into())
    );
    let body = text(|b| {
        token::write_refresh_request(&client(), "r/t+1", Some("accounts"), &ClientAuth::Mtls, b)
    });
    assert_eq!(
        body,
        "grant_type=refresh_token&refresh_token=r%2Ft%2B1&scope=accounts&client_id=client-1"
    );
}

#[test]
fn dpop_proof_verifies_with_fapis_own_resource_server_checks() {
    use fapi_core::dpop::{ProofContext, ProofPolicy, ProofScratch, verify_proof};
    let policy = ProofPolicy {
        algs: all_algs(),
        max_age: 300,
        leeway: 10,
        nonce_required: false,
        nonce_slot: 60,
    };
    let nonces = fapi_core::nonce::NonceKeys::new();
    for (name, mut signer) in [
        ("ES256", Box::new(es_key(9)) as Box<dyn JwsSigner>),
        ("EdDSA", Box::new(ed_key(9))),
        ("PS256 host", Box::new(HostSigner::new(true, Fault::None))),
    ] {
        let access_token = b"eyJ0eXAiOiJhdCtqd3QifQ.e30.sig";
        let req = dpop_proof::ProofRequest {
            htm: "GET",
            htu: "https://rs.example.com/accounts",
            nonce: Some("server-nonce_1"),
            access_token: Some(access_token),
        };
        let proof =
            text(|b| dpop_proof::write_proof(&req, NOW, &JTI, signer.as_mut(), all_algs(), b));
        let (h, c) = decode_jws(&proof);
        assert_eq!(h["typ"], "dpop+jwt", "{name}");
        assert!(h.get("kid").is_none(), "{name}");
        let (header_text, _) = raw_parts(&proof);
        assert_eq!(member_order(&header_text), ["alg", "typ", "jwk"], "{name}");
        let jwk_text =
            &header_text[header_text.find("\"jwk\":").unwrap() + 6..header_text.len() - 1];
        assert_eq!(
            member_order(jwk_text),
            match name {
                "ES256" => vec!["crv", "kty", "x", "y"],
                "EdDSA" => vec!["crv", "kty", "x"],
                _ => vec!["e", "kty", "n"],
            },
            "{name}"
        );
        assert_eq!(c["htm"], "GET");
        assert_eq!(c["nonce"], "server-nonce_1");
        assert_eq!(c["ath"], sha256_b64u(access_token));
        let mut scratch: Box<ProofScratch> = Box::default();
        let th: [u8; 32] = fapi_core::jws::sha256(access_token);
        let cx = ProofContext {
            method: b"GET",
            expected_htu: b"https://rs.example.com/accounts",
            token_hash: Some(&th),
            now: NOW,
        };
        let v = verify_proof(proof.as_bytes(), &policy, &mut scratch, &cx, &nonces, None)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        // The proof key's thumbprint is the client's dpop_jkt.
        assert_eq!(
            b64u(v.jkt()),
            Jkt::of(signer.public_key()).as_str(),
            "{name}"
        );
    }
    let mut key = es_key(9);
    let mut buf = [0u8; 2048];
    let req = dpop_proof::ProofRequest {
        htm: "POST",
        htu: "https://as.example.com/token",
        nonce: None,
        access_token: None,
    };
    for (bad, why) in [
        (
            dpop_proof::ProofRequest {
                htu: "https://as.example.com/token?x=1",
                ..req
            },
            "htu with a query",
        ),
        (
            dpop_proof::ProofRequest {
                htu: "https://as.example.com/token#f",
                ..req
            },
            "htu with a fragment",
        ),
        (
            dpop_proof::ProofRequest {
                htm: "PO ST",
                ..req
            },
            "htm not a token",
        ),
        (
            dpop_proof::ProofRequest {
                nonce: Some("a b"),
                ..req
            },
            "nonce not NQCHAR",
        ),
    ] {
        assert_eq!(
            dpop_proof::write_proof(&bad, NOW, &JTI, &mut key, all_algs(), &mut buf),
            Err(MisuseError::InvalidClientValue.into()),
            "{why}"
        );
    }
    assert_eq!(
        dpop_proof::write_proof(
            &req,
            NOW,
            &JTI,
            &mut key,
            AlgSet::of(&[Alg::EdDsa]),
            &mut buf
        ),
        Err(SignError::AlgNotAllowed.into())
    );
    let n = dpop_proof::write_proof(&req, NOW, &JTI, &mut key, all_algs(), &mut buf).unwrap();
    let (_, claims_text) = raw_parts(std::str::from_utf8(&buf[..n]).unwrap());
    assert_eq!(member_order(&claims_text), ["jti", "htm", "htu", "iat"]);
}

// ---------------------------------------------------------------------------------------------
// Randomness, PKCE, percent-encoding.

#[test]
fn pkce_rfc7636_appendix_b_and_randomness() {
    let v: Value =
        serde_json::from_str(include_str!("../vectors/rfc/rfc7636_appendix_b.json")).unwrap();
    let random: Vec<u8> = v["random_octets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect();
    let verifier = text(|b| pkce::verifier(&random, b));
    assert_eq!(verifier, v["code_verifier"].as_str().unwrap());
    assert_eq!(
        pkce::challenge(verifier.as_bytes()).unwrap().as_str(),
        v["code_challenge"].as_str().unwrap()
    );
    // 32..=96 bytes give 43..=128 characters, all unreserved.
    for n in [32usize, 33, 64, 95, 96] {
        let v = text(|b| pkce::verifier(&vec![0xFB; n], b));
        assert!((43..=128).contains(&v.len()), "{n}");
        assert!(pkce::is_valid_verifier(v.as_bytes()));
    }
    let mut buf = [0u8; 256];
    for n in [0usize, 31, 97] {
        assert_eq!(
            pkce::verifier(&vec![1; n], &mut buf),
            Err(MisuseError::RandomLength.into()),
            "{n}"
        );
    }
    for bad in [
        &b"short"[..],
        &[b'a'; 129],
        b"dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ] {
        assert_eq!(
            pkce::challenge(bad),
            Err(MisuseError::PkceVerifierInvalid.into())
        );
    }
    // A `~` and a `.` are unreserved: a host may bring its own verifier.
    assert!(pkce::challenge(b"abc~.-_abc~.-_abc~.-_abc~.-_abc~.-_abc~.-_a").is_ok());
    assert_eq!(
        text(|b| random::token(&[0xFF; 16], b)),
        "_____________________w"
    );
    assert_eq!(
        random::token(&[0; 15], &mut buf),
        Err(MisuseError::RandomLength.into())
    );
}

#[test]
fn percent_encoding_round_trips() {
    // Every byte value in every position: the encoder keeps only unreserved characters and
    // the decoder restores the bytes (for UTF-8 text).
    let all: Vec<u8> = (0u8..=255).collect();
    let mut enc = vec![0u8; 1024];
    let n = form::encode(&all, &mut enc).unwrap();
    assert_eq!(n, form::encoded_len(&all));
    let encoded = &enc[..n];
    for (i, b) in all.iter().enumerate() {
        let want = if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
            vec![*b]
        } else {
            format!("%{b:02X}").into_bytes()
        };
        let pos: usize = all[..i].iter().map(|&c| form::encoded_len(&[c])).sum();
        assert_eq!(&encoded[pos..pos + want.len()], &want[..], "byte {b}");
    }
    let samples = [
        "",
        "plain",
        "a b+c&d=e/f?g#h%i",
        "état ☃ 😀",
        "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
        "\u{0}\u{1f}\u{7f}",
    ];
    for s in samples {
        let mut e = vec![0u8; 256];
        let n = form::encode(s.as_bytes(), &mut e).unwrap();
        assert!(
            e[..n]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(b))
        );
        let mut d = vec![0u8; 256];
        assert_eq!(form::decode(&e[..n], &mut d).unwrap(), s, "{s:?}");
    }
    // Lower-case hex and `+` for space are accepted on the way in.
    let mut d = [0u8; 32];
    assert_eq!(form::decode(b"%c3%a9t%C3%A9+x", &mut d).unwrap(), "été x");
    assert_eq!(
        form::encode(b"abc", &mut [0u8; 2]),
        Err(Error::BufferTooSmall { needed: 3 })
    );
}

#[test]
fn client_config_refusals() {
    let b = |algs| ClientConfig::builder(ISS, CLIENT_ID, algs);
    assert_eq!(
        ClientConfig::builder(ISS, "", all_algs()).build().err(),
        Some(MisuseError::EmptyClientId.into())
    );
    assert_eq!(
        ClientConfig::builder("", CLIENT_ID, all_algs())
            .build()
            .err(),
        Some(MisuseError::EmptyIssuer.into())
    );
    assert_eq!(
        b(AlgSet::EMPTY).build().err(),
        Some(MisuseError::EmptyAllowlist.into())
    );
    assert_eq!(
        b(all_algs()).leeway(61).build().err(),
        Some(MisuseError::LeewayTooLarge.into())
    );
    assert_eq!(
        b(all_algs()).fapi2_profile().build().err(),
        Some(MisuseError::ContradictoryPolicy.into())
    );
    let c = b(AlgSet::of(&[Alg::Es256])).leeway(30).build().unwrap();
    assert_eq!(c.leeway(), 30);
    assert_eq!(c.client_id(), CLIENT_ID);
    assert!(!c.signing_algs().is_empty());
    assert!(!fapi2_client().signing_algs().contains(Alg::Rs256));
}
