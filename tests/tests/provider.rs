//! Signature providers (HSM, host library): fapi checks keys and signature encodings before a
//! provider answers, so a provider decides only the equation; its failure fails closed.

use fapi_core::error::{CapacityError, Error, JwsError, ProofDefect};
use fapi_core::jwk::Jwk;
use fapi_core::jws::{Alg, KeyRole, ProviderFailure, SignatureVerifier};
use fapi_core::request::{Context, Decision};
use fapi_tests::*;

/// Says "valid" to everything it is asked: shows what never reaches a provider.
struct AlwaysValid(usize);
impl SignatureVerifier for AlwaysValid {
    fn verify(
        &mut self,
        _: &Jwk,
        _: KeyRole,
        _: Alg,
        _: &[u8],
        _: &[u8],
    ) -> Result<bool, ProviderFailure> {
        self.0 += 1;
        Ok(true)
    }
}

/// An HSM that is down.
struct Down;
impl SignatureVerifier for Down {
    fn verify(
        &mut self,
        _: &Jwk,
        _: KeyRole,
        _: Alg,
        _: &[u8],
        _: &[u8],
    ) -> Result<bool, ProviderFailure> {
        Err(ProviderFailure)
    }
}

/// An independent host implementation (p256 / ed25519-dalek used directly), recording roles.
struct Host(Vec<KeyRole>);
impl SignatureVerifier for Host {
    fn verify(
        &mut self,
        key: &Jwk,
        role: KeyRole,
        alg: Alg,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<bool, ProviderFailure> {
        self.0.push(role);
        Ok(fapi_core::jws::verify_signature(key, alg, msg, sig).is_ok())
    }
}

fn decide(
    f: &Fixture,
    token: &str,
    proof: &str,
    p: &mut dyn SignatureVerifier,
) -> Result<(), Error> {
    let mut ctx: Box<Context> = Box::default();
    let a = format!("DPoP {token}");
    let auth = [a.as_bytes()];
    let d = [proof.as_bytes()];
    match f.verifier().decide_with(&mut ctx, &request(&auth, &d), p) {
        Decision::Allow(_) => Ok(()),
        Decision::Deny(d) => Err(d.error()),
        Decision::NeedsReplayCheck(_) => panic!("table mode"),
    }
}

fn with_sig(jws: &str, sig: &[u8]) -> String {
    let (head, _) = jws.rsplit_once('.').unwrap();
    format!("{head}.{}", b64u(sig))
}

#[test]
fn providers_decide_only_the_equation() {
    let iss = Signer::es256(1);
    let holder = Signer::ed25519(2);
    let htu = "https://rs.example.com/accounts";
    let token = dpop_token(&iss, "k1", &holder);
    let mut f = Fixture::new(&[(&iss, "k1")], |b| b.mtls(fapi_core::policy::Mode::Off));
    // No token cache: every decision asks the provider about the token.
    f.use_cache = false;
    let mk = |jti: &str| proof(&holder, "GET", htu, NOW, jti, Some(&token), None);

    // An independent host implementation gives the built-in verdicts, token then proof.
    let mut host = Host(Vec::new());
    assert_eq!(decide(&f, &token, &mk("p1"), &mut host), Ok(()));
    assert_eq!(host.0, vec![KeyRole::Issuer, KeyRole::Proof]);
    let bad = with_sig(&mk("p2"), &[7u8; 64]);
    assert!(decide(&f, &token, &bad, &mut host).is_err());

    // Encodings a provider never sees, even one that says yes to everything:
    let mut yes = AlwaysValid(0);
    // ES256 psychic signature (r = s = 0) on the token.
    let psychic = with_sig(&token, &[0u8; 64]);
    assert_eq!(
        decide(&f, &psychic, &mk("p3"), &mut yes),
        Err(Error::Jws(JwsError::BadSignature))
    );
    // Ed25519 S ≥ L on the proof (S = L).
    let mut s_is_l = [0u8; 64];
    s_is_l[..32].copy_from_slice(&holder.sign(b"x")[..32]);
    s_is_l[32..].copy_from_slice(&[
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ]);
    assert_eq!(
        decide(&f, &token, &with_sig(&mk("p4"), &s_is_l), &mut yes),
        Err(Error::Proof(ProofDefect::Jws(JwsError::BadSignature)))
    );
    // Ed25519 R of small order (the identity) on the proof.
    let mut small_r = holder.sign(b"x");
    small_r[..32].copy_from_slice(&{
        let mut id = [0u8; 32];
        id[0] = 1;
        id
    });
    assert_eq!(
        decide(&f, &token, &with_sig(&mk("p5"), &small_r), &mut yes),
        Err(Error::Proof(ProofDefect::Jws(JwsError::BadSignature)))
    );
    assert_eq!(
        yes.0, 2,
        "only the two well-formed token signatures reached the provider"
    );

    // A provider that cannot answer fails closed with 503.
    let r = decide(&f, &dpop_token(&iss, "k1", &holder), &mk("p6"), &mut Down);
    assert_eq!(
        r,
        Err(Error::Capacity(CapacityError::CryptoProviderFailure))
    );
    assert_eq!(r.unwrap_err().http_status(), 503);
}
