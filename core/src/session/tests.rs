use super::*;
use serde_json::json;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_epoch_ms(ms).unwrap()
}

fn session(v: serde_json::Value) -> Session {
    Session::from_value(&v, Origin::Argument).unwrap()
}

const NOW: i64 = 1_800_000_000_000;

#[test]
fn is_expired_follows_shopify() {
    let s = session(json!({"id": "a", "expires": NOW + 55_000}));
    assert!(s.is_expired_at(at(NOW), 60_000), "expires within the minute");
    assert!(!s.is_expired_at(at(NOW), 0));
    let s = session(json!({"id": "a", "expires": NOW + 75_000}));
    assert!(!s.is_expired_at(at(NOW), 60_000));
    assert!(session(json!({"id": "a", "expires": NOW - 1})).is_expired_at(at(NOW), 0));
    assert!(
        !session(json!({"id": "a"})).is_expired_at(at(NOW), 1_000_000),
        "no expiry never expires"
    );
}

#[test]
fn is_active_needs_token_scopes_and_time() {
    let s = session(
        json!({"id": "a", "scope": "write_products", "accessToken": "t", "expires": NOW + 300}),
    );
    let scopes = AuthScopes::parse("read_products");
    assert!(
        !s.is_active_at(Some(&scopes), at(NOW), ACTIVE_WITHIN_MS),
        "300 ms left is inside the 500 ms buffer"
    );
    assert!(s.is_active_at(Some(&scopes), at(NOW), 200));
    assert!(s.is_active_at(None, at(NOW), 200), "undefined scopes are not a change");
    assert!(!s.is_active_at(Some(&AuthScopes::parse("fake_scope")), at(NOW), 0));
    let no_token = session(json!({"id": "a", "accessToken": ""}));
    assert!(!no_token.is_active_at(None, at(NOW), 0), "an empty token is inactive");
}

#[test]
fn scope_changes_are_subset_tests() {
    let s = session(json!({"id": "a", "scope": "write_products, read_customers"}));
    assert!(s.is_scope_changed(Some(&AuthScopes::parse("write_products, read_orders"))));
    assert!(!s.is_scope_changed(Some(&AuthScopes::parse("read_products"))));
    assert!(!s.is_scope_changed(None));
    let read_only = session(json!({"id": "a", "scope": "read_customers"}));
    assert!(read_only.is_scope_changed(Some(&AuthScopes::parse("write_customers"))));
    assert!(s.is_scope_included(&AuthScopes::parse("read_customers")));
}

#[test]
fn equality_is_millisecond_exact_and_ignores_info_extras() {
    let a = session(json!({"id": "a", "isOnline": true, "expires": NOW,
        "onlineAccessInfo": {"expires_in": 1, "associated_user_scope": "x", "associated_user": {"id": 1}}}));
    let mut b = a.clone();
    b.online_access_info.as_mut().unwrap().expires_in = Some(99.into());
    b.online_access_info.as_mut().unwrap().associated_user_scope = None;
    assert!(a.equals(&b));
    b.expires = Some(at(NOW + 1));
    assert!(!a.equals(&b), "one millisecond apart");
    let mut c = a.clone();
    c.online_access_info.as_mut().unwrap().associated_user.as_mut().unwrap().email =
        Some("e".into());
    assert!(!a.equals(&c), "user fields count");
}

#[test]
fn equality_compares_data_deeply_with_js_numbers() {
    let a = session(json!({"id": "a", "data": {"n": 1, "o": {"x": [1, 2]}, "k": "v"}}));
    let b = Session::from_json(
        r#"{"id":"a","data":{"k":"v","o":{"x":[1.0,2]},"n":1.0}}"#,
        Origin::Stored,
    )
    .unwrap();
    assert!(a.equals(&b));
    let c = session(json!({"id": "a", "data": {"n": 2, "o": {"x": [1, 2]}, "k": "v"}}));
    assert!(!a.equals(&c));
    assert!(!a.equals(&session(json!({"id": "a"}))));
    assert!(!a.equals(&session(json!({"id": "b", "data": {"n": 1, "o": {"x": [1, 2]}, "k": "v"}}))));
}

#[test]
fn property_array_modes() {
    let pa = json!([
        ["id", "a"],
        ["isOnline", true],
        ["onlineAccessInfo", 5],
        ["userId", 6],
        ["firstName", "F"]
    ]);
    let without =
        Session::from_property_array(&pa, PropertyArrayMode::WithoutUserData, Origin::Stored)
            .unwrap();
    let user = without.online_access_info.unwrap().associated_user.unwrap();
    assert_eq!((user.id.unwrap().as_i64(), user.first_name), (Some(5), None));
    let with =
        Session::from_property_array(&pa, PropertyArrayMode::WithUserData, Origin::Stored).unwrap();
    let user = with.online_access_info.unwrap().associated_user.unwrap();
    assert_eq!((user.id.unwrap().as_i64(), user.first_name.as_deref()), (Some(6), Some("F")));
    // Offline sessions drop collected user data, as Shopify's fromPropertyArray does.
    let offline = json!([["id", "a"], ["isOnline", false], ["userId", 6]]);
    let s =
        Session::from_property_array(&offline, PropertyArrayMode::Auto, Origin::Stored).unwrap();
    assert!(s.online_access_info.is_none());
    // An online session with no user still gets an (empty) associated user.
    let s = Session::from_property_array(
        &json!([["id", "a"], ["isOnline", "true"]]),
        PropertyArrayMode::Auto,
        Origin::Stored,
    )
    .unwrap();
    assert_eq!(
        s.to_json(),
        r#"{"id":"a","shop":"","state":"","isOnline":true,"onlineAccessInfo":{"associated_user":{}}}"#
    );
}

#[test]
fn property_array_rejects_non_arrays_and_coercions() {
    for bad in [
        json!({"id": "a"}),
        json!([["isOnline", "1"], ["id", "a"]]),
        json!([["id", "a"], ["userId", "7x"]]),
    ] {
        let err =
            Session::from_property_array(&bad, PropertyArrayMode::WithUserData, Origin::Stored)
                .unwrap_err();
        assert_eq!(err.code(), "INVALID_SESSION", "{bad}");
    }
}

#[test]
fn usable_until_accounts_for_refresh_tokens() {
    assert_eq!(session(json!({"id": "a"})).usable_until(), None);
    assert_eq!(session(json!({"id": "a", "expires": 10})).usable_until(), Some(at(10)));
    let refreshable =
        session(json!({"id": "a", "expires": 10, "refreshToken": "r", "refreshTokenExpires": 20}));
    assert_eq!(refreshable.usable_until(), Some(at(20)));
    let forever = session(json!({"id": "a", "expires": 10, "refreshToken": "r"}));
    assert_eq!(forever.usable_until(), None, "a refresh token without expiry keeps it usable");
    assert!(refreshable.is_unusable_at(at(21)) && !refreshable.is_unusable_at(at(15)));
}

#[test]
fn validate_catches_field_by_field_changes() {
    let mut s = Session::new("a").unwrap();
    s.data = Some(json!({"big": 9_007_199_254_740_993_u64}).as_object().unwrap().clone());
    assert_eq!(s.validate(Origin::Argument).unwrap_err().code(), "INVALID_ARGUMENT");
    s.data = None;
    let mut info = OnlineAccessInfo::default();
    info.extra.insert("account_number".into(), json!(9_007_199_254_740_993_u64));
    s.online_access_info = Some(info);
    let err = s.validate(Origin::Argument).unwrap_err();
    assert!(err.message().contains("onlineAccessInfo.account_number"), "{err}");
    s.online_access_info = None;
    s.id = "x".repeat(MAX_ID_BYTES + 1);
    assert_eq!(s.validate(Origin::Stored).unwrap_err().code(), "INVALID_SESSION");
    assert_eq!(Session::new("").unwrap_err().code(), "INVALID_ARGUMENT");
    assert!(Session::new("é".repeat(MAX_ID_BYTES / 2)).is_ok(), "1024 bytes of UTF-8 is allowed");
}

#[test]
fn canonicalize_reports_unchanged_only_for_exact_bytes() {
    let text = r#"{"id":"a","shop":"","state":"","isOnline":false}"#;
    assert!(matches!(
        Session::canonicalize(text, Origin::Stored).unwrap(),
        Canonical::Unchanged(_)
    ));
    let spaced = r#"{"id": "a"}"#;
    match Session::canonicalize(spaced, Origin::Stored).unwrap() {
        Canonical::Rewritten(_, t) => assert_eq!(t, text),
        other => panic!("{other:?}"),
    }
}
