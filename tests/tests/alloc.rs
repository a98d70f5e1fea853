//! Proves the hot path never allocates: a counting global allocator, armed only on the test's
//! own thread and only around the call under test.

use fapi_core::jwk::{JWKS_LIMITS, KeySet};
use fapi_core::jwt::{self, Scratch};
use fapi_tests::{Signer, config, good_token, jwks};

use fapi_tests::alloc_count::{Counting, count};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn counter_is_live() {
    // The allocator must be able to fail this test: a Vec inside the armed window counts.
    let (_, n) = count(|| std::hint::black_box(vec![1u8; 16]));
    assert!(n >= 1, "counting allocator did not see an allocation");
}

#[test]
fn jwks_load_parse_verify_validate_allocate_nothing() {
    let es = Signer::es256(1);
    let ed = Signer::ed25519(2);
    let set = jwks(&[es.jwk_with_kid("es"), ed.jwk_with_kid("ed")]);
    let t_es = good_token(&es, "es");
    let t_ed = good_token(&ed, "ed");
    let mut bad = t_es.clone().into_bytes();
    let last = bad.len() - 2;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    let cfg = config();
    let mut keys: KeySet<4> = KeySet::new();
    let mut scratch: Box<Scratch> = Box::new(Scratch::new());

    let (r, n) = count(|| keys.load(set.as_bytes(), &JWKS_LIMITS).map(|r| r.loaded));
    assert_eq!(r, Ok(2));
    assert_eq!(n, 0, "JWKS load allocated");

    for (token, want_ok) in [
        (t_es.as_bytes(), true),
        (t_ed.as_bytes(), true),
        (&bad[..], false),
    ] {
        let (r, n) = count(|| {
            jwt::verify_access_token(&cfg, keys.keys(), &mut scratch, token, fapi_tests::NOW)
                .map(|t| t.claims().exp())
        });
        assert_eq!(r.is_ok(), want_ok, "{r:?}");
        assert_eq!(n, 0, "verify_access_token allocated");
    }
}

#[test]
fn whole_decision_allocates_nothing() {
    use fapi_core::mtls::CertEncoding;
    use fapi_core::request::{CertSource, ClientCert, Context, Decision};
    use fapi_tests::{Fixture, dpop_token, proof, request};
    let iss = Signer::es256(1);
    let holder = Signer::es256(2);
    let f = Fixture::new(&[(&iss, "k1")], |b| b.nonce_required(true));
    f.nonces.set_secret(&[9u8; 32], fapi_tests::NOW).unwrap();
    let nonce = f.nonces.current(fapi_tests::NOW, 60).unwrap();
    let v = f.verifier();
    let mut ctx: Box<Context> = Box::default();
    let token = dpop_token(&iss, "k1", &holder);
    let auth = format!("DPoP {token}");
    let htu = "https://rs.example.com/accounts";
    let good = proof(
        &holder,
        "GET",
        htu,
        fapi_tests::NOW,
        "a1",
        Some(&token),
        Some(nonce.as_str()),
    );
    let good2 = proof(
        &holder,
        "GET",
        htu,
        fapi_tests::NOW,
        "a2",
        Some(&token),
        Some(nonce.as_str()),
    );
    let no_nonce = proof(
        &holder,
        "GET",
        htu,
        fapi_tests::NOW,
        "a3",
        Some(&token),
        None,
    );
    let cert = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let a = [auth.as_bytes()];
    // allow (uncached), allow (cached), replay, nonce challenge, no credentials
    let cases: [(&[u8], bool); 4] = [
        (good.as_bytes(), true),
        (good2.as_bytes(), true),
        (good.as_bytes(), false),
        (no_nonce.as_bytes(), false),
    ];
    for (p, want_allow) in cases {
        let d = [p];
        let mut r = request(&a, &d);
        r.client_cert = Some(ClientCert {
            bytes: cert,
            encoding: CertEncoding::Pem,
            source: CertSource::TlsStack,
        });
        let (allowed, n) = count(|| matches!(v.decide(&mut ctx, &r), Decision::Allow(_)));
        assert_eq!(allowed, want_allow);
        assert_eq!(n, 0, "decision allocated");
    }
    let (_, n) = count(|| matches!(v.decide(&mut ctx, &request(&[], &[])), Decision::Deny(_)));
    assert_eq!(n, 0, "denial allocated");
}

#[test]
fn rsa_decision_allocates_nothing() {
    use fapi_core::jws::{Alg, AlgSet};
    use fapi_core::request::{Context, Decision, ReplayStore, Verifier};
    use fapi_tests::{AUD, BASE, ISS, dpop_token, leak, proof, request};
    let issuer = Signer::Rsa { pss: true };
    let holder = Signer::Rsa { pss: true };
    let bases: &'static [fapi_core::htu::PublicBase] =
        leak([fapi_core::htu::PublicBase::parse(BASE).unwrap()]);
    let algs = AlgSet::of(&[Alg::Ps256, Alg::Rs256, Alg::Es256]);
    let cfg = fapi_core::config::Config::builder(ISS, AUD, algs)
        .build()
        .unwrap();
    let policy = leak(
        fapi_core::policy::Policy::builder(cfg, bases)
            .proof_algs(AlgSet::of(&[Alg::Ps256]))
            .build()
            .unwrap(),
    );
    let keys = leak(fapi_core::keystore::KeyStore::<4>::new());
    keys.view()
        .load(jwks(&[issuer.jwk_with_kid("rsa")]).as_bytes(), &JWKS_LIMITS)
        .unwrap();
    let replay = leak(fapi_core::replay::ReplayTable::<64>::new([1; 32]));
    let v = Verifier::new(
        policy,
        keys.view(),
        ReplayStore::Table(replay.view()),
        fapi_core::cache::CacheView::disabled(),
        leak(fapi_core::nonce::NonceKeys::new()),
    );
    let mut ctx: Box<Context> = Box::default();
    let token = dpop_token(&issuer, "rsa", &holder);
    let auth = format!("DPoP {token}");
    let p = proof(
        &holder,
        "GET",
        "https://rs.example.com/accounts",
        fapi_tests::NOW,
        "r1",
        Some(&token),
        None,
    );
    let (a, d) = ([auth.as_bytes()], [p.as_bytes()]);
    let r = request(&a, &d);
    let (allowed, n) = count(|| matches!(v.decide(&mut ctx, &r), Decision::Allow(_)));
    assert!(allowed, "PS256 token with a PS256 RSA proof is allowed");
    assert_eq!(n, 0, "an RSA decision allocated");
}

/// Decisions with the ES256 tables on: the JWKS load that builds issuer tables, the first
/// allowed request of a DPoP key (which builds its hot-key table), a request finding that
/// table, and a refused one.
#[test]
fn decisions_with_tables_allocate_nothing() {
    use fapi_core::request::{Context, Decision};
    use fapi_tests::{Fixture, dpop_token, proof, request, table_words, test_table_config};
    let issuer = Signer::es256(1);
    let holder = Signer::es256(5);
    let mut f = Fixture::new(&[(&issuer, "k1")], |b| b);
    f.tables = Some(table_words(&test_table_config()));
    let v = f.verifier();
    let t = f.tables.unwrap();
    let (r, n) = count(|| v.load_jwks(f.jwks.as_bytes()).is_ok());
    assert!(r);
    assert_eq!(n, 0, "a JWKS load with tables allocated");
    let mut ctx: Box<Context> = Box::default();
    let token = dpop_token(&issuer, "k1", &holder);
    let auth = format!("DPoP {token}");
    let url = "https://rs.example.com/accounts";
    let proofs: Vec<String> = ["t1", "t2", "t3"]
        .iter()
        .map(|j| proof(&holder, "GET", url, fapi_tests::NOW, j, Some(&token), None))
        .collect();
    for (i, p) in proofs.iter().chain([&proofs[0]]).enumerate() {
        let (a, d) = ([auth.as_bytes()], [p.as_bytes()]);
        let r = request(&a, &d);
        let (allowed, n) = count(|| matches!(v.decide(&mut ctx, &r), Decision::Allow(_)));
        assert_eq!(
            allowed,
            i < 3,
            "request {i} (the last one replays the first proof)"
        );
        assert_eq!(n, 0, "decision {i} with tables allocated");
    }
    assert_eq!(
        t.stats().builds,
        1,
        "the hot-key table was built in a counted decision"
    );
}

#[test]
fn client_side_allocates_nothing() {
    use fapi_core::client_auth::{self, AssertionTyp, ClientAuth};
    use fapi_core::jar::{self, AuthorizationRequest, ResponseMode};
    use fapi_core::jarm::{self, Expected, ResponseScratch};
    use fapi_core::metadata::{self, Endpoint, MetadataOptions};
    use fapi_core::sign::{Jkt, JwsSigner};
    use fapi_core::{dpop_proof, id_token, par, pkce, random, token};
    use fapi_tests::NOW;
    use fapi_tests::client::{
        JTI, NONCE, REDIRECT, STATE, as_keys, client, ed_key, es_key, id_claims, jarm, jarm_claims,
        metadata as md_doc,
    };

    let cfg = client();
    let keys = as_keys();
    let md_text = md_doc().to_string();
    let jarm_input = format!("response={}", jarm("ES256", &jarm_claims()));
    let plain_input = "code=code-1&state=s-0123456789abcdef&iss=https%3A%2F%2Fas.example.com";
    let id = jarm("PS256", &id_claims());
    let token_body =
        br#"{"access_token":"at","token_type":"DPoP","expires_in":60,"refresh_token":"rt"}"#;
    let par_body = br#"{"request_uri":"urn:ietf:params:oauth:request_uri:x","expires_in":60}"#;
    let mut signer = es_key(7);
    let mut holder = ed_key(3);
    let mut out = vec![0u8; 8192];
    let mut out2 = vec![0u8; 8192];
    let mut rscratch: Box<ResponseScratch> = Box::default();
    let mut jscratch: Box<fapi_core::jwt::Scratch> = Box::default();
    let mut refresh: Box<token::RefreshToken> = Box::default();

    let (r, n) = count(|| -> Result<(), fapi_core::Error> {
        let md = metadata::parse(
            md_text.as_bytes(),
            fapi_tests::ISS,
            MetadataOptions::default(),
        )?;
        md.endpoint_into(Endpoint::PushedAuthorizationRequest, true, &mut out2)?;
        let mut verifier = [0u8; 128];
        let vlen = pkce::verifier(&[9u8; 32], &mut verifier)?;
        let challenge = pkce::challenge(&verifier[..vlen])?;
        let mut state = [0u8; 64];
        random::token(&[1u8; 16], &mut state)?;
        let jkt = Jkt::of(holder.public_key());
        let req = AuthorizationRequest {
            redirect_uri: REDIRECT,
            scope: Some("openid"),
            state: STATE,
            nonce: Some(NONCE),
            code_challenge: challenge.as_str(),
            response_mode: Some(ResponseMode::QueryJwt),
            dpop_jkt: Some(jkt.as_str()),
            authorization_details: Some(br#"[{"type":"account_information"}]"#),
        };
        let ro_len = jar::write_request_object(&cfg, &req, NOW, 300, &JTI, &mut signer, &mut out)?;
        let mut assertion = [0u8; 1024];
        let a_len = client_auth::write_assertion(
            &cfg,
            AssertionTyp::default(),
            NOW,
            60,
            &JTI,
            &mut signer,
            &mut assertion,
        )?;
        let a = core::str::from_utf8(&assertion[..a_len]).unwrap_or("");
        let ro = core::str::from_utf8(&out[..ro_len]).unwrap_or("");
        let auth = ClientAuth::PrivateKeyJwt { assertion: a };
        par::write_body(&cfg, ro, &auth, Some(jkt.as_str()), &mut out2)?;
        let pushed = par::parse_response(201, par_body)?;
        let mut uri = [0u8; 128];
        let ulen = pushed.request_uri_into(&mut uri)?;
        par::write_authorization_url(
            "https://as.example.com/authorize",
            "client-1",
            core::str::from_utf8(&uri[..ulen]).unwrap_or(""),
            &mut out2,
        )?;
        let exp = Expected {
            state: STATE,
            jarm: true,
            iss_parameter_supported: true,
        };
        jarm::verify_response(
            &cfg,
            keys.keys(),
            jarm_input.as_bytes(),
            &exp,
            NOW,
            &mut rscratch,
            None,
        )?;
        let exp = Expected { jarm: false, ..exp };
        let code = jarm::verify_response(
            &cfg,
            keys.keys(),
            plain_input.as_bytes(),
            &exp,
            NOW,
            &mut rscratch,
            None,
        )?;
        let v = core::str::from_utf8(&verifier[..vlen]).unwrap_or("");
        token::write_code_request(&cfg, code.code(), REDIRECT, v, &auth, &mut out2)?;
        let proof_req = dpop_proof::ProofRequest {
            htm: "POST",
            htu: "https://as.example.com/token",
            nonce: Some("n1"),
            access_token: None,
        };
        dpop_proof::write_proof(
            &proof_req,
            NOW,
            &JTI,
            &mut holder,
            fapi_tests::client::all_algs(),
            &mut out2,
        )?;
        let resp = token::parse_response(200, token_body, true)?;
        refresh.rotate(&resp)?;
        id_token::verify(
            &cfg,
            keys.keys(),
            &mut jscratch,
            id.as_bytes(),
            NONCE,
            NOW,
            None,
        )?;
        Ok(())
    });
    assert_eq!(r, Ok(()));
    assert_eq!(n, 0, "the client side allocated");
}
