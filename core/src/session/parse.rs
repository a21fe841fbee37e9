//! Reading a session from every shape an app or a store hands over.

use serde_json::{Map, Value};

use super::fields::FIELDS;
use super::read::{present, Reader};
use super::{PropertyArrayMode, Session};
use crate::error::{describe, Origin, Result};
use crate::json;

impl Session {
    /// Reads a session from a JSON value: an object in canonical or plain shape (dates as
    /// ISO-8601 strings or epoch milliseconds, `null` meaning absent, unknown keys ignored) or a
    /// Shopify property array (with or without user data, whichever keys it holds).
    ///
    /// `origin` picks the error code: `INVALID_ARGUMENT` for the app's own input,
    /// `INVALID_SESSION` for what a store returned.
    pub fn from_value(value: &Value, origin: Origin) -> Result<Session> {
        match value {
            Value::Object(map) => Self::from_object(map, origin),
            Value::Array(_) => Self::from_property_array(value, PropertyArrayMode::Auto, origin),
            other => Err(origin.error(format!(
                "expected a session ({} or a property array), got {}",
                crate::words::kind("an object"),
                describe(other)
            ))),
        }
    }

    /// Parses JSON text holding any shape [`Session::from_value`] reads.
    pub fn from_json(text: &str, origin: Origin) -> Result<Session> {
        if let Some(session) = super::fast::read(text, origin) {
            return Ok(session);
        }
        let value = json::parse_text(text, "session text", origin)?;
        Self::from_value(&value, origin)
    }

    /// Reads the object shape: canonical JSON, a plain object or dict, a Shopify `Session`.
    /// Every field may also be spelt as Python spells it (`is_online`, `access_token`, …;
    /// [`FIELDS`]), as Python code writes dicts; both spellings with different values are an
    /// error naming both.
    pub fn from_object(map: &Map<String, Value>, origin: Origin) -> Result<Session> {
        let r = Reader::new(origin);
        let mut session = Session::blank();
        for field in &FIELDS {
            let (js, python) = (map.get(field.js), map.get(field.python));
            match (present(js), present(python).filter(|_| field.python != field.js)) {
                (_, None) => session.read_field(field, field.js, js, &r)?,
                (None, Some(_)) => session.read_field(field, field.python, python, &r)?,
                (Some(_), Some(_)) => {
                    session.read_field(field, field.js, js, &r)?;
                    // A dict built from two sources with different values is a mistake, never
                    // resolved silently.
                    let mut other = Session::blank();
                    other.read_field(field, field.python, python, &r)?;
                    if other.get_field(field) != session.get_field(field) {
                        let (what, js, python) = (r.what(), field.js, field.python);
                        return Err(origin.error(format!(
                            "{what}: \"{js}\" and \"{python}\" are the same field, given twice with different values"
                        )));
                    }
                }
            }
        }
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_kinds_name_the_field() {
        let cases = [
            (json!({"id": "a", "isOnline": "maybe"}), "isOnline"),
            (json!({"id": "a", "expires": "soon"}), "expires"),
            (json!({"id": "a", "shop": 5}), "shop"),
            (json!({"id": "a", "data": [1]}), "data"),
            (
                json!({"id": "a", "onlineAccessInfo": {"associated_user": {"id": "x"}}}),
                "associated_user.id",
            ),
            (json!({"id": ""}), "id"),
            (json!({"shop": "s"}), "id"),
        ];
        for (input, field) in cases {
            let err = Session::from_value(&input, Origin::Stored).unwrap_err();
            assert_eq!(err.code(), "INVALID_SESSION", "{input}");
            assert!(err.message().contains(field), "{input}: {err}");
            let err = Session::from_value(&input, Origin::Argument).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT");
        }
    }

    #[test]
    fn nulls_are_absent_and_unknown_keys_ignored() {
        let s = Session::from_value(
            &json!({"id": "a", "scope": null, "expires": null, "someField": "x", "shop": null}),
            Origin::Argument,
        )
        .unwrap();
        assert_eq!(s.scope, None);
        assert_eq!(s.shop, "");
        assert_eq!(s.to_json(), r#"{"id":"a","shop":"","state":"","isOnline":false}"#);
    }

    #[test]
    fn dates_as_epoch_ms_or_iso() {
        let a = Session::from_value(
            &json!({"id": "a", "expires": 1_893_456_000_000_i64}),
            Origin::Stored,
        )
        .unwrap();
        let b = Session::from_value(
            &json!({"id": "a", "expires": "2030-01-01T00:00:00Z"}),
            Origin::Stored,
        )
        .unwrap();
        assert_eq!(a.expires, b.expires);
    }

    #[test]
    fn snake_case_keys_read_as_their_fields() {
        let snake = json!({"id": "x", "shop": "s", "is_online": true, "access_token": "tok",
            "refresh_token": "r", "refresh_token_expires": 1_893_456_000,
            "online_access_info": {"associated_user": {"id": 1}}});
        let camel = json!({"id": "x", "shop": "s", "isOnline": true, "accessToken": "tok",
            "refreshToken": "r", "refreshTokenExpires": "2030-01-01T00:00:00Z",
            "onlineAccessInfo": {"associated_user": {"id": 1}}});
        let a = Session::from_value(&snake, Origin::Argument).unwrap();
        assert_eq!(a.to_json(), Session::from_value(&camel, Origin::Argument).unwrap().to_json());
        // Both spellings: the same value is fine (a date in two forms included), `null` is absent.
        let both = json!({"id": "x", "isOnline": true, "is_online": true, "accessToken": "t",
            "access_token": null, "refreshTokenExpires": 1_893_456_000_000_i64,
            "refresh_token_expires": "2030-01-01T00:00:00.000Z"});
        Session::from_value(&both, Origin::Argument).unwrap();
        for origin in [Origin::Argument, Origin::Stored] {
            let clash = json!({"id": "x", "accessToken": "shpat_a", "access_token": "shpat_b"});
            let err = Session::from_value(&clash, origin).unwrap_err();
            assert_eq!(err.code(), origin.error("").code());
            assert!(err.message().contains("\"accessToken\" and \"access_token\""), "{err}");
            assert!(!err.message().contains("shpat"), "{err}");
        }
        let err = Session::from_value(&json!({"id": "x", "is_online": "yes"}), Origin::Argument)
            .unwrap_err();
        assert!(err.message().contains("\"is_online\""), "{err}");
    }

    #[test]
    fn token_values_never_reach_messages() {
        let err = Session::from_value(
            &json!({"id": "a", "accessToken": 5, "refreshToken": "shpat_x", "isOnline": "shpat_y"}),
            Origin::Stored,
        )
        .unwrap_err();
        assert!(!err.message().contains("shpat"), "{err}");
        for field in ["accessToken", "refreshToken"] {
            let err = Session::from_value(
                &json!({"id": "a", field: 987_654_321_012_345_i64}),
                Origin::Stored,
            )
            .unwrap_err();
            assert!(!err.message().contains("987654321012345"), "{err}");
            assert!(err.message().contains("got a number"), "{err}");
        }
    }
}
