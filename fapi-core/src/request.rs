//! The per-request decision: one call that takes the request as received and answers allow
//! (with the claims a gateway needs) or deny (code, OAuth error, HTTP status and the
//! `WWW-Authenticate` value), or — with an external replay store — "needs replay check".
//!
//! Order: method and target; credentials (`Authorization`, the `access_token` query
//! parameter, `DPoP` fields); the access token (cache or signature, then claims); bindings
//! (scheme rules of RFC 9449 §7, `cnf.jkt` with a DPoP proof, `cnf["x5t#S256"]` with the
//! client certificate); required scopes; and last the single-use record of the proof's
//! (key, `jti`) pair, so only holders of a valid token and key can consume replay capacity.

use crate::cache::{CacheHit, CacheView};
use crate::dpop::{self, ProofContext, ProofScratch, VerifiedProof};
use crate::error::{
    CapacityError, DpopError, Error, MisuseError, MtlsError, OAuthError, RequestError,
};
use crate::htu::{self, MAX_URI_LEN};
use crate::jwk::KeySet;
use crate::jws;
use crate::jwt::{self, Confirmation, Scratch, ValidatedClaims};
use crate::keystore::KeyStoreView;
use crate::keytables::{TableHooks, Tables};
use crate::mtls::{self, CertEncoding, MAX_CERT_DER_LEN};
use crate::nonce::{Nonce, NonceKeys};
use crate::policy::{Mode, Policy};
use crate::replay::{Insert, ReplayView};
use crate::sha::Sha256;
use subtle::ConstantTimeEq;

/// Where the client certificate came from. The integrator states it; fapi never takes a
/// certificate from a header it was not told to trust.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CertSource {
    /// The gateway's own TLS stack.
    TlsStack,
    /// A TLS-terminating proxy the integrator trusts (e.g. RFC 9440 `Client-Cert`).
    TrustedProxy,
}

/// The client certificate of a request.
#[derive(Copy, Clone, Debug)]
pub struct ClientCert<'r> {
    /// The certificate bytes in `encoding`.
    pub bytes: &'r [u8],
    /// How `bytes` are encoded.
    pub encoding: CertEncoding,
    /// Where they came from.
    pub source: CertSource,
}

/// One HTTP request as the gateway received it. Nothing here is rebuilt from `Host` or
/// `X-Forwarded-*`: the public base is configuration, chosen per route by index.
#[derive(Copy, Clone, Debug)]
pub struct Request<'r> {
    /// The method, exactly as received (case-sensitive).
    pub method: &'r [u8],
    /// The request target as received: origin-form `/path?query` or absolute-form.
    pub target: &'r [u8],
    /// Index of the public base in [`Policy::bases`].
    pub base: usize,
    /// Every `Authorization` field value.
    pub authorization: &'r [&'r [u8]],
    /// Every `DPoP` field value.
    pub dpop: &'r [&'r [u8]],
    /// The client certificate, if any.
    pub client_cert: Option<ClientCert<'r>>,
    /// Scopes the route requires (each an exact space-delimited token of `scope`).
    pub required_scopes: &'r [&'r str],
    /// Time, in seconds since the Unix epoch.
    pub now: u64,
    /// For opaque tokens: the RFC 7662 introspection response the host obtained for the
    /// presented token. When set, it replaces JWT verification (and the token cache); every
    /// binding, scope and replay check still applies.
    pub introspection: Option<&'r [u8]>,
}

/// Where single use of proofs is recorded.
#[derive(Copy, Clone, Debug)]
pub enum ReplayStore<'v> {
    /// The built-in table.
    Table(ReplayView<'v>),
    /// The host's store: decisions end in [`Decision::NeedsReplayCheck`], completed by
    /// [`Verifier::complete_replay`].
    External,
}

/// The host's answer from its external replay store.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReplayOutcome {
    /// The key was not present and is now stored (e.g. Redis `SET key 1 NX EXAT expiry` → OK).
    Fresh,
    /// The key was present: a replay.
    Seen,
    /// The store failed or timed out: fail closed (503).
    StoreError,
}

/// The shared verifier: policy, key set, replay store, token cache and nonce secrets. All
/// state it changes lives in atomic words, changed through `&self`; one verifier serves any
/// number of threads, each with its own [`Context`].
#[derive(Copy, Clone, Debug)]
pub struct Verifier<'v> {
    policy: &'v Policy<'v>,
    keys: KeyStoreView<'v>,
    replay: ReplayStore<'v>,
    cache: CacheView<'v>,
    nonces: &'v NonceKeys,
    tables: Tables<'v>,
}

/// Which sender constraint(s) a request proved.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// None: an unbound bearer token.
    None,
    /// DPoP, with the proof key's thumbprint.
    Dpop {
        /// RFC 7638 thumbprint of the proof key.
        jkt: [u8; 32],
    },
    /// A client certificate, with its SHA-256 thumbprint.
    Mtls {
        /// SHA-256 of the certificate DER.
        x5t_s256: [u8; 32],
    },
    /// Both.
    Both {
        /// RFC 7638 thumbprint of the proof key.
        jkt: [u8; 32],
        /// SHA-256 of the certificate DER.
        x5t_s256: [u8; 32],
    },
}

/// Longest `WWW-Authenticate` value fapi writes.
pub const MAX_CHALLENGE_LEN: usize = 1024;

/// Per-thread (per-worker) state: decode scratch, a copy of the key set, and the decision.
/// Accessors of a [`Decision`] point into it and stay valid until its next use.
#[derive(Clone, Debug)]
pub struct Context<const KEYS: usize = 8> {
    keys: KeySet<KEYS>,
    keys_gen: Option<crate::keystore::KeySetTag>,
    token: Scratch,
    proof: ProofScratch,
    expected_htu: [u8; MAX_URI_LEN],
    cert_der: [u8; MAX_CERT_DER_LEN],
    cert_scratch: [u8; CERT_SCRATCH_LEN],
    challenge: [u8; MAX_CHALLENGE_LEN],
    challenge_len: usize,
    nonce: Option<Nonce>,
    pending: PendingSlot,
    outcome: Outcome,
}

/// The last verdict of a context, as plain data (what a C caller reads back after
/// [`Verifier::decide`] or [`Verifier::complete_replay`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No decision yet.
    None,
    /// Allowed; [`Context::claims`] gives the claims.
    Allow {
        /// The binding proven.
        binding: Binding,
        /// Whether the token cache vouched for the signature.
        cache_hit: bool,
    },
    /// Denied; [`Context::challenge`] gives the `WWW-Authenticate` value.
    Deny {
        /// Why.
        error: Error,
    },
    /// Waiting for the external replay store.
    Pending(ReplayCheck),
}

/// Scratch for decoding a PEM or escaped-PEM certificate.
pub const CERT_SCRATCH_LEN: usize = 3 * MAX_CERT_DER_LEN / 2;

impl<const KEYS: usize> Default for Context<KEYS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const KEYS: usize> Context<KEYS> {
    /// A fresh context (usable in `static` initialisers; put it in a `static` or on the heap
    /// of the host — it is about 53 KiB).
    pub const fn new() -> Self {
        Self {
            keys: KeySet::new(),
            keys_gen: None,
            token: Scratch::new(),
            proof: ProofScratch::new(),
            expected_htu: [0; MAX_URI_LEN],
            cert_der: [0; MAX_CERT_DER_LEN],
            cert_scratch: [0; CERT_SCRATCH_LEN],
            challenge: [0; MAX_CHALLENGE_LEN],
            challenge_len: 0,
            nonce: None,
            pending: PendingSlot::EMPTY,
            outcome: Outcome::None,
        }
    }

    /// Forgets the last verdict (and any pending replay check): accessors then report none.
    /// Used when a call fails before reaching a verdict, so a stale allow is never read back.
    pub fn clear(&mut self) {
        self.outcome = Outcome::None;
        self.pending = PendingSlot::EMPTY;
        self.challenge_len = 0;
    }

    /// The last verdict.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The `WWW-Authenticate` value of the last denial (empty otherwise).
    pub fn challenge(&self) -> &str {
        match self.outcome {
            Outcome::Deny { .. } => self
                .challenge
                .get(..self.challenge_len)
                .and_then(|b| core::str::from_utf8(b).ok())
                .unwrap_or(""),
            _ => "",
        }
    }

    /// The `DPoP-Nonce` to send with the last verdict: on allows when a nonce secret is set,
    /// and on `use_dpop_nonce` denials.
    pub fn dpop_nonce(&self) -> Option<&str> {
        match self.outcome {
            Outcome::Allow { .. } => self.nonce.as_ref().map(Nonce::as_str),
            Outcome::Deny { error } if error.oauth_error() == OAuthError::UseDpopNonce => {
                self.nonce.as_ref().map(Nonce::as_str)
            }
            _ => None,
        }
    }

    /// The generation of the key-set copy this context holds (`None` before the first
    /// request): a provider keeps imported issuer keys while it is unchanged.
    pub fn key_generation(&self) -> Option<crate::keystore::KeySetTag> {
        self.keys_gen
    }

    /// The replay check a pending decision waits for (inside the context).
    pub fn pending_replay(&self) -> Option<&ReplayCheck> {
        match &self.outcome {
            Outcome::Pending(c) => Some(c),
            _ => None,
        }
    }

    /// The claims of the last allowed request (validated in that decision; the bytes have not
    /// changed since), or `None`.
    pub fn claims(&self) -> Option<crate::json::Object<'_>> {
        match self.outcome {
            Outcome::Allow { .. } => self.token.validated_claims(),
            _ => None,
        }
    }
}

/// A two-phase decision waiting for the host's replay store.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Pending {
    key: [u8; 43],
    expiry: u64,
    now: u64,
    binding: Binding,
    cache_hit: bool,
    scheme: Scheme,
    introspected: bool,
}

/// An `Option<Pending>` whose empty state is all zero bytes, like the rest of a fresh
/// context: a `static` context then lands in `.bss` and costs no flash.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct PendingSlot {
    live: bool,
    pending: Pending,
}

impl PendingSlot {
    const EMPTY: Self = Self {
        live: false,
        pending: Pending {
            key: [0; 43],
            expiry: 0,
            now: 0,
            binding: Binding::None,
            cache_hit: false,
            scheme: Scheme::Bearer,
            introspected: false,
        },
    };

    fn of(pending: Pending) -> Self {
        Self {
            live: true,
            pending,
        }
    }

    fn get(&self) -> Option<Pending> {
        self.live.then_some(self.pending)
    }
}

/// What the host must ask its replay store.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ReplayCheck {
    key: [u8; 43],
    expiry: u64,
}

impl ReplayCheck {
    /// The store key: base64url(SHA-256(jkt ‖ jti)), identical on every instance.
    pub fn key(&self) -> &str {
        core::str::from_utf8(&self.key).unwrap_or("")
    }
    /// Keep the key until this Unix time (e.g. Redis `EXAT`).
    pub fn expiry(&self) -> u64 {
        self.expiry
    }
}

/// An allowed request. Only the decision builds it: it holds the validated claims.
#[derive(Copy, Clone, Debug)]
pub struct Allow<'c> {
    claims: ValidatedClaims<'c>,
    binding: Binding,
    cache_hit: bool,
    nonce: Option<&'c Nonce>,
}

impl<'c> Allow<'c> {
    /// The validated claims (iss, sub, aud, client_id, scope, jti, iat, exp, raw lookup).
    pub fn claims(&self) -> &ValidatedClaims<'c> {
        &self.claims
    }
    /// The sender constraint that was proven.
    pub fn binding(&self) -> Binding {
        self.binding
    }
    /// Whether the token's signature check was skipped thanks to the cache.
    pub fn cache_hit(&self) -> bool {
        self.cache_hit
    }
    /// The `DPoP-Nonce` to send (when nonces are configured). Responses carrying it need
    /// `Cache-Control: no-store`.
    pub fn dpop_nonce(&self) -> Option<&'c str> {
        self.nonce.map(Nonce::as_str)
    }
}

/// A refused request.
#[derive(Copy, Clone, Debug)]
pub struct Deny<'c> {
    error: Error,
    challenge: &'c str,
    nonce: Option<&'c Nonce>,
}

impl<'c> Deny<'c> {
    /// Why.
    pub fn error(&self) -> Error {
        self.error
    }
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        self.error.http_status()
    }
    /// The OAuth error attribute.
    pub fn oauth_error(&self) -> OAuthError {
        self.error.oauth_error()
    }
    /// The `WWW-Authenticate` value (empty for 500/503).
    pub fn www_authenticate(&self) -> &'c str {
        self.challenge
    }
    /// The `DPoP-Nonce` to send (always with `use_dpop_nonce`).
    pub fn dpop_nonce(&self) -> Option<&'c str> {
        self.nonce.map(Nonce::as_str)
    }
}

/// The verdict.
#[derive(Copy, Clone, Debug)]
pub enum Decision<'c> {
    /// Serve the request.
    Allow(Allow<'c>),
    /// Refuse it.
    Deny(Deny<'c>),
    /// Ask the external replay store, then call [`Verifier::complete_replay`].
    NeedsReplayCheck(ReplayCheck),
}

impl Decision<'_> {
    /// The error of a denial (convenience for tests and logs).
    pub fn error(&self) -> Option<Error> {
        match self {
            Self::Deny(d) => Some(d.error),
            _ => None,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

/// What was learnt before the verdict, for the challenge.
#[derive(Copy, Clone, Debug)]
struct Seen {
    scheme: Option<Scheme>,
}

/// The HTTP `token` grammar (RFC 9110 §5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or(&[])
}

/// Counts field values, treating a value with commas as several folded fields.
fn field_count(values: &[&[u8]]) -> usize {
    values
        .iter()
        .map(|v| 1 + v.iter().filter(|&&b| b == b',').count())
        .sum()
}

/// Parses `scheme 1*SP token68`.
fn parse_authorization(v: &[u8]) -> Result<(Option<Scheme>, &[u8]), Error> {
    let v = trim(v);
    let sp = v
        .iter()
        .position(|&b| b == b' ')
        .ok_or(RequestError::MalformedAuthorization)?;
    let (scheme, rest) = v.split_at(sp);
    let token = trim(rest);
    let token68 = |t: &[u8]| {
        let body = t.iter().rposition(|&b| b != b'=').map_or(0, |e| e + 1);
        !t.is_empty()
            && body > 0
            && t.iter()
                .take(body)
                .all(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
    };
    if scheme.is_empty() || !scheme.iter().all(|&b| is_tchar(b)) {
        return Err(RequestError::MalformedAuthorization.into());
    }
    let s = if scheme.eq_ignore_ascii_case(b"Bearer") {
        Some(Scheme::Bearer)
    } else if scheme.eq_ignore_ascii_case(b"DPoP") {
        Some(Scheme::Dpop)
    } else {
        None
    };
    if s.is_some() && !token68(token) {
        return Err(RequestError::MalformedAuthorization.into());
    }
    Ok((s, token))
}

/// Whether `scope` (space-delimited) contains `want` as one exact token.
fn has_scope(scope: &crate::json::JStr<'_>, want: &str) -> bool {
    let mut buf = [0u8; 2048];
    let Ok(s) = scope.unescape_into(&mut buf) else {
        return false;
    };
    !want.is_empty() && s.split(' ').any(|t| t == want)
}

impl<'v> Verifier<'v> {
    /// Assembles a verifier from its parts (each may live in a `static` or a caller region).
    pub fn new(
        policy: &'v Policy<'v>,
        keys: KeyStoreView<'v>,
        replay: ReplayStore<'v>,
        cache: CacheView<'v>,
        nonces: &'v NonceKeys,
    ) -> Self {
        Self {
            policy,
            keys,
            replay,
            cache,
            nonces,
            tables: TableHooks::NONE,
        }
    }

    /// The same verifier checking ES256 with precomputed tables ([`crate::keytables`]): the
    /// issuer keys' tables are built by [`Verifier::load_jwks`], DPoP keys' after the
    /// decisions that allow them. Built-in code only: a [`Verifier::decide_with`] provider
    /// still checks every signature itself.
    #[cfg(feature = "es256-tables")]
    pub fn with_tables(self, tables: crate::keytables::KeyTables<'v>) -> Self {
        Self {
            tables: Some(tables),
            ..self
        }
    }

    /// The ES256 tables, if any.
    #[cfg(feature = "es256-tables")]
    pub fn tables(&self) -> Option<&crate::keytables::KeyTables<'v>> {
        self.tables.as_ref()
    }

    /// The shared key set's generation (changes with every successful JWKS load).
    pub fn key_generation(&self) -> crate::keystore::KeySetTag {
        self.keys.current_tag()
    }

    /// The policy.
    pub fn policy(&self) -> &'v Policy<'v> {
        self.policy
    }

    /// Replaces the key set (see [`KeyStoreView::load`]).
    ///
    /// # Errors
    /// As [`KeyStoreView::load`]; the previous set stays in force.
    pub fn load_jwks(&self, json: &[u8]) -> Result<crate::jwk::LoadReport, Error> {
        if !self.tables.enabled() {
            return self.keys.load(json, &crate::jwk::JWKS_LIMITS);
        }
        self.keys
            .load_with(json, &crate::jwk::JWKS_LIMITS, |b, i, k| {
                self.tables.set_issuer(b, i, k);
            })
    }

    /// The nonce to send as `DPoP-Nonce` now, if a nonce secret is set.
    pub fn current_nonce(&self, now: u64) -> Option<Nonce> {
        self.nonces.current(now, self.policy.proof.nonce_slot)
    }

    /// Decides one request (signatures checked by fapi's built-in code).
    pub fn decide<'c, const K: usize>(
        &self,
        ctx: &'c mut Context<K>,
        req: &Request<'_>,
    ) -> Decision<'c> {
        self.decide_inner(ctx, req, None)
    }

    /// Decides one request, with signature equations checked by `provider` (an HSM or a host
    /// library). fapi still checks every key and signature encoding first.
    pub fn decide_with<'c, const K: usize>(
        &self,
        ctx: &'c mut Context<K>,
        req: &Request<'_>,
        provider: &mut dyn jws::SignatureVerifier,
    ) -> Decision<'c> {
        self.decide_inner(ctx, req, Some(provider))
    }

    fn decide_inner<'c, const K: usize>(
        &self,
        ctx: &'c mut Context<K>,
        req: &Request<'_>,
        provider: Option<&mut dyn jws::SignatureVerifier>,
    ) -> Decision<'c> {
        ctx.clear();
        ctx.nonce = self.current_nonce(req.now);
        let Context {
            keys,
            keys_gen,
            token,
            proof,
            expected_htu,
            cert_der,
            cert_scratch,
            challenge,
            challenge_len,
            nonce,
            pending,
            outcome,
        } = ctx;
        proof.forget_tabled();
        let mut seen = Seen { scheme: None };
        let work = Work {
            keys,
            keys_gen,
            token,
            proof: &mut *proof,
            expected_htu,
            cert_der,
            cert_scratch,
        };
        let r = self.run(work, req, &mut seen, provider);
        if let Ok(Verdict::Allow { .. }) = r {
            self.warm(proof, req.now);
        }
        let out = Out {
            challenge,
            challenge_len,
            nonce,
            pending,
            outcome,
        };
        self.finish(out, r, seen, req.required_scopes)
    }

    /// Completes a two-phase decision with the host's replay-store answer.
    pub fn complete_replay<'c, const K: usize>(
        &self,
        ctx: &'c mut Context<K>,
        outcome: ReplayOutcome,
    ) -> Decision<'c> {
        let p = ctx.pending.get();
        ctx.clear();
        let Context {
            token,
            challenge,
            challenge_len,
            nonce,
            pending,
            outcome: last,
            proof,
            ..
        } = ctx;
        let out = Out {
            challenge,
            challenge_len,
            nonce,
            pending,
            outcome: last,
        };
        let Some(p) = p else {
            let seen = Seen { scheme: None };
            return self.finish(out, Err(MisuseError::ReplayNotPending.into()), seen, &[]);
        };
        let seen = Seen {
            scheme: Some(p.scheme),
        };
        let r = match outcome {
            // The claims were validated in the first phase; they are re-read from the decoded
            // token kept in the context and validated again at the same `now`.
            ReplayOutcome::Fresh => token
                .claims_object(&self.policy.token)
                .and_then(|o| {
                    if p.introspected {
                        jwt::validate_introspection(o, &self.policy.token, p.now)
                    } else {
                        jwt::validate_claims(o, &self.policy.token, p.now)
                    }
                })
                .map(|claims| Verdict::Allow {
                    claims,
                    binding: p.binding,
                    cache_hit: p.cache_hit,
                }),
            ReplayOutcome::Seen => Err(DpopError::ReplayedExternal.into()),
            ReplayOutcome::StoreError => Err(CapacityError::ReplayStoreError.into()),
        };
        if let Ok(Verdict::Allow { .. }) = r {
            self.warm(proof, p.now);
        }
        proof.forget_tabled();
        self.finish(out, r, seen, &[])
    }

    /// Builds the hot-key table of an allowed request's ES256 proof key (see
    /// [`KeyTables::warm`]), after the decision's own frames are gone.
    #[inline(never)]
    fn warm(&self, proof: &ProofScratch, now: u64) {
        if let Some((jkt, xy)) = proof.tabled_key() {
            self.tables.warm_xy(jkt, xy, now);
        }
    }

    fn finish<'c>(
        &self,
        out: Out<'c>,
        r: Result<Verdict<'c>, Error>,
        seen: Seen,
        scopes: &[&str],
    ) -> Decision<'c> {
        let error = match r {
            Ok(Verdict::Allow {
                claims,
                binding,
                cache_hit,
            }) => {
                crate::log::decision(0);
                *out.outcome = Outcome::Allow { binding, cache_hit };
                return Decision::Allow(Allow {
                    claims,
                    binding,
                    cache_hit,
                    nonce: out.nonce.as_ref(),
                });
            }
            Ok(Verdict::Pending(p)) => {
                *out.pending = PendingSlot::of(p);
                let check = ReplayCheck {
                    key: p.key,
                    expiry: p.expiry,
                };
                *out.outcome = Outcome::Pending(check);
                return Decision::NeedsReplayCheck(check);
            }
            Err(e) => e,
        };
        crate::log::decision(error.code());
        *out.outcome = Outcome::Deny { error };
        let len = write_challenge(out.challenge, self.policy, error, seen.scheme, scopes);
        *out.challenge_len = len;
        let challenge = out
            .challenge
            .get(..len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        let nonce = if error.oauth_error() == OAuthError::UseDpopNonce {
            out.nonce.as_ref()
        } else {
            None
        };
        Decision::Deny(Deny {
            error,
            challenge,
            nonce,
        })
    }

    fn run<'c, const K: usize>(
        &self,
        w: Work<'c, '_, K>,
        req: &Request<'_>,
        seen: &mut Seen,
        mut provider: Option<&mut dyn jws::SignatureVerifier>,
    ) -> Result<Verdict<'c>, Error> {
        let policy = self.policy;
        if req.method.is_empty() || !req.method.iter().all(|&b| is_tchar(b)) {
            return Err(RequestError::InvalidMethod.into());
        }
        let base = policy
            .bases
            .get(req.base)
            .ok_or(MisuseError::InvalidArgument)?;
        let expected = htu::expected_htu(base, req.target, w.expected_htu)?;
        if let Some(q) = htu::query(req.target)
            && htu::has_query_param(q, "access_token")
        {
            return Err(RequestError::TokenInQuery.into());
        }
        let auth = match field_count(req.authorization) {
            0 => return Err(RequestError::NoCredentials.into()),
            1 => req
                .authorization
                .first()
                .copied()
                .ok_or(RequestError::NoCredentials)?,
            _ => return Err(RequestError::MultipleAuthorization.into()),
        };
        let (scheme, token) = parse_authorization(auth)?;
        let scheme = match scheme {
            Some(Scheme::Dpop) if policy.dpop == Mode::Off => None,
            s => s,
        };
        let Some(scheme) = scheme else {
            return Err(RequestError::NoCredentials.into());
        };
        seen.scheme = Some(scheme);
        let proof_field = match (scheme, field_count(req.dpop)) {
            (Scheme::Dpop, 0) => return Err(DpopError::ProofMissing.into()),
            (Scheme::Dpop, 1) => req.dpop.first().map(|v| trim(v)),
            (Scheme::Dpop, _) => return Err(DpopError::MultipleProofs.into()),
            (Scheme::Bearer, _) => None,
        };

        // The access token: cache, else signature; then claims. Or, for an opaque token, the
        // host's introspection result.
        // SHA-256(token) is the cache key and the `ath` value: computed once, and only when
        // one of them is used.
        let uses_cache = self.cache.is_enabled() && req.introspection.is_none();
        let token_hash: Option<[u8; 32]> =
            (uses_cache || proof_field.is_some()).then(|| Sha256::digest(token).into());
        let (claims, cache_hit) = match req.introspection {
            Some(json) => (
                jwt::load_introspection(w.token, json, &policy.token, req.now)?,
                false,
            ),
            None => {
                self.keys.refresh(w.keys, w.keys_gen)?;
                let hit: Option<CacheHit> = token_hash
                    .as_ref()
                    .and_then(|h| self.cache.lookup(h, policy.generation, w.keys.keys()));
                let at = match hit {
                    Some(h) => jwt::verify_access_token_cached(
                        &policy.token,
                        w.keys.keys(),
                        w.token,
                        token,
                        req.now,
                        &h,
                    )?,
                    None => match provider.as_deref_mut() {
                        // The built-in code, with the token scratch's RSA memory and the
                        // ES256 tables, if any.
                        None => jwt::verify_access_token_in(
                            &policy.token,
                            w.keys.keys(),
                            w.token,
                            token,
                            req.now,
                            self.tables,
                        )?,
                        Some(p) => jwt::verify_access_token_with(
                            &policy.token,
                            w.keys.keys(),
                            w.token,
                            token,
                            req.now,
                            p,
                        )?,
                    },
                };
                let cache_hit = at.jws().cache_hit();
                if let (false, Some(h)) = (cache_hit, token_hash.as_ref()) {
                    self.cache
                        .insert(h, policy.generation, at.jws().key_thumbprint());
                }
                (*at.claims(), cache_hit)
            }
        };
        let (cnf_jkt, cnf_x5t) = match claims.cnf() {
            Confirmation::Unbound => (None, None),
            Confirmation::Bound { jkt, x5t_s256 } => (jkt, x5t_s256),
        };

        // Scheme rules and modes (RFC 9449 §7, RFC 8705 §3).
        if cnf_jkt.is_some() {
            if policy.dpop == Mode::Off {
                return Err(DpopError::DpopDisabled.into());
            }
            if scheme == Scheme::Bearer {
                return Err(DpopError::BearerDowngrade.into());
            }
        } else if scheme == Scheme::Dpop {
            return Err(DpopError::TokenNotBound.into());
        }
        if cnf_x5t.is_some() && policy.mtls == Mode::Off {
            return Err(MtlsError::MtlsDisabled.into());
        }
        if cnf_jkt.is_none() && cnf_x5t.is_none() && !policy.allow_unbound {
            return Err(DpopError::BindingRequired.into());
        }
        if (policy.dpop == Mode::Required && cnf_jkt.is_none())
            || (policy.mtls == Mode::Required && cnf_x5t.is_none())
        {
            return Err(DpopError::BindingRequired.into());
        }

        // Certificate binding.
        let mut x5t_proven: Option<[u8; 32]> = None;
        if let Some(want) = cnf_x5t {
            let cert = req.client_cert.ok_or(MtlsError::CertMissing)?;
            let der = mtls::decode_cert(cert.bytes, cert.encoding, w.cert_scratch, w.cert_der)?;
            mtls::check_binding(&want, der)?;
            x5t_proven = Some(mtls::x5t_s256(der));
        }

        // DPoP proof and its binding to the token.
        let mut proof: Option<VerifiedProof> = None;
        if let (Some(want), Some(field)) = (cnf_jkt, proof_field) {
            if policy.proof.nonce_required && self.nonces.current(req.now, 1).is_none() {
                return Err(MisuseError::NonceSecretMissing.into());
            }
            let cx = ProofContext {
                method: req.method,
                expected_htu: expected,
                token_hash: token_hash.as_ref(),
                now: req.now,
            };
            let p = dpop::verify_proof_in(
                field,
                &policy.proof,
                w.proof,
                &cx,
                self.nonces,
                provider,
                self.tables,
            )?;
            let matches = decode_thumbprint(&want).is_some_and(|w| bool::from(w.ct_eq(p.jkt())));
            if !matches {
                return Err(DpopError::JktMismatch.into());
            }
            proof = Some(p);
        }

        let scope_ok = match claims.scope() {
            Some(s) => req.required_scopes.iter().all(|w| has_scope(&s, w)),
            None => req.required_scopes.is_empty(),
        };
        if !scope_ok {
            return Err(RequestError::InsufficientScope.into());
        }

        let binding = match (proof.as_ref(), x5t_proven) {
            (None, None) => Binding::None,
            (Some(p), None) => Binding::Dpop { jkt: *p.jkt() },
            (None, Some(x)) => Binding::Mtls { x5t_s256: x },
            (Some(p), Some(x)) => Binding::Both {
                jkt: *p.jkt(),
                x5t_s256: x,
            },
        };

        // Last: single use of the proof.
        if let Some(p) = proof {
            match self.replay {
                ReplayStore::Table(t) => match t.insert(p.pair(), p.expiry(), req.now)? {
                    Insert::Fresh => {}
                    Insert::Seen => return Err(DpopError::Replayed.into()),
                },
                ReplayStore::External => {
                    return Ok(Verdict::Pending(Pending {
                        key: p.pair().store_key(),
                        expiry: p.expiry(),
                        now: req.now,
                        binding,
                        cache_hit,
                        scheme,
                        introspected: req.introspection.is_some(),
                    }));
                }
            }
        }
        Ok(Verdict::Allow {
            claims,
            binding,
            cache_hit,
        })
    }

    /// Checks a standalone DPoP proof (e.g. at a token endpoint, or for an opaque token):
    /// everything [`dpop::verify_proof`] checks, then the expected `jkt` if given, then single
    /// use in the built-in table (an external store gets the pair from the returned proof).
    ///
    /// # Errors
    /// Any proof error, [`DpopError::ExpectedJktMismatch`], [`DpopError::Replayed`], capacity
    /// errors, [`RequestError::InvalidTarget`], [`MisuseError::InvalidArgument`] for a bad
    /// base index.
    pub fn check_proof<const K: usize>(
        &self,
        ctx: &mut Context<K>,
        check: &ProofCheck<'_>,
    ) -> Result<VerifiedProof, Error> {
        self.check_proof_inner(ctx, check, None)
    }

    /// As [`Verifier::check_proof`], with `provider` checking the signature.
    ///
    /// # Errors
    /// As [`Verifier::check_proof`].
    pub fn check_proof_with<const K: usize>(
        &self,
        ctx: &mut Context<K>,
        check: &ProofCheck<'_>,
        provider: &mut dyn jws::SignatureVerifier,
    ) -> Result<VerifiedProof, Error> {
        self.check_proof_inner(ctx, check, Some(provider))
    }

    fn check_proof_inner<const K: usize>(
        &self,
        ctx: &mut Context<K>,
        check: &ProofCheck<'_>,
        provider: Option<&mut dyn jws::SignatureVerifier>,
    ) -> Result<VerifiedProof, Error> {
        let policy = self.policy;
        let b = policy
            .bases
            .get(check.base)
            .ok_or(MisuseError::InvalidArgument)?;
        let expected = htu::expected_htu(b, check.target, &mut ctx.expected_htu)?;
        if policy.proof.nonce_required && self.nonces.current(check.now, 1).is_none() {
            return Err(MisuseError::NonceSecretMissing.into());
        }
        let th: Option<[u8; 32]> = check.access_token.map(|t| Sha256::digest(t).into());
        let cx = ProofContext {
            method: check.method,
            expected_htu: expected,
            token_hash: th.as_ref(),
            now: check.now,
        };
        let p = dpop::verify_proof_in(
            check.proof,
            &policy.proof,
            &mut ctx.proof,
            &cx,
            self.nonces,
            provider,
            self.tables,
        )?;
        if let Some(want) = check.expected_jkt
            && !bool::from(want.ct_eq(p.jkt()))
        {
            return Err(DpopError::ExpectedJktMismatch.into());
        }
        if let ReplayStore::Table(t) = self.replay
            && t.insert(p.pair(), p.expiry(), check.now)? == Insert::Seen
        {
            return Err(DpopError::Replayed.into());
        }
        Ok(p)
    }
}

/// A standalone proof check's inputs ([`Verifier::check_proof`]).
#[derive(Copy, Clone, Debug)]
pub struct ProofCheck<'r> {
    /// The `DPoP` field value (exactly one field: the caller checks the count).
    pub proof: &'r [u8],
    /// The HTTP method.
    pub method: &'r [u8],
    /// The request target as received.
    pub target: &'r [u8],
    /// Index of the public base.
    pub base: usize,
    /// The access token presented with the proof, if any (then `ath` is required).
    pub access_token: Option<&'r [u8]>,
    /// The thumbprint the proof key must have (e.g. an introspected `cnf.jkt`), if any.
    pub expected_jkt: Option<&'r [u8; 32]>,
    /// Time.
    pub now: u64,
}

/// Decodes a `cnf` thumbprint after unescaping: canonical base64url of 32 bytes, else `None`
/// (never matches).
fn decode_thumbprint(s: &crate::json::JStr<'_>) -> Option<[u8; 32]> {
    let mut buf = [0u8; 43];
    let text = s.unescape_into(&mut buf).ok()?;
    crate::b64::decode_exact::<32>(text.as_bytes()).ok()
}

#[derive(Copy, Clone, Debug)]
enum Verdict<'c> {
    Allow {
        claims: ValidatedClaims<'c>,
        binding: Binding,
        cache_hit: bool,
    },
    Pending(Pending),
}

/// The parts of a context the checks write to.
struct Work<'w, 'p, const K: usize> {
    keys: &'w mut KeySet<K>,
    keys_gen: &'w mut Option<crate::keystore::KeySetTag>,
    token: &'w mut Scratch,
    /// Borrowed apart from the rest: the decision reads it again after the verdict (the proof
    /// key checked with the tables, for the hot-key cache).
    proof: &'p mut ProofScratch,
    expected_htu: &'w mut [u8; MAX_URI_LEN],
    cert_der: &'w mut [u8; MAX_CERT_DER_LEN],
    cert_scratch: &'w mut [u8; CERT_SCRATCH_LEN],
}

/// The parts of a context a verdict is written to.
struct Out<'o> {
    challenge: &'o mut [u8; MAX_CHALLENGE_LEN],
    challenge_len: &'o mut usize,
    nonce: &'o Option<Nonce>,
    pending: &'o mut PendingSlot,
    outcome: &'o mut Outcome,
}

struct Writer<'b> {
    buf: &'b mut [u8],
    len: usize,
    overflow: bool,
}

impl Writer<'_> {
    // One call per piece on 32-bit targets: inlined, the challenge writer's ~30 pushes
    // cost 1 KB of Cortex-M flash.
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn push(&mut self, s: &str) {
        let end = self.len + s.len();
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = end;
            }
            None => self.overflow = true,
        }
    }
}

/// RFC 6750 §3 `scope-token` characters.
fn is_scope_char(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b)
}

/// Writes the `WWW-Authenticate` value for a refusal (RFC 6750 §3, RFC 9449 §7.1): bare
/// challenges for every enabled scheme when there were no usable credentials; otherwise the
/// used scheme's challenge with `error` (and `scope` for `insufficient_scope`), then the other
/// enabled scheme bare. Nothing for 500/503. Returns the length written.
fn write_challenge(
    buf: &mut [u8],
    policy: &Policy<'_>,
    error: Error,
    used: Option<Scheme>,
    scopes: &[&str],
) -> usize {
    let mut w = Writer {
        buf,
        len: 0,
        overflow: false,
    };
    let status = error.http_status();
    if status >= 500 {
        return 0;
    }
    let dpop_on = policy.dpop != Mode::Off;
    // Bearer can succeed unless DPoP is required (every token then carries cnf.jkt, which
    // Bearer never accepts); it is offered when unbound or certificate-bound tokens may pass.
    let bearer_on = policy.dpop != Mode::Required
        && (policy.allow_unbound || policy.mtls != Mode::Off || policy.dpop == Mode::Off);
    let oauth = error.oauth_error();
    let name = error.challenge_name();
    // Which scheme carries the error.
    let err_scheme = if oauth == OAuthError::None {
        None
    } else {
        match used {
            Some(s) => Some(s),
            None if dpop_on && !bearer_on => Some(Scheme::Dpop),
            None if bearer_on => Some(Scheme::Bearer),
            None => Some(Scheme::Dpop),
        }
    };
    let write_dpop = |w: &mut Writer<'_>, with_error: bool| {
        w.push("DPoP");
        if with_error {
            w.push(" error=\"");
            w.push(oauth.as_str());
            w.push("\", error_description=\"");
            w.push(name.0);
            w.push(name.1);
            w.push("\",");
        }
        w.push(" algs=\"");
        for (i, a) in policy.proof.algs.iter().enumerate() {
            if i > 0 {
                w.push(" ");
            }
            w.push(a.name());
        }
        w.push("\"");
    };
    let write_bearer = |w: &mut Writer<'_>, with_error: bool| {
        w.push("Bearer");
        if with_error {
            w.push(" error=\"");
            w.push(oauth.as_str());
            w.push("\", error_description=\"");
            w.push(name.0);
            w.push(name.1);
            w.push("\"");
        }
    };
    let write_scope = |w: &mut Writer<'_>| {
        if oauth != OAuthError::InsufficientScope
            || scopes.is_empty()
            || !scopes
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(is_scope_char))
        {
            return;
        }
        let mark = w.len;
        w.push(", scope=\"");
        for (i, s) in scopes.iter().enumerate() {
            if i > 0 {
                w.push(" ");
            }
            w.push(s);
        }
        w.push("\"");
        if w.overflow {
            w.len = mark;
            w.overflow = false;
        }
    };
    match err_scheme {
        Some(Scheme::Dpop) => {
            write_dpop(&mut w, true);
            write_scope(&mut w);
            if bearer_on {
                w.push(", ");
                write_bearer(&mut w, false);
            }
        }
        Some(Scheme::Bearer) => {
            write_bearer(&mut w, true);
            write_scope(&mut w);
            if dpop_on {
                w.push(", ");
                write_dpop(&mut w, false);
            }
        }
        None => {
            if bearer_on {
                write_bearer(&mut w, false);
            }
            if dpop_on {
                if bearer_on {
                    w.push(", ");
                }
                write_dpop(&mut w, false);
            }
        }
    }
    if w.overflow { 0 } else { w.len }
}
