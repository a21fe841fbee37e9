//! `CustomSessionStorage` support. The Python facade awaits the app's callback in the calling
//! coroutine (no thread hop, ARCHITECTURE.md) and hands what came back to exactly one of these
//! synchronous functions, which ask the core's sans-IO engine (`storage::callback`) what it
//! means and build the `Session` the caller gets.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PyString, PyTuple};
use sessionkeeper_core::session::check_id;
use sessionkeeper_core::storage::callback::{self as engine, Op, Returned};
use sessionkeeper_core::storage::check_shop;
use sessionkeeper_core::{Origin, Session};

use crate::arguments::invalid_argument;
use crate::convert::{self, to_value, type_name, Ctx, Path};
use crate::error::{exception, to_py, OrRaise};
use crate::session::PySession;
use crate::views::session_from_arg;

fn op(py: Python<'_>, name: &str) -> PyResult<Op> {
    Op::from_callback(name).or_raise(py)
}

/// A `str` argument named `name`, or `INVALID_ARGUMENT` naming its type.
pub(crate) fn str_arg<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a str> {
    match obj.cast::<PyString>() {
        Ok(s) => convert::text(s, Origin::Argument, || name.to_owned()),
        Err(_) => Err(invalid_argument(
            obj.py(),
            format!("{name} must be a string, got a value of type {}", type_name(obj)),
        )),
    }
}

/// The items of a list or tuple; `None` for anything else.
fn items<'py>(obj: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    match obj.cast::<PyList>() {
        Ok(l) => Some(l.iter().collect()),
        Err(_) => obj.cast::<PyTuple>().ok().map(|t| t.iter().collect()),
    }
}

/// A list or tuple of `str` ids.
pub(crate) fn ids_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let bad = |what: &str, o: &Bound<'_, PyAny>| {
        let message = format!("ids must be a list of strings, got {what} of type {}", type_name(o));
        invalid_argument(obj.py(), message)
    };
    let items = items(obj).ok_or_else(|| bad("a value", obj))?;
    let text = |(i, item): (usize, &Bound<'_, PyAny>)| {
        let s = item.cast::<PyString>().map_err(|_| bad("an item", item))?;
        convert::text(s, Origin::Argument, || format!("ids[{i}]")).map(str::to_owned)
    };
    items.iter().enumerate().map(text).collect()
}

/// A result that is not of the kind its callback must return, for the error that says so:
/// nothing, a `str` or `dict` when `json` (a session's shapes), or a value of its type.
fn other<'a>(obj: &Bound<'_, PyAny>, scratch: &'a mut String, json: bool) -> Returned<'a> {
    if obj.is_none() {
        return Returned::Nothing;
    }
    if json && (obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyString>()) {
        return Returned::Json("");
    }
    *scratch = type_name(obj);
    Returned::Other(scratch)
}

/// What a callback resolved to, as the engine sees it. `scratch` holds a type name that
/// `Returned::Other` borrows; `ctx` words conversion errors of dicts and lists.
fn returned<'a>(
    obj: &'a Bound<'_, PyAny>,
    scratch: &'a mut String,
    ctx: Ctx<'_>,
) -> PyResult<Returned<'a>> {
    if obj.is_none() {
        return Ok(Returned::Nothing);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let what = || format!("{}session text", ctx.prefix);
        return Ok(Returned::Json(convert::text(s, ctx.origin, what)?));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Returned::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PySession>() {
        let session: Session = (*PySession::core(s)?).clone();
        return Ok(Returned::Session(Box::new(session)));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        if let Some(text) = convert::bytes_text(b) {
            return Ok(Returned::Json(text));
        }
        *scratch = "bytes (not UTF-8 text)".into();
        return Ok(Returned::Other(scratch));
    }
    if obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
    {
        return Ok(Returned::Value(to_value(obj, &Path::Root("session"), ctx)?));
    }
    *scratch = type_name(obj);
    Ok(Returned::Other(scratch))
}

/// Checks a session id argument: a `str`, non-empty, at most 1024 UTF-8 bytes.
#[pyfunction]
fn check_id_argument(id: &Bound<'_, PyAny>) -> PyResult<()> {
    check_id(str_arg(id, "id")?, Origin::Argument).or_raise(id.py())
}

/// Checks the `shop` argument of `find_sessions_by_shop`.
#[pyfunction]
fn check_shop_argument(shop: &Bound<'_, PyAny>) -> PyResult<()> {
    check_shop(str_arg(shop, "shop")?).or_raise(shop.py())
}

/// The session to hand to a `store` callback: a snapshot of a `Session` (later changes by the
/// caller do not reach a pending callback) or a new one built from a dict. `INVALID_ARGUMENT`
/// for anything that is not a valid session.
#[pyfunction]
fn session_argument(session: &Bound<'_, PyAny>) -> PyResult<PySession> {
    Ok(PySession::shared(session_from_arg(session)?))
}

/// The result of a `store`, `delete` or `deleteSessions` callback: `True` or `False`, anything
/// else `INVALID_CALLBACK_RESULT`.
#[pyfunction]
fn finish_bool(operation: &str, result: &Bound<'_, PyAny>) -> PyResult<bool> {
    if let Ok(b) = result.cast::<PyBool>() {
        return Ok(b.is_true());
    }
    let operation = op(result.py(), operation)?;
    engine::finish_bool(operation, &other(result, &mut String::new(), false)).or_raise(result.py())
}

/// What a `store_if_version` callback's boolean means for session `id` over version `expected`:
/// `True`, or `ConflictError`.
#[pyfunction]
fn finish_store_if_version(
    py: Python<'_>,
    stored: bool,
    id: &str,
    expected: u64,
) -> PyResult<bool> {
    engine::finish_store_if_version(stored, id, expected).or_raise(py)
}

/// The result of the `load` callback for `id`: `None` (not found) or the `Session`, from any
/// accepted shape (a `Session`, a dict, JSON text as `str` or UTF-8 `bytes`, a property array).
/// A result that is not a session with that id is `INVALID_SESSION`.
#[pyfunction]
fn finish_load(id: &str, result: &Bound<'_, PyAny>) -> PyResult<Option<PySession>> {
    let py = result.py();
    let mut scratch = String::new();
    let ctx = Ctx { origin: Origin::Stored, prefix: "load callback returned ", suffix: "" };
    let found = engine::finish_load(id, returned(result, &mut scratch, ctx)?).or_raise(py)?;
    Ok(found.map(|c| PySession::new(c.into_session())))
}

/// The result of the `findSessionsByShop` callback for `shop`: a list (or tuple) whose items
/// take any form `load` accepts, each validated and of that shop.
#[pyfunction]
fn finish_found(shop: &str, result: &Bound<'_, PyAny>) -> PyResult<Vec<PySession>> {
    let py = result.py();
    let Some(items) = items(result) else {
        return Err(to_py(py, &engine::not_a_list(&other(result, &mut String::new(), true))));
    };
    let mut sessions = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let mut scratch = String::new();
        let suffix = format!(" (at index {index})");
        let ctx = Ctx {
            origin: Origin::Stored,
            prefix: "findSessionsByShop callback returned ",
            suffix: &suffix,
        };
        let found = engine::finish_found_item(shop, index, returned(item, &mut scratch, ctx)?);
        sessions.push(PySession::new(found.or_raise(py)?.into_session()));
    }
    Ok(sessions)
}

/// The `CALLBACK_FAILED` error (not raised) for a callback that raised: `text` is `str()` of
/// its exception (`None` when that raised), `type_name` its class. The facade raises it `from`
/// the original exception.
#[pyfunction]
fn callback_failed<'py>(
    py: Python<'py>,
    operation: &str,
    subject: &str,
    text: Option<&str>,
    type_name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    exception(py, &engine::callback_failed(op(py, operation)?, subject, text, type_name))
}

/// The `CALLBACK_TIMEOUT` error (not raised) for a callback that did not settle in `timeout_ms`.
#[pyfunction]
fn callback_timeout<'py>(
    py: Python<'py>,
    operation: &str,
    subject: &str,
    timeout_ms: u64,
) -> PyResult<Bound<'py, PyAny>> {
    exception(py, &engine::callback_timeout(op(py, operation)?, subject, timeout_ms))
}

/// The `NOT_SUPPORTED` error (not raised) for `find_sessions_by_shop` without its callback.
#[pyfunction]
fn find_not_supported(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    exception(py, &engine::find_not_supported())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(check_id_argument, m)?)?;
    m.add_function(wrap_pyfunction!(check_shop_argument, m)?)?;
    m.add_function(wrap_pyfunction!(session_argument, m)?)?;
    m.add_function(wrap_pyfunction!(finish_bool, m)?)?;
    m.add_function(wrap_pyfunction!(finish_store_if_version, m)?)?;
    m.add_function(wrap_pyfunction!(finish_load, m)?)?;
    m.add_function(wrap_pyfunction!(finish_found, m)?)?;
    m.add_function(wrap_pyfunction!(callback_failed, m)?)?;
    m.add_function(wrap_pyfunction!(callback_timeout, m)?)?;
    m.add_function(wrap_pyfunction!(find_not_supported, m)?)?;
    crate::policy::register(m)
}
