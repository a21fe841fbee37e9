//! Small helpers host bindings share, so a rule a binding needs is still written once, here.

use crate::error::{Error, Result};

/// The keys of canonical JSON, in their canonical order. A host `Session` class declares its
/// properties in this order, so its own `JSON.stringify` writes them the way the core does.
pub const SESSION_KEYS: [&str; 11] = [
    "id",
    "shop",
    "state",
    "isOnline",
    "scope",
    "expires",
    "accessToken",
    "refreshToken",
    "refreshTokenExpires",
    "onlineAccessInfo",
    "data",
];

pub use crate::session::SNAKE_CASE_KEYS;

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
    use crate::{Origin, Session};

    #[test]
    fn keys_follow_canonical_json() {
        let text = r#"{"id":"a","shop":"s","state":"t","isOnline":true,"scope":"x","expires":"2030-01-01T00:00:00.000Z","accessToken":"a","refreshToken":"r","refreshTokenExpires":"2030-01-01T00:00:00.000Z","onlineAccessInfo":{"associated_user":{"id":1}},"data":{"k":1}}"#;
        let json = Session::from_json(text, Origin::Stored).unwrap().to_json();
        let mut last = 0;
        for key in SESSION_KEYS {
            let at = json.find(&format!("\"{key}\":")).expect(key);
            assert!(at >= last, "{key} out of order in {json}");
            last = at;
        }
    }

    #[test]
    fn within_ms_rules() {
        assert_eq!(within_ms(None, 500, "w").unwrap(), 500);
        assert_eq!(within_ms(Some(1.9), 500, "w").unwrap(), 1);
        assert_eq!(within_ms(Some(-3.0), 500, "w").unwrap(), -3);
        assert_eq!(within_ms(Some(f64::NAN), 0, "w").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
