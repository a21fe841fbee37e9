//! The rules Shopify apps call most, tested in the core where they live: expiry and activity at
//! their boundaries, equality field by field, property arrays with and without user data, and
//! the instants JavaScript's `Date` can and cannot hold. (The Node and Python suites test the
//! same rules through the bindings; these make the core's own suite able to fail first.)

use serde_json::{json, Value};
use sessionkeeper_core::session::js_equal;
use sessionkeeper_core::{AuthScopes, Origin, PropertyArrayMode, Session, Timestamp};

const NOW: i64 = 1_900_000_000_000;

fn now() -> Timestamp {
    Timestamp::from_epoch_ms(NOW).unwrap()
}

fn session(v: Value) -> Session {
    Session::from_value(&v, Origin::Argument).unwrap()
}

fn expiring_in(ms: i64) -> Session {
    let mut s = session(json!({"id": "a", "accessToken": "tok", "scope": "write_products"}));
    s.expires = Some(now().add_ms(ms));
    s
}

#[test]
fn a_session_expiring_exactly_now_is_not_yet_expired() {
    // Shopify: `expires - within < Date.now()`.
    assert!(!expiring_in(0).is_expired_at(now(), 0), "expires == now");
    assert!(expiring_in(-1).is_expired_at(now(), 0), "a millisecond ago");
    assert!(!expiring_in(1).is_expired_at(now(), 0));
    assert!(expiring_in(499).is_expired_at(now(), 500), "inside the margin");
    assert!(!expiring_in(500).is_expired_at(now(), 500), "exactly at the margin");
    let forever = session(json!({"id": "f", "accessToken": "tok"}));
    assert!(!forever.is_expired_at(now(), i64::MAX), "no expires never expires");
}

#[test]
fn is_active_needs_a_token_the_scopes_and_time() {
    let scopes = AuthScopes::parse("read_products");
    let active = |s: &Session, within: i64| s.is_active_at(Some(&scopes), now(), within);
    assert!(active(&expiring_in(60_000), 500), "write_products grants read_products");
    assert!(!active(&expiring_in(499), 500), "expires within the margin");
    assert!(active(&expiring_in(500), 500));
    assert!(!active(&expiring_in(-1), 0), "expired");
    let mut no_token = expiring_in(60_000);
    no_token.access_token = None;
    assert!(!active(&no_token, 500));
    no_token.access_token = Some(String::new());
    assert!(!active(&no_token, 500), "an empty token is no token");
    let narrower = session(json!({"id": "n", "accessToken": "tok", "scope": "read_orders"}));
    assert!(!narrower.is_active_at(Some(&scopes), now(), 500), "a scope missing");
    assert!(narrower.is_active_at(None, now(), 500), "no scopes asked for");
    assert!(narrower.is_scope_changed(Some(&scopes)) && !narrower.is_scope_changed(None));
}

#[test]
fn equality_compares_every_identifying_field() {
    let base = json!({"id": "a", "shop": "s.myshopify.com", "state": "st", "isOnline": true,
        "scope": "read_products", "accessToken": "tok", "data": {"n": 1}});
    let a = session(base.clone());
    assert!(a.equals(&session(base.clone())));
    for (field, other) in [
        ("id", json!("b")),
        ("shop", json!("t.myshopify.com")),
        ("state", json!("other")),
        ("isOnline", json!(false)),
        ("scope", json!("write_products")),
        ("accessToken", json!("other")),
        ("data", json!({"n": 2})),
    ] {
        let mut changed = base.clone();
        changed[field] = other;
        assert!(!a.equals(&session(changed.clone())), "{field} differs");
        assert!(!session(changed).equals(&a), "{field} differs, the other way");
    }
    let mut no_data = base.clone();
    no_data.as_object_mut().unwrap().remove("data");
    assert!(!a.equals(&session(no_data.clone())) && !session(no_data).equals(&a));
    let mut float = base;
    float["data"] = json!({"n": 1.0});
    assert!(a.equals(&session(float)), "1 and 1.0 are the same JavaScript number");
}

#[test]
fn js_equality_of_values() {
    assert!(js_equal(&json!(1), &json!(1.0)));
    assert!(!js_equal(&json!(1), &json!(2)));
    // Integers compare exactly, not through f64 (which rounds both to 2^53).
    assert!(!js_equal(&json!(9_007_199_254_740_993_i64), &json!(9_007_199_254_740_992_i64)));
    assert!(js_equal(&json!([1, {"a": [true]}]), &json!([1.0, {"a": [true]}])));
    assert!(!js_equal(&json!([1, 2]), &json!([1])));
    assert!(!js_equal(&json!([1, 2]), &json!([2, 1])));
    assert!(
        js_equal(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1})),
        "key order is not compared"
    );
    assert!(!js_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(!js_equal(&json!({"a": 1}), &json!({"b": 1})));
    assert!(!js_equal(&json!("1"), &json!(1)));
}

const USER_ENTRIES: &str = r#"[["id","u"],["shop","s"],["state",""],["isOnline",true],
    ["userId",7],["firstName","F"],["lastName","L"],["email","e@x"],["locale","fr"],
    ["emailVerified","true"],["accountOwner",false],["collaborator","FALSE"]]"#;

#[test]
fn property_arrays_read_user_fields_only_with_user_data() {
    let entries: Value = serde_json::from_str(USER_ENTRIES).unwrap();
    let read = |mode| Session::from_property_array(&entries, mode, Origin::Stored).unwrap();
    let user = |s: &Session| s.online_access_info.clone().unwrap().associated_user.unwrap();
    for mode in [PropertyArrayMode::WithUserData, PropertyArrayMode::Auto] {
        let u = user(&read(mode));
        assert_eq!(u.id.as_ref().and_then(|n| n.as_i64()), Some(7), "{mode:?}");
        assert_eq!(
            (
                u.first_name.as_deref(),
                u.last_name.as_deref(),
                u.email.as_deref(),
                u.locale.as_deref()
            ),
            (Some("F"), Some("L"), Some("e@x"), Some("fr")),
            "{mode:?}"
        );
        assert_eq!(
            (u.email_verified, u.account_owner, u.collaborator),
            (Some(true), Some(false), Some(false))
        );
    }
    let without = user(&read(PropertyArrayMode::WithoutUserData));
    assert_eq!(without, Default::default(), "returnUserData false ignores every user field");
    // Without user data the user id travels as `onlineAccessInfo`.
    let by_id: Value =
        serde_json::from_str(r#"[["id","u"],["isOnline","true"],["onlineAccessInfo","7"]]"#)
            .unwrap();
    let s =
        Session::from_property_array(&by_id, PropertyArrayMode::WithoutUserData, Origin::Stored)
            .unwrap();
    assert_eq!(user(&s).id.and_then(|n| n.as_i64()), Some(7));
    // Offline sessions get no onlineAccessInfo, whatever the array holds.
    let offline: Value =
        serde_json::from_str(r#"[["id","o"],["isOnline",false],["userId",7]]"#).unwrap();
    let s = Session::from_property_array(&offline, PropertyArrayMode::WithUserData, Origin::Stored)
        .unwrap();
    assert_eq!(s.online_access_info, None);
}

#[test]
fn property_array_values_of_the_wrong_kind_are_refused() {
    for bad in [
        r#"[["id","x"],["isOnline","maybe"]]"#,
        r#"[["id","x"],["expires","soon"]]"#,
        r#"[["id","x"],["isOnline",true],["userId","seven"]]"#,
        r#"[["id","x"],["isOnline",true],["userId","9007199254740993"]]"#,
        r#"[["id","x"],["isOnline",true],["emailVerified",1]]"#,
        r#"[["id","x"],["expires","99999999999999999"]]"#,
        r#"[["id"]]"#,
        r#"{"id":"x"}"#,
    ] {
        let entries: Value = serde_json::from_str(bad).unwrap();
        let err =
            Session::from_property_array(&entries, PropertyArrayMode::WithUserData, Origin::Stored)
                .unwrap_err();
        assert_eq!(err.code(), "INVALID_SESSION", "{bad}");
    }
}

#[test]
fn instants_javascript_can_hold_and_cannot() {
    const MAX: i64 = 8_640_000_000_000_000;
    assert!(Timestamp::from_epoch_ms(MAX).is_none(), "past chrono's range, though JavaScript's");
    assert!(
        Timestamp::from_epoch_ms(MAX + 1).is_none() && Timestamp::from_epoch_ms(-MAX - 1).is_none()
    );
    assert_eq!(Timestamp::from_epoch_ms(-1).unwrap().to_iso(), "1969-12-31T23:59:59.999Z");
    assert_eq!(
        Timestamp::from_epoch_ms(253_402_300_799_999).unwrap().to_iso(),
        "9999-12-31T23:59:59.999Z"
    );
    assert_eq!(
        Timestamp::from_epoch_ms(253_402_300_800_000).unwrap().to_iso(),
        "+010000-01-01T00:00:00.000Z"
    );
    assert_eq!(
        Timestamp::from_epoch_ms(-62_167_219_200_000).unwrap().to_iso(),
        "0000-01-01T00:00:00.000Z"
    );
    assert_eq!(
        Timestamp::from_epoch_ms(-62_167_219_200_001).unwrap().to_iso(),
        "-000001-12-31T23:59:59.999Z"
    );
    assert_eq!(now().add_ms(1_000).epoch_ms(), NOW + 1_000);
    assert_eq!(now().add_ms(-1_000).epoch_ms(), NOW - 1_000);
    assert_eq!(now().add_ms(i64::MAX).epoch_ms(), MAX, "saturates at the range");
    assert_eq!(now().add_ms(i64::MIN).epoch_ms(), -MAX);
    assert_eq!(
        Timestamp::from_epoch_ms_f64(1.9).unwrap().epoch_ms(),
        1,
        "truncated, as new Date(1.9)"
    );
    assert_eq!(Timestamp::from_epoch_ms_f64(-1.9).unwrap().epoch_ms(), -1);
    assert!(Timestamp::from_epoch_ms_f64(f64::NAN).is_none());
    assert!(Timestamp::from_epoch_ms_f64(MAX as f64 * 2.0).is_none());
}

#[test]
fn against_the_system_clock() {
    let hour = 3_600_000;
    let mut s = session(json!({"id": "c", "accessToken": "tok", "scope": "read_products"}));
    s.expires = Some(Timestamp::now().add_ms(hour));
    assert!(!s.is_expired(0) && s.is_active(None, 500), "an hour left");
    assert!(s.is_expired(2 * hour), "within a two-hour margin");
    assert!(!s.is_active(None, 2 * hour));
    s.expires = Some(Timestamp::now().add_ms(-hour));
    assert!(s.is_expired(0) && !s.is_active(None, 0), "an hour ago");
}

#[test]
fn a_session_is_usable_until_its_last_usable_instant_inclusive() {
    let mut s = expiring_in(0);
    assert_eq!(s.usable_until(), Some(now()));
    assert!(!s.is_unusable_at(now()), "usable at the very instant it expires");
    assert!(s.is_unusable_at(now().add_ms(1)));
    s.refresh_token = Some("r".into());
    assert_eq!(s.usable_until(), None, "a refresh token without expiry: usable for ever");
    s.refresh_token_expires = Some(now().add_ms(-5));
    assert_eq!(s.usable_until(), Some(now()), "the later of the two");
    s.refresh_token_expires = Some(now().add_ms(5));
    assert_eq!(s.usable_until(), Some(now().add_ms(5)));
    s.expires = None;
    assert_eq!(s.usable_until(), None, "no expires: usable for ever");
}

#[test]
fn scope_sets() {
    for empty in ["", " , ,", ","] {
        assert!(AuthScopes::parse(empty).is_empty(), "{empty:?}");
    }
    let granted = AuthScopes::parse("write_products, read_orders");
    assert!(!granted.is_empty());
    assert!(granted.has(&AuthScopes::parse("read_products,read_orders")), "write implies read");
    assert!(!granted.has(&AuthScopes::parse("write_orders")));
    assert!(granted.equals(&AuthScopes::parse("read_orders,write_products,read_products")));
    assert!(!granted.equals(&AuthScopes::parse("write_products")));
    assert_eq!(granted.compressed(), ["write_products", "read_orders"]);
}

#[test]
fn the_memory_storage_counts_what_it_holds() {
    let m = sessionkeeper_core::storage::MemoryStorage::new();
    assert!(m.is_empty());
    assert_eq!(m.len(), 0);
    m.store(session(json!({"id": "one"}))).unwrap();
    m.store(session(json!({"id": "one", "shop": "s"}))).unwrap();
    assert!(!m.is_empty());
    assert_eq!(m.len(), 1, "an upsert replaces");
    m.store(session(json!({"id": "two"}))).unwrap();
    assert_eq!(m.len(), 2);
    m.delete("one").unwrap();
    assert_eq!(m.len(), 1);
}

#[test]
fn a_callback_result_of_the_wrong_kind_is_named_in_the_message() {
    use sessionkeeper_core::storage::callback::{finish_bool, Op, Returned};
    let session = Box::new(session(json!({"id": "s"})));
    for (returned, kind) in [
        (Returned::Nothing, "got nothing"),
        (Returned::Json("{}"), "got a string or object"),
        (Returned::Value(json!([1])), "got an array"),
        (Returned::Value(json!("")), "got an empty string"),
        (Returned::Value(json!("shpat_secret")), "got a string"),
        (Returned::Session(session), "got a session"),
        (Returned::Other("function"), "got a value of type function"),
    ] {
        let err = finish_bool(Op::Store, &returned).unwrap_err();
        assert_eq!(err.code(), "INVALID_CALLBACK_RESULT");
        assert!(err.message().ends_with(kind), "{err} / {kind}");
        assert!(!err.message().contains("secret"), "{err}");
    }
    assert!(finish_bool(Op::Delete, &Returned::Bool(false)).is_ok_and(|b| !b));
}

#[test]
fn messages_list_at_most_three_ids() {
    use sessionkeeper_core::storage::callback::ids_subject;
    let ids = |n: usize| (0..n).map(|i| format!("id{i}")).collect::<Vec<_>>();
    assert_eq!(ids_subject(&ids(3)), r#"["id0", "id1", "id2"]"#);
    assert_eq!(ids_subject(&ids(4)), r#"["id0", "id1", "id2", … 1 more]"#);
    assert_eq!(ids_subject(&[]), "[]");
}

#[test]
fn numbers_javascript_would_change_are_refused_in_built_sessions() {
    let mut s = session(json!({"id": "n", "isOnline": true,
        "onlineAccessInfo": {"expires_in": 86399, "associated_user": {"id": 9_007_199_254_740_991_u64}}}));
    assert!(s.validate(Origin::Argument).is_ok(), "the largest safe integer is fine");
    s.online_access_info.as_mut().unwrap().expires_in = Some(9_007_199_254_740_993_u64.into());
    let err = s.validate(Origin::Argument).unwrap_err();
    assert!(err.code() == "INVALID_ARGUMENT" && err.message().contains("expires_in"), "{err}");
    // Read from text (the typed fast path) the same number is refused as stored data.
    let text = r#"{"id":"n","isOnline":true,"onlineAccessInfo":{"expires_in":9007199254740993}}"#;
    assert_eq!(Session::from_json(text, Origin::Stored).unwrap_err().code(), "INVALID_SESSION");
    let text = r#"{"id":"n","isOnline":true,"onlineAccessInfo":{"associated_user":{"id":9007199254740993}}}"#;
    assert_eq!(Session::from_json(text, Origin::Stored).unwrap_err().code(), "INVALID_SESSION");
}

#[test]
fn values_are_described_by_kind_never_by_content() {
    use sessionkeeper_core::error::describe;
    assert_eq!(describe(&json!(true)), "the boolean true");
    assert_eq!(describe(&json!(3)), "the number 3");
    assert_eq!(describe(&json!("")), "an empty string");
    assert_eq!(describe(&json!("shpat_secret")), "a string");
    assert_eq!(describe(&json!(null)), "null");
    assert_eq!(describe(&json!([])), "an array");
    assert_eq!(describe(&json!({})), "an object");
}

#[test]
fn snake_case_spellings_in_stored_text_are_read_each_on_its_own() {
    let read = |text: &str| Session::from_json(text, Origin::Stored).unwrap();
    let camel = read(
        r#"{"id":"s","isOnline":true,"accessToken":"a","refreshToken":"r","refreshTokenExpires":"2030-01-01T00:00:00.000Z","onlineAccessInfo":{"associated_user":{"id":1}}}"#,
    );
    for (snake, value) in [
        ("is_online", r#"true"#),
        ("access_token", r#""a""#),
        ("refresh_token", r#""r""#),
        ("refresh_token_expires", r#""2030-01-01T00:00:00.000Z""#),
        ("online_access_info", r#"{"associated_user":{"id":1}}"#),
    ] {
        let camel_key = match snake {
            "is_online" => "isOnline",
            "access_token" => "accessToken",
            "refresh_token" => "refreshToken",
            "refresh_token_expires" => "refreshTokenExpires",
            _ => "onlineAccessInfo",
        };
        // The whole session in camelCase but this one field, which comes snake_case.
        let mut v: Value = serde_json::from_str(&camel.to_json()).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove(camel_key);
        o.insert(snake.into(), serde_json::from_str(value).unwrap());
        assert_eq!(read(&serde_json::to_string(&v).unwrap()).to_json(), camel.to_json(), "{snake}");
    }
}
