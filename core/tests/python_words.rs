//! Messages as a Python process reads them: this test binary is its own process, so it can name
//! Python as the host once, as the pyo3 binding does when it loads.

use serde_json::json;
use sessionkeeper_core::layout::RedisLayout;
use sessionkeeper_core::storage::callback::{self as engine, Op, Returned};
use sessionkeeper_core::words::{set_language, Language};
use sessionkeeper_core::{Origin, Session};

fn python() {
    set_language(Language::Python);
}

fn message(value: serde_json::Value) -> String {
    Session::from_value(&value, Origin::Argument).unwrap_err().message().to_owned()
}

#[test]
fn fields_and_kinds_read_as_python() {
    python();
    assert_eq!(
        message(json!({"id": "a", "accessToken": 5})),
        r#"session: "access_token" must be a string, got a number"#,
        "a token's value is never shown, whatever its type"
    );
    assert_eq!(
        message(json!({"id": "a", "isOnline": [1]})),
        r#"session: "is_online" must be a bool, got a list"#
    );
    assert_eq!(
        message(json!({"id": "a", "data": true})),
        r#"session: "data" must be a dict, got True"#
    );
    assert!(message(json!({"id": null})).ends_with("got None"));
    assert!(message(json!({"id": "a", "onlineAccessInfo": {"associated_user": {"id": "x"}}}))
        .contains(r#""online_access_info.associated_user.id""#));
    assert_eq!(
        message(json!(3)),
        "expected a session (a dict or a property array), got the number 3"
    );
}

#[test]
fn callbacks_and_options_read_as_python() {
    python();
    assert_eq!(
        engine::find_not_supported().message(),
        "find_sessions_by_shop needs a find_sessions_by_shop callback; pass one when creating the CustomSessionStorage"
    );
    assert_eq!(
        engine::finish_bool(Op::DeleteMany, &Returned::Nothing).unwrap_err().message(),
        "delete_sessions callback must return True or False, got None"
    );
    assert_eq!(
        engine::not_a_list(&Returned::Other("int")).message(),
        "find_sessions_by_shop callback must return a list of sessions, got a value of type int"
    );
    assert_eq!(
        engine::callback_timeout(Op::Load, "x", 50).message(),
        r#"failed to load session "x": the load callback did not settle within 0.05 s"#
    );
    let err = RedisLayout::new(Some("")).unwrap_err();
    assert!(err.message().starts_with("key_prefix must be"), "{err}");
}

#[test]
fn the_timeout_option_is_python_timeout_in_seconds() {
    python();
    assert_eq!(engine::timeout_ms(Some(0.07)).unwrap(), Some(70), "seconds, not 70.00000000000001");
    assert_eq!(engine::timeout_ms(Some(10.0)).unwrap(), Some(10_000));
    assert_eq!(engine::timeout_ms(None).unwrap(), None, "timeout=None disables it");
    assert_eq!(
        engine::timeout_ms(Some(-1.5)).unwrap_err().message(),
        "timeout must be a non-negative finite number, got -1.5"
    );
}

#[test]
fn a_grace_period_out_of_range_is_told_in_seconds() {
    python();
    let err = RedisLayout::new(None).unwrap().with_grace_ms(-1500.0).unwrap_err();
    assert_eq!(err.message(), "the grace period must be between 0 and 3650 days, got -1.5 s");
}
