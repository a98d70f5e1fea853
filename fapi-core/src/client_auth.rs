//! Client authentication at the authorization server: `private_key_jwt` client assertions
//! (RFC 7523 §2.2, OpenID Connect Core §9) and the form parameters of each method, including
//! the mTLS methods (RFC 8705 §2), where the TLS client certificate authenticates and the form
//! carries only `client_id`.
//!
//! An assertion has `iss` = `sub` = `client_id`, `aud` = the issuer identifier as a single
//! string (the audience FAPI 2.0 and RFC 7523bis ask for), a `jti` from host random bytes,
//! `iat`, and a short `exp`. A fresh assertion is needed for every request (authorization
//! servers record `jti`s; oidc-provider refuses a reused one even on a DPoP-nonce retry).

use crate::client::{ClientConfig, check_value};
use crate::error::{Error, MisuseError};
use crate::form::FormWriter;
use crate::out::{self, JsonObject};
use crate::sign::{self, JwsHeader, JwsSigner};

/// The `client_assertion_type` of JWT client assertions (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest client-assertion lifetime, in seconds.
pub const MAX_ASSERTION_LIFETIME: u32 = 300;

/// The `typ` of a client assertion.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum AssertionTyp {
    /// `client-authentication+jwt` (explicit typing, RFC 7523bis): the default.
    #[default]
    ClientAuthentication = 0,
    /// `JWT`, for authorization servers that refuse the explicit type.
    Jwt = 1,
}

impl AssertionTyp {
    /// The `typ` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ClientAuthentication => "client-authentication+jwt",
            Self::Jwt => "JWT",
        }
    }
}

/// Writes a `private_key_jwt` client assertion issued at `now`, valid for `lifetime` seconds
/// (1–300), with a `jti` made from `jti_random` (at least 16 host random bytes); returns its
/// length.
///
/// # Errors
/// [`MisuseError::LifetimeOutOfRange`], [`MisuseError::RandomLength`], the signer checks of
/// [`sign::check_signer`], [`Error::BufferTooSmall`] with the length needed.
pub fn write_assertion(
    client: &ClientConfig<'_>,
    typ: AssertionTyp,
    now: u64,
    lifetime: u32,
    jti_random: &[u8],
    signer: &mut dyn JwsSigner,
    out: &mut [u8],
) -> Result<usize, Error> {
    if lifetime == 0 || lifetime > MAX_ASSERTION_LIFETIME {
        return Err(MisuseError::LifetimeOutOfRange.into());
    }
    crate::random::check(jti_random, crate::random::MIN_RANDOM)?;
    sign::check_signer(signer, client.signing_algs())?;
    let header = JwsHeader {
        typ: typ.name(),
        kid: true,
        jwk: false,
    };
    let exp = now.saturating_add(u64::from(lifetime));
    out::write_with(out, |o| {
        sign::write_jws(o, &header, signer, |s| {
            let mut c = JsonObject::open(s);
            c.str("iss", client.client_id());
            c.str("sub", client.client_id());
            c.str("aud", client.issuer());
            c.b64("jti", jti_random);
            c.num("iat", now);
            c.num("exp", exp);
            c.close();
        })
    })
}

/// How the client authenticates a request to the PAR or token endpoint.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth<'a> {
    /// `private_key_jwt` with a fresh assertion ([`write_assertion`]).
    PrivateKeyJwt {
        /// The signed assertion.
        assertion: &'a str,
    },
    /// `tls_client_auth` or `self_signed_tls_client_auth`: the TLS client certificate
    /// authenticates (use the endpoint's `mtls_endpoint_aliases` entry); the form carries
    /// `client_id`.
    Mtls,
}

impl ClientAuth<'_> {
    /// Checks the parameters.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Self::PrivateKeyJwt { assertion } => check_value(assertion),
            Self::Mtls => Ok(()),
        }
    }

    /// Writes `client_id` and this method's parameters.
    pub(crate) fn write(&self, form: &mut FormWriter<'_>, client_id: &str) {
        form.pair("client_id", client_id.as_bytes());
        if let Self::PrivateKeyJwt { assertion } = self {
            form.pair("client_assertion_type", ASSERTION_TYPE.as_bytes());
            form.pair("client_assertion", assertion.as_bytes());
        }
    }
}
