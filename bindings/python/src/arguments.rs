//! Method arguments of `Session` that are not session fields: scopes, `within_ms`, flags.
//! Host types are checked here; their meaning (implied scopes, millisecond rules) is the core's.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};
use sessionkeeper_core::host::within_ms;
use sessionkeeper_core::{AuthScopes, Error as CoreError, Origin};

use crate::convert::{text, type_name};
use crate::error::{to_py, OrRaise};

pub(crate) fn invalid_argument(py: Python<'_>, message: String) -> PyErr {
    to_py(py, &CoreError::InvalidArgument(message))
}

/// `INVALID_ARGUMENT`: what `obj` should be, and its type (never its value, maybe a secret).
pub(crate) fn wrong_type(obj: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    invalid_argument(obj.py(), format!("{expected}, got a value of type {}", type_name(obj)))
}

/// Scopes as Shopify's `AuthScopes` takes them: a comma-separated string or strings.
pub(crate) fn scopes_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<AuthScopes>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(AuthScopes::parse(text(s, Origin::Argument, || "scopes".into())?)));
    }
    let bad = || wrong_type(obj, "scopes must be a string or an iterable of strings");
    let mut scopes = Vec::new();
    for item in obj.try_iter().map_err(|_| bad())? {
        let item = item?;
        let s = item.cast::<PyString>().map_err(|_| bad())?;
        scopes.push(text(s, Origin::Argument, || "scopes".into())?.to_owned());
    }
    Ok(Some(scopes.into_iter().collect()))
}

/// A `within_ms` argument: a number of milliseconds (not a bool), or `None` for the default.
pub(crate) fn within_arg(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    default: i64,
) -> PyResult<i64> {
    let value = match obj.filter(|o| !o.is_none()) {
        None => None,
        Some(o) if o.is_instance_of::<PyBool>() => {
            return Err(invalid_argument(py, "within_ms must be a number, got a bool".into()))
        }
        Some(o) => {
            Some(o.extract::<f64>().map_err(|_| wrong_type(o, "within_ms must be a number"))?)
        }
    };
    within_ms(value, default, "within_ms").or_raise(py)
}

/// A flag argument (`return_user_data`): a `bool`, `False` when not given.
pub(crate) fn bool_arg(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<bool> {
    let Some(obj) = obj else { return Ok(false) };
    let bad = || wrong_type(obj, &format!("{name} must be a bool"));
    obj.cast::<PyBool>().map(|b| b.is_true()).map_err(|_| bad())
}
