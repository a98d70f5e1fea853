//! PKCE with `S256` (RFC 7636): a `code_verifier` made from host random bytes and its
//! `code_challenge`. `plain` is never offered (FAPI 2.0 requires `S256`).

use crate::b64;
use crate::error::{Error, MisuseError};
use crate::out::is_unreserved;
use crate::sha::Sha256;

/// Fewest random bytes for a verifier (32 bytes give the minimum 43 characters).
pub const MIN_VERIFIER_RANDOM: usize = 32;
/// Most random bytes for a verifier (96 bytes give the maximum 128 characters).
pub const MAX_VERIFIER_RANDOM: usize = 96;
/// Length of an `S256` code challenge (base64url of a SHA-256 digest).
pub const CHALLENGE_LEN: usize = 43;
/// The `code_challenge_method` fapi sends.
pub const METHOD: &str = "S256";

/// Writes a `code_verifier`: the base64url text of 32–96 host random bytes (43–128
/// characters, all unreserved). Returns the length written.
///
/// # Errors
/// [`MisuseError::RandomLength`] outside 32–96 bytes; [`Error::BufferTooSmall`].
pub fn verifier(random: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    crate::random::check(random, MIN_VERIFIER_RANDOM)?;
    crate::random::token(random, out)
}

/// Whether `v` is a valid `code_verifier`: 43–128 characters of `ALPHA / DIGIT / "-" / "." /
/// "_" / "~"` (RFC 7636 §4.1).
pub fn is_valid_verifier(v: &[u8]) -> bool {
    (43..=128).contains(&v.len()) && v.iter().all(|&b| is_unreserved(b))
}

/// An `S256` code challenge: `BASE64URL(SHA256(code_verifier))`, 43 characters.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Challenge([u8; CHALLENGE_LEN]);

impl Challenge {
    /// The challenge text.
    pub fn as_str(&self) -> &str {
        // Base64url output is ASCII.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The challenge bytes.
    pub fn as_bytes(&self) -> &[u8; CHALLENGE_LEN] {
        &self.0
    }
}

/// The `S256` challenge of `verifier`.
///
/// # Errors
/// [`MisuseError::PkceVerifierInvalid`] unless [`is_valid_verifier`].
pub fn challenge(verifier: &[u8]) -> Result<Challenge, Error> {
    if !is_valid_verifier(verifier) {
        return Err(MisuseError::PkceVerifierInvalid.into());
    }
    let digest: [u8; 32] = Sha256::digest(verifier).into();
    let mut c = [0u8; CHALLENGE_LEN];
    b64::encode(&digest, &mut c).map_err(|_| MisuseError::PkceVerifierInvalid)?;
    Ok(Challenge(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let random = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let mut v = [0u8; 128];
        let n = verifier(&random, &mut v).unwrap();
        assert_eq!(&v[..n], b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&v[..n]).unwrap().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
