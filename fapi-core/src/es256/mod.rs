//! Fast ES256 (ECDSA P-256 with SHA-256) verification for keys known in advance.
//!
//! fapi verifies the same few ES256 keys over and over (an issuer's JWKS keys, DPoP keys that
//! come back with every request). This module precomputes, per key, a table of multiples so
//! that a verification is about 75 point additions and **no point doublings**, on
//! [fiat-crypto]'s formally verified P-256 field and scalar arithmetic (`p256_64` /
//! `p256_scalar_64` on 64-bit targets, the `_32` variants elsewhere, e.g. thumbv7em).
//!
//! - [`field`]: GF(p) elements over fiat's Montgomery domain, reduced, with range-checked
//!   decoding and a variable-time inversion.
//! - [`point`]: affine and Jacobian points; mixed and Jacobian addition that detect the
//!   exceptional cases (equal inputs → doubling, opposite inputs → infinity, an input at
//!   infinity), doubling, batch normalisation.
//! - [`table`]: the fixed-window table layout ([`Window`], sizes in its doc), building into
//!   caller memory ([`build`], [`build_base`]), and the [`PointTable`] read interface.
//! - [`verify`]: [`PublicKey`], the verification entry points, the final check.
//!
//! Three ways to verify, all with the same verdicts as `p256`'s `verify_prehash`:
//! [`verify_with_tables`] (G and key tables, the fast path), [`verify_with_base_table`] (a
//! key without a table yet: width-5 NAF with doublings for the key), and
//! [`verify_without_tables`] (no memory beyond the stack).
//!
//! **Not constant time, on purpose.** Every input of a signature verification is public (the
//! key, the message digest, the signature), so the code branches on digits, skips zero
//! digits, inverts in variable time and returns early. Never use this module with secrets
//! (signing, key agreement).
//!
//! Checks: `r` and `s` in `[1, n−1]`; coordinates below p and on the curve; the accumulated
//! point at infinity is refused before the inversion-free comparison `X == r·Z²` (or
//! `(r + n)·Z²` when `r + n < p`).
//!
//! No allocation, no `unsafe`, no panics: tables live in memory the caller owns, and every
//! table read is bounds-checked.
//!
//! The feature `es256-fiat32` selects fiat's 32-bit arithmetic on a 64-bit host, so that the
//! code thumbv7em runs passes the same differential tests (`scripts/test-all.sh` does this).
//!
//! [fiat-crypto]: https://github.com/mit-plv/fiat-crypto

mod digits;
pub mod field;
pub mod point;
mod scalar;
pub mod table;
mod u256;
pub mod verify;

#[cfg(test)]
mod tests;

pub use field::Fe;
pub use point::AffinePoint;
pub use table::{
    PointTable, Table, TableError, Window, build, build_base, build_base_each, build_each,
};
pub use verify::{PublicKey, verify_with_base_table, verify_with_tables, verify_without_tables};
