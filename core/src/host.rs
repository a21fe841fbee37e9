//! Small helpers host bindings share, so a rule a binding needs is still written once, here.

use crate::error::{Error, Result};

/// The session fields hosts declare and convert, from the core's one description of them.
pub use crate::session::{Field, Kind, ACTIVE_WITHIN_MS, FIELDS};

/// A `withinMillisecondsOfExpiry` argument: `None` (not given) is `default`; anything else
/// must be a finite number, truncated to whole milliseconds as JavaScript's `Date` math does.
pub fn within_ms(value: Option<f64>, default: i64, name: &str) -> Result<i64> {
    match value {
        None => Ok(default),
        Some(ms) if ms.is_finite() => Ok(ms.trunc() as i64),
        Some(ms) => {
            Err(Error::InvalidArgument(format!("{name} must be a finite number, got {ms}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_ms_rules() {
        assert_eq!(within_ms(None, 500, "w").unwrap(), 500);
        assert_eq!(within_ms(Some(1.9), 500, "w").unwrap(), 1);
        assert_eq!(within_ms(Some(-3.0), 500, "w").unwrap(), -3);
        assert_eq!(within_ms(Some(f64::NAN), 0, "w").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
