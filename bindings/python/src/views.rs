//! How a `Session` changes: setters read one field through the core's rules, and the `dict`
//! views handed out for `data` and `online_access_info` are read back (and validated) before
//! the core session is used. Also the one conversion of an app's session argument.

use std::sync::Arc;

use pyo3::prelude::*;
use serde_json::{Map, Value};
use sessionkeeper_core::{Origin, Session};

use crate::convert::{to_value, Ctx, Path};
use crate::error::OrRaise;
use crate::session::PySession;

/// Reads one field the way the core reads it inside a session, so a setter applies exactly
/// the constructor's rules and messages.
fn parse_field(py: Python<'_>, id: &str, key: &str, value: Value) -> PyResult<Session> {
    let mut map = Map::with_capacity(2);
    map.insert("id".into(), Value::String(id.to_owned()));
    map.insert(key.into(), value);
    Session::from_object(&map, Origin::Argument).or_raise(py)
}

impl PySession {
    /// Wraps a valid core session.
    pub(crate) fn new(session: Session) -> Self {
        Self::shared(Arc::new(session))
    }

    /// Wraps a session shared with a storage (copied on the first change).
    pub(crate) fn shared(inner: Arc<Session>) -> Self {
        PySession { inner, data_view: None, info_view: None }
    }

    /// The core session with every change made through the `dict` views applied and checked.
    pub(crate) fn core(slf: &Bound<'_, Self>) -> PyResult<Arc<Session>> {
        let mut me = slf.try_borrow_mut()?;
        me.read_views(slf.py())?;
        Ok(me.inner.clone())
    }

    fn read_views(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(view) = &self.data_view {
            let value = to_value(view.bind(py).as_any(), &Path::Root("data"), Ctx::ARGUMENT)?;
            if self.inner.data.as_ref().map(|m| m as &Map<String, Value>) != value.as_object() {
                let parsed = parse_field(py, &self.inner.id, "data", value)?;
                Arc::make_mut(&mut self.inner).data = parsed.data;
            }
        }
        if let Some(view) = &self.info_view {
            let value =
                to_value(view.bind(py).as_any(), &Path::Root("onlineAccessInfo"), Ctx::ARGUMENT)?;
            let parsed = parse_field(py, &self.inner.id, "onlineAccessInfo", value)?;
            if parsed.online_access_info != self.inner.online_access_info {
                Arc::make_mut(&mut self.inner).online_access_info = parsed.online_access_info;
            }
        }
        Ok(())
    }

    pub(crate) fn set(
        &mut self,
        py: Python<'_>,
        key: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let parsed = parse_field(
            py,
            &self.inner.id,
            key,
            to_value(value, &Path::Root(key), Ctx::ARGUMENT)?,
        )?;
        let s = Arc::make_mut(&mut self.inner);
        match key {
            "shop" => s.shop = parsed.shop,
            "state" => s.state = parsed.state,
            "isOnline" => s.is_online = parsed.is_online,
            "scope" => s.scope = parsed.scope,
            "expires" => s.expires = parsed.expires,
            "accessToken" => s.access_token = parsed.access_token,
            "refreshToken" => s.refresh_token = parsed.refresh_token,
            "refreshTokenExpires" => s.refresh_token_expires = parsed.refresh_token_expires,
            "onlineAccessInfo" => {
                s.online_access_info = parsed.online_access_info;
                self.info_view = None;
            }
            _ => {
                s.data = parsed.data;
                self.data_view = None;
            }
        }
        Ok(())
    }
}

/// Builds a session from a `dict` (or property array) the app passed: `INVALID_ARGUMENT`.
pub(crate) fn session_from_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<Session>> {
    if let Ok(s) = obj.cast::<PySession>() {
        return PySession::core(s);
    }
    let value = to_value(obj, &Path::Root("session"), Ctx::ARGUMENT)?;
    Ok(Arc::new(Session::from_value(&value, Origin::Argument).or_raise(obj.py())?))
}
