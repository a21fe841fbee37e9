//! `sessionkeeper.Session`: a Rust-owned session whose attributes are built on access.
//!
//! Loads hand back this class without any JSON or `dict` work (ARCHITECTURE.md: a lazy
//! `#[pyclass]` loaded 3.85× faster than pure Python). The core `Session` sits behind an `Arc`
//! shared with the storage it came from and is copied only when a setter changes it.
//! `data` and `online_access_info` are handed out as `dict`s that stay attached: changes made
//! through them are read back (and validated) before the session is serialised or compared.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Value};
use sessionkeeper_core::session::check_id;
use sessionkeeper_core::{Origin, PropertyArrayMode, Session};

use crate::arguments::{bool_arg, invalid_argument, scopes_arg, within_arg};
use crate::convert::{self, to_value, type_name, Ctx, Path};
use crate::error::OrRaise;
use crate::views::session_from_arg;

/// A Shopify-compatible session: `id`, `shop`, `state`, `is_online`, `scope`, `expires`,
/// `access_token`, `refresh_token`, `refresh_token_expires`, `online_access_info`, plus app `data`.
///
/// Every attribute is validated when set (`SessionStorageError` `INVALID_ARGUMENT` naming the
/// field). `expires` values are timezone-aware UTC datetimes kept to the millisecond; the
/// constructor and setters also take ISO-8601 text with an offset or an epoch number
/// (milliseconds, except that 1e9 up to 1e11 are epoch seconds: never silently a 1970 date).
/// `to_json()` gives the canonical JSON that Node's `JSON.stringify(session)` gives.
/// Tokens never appear in `repr()`.
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
    #[pyo3(signature = (id, shop=None, state=None, is_online=None, scope=None, expires=None,
        access_token=None, refresh_token=None, refresh_token_expires=None,
        online_access_info=None, data=None),
        text_signature = "(id, shop='', state='', is_online=False, scope=None, expires=None, access_token=None, refresh_token=None, refresh_token_expires=None, online_access_info=None, data=None)")]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        shop: Option<&Bound<'_, PyAny>>,
        state: Option<&Bound<'_, PyAny>>,
        is_online: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        expires: Option<&Bound<'_, PyAny>>,
        access_token: Option<&Bound<'_, PyAny>>,
        refresh_token: Option<&Bound<'_, PyAny>>,
        refresh_token_expires: Option<&Bound<'_, PyAny>>,
        online_access_info: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let fields = [
            ("id", Some(id)),
            ("shop", shop),
            ("state", state),
            ("isOnline", is_online),
            ("scope", scope),
            ("expires", expires),
            ("accessToken", access_token),
            ("refreshToken", refresh_token),
            ("refreshTokenExpires", refresh_token_expires),
            ("onlineAccessInfo", online_access_info),
            ("data", data),
        ];
        let mut map = Map::with_capacity(fields.len());
        for (key, value) in fields {
            if let Some(v) = value {
                map.insert(key.into(), to_value(v, &Path::Root(key), Ctx::ARGUMENT)?);
            }
        }
        Ok(Self::new(Session::from_object(&map, Origin::Argument).or_raise(py)?))
    }

    /// The session id: a non-empty string of at most 1024 UTF-8 bytes.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[setter(id)]
    fn set_id(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = value.cast::<PyString>().map_err(|_| {
            invalid_argument(
                py,
                format!(
                    "session id must be a non-empty string, got a value of type {}",
                    type_name(value)
                ),
            )
        })?;
        let id = convert::text(id, Origin::Argument, || "session id".into())?;
        check_id(id, Origin::Argument).or_raise(py)?;
        Arc::make_mut(&mut self.inner).id = id.to_owned();
        Ok(())
    }

    /// The shop domain (`example.myshopify.com`); `""` when unset.
    #[getter]
    fn shop(&self) -> &str {
        &self.inner.shop
    }

    #[setter(shop)]
    fn set_shop(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "shop", value)
    }

    /// The OAuth state; `""` when unset.
    #[getter]
    fn state(&self) -> &str {
        &self.inner.state
    }

    #[setter(state)]
    fn set_state(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "state", value)
    }

    /// Whether the access token is an online (per-user) token.
    #[getter]
    fn is_online(&self) -> bool {
        self.inner.is_online
    }

    #[setter(is_online)]
    fn set_is_online(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "isOnline", value)
    }

    /// The granted scopes, comma-separated, or `None`.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    #[setter(scope)]
    fn set_scope(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "scope", value)
    }

    /// When the access token expires (an aware UTC datetime), or `None`.
    #[getter]
    fn expires<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.expires.map(|t| convert::to_datetime(py, t).map(Bound::into_any)).transpose()
    }

    #[setter(expires)]
    fn set_expires(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "expires", value)
    }

    /// The access token, or `None`. Never shown by `repr()`.
    #[getter]
    fn access_token(&self) -> Option<&str> {
        self.inner.access_token.as_deref()
    }

    #[setter(access_token)]
    fn set_access_token(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "accessToken", value)
    }

    /// The refresh token, or `None`. Never shown by `repr()`.
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.inner.refresh_token.as_deref()
    }

    #[setter(refresh_token)]
    fn set_refresh_token(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "refreshToken", value)
    }

    /// When the refresh token expires (an aware UTC datetime), or `None`.
    #[getter]
    fn refresh_token_expires<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let t = self.inner.refresh_token_expires;
        t.map(|t| convert::to_datetime(py, t).map(Bound::into_any)).transpose()
    }

    #[setter(refresh_token_expires)]
    fn set_refresh_token_expires(
        &mut self,
        py: Python<'_>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.set(py, "refreshTokenExpires", value)
    }

    /// The user behind an online token, as a dict with Shopify's snake_case keys (`expires_in`,
    /// `associated_user_scope`, `session`, `account_number`, `associated_user`), or `None`.
    /// Changes made to the dict are part of the session.
    #[getter]
    fn online_access_info(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyDict>>> {
        if self.info_view.is_none() {
            if let Some(info) = &self.inner.online_access_info {
                self.info_view = Some(convert::info_dict(py, info)?.unbind());
            }
        }
        Ok(self.info_view.as_ref().map(|d| d.clone_ref(py)))
    }

    #[setter(online_access_info)]
    fn set_online_access_info(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "onlineAccessInfo", value)
    }

    /// Free app data (a dict of JSON values), or `None`. Changes made to the dict are part of
    /// the session.
    #[getter]
    fn data(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyDict>>> {
        if self.data_view.is_none() {
            if let Some(map) = &self.inner.data {
                self.data_view = Some(convert::object(py, map)?.unbind());
            }
        }
        Ok(self.data_view.as_ref().map(|d| d.clone_ref(py)))
    }

    #[setter(data)]
    fn set_data(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, "data", value)
    }

    /// The canonical JSON text, byte-identical to Node's `JSON.stringify(session)`.
    fn to_json(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(Self::core(slf)?.to_json())
    }

    /// The canonical JSON object as a dict (camelCase keys, dates as ISO-8601 strings).
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let value = parse_json(&Self::core(slf)?.to_json())?;
        convert::from_value(slf.py(), &value)
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
            let why = format!(
                "from_json expects JSON text (str or UTF-8 bytes), got a value of type {}",
                type_name(text)
            );
            return Err(invalid_argument(py, why));
        };
        Ok(Self::new(Session::from_json(text, Origin::Stored).or_raise(py)?))
    }

    /// Builds a session from a dict of the canonical JSON shape (what `to_dict()` returns;
    /// dates may also be aware datetimes or epoch milliseconds). Bad values raise
    /// `InvalidArgumentError`.
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !value.is_instance_of::<PyDict>() {
            let why = format!("from_dict expects a dict, got a value of type {}", type_name(value));
            return Err(invalid_argument(value.py(), why));
        }
        Ok(Self::shared(session_from_arg(value)?))
    }

    /// Shopify's `toPropertyArray(returnUserData)`: `[key, value]` pairs, dates as epoch
    /// milliseconds; with user data, the user's fields as `userId`, `firstName`, ….
    #[pyo3(signature = (return_user_data=None), text_signature = "(self, /, return_user_data=False)")]
    fn to_property_array<'py>(
        slf: &Bound<'py, Self>,
        return_user_data: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let with_user = bool_arg(py, return_user_data, "return_user_data")?;
        let session = Self::core(slf)?;
        let list = PyList::empty(py);
        for (k, v) in session.to_property_array(with_user) {
            list.append(PyList::new(
                py,
                [PyString::new(py, k).into_any(), convert::from_value(py, &v)?],
            )?)?;
        }
        Ok(list)
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
        let mode = if bool_arg(py, return_user_data, "return_user_data")? {
            PropertyArrayMode::WithUserData
        } else {
            PropertyArrayMode::WithoutUserData
        };
        if !(entries.is_instance_of::<PyList>() || entries.is_instance_of::<PyTuple>()) {
            let why = format!("entries must be a property array (a list of [key, value] pairs), got a value of type {}", type_name(entries));
            return Err(invalid_argument(py, why));
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
        let within = within_arg(py, within_ms, sessionkeeper_core::session::ACTIVE_WITHIN_MS)?;
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

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let s = Self::core(slf)?;
        let quote = |t: &str| -> PyResult<String> { Ok(PyString::new(py, t).repr()?.to_string()) };
        let mut parts = vec![
            format!("id={}", quote(&s.id)?),
            format!("shop={}", quote(&s.shop)?),
            format!("state={}", quote(&s.state)?),
            format!("is_online={}", if s.is_online { "True" } else { "False" }),
        ];
        if let Some(scope) = &s.scope {
            parts.push(format!("scope={}", quote(scope)?));
        }
        if let Some(t) = s.expires {
            parts.push(format!("expires='{}'", t.to_iso()));
        }
        if s.access_token.is_some() {
            parts.push("access_token=<redacted>".into());
        }
        if s.refresh_token.is_some() {
            parts.push("refresh_token=<redacted>".into());
        }
        if let Some(t) = s.refresh_token_expires {
            parts.push(format!("refresh_token_expires='{}'", t.to_iso()));
        }
        if let Some(user_id) = s
            .online_access_info
            .as_ref()
            .and_then(|i| i.associated_user.as_ref())
            .and_then(|u| u.id.as_ref())
        {
            parts.push(format!("online_access_info=<user {user_id}>"));
        }
        if let Some(data) = &s.data {
            parts.push(format!("data=<{} keys>", data.len()));
        }
        Ok(format!("Session({})", parts.join(", ")))
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

fn parse_json(text: &str) -> PyResult<Value> {
    serde_json::from_str(text).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}
