//! DPoP proofs the client sends (RFC 9449 §4): to the token endpoint (and the PAR endpoint),
//! and with a DPoP-bound access token to resource servers.
//!
//! Header `{"alg","typ":"dpop+jwt","jwk":{…}}` (the public key in RFC 7638 member order);
//! claims in a fixed order: `jti` (from host random bytes), `htm`, `htu`, `iat`, then `nonce`
//! when the server asked for one and `ath` (base64url SHA-256 of the access token) for
//! resource requests.

use crate::error::{Error, MisuseError};
use crate::jws::AlgSet;
use crate::out::{self, JsonObject};
use crate::sha::Sha256;
use crate::sign::{self, JwsHeader, JwsSigner};

/// The proof's `typ`.
pub const TYP: &str = "dpop+jwt";

/// What one proof covers.
#[derive(Copy, Clone, Debug)]
pub struct ProofRequest<'p> {
    /// `htm`: the HTTP method (e.g. `POST`).
    pub htm: &'p str,
    /// `htu`: the target URI without query and fragment.
    pub htu: &'p str,
    /// `nonce`: the server's last `DPoP-Nonce` value, if it sent one.
    pub nonce: Option<&'p str>,
    /// The access token the request presents (resource requests): `ath` is its hash.
    pub access_token: Option<&'p [u8]>,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Writes a DPoP proof for `req`, issued at `now`, with a `jti` from `jti_random` (at least
/// 16 host random bytes), signed by `signer` with an algorithm of `allowed` (the server's
/// `dpop_signing_alg_values_supported`, within the FAPI 2.0 algorithms under the profile);
/// returns its length.
///
/// # Errors
/// [`MisuseError::InvalidClientValue`] for an `htm` that is not an HTTP token, an `htu` that
/// is not an absolute http(s) URI without query and fragment, or a `nonce` that is not
/// `1*NQCHAR`; [`MisuseError::RandomLength`]; the signer checks of [`sign::check_signer`];
/// [`Error::BufferTooSmall`] with the length needed.
pub fn write_proof(
    req: &ProofRequest<'_>,
    now: u64,
    jti_random: &[u8],
    signer: &mut dyn JwsSigner,
    allowed: AlgSet,
    out: &mut [u8],
) -> Result<usize, Error> {
    let bad = Error::Misuse(MisuseError::InvalidClientValue);
    if req.htm.is_empty() || !req.htm.bytes().all(is_tchar) {
        return Err(bad);
    }
    if !crate::form::is_web_uri(req.htu.as_bytes(), true, false) {
        return Err(bad);
    }
    if let Some(n) = req.nonce {
        crate::token::dpop_nonce(n.as_bytes()).map_err(|_| bad)?;
    }
    crate::random::check(jti_random, crate::random::MIN_RANDOM)?;
    sign::check_signer(signer, allowed)?;
    let ath: Option<[u8; 32]> = req.access_token.map(|t| Sha256::digest(t).into());
    let header = JwsHeader {
        typ: TYP,
        kid: false,
        jwk: true,
    };
    out::write_with(out, |o| {
        sign::write_jws(o, &header, signer, |s| {
            let mut c = JsonObject::open(s);
            c.b64("jti", jti_random);
            c.str("htm", req.htm);
            c.str("htu", req.htu);
            c.num("iat", now);
            c.opt_str("nonce", req.nonce);
            if let Some(h) = &ath {
                c.b64("ath", h);
            }
            c.close();
        })
    })
}
