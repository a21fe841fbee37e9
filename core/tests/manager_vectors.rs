//! `tests/vectors/manager.json`: the manager's cookie and record bytes, also read by the Node
//! and Python suites.

use serde_json::Value;
use sessionkeeper_core::manager::keys::KeyRing;
use sessionkeeper_core::manager::record::Record;
use sessionkeeper_core::{Origin, Session};

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/manager.json"
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1, "unknown vector version");
    v
}

fn ring(case: &Value) -> KeyRing {
    let secrets: Vec<&str> =
        case["secrets"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    KeyRing::new(&secrets).unwrap()
}

fn str_of<'v>(case: &'v Value, key: &str) -> &'v str {
    case[key].as_str().unwrap()
}

#[test]
fn signing_is_pinned() {
    let v = vectors();
    let id = str_of(&v, "id");
    for case in v["signed"].as_array().unwrap() {
        let (name, value) = (str_of(case, "cookieName"), str_of(case, "value"));
        assert_eq!(ring(case).sign(name, id), value, "{}", case["name"]);
        assert_eq!(ring(case).verify(name, value), Some(id), "{}", case["name"]);
    }
    for case in v["verified"].as_array().unwrap() {
        assert_eq!(
            ring(case).verify(str_of(case, "cookieName"), str_of(case, "value")),
            Some(id),
            "{}",
            case["name"]
        );
    }
    for case in v["refused"].as_array().unwrap() {
        let got = ring(case).verify(str_of(case, "cookieName"), str_of(case, "value"));
        assert!(got.is_none(), "{}", case["name"]);
    }
}

#[test]
fn records_and_sealed_cookies_are_pinned() {
    let v = vectors();
    for case in v["records"].as_array().unwrap() {
        let session = Session::from_json(str_of(case, "record"), Origin::Stored).unwrap();
        let record = Record::from_session(&session).unwrap();
        assert_eq!(Value::Object(record.values.clone()), case["values"]);
        assert_eq!(Value::Object(record.flash.clone()), case["flash"]);
        assert_eq!(record.created_at.epoch_ms(), case["createdAt"].as_i64().unwrap());
        assert_eq!(record.written_at.epoch_ms(), case["writtenAt"].as_i64().unwrap());
        assert_eq!(record.expires_at.unwrap().epoch_ms(), case["expires"].as_i64().unwrap());
        assert_eq!(record.version, case["version"].as_u64().unwrap());
        assert_eq!(record.to_session().to_json(), str_of(case, "record"), "{}", case["name"]);
    }
    for case in v["sealed"].as_array().unwrap() {
        let plain = ring(case).unseal(str_of(case, "cookieName"), str_of(case, "value")).unwrap();
        assert_eq!(String::from_utf8(plain).unwrap(), str_of(case, "record"), "{}", case["name"]);
    }
    for case in v["sealedRefused"].as_array().unwrap() {
        assert!(
            ring(case).unseal(str_of(case, "cookieName"), str_of(case, "value")).is_none(),
            "{}",
            case["name"]
        );
    }
}
