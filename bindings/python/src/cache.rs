//! The native half of the read-through cache (`sessionkeeper.custom`): the core's `Cache` over
//! shared immutable sessions, handed out as `Session`s that copy on their first change. The
//! clock is the caller's, in epoch ms.

use std::sync::Arc;

use pyo3::prelude::*;
use sessionkeeper_core::storage::cache::{Cache, CacheConfig};
use sessionkeeper_core::Session;

use crate::error::OrRaise;
use crate::session::PySession;
use crate::views::session_from_arg;

/// Validated sessions by id, bounded and expiring as the core decides.
#[pyclass(module = "sessionkeeper._native", name = "SessionCache")]
pub struct NativeCache {
    inner: Cache<Arc<Session>>,
}

#[pymethods]
impl NativeCache {
    /// `max_staleness` in seconds; `None`: the default of each.
    #[new]
    #[pyo3(signature = (max_entries=None, max_bytes=None, max_staleness=None))]
    fn py_new(
        py: Python<'_>,
        max_entries: Option<f64>,
        max_bytes: Option<f64>,
        max_staleness: Option<f64>,
    ) -> PyResult<Self> {
        let config =
            CacheConfig::from_options(max_entries, max_bytes, max_staleness).or_raise(py)?;
        Ok(NativeCache { inner: Cache::new(config) })
    }

    /// The session held for `id` at `now_ms`, or `None`.
    fn get(&mut self, id: &str, now_ms: i64) -> Option<PySession> {
        self.inner.get(id, now_ms).map(|s| PySession::shared(s.clone()))
    }

    /// What a load starting now passes to `admit`.
    fn ticket(&self) -> u64 {
        self.inner.ticket()
    }

    /// Offers the session a load of `id` produced; whether it was admitted.
    fn admit(
        &mut self,
        id: &str,
        session: &Bound<'_, PyAny>,
        ticket: u64,
        now_ms: i64,
    ) -> PyResult<bool> {
        let s = session_from_arg(session)?;
        Ok(self.inner.admit_session(id, &s.clone(), s, ticket, now_ms))
    }

    /// Drops `id` after an own write, and refuses loads already out.
    fn invalidate(&mut self, id: &str) {
        self.inner.invalidate(id)
    }

    /// Drops everything.
    fn clear(&mut self) {
        self.inner.clear()
    }

    /// Sessions held.
    #[getter]
    fn entries(&self) -> usize {
        self.inner.len()
    }

    /// Bytes held (ids plus canonical JSON).
    #[getter]
    fn bytes(&self) -> usize {
        self.inner.bytes()
    }
}
