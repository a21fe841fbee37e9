//! Compare-and-store on Redis and PostgreSQL: what `optimistic` concurrency asks of a storage
//! (ARCHITECTURE.md, "Lifecycle manager"). Only managed sessions are stored this way: they
//! have no shop, so the write is one key or one row and needs no index work.
//!
//! - Redis: one `EVAL` of [`COMPARE_AND_SET`] on the session's key (one key: Cluster-safe).
//!   The script reads the stored record's version and writes only if it is the expected one.
//! - PostgreSQL: version 0 (no record yet) is `INSERT … ON CONFLICT DO NOTHING`; any other is
//!   `UPDATE … WHERE` the stored version is the expected one. One row affected means stored.

use super::postgres::{Param, Query, Returns};
use super::redis::{RedisStep, Then};
use super::Command;
use crate::error::{id_hash, Error, Result};
use crate::layout::{PostgresLayout, RedisLayout};
use crate::session::Session;

/// The Redis script: `KEYS[1]` the key, `ARGV[1]` the value, `ARGV[2]` the expected version,
/// `ARGV[3]` the `PXAT` or `""`. Answers -2 when it wrote, else the version it found (0: no
/// record, -1: a value that is not a managed session).
pub const COMPARE_AND_SET: &str = "local cur = redis.call('GET', KEYS[1]) \
local found = 0 \
if cur then \
  local ok, d = pcall(cjson.decode, cur) \
  if not ok or type(d) ~= 'table' or type(d.data) ~= 'table' or type(d.data.__sessionkeeper) ~= 'table' then return -1 end \
  found = tonumber(d.data.__sessionkeeper.version) or -1 \
end \
if found ~= tonumber(ARGV[2]) then return found end \
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[1]) \
else redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3]) end \
return -2";

fn managed_only(session: &Session) -> Result<()> {
    if session.shop.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidArgument(
        "only sessions without a shop (the manager's records) are stored over a version".into(),
    ))
}

/// What a compare-and-store's answer means: `found` is the version the store held (-1: a value
/// the manager did not write), when the store can say (PostgreSQL only counts rows).
pub(crate) fn conflict(id: &str, found: Option<i64>, expected: u64) -> Error {
    let held = match found {
        None => "another version, or no record".to_owned(),
        Some(-1) => "a value the manager did not write".to_owned(),
        Some(0) => "no record".to_owned(),
        Some(v) => format!("version {v}"),
    };
    Error::Conflict(format!(
        "session {} was changed by another request since it was loaded (the store holds {held}, \
         expected version {expected}); nothing was written",
        id_hash(id)
    ))
}

impl RedisLayout {
    /// The plan of a store of `session` only over `expected` (0: no record yet): one `EVAL`.
    pub fn store_if_version(&self, session: &Session, expected: u64) -> Result<RedisStep> {
        managed_only(session)?;
        let key = self.session_key(&session.id)?;
        let at = self.expire_at_ms(session).map(|t| t.to_string()).unwrap_or_default();
        let eval = Command {
            name: "EVAL",
            args: vec![
                COMPARE_AND_SET.as_bytes().to_vec(),
                b"1".to_vec(),
                key.into_bytes(),
                session.to_json().into_bytes(),
                expected.to_string().into_bytes(),
                at.into_bytes(),
            ],
        };
        Ok(RedisStep::new(vec![vec![eval]], Then::Versioned(session.id.clone(), expected)))
    }
}

impl PostgresLayout {
    /// The statement of a store of `session` only over `expected` (0: no record yet).
    pub fn store_if_version(&self, session: &Session, expected: u64) -> Result<Query> {
        managed_only(session)?;
        let r = self.row_of(session)?;
        let t = self.sql_table();
        let mut params = vec![
            Param::Text(r.id),
            Param::Text(r.shop),
            Param::Int(r.expires_ms),
            Param::Int(r.usable_until_ms),
            Param::Text(r.session),
        ];
        let sql = if expected == 0 {
            format!(
                "INSERT INTO {t} (id, shop, expires, usable_until, session) VALUES ($1, $2, \
                 to_timestamp($3::bigint / 1000.0), to_timestamp($4::bigint / 1000.0), $5::json) \
                 ON CONFLICT (id) DO NOTHING"
            )
        } else {
            params.push(Param::Text(expected.to_string()));
            format!(
                "UPDATE {t} SET shop = $2, expires = to_timestamp($3::bigint / 1000.0), \
                 usable_until = to_timestamp($4::bigint / 1000.0), session = $5::json \
                 WHERE id = $1 AND session->'data'->'__sessionkeeper'->>'version' = $6"
            )
        };
        let mut query = Query::new(sql, params, Returns::Stored);
        query.versioned = Some((session.id.clone(), expected));
        Ok(query)
    }
}

impl Query {
    /// The result of a [`Returns::Stored`] statement from the rows it affected: `true`, or
    /// `CONFLICT` when the stored record was not at the expected version.
    pub fn stored(&self, rows: u64) -> Result<bool> {
        match (&self.versioned, rows) {
            (_, 1) => Ok(true),
            (Some((id, expected)), _) => Err(conflict(id, None, *expected)),
            (None, _) => Ok(true),
        }
    }
}
