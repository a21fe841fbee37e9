//! The custom storage's policy as the Python facade drives it (`_calls.py`, `custom.py`): the
//! timeout option, the deadlines of pending callbacks, and the `delete_sessions` fallback. The
//! core decides each (`storage::deadlines`, `storage::fallback`); this converts.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList};
use sessionkeeper_core::storage::callback as engine;
use sessionkeeper_core::storage::deadlines::Deadlines as CoreDeadlines;
use sessionkeeper_core::storage::fallback::{self, DeleteManyPlan};
use sessionkeeper_core::Error as CoreError;

use crate::arguments::invalid_argument;
use crate::callback::ids_arg;
use crate::convert::type_name;
use crate::error::{to_py, OrRaise};

/// The callback timeout in milliseconds from the `timeout` option (seconds; `None` disables it).
#[pyfunction]
fn timeout_ms(value: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    let bad = || {
        let got = type_name(value);
        let message =
            format!("timeout must be a number of seconds or None, got a value of type {got}");
        invalid_argument(value.py(), message)
    };
    let seconds = match value {
        v if v.is_none() => None,
        v if v.is_instance_of::<PyBool>() => return Err(bad()),
        v => Some(v.extract::<f64>().map_err(|_| bad())?),
    };
    engine::timeout_ms(seconds).or_raise(value.py())
}

/// What `delete_sessions` does: a `str` hands every id to the `delete_sessions` callback (it
/// names them in messages); a list of batches calls `delete` per id, one batch after another
/// (the ids of a batch concurrently), then `finish_delete_many`. No batches: nothing to do.
#[pyfunction]
fn plan_delete_many<'py>(
    ids: &Bound<'py, PyAny>,
    has_callback: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = ids.py();
    Ok(match fallback::plan_delete_many(&ids_arg(ids)?, has_callback).or_raise(py)? {
        DeleteManyPlan::Callback(subject) => subject.into_pyobject(py)?.into_any(),
        DeleteManyPlan::Done => PyList::empty(py).into_any(),
        DeleteManyPlan::PerId(batches) => batches.into_pyobject(py)?.into_any(),
    })
}

/// The result of the per-id fallback: `outcomes[i]` is what `delete_session(ids[i])` returned
/// or the `SessionStorageError` it raised, the batches' ids in plan order. Raises the one error
/// the core words, its `__cause__` the failure it names first.
#[pyfunction]
fn finish_delete_many(
    py: Python<'_>,
    ids: Vec<String>,
    outcomes: Vec<Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let read = |o: &Bound<'_, PyAny>| -> PyResult<Result<bool, CoreError>> {
        if let Ok(b) = o.cast::<PyBool>() {
            return Ok(Ok(b.is_true()));
        }
        let code: String = o.getattr("code")?.extract()?;
        let message: String = o.getattr("message")?.extract()?;
        CoreError::from_code(&code, message)
            .map(Err)
            .ok_or_else(|| invalid_argument(py, format!("unknown error code {code:?}")))
    };
    let read = outcomes.iter().map(read).collect::<PyResult<Vec<_>>>()?;
    fallback::finish_delete_many(&ids, &read).map_err(|failure| {
        let err = to_py(py, &failure.error);
        if let Some(cause) = failure.cause.and_then(|i| outcomes.get(i)) {
            err.set_cause(py, Some(PyErr::from_value(cause.clone())));
        }
        err
    })
}

/// The deadlines of one storage's pending callbacks on one event loop: the core's
/// `storage::deadlines`, driven by `_calls.py` with one timer. Times are the loop's clock
/// (`loop.time()`, seconds).
#[pyclass(module = "sessionkeeper._native")]
struct Deadlines(CoreDeadlines);

#[pymethods]
impl Deadlines {
    #[new]
    fn new(timeout_ms: u64) -> Self {
        Deadlines(CoreDeadlines::new(timeout_ms))
    }

    /// Registers callback number `seq`, started at `now`; returns the latest start time whose
    /// deadline is this one's (calls started until then are numbered without asking).
    fn start(&mut self, now: f64, seq: u64) -> f64 {
        let until = self.0.start(now * 1000.0, seq);
        // Seconds that never read as a later time in milliseconds: a call is never due early.
        let mut seconds = until / 1000.0;
        while seconds * 1000.0 > until {
            seconds = seconds.next_down();
        }
        seconds
    }

    /// The pending calls numbered below the answer are past their deadline at `now` (every
    /// call when the answer is 2**64 - 1).
    fn expired(&mut self, now: f64) -> u64 {
        self.0.expired(now * 1000.0)
    }

    /// Seconds from `now` until the timer should fire, given the oldest call still pending;
    /// `None` when nothing is pending.
    fn next_delay(&mut self, now: f64, oldest_pending: Option<u64>) -> Option<f64> {
        self.0.next_delay(now * 1000.0, oldest_pending).map(|ms| ms / 1000.0)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(timeout_ms, m)?)?;
    m.add_function(wrap_pyfunction!(plan_delete_many, m)?)?;
    m.add_function(wrap_pyfunction!(finish_delete_many, m)?)?;
    m.add_class::<Deadlines>()
}
