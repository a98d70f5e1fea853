//! Time as a parameter: NumericDate parsing (RFC 7519 §2) and leeway arithmetic.
//!
//! fapi never reads a clock. Every check takes `now` (seconds since the Unix epoch) from the
//! caller, so firmware without a clock works and tests are deterministic.

use crate::error::ClaimsError;
use crate::json::Value;

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
