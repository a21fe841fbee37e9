//! `Patchable::patch` (and `Session::patch_in_place` under it) gives what `Session::canonicalize`
//! gives for the whole changed session: the same canonical text, or the same error (code and
//! message), for every field and every kind of value, over every session of the shared vectors.

use serde_json::{json, Map, Value};
use sessionkeeper_core::host::FIELDS;
use sessionkeeper_core::{Canonical, Origin, Patchable, Session};

fn canonical_sessions() -> Vec<String> {
    let path = format!("{}/../tests/vectors/sessions.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 5, "the vectors hold several sessions");
    sessions.iter().map(|s| s["canonical"].as_str().unwrap().to_owned()).collect()
}

/// Values of every kind, valid for some fields and not others.
fn candidates() -> Vec<Value> {
    vec![
        Value::Null,
        json!(""),
        json!("state-42"),
        json!("read_products,write_orders"),
        json!("shpat_changed"),
        json!("2031-02-03T04:05:06.007Z"),
        json!("2031-02-03T04:05:06Z"),
        json!("not a date"),
        json!("é \u{2028} \" \\ quoted"),
        json!("lone \u{fffd}"),
        json!(true),
        json!(false),
        json!(0),
        json!(1_900_000_000_000_i64),
        json!(1_900_000_000),
        json!(9_007_199_254_740_993_u64),
        json!(1.5),
        json!([]),
        json!(["a"]),
        json!({}),
        json!({"a": 1, "nested": {"b": [1, 2]}}),
        json!({"associated_user": {"id": 7, "email": "x@example.com"}, "expires_in": 60}),
        json!({"associated_user": {"id": "seven"}}),
        json!({"big": 9_007_199_254_740_993_u64}),
    ]
}

fn whole(
    base: &str,
    changes: &Map<String, Value>,
    origin: Origin,
) -> Result<String, (String, String)> {
    let mut object: Map<String, Value> = serde_json::from_str(base).unwrap();
    for (k, v) in changes {
        object.insert(k.clone(), v.clone());
    }
    let text = Value::Object(object).to_string();
    match Session::canonicalize(&text, origin) {
        Ok(Canonical::Unchanged(_)) => Ok(text),
        Ok(Canonical::Rewritten(_, canonical)) => Ok(canonical),
        Err(e) => Err((e.code().to_owned(), e.message().to_owned())),
    }
}

/// The held text with only the changed members written (checked to stay as it was on an error,
/// and to be the patched session's own text otherwise).
fn patched(
    base: &str,
    changes: &Map<String, Value>,
    origin: Origin,
) -> Result<String, (String, String)> {
    let text = Value::Object(changes.clone()).to_string();
    let mut held = Patchable::from_json(base, origin).unwrap();
    assert_eq!(held.text(), base, "a canonical text is held as it is");
    match held.patch(&text, origin) {
        Ok(()) => {
            assert_eq!(held.session().to_json(), held.text(), "the text is the session's");
            Ok(held.text().to_owned())
        }
        Err(e) => {
            assert_eq!(held.text(), base, "a refused patch leaves the text");
            Err((e.code().to_owned(), e.message().to_owned()))
        }
    }
}

#[test]
fn one_field_changed_reads_as_the_whole_session_would() {
    let mut checked = (0, 0);
    for base in canonical_sessions() {
        for field in FIELDS.iter().filter(|f| f.js != "id") {
            for value in candidates() {
                for origin in [Origin::Argument, Origin::Stored] {
                    let changes = Map::from_iter([(field.js.to_owned(), value.clone())]);
                    let expected = whole(&base, &changes, origin);
                    assert_eq!(
                        patched(&base, &changes, origin),
                        expected,
                        "{} = {value} on {base}",
                        field.js
                    );
                    if expected.is_ok() {
                        checked.0 += 1
                    } else {
                        checked.1 += 1
                    }
                }
            }
        }
    }
    assert!(checked.0 > 100 && checked.1 > 100, "both outcomes are exercised: {checked:?}");
}

#[test]
fn several_fields_at_once_and_back_again() {
    for base in canonical_sessions() {
        let changes = Map::from_iter([
            ("state".to_owned(), json!("s2")),
            ("scope".to_owned(), Value::Null),
            ("expires".to_owned(), json!("2032-01-01T00:00:00.000Z")),
            ("accessToken".to_owned(), json!("shpat_2")),
        ]);
        let text = patched(&base, &changes, Origin::Argument).unwrap();
        assert_eq!(Ok(text.clone()), whole(&base, &changes, Origin::Argument));
        // Patching back to the original values gives the original bytes.
        let original: Map<String, Value> = serde_json::from_str(&base).unwrap();
        let back = Map::from_iter(
            changes.keys().map(|k| (k.clone(), original.get(k).cloned().unwrap_or(Value::Null))),
        );
        assert_eq!(patched(&text, &back, Origin::Argument).unwrap(), base);
    }
}

#[test]
fn the_id_and_unknown_keys_cannot_be_patched_and_the_base_is_checked() {
    let base = &canonical_sessions()[0];
    for key in ["id", "is_online", "nope"] {
        let changes = Map::from_iter([(key.to_owned(), json!("x"))]);
        let (code, message) = patched(base, &changes, Origin::Argument).unwrap_err();
        assert_eq!(code, "INVALID_ARGUMENT");
        assert!(message.contains(key), "{message}");
    }
    let err = Patchable::from_json(r#"{"id":""}"#, Origin::Argument).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let mut held = Patchable::from_json(base, Origin::Stored).unwrap();
    assert_eq!(held.patch("[1]", Origin::Stored).unwrap_err().code(), "INVALID_SESSION");
}

#[test]
fn a_lone_surrogate_in_a_change_reads_as_in_a_whole_text() {
    let base = &canonical_sessions()[0];
    let whole_text = base.replacen("\"state\":\"state\"", "\"state\":\"a\\ud800\"", 1);
    assert_ne!(&whole_text, base, "the vector's first session has state \"state\"");
    let expected = Session::canonicalize(&whole_text, Origin::Argument).unwrap_err();
    let mut held = Patchable::from_json(base, Origin::Argument).unwrap();
    let err = held.patch(r#"{"state":"a\ud800"}"#, Origin::Argument).unwrap_err();
    assert_eq!((err.code(), err.message()), (expected.code(), expected.message()));
}

#[test]
fn several_bad_fields_name_the_one_a_whole_read_names() {
    let base = &canonical_sessions()[0];
    // Given in the reverse of the table's order: the first field of the table is named.
    let changes: Map<String, Value> =
        serde_json::from_str(r#"{"refreshTokenExpires":"soon","expires":"later","state":5}"#)
            .unwrap();
    for origin in [Origin::Argument, Origin::Stored] {
        let expected = whole(base, &changes, origin).unwrap_err();
        assert!(expected.1.contains("state"), "{expected:?}");
        assert_eq!(patched(base, &changes, origin).unwrap_err(), expected);
    }
}

#[test]
fn a_refused_patch_in_place_leaves_the_session_as_it_was() {
    let mut refused = 0;
    for base in canonical_sessions() {
        let original = Session::from_json(&base, Origin::Stored).unwrap();
        for field in FIELDS.iter().filter(|f| f.js != "id") {
            for value in candidates() {
                // A good change to `state` first, so a refusal has something to put back.
                let changes = json!({ "state": "changed first", field.js: value }).to_string();
                let mut session = original.clone();
                if session.patch_in_place(&changes, Origin::Argument).is_err() {
                    refused += 1;
                    assert!(session == original, "{} = {value} left a change on {base}", field.js);
                    assert_eq!(session.to_json(), base);
                }
            }
        }
    }
    assert!(refused > 100, "refusals are exercised: {refused}");
}

#[test]
fn a_session_built_field_by_field_is_checked_whole_before_it_is_held() {
    let mut s = Session::new("built").unwrap();
    s.data = Some(json!({"n": 9_007_199_254_740_993_u64}).as_object().unwrap().clone());
    let err = Patchable::new(s, Origin::Argument).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.message().contains("data.n"), "{err}");
}
