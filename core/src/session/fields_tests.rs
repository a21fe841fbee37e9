//! The field table against the `Session` struct, the readers and the shared redaction vectors.

use serde_json::{json, Value};

use super::*;
use crate::words::{name_in, Language};

fn full() -> Session {
    let text = r#"{"id":"a","shop":"s","state":"t","isOnline":true,"scope":"x","expires":"2030-01-01T00:00:00.000Z","accessToken":"shpat_a","refreshToken":"shprt_r","refreshTokenExpires":"2031-01-01T00:00:00.000Z","onlineAccessInfo":{"associated_user":{"id":1}},"data":{"k":1}}"#;
    Session::from_json(text, Origin::Stored).unwrap()
}

/// A value of each kind, different from what `full()` holds.
fn sample(kind: Kind) -> Value {
    match kind {
        Kind::Id | Kind::Text | Kind::Scopes | Kind::Token => json!("other"),
        Kind::Flag => json!(false),
        Kind::Date => json!("2040-01-01T00:00:00.000Z"),
        Kind::OnlineAccessInfo => json!({"associated_user": {"id": 2}}),
        Kind::Data => json!({"n": 2}),
    }
}

#[test]
fn the_table_matches_the_struct() {
    let s = full();
    for field in &FIELDS {
        let value = s.get_field(field);
        assert!(value.is_present(), "{}", field.js);
        let kind_fits = match value {
            FieldValue::Text(_) => matches!(field.kind, Kind::Id | Kind::Text),
            FieldValue::Flag(_) => field.kind == Kind::Flag,
            FieldValue::OptionalText(_) => matches!(field.kind, Kind::Scopes | Kind::Token),
            FieldValue::Date(_) => field.kind == Kind::Date,
            FieldValue::OnlineAccessInfo(_) => field.kind == Kind::OnlineAccessInfo,
            FieldValue::Data(_) => field.kind == Kind::Data,
        };
        assert!(kind_fits, "{} is not of kind {:?}", field.js, field.kind);
        // Each field reads into its own member: setting it changes only what `get_field` says.
        let mut changed = s.clone();
        changed.set_field(field, &sample(field.kind), Origin::Argument).unwrap();
        for other in &FIELDS {
            let same = changed.get_field(other) == s.get_field(other);
            assert_eq!(same, other != field, "setting {} changed {}", field.js, other.js);
        }
    }
}

#[test]
fn python_names_are_the_host_spelling_of_the_js_names() {
    for field in &FIELDS {
        assert_eq!(name_in(Language::Python, field.js), field.python);
        assert_eq!(field_named(field.python), Some(field));
        assert_eq!(field_named(field.js), Some(field));
    }
    let secrets: Vec<&str> = FIELDS.iter().filter(|f| f.is_secret()).map(|f| f.js).collect();
    assert_eq!(secrets, ["accessToken", "refreshToken"]);
    assert!(is_secret("access_token") && !is_secret("state") && !is_secret("nope"));
}

#[test]
fn a_setter_applies_the_constructors_rules_and_changes_nothing_on_error() {
    let mut s = full();
    let shop = field_named("shop").unwrap();
    s.set_field(shop, &Value::Null, Origin::Argument).unwrap();
    assert_eq!(s.shop, "", "null is absent: the default");
    let before = s.clone();
    let err = s.set_field(field_named("isOnline").unwrap(), &json!("yes"), Origin::Argument);
    assert_eq!(
        err.unwrap_err().message(),
        r#"session: "isOnline" must be a boolean, got a string"#
    );
    let err = s.set_field(field_named("id").unwrap(), &Value::Null, Origin::Argument).unwrap_err();
    assert_eq!(err.message(), r#"session: "id" must be a non-empty string, got null"#);
    assert_eq!(s, before);
}

#[test]
fn a_missing_id_is_called_missing() {
    for (input, origin, message) in [
        (json!({}), Origin::Argument, r#"session: "id" is missing (required: a non-empty string)"#),
        (
            json!({"shop": "s"}),
            Origin::Stored,
            r#"invalid session: "id" is missing (required: a non-empty string)"#,
        ),
        (
            json!({"id": null}),
            Origin::Argument,
            r#"session: "id" must be a non-empty string, got null"#,
        ),
    ] {
        assert_eq!(Session::from_value(&input, origin).unwrap_err().message(), message);
    }
}

#[test]
fn sessions_show_by_the_shared_redaction_vectors() {
    let vectors: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/shown.json")).unwrap();
    assert_eq!(vectors["version"], 1);
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for case in cases {
        let s = Session::from_value(&case["input"], Origin::Argument).unwrap();
        assert_eq!(s.shown_as(Style::JavaScript), case["node"], "{}", case["name"]);
        assert_eq!(s.shown_as(Style::Python), case["python"], "{}", case["name"]);
        assert_eq!(format!("{s:?}"), case["rust"].as_str().unwrap(), "{}", case["name"]);
        assert!(!format!("{s:?}").contains("SECRET"));
        assert_eq!(s.shown(), s.shown_as(Style::JavaScript), "Rust tests run as JavaScript");
    }
}
