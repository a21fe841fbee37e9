//! The core's Redis and PostgreSQL plans (`sessionkeeper_core::plan`) for the
//! `sessionkeeper.redis` and `sessionkeeper.postgres` adapters. Conversion only: the adapters
//! send each step with the app's driver and hand back what came; the core says what it means and
//! what comes next, as for Node's adapters, so both read and write the same keys and rows.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDelta, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use sessionkeeper_core::layout::{PostgresLayout, RedisLayout};
use sessionkeeper_core::plan::{self, Outcome, Param, RedisNext, Reply};
use sessionkeeper_core::{words, Timestamp};

use crate::arguments::invalid_argument;
use crate::callback::str_arg;
use crate::convert::type_name;
use crate::error::OrRaise;
use crate::session::PySession;
use crate::views::session_from_arg;

/// An optional `str` option (`None`: the core's default), named as the caller spells it.
fn option_arg<'a>(obj: Option<&'a Bound<'_, PyAny>>, js_name: &str) -> PyResult<Option<&'a str>> {
    obj.filter(|o| !o.is_none()).map(|o| str_arg(o, &words::name(js_name))).transpose()
}

/// `layout` with the `grace` option: seconds as a number, or a `timedelta` (`None`: the core's
/// default), handed over in milliseconds. The core judges the range.
fn graced<L>(
    layout: sessionkeeper_core::Result<L>,
    grace: Option<&Bound<'_, PyAny>>,
    with_grace_ms: fn(L, f64) -> sessionkeeper_core::Result<L>,
    py: Python<'_>,
) -> PyResult<L> {
    let layout = layout.or_raise(py)?;
    let Some(grace) = grace.filter(|g| !g.is_none()) else { return Ok(layout) };
    let seconds = if grace.is_instance_of::<PyBool>() {
        None
    } else if grace.is_instance_of::<PyDelta>() {
        grace.call_method0("total_seconds")?.extract::<f64>().ok()
    } else {
        grace.extract::<f64>().ok()
    };
    let Some(seconds) = seconds else {
        let (name, kind) = (words::name("graceMs"), type_name(grace));
        let message = format!(
            "{name} must be a number of seconds or a timedelta, got a value of type {kind}"
        );
        return Err(invalid_argument(py, message));
    };
    with_grace_ms(layout, seconds * 1000.0).or_raise(py)
}

/// A reply as redis-py gives it: `bytes` (or `str` from a `decode_responses` client), an `int`
/// (`True` for `OK`), `None`, or a set or list of members.
fn reply(obj: &Bound<'_, PyAny>) -> PyResult<Reply> {
    Ok(if obj.is_none() {
        Reply::Nil
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Reply::Bulk(b.as_bytes().to_vec())
    } else if let Ok(s) = obj.cast::<PyString>() {
        Reply::Bulk(s.to_str()?.as_bytes().to_vec())
    } else if let Ok(n) = obj.extract::<i64>() {
        Reply::Int(n)
    } else {
        Reply::Array(obj.try_iter()?.map(|item| reply(&item?)).collect::<PyResult<_>>()?)
    })
}

/// A finished operation: `True`, a load's value, a sweep's count, or a find's
/// `(sessions, dropped, unreadable)` (the counts are for the adapter's log).
fn outcome(py: Python<'_>, done: Outcome) -> PyResult<Py<PyAny>> {
    match done {
        Outcome::Bool(b) => b.into_py_any(py),
        Outcome::Value(v) => v.map(|b| PyBytes::new(py, &b)).into_py_any(py),
        Outcome::Count(n) => n.into_py_any(py),
        Outcome::Found(f) => {
            let sessions: Vec<PySession> =
                f.sessions.into_iter().map(|(s, _)| PySession::new(s)).collect();
            (sessions, f.dropped, f.unreadable).into_py_any(py)
        }
    }
}

fn next(py: Python<'_>, n: RedisNext) -> PyResult<Py<PyAny>> {
    match n {
        RedisNext::Send(inner) => RedisStep { inner }.into_py_any(py),
        RedisNext::Done(done) => outcome(py, done),
    }
}

/// One round trip of a Redis operation: send ``commands`` phase by phase (on one connection,
/// all in one pipeline), then hand every reply, in order, to ``next``.
#[pyclass(module = "sessionkeeper._native", frozen)]
pub struct RedisStep {
    inner: plan::RedisStep,
}

#[pymethods]
impl RedisStep {
    /// Phases of commands, each ``(name, *args)``: a phase goes after every command of the one
    /// before; within a phase, in any order.
    #[getter]
    fn commands<'py>(&self, py: Python<'py>) -> PyResult<Vec<Vec<Bound<'py, PyTuple>>>> {
        let command = |c: &plan::Command| {
            let args = c.args.iter().map(|a| PyBytes::new(py, a).into_any());
            let name = PyString::new(py, c.name).into_any();
            PyTuple::new(py, std::iter::once(name).chain(args).collect::<Vec<_>>())
        };
        self.inner.phases().iter().map(|phase| phase.iter().map(command).collect()).collect()
    }

    /// The next step, or the result, from every reply of this step in order.
    fn next(&self, py: Python<'_>, replies: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let replies = replies.try_iter()?.map(|r| reply(&r?)).collect::<PyResult<_>>()?;
        next(py, self.inner.next(replies).or_raise(py)?)
    }
}

/// Keys and plans of the Redis layout under one key prefix.
#[pyclass(module = "sessionkeeper._native", name = "RedisLayout", frozen)]
pub struct PyRedisLayout {
    inner: RedisLayout,
}

#[pymethods]
impl PyRedisLayout {
    /// A layout under `prefix` (`None`: `"sessionkeeper:"`), keeping keys `grace` (seconds or a
    /// `timedelta`) past the instant their session stops being usable (`None`: 7 days).
    #[new]
    #[pyo3(signature = (prefix=None, grace=None))]
    fn py_new(
        py: Python<'_>,
        prefix: Option<&Bound<'_, PyAny>>,
        grace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let layout = RedisLayout::new(option_arg(prefix, "keyPrefix")?);
        Ok(PyRedisLayout { inner: graced(layout, grace, RedisLayout::with_grace_ms, py)? })
    }

    /// The key holding session `id`'s canonical JSON.
    fn session_key(&self, id: &Bound<'_, PyAny>) -> PyResult<String> {
        self.inner.session_key(str_arg(id, "id")?).or_raise(id.py())
    }

    /// The set of `shop`'s session ids.
    fn shop_key(&self, shop: &Bound<'_, PyAny>) -> PyResult<String> {
        self.inner.shop_key(str_arg(shop, "shop")?).or_raise(shop.py())
    }

    /// The plan of a store of `session`.
    fn store(&self, session: &Bound<'_, PyAny>) -> PyResult<RedisStep> {
        let inner =
            self.inner.store_session(&*session_from_arg(session)?).or_raise(session.py())?;
        Ok(RedisStep { inner })
    }

    /// The plan of a load of `id`.
    fn load(&self, py: Python<'_>, id: &str) -> PyResult<RedisStep> {
        Ok(RedisStep { inner: self.inner.load(id).or_raise(py)? })
    }

    /// The plan of a delete of `ids`: its first step, or `True` when there is nothing to send.
    fn delete_many(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<Py<PyAny>> {
        next(py, self.inner.delete_many(&ids).or_raise(py)?)
    }

    /// The plan of a find of `shop`'s sessions.
    fn find_by_shop(&self, py: Python<'_>, shop: &str) -> PyResult<RedisStep> {
        Ok(RedisStep { inner: self.inner.find_by_shop(shop).or_raise(py)? })
    }

    /// The plan of a store of `session` only over version `expected` (0: none yet).
    fn store_if_version(&self, session: &Bound<'_, PyAny>, expected: u64) -> PyResult<RedisStep> {
        let inner = self.inner.store_if_version(&*session_from_arg(session)?, expected);
        Ok(RedisStep { inner: inner.or_raise(session.py())? })
    }
}

/// One statement: run ``sql`` with ``params``; ``returns`` says what to hand back — ``"true"``:
/// the operation returns ``True``; ``"value"``: the first column of the first row, if any, is
/// the result; ``"count"``: the number of rows affected is; ``"sessions"``: hand the first
/// column of every row to ``next``.
#[pyclass(module = "sessionkeeper._native", frozen)]
pub struct PostgresQuery {
    inner: plan::Query,
}

#[pymethods]
impl PostgresQuery {
    /// The statement.
    #[getter]
    fn sql(&self) -> &str {
        &self.inner.sql
    }

    /// Its parameters: ``str``, ``int`` epoch milliseconds (or ``None``), lists of ``str``.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let param = |p: &Param| match p {
            Param::Text(s) => s.into_bound_py_any(py),
            Param::Int(n) => n.into_bound_py_any(py),
            Param::Texts(list) => list.into_bound_py_any(py),
        };
        PyTuple::new(py, self.inner.params.iter().map(param).collect::<PyResult<Vec<_>>>()?)
    }

    /// What to hand back: ``"true"``, ``"value"``, ``"count"``, ``"sessions"`` or ``"stored"``.
    #[getter]
    fn returns(&self) -> &'static str {
        self.inner.returns.name()
    }

    /// A compare-and-store's result from the rows it affected: ``True``, or ``ConflictError``.
    fn stored(&self, py: Python<'_>, rows: u64) -> PyResult<bool> {
        self.inner.stored(rows).or_raise(py)
    }

    /// A find's ``(sessions, dropped, unreadable)``, from the first column of every row.
    fn next(&self, py: Python<'_>, rows: Vec<String>) -> PyResult<Py<PyAny>> {
        outcome(py, self.inner.next(rows))
    }
}

/// The table and plans of the PostgreSQL layout.
#[pyclass(module = "sessionkeeper._native", name = "PostgresLayout", frozen)]
pub struct PyPostgresLayout {
    inner: PostgresLayout,
}

#[pymethods]
impl PyPostgresLayout {
    /// A layout over `table` (`None`: `sessionkeeper_sessions`), whose sweep keeps rows `grace`
    /// (seconds or a `timedelta`) past their session's last usable instant (`None`: 7 days).
    #[new]
    #[pyo3(signature = (table=None, grace=None))]
    fn py_new(
        py: Python<'_>,
        table: Option<&Bound<'_, PyAny>>,
        grace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let layout = PostgresLayout::new(option_arg(table, "table")?);
        Ok(PyPostgresLayout { inner: graced(layout, grace, PostgresLayout::with_grace_ms, py)? })
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

    /// The upsert of `session`.
    fn store(&self, session: &Bound<'_, PyAny>) -> PyResult<PostgresQuery> {
        let inner =
            self.inner.store_session(&*session_from_arg(session)?).or_raise(session.py())?;
        Ok(PostgresQuery { inner })
    }

    /// The load of `id`.
    fn load(&self, py: Python<'_>, id: &str) -> PyResult<PostgresQuery> {
        Ok(PostgresQuery { inner: self.inner.load(id).or_raise(py)? })
    }

    /// The delete of `ids`.
    fn delete_many(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<PostgresQuery> {
        Ok(PostgresQuery { inner: self.inner.delete_many(&ids).or_raise(py)? })
    }

    /// The find of `shop`'s sessions.
    fn find_by_shop(&self, py: Python<'_>, shop: &str) -> PyResult<PostgresQuery> {
        Ok(PostgresQuery { inner: self.inner.find_by_shop(shop).or_raise(py)? })
    }

    /// The store of `session` only over version `expected` (0: none yet).
    fn store_if_version(&self, session: &Bound<'_, PyAny>, v: u64) -> PyResult<PostgresQuery> {
        let inner = self.inner.store_if_version(&*session_from_arg(session)?, v);
        Ok(PostgresQuery { inner: inner.or_raise(session.py())? })
    }

    /// The sweep, now by the core's clock, of the sessions past their grace period.
    fn sweep(&self) -> PostgresQuery {
        PostgresQuery { inner: self.inner.sweep(Timestamp::now()) }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRedisLayout>()?;
    m.add_class::<RedisStep>()?;
    m.add_class::<PyPostgresLayout>()?;
    m.add_class::<PostgresQuery>()?;
    Ok(())
}
