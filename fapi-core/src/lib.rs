//! # fapi-core
//!
//! Allocation-free enforcement of the FAPI security features of an OpenID Connect gateway,
//! for C gateways and Cortex-M firmware alike. `#![no_std]`, no `alloc`, no `unsafe`.
//!
//! ## The pipeline (resource server, per request)
//!
//! ```text
//! token bytes ─► jws::split          exactly three segments, size limit
//!             ─► jws::parse_header   canonical base64url → strict JSON (json) → alg in the
//!                                    required allowlist (never none/HS*), no crit/b64, typ
//!             ─► jwk::select         key by kid, then type/curve/alg fit (never from jwk/jku/x5c)
//!             ─► jws::verify_signature   ES256 (P1363 r‖s), Ed25519 (verify_strict),
//!                                    PS256/RS256 (rsa)
//!             ─► json::parse_object  the claims, after the signature holds
//!             ─► jwt::validate_claims    iss, aud, exp/nbf/iat with leeway (time), cnf
//!             ═► jwt::AccessToken    a proof type: only this pipeline builds it
//! ```
//!
//! Per request, [`request::Verifier::decide`] runs that pipeline (or takes a host's
//! introspection result for opaque tokens), then the bindings: the RFC 9449 §7 scheme rules,
//! [`mtls`] (`cnf["x5t#S256"]` against the client certificate), [`dpop`] (proof signature,
//! `htm`, [`htu`], `iat` window, `jti`, `ath`, [`nonce`], `cnf.jkt`), required scopes, and last
//! the single-use record in [`replay`] — answering allow, deny (code, status, challenge) or,
//! with an external replay store, "needs replay check". Shared state ([`keystore`], [`replay`],
//! [`cache`], [`nonce`]) is 32-bit atomic words changed through `&self`; per-thread scratch is
//! a caller-owned [`request::Context`].
//!
//! Every step returns a value only it can construct, so a skipped check does not compile.
//! Every refusal is one [`Error`] with a stable numeric code ([`Error::code`]) and its OAuth
//! mapping ([`Error::oauth_error`], [`Error::http_status`]). Memory comes from the caller:
//! key sets are fixed-capacity ([`jwk::KeySet`]), decode scratch is a caller-owned
//! [`jwt::Scratch`], and time is always the `now` parameter.
//!
//! ES256 on known keys: [`es256`] verifies with precomputed tables of multiples on
//! fiat-crypto's field (additions only, about 0.45× OpenSSL's time on a gateway), and
//! [`keytables`] keeps those tables in the shared verifier — the base point's, the issuer
//! keys' (built by a JWKS load before it is visible) and returning DPoP keys' (built only after
//! an allowed decision, rate-limited) — behind the feature `es256-tables`
//! (`request::Verifier::with_tables`).
//!
//! ## The client side (PAR → JAR → JARM → token → ID token)
//!
//! ```text
//! metadata::parse        issuer = configured issuer, https endpoints, mTLS aliases, algs
//! pkce, random           verifier/state/nonce/jti from host random bytes only
//! jar::write_request_object   typ oauth-authz-req+jwt, ≤ 60 min, signed by a sign::JwsSigner
//! client_auth            private_key_jwt assertion, or mTLS (client_id only)
//! par::write_body        request + dpop_jkt + client auth  ─► host POSTs
//! par::parse_response    request_uri, expires_in            ─► par::write_authorization_url
//! jarm::verify_response  JARM: JWS + iss/aud/exp + state │ plain: RFC 9207 iss + state
//! token::write_code_request + dpop_proof::write_proof   ─► host POSTs
//! token::parse_response  token_type must match the proof; use_dpop_nonce → token::dpop_nonce
//! id_token::verify       JWS + iss/aud/azp/exp/iat + nonce (constant time)
//! token::RefreshToken    rotation: a new refresh_token replaces the old
//! ```
//!
//! Every writer puts its output into a caller buffer and returns the length, or
//! [`Error::BufferTooSmall`] with the exact length needed and nothing written. Signing keys
//! are [`sign::Es256Key`] (RFC 6979), [`sign::Ed25519Key`], or any host [`sign::JwsSigner`]
//! (HSM, PS256). Randomness only ever comes from the caller's bytes. The host does the HTTP.
//!
//! ```
//! use fapi_core::{config::Config, jwk::{KeySet, JWKS_LIMITS}, jws::{Alg, AlgSet}, jwt};
//!
//! let jwks = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1",
//!     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
//! let mut keys: KeySet<4> = KeySet::new();
//! keys.load(jwks, &JWKS_LIMITS).unwrap();
//! let cfg = Config::builder("https://as.example", "https://rs.example",
//!     AlgSet::of(&[Alg::Es256, Alg::EdDsa])).build().unwrap();
//! let mut scratch: jwt::Scratch = jwt::Scratch::new();
//! let verdict = jwt::verify_access_token(&cfg, keys.keys(), &mut scratch, b"a.b.c", 1_700_000_000);
//! assert!(verdict.is_err());
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod b64;
pub mod cache;
pub mod client;
pub mod client_auth;
pub mod config;
pub mod dpop;
pub mod dpop_proof;
pub mod error;
pub mod es256;
pub mod form;
pub mod htu;
pub mod id_token;
pub mod jar;
pub mod jarm;
pub mod json;
pub mod jwk;
pub mod jws;
pub mod jwt;
pub mod keystore;
pub mod keytables;
mod log;
pub mod metadata;
pub mod mtls;
pub mod nonce;
pub mod oauth;
mod out;
pub mod par;
pub mod pkce;
pub mod policy;
pub mod random;
pub mod replay;
pub mod request;
pub mod rsa;
mod seqlock;
mod sha;
pub mod sign;
pub mod time;
pub mod token;

pub use error::Error;

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
