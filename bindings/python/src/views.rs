//! How a `Session` is built and changed: the constructor's arguments and the setters are read
//! through the core's field table and rules, and the `dict` views handed out for `data` and
//! `online_access_info` are read back (and validated) before the core session is used. Also
//! the one conversion of an app's session argument.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde_json::Map;
use sessionkeeper_core::session::{field_named, Field, FieldValue, Kind, FIELDS};
use sessionkeeper_core::{Origin, Session};

use crate::convert::{to_value, Ctx, Path};
use crate::error::OrRaise;
use crate::session::PySession;

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
        for (view, name) in [(&self.data_view, "data"), (&self.info_view, "online_access_info")] {
            let (Some(view), Some(field)) = (view, field_named(name)) else { continue };
            let value = to_value(view.bind(py).as_any(), &Path::Root(field.js), Ctx::ARGUMENT)?;
            let unchanged = match self.inner.get_field(field) {
                FieldValue::Data(data) => data == value.as_object(),
                current => {
                    let mut read = Session::new(self.inner.id.as_str()).or_raise(py)?;
                    read.set_field(field, &value, Origin::Argument).or_raise(py)?;
                    read.get_field(field) == current
                }
            };
            if !unchanged {
                Arc::make_mut(&mut self.inner)
                    .set_field(field, &value, Origin::Argument)
                    .or_raise(py)?;
            }
        }
        Ok(())
    }

    /// Sets `field` by the constructor's rules; a new value replaces the dict handed out.
    pub(crate) fn set(
        &mut self,
        py: Python<'_>,
        field: &Field,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let value = to_value(value, &Path::Root(field.js), Ctx::ARGUMENT)?;
        Arc::make_mut(&mut self.inner).set_field(field, &value, Origin::Argument).or_raise(py)?;
        match field.kind {
            Kind::Data => self.data_view = None,
            Kind::OnlineAccessInfo => self.info_view = None,
            _ => {}
        }
        Ok(())
    }
}

/// The session `Session(...)` describes. Its parameters are the fields of the core's table in
/// their order (`text_signature` spells them out; a test checks it against the table).
pub(crate) fn from_arguments(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Session> {
    let type_error = |why: String| Err(PyTypeError::new_err(format!("Session() {why}")));
    let mut given: Vec<Option<Bound<'_, PyAny>>> = vec![None; FIELDS.len()];
    if args.len() > FIELDS.len() {
        let (most, n) = (FIELDS.len(), args.len());
        return type_error(format!(
            "takes from 1 to {most} positional arguments but {n} were given"
        ));
    }
    given.iter_mut().zip(args).for_each(|(slot, arg)| *slot = Some(arg));
    for (key, value) in kwargs.into_iter().flatten() {
        let name = key.str()?;
        let name = name.to_cow()?;
        let Some(i) = FIELDS.iter().position(|f| f.python == name) else {
            return type_error(format!("got an unexpected keyword argument '{name}'"));
        };
        if given[i].replace(value).is_some() {
            return type_error(format!("got multiple values for argument '{name}'"));
        }
    }
    if given[0].is_none() {
        return type_error("missing 1 required positional argument: 'id'".into());
    }
    let mut map = Map::with_capacity(FIELDS.len());
    for (field, value) in FIELDS.iter().zip(&given) {
        if let Some(v) = value {
            map.insert(field.js.into(), to_value(v, &Path::Root(field.js), Ctx::ARGUMENT)?);
        }
    }
    Session::from_object(&map, Origin::Argument).or_raise(args.py())
}

/// Builds a session from a `dict` (or property array) the app passed: `INVALID_ARGUMENT`.
pub(crate) fn session_from_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<Session>> {
    if let Ok(s) = obj.cast::<PySession>() {
        return PySession::core(s);
    }
    let value = to_value(obj, &Path::Root("session"), Ctx::ARGUMENT)?;
    Ok(Arc::new(Session::from_value(&value, Origin::Argument).or_raise(obj.py())?))
}
