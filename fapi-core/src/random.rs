//! Values made from host randomness: `jti`, `state` and `nonce` are the base64url encoding of
//! bytes the host gives (from its CSPRNG, HSM or TRNG). fapi has no hidden source of
//! randomness: a call that needs fresh bytes takes them as a parameter.

use crate::error::{Error, MisuseError};
use crate::out::{self, Sink};

/// Fewest random bytes accepted for a `jti`, `state` or `nonce` (128 bits).
pub const MIN_RANDOM: usize = 16;
/// Most random bytes accepted (128 characters once encoded).
pub const MAX_RANDOM: usize = 96;

/// Checks that `random` holds between `min` and [`MAX_RANDOM`] bytes.
pub(crate) fn check(random: &[u8], min: usize) -> Result<(), Error> {
    if random.len() < min || random.len() > MAX_RANDOM {
        return Err(MisuseError::RandomLength.into());
    }
    Ok(())
}

/// Writes the base64url text of `random` (at least [`MIN_RANDOM`] bytes): a fresh `state`,
/// `nonce` or `jti`. Returns the length written (`ceil(4n/3)` for `n` bytes).
///
/// # Errors
/// [`MisuseError::RandomLength`] for fewer than 16 or more than 96 bytes;
/// [`Error::BufferTooSmall`] with the length needed.
pub fn token(random: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    check(random, MIN_RANDOM)?;
    out::write_with(out, |o| {
        let mut b = out::B64::new(o);
        b.put(random);
        b.finish();
        Ok(())
    })
}
