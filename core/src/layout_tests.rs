use super::*;

const S: &str = r#"{"id":"a","shop":"x.myshopify.com","state":"","isOnline":false,"expires":"2030-01-01T00:00:00.000Z","refreshToken":"r","refreshTokenExpires":"2030-02-01T00:00:00.000Z"}"#;

#[test]
fn redis_keys_cannot_collide() {
    let l = RedisLayout::new(None).unwrap();
    assert_eq!(l.session_key("a").unwrap(), "sessionkeeper:session:a");
    assert_eq!(l.shop_key("x.myshopify.com").unwrap(), "sessionkeeper:shop:x.myshopify.com");
    // An id shaped like an index name still lands in the session namespace.
    assert_ne!(l.session_key("shop:x").unwrap(), l.shop_key("x").unwrap());
    assert_eq!(l.session_key("").unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(RedisLayout::new(Some("")).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn redis_prefixes_cannot_nest() {
    // `p:app:shop:` inside `p:app:`: its session keys would be `p:app:`'s shop indexes.
    for nested in ["p:app:shop:", "p:app:session:", "app:session:v2:", "shop:"] {
        let err = RedisLayout::new(Some(nested)).unwrap_err();
        assert!(err.code() == "INVALID_ARGUMENT" && err.message().contains("nests"), "{err}");
    }
    for fine in ["p:app:", "sessionkeeper:", "shops", "myapp:sessions:"] {
        assert!(RedisLayout::new(Some(fine)).is_ok(), "{fine}");
    }
}

#[test]
fn redis_members_that_are_not_ids_have_no_key() {
    let l = RedisLayout::new(Some("p:")).unwrap();
    assert_eq!(l.member_key(b"a").as_deref(), Some("p:session:a"));
    assert_eq!(l.member_key(b""), None);
    assert_eq!(l.member_key("x".repeat(1025).as_bytes()), None);
    assert_eq!(l.member_key(b"\xff\xfe"), None, "not UTF-8");
    assert_eq!(l.index_key_of(""), "p:shop:", "the empty shop's index, which no find names");
    assert_eq!(l.shop_key("").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn postgres_tables_are_identifiers_only() {
    assert_eq!(PostgresLayout::new(None).unwrap().table(), DEFAULT_TABLE);
    assert_eq!(PostgresLayout::new(Some("App.Sessions")).unwrap().table(), "app.sessions");
    for bad in ["", "a;drop table x", "1abc", "a.b.c", "a b", "\"q\"", &"x".repeat(64)] {
        assert_eq!(PostgresLayout::new(Some(bad)).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
    }
}

#[test]
fn postgres_schema_and_rows() {
    let l = PostgresLayout::new(Some("s.t")).unwrap();
    let schema = l.schema();
    assert!(schema[0].starts_with("SELECT pg_advisory_xact_lock("));
    assert!(
        schema[1].contains("CREATE TABLE IF NOT EXISTS \"s\".\"t\"")
            && schema[1].contains("session json NOT NULL")
    );
    assert!(schema[2].contains("s_t_shop_idx ON \"s\".\"t\" (shop)"));
    assert_eq!(
        l.schema(),
        PostgresLayout::new(Some("S.T")).unwrap().schema(),
        "same lock for the same table"
    );
    let row = l.row(S).unwrap();
    assert_eq!(
        (row.expires_ms, row.usable_until_ms),
        (Some(1_893_456_000_000), Some(1_896_134_400_000))
    );
    assert_eq!(row.session, S);
    assert_eq!(l.row(r#"{"id":""}"#).unwrap_err().code(), "INVALID_ARGUMENT");
    let err = l.row(r#"{"id":"a\u0000b"}"#).unwrap_err();
    assert!(err.code() == "INVALID_ARGUMENT" && err.message().contains("U+0000"), "{err}");
    assert!(
        l.row(r#"{"id":"a","state":"\u0000"}"#).is_ok(),
        "other fields live inside the JSON text, escaped"
    );
}

/// The statements both adapters run, pinned: a Node service and a Python worker (of any
/// version) on one database must send the same SQL and take the same advisory lock.
#[test]
fn postgres_statements_are_the_shared_contract() {
    let l = PostgresLayout::new(None).unwrap();
    let t = "\"sessionkeeper_sessions\"";
    assert_eq!(l.schema()[0], "SELECT pg_advisory_xact_lock(-1348929626078729934)");
    assert_eq!(
        PostgresLayout::new(Some("s.t")).unwrap().schema()[0],
        "SELECT pg_advisory_xact_lock(3782143381567598118)",
        "one lock per table"
    );
    assert_eq!(
        l.upsert_sql(),
        format!(
            "INSERT INTO {t} (id, shop, expires, usable_until, session) VALUES ($1, $2, \
             to_timestamp($3::bigint / 1000.0), to_timestamp($4::bigint / 1000.0), $5::json) \
             ON CONFLICT (id) DO UPDATE SET shop = EXCLUDED.shop, expires = EXCLUDED.expires, \
             usable_until = EXCLUDED.usable_until, session = EXCLUDED.session"
        )
    );
    assert_eq!(l.load_sql(), format!("SELECT session::text AS session FROM {t} WHERE id = $1"));
    assert_eq!(l.delete_sql(), format!("DELETE FROM {t} WHERE id = $1"));
    assert_eq!(l.delete_many_sql(), format!("DELETE FROM {t} WHERE id = ANY($1::text[])"));
    assert_eq!(
        l.find_sql(),
        format!("SELECT session::text AS session FROM {t} WHERE shop = $1 ORDER BY id")
    );
}
