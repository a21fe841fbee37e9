//! The core's Redis and PostgreSQL layouts for `sessionkeeper/redis` and
//! `sessionkeeper/postgres`: which key, which TTL, which SQL. The JS adapters only send what
//! these return, so a Node service and a Python worker read and write the same keys and rows.
//!
//! Sessions come in as canonical JSON (what `JSON.stringify(session)` writes for a session the
//! storage already validated). Where the core hands back text equal to what came in, `null`
//! is returned instead, so no second copy of a session crosses into V8.

use napi_derive::napi;
use sessionkeeper_core::layout::{self, Found};

use crate::error::{OrThrow, Result};

/// `text` unless it equals `given` (then JS already holds it).
fn unless_same(text: String, given: &str) -> Option<String> {
    (text != given).then_some(text)
}

/// The commands of one `store`, in order: `SADD indexKey member`, then `SET key value`
/// (`PXAT expireAtMs` when set). Index first: a crash in between leaves at worst a stale
/// index entry, which readers skip and remove.
#[napi(object)]
pub struct RedisWrite {
    /// The session key.
    pub key: String,
    /// The text to store; `null` when it is the text given to `store`.
    pub value: Option<String>,
    /// The shop's index set.
    pub index_key: String,
    /// The set member (the session id).
    pub member: String,
    /// When the key expires (epoch ms): when the session can no longer be used. `null`: never.
    pub expire_at_ms: Option<i64>,
}

/// Keys of the Redis storage under one prefix: `{prefix}session:{id}` holds a session's
/// canonical JSON, the set `{prefix}shop:{shop}` the ids of a shop's sessions. Every command
/// touches one key, so the same layout runs on Redis Cluster.
#[napi(js_name = "RedisLayout")]
pub struct JsRedisLayout {
    inner: layout::RedisLayout,
}

#[napi]
impl JsRedisLayout {
    /// A layout under `prefix` (default `sessionkeeper:`), keeping keys `graceMs` past the
    /// instant their session stops being usable (default 7 days); `INVALID_ARGUMENT` for an
    /// empty prefix or one longer than 256 bytes, or a grace outside 0 to 3650 days.
    #[napi(constructor, catch_unwind)]
    pub fn new(prefix: Option<String>, grace_ms: Option<f64>) -> Result<Self> {
        let mut inner = layout::RedisLayout::new(prefix.as_deref()).or_throw()?;
        if let Some(ms) = grace_ms {
            inner = inner.with_grace_ms(ms).or_throw()?;
        }
        Ok(JsRedisLayout { inner })
    }

    /// How long keys outlive their session's last usable instant, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn grace_ms(&self) -> i64 {
        self.inner.grace_ms()
    }

    /// The key of session `id` (`INVALID_ARGUMENT` for an invalid id).
    #[napi(catch_unwind)]
    pub fn session_key(&self, id: String) -> Result<String> {
        self.inner.session_key(&id).or_throw()
    }

    /// The index set of `shop` (`INVALID_ARGUMENT` for an empty shop).
    #[napi(catch_unwind)]
    pub fn shop_key(&self, shop: String) -> Result<String> {
        self.inner.shop_key(&shop).or_throw()
    }

    /// The writes of a `store` of the session in `text` (canonical JSON).
    #[napi(catch_unwind)]
    pub fn store(&self, text: String) -> Result<RedisWrite> {
        let w = self.inner.store(&text).or_throw()?;
        Ok(RedisWrite {
            value: unless_same(w.value, &text),
            key: w.key,
            index_key: w.index_key,
            member: w.member,
            expire_at_ms: w.expire_at_ms,
        })
    }

    /// The index set to remove a deleted session from, given what `GET` returned for its key;
    /// `null` when the text is not a session (its key is deleted all the same, and readers
    /// drop the index entry it may have left).
    #[napi(catch_unwind)]
    pub fn index_key_of(&self, stored: String) -> Option<String> {
        self.inner.store(&stored).ok().map(|w| w.index_key)
    }

    /// The key of an index member, or `null` when the member is not a valid id (a stale
    /// member: skip it and `SREM` it).
    #[napi(catch_unwind)]
    pub fn member_key(&self, member: String) -> Option<String> {
        self.inner.member_key(&member)
    }

    /// The re-check after a store or delete: whether `value`, what `GET` of the key returned
    /// after the other commands, is a session listed in `indexKey` (see the core's
    /// `layout_removal` docs for the order of commands).
    #[napi(catch_unwind)]
    pub fn belongs(&self, index_key: String, value: Option<String>) -> bool {
        self.inner.belongs(&index_key, value.as_deref())
    }

    /// Judges the members of `shop`'s index, given what `GET` returned for each member's key:
    /// `true` to return the value, `false` for a stale member (key gone or now holding a
    /// session of another shop) to skip and `SREM`. A value that is not a session is returned
    /// too, so the storage rejects it with `INVALID_SESSION` naming it.
    #[napi(catch_unwind)]
    pub fn found(&self, shop: String, values: Vec<Option<String>>) -> Vec<bool> {
        values
            .iter()
            .map(|v| !matches!(self.inner.found(&shop, v.as_deref()), Ok(Found::Stale)))
            .collect()
    }
}

/// The parameters of the upsert, `$1…$5`.
#[napi(object)]
pub struct PostgresRow {
    /// `$1`: the id.
    pub id: String,
    /// `$2`: the shop.
    pub shop: String,
    /// `$3`: `expires` in epoch ms, or `null`.
    pub expires_ms: Option<i64>,
    /// `$4`: when the session can no longer be used, in epoch ms, or `null` (never).
    pub usable_until_ms: Option<i64>,
    /// `$5`: the session's canonical JSON; `null` when it is the text given to `row`.
    pub session: Option<String>,
}

/// The PostgreSQL storage's table and statements: one table, `id` the primary key, `shop`
/// indexed, `expires`/`usable_until` as `timestamptz`, the canonical JSON in a `json` column.
#[napi(js_name = "PostgresLayout")]
pub struct JsPostgresLayout {
    inner: layout::PostgresLayout,
}

#[napi]
impl JsPostgresLayout {
    /// A layout over `table` (default `sessionkeeper_sessions`; letters, digits and `_`,
    /// optionally `schema.table`); anything else is `INVALID_ARGUMENT`. The sweep keeps rows
    /// `graceMs` past their session's last usable instant (default 7 days; 0 to 3650 days).
    #[napi(constructor, catch_unwind)]
    pub fn new(table: Option<String>, grace_ms: Option<f64>) -> Result<Self> {
        let mut inner = layout::PostgresLayout::new(table.as_deref()).or_throw()?;
        if let Some(ms) = grace_ms {
            inner = inner.with_grace_ms(ms).or_throw()?;
        }
        Ok(JsPostgresLayout { inner })
    }

    /// How long the sweep keeps a row past its session's last usable instant, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn grace_ms(&self) -> i64 {
        self.inner.grace_ms()
    }

    /// Deletes the sessions past their grace period: `$1` is `sweepCutoffMs()`.
    #[napi(getter, catch_unwind)]
    pub fn sweep_sql(&self) -> String {
        self.inner.sweep_sql()
    }

    /// The sweep's `$1` now, by the core's clock: rows unusable since before it go (epoch ms).
    #[napi(catch_unwind)]
    pub fn sweep_cutoff_ms(&self) -> i64 {
        self.inner.sweep_cutoff_ms(sessionkeeper_core::Timestamp::now())
    }

    /// The table name as used in SQL.
    #[napi(getter, catch_unwind)]
    pub fn table(&self) -> String {
        self.inner.table().to_owned()
    }

    /// The schema statements, to run in order inside one transaction (safe when several
    /// processes start at once).
    #[napi(catch_unwind)]
    pub fn schema(&self) -> Vec<String> {
        self.inner.schema()
    }

    /// The upsert, with the parameters of [`JsPostgresLayout::row`].
    #[napi(getter, catch_unwind)]
    pub fn upsert_sql(&self) -> String {
        self.inner.upsert_sql()
    }

    /// Loads one session's text: `$1` the id, column `session`.
    #[napi(getter, catch_unwind)]
    pub fn load_sql(&self) -> String {
        self.inner.load_sql()
    }

    /// Deletes one session: `$1` the id.
    #[napi(getter, catch_unwind)]
    pub fn delete_sql(&self) -> String {
        self.inner.delete_sql()
    }

    /// Deletes many sessions: `$1` an array of ids.
    #[napi(getter, catch_unwind)]
    pub fn delete_many_sql(&self) -> String {
        self.inner.delete_many_sql()
    }

    /// A shop's sessions: `$1` the shop, rows with column `session`.
    #[napi(getter, catch_unwind)]
    pub fn find_sql(&self) -> String {
        self.inner.find_sql()
    }

    /// Checks an id or shop given to load, delete or find (`field` names it): one PostgreSQL
    /// cannot hold (U+0000) is `INVALID_ARGUMENT`.
    #[napi(catch_unwind)]
    pub fn check_text(&self, field: String, value: String) -> Result<()> {
        self.inner.check_text(&field, &value).or_throw()
    }

    /// The upsert parameters for the session in `text` (canonical JSON).
    #[napi(catch_unwind)]
    pub fn row(&self, text: String) -> Result<PostgresRow> {
        let r = self.inner.row(&text).or_throw()?;
        Ok(PostgresRow {
            session: unless_same(r.session, &text),
            id: r.id,
            shop: r.shop,
            expires_ms: r.expires_ms,
            usable_until_ms: r.usable_until_ms,
        })
    }
}
