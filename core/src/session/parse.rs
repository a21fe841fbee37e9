//! Reading a session from every shape an app or a store hands over.

use serde_json::{Map, Value};

use super::fields::{present, Reader};
use super::{OnlineAccessInfo, PropertyArrayMode, Session};
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
                "expected a session (an object or a property array), got {}",
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
    pub fn from_object(map: &Map<String, Value>, origin: Origin) -> Result<Session> {
        let r = Reader::new(origin);
        let get = |k: &str| map.get(k);
        let shop = match present(get("shop")) {
            Some(v) => r.string("shop", v)?,
            None => String::new(),
        };
        let state = match present(get("state")) {
            Some(v) => r.string("state", v)?,
            None => String::new(),
        };
        let online_access_info = match present(get("onlineAccessInfo")) {
            Some(v) => Some(OnlineAccessInfo::read(v, &r)?),
            None => None,
        };
        Ok(Session {
            id: r.id(get("id"))?,
            shop,
            state,
            is_online: r.opt_bool("isOnline", get("isOnline"))?.unwrap_or(false),
            scope: r.opt_string("scope", get("scope"))?,
            expires: r.opt_date("expires", get("expires"))?,
            access_token: r.opt_string("accessToken", get("accessToken"))?,
            refresh_token: r.opt_string("refreshToken", get("refreshToken"))?,
            refresh_token_expires: r.opt_date("refreshTokenExpires", get("refreshTokenExpires"))?,
            online_access_info,
            data: read_data(get("data"), &r)?,
        })
    }
}

pub(super) fn read_data(v: Option<&Value>, r: &Reader) -> Result<Option<Map<String, Value>>> {
    let Some(v) = present(v) else { return Ok(None) };
    let map = r.object("data", v)?;
    json::check_js_safe(v, "data", r.origin)?;
    Ok(Some(map.clone()))
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
