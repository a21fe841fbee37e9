//! The one place core errors become JavaScript errors.
//!
//! A thrown error carries the core's stable code as its `code` property; the public JS layer
//! (`js/lib/errors.js`) turns it into a `SessionStorageError`. Panics never cross into Node:
//! every exported function is `#[napi(catch_unwind)]`, and work on libuv threads goes
//! through [`guard`].

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{Env, JsError, Unknown};
use napi_derive::napi;
use sessionkeeper_core::Error as CoreError;

/// A core error code (`"INVALID_SESSION"`, …) as the `code` of a napi error.
#[derive(Debug, Clone, Copy)]
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The result type of exported functions: failures are thrown with the core's code.
pub type Result<T> = std::result::Result<T, napi::Error<Code>>;

/// Converts a core error into the napi error thrown to JavaScript.
pub fn to_js(e: &CoreError) -> napi::Error<Code> {
    napi::Error::new(Code(e.code()), e.message().to_owned())
}

/// `?`-friendly conversion of core results.
pub trait OrThrow<T> {
    /// The core result with its error converted for JavaScript.
    fn or_throw(self) -> Result<T>;
}

impl<T> OrThrow<T> for sessionkeeper_core::Result<T> {
    fn or_throw(self) -> Result<T> {
        self.map_err(|e| to_js(&e))
    }
}

/// An error described as data, for the callback contract's errors that the JS layer raises
/// itself so it can attach the callback's original error as `cause`.
#[napi(object)]
pub struct ErrorInfo {
    /// The stable code, e.g. `CALLBACK_FAILED`.
    pub code: String,
    /// The message the core worded.
    pub message: String,
}

impl From<CoreError> for ErrorInfo {
    fn from(e: CoreError) -> Self {
        ErrorInfo { code: e.code().to_owned(), message: e.message().to_owned() }
    }
}

/// The rejection of an `AsyncTask` promise: the JS error object is built here, on the JS
/// thread, so it carries the core's code (napi's own task rejection only knows napi statuses).
pub fn rejection(env: &Env, e: &CoreError) -> napi::Error {
    // SAFETY: `env` is the live environment of the completing task (we are on the JS thread),
    // and the value `into_value` returns belongs to it.
    let value = unsafe {
        let raw = JsError::from(to_js(e)).into_value(env.raw());
        Unknown::from_raw_unchecked(env.raw(), raw)
    };
    napi::Error::from_unknown_without_coercion(value)
}

/// Runs blocking work on a libuv thread, turning a panic into an error instead of an abort.
pub fn guard<T>(
    f: impl FnOnce() -> sessionkeeper_core::Result<T>,
) -> sessionkeeper_core::Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(CoreError::StorageIo(format!("internal error in sessionkeeper: {what}")))
    })
}
