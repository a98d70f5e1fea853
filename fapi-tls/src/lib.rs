//! # fapi-tls
//!
//! A TLS 1.3 client with mTLS client certificates for firmware that has no TLS stack:
//! `#![no_std]`, no `alloc`, no `unsafe`, buffers from the caller. It is built on embedded-tls
//! 0.19 (`rustpki` feature only) and closes that crate's traps:
//!
//! - **Server authentication is never skipped.** fapi always supplies its own verifier
//!   ([`ServerTrust`]): a pinned CA — chain signature (ECDSA P-256/SHA-256), validity against
//!   the caller's `now`, `basicConstraints` `cA` on every issuer, `keyUsage`
//!   (`digitalSignature` on the leaf, `keyCertSign` on issuers), `extendedKeyUsage`
//!   `serverAuth` when present, `pathLenConstraint`, unknown critical extensions, and the
//!   server name against `subjectAltName` `dNSName` — or a pinned server public key (SHA-256
//!   of the `SubjectPublicKeyInfo`). The server's CertificateVerify signature is verified
//!   (`ecdsa_secp256r1_sha256`), and a handshake that ends without Certificate and
//!   CertificateVerify (which embedded-tls accepts) is refused.
//! - **Client keys other than P-256 are refused before the handshake** ([`ClientIdentity`]),
//!   instead of embedded-tls's `unwrap()` on a CertificateVerify longer than 104 bytes.
//! - **A refused client certificate is a clear error**: [`Error::ClientCertRefused`] on the
//!   first read, where embedded-tls says only `InternalError`.
//! - **An encrypted record with an empty plaintext**, which would panic embedded-tls and can
//!   be sent before the server is authenticated, is refused as [`Error::Protocol`].
//!
//! [`ClientIdentity::x5t_s256`] gives the client certificate's RFC 8705 thumbprint (through
//! `fapi_core::mtls`) for checking certificate-bound tokens.
//!
//! Errors are one [`Error`] enum with stable codes in the band 3000–3999.
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

mod client;
mod der;
mod error;
mod guard;
mod identity;
mod trust;
mod verifier;
mod x509;

pub use client::{Client, Config, RECORD_BUF_LEN};
/// The blocking I/O traits (`embedded-io` 0.7) the caller's socket implements.
pub use embedded_io;
pub use embedded_tls::MaxFragmentLength;
pub use error::Error;
pub use identity::ClientIdentity;
/// The random-number traits (`rand_core` 0.6) the caller's RNG implements.
pub use rand_core;
pub use trust::{MAX_CHAIN_LEN, ServerTrust, TrustAnchor, check_server_chain, spki_sha256};
pub use verifier::ClientAuth;
