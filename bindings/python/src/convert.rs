//! Python values → JSON values, aware `datetime`s → core `Timestamp`s (the way back is
//! `objects.rs`).
//!
//! Conversion only: a value's meaning (is this a valid session? a safe integer?) is decided
//! by the core after conversion. What this file refuses are values JSON has no form for
//! (sets, NaN, naive datetimes), naming where they sit.

use std::fmt;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyTzInfo,
};
use serde_json::{Map, Number, Value};
use sessionkeeper_core::error::{lone_surrogate, LONE_SURROGATE};
use sessionkeeper_core::{Origin, Timestamp};

use crate::error::to_py;

/// Where a value sits (`data.cart[2]`), built only when an error needs it.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// A top-level name: a field (`expires`), `session`, `entries`.
    Root(&'a str),
    /// A key of an object.
    Key(&'a Path<'a>, &'a str),
    /// An index of a list.
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Field names (`onlineAccessInfo`) as Python spells them (`online_access_info`).
            Path::Root(name) => f.write_str(&sessionkeeper_core::words::name(name)),
            // A session dict's own keys read as the field names they are (`"id"`, not `"session.id"`).
            Path::Key(Path::Root("session"), key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Who handed a value over, and how its errors read (worded like the core's field errors).
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// Picks the code: the app's own input or data read back from a store.
    pub origin: Origin,
    /// Words before the message (`load callback returned `).
    pub prefix: &'a str,
    /// Words after it (` (at index 3)`).
    pub suffix: &'a str,
}

impl Ctx<'static> {
    /// The app's own argument: `INVALID_ARGUMENT`.
    pub(crate) const ARGUMENT: Ctx<'static> =
        Ctx { origin: Origin::Argument, prefix: "", suffix: "" };
}

/// The error for a value at `path` that has no JSON form.
pub(crate) fn unconvertible(py: Python<'_>, ctx: Ctx<'_>, path: &Path<'_>, why: &str) -> PyErr {
    let what = match ctx.origin {
        Origin::Argument => "session",
        Origin::Stored => "invalid session",
    };
    let Ctx { origin, prefix, suffix } = ctx;
    let path = sessionkeeper_core::error::quote(&path.to_string());
    to_py(py, &origin.error(format!("{prefix}{what}: {path} {why}{suffix}")))
}

/// The text of a `str` named by `what()`, or the core's lone-surrogate error of `origin`: a
/// `str` may hold half a UTF-16 pair, which UTF-8 (and so the core) cannot.
pub(crate) fn text<'a>(
    s: &'a Bound<'_, PyString>,
    origin: Origin,
    what: impl FnOnce() -> String,
) -> PyResult<&'a str> {
    s.to_str().map_err(|_| to_py(s.py(), &lone_surrogate(origin, &what())))
}

/// The Python type name of `obj`, for messages (never its value, which may be a secret).
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

/// How deep `dict`s and `list`s may nest. JSON text nested deeper than 128 levels is refused
/// by the reader (serde_json's limit), so a deeper value could be stored but never read back;
/// the limit also stops a self-referencing dict.
pub(crate) const MAX_DEPTH: usize = 100;

/// Converts a Python value to JSON: `str`, `int`, `float`, `bool`, `None`, `dict` (string
/// keys), `list`/`tuple`, and aware `datetime`s, which become ISO-8601 text as
/// `JSON.stringify` writes a `Date`.
///
/// Host code runs during conversion (a subclass's `utcoffset`, `__str__`, …). Should it leave
/// the value in a state pyo3 panics over, the panic is caught here and raised as this
/// conversion's own `SessionStorageError`, never pyo3's `PanicException` (a `BaseException`
/// that `except Exception` misses).
pub(crate) fn to_value(obj: &Bound<'_, PyAny>, path: &Path<'_>, ctx: Ctx<'_>) -> PyResult<Value> {
    let converted =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| to_value_at(obj, path, ctx, 0)));
    converted.unwrap_or_else(|_| {
        Err(unconvertible(obj.py(), ctx, path, "changed while it was being converted"))
    })
}

fn to_value_at(
    obj: &Bound<'_, PyAny>,
    path: &Path<'_>,
    ctx: Ctx<'_>,
    depth: usize,
) -> PyResult<Value> {
    let py = obj.py();
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_str().map_err(|_| unconvertible(py, ctx, path, LONE_SURROGATE))?;
        return Ok(Value::String(text.to_owned()));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        let why = "holds an integer beyond ±(2^53 − 1), which JavaScript cannot hold exactly; store it as a string";
        return Err(unconvertible(py, ctx, path, why));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value()).map(Value::Number).ok_or_else(|| {
            unconvertible(py, ctx, path, "must be a finite number, got NaN or infinity")
        });
    }
    let containers = obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>();
    if containers && depth >= MAX_DEPTH {
        let why = format!("nests dicts and lists deeper than {MAX_DEPTH} levels");
        return Err(unconvertible(py, ctx, path, &why));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        // A snapshot of the items: converting a value can run Python code (a datetime
        // subclass's `utcoffset`, a str subclass) that mutates this dict, and iterating a dict
        // that changes size panics.
        for item in d.items().iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let Ok(key) = k.cast::<PyString>() else {
                let why = format!("must have string keys, got a key of type {}", type_name(&k));
                return Err(unconvertible(py, ctx, path, &why));
            };
            let key = key.to_str().map_err(|_| {
                unconvertible(py, ctx, path, &format!("has a key that {LONE_SURROGATE}"))
            })?;
            map.insert(key.to_owned(), to_value_at(&v, &Path::Key(path, key), ctx, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if containers {
        // A list or a tuple (dicts returned above), read as stored: never through a subclass's
        // `__iter__`, and a snapshot, as for dicts.
        let items: Vec<Bound<'_, PyAny>> = match obj.cast::<PyList>() {
            Ok(list) => list.iter().collect(),
            Err(_) => obj.cast::<PyTuple>()?.iter().collect(),
        };
        let items = items.iter().enumerate();
        let items = items.map(|(i, v)| to_value_at(v, &Path::Index(path, i), ctx, depth + 1));
        return items.collect::<PyResult<Vec<_>>>().map(Value::Array);
    }
    if obj.is_instance_of::<PyDateTime>() {
        let ms = epoch_ms(obj, path, ctx)?;
        return Ok(Value::String(ms.to_iso()));
    }
    let why = format!(
        "must hold JSON values (str, int, float, bool, None, dict, list) or aware datetimes, got a value of type {}",
        type_name(obj)
    );
    Err(unconvertible(py, ctx, path, &why))
}

static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ONE_MS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An aware `datetime` as a timestamp, microseconds truncated to the millisecond. A naive one
/// (no `tzinfo`, or one whose `utcoffset` is `None`) is refused: a silent timezone guess is a
/// bug waiting to happen.
pub(crate) fn epoch_ms(
    dt: &Bound<'_, PyAny>,
    path: &Path<'_>,
    ctx: Ctx<'_>,
) -> PyResult<Timestamp> {
    let py = dt.py();
    if dt.call_method0("utcoffset")?.is_none() {
        let why = "must be a timezone-aware datetime, got a naive datetime (no tzinfo)";
        return Err(unconvertible(py, ctx, path, why));
    }
    let epoch = EPOCH.get_or_try_init(py, || -> PyResult<_> {
        let utc = PyTzInfo::utc(py)?;
        Ok(PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&utc))?.into_any().unbind())
    })?;
    let one_ms = ONE_MS.get_or_try_init(py, || -> PyResult<_> {
        let timedelta = py.import("datetime")?.getattr("timedelta")?;
        Ok(timedelta.call((0, 0, 1000), None)?.unbind())
    })?;
    // Exact integer arithmetic in Python: `timestamp()` is a float and loses microseconds.
    let ms: i64 = dt.sub(epoch.bind(py))?.floor_div(one_ms.bind(py))?.extract()?;
    Timestamp::from_epoch_ms(ms)
        .ok_or_else(|| unconvertible(py, ctx, path, "is out of the range of a JavaScript Date"))
}

/// `bytes` a store handed back, as text when they are UTF-8.
pub(crate) fn bytes_text<'a>(b: &'a Bound<'_, PyBytes>) -> Option<&'a str> {
    std::str::from_utf8(b.as_bytes()).ok()
}
