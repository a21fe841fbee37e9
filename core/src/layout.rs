//! The on-server layouts of the Redis and PostgreSQL storages, defined once so a Node service
//! and a Python worker pointed at the same server read and write the same keys and rows.
//!
//! The host adapters only send the commands; which key, which TTL, which SQL, and what each
//! reply means is decided here and in the plans of [`crate::plan`].

use sha2::{Digest, Sha256};

use crate::error::{Error, Origin, Result};
use crate::session::{check_id, Session};
use crate::time::Timestamp;

/// The default Redis key prefix.
pub const DEFAULT_KEY_PREFIX: &str = "sessionkeeper:";
/// The default PostgreSQL table.
pub const DEFAULT_TABLE: &str = "sessionkeeper_sessions";

/// Redis keys: `{prefix}session:{id}` holds a session's canonical JSON; the set
/// `{prefix}shop:{shop}` holds the ids of a shop's sessions. The two namespaces differ after the
/// prefix, so no id can name an index. Every command touches one key, so the layout runs
/// unchanged on Redis Cluster.
///
/// Prefixes must not nest: with `p:` and `p:shop:` the second storage's session keys would be
/// the first one's index of shop `session:…` (`WRONGTYPE`). Two prefixes collide only when one
/// is the other followed by `session:` or `shop:`, so a prefix containing either is refused,
/// and no two accepted prefixes can ever collide.
#[derive(Debug, Clone)]
pub struct RedisLayout {
    prefix: String,
    /// How long past `usable_until` a key is kept (see [`crate::layout_expiry`]).
    pub(crate) grace_ms: i64,
}

impl RedisLayout {
    /// A layout under `prefix` (`None`: [`DEFAULT_KEY_PREFIX`]).
    pub fn new(prefix: Option<&str>) -> Result<Self> {
        let prefix = prefix.unwrap_or(DEFAULT_KEY_PREFIX);
        if prefix.is_empty() || prefix.len() > 256 {
            return Err(Error::InvalidArgument(format!(
                "{} must be a non-empty string of at most 256 bytes, got {} bytes",
                crate::words::name("keyPrefix"),
                prefix.len()
            )));
        }
        if let Some(marker) = ["session:", "shop:"].into_iter().find(|m| prefix.contains(m)) {
            return Err(Error::InvalidArgument(format!(
                "{} must not contain {marker:?}, the layout's own namespaces: such a prefix nests inside another storage's keys, got {}",
                crate::words::name("keyPrefix"),
                crate::error::quote(prefix)
            )));
        }
        Ok(RedisLayout {
            prefix: prefix.to_owned(),
            grace_ms: crate::layout_expiry::DEFAULT_GRACE_MS,
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of session `id`.
    pub fn session_key(&self, id: &str) -> Result<String> {
        check_id(id, Origin::Argument)?;
        Ok(format!("{}session:{id}", self.prefix))
    }

    /// The index set of `shop` (`INVALID_ARGUMENT` for the empty shop, which no find names).
    pub fn shop_key(&self, shop: &str) -> Result<String> {
        crate::storage::check_shop(shop)?;
        Ok(self.index_key_of(shop))
    }

    /// The index set of `shop`, the empty shop included: a session of shop `""` is listed under
    /// `{prefix}shop:`, so that its store and delete keep one rule.
    pub(crate) fn index_key_of(&self, shop: &str) -> String {
        format!("{}shop:{shop}", self.prefix)
    }

    /// The key of an index member, or `None` when the member is not a valid session id (set
    /// there by hand or by another program): such a member is stale, and a find skips it and
    /// `SREM`s it like a member whose key is gone, never failing the whole find.
    pub(crate) fn member_key(&self, member: &[u8]) -> Option<String> {
        std::str::from_utf8(member).ok().and_then(|id| self.session_key(id).ok())
    }
}

/// PostgreSQL: one table, `id text PRIMARY KEY`, `shop` indexed, `expires` and
/// `usable_until` as `timestamptz` (milliseconds, no 2038 limit), the canonical JSON in a `json`
/// column (`json` keeps the text as written; `jsonb` would reorder `data` keys).
#[derive(Debug, Clone)]
pub struct PostgresLayout {
    table: String,
    /// The table as written in SQL: quoted (see `layout_postgres`).
    sql: String,
    /// How long past `usable_until` a row survives a sweep (see [`crate::layout_expiry`]).
    pub(crate) grace_ms: i64,
}

/// The parameters of the upsert, in `$1…$5` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresRow {
    /// `$1`: the id.
    pub id: String,
    /// `$2`: the shop.
    pub shop: String,
    /// `$3`: `expires` in epoch ms, or NULL.
    pub expires_ms: Option<i64>,
    /// `$4`: `usable_until` in epoch ms, or NULL (used by sweeps).
    pub usable_until_ms: Option<i64>,
    /// `$5`: canonical JSON.
    pub session: String,
}

fn valid_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && part.len() <= 63
}

impl PostgresLayout {
    /// A layout over `table` (`None`: [`DEFAULT_TABLE`]): an identifier, optionally
    /// schema-qualified (`app.sessions`), of letters, digits and `_`. Anything else is
    /// `INVALID_ARGUMENT`. SQL names the table quoted ([`PostgresLayout::sql_table`]), so reserved
    /// words work too.
    pub fn new(table: Option<&str>) -> Result<Self> {
        let table = table.unwrap_or(DEFAULT_TABLE);
        let parts: Vec<&str> = table.split('.').collect();
        if parts.len() > 2 || !parts.iter().all(|p| valid_identifier(p)) {
            return Err(Error::InvalidArgument(format!(
                "table must be an identifier like \"sessions\" or \"app.sessions\" (letters, digits, _), got {}",
                crate::error::quote(table)
            )));
        }
        let table = table.to_ascii_lowercase();
        Ok(PostgresLayout {
            sql: crate::layout_postgres::quoted(&table),
            table,
            grace_ms: crate::layout_expiry::DEFAULT_GRACE_MS,
        })
    }

    /// The table name, lower-cased (SQL uses it quoted).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The table as written in SQL statements: quoted (see `layout_postgres`).
    pub fn sql_table(&self) -> &str {
        &self.sql
    }

    /// The schema statements, run in order inside one transaction. The advisory lock makes
    /// concurrent first starts of several processes wait for each other instead of racing on
    /// `CREATE TABLE IF NOT EXISTS` (which can fail with a unique violation in pg_type).
    pub fn schema(&self) -> Vec<String> {
        let t = &self.sql;
        let index = crate::layout_postgres::index_name(&self.table);
        vec![
            format!("SELECT pg_advisory_xact_lock({})", self.lock_key()),
            format!(
                "CREATE TABLE IF NOT EXISTS {t} (id text PRIMARY KEY, shop text NOT NULL, \
                 expires timestamptz, usable_until timestamptz, session json NOT NULL)"
            ),
            format!("CREATE INDEX IF NOT EXISTS {index} ON {t} (shop)"),
        ]
    }

    fn lock_key(&self) -> i64 {
        let digest = Sha256::digest(format!("sessionkeeper:{}", self.table).as_bytes());
        i64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    /// `INSERT … ON CONFLICT (id) DO UPDATE` with the parameters of [`PostgresLayout::row`].
    pub fn upsert_sql(&self) -> String {
        format!(
            "INSERT INTO {} (id, shop, expires, usable_until, session) VALUES ($1, $2, \
             to_timestamp($3::bigint / 1000.0), to_timestamp($4::bigint / 1000.0), $5::json) \
             ON CONFLICT (id) DO UPDATE SET shop = EXCLUDED.shop, expires = EXCLUDED.expires, \
             usable_until = EXCLUDED.usable_until, session = EXCLUDED.session",
            self.sql
        )
    }

    /// Loads one session's text: `$1` the id; the column comes back as text.
    pub fn load_sql(&self) -> String {
        format!("SELECT session::text AS session FROM {} WHERE id = $1", self.sql)
    }

    /// Deletes one session: `$1` the id.
    pub fn delete_sql(&self) -> String {
        format!("DELETE FROM {} WHERE id = $1", self.sql)
    }

    /// Deletes many sessions: `$1` a `text[]` of ids.
    pub fn delete_many_sql(&self) -> String {
        format!("DELETE FROM {} WHERE id = ANY($1::text[])", self.sql)
    }

    /// A shop's sessions' texts: `$1` the shop.
    pub fn find_sql(&self) -> String {
        format!("SELECT session::text AS session FROM {} WHERE shop = $1 ORDER BY id", self.sql)
    }

    /// The upsert parameters for a session given as canonical JSON. What PostgreSQL cannot
    /// hold (U+0000 in an id or shop, a shop over 2 KB, a date before 4714 BC) is
    /// `INVALID_ARGUMENT` here rather than a driver error later (see `layout_postgres`).
    pub fn row(&self, canonical: &str) -> Result<PostgresRow> {
        self.row_of(&Session::from_json(canonical, Origin::Argument)?)
    }

    /// [`PostgresLayout::row`] of a session in core form.
    pub fn row_of(&self, s: &Session) -> Result<PostgresRow> {
        self.check_session(s)?;
        Ok(PostgresRow {
            id: s.id.clone(),
            shop: s.shop.clone(),
            expires_ms: s.expires.map(Timestamp::epoch_ms),
            usable_until_ms: s.usable_until().map(Timestamp::epoch_ms),
            session: s.to_json(),
        })
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
