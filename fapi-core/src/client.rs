//! The client's configuration: who it is (`client_id`), which authorization server it talks
//! to (`issuer`), which algorithms that server may sign responses and ID tokens with, the
//! clock leeway, and the FAPI 2.0 profile switch. Checked once when built; an empty
//! expectation never means "skip the check".

use crate::config::{Config, DEFAULT_LEEWAY, MAX_SAFE_LEEWAY};
use crate::error::{Error, MisuseError};
use crate::jws::{Alg, AlgSet};
use crate::policy::FAPI2_ALGS;

/// Every algorithm fapi can sign or verify with.
pub const ALL_ALGS: AlgSet = AlgSet::of(&Alg::ALL);

/// The checked client configuration. Build with [`ClientConfig::builder`].
#[derive(Copy, Clone, Debug)]
pub struct ClientConfig<'c> {
    pub(crate) client_id: &'c str,
    pub(crate) fapi2: bool,
    /// Verification settings for what the authorization server signs for this client (JARM
    /// responses, ID tokens): issuer, audience = `client_id`, algorithms, leeway.
    pub(crate) verify: Config<'c>,
}

impl<'c> ClientConfig<'c> {
    /// Starts a configuration for client `client_id` of the authorization server `issuer`,
    /// accepting JARM responses and ID tokens signed with one of `algs`.
    pub fn builder(issuer: &'c str, client_id: &'c str, algs: AlgSet) -> ClientConfigBuilder<'c> {
        ClientConfigBuilder {
            issuer,
            client_id,
            algs,
            leeway: DEFAULT_LEEWAY,
            fapi2: false,
        }
    }

    /// The authorization server's issuer identifier.
    pub fn issuer(&self) -> &'c str {
        self.verify.issuer
    }
    /// The client's `client_id`.
    pub fn client_id(&self) -> &'c str {
        self.client_id
    }
    /// Algorithms accepted on JARM responses and ID tokens.
    pub fn algs(&self) -> AlgSet {
        self.verify.algs
    }
    /// Clock leeway in seconds.
    pub fn leeway(&self) -> u32 {
        self.verify.leeway
    }
    /// Whether the FAPI 2.0 profile is on.
    pub fn fapi2(&self) -> bool {
        self.fapi2
    }
    /// Algorithms the client may sign with: [`FAPI2_ALGS`] under the profile, else all.
    pub fn signing_algs(&self) -> AlgSet {
        if self.fapi2 { FAPI2_ALGS } else { ALL_ALGS }
    }
    /// The verification settings of server-signed JWTs (issuer, audience = `client_id`).
    pub fn verify_config(&self) -> &Config<'c> {
        &self.verify
    }
}

/// Builder for [`ClientConfig`].
#[derive(Copy, Clone, Debug)]
pub struct ClientConfigBuilder<'c> {
    issuer: &'c str,
    client_id: &'c str,
    algs: AlgSet,
    leeway: u32,
    fapi2: bool,
}

impl<'c> ClientConfigBuilder<'c> {
    /// Clock leeway in seconds (default 10, at most 60).
    pub fn leeway(mut self, seconds: u32) -> Self {
        self.leeway = seconds;
        self
    }

    /// The FAPI 2.0 profile: PS256/ES256/EdDSA/Ed25519 only (never RS256), for what the
    /// client signs and what it accepts; RFC 9207 `iss` required on plain authorization
    /// responses.
    pub fn fapi2_profile(mut self) -> Self {
        self.fapi2 = true;
        self
    }

    /// Checks and returns the configuration.
    ///
    /// # Errors
    /// [`MisuseError::EmptyIssuer`], [`MisuseError::EmptyClientId`],
    /// [`MisuseError::EmptyAllowlist`], [`MisuseError::LeewayTooLarge`],
    /// [`MisuseError::ContradictoryPolicy`] for an algorithm outside the FAPI 2.0 profile.
    pub fn build(self) -> Result<ClientConfig<'c>, Error> {
        if self.client_id.is_empty() {
            return Err(MisuseError::EmptyClientId.into());
        }
        if self.leeway > MAX_SAFE_LEEWAY {
            return Err(MisuseError::LeewayTooLarge.into());
        }
        if self.fapi2 && self.algs.iter().any(|a| !FAPI2_ALGS.contains(a)) {
            return Err(MisuseError::ContradictoryPolicy.into());
        }
        let verify = Config::builder(self.issuer, self.client_id, self.algs)
            .leeway(self.leeway)
            .build()?;
        Ok(ClientConfig {
            client_id: self.client_id,
            fapi2: self.fapi2,
            verify,
        })
    }
}

/// Checks a value the client sends: non-empty, no control characters.
pub(crate) fn check_value(s: &str) -> Result<(), Error> {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7F) {
        return Err(MisuseError::InvalidClientValue.into());
    }
    Ok(())
}

/// Checks a base64url SHA-256 value the client sends (`code_challenge`, `dpop_jkt`): exactly
/// 43 canonical base64url characters.
pub(crate) fn check_sha256_b64(s: &str) -> Result<(), Error> {
    if s.len() != 43 || !crate::b64::is_canonical(s.as_bytes()) {
        return Err(MisuseError::InvalidClientValue.into());
    }
    Ok(())
}
