//! The native half of `SessionManager` (`sessionkeeper/manager.py`): the core's lifecycle
//! manager, driven with JSON text. The Python layer performs the storage calls a plan names;
//! every decision is the core's.

use std::sync::Arc;

use pyo3::prelude::*;
use sessionkeeper_core::manager::text::now;
use sessionkeeper_core::manager::{Begin, Keeping, Managed, Manager, Plan};

use crate::error::OrRaise;
use crate::stores::MemoryStore;

/// A manager's rules over its checked options.
#[pyclass(module = "sessionkeeper._native", frozen)]
pub struct NativeManager {
    inner: Arc<Manager>,
}

#[pymethods]
impl NativeManager {
    /// Checks ``options`` (JSON text: Python names, durations in seconds); ``sealed`` for the
    /// cookie-only storage, ``can_compare`` when the storage can store over an expected version.
    #[new]
    fn new(py: Python<'_>, options: &str, sealed: bool, can_compare: bool) -> PyResult<Self> {
        let keeping = if sealed { Keeping::Sealed } else { Keeping::Stored };
        let inner = Manager::from_options_json(options, keeping, can_compare).or_raise(py)?;
        Ok(NativeManager { inner: Arc::new(inner) })
    }

    /// Reads a ``Cookie`` header (never raises): the request's session, still to be opened.
    #[pyo3(signature = (header))]
    fn begin(&self, header: Option<&str>) -> SessionState {
        let begin = self.inner.begin(header);
        SessionState {
            manager: self.inner.clone(),
            begin: Some(begin),
            managed: None,
            pending: None,
        }
    }
}

/// One request's session as the core tracks it.
#[pyclass(module = "sessionkeeper._native")]
pub struct SessionState {
    manager: Arc<Manager>,
    begin: Option<Begin>,
    managed: Option<Managed>,
    pending: Option<Plan>,
}

fn not_open(py: Python<'_>) -> PyErr {
    crate::error::to_py(
        py,
        &sessionkeeper_core::Error::InvalidArgument("the session is not open yet".into()),
    )
}

impl SessionState {
    fn managed(&self, py: Python<'_>) -> PyResult<&Managed> {
        self.managed.as_ref().ok_or_else(|| not_open(py))
    }

    fn managed_mut(&mut self, py: Python<'_>) -> PyResult<&mut Managed> {
        self.managed.as_mut().ok_or_else(|| not_open(py))
    }
}

/// A plan as Python takes it: ``(store, expected_version, delete, set_cookie)``.
type PlanTuple = (Option<String>, Option<u64>, Option<String>, Option<String>);

#[pymethods]
impl SessionState {
    /// The id to load before ``open``, or ``None``.
    #[getter]
    fn load_id(&self) -> Option<String> {
        self.begin.as_ref().and_then(|b| b.id.clone())
    }

    /// Opens the session with what the storage returned for ``load_id`` (canonical JSON or ``None``).
    #[pyo3(signature = (loaded, now_ms))]
    fn open(&mut self, py: Python<'_>, loaded: Option<&str>, now_ms: f64) -> PyResult<()> {
        let begin = self.begin.take().unwrap_or(Begin { id: None, refused: false, sealed: None });
        let now = now(now_ms).or_raise(py)?;
        self.managed = Some(self.manager.open_json(&begin, loaded, now).or_raise(py)?);
        Ok(())
    }

    /// Opens the session from the embedded memory storage ``store`` directly (no JSON crosses).
    fn open_in_memory(
        &mut self,
        py: Python<'_>,
        store: PyRef<'_, MemoryStore>,
        now_ms: f64,
    ) -> PyResult<()> {
        let begin = self.begin.take().unwrap_or(Begin { id: None, refused: false, sealed: None });
        let now = now(now_ms).or_raise(py)?;
        self.managed = Some(self.manager.open_in_memory(&begin, &store.inner, now).or_raise(py)?);
        Ok(())
    }

    /// The session id.
    #[getter]
    fn id(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.managed(py)?.id().to_owned())
    }

    /// Whether the session was minted by this request.
    #[getter]
    fn is_new(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.managed(py)?.is_new())
    }

    /// When the session was created, in epoch ms.
    #[getter]
    fn created_at(&self, py: Python<'_>) -> PyResult<i64> {
        Ok(self.managed(py)?.created_at().epoch_ms())
    }

    /// The session's deadline in epoch ms, or ``None``.
    #[getter]
    fn expires_at(&self, py: Python<'_>) -> PyResult<Option<i64>> {
        Ok(self.managed(py)?.expires_at().map(|t| t.epoch_ms()))
    }

    /// The app's values as loaded (JSON text).
    #[getter]
    fn values(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.managed(py)?.values_json())
    }

    /// The flash values as loaded (JSON text).
    #[getter]
    fn flash(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.managed(py)?.flash_json())
    }

    /// Why the request's cookie was refused, or ``None``.
    #[getter]
    fn refused(&self, py: Python<'_>) -> PyResult<Option<&'static str>> {
        Ok(self.managed(py)?.refused().map(|r| r.as_str()))
    }

    /// The log line for a refused cookie (why, and a hash of the id it named), or ``None``.
    #[getter]
    fn refusal(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.managed(py)?.refusal())
    }

    /// Moves the session to a new id; the old record goes at the next commit.
    fn regenerate(&mut self, py: Python<'_>, now_ms: f64) -> PyResult<()> {
        let now = now(now_ms).or_raise(py)?;
        self.managed_mut(py)?.regenerate(now).or_raise(py)
    }

    /// Ends the session: the next commit deletes it and clears the cookie.
    fn destroy(&mut self, py: Python<'_>) -> PyResult<()> {
        self.managed_mut(py)?.destroy();
        Ok(())
    }

    /// What committing the app's ``values`` and ``flash`` (JSON text; ``None``: as loaded)
    /// does; ``committed()`` after performing it.
    fn commit(
        &mut self,
        py: Python<'_>,
        values: Option<&str>,
        flash: Option<&str>,
        now_ms: f64,
    ) -> PyResult<PlanTuple> {
        let now = now(now_ms).or_raise(py)?;
        let plan = self.manager.commit_json(self.managed(py)?, values, flash, now).or_raise(py)?;
        let out = (
            plan.store.as_ref().map(|s| s.to_json()),
            plan.expected_version,
            plan.delete.clone(),
            plan.set_cookie.clone(),
        );
        self.pending = Some(plan);
        Ok(out)
    }

    /// Records that the last plan was performed.
    fn committed(&mut self) {
        if let (Some(plan), Some(m)) = (self.pending.take(), self.managed.as_mut()) {
            m.committed(plan);
        }
    }
}
