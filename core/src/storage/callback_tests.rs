use super::*;
use serde_json::json;

const CANON: &str = r#"{"id":"a","shop":"s.myshopify.com","state":"","isOnline":false}"#;

#[test]
fn booleans_pass_through_and_anything_else_is_refused() {
    assert!(finish_bool(Op::Store, &Returned::Bool(true)).unwrap());
    assert!(!finish_bool(Op::Delete, &Returned::Bool(false)).unwrap());
    for bad in [
        Returned::Nothing,
        Returned::Json("true"),
        Returned::Other("number"),
        Returned::Value(json!(1)),
    ] {
        let err = finish_bool(Op::Store, &bad).unwrap_err();
        assert_eq!(err.code(), "INVALID_CALLBACK_RESULT");
        assert!(err.message().starts_with("store callback must resolve to true or false"), "{err}");
    }
}

#[test]
fn load_accepts_every_shape_and_checks_the_id() {
    assert!(finish_load("a", Returned::Nothing).unwrap().is_none());
    assert!(matches!(
        finish_load("a", Returned::Json(CANON)).unwrap(),
        Some(Canonical::Unchanged(_))
    ));
    let obj =
        Returned::Json(r#"{"id":"a","shop":"s.myshopify.com","expires":"2030-01-01T00:00:00Z"}"#);
    assert!(matches!(finish_load("a", obj).unwrap(), Some(Canonical::Rewritten(..))));
    let pa = Returned::Value(json!([["id", "a"], ["shop", "s.myshopify.com"]]));
    assert_eq!(finish_load("a", pa).unwrap().unwrap().session().shop, "s.myshopify.com");
    let s = Session::new("a").unwrap();
    assert!(finish_load("a", Returned::Session(Box::new(s))).unwrap().is_some());

    let err = finish_load("a", Returned::Json(&CANON.replace("\"a\"", "\"b\""))).unwrap_err();
    assert_eq!(err.code(), "INVALID_SESSION");
    assert_eq!(err.message(), "load callback returned a session with id \"b\" for id \"a\"");
}

#[test]
fn load_rejects_non_sessions_naming_the_problem() {
    let cases = [
        (Returned::Other("number"), "load callback must resolve to a session"),
        (Returned::Bool(true), "load callback must resolve to a session"),
        (
            Returned::Json("this is not a Session"),
            "load callback returned session text is not valid JSON",
        ),
        (
            Returned::Value(json!({"id": "a", "isOnline": "maybe"})),
            "\"isOnline\" must be a boolean",
        ),
    ];
    for (returned, expected) in cases {
        let err = finish_load("a", returned).unwrap_err();
        assert_eq!(err.code(), "INVALID_SESSION");
        assert!(err.message().contains(expected), "{err}");
    }
}

#[test]
fn found_items_must_be_sessions_of_the_shop() {
    let ok = finish_found_item("s.myshopify.com", 0, Returned::Json(CANON)).unwrap();
    assert_eq!(ok.session().id, "a");
    let err = finish_found_item("other.myshopify.com", 2, Returned::Json(CANON)).unwrap_err();
    assert_eq!(err.code(), "INVALID_SESSION");
    assert!(err.message().contains("(at index 2)"), "{err}");
    let err = finish_found_item("s.myshopify.com", 1, Returned::Nothing).unwrap_err();
    assert!(err.message().contains("index 1"), "{err}");
    assert_eq!(not_a_list(&Returned::Other("object")).code(), "INVALID_CALLBACK_RESULT");
}

#[test]
fn failures_and_timeouts_read_like_shopify() {
    let e = callback_failed(Op::Store, "x", Some("Failed to store!"), "Error");
    assert_eq!(
        (e.code(), e.message()),
        ("CALLBACK_FAILED", "failed to store session \"x\": Failed to store!")
    );
    let e = callback_timeout(Op::Load, "x", 10_000);
    assert_eq!(e.code(), "CALLBACK_TIMEOUT");
    assert!(e.message().contains("did not settle within 10000 ms"), "{e}");
    assert_eq!(find_not_supported().code(), "NOT_SUPPORTED");
}

#[test]
fn a_thrown_value_reads_as_its_message_its_type_or_unprintable() {
    assert_eq!(thrown(Some("db down"), "StoreDown"), "db down");
    assert_eq!(thrown(Some(""), "KeyError"), "KeyError", "no message: the type says it");
    assert_eq!(thrown(None, "Hostile"), "<unprintable Hostile>");
    let e = callback_failed(Op::Load, "a", None, "object");
    assert_eq!(e.message(), "failed to load session \"a\": <unprintable object>");
}

#[test]
fn timeout_option_rules() {
    assert_eq!(timeout_ms(None).unwrap(), Some(DEFAULT_TIMEOUT_MS), "not given: the default");
    assert_eq!(timeout_ms(Some(0.0)).unwrap(), None, "0 disables");
    assert_eq!(timeout_ms(Some(0.5)).unwrap(), Some(1));
    assert_eq!(timeout_ms(Some(30.0)).unwrap(), Some(30));
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let err = timeout_ms(Some(bad)).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.message().starts_with("timeoutMs must be"), "{err}");
    }
}

#[test]
fn ids_read_as_a_short_list() {
    let ids: Vec<String> = (0..20).map(|i| format!("id{i}")).collect();
    assert_eq!(ids_subject(&ids[..2]), "[\"id0\", \"id1\"]");
    assert_eq!(ids_subject(&ids), "[\"id0\", \"id1\", \"id2\", … 17 more]");
    let bad = vec!["ok".to_string(), String::new()];
    assert_eq!(check_ids(&bad).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn ops_round_trip_through_their_callback_names() {
    for op in [Op::Store, Op::Load, Op::Delete, Op::DeleteMany, Op::FindByShop, Op::Sweep] {
        assert_eq!(Op::from_callback(op.callback()).unwrap(), op);
    }
    assert_eq!(
        callback_failed(Op::Sweep, "", Some("connection refused"), "Error").message(),
        "failed to sweep expired sessions: connection refused"
    );
    assert_eq!(Op::from_callback("save").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn ids_in_messages_cannot_forge_log_lines() {
    let id = "a\n2026-01-01 [ERROR] forged\r\u{1b}[2J\"";
    let failed = callback_failed(Op::Store, id, Some("boom"), "Error");
    for e in [failed, callback_timeout(Op::Load, id, 5)] {
        let m = e.message();
        assert!(!m.contains(['\n', '\r', '\u{1b}']), "{m:?}");
        assert!(m.contains(r#""a\n2026-01-01 [ERROR] forged\r\u001b[2J\"""#), "{m}");
    }
    let listed = ids_subject(&[id.to_owned()]);
    assert!(!listed.contains('\n'), "{listed:?}");
}
