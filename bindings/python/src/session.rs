//! `sessionkeeper.Session`: a Rust-owned session whose attributes are built on access.
//!
//! Loads hand back this class without any JSON or `dict` work (ARCHITECTURE.md: a lazy
//! `#[pyclass]` loaded 3.85× faster than pure Python). The core `Session` sits behind an `Arc`
//! shared with the storage it came from and is copied only when a setter changes it.
//! `data` and `online_access_info` are handed out as `dict`s that stay attached: changes made
//! through them are read back (and validated) before the session is serialised or compared.

use std::sync::Arc;

use pyo3::exceptions::{PyAttributeError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDateTime, PyDict, PyList, PyString, PyTuple, PyType};
use serde_json::Value;
use sessionkeeper_core::host::{ACTIVE_WITHIN_MS, FIELDS};
use sessionkeeper_core::{Origin, PropertyArrayMode, Session};

use crate::arguments::{bool_arg, scopes_arg, within_arg, wrong_type};
use crate::convert::{self, to_value, Ctx, Path};
use crate::error::OrRaise;
use crate::objects;
use crate::views::{from_arguments, session_from_arg};

/// A Shopify-compatible session: `id`, `shop`, `state`, `is_online`, `scope`, `expires`,
/// `access_token`, `refresh_token`, `refresh_token_expires`, `online_access_info`, plus app `data`.
///
/// Every attribute is validated when set (`SessionStorageError` `INVALID_ARGUMENT` naming the
/// field). `expires` values are timezone-aware UTC datetimes kept to the millisecond; the
/// constructor and setters also take ISO-8601 text with an offset or an epoch number
/// (milliseconds, except that 1e9 up to 1e11 are epoch seconds: never silently a 1970 date).
/// `to_json()` gives the canonical JSON that Node's `JSON.stringify(session)` gives.
/// `repr()` follows the core's one redaction rule: tokens `<redacted>`, `data` as `<N keys>`.
#[pyclass(module = "sessionkeeper", name = "Session")]
pub struct PySession {
    pub(crate) inner: Arc<Session>,
    /// The `data` dict handed out, read back before the session is used.
    pub(crate) data_view: Option<Py<PyDict>>,
    /// The `online_access_info` dict handed out, read back likewise.
    pub(crate) info_view: Option<Py<PyDict>>,
}

#[pymethods]
impl PySession {
    /// Creates a session; `id` is required, every other field optional. Invalid values raise
    /// `InvalidArgumentError` (a `SessionStorageError` and a `ValueError`) naming the field.
    #[new]
    #[pyo3(signature = (*args, **kwargs),
        text_signature = "(id, shop='', state='', is_online=False, scope=None, expires=None, access_token=None, refresh_token=None, refresh_token_expires=None, online_access_info=None, data=None)")]
    fn py_new(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(Self::new(from_arguments(args, kwargs)?))
    }

    /// Sets a field by the constructor's rules (`InvalidArgumentError` naming the field);
    /// `None` means absent, so `""`/`False` for `shop`, `state` and `is_online`.
    fn __setattr__(
        &mut self,
        py: Python<'_>,
        name: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        match FIELDS.iter().find(|f| f.python == name) {
            Some(field) => self.set(py, field, value),
            None => Err(PyAttributeError::new_err(format!(
                "'Session' object has no attribute '{name}'"
            ))),
        }
    }

    /// The session id: a non-empty string of at most 1024 UTF-8 bytes.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The shop domain (`example.myshopify.com`); `""` when unset.
    #[getter]
    fn shop(&self) -> &str {
        &self.inner.shop
    }

    /// The OAuth state; `""` when unset.
    #[getter]
    fn state(&self) -> &str {
        &self.inner.state
    }

    /// Whether the access token is an online (per-user) token.
    #[getter]
    fn is_online(&self) -> bool {
        self.inner.is_online
    }

    /// The granted scopes, comma-separated, or `None`.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// When the access token expires (an aware UTC datetime), or `None`.
    #[getter]
    fn expires<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        self.inner.expires.map(|t| objects::to_datetime(py, t)).transpose()
    }

    /// The access token, or `None`. Never shown by `repr()`.
    #[getter]
    fn access_token(&self) -> Option<&str> {
        self.inner.access_token.as_deref()
    }

    /// The refresh token, or `None`. Never shown by `repr()`.
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.inner.refresh_token.as_deref()
    }

    /// When the refresh token expires (an aware UTC datetime), or `None`.
    #[getter]
    fn refresh_token_expires<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        self.inner.refresh_token_expires.map(|t| objects::to_datetime(py, t)).transpose()
    }

    /// The user behind an online token, as a dict with Shopify's snake_case keys (`expires_in`,
    /// `associated_user_scope`, `session`, `account_number`, `associated_user`), or `None`.
    /// Changes made to the dict are part of the session.
    #[getter]
    fn online_access_info(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyDict>>> {
        let info = self.inner.online_access_info.as_ref();
        view(py, &mut self.info_view, || {
            info.map(|i| objects::info_dict(py, &i.known(), &i.extra)).transpose()
        })
    }

    /// Free app data (a dict of JSON values), or `None`. Changes made to the dict are part of
    /// the session.
    #[getter]
    fn data(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyDict>>> {
        let data = self.inner.data.as_ref();
        view(py, &mut self.data_view, || data.map(|m| objects::object(py, m)).transpose())
    }

    /// The canonical JSON text, byte-identical to Node's `JSON.stringify(session)`.
    fn to_json(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(Self::core(slf)?.to_json())
    }

    /// The canonical JSON object as a dict (camelCase keys, dates as ISO-8601 strings).
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::from_str(&Self::core(slf)?.to_json());
        objects::from_value(slf.py(), &value.map_err(|e| PyRuntimeError::new_err(e.to_string()))?)
    }

    /// Reads JSON text (`str` or UTF-8 `bytes`) in any accepted shape: canonical JSON, a plain
    /// object with ISO or epoch-millisecond dates, or a property array. Bad text raises
    /// `InvalidSessionError`.
    #[classmethod]
    fn from_json(cls: &Bound<'_, PyType>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = cls.py();
        let text: &str = if let Ok(s) = text.cast::<PyString>() {
            convert::text(s, Origin::Stored, || "session text".into())?
        } else if let Some(t) = text.cast::<PyBytes>().ok().and_then(|b| convert::bytes_text(b)) {
            t
        } else {
            return Err(wrong_type(text, "from_json expects JSON text (str or UTF-8 bytes)"));
        };
        Ok(Self::new(Session::from_json(text, Origin::Stored).or_raise(py)?))
    }

    /// Builds a session from a dict of the canonical JSON shape (what `to_dict()` returns;
    /// dates may also be aware datetimes or epoch milliseconds). Bad values raise
    /// `InvalidArgumentError`.
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !value.is_instance_of::<PyDict>() {
            return Err(wrong_type(value, "from_dict expects a dict"));
        }
        Ok(Self::shared(session_from_arg(value)?))
    }

    /// Shopify's `toPropertyArray(returnUserData)`: `[key, value]` pairs, dates as epoch
    /// milliseconds; with user data, the user's fields as `userId`, `firstName`, ….
    #[pyo3(signature = (return_user_data=None), text_signature = "(self, /, return_user_data=False)")]
    fn to_property_array<'py>(
        slf: &Bound<'py, Self>,
        return_user_data: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let with_user = bool_arg(return_user_data, "return_user_data")?;
        let pairs = Self::core(slf)?.to_property_array(with_user);
        let pairs = pairs.into_iter().map(|(k, v)| Value::Array(vec![k.into(), v])).collect();
        objects::from_value(slf.py(), &Value::Array(pairs))
    }

    /// Shopify's `fromPropertyArray(entries, returnUserData)`; keys are case-insensitive.
    /// Bad entries raise `InvalidArgumentError`.
    #[classmethod]
    #[pyo3(signature = (entries, return_user_data=None), text_signature = "(entries, return_user_data=False)")]
    fn from_property_array(
        cls: &Bound<'_, PyType>,
        entries: &Bound<'_, PyAny>,
        return_user_data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let py = cls.py();
        let with_user = bool_arg(return_user_data, "return_user_data")?;
        let mode = PropertyArrayMode::return_user_data(with_user);
        if !(entries.is_instance_of::<PyList>() || entries.is_instance_of::<PyTuple>()) {
            let what = "entries must be a property array (a list of [key, value] pairs)";
            return Err(wrong_type(entries, what));
        }
        let value = to_value(entries, &Path::Root("entries"), Ctx::ARGUMENT)?;
        Ok(Self::new(Session::from_property_array(&value, mode, Origin::Argument).or_raise(py)?))
    }

    /// Shopify's `isActive`: the scopes (a string or strings; `None` skips the check) are
    /// granted, an access token is present, and it does not expire within `within_ms`.
    #[pyo3(signature = (scopes=None, within_ms=None), text_signature = "(self, /, scopes=None, within_ms=500)")]
    fn is_active(
        &self,
        py: Python<'_>,
        scopes: Option<&Bound<'_, PyAny>>,
        within_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let within = within_arg(py, within_ms, ACTIVE_WITHIN_MS)?;
        Ok(self.inner.is_active(scopes_arg(scopes)?.as_ref(), within))
    }

    /// Shopify's `isExpired`: whether `expires` falls within `within_ms` from now.
    #[pyo3(signature = (within_ms=None), text_signature = "(self, /, within_ms=0)")]
    fn is_expired(&self, py: Python<'_>, within_ms: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        Ok(self.inner.is_expired(within_arg(py, within_ms, 0)?))
    }

    /// Shopify's `isScopeChanged`: `False` for `None`, otherwise whether any scope is missing.
    fn is_scope_changed(&self, scopes: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        Ok(self.inner.is_scope_changed(scopes_arg(scopes)?.as_ref()))
    }

    /// Shopify's `isScopeIncluded`: whether every given scope is granted (implied ones count).
    fn is_scope_included(&self, scopes: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.is_scope_included(&scopes_arg(Some(scopes))?.unwrap_or_default()))
    }

    /// Shopify's `equals` (id, shop, state, is_online, the user-data property array, dates to
    /// the millisecond) plus `data` compared deeply.
    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(other) = other.cast::<PySession>() else { return Ok(py.NotImplemented()) };
        let equal = Self::core(slf)?.equals(&*Self::core(other)?);
        Ok(pyo3::types::PyBool::new(py, equal).to_owned().into_any().unbind())
    }

    /// The core's one redaction rule: tokens `<redacted>`, `data` only by its size.
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(Self::core(slf)?.shown())
    }

    fn __copy__(slf: &Bound<'_, Self>) -> PyResult<Self> {
        Ok(Self::shared(Self::core(slf)?))
    }

    fn __deepcopy__(slf: &Bound<'_, Self>, _memo: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::shared(Self::core(slf)?))
    }

    /// Pickles as canonical JSON (tokens included: treat pickles as secrets).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (Self::core(slf)?.to_json(),)))
    }
}

/// The `dict` handed out for `data` or `online_access_info`: built on first access, then the
/// same object every time, so changes made to it are read back.
fn view<'py>(
    py: Python<'py>,
    cache: &mut Option<Py<PyDict>>,
    build: impl FnOnce() -> PyResult<Option<Bound<'py, PyDict>>>,
) -> PyResult<Option<Py<PyDict>>> {
    if cache.is_none() {
        *cache = build()?.map(Bound::unbind);
    }
    Ok(cache.as_ref().map(|d| d.clone_ref(py)))
}
