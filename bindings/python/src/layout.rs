//! The Redis and PostgreSQL layouts of the core (`sessionkeeper_core::layout`), for the
//! `sessionkeeper.redis` and `sessionkeeper.postgres` adapters. Thin conversion only: which key,
//! which TTL, which SQL and whether an index entry is stale are the core's answers, so a Python
//! worker and a Node service pointed at the same server read and write the same keys and rows.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDelta, PyString};
use sessionkeeper_core::layout::{Found, PostgresLayout, RedisLayout};
use sessionkeeper_core::Timestamp;

use crate::arguments::invalid_argument;
use crate::callback::str_arg;
use crate::convert::{bytes_text, type_name};
use crate::error::OrRaise;
use crate::session::PySession;
use crate::views::session_from_arg;

/// `(key, value, index_key, member, expire_at_ms)` of a store.
type RedisWriteTuple = (String, String, String, String, Option<i64>);
/// `(id, shop, expires_ms, usable_until_ms, json)`: the upsert's parameters.
type PostgresRowTuple = (String, String, Option<i64>, Option<i64>, String);

/// An optional `str` option named `name` (`None`: the core's default).
fn option_arg<'a>(obj: Option<&'a Bound<'_, PyAny>>, name: &str) -> PyResult<Option<&'a str>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => str_arg(o, name).map(Some),
    }
}

/// The `grace` option in milliseconds: seconds as a number, or a `timedelta` (`None`: the
/// core's default). The core judges the range.
fn grace_ms(grace: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    let Some(grace) = grace.filter(|g| !g.is_none()) else { return Ok(None) };
    let seconds = if grace.is_instance_of::<PyBool>() {
        None
    } else if grace.is_instance_of::<PyDelta>() {
        grace.call_method0("total_seconds")?.extract::<f64>().ok()
    } else {
        grace.extract::<f64>().ok()
    };
    match seconds {
        Some(s) => Ok(Some(s * 1000.0)),
        None => Err(invalid_argument(
            grace.py(),
            format!(
                "grace must be a number of seconds or a timedelta, got a value of type {}",
                type_name(grace)
            ),
        )),
    }
}

/// What a Redis `GET` returned: `None`, `bytes` (UTF-8) or `str` (a `decode_responses` client).
/// Bytes that are not UTF-8 read as `""`: not a session either way, and the core judges it so.
fn reply_text<'a>(obj: Option<&'a Bound<'_, PyAny>>) -> PyResult<Option<&'a str>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(bytes_text(b).unwrap_or("")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return crate::convert::text(s, sessionkeeper_core::Origin::Stored, || "value".into())
            .map(Some);
    }
    Err(invalid_argument(
        obj.py(),
        format!("value must be bytes, str or None, got a value of type {}", type_name(obj)),
    ))
}

/// Keys and commands of the Redis layout under one key prefix.
#[pyclass(module = "sessionkeeper._native", name = "RedisLayout", frozen)]
pub struct PyRedisLayout {
    inner: RedisLayout,
}

#[pymethods]
impl PyRedisLayout {
    /// A layout under `prefix` (`None`: `"sessionkeeper:"`), keeping keys `grace` (seconds or a
    /// `timedelta`) past the instant their session stops being usable (`None`: 7 days); an
    /// empty or over-long prefix or a grace outside 0 to 3650 days is `INVALID_ARGUMENT`.
    #[new]
    #[pyo3(signature = (prefix=None, grace=None))]
    fn py_new(
        py: Python<'_>,
        prefix: Option<&Bound<'_, PyAny>>,
        grace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let prefix = option_arg(prefix, "key_prefix")?;
        let mut inner = RedisLayout::new(prefix).or_raise(py)?;
        if let Some(ms) = grace_ms(grace)? {
            inner = inner.with_grace_ms(ms).or_raise(py)?;
        }
        Ok(PyRedisLayout { inner })
    }

    /// How long keys outlive their session's last usable instant, in milliseconds.
    #[getter]
    fn grace_ms(&self) -> i64 {
        self.inner.grace_ms()
    }

    /// The key holding session `id`'s canonical JSON.
    fn session_key(&self, id: &Bound<'_, PyAny>) -> PyResult<String> {
        self.inner.session_key(str_arg(id, "id")?).or_raise(id.py())
    }

    /// The set of `shop`'s session ids.
    fn shop_key(&self, shop: &Bound<'_, PyAny>) -> PyResult<String> {
        self.inner.shop_key(str_arg(shop, "shop")?).or_raise(shop.py())
    }

    /// The writes of a store, to send in this order: `SADD index_key member`, then
    /// `SET key value` with `PXAT expire_at_ms` unless it is `None`.
    /// Returns `(key, value, index_key, member, expire_at_ms)`.
    fn store(&self, session: &Bound<'_, PyAny>) -> PyResult<RedisWriteTuple> {
        let py = session.py();
        let s = session_from_arg(session)?;
        let w = self.inner.store(&s.to_json()).or_raise(py)?;
        Ok((w.key, w.value, w.index_key, w.member, w.expire_at_ms))
    }

    /// The key of an index member, or `None` when the member is not a valid id (a stale
    /// member: skip it and `SREM` it, as a member whose key is gone).
    fn member_key(&self, member: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let member = match member.cast::<PyBytes>() {
            Ok(b) => bytes_text(b).unwrap_or(""),
            Err(_) => str_arg(member, "member")?,
        };
        Ok(self.inner.member_key(member))
    }

    /// The re-check after a store or delete: whether `value`, what `GET` of the key returned
    /// after the other commands, is a session listed in `index_key`.
    #[pyo3(signature = (index_key, value))]
    fn belongs(
        &self,
        index_key: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        Ok(self.inner.belongs(str_arg(index_key, "index_key")?, reply_text(value)?))
    }

    /// One member of `shop`'s index, given what `GET` of its key returned: the `Session` to
    /// return, or `None` for a stale entry (key gone, or the session moved to another shop)
    /// to skip and `SREM`. A value that is not a session is `INVALID_SESSION`.
    #[pyo3(signature = (shop, value))]
    fn found(
        &self,
        shop: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PySession>> {
        let py = shop.py();
        let shop = str_arg(shop, "shop")?;
        Ok(match self.inner.found(shop, reply_text(value)?).or_raise(py)? {
            Found::Keep(session) => Some(PySession::new(*session)),
            Found::Stale => None,
        })
    }

    /// The commands of a delete of `id`, given what `GET` of its key returned: `None` (nothing
    /// stored) or `(key, index_key, member)`, to send in order: `DEL key`, then
    /// `SREM index_key member` unless `index_key` is `None`.
    #[pyo3(signature = (id, value))]
    fn remove(
        &self,
        id: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<(String, Option<String>, String)>> {
        let py = id.py();
        let plan = self.inner.remove(str_arg(id, "id")?, reply_text(value)?).or_raise(py)?;
        Ok(plan.map(|r| (r.key, r.index_key, r.member)))
    }
}

/// The table and statements of the PostgreSQL layout.
#[pyclass(module = "sessionkeeper._native", name = "PostgresLayout", frozen)]
pub struct PyPostgresLayout {
    inner: PostgresLayout,
    upsert: String,
    load: String,
    delete: String,
    delete_many: String,
    find: String,
}

#[pymethods]
impl PyPostgresLayout {
    /// A layout over `table` (`None`: `sessionkeeper_sessions`): an identifier, optionally
    /// schema-qualified; anything else is `INVALID_ARGUMENT`. `sweep` keeps rows `grace`
    /// (seconds or a `timedelta`) past their session's last usable instant (`None`: 7 days).
    #[new]
    #[pyo3(signature = (table=None, grace=None))]
    fn py_new(
        py: Python<'_>,
        table: Option<&Bound<'_, PyAny>>,
        grace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut inner = PostgresLayout::new(option_arg(table, "table")?).or_raise(py)?;
        if let Some(ms) = grace_ms(grace)? {
            inner = inner.with_grace_ms(ms).or_raise(py)?;
        }
        Ok(PyPostgresLayout {
            upsert: inner.upsert_sql(),
            load: inner.load_sql(),
            delete: inner.delete_sql(),
            delete_many: inner.delete_many_sql(),
            find: inner.find_sql(),
            inner,
        })
    }

    /// The table name as used in SQL.
    #[getter]
    fn table(&self) -> &str {
        self.inner.table()
    }

    /// The schema statements, to run in order inside one transaction.
    fn schema(&self) -> Vec<String> {
        self.inner.schema()
    }

    /// The upsert; parameters from `row()`.
    #[getter]
    fn upsert_sql(&self) -> &str {
        &self.upsert
    }

    /// Loads one session's canonical JSON (`$1` the id; one text column).
    #[getter]
    fn load_sql(&self) -> &str {
        &self.load
    }

    /// Deletes one session (`$1` the id).
    #[getter]
    fn delete_sql(&self) -> &str {
        &self.delete
    }

    /// Deletes many sessions (`$1` a `text[]` of ids).
    #[getter]
    fn delete_many_sql(&self) -> &str {
        &self.delete_many
    }

    /// A shop's sessions' canonical JSON (`$1` the shop; one text column per row).
    #[getter]
    fn find_sql(&self) -> &str {
        &self.find
    }

    /// Checks an id or shop given to load, delete or find (`field` names it): one PostgreSQL
    /// cannot hold (U+0000) is `INVALID_ARGUMENT`.
    fn check_text(&self, field: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.check_text(field, str_arg(value, field)?).or_raise(value.py())
    }

    /// Deletes the sessions past their grace period (`$1`: `sweep_cutoff_ms()`).
    #[getter]
    fn sweep_sql(&self) -> String {
        self.inner.sweep_sql()
    }

    /// The sweep's `$1` now, by the core's clock: rows unusable since before it go (epoch ms).
    fn sweep_cutoff_ms(&self) -> i64 {
        self.inner.sweep_cutoff_ms(Timestamp::now())
    }

    /// How long `sweep` keeps a row past its session's last usable instant, in milliseconds.
    #[getter]
    fn grace_ms(&self) -> i64 {
        self.inner.grace_ms()
    }

    /// The upsert parameters for `session`: `(id, shop, expires_ms, usable_until_ms, json)`.
    fn row(&self, session: &Bound<'_, PyAny>) -> PyResult<PostgresRowTuple> {
        let py = session.py();
        let s = session_from_arg(session)?;
        let r = self.inner.row(&s.to_json()).or_raise(py)?;
        Ok((r.id, r.shop, r.expires_ms, r.usable_until_ms, r.session))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRedisLayout>()?;
    m.add_class::<PyPostgresLayout>()?;
    Ok(())
}
