//! Durations as `timeout(1)` takes them: `0.5`, `500ms`, `2s`, `1m`.
//!
//! A dozen lines of our own rather than a crate: `humantime` reads `500ms`
//! and `1m` but not the plain fractional seconds (`0.5`) that `timeout(1)`
//! users type, and it accepts compound forms (`1m 30s`) that `timeout(1)`
//! does not.

use std::time::Duration;

/// The suffixes and the seconds each stands for; no suffix means seconds.
const UNITS: [(&str, f64); 5] = [
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
    ("d", 86400.0),
];

/// Parses a non-negative decimal number with an optional unit suffix.
///
/// Only zero gives [`Duration::ZERO`]; anything more is at least 1 ns.
///
/// # Errors
///
/// A message for clap when the text is not such a number, or the duration
/// does not fit a `Duration`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = UNITS
        .iter()
        .find_map(|&(suffix, scale)| Some((text.strip_suffix(suffix)?, scale)))
        .unwrap_or((text, 1.0));

    // Digits with at most one dot: no sign, exponent, `inf` or `nan`,
    // which `f64::from_str` would otherwise let through.
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    let dots = number.bytes().filter(|&b| b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != number.len() {
        return Err(format!(
            "'{text}' is not a duration (try 0.5, 500ms, 2s, 1m, 1h or 1d)"
        ));
    }
    let seconds: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration"))?;
    let duration = Duration::try_from_secs_f64(seconds * scale)
        .map_err(|_| format!("'{text}' is too large"))?;

    // Below a nanosecond the conversion gives zero, which means "never":
    // a tiny timeout must not turn into none at all.  The digits decide
    // what is non-zero, since a long enough `0.000...1` underflows even
    // the f64 to 0.
    let non_zero = number.bytes().any(|b| matches!(b, b'1'..=b'9'));
    match duration.is_zero() && non_zero {
        true => Ok(Duration::from_nanos(1)),
        false => Ok(duration),
    }
}
