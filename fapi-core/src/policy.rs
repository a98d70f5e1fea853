//! The per-route request policy: which sender constraints apply, proof settings, public
//! bases, and the one-switch FAPI 2.0 profile. Contradictions are refused when built.

use crate::config::{Config, MAX_SAFE_LEEWAY};
use crate::dpop::ProofPolicy;
use crate::error::{Error, MisuseError};
use crate::htu::PublicBase;
use crate::jws::{Alg, AlgSet};
use crate::sha::Sha256;

/// How a sender constraint (DPoP or certificate binding) is enforced.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// No proof of this kind is accepted, and a token bound by it is refused (never accepted
    /// as a bearer token).
    Off = 0,
    /// Enforced when the token is bound by it.
    Optional = 1,
    /// Every token must be bound by it and proven.
    Required = 2,
}

/// Default proof max age (seconds).
pub const DEFAULT_PROOF_MAX_AGE: u32 = 300;
/// Default nonce slot (seconds).
pub const DEFAULT_NONCE_SLOT: u32 = 60;

/// The algorithms the FAPI 2.0 profile allows (Security Profile §5.4: PS256, ES256, EdDSA).
pub const FAPI2_ALGS: AlgSet = AlgSet::of(&[Alg::Ps256, Alg::Es256, Alg::EdDsa, Alg::Ed25519]);

/// The checked policy. Build with [`Policy::builder`].
#[derive(Copy, Clone, Debug)]
pub struct Policy<'c> {
    pub(crate) token: Config<'c>,
    pub(crate) dpop: Mode,
    pub(crate) mtls: Mode,
    pub(crate) proof: ProofPolicy,
    pub(crate) allow_unbound: bool,
    pub(crate) fapi2: bool,
    pub(crate) bases: &'c [PublicBase],
    pub(crate) generation: u32,
}

impl<'c> Policy<'c> {
    /// Starts a policy from the access-token configuration and the public bases
    /// (`scheme://host[:port][/prefix]`) requests may arrive under (chosen per request by
    /// index).
    pub fn builder(token: Config<'c>, bases: &'c [PublicBase]) -> PolicyBuilder<'c> {
        PolicyBuilder {
            token,
            bases,
            dpop: Mode::Optional,
            mtls: Mode::Optional,
            proof_algs: AlgSet::of(&[Alg::Es256, Alg::EdDsa, Alg::Ed25519]),
            proof_max_age: DEFAULT_PROOF_MAX_AGE,
            proof_leeway: None,
            nonce_required: false,
            nonce_slot: DEFAULT_NONCE_SLOT,
            allow_unbound: None,
            fapi2: false,
        }
    }

    /// The access-token configuration.
    pub fn token(&self) -> &Config<'c> {
        &self.token
    }
    /// DPoP mode.
    pub fn dpop(&self) -> Mode {
        self.dpop
    }
    /// Certificate-binding mode.
    pub fn mtls(&self) -> Mode {
        self.mtls
    }
    /// Proof settings.
    pub fn proof(&self) -> &ProofPolicy {
        &self.proof
    }
    /// Whether tokens without `cnf` are accepted (with `Bearer`).
    pub fn allows_unbound(&self) -> bool {
        self.allow_unbound
    }
    /// Whether the FAPI 2.0 profile is on.
    pub fn fapi2(&self) -> bool {
        self.fapi2
    }
    /// The public bases.
    pub fn bases(&self) -> &'c [PublicBase] {
        self.bases
    }
    /// A digest of every setting that affects token acceptance (the token cache's
    /// configuration generation).
    pub fn generation(&self) -> u32 {
        self.generation
    }
}

/// Builder for [`Policy`].
#[derive(Copy, Clone, Debug)]
pub struct PolicyBuilder<'c> {
    token: Config<'c>,
    bases: &'c [PublicBase],
    dpop: Mode,
    mtls: Mode,
    proof_algs: AlgSet,
    proof_max_age: u32,
    proof_leeway: Option<u32>,
    nonce_required: bool,
    nonce_slot: u32,
    allow_unbound: Option<bool>,
    fapi2: bool,
}

impl<'c> PolicyBuilder<'c> {
    /// DPoP mode (default optional).
    pub fn dpop(mut self, m: Mode) -> Self {
        self.dpop = m;
        self
    }
    /// Certificate-binding mode (default optional).
    pub fn mtls(mut self, m: Mode) -> Self {
        self.mtls = m;
        self
    }
    /// Proof algorithm allowlist (default ES256, EdDSA, Ed25519; PS256 and RS256 when asked).
    pub fn proof_algs(mut self, a: AlgSet) -> Self {
        self.proof_algs = a;
        self
    }
    /// Proof max age in seconds (default 300).
    pub fn proof_max_age(mut self, s: u32) -> Self {
        self.proof_max_age = s;
        self
    }
    /// Proof clock leeway in seconds (default: the token leeway).
    pub fn proof_leeway(mut self, s: u32) -> Self {
        self.proof_leeway = Some(s);
        self
    }
    /// Require server nonces in proofs (default off).
    pub fn nonce_required(mut self, yes: bool) -> Self {
        self.nonce_required = yes;
        self
    }
    /// Nonce slot length in seconds (default 60).
    pub fn nonce_slot(mut self, s: u32) -> Self {
        self.nonce_slot = s;
        self
    }
    /// Whether tokens without `cnf` may be used with `Bearer` (default: yes unless a mode is
    /// required or the FAPI 2.0 profile is on).
    pub fn allow_unbound(mut self, yes: bool) -> Self {
        self.allow_unbound = Some(yes);
        self
    }
    /// The FAPI 2.0 profile: PS256/ES256/EdDSA/Ed25519 only (never RS256), a sender
    /// constraint on every token, leeway between 10 s and 60 s.
    pub fn fapi2_profile(mut self) -> Self {
        self.fapi2 = true;
        self
    }

    /// Checks and returns the policy.
    ///
    /// # Errors
    /// [`MisuseError::ContradictoryPolicy`] for contradictions, [`MisuseError::EmptyAllowlist`],
    /// [`MisuseError::LeewayTooLarge`],
    /// [`MisuseError::InvalidBase`] without bases, [`MisuseError::InvalidArgument`] for zero
    /// durations.
    pub fn build(self) -> Result<Policy<'c>, Error> {
        let contradiction = Error::Misuse(MisuseError::ContradictoryPolicy);
        if self.bases.is_empty() {
            return Err(MisuseError::InvalidBase.into());
        }
        if self.dpop != Mode::Off && self.proof_algs.is_empty() {
            return Err(MisuseError::EmptyAllowlist.into());
        }
        if self.dpop == Mode::Off && self.nonce_required {
            return Err(contradiction);
        }
        if self.proof_max_age == 0 || self.nonce_slot == 0 {
            return Err(MisuseError::InvalidArgument.into());
        }
        let leeway = self.proof_leeway.unwrap_or(self.token.leeway);
        if leeway > MAX_SAFE_LEEWAY && self.token.leeway <= MAX_SAFE_LEEWAY {
            return Err(MisuseError::LeewayTooLarge.into());
        }
        let constraint_required = self.dpop == Mode::Required || self.mtls == Mode::Required;
        let no_constraint = self.dpop == Mode::Off && self.mtls == Mode::Off;
        if self.fapi2 {
            let outside = |s: AlgSet| s.iter().any(|a| !FAPI2_ALGS.contains(a));
            if outside(self.token.algs) || (self.dpop != Mode::Off && outside(self.proof_algs)) {
                return Err(contradiction);
            }
            if no_constraint || self.allow_unbound == Some(true) {
                return Err(contradiction);
            }
            for l in [self.token.leeway, leeway] {
                if !(10..=MAX_SAFE_LEEWAY).contains(&l) {
                    return Err(contradiction);
                }
            }
        }
        if self.allow_unbound == Some(true) && constraint_required {
            return Err(contradiction);
        }
        let allow_unbound = self
            .allow_unbound
            .unwrap_or(!constraint_required && !self.fapi2);
        let proof = ProofPolicy {
            algs: self.proof_algs,
            max_age: self.proof_max_age,
            leeway,
            nonce_required: self.nonce_required,
            nonce_slot: self.nonce_slot,
        };
        let mut p = Policy {
            token: self.token,
            dpop: self.dpop,
            mtls: self.mtls,
            proof,
            allow_unbound,
            fapi2: self.fapi2,
            bases: self.bases,
            generation: 0,
        };
        p.generation = generation_of(&p);
        Ok(p)
    }
}

fn generation_of(p: &Policy<'_>) -> u32 {
    let mut h = Sha256::new();
    let t = &p.token;
    h.update(t.issuer.as_bytes());
    h.update([0]);
    h.update(t.audience.as_bytes());
    h.update([0]);
    for a in t.algs.iter() {
        h.update(a.name().as_bytes());
        h.update([0]);
    }
    h.update([
        u8::from(t.allow_plain_jwt_typ),
        p.dpop as u8,
        p.mtls as u8,
        u8::from(p.allow_unbound),
    ]);
    h.update(t.leeway.to_le_bytes());
    let d: [u8; 32] = h.finalize().into();
    u32::from_le_bytes([d[0], d[1], d[2], d[3]]) | 1
}
