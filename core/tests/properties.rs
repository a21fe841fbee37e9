//! Property tests: every valid session round-trips; no input makes a parser panic.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use sessionkeeper_core::session::AssociatedUser;
use sessionkeeper_core::storage::callback::{finish_load, Returned};
use sessionkeeper_core::{OnlineAccessInfo, Origin, PropertyArrayMode, Session, Timestamp};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z0-9._-]{0,20}", Just(String::new())]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (-8_000_000_000_000_000_i64..8_000_000_000_000_000)
        .prop_map(|ms| Timestamp::from_epoch_ms(ms).unwrap())
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        (-9_007_199_254_740_991_i64..=9_007_199_254_740_991).prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn user() -> impl Strategy<Value = AssociatedUser> {
    (
        proptest::option::of(number()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(text()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(id, first_name, email, email_verified, locale, collaborator)| {
            AssociatedUser {
                id,
                first_name,
                email,
                email_verified,
                locale,
                collaborator,
                ..Default::default()
            }
        })
}

fn info() -> impl Strategy<Value = OnlineAccessInfo> {
    (
        proptest::option::of(number()),
        proptest::option::of(text()),
        (proptest::option::of(text()), proptest::option::of(number())),
        proptest::option::of(user()),
        json_value(),
    )
        .prop_map(|(expires_in, scope, (session, account_number), associated_user, extra)| {
            let mut extra = match extra {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            extra.retain(|k, v| {
                !v.is_null()
                    && ![
                        "expires_in",
                        "associated_user_scope",
                        "session",
                        "account_number",
                        "associated_user",
                    ]
                    .contains(&k.as_str())
            });
            OnlineAccessInfo {
                expires_in,
                associated_user_scope: scope,
                session,
                account_number,
                associated_user,
                extra,
            }
        })
}

prop_compose! {
    fn session()(
        id in "[^\u{0}]{1,40}",
        shop in text(), state in text(), is_online in any::<bool>(),
        scope in proptest::option::of(text()),
        expires in proptest::option::of(timestamp()),
        access_token in proptest::option::of(text()),
        refresh_token in proptest::option::of(text()),
        refresh_token_expires in proptest::option::of(timestamp()),
        online_access_info in proptest::option::of(info()),
        data in proptest::option::of(prop::collection::vec((text(), json_value()), 0..5)),
    ) -> Session {
        let mut s = Session::new(id).unwrap();
        s.shop = shop; s.state = state; s.is_online = is_online; s.scope = scope; s.expires = expires;
        s.access_token = access_token; s.refresh_token = refresh_token;
        s.refresh_token_expires = refresh_token_expires; s.online_access_info = online_access_info;
        s.data = data.map(|kv| kv.into_iter().collect());
        s
    }
}

/// What a property array can carry: no data, and only the associated user's known fields.
fn array_view(s: &Session, with_user_data: bool) -> Session {
    let mut v = s.clone();
    v.data = None;
    v.online_access_info = s.is_online.then(|| {
        let u = s
            .online_access_info
            .as_ref()
            .and_then(|i| i.associated_user.clone())
            .unwrap_or_default();
        let u = if with_user_data {
            AssociatedUser { extra: Map::new(), ..u }
        } else {
            AssociatedUser { id: u.id, ..Default::default() }
        };
        OnlineAccessInfo { associated_user: Some(u), ..Default::default() }
    });
    v
}

fn pairs(s: &Session, with_user_data: bool) -> Value {
    Value::Array(
        s.to_property_array(with_user_data)
            .into_iter()
            .map(|(k, v)| Value::Array(vec![k.into(), v]))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn canonical_json_round_trips(s in session()) {
        let text = s.to_json();
        let back = Session::from_json(&text, Origin::Stored).unwrap();
        prop_assert_eq!(back.to_json(), text.clone());
        prop_assert!(back.equals(&s));
        // A fixed point of JSON.parse + JSON.stringify as JavaScript would apply them.
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(sessionkeeper_core::json::to_js_string(&reparsed), text.clone());
        // The typed fast path (text) and the general reader (value) build the same session.
        prop_assert_eq!(Session::from_value(&reparsed, Origin::Stored).unwrap(), back);
    }

    #[test]
    fn property_arrays_round_trip(s in session(), with_user_data in any::<bool>()) {
        let mode = if with_user_data { PropertyArrayMode::WithUserData } else { PropertyArrayMode::WithoutUserData };
        let back = Session::from_property_array(&pairs(&s, with_user_data), mode, Origin::Stored).unwrap();
        prop_assert_eq!(back.to_json(), array_view(&s, with_user_data).to_json());
        if with_user_data {
            prop_assert!(back.equals(&array_view(&s, true)));
        }
    }

    #[test]
    fn parsers_never_panic_on_text(input in any::<String>()) {
        let _ = Session::from_json(&input, Origin::Stored);
        let _ = Session::canonicalize(&input, Origin::Argument);
        let _ = Timestamp::parse_iso(&input);
        let _ = finish_load("id", Returned::Json(&input));
    }

    #[test]
    fn parsers_never_panic_on_values(v in json_value(), id in any::<String>()) {
        for origin in [Origin::Stored, Origin::Argument] {
            let _ = Session::from_value(&v, origin);
            let _ = Session::from_property_array(&v, PropertyArrayMode::Auto, origin);
        }
        let _ = finish_load(&id, Returned::Value(v));
    }

    #[test]
    fn session_shaped_noise_is_an_error_or_a_valid_session(
        fields in prop::collection::vec((prop_oneof![
            Just("id"), Just("shop"), Just("isOnline"), Just("expires"), Just("scope"),
            Just("onlineAccessInfo"), Just("data"), Just("refreshTokenExpires")].prop_map(String::from),
            json_value()), 0..8),
    ) {
        let obj = Value::Object(fields.into_iter().collect());
        let via_text = Session::from_json(&obj.to_string(), Origin::Stored);
        let via_value = Session::from_value(&obj, Origin::Stored);
        prop_assert_eq!(via_text.clone().map_err(|e| e.code()), via_value.clone().map_err(|e| e.code()));
        if let Ok(s) = via_value {
            prop_assert!(s.validate(Origin::Stored).is_ok());
            prop_assert_eq!(Session::from_json(&s.to_json(), Origin::Stored).unwrap().to_json(), s.to_json());
        }
    }
}
