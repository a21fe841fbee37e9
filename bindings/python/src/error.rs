//! The one place core errors become Python exceptions.
//!
//! The exception classes are plain Python (`sessionkeeper/errors.py`), so they subclass
//! `ValueError`, `TimeoutError`, … naturally and pickle like any exception; this module only
//! asks that file for the class of a code.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use sessionkeeper_core::Error as CoreError;

static FROM_CODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `SessionStorageError` (subclass) instance for `err`, not yet raised.
pub(crate) fn exception<'py>(py: Python<'py>, err: &CoreError) -> PyResult<Bound<'py, PyAny>> {
    let from_code = FROM_CODE.import(py, "sessionkeeper.errors", "_from_code")?;
    from_code.call1((err.code(), err.message()))
}

/// `err` as a raisable `PyErr` (a failure to build the exception is raised instead).
pub(crate) fn to_py(py: Python<'_>, err: &CoreError) -> PyErr {
    match exception(py, err) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// `?`-friendly conversion of core results.
pub(crate) trait OrRaise<T> {
    /// The value, or the core error as a Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, CoreError> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}
