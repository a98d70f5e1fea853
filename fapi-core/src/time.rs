//! Time as a parameter: NumericDate parsing (RFC 7519 §2) and leeway arithmetic.
//!
//! fapi never reads a clock. Every check takes `now` (seconds since the Unix epoch) from the
//! caller, so firmware without a clock works and tests are deterministic.

use crate::error::ClaimsError;
use crate::json::Value;
use core::num::NonZeroU32;

/// Largest NumericDate accepted: 10^11 s (year 5138). Anything larger is refused rather than
/// read as a far future (no wrap-around).
pub const MAX_NUMERIC_DATE: u64 = 100_000_000_000;

/// Reads a NumericDate rounded down: a non-negative JSON number, integer or with a fraction.
/// Exponents are refused. Use it where an earlier time is the stricter reading (`exp`).
///
/// # Errors
/// [`ClaimsError::TimeMalformed`] for strings, `null`, negative numbers and exponents;
/// [`ClaimsError::TimeOutOfRange`] above [`MAX_NUMERIC_DATE`].
pub fn numeric_date(v: &Value<'_>) -> Result<u64, ClaimsError> {
    numeric_date_parts(v).map(|(n, _)| n)
}

/// Reads a NumericDate rounded up (a non-zero fraction counts as the next second). Use it
/// where a later time is the stricter reading (`nbf`, `iat` against the future).
///
/// # Errors
/// As [`numeric_date`].
pub fn numeric_date_ceil(v: &Value<'_>) -> Result<u64, ClaimsError> {
    let (n, frac) = numeric_date_parts(v)?;
    if frac {
        n.checked_add(1)
            .filter(|&n| n <= MAX_NUMERIC_DATE)
            .ok_or(ClaimsError::TimeOutOfRange)
    } else {
        Ok(n)
    }
}

/// `(n / d, n % d)` for a 64-bit `n` and a non-zero 32-bit `d` (nonce slots, replay-table
/// indices). On 64-bit targets the hardware divides; on 32-bit ones (Cortex-M has a 32-bit
/// divider only) [`div_rem_u32_soft`] does, so that `compiler_builtins`' general 64-bit
/// division (0.9 KB of flash) is not linked for these few divisions.
pub(crate) fn div_rem_u32(n: u64, d: NonZeroU32) -> (u64, u32) {
    #[cfg(target_pointer_width = "64")]
    {
        let d = u64::from(d.get());
        // The remainder is below d, which fits 32 bits.
        (n / d, (n % d) as u32)
    }
    #[cfg(not(target_pointer_width = "64"))]
    {
        div_rem_u32_soft(n, d)
    }
}

/// [`div_rem_u32`] with one 32-bit division for the high word and a restoring division, bit
/// by bit, for the low word (about 200 instructions on a Cortex-M4). Compiled everywhere, so
/// host tests check it against the hardware.
#[cfg_attr(target_pointer_width = "64", allow(dead_code))]
fn div_rem_u32_soft(n: u64, d: NonZeroU32) -> (u64, u32) {
    let d = d.get();
    let hi = (n >> 32) as u32;
    let lo = n as u32;
    let (q_hi, mut r) = (hi / d, hi % d);
    let mut q_lo = 0u32;
    for i in (0..32).rev() {
        // r < d, so 2r + 1 < 2d: one subtraction restores r < d. The bit shifted out of r
        // means 2r + bit ≥ 2^32 > d, and the wrapping difference is then exact.
        let carry = r >> 31;
        r = r << 1 | (lo >> i & 1);
        q_lo <<= 1;
        if carry != 0 || r >= d {
            r = r.wrapping_sub(d);
            q_lo |= 1;
        }
    }
    (u64::from(q_hi) << 32 | u64::from(q_lo), r)
}

/// The integer part and whether a non-zero fraction follows.
fn numeric_date_parts(v: &Value<'_>) -> Result<(u64, bool), ClaimsError> {
    let raw = v.as_number().ok_or(ClaimsError::TimeMalformed)?;
    if raw.first() == Some(&b'-') || raw.iter().any(|&b| b == b'e' || b == b'E') {
        return Err(ClaimsError::TimeMalformed);
    }
    let mut parts = raw.split(|&b| b == b'.');
    let int_part = parts.next().unwrap_or(&[]);
    let frac = parts.next().is_some_and(|f| f.iter().any(|&d| d != b'0'));
    let mut n: u64 = 0;
    for &d in int_part {
        if !d.is_ascii_digit() {
            return Err(ClaimsError::TimeMalformed);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(ClaimsError::TimeOutOfRange)?;
        if n > MAX_NUMERIC_DATE {
            return Err(ClaimsError::TimeOutOfRange);
        }
    }
    Ok((n, frac))
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    #[test]
    fn soft_division_matches_the_hardware() {
        let ds = [
            1u32,
            2,
            3,
            7,
            60,
            300,
            1024,
            65_537,
            0x8000_0000,
            0xFFFF_FFFE,
            u32::MAX,
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut ns = Vec::from([
            0u64,
            1,
            59,
            1_700_000_000,
            MAX_NUMERIC_DATE,
            u64::MAX,
            u64::MAX - 1,
        ]);
        for _ in 0..2000 {
            // xorshift64: spread over every bit pattern.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ns.push(x);
            ns.push(x >> (x % 64));
        }
        for &n in &ns {
            for d in ds {
                let nz = NonZeroU32::new(d).unwrap();
                let want = (n / u64::from(d), (n % u64::from(d)) as u32);
                assert_eq!(div_rem_u32_soft(n, nz), want, "{n} / {d}");
                assert_eq!(div_rem_u32(n, nz), want, "{n} / {d}");
            }
        }
    }
}
