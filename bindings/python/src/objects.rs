//! Core values → Python objects: JSON values as `dict`/`list`/…, timestamps as aware UTC
//! `datetime`s, `onlineAccessInfo` as a `dict` (the way in is `convert.rs`).

use chrono::{DateTime, Datelike, Timelike, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyFloat, PyList, PyString, PyTzInfo};
use serde_json::{Map, Number, Value};
use sessionkeeper_core::session::InfoValue;
use sessionkeeper_core::Timestamp;

/// A timestamp as an aware UTC `datetime`. Python's `datetime` stops at year 9999; later
/// instants (which JavaScript allows) raise `ValueError` here, while `to_json` still works.
pub(crate) fn to_datetime(py: Python<'_>, t: Timestamp) -> PyResult<Bound<'_, PyDateTime>> {
    let dt = DateTime::<Utc>::from_timestamp_millis(t.epoch_ms()).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err("timestamp out of range".to_string())
    })?;
    if !(1..=9999).contains(&dt.year()) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} is outside the years a Python datetime holds (1-9999)",
            t.to_iso()
        )));
    }
    let utc = PyTzInfo::utc(py)?;
    PyDateTime::new(
        py,
        dt.year(),
        dt.month() as u8,
        dt.day() as u8,
        dt.hour() as u8,
        dt.minute() as u8,
        dt.second() as u8,
        dt.timestamp_subsec_micros(),
        Some(&utc),
    )
}

/// Converts JSON to Python: objects become `dict`s (in order), arrays `list`s.
pub(crate) fn from_value<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => number(py, n)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_value(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => object(py, map)?.into_any(),
    })
}

/// `onlineAccessInfo` (or its `associated_user`) as a `dict` with Shopify's snake_case keys:
/// the known keys the core lists, then the others.
pub(crate) fn info_dict<'py>(
    py: Python<'py>,
    known: &[(&str, Option<InfoValue<'_>>)],
    extra: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (key, value) in known {
        match value {
            Some(InfoValue::Number(n)) => d.set_item(key, number(py, n)?)?,
            Some(InfoValue::Text(s)) => d.set_item(key, s)?,
            Some(InfoValue::Flag(b)) => d.set_item(key, b)?,
            Some(InfoValue::User(u)) => d.set_item(key, info_dict(py, &u.known(), &u.extra)?)?,
            None => {}
        }
    }
    for (k, v) in extra {
        d.set_item(k, from_value(py, v)?)?;
    }
    Ok(d)
}

/// A JSON object as a `dict`.
pub(crate) fn object<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, from_value(py, v)?)?;
    }
    Ok(dict)
}

/// A JSON number as `int` or `float`.
pub(crate) fn number<'py>(py: Python<'py>, n: &Number) -> PyResult<Bound<'py, PyAny>> {
    if let Some(i) = n.as_i64() {
        return Ok(i.into_pyobject(py)?.into_any());
    }
    if let Some(u) = n.as_u64() {
        return Ok(u.into_pyobject(py)?.into_any());
    }
    Ok(PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any())
}
