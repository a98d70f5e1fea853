//! Verifier configuration: what the integrator expects, checked once when built.
//!
//! An empty expectation never means "skip the check": an empty issuer, audience or allowlist
//! is refused here, as is a leeway above 60 s unless the explicit unsafe option is set.

use crate::error::{Error, MisuseError};
use crate::json::JsonLimits;
use crate::jws::AlgSet;

/// Default clock leeway (FAPI 2.0 accepts up to 10 s ahead).
pub const DEFAULT_LEEWAY: u32 = 10;
/// Largest leeway accepted without [`ConfigBuilder::unsafe_allow_large_leeway`].
pub const MAX_SAFE_LEEWAY: u32 = 60;
/// Default maximum token length (8 KiB).
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8192;

/// Access-token verification settings. Build with [`Config::builder`].
#[derive(Copy, Clone, Debug)]
pub struct Config<'c> {
    pub(crate) issuer: &'c str,
    pub(crate) audience: &'c str,
    pub(crate) algs: AlgSet,
    pub(crate) leeway: u32,
    pub(crate) allow_plain_jwt_typ: bool,
    pub(crate) max_token_len: usize,
    pub(crate) header_limits: JsonLimits,
    pub(crate) claims_limits: JsonLimits,
}

impl<'c> Config<'c> {
    /// Starts a configuration for tokens from `issuer`, meant for `audience`, signed with one of
    /// `algs` (the required allowlist).
    pub fn builder(issuer: &'c str, audience: &'c str, algs: AlgSet) -> ConfigBuilder<'c> {
        ConfigBuilder {
            cfg: Config {
                issuer,
                audience,
                algs,
                leeway: DEFAULT_LEEWAY,
                allow_plain_jwt_typ: false,
                max_token_len: DEFAULT_MAX_TOKEN_LEN,
                header_limits: JsonLimits {
                    max_len: 1024,
                    ..JsonLimits::DEFAULT
                },
                claims_limits: JsonLimits {
                    max_len: 6144,
                    ..JsonLimits::DEFAULT
                },
            },
            unsafe_large_leeway: false,
        }
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &'c str {
        self.issuer
    }
    /// The expected audience.
    pub fn audience(&self) -> &'c str {
        self.audience
    }
    /// The algorithm allowlist.
    pub fn algs(&self) -> AlgSet {
        self.algs
    }
    /// Clock leeway in seconds.
    pub fn leeway(&self) -> u32 {
        self.leeway
    }
    /// Maximum token length in bytes.
    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }
    /// Limits for the decoded header.
    pub fn header_limits(&self) -> &JsonLimits {
        &self.header_limits
    }
    /// Limits for the decoded claims.
    pub fn claims_limits(&self) -> &JsonLimits {
        &self.claims_limits
    }
    /// Whether `typ: JWT` is accepted besides `at+jwt` (a weakening).
    pub fn allows_plain_jwt_typ(&self) -> bool {
        self.allow_plain_jwt_typ
    }
}

/// Builder for [`Config`]; [`ConfigBuilder::build`] checks every setting.
#[derive(Copy, Clone, Debug)]
pub struct ConfigBuilder<'c> {
    cfg: Config<'c>,
    unsafe_large_leeway: bool,
}

impl<'c> ConfigBuilder<'c> {
    /// Clock leeway in seconds (default 10, at most 60 unless unsafe).
    pub fn leeway(mut self, seconds: u32) -> Self {
        self.cfg.leeway = seconds;
        self
    }
    /// UNSAFE: allow a leeway above 60 s.
    pub fn unsafe_allow_large_leeway(mut self) -> Self {
        self.unsafe_large_leeway = true;
        self
    }
    /// WEAKENING: also accept `typ: JWT` (RFC 9068 §4 requires `at+jwt`).
    pub fn allow_plain_jwt_typ(mut self, yes: bool) -> Self {
        self.cfg.allow_plain_jwt_typ = yes;
        self
    }
    /// Maximum token length (default 8 KiB).
    pub fn max_token_len(mut self, n: usize) -> Self {
        self.cfg.max_token_len = n;
        self
    }
    /// Limits for the decoded header (default depth 16, 64 members, 1 KiB).
    pub fn header_limits(mut self, l: JsonLimits) -> Self {
        self.cfg.header_limits = l;
        self
    }
    /// Limits for the decoded claims (default depth 16, 64 members, 6 KiB).
    pub fn claims_limits(mut self, l: JsonLimits) -> Self {
        self.cfg.claims_limits = l;
        self
    }

    /// Checks and returns the configuration.
    ///
    /// # Errors
    /// [`MisuseError`]: empty issuer/audience/allowlist, leeway above 60 s without the unsafe
    /// option, limits out of range.
    pub fn build(self) -> Result<Config<'c>, Error> {
        let c = self.cfg;
        if c.issuer.is_empty() {
            return Err(MisuseError::EmptyIssuer.into());
        }
        if c.audience.is_empty() {
            return Err(MisuseError::EmptyAudience.into());
        }
        if c.algs.is_empty() {
            return Err(MisuseError::EmptyAllowlist.into());
        }
        if c.leeway > MAX_SAFE_LEEWAY && !self.unsafe_large_leeway {
            return Err(MisuseError::LeewayTooLarge.into());
        }
        if !c.header_limits.is_valid() || !c.claims_limits.is_valid() || c.max_token_len < 16 {
            return Err(MisuseError::LimitOutOfRange.into());
        }
        Ok(c)
    }
}
