//! Time as a parameter: NumericDate parsing (RFC 7519 §2) and leeway arithmetic.
//!
//! fapi never reads a clock. Every check takes `now` (seconds since the Unix epoch) from the
//! caller, so firmware without a clock works and tests are deterministic.

use crate::error::ClaimsError;
use crate::json::Value;

/// Largest NumericDate accepted: 10^11 s (year 5138). Anything larger is refused rather than
/// read as a far future (no wrap-around).
pub const MAX_NUMERIC_DATE: u64 = 100_000_000_000;

/// Reads a NumericDate: a non-negative JSON number, integer or with a fraction (the fraction
/// is dropped, which can only make a time earlier by under a second). Exponents are refused.
///
/// # Errors
/// [`ClaimsError::TimeMalformed`] for strings, `null`, negative numbers and exponents;
/// [`ClaimsError::TimeOutOfRange`] above [`MAX_NUMERIC_DATE`].
pub fn numeric_date(v: &Value<'_>) -> Result<u64, ClaimsError> {
    let raw = v.as_number().ok_or(ClaimsError::TimeMalformed)?;
    if raw.first() == Some(&b'-') || raw.iter().any(|&b| b == b'e' || b == b'E') {
        return Err(ClaimsError::TimeMalformed);
    }
    let int_part = raw.split(|&b| b == b'.').next().unwrap_or(&[]);
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
    Ok(n)
}
