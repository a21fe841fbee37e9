//! The shared vectors in tests/vectors/, the same files the Node and Python suites read.

use serde_json::Value;
use sessionkeeper_core::{Origin, PropertyArrayMode, Session};

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["version"], 1, "{name}: unknown vector version");
    v
}

fn read(value: &Value, origin: Origin) -> sessionkeeper_core::Result<Session> {
    match value {
        Value::String(text) => Session::from_json(text, origin),
        other => Session::from_value(other, origin),
    }
}

fn pairs(pa: &[(&str, Value)]) -> Value {
    Value::Array(pa.iter().map(|(k, v)| Value::Array(vec![Value::from(*k), v.clone()])).collect())
}

#[test]
fn sessions_read_write_and_round_trip() {
    let v = load("sessions.json");
    let cases = v["sessions"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let canonical = case["canonical"].as_str().unwrap();
        let s = Session::from_value(&case["input"], Origin::Argument)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.to_json(), canonical, "{name}: input");
        let again = Session::from_json(canonical, Origin::Stored).unwrap();
        assert_eq!(again.to_json(), canonical, "{name}: fixed point");
        assert!(again.equals(&s), "{name}: equals");
        assert!(matches!(
            Session::canonicalize(canonical, Origin::Stored).unwrap(),
            sessionkeeper_core::Canonical::Unchanged(_)
        ));
        assert_eq!(
            pairs(&s.to_property_array(false)),
            case["propertyArray"],
            "{name}: propertyArray"
        );
        assert_eq!(
            pairs(&s.to_property_array(true)),
            case["propertyArrayWithUserData"],
            "{name}: with user data"
        );
        for (i, eq) in case["equivalent"].as_array().unwrap().iter().enumerate() {
            let e =
                read(eq, Origin::Stored).unwrap_or_else(|e| panic!("{name} equivalent {i}: {e}"));
            assert_eq!(e.to_json(), canonical, "{name}: equivalent {i}");
        }
    }
}

#[test]
fn property_arrays_round_trip_through_shopify_form() {
    let v = load("sessions.json");
    for case in v["sessions"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let s = Session::from_value(&case["input"], Origin::Argument).unwrap();
        let back = Session::from_property_array(
            &case["propertyArrayWithUserData"],
            PropertyArrayMode::WithUserData,
            Origin::Stored,
        )
        .unwrap();
        // Shopify's equals ignores data, expires_in and associated_user_scope; data is not in arrays.
        let mut without_data = s.clone();
        without_data.data = None;
        if s.is_online == back.is_online && (s.online_access_info.is_some() || !s.is_online) {
            assert!(back.equals(&without_data), "{name}");
        }
    }
}

#[test]
fn invalid_inputs_fail_with_their_codes() {
    let v = load("invalid.json");
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let field = case["field"].as_str().unwrap();
        for (origin, key) in [(Origin::Stored, "stored"), (Origin::Argument, "argument")] {
            let err = match read(&case["input"], origin) {
                Ok(s) => panic!("{name}: accepted as {s:?}"),
                Err(e) => e,
            };
            assert_eq!(err.code(), case[key].as_str().unwrap(), "{name}: {err}");
            assert!(err.message().contains(field), "{name}: {err:?} lacks {field}");
        }
    }
}

#[path = "vectors/callback_policy.rs"]
mod callback_policy;

#[path = "vectors/cache.rs"]
mod cache;
