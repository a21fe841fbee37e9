//! The engine behind `CustomSessionStorage`, sans-IO.
//!
//! A host binding calls the app's callback itself, on the event loop that called it (no thread
//! hop: ARCHITECTURE.md measured 60–130 µs per hop against 0.1 µs for a host `await`). It hands
//! this module what it is about to pass and what came back; this module decides everything
//! else: what a result means, which results are errors and how they read (a thrown value that
//! cannot be read included), `NOT_SUPPORTED`, and the timeout option. The `deleteSessions`
//! fallback is `fallback.rs`, the deadline bookkeeping `deadlines.rs`.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{quote, Error, Origin, Result};
use crate::session::{check_id, Canonical, Session};
use crate::words::{self, Language};

/// The default callback timeout in milliseconds (Node `timeoutMs`; Python `timeout` = 10.0 s).
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The storage operation a callback serves, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `storeSession` → `store` callback.
    Store,
    /// `loadSession` → `load` callback.
    Load,
    /// `deleteSession` → `delete` callback.
    Delete,
    /// `deleteSessions` → `deleteSessions` callback.
    DeleteMany,
    /// `findSessionsByShop` → `findSessionsByShop` callback.
    FindByShop,
    /// An adapter's `sweep` of the sessions past their grace period (no subject).
    Sweep,
    /// `storeSessionIfVersion` → `storeIfVersion` callback (the manager's compare-and-store).
    StoreIfVersion,
}

impl Op {
    /// The callback's name in messages.
    pub fn callback(self) -> &'static str {
        match self {
            Op::Store => "store",
            Op::Load => "load",
            Op::Delete => "delete",
            Op::DeleteMany => "deleteSessions",
            Op::FindByShop => "findSessionsByShop",
            Op::Sweep => "sweep",
            Op::StoreIfVersion => "storeIfVersion",
        }
    }

    /// The operation whose callback is named `name` (the inverse of [`Op::callback`]), for
    /// bindings that pass the operation across as a string.
    pub fn from_callback(name: &str) -> Result<Op> {
        [
            Op::Store,
            Op::Load,
            Op::Delete,
            Op::DeleteMany,
            Op::FindByShop,
            Op::Sweep,
            Op::StoreIfVersion,
        ]
        .into_iter()
        .find(|op| op.callback() == name)
        .ok_or_else(|| Error::InvalidArgument(format!("unknown callback {name:?}")))
    }

    /// The callback's name as the host spells it (`findSessionsByShop` /
    /// `find_sessions_by_shop`), for messages.
    fn shown(self) -> Cow<'static, str> {
        words::name(self.callback())
    }

    /// `failed to … {subject}`, the start of a failure's message.
    pub(crate) fn failed(self, subject: &str) -> String {
        match self {
            Op::Store => format!("failed to store session {}", quote(subject)),
            Op::Load => format!("failed to load session {}", quote(subject)),
            Op::Delete => format!("failed to delete session {}", quote(subject)),
            // Already a list of quoted ids (`ids_subject`).
            Op::DeleteMany => format!("failed to delete sessions {subject}"),
            Op::FindByShop => format!("failed to find sessions of shop {}", quote(subject)),
            Op::Sweep => "failed to sweep expired sessions".to_owned(),
            Op::StoreIfVersion => format!("failed to store session {}", quote(subject)),
        }
    }
}

/// What a host callback resolved to, as the binding saw it, before any interpretation.
#[derive(Debug, Clone)]
pub enum Returned<'a> {
    /// `undefined`, `null` or `None`.
    Nothing,
    /// A boolean.
    Bool(bool),
    /// JSON text: a string the callback returned, or a plain host object the binding
    /// serialised (Node's `JSON.stringify` turns `Date`s into ISO strings on the way).
    Json(&'a str),
    /// A JSON value the binding converted natively (Python dicts and lists).
    Value(Value),
    /// A session the binding already holds in core form (a Python `Session`).
    Session(Box<Session>),
    /// Anything else; the payload names its host type (`"number"`, `"function"`, …).
    Other(&'a str),
}

impl Returned<'_> {
    fn kind(&self) -> String {
        match self {
            Returned::Nothing => words::kind("nothing").into(),
            Returned::Bool(b) => words::kind(if *b { "true" } else { "false" }).into(),
            Returned::Json(_) => words::kind("a string or object").into(),
            Returned::Value(v) => crate::error::describe(v),
            Returned::Session(_) => "a session".into(),
            Returned::Other(t) => format!("a value of type {t}"),
        }
    }
}

/// What a `storeIfVersion` callback's boolean (already checked by [`finish_bool`]) means:
/// `true` stored; `false` the stored record was at another version, a `CONFLICT`.
pub fn finish_store_if_version(stored: bool, id: &str, expected: u64) -> Result<bool> {
    if stored {
        return Ok(true);
    }
    Err(crate::plan::versioned::conflict(id, None, expected))
}

/// The result of `store`, `delete` and `deleteSessions` callbacks: a boolean, nothing else.
pub fn finish_bool(op: Op, returned: &Returned<'_>) -> Result<bool> {
    match returned {
        Returned::Bool(b) => Ok(*b),
        other => Err(Error::InvalidCallbackResult(format!(
            "{} callback must {} {}, got {}",
            op.shown(),
            words::kind("resolve to"),
            words::kind("true or false"),
            other.kind()
        ))),
    }
}

/// The result of the `load` callback for `id`: nothing (not found) or a valid session whose id
/// is `id`, in any accepted shape. Never a half-parsed value.
pub fn finish_load(id: &str, returned: Returned<'_>) -> Result<Option<Canonical>> {
    let canonical = match returned {
        Returned::Nothing => return Ok(None),
        other => read_session(Op::Load, other)?,
    };
    let got = &canonical.session().id;
    if got != id {
        return Err(Error::InvalidSession(format!(
            "load callback returned a session with id {} for id {}",
            quote(got),
            quote(id)
        )));
    }
    Ok(Some(canonical))
}

/// Validates one item a `findSessionsByShop` callback returned for `shop`; `index` locates it
/// in messages. A session of another shop is rejected: cleanup code trusts this list.
pub fn finish_found_item(shop: &str, index: usize, returned: Returned<'_>) -> Result<Canonical> {
    if matches!(returned, Returned::Nothing) {
        return Err(Error::InvalidSession(format!(
            "{} callback returned {} at index {index}, expected a session",
            Op::FindByShop.shown(),
            words::kind("nothing")
        )));
    }
    let canonical = read_session(Op::FindByShop, returned).map_err(|e| match e {
        Error::InvalidSession(m) => Error::InvalidSession(format!("{m} (at index {index})")),
        other => other,
    })?;
    let got = &canonical.session().shop;
    if got != shop {
        return Err(Error::InvalidSession(format!(
            "{} callback returned a session of shop {} for shop {} (at index {index})",
            Op::FindByShop.shown(),
            quote(got),
            quote(shop)
        )));
    }
    Ok(canonical)
}

/// The outer result of `findSessionsByShop`: the binding must have seen an array; this words
/// the error when it did not.
pub fn not_a_list(returned: &Returned<'_>) -> Error {
    Error::InvalidCallbackResult(format!(
        "{} callback must {} {} of sessions, got {}",
        Op::FindByShop.shown(),
        words::kind("resolve to"),
        words::kind("an array"),
        returned.kind()
    ))
}

fn read_session(op: Op, returned: Returned<'_>) -> Result<Canonical> {
    let wrap = |e: Error| match e {
        Error::InvalidSession(m) => {
            Error::InvalidSession(format!("{} callback returned {m}", op.shown()))
        }
        other => other,
    };
    match returned {
        Returned::Json(text) => Session::canonicalize(text, Origin::Stored).map_err(wrap),
        Returned::Value(v) => {
            let s = Session::from_value(&v, Origin::Stored).map_err(wrap)?;
            let text = s.to_json();
            Ok(Canonical::Rewritten(s, text))
        }
        Returned::Session(s) => {
            s.validate(Origin::Stored).map_err(wrap)?;
            Ok(Canonical::Unchanged(*s))
        }
        other => Err(Error::InvalidSession(format!(
            "{} callback must {} a session (a Session, {}, JSON text or a property array), got {}",
            op.shown(),
            words::kind("resolve to"),
            words::kind("an object"),
            other.kind()
        ))),
    }
}

/// The error for a callback that threw or rejected. `subject` is the id, the shop or a list of
/// ids; `text` and `type_name` are what the host read of the thrown value ([`thrown`]). The
/// binding attaches the original as the cause.
pub fn callback_failed(op: Op, subject: &str, text: Option<&str>, type_name: &str) -> Error {
    Error::CallbackFailed(format!("{}: {}", op.failed(subject), thrown(text, type_name)))
}

/// What a thrown value reads as in a `CALLBACK_FAILED` message. `text` is its own message as
/// the host reads it (`message` of a JS `Error`, `String(value)` of anything else JS can throw,
/// `str()` in Python), `None` when reading it threw; `type_name` its class (`TypeError`,
/// `KeyError`; `typeof` for a JS value without one). An empty message is named by the type, as
/// both languages' tracebacks do; an unreadable one by `<unprintable …>` and the type, so the
/// failure itself is never hidden by a broken `toString` / `__str__`.
pub fn thrown<'a>(text: Option<&'a str>, type_name: &'a str) -> Cow<'a, str> {
    match text {
        Some(text) if !text.is_empty() => Cow::Borrowed(text),
        Some(_) => Cow::Borrowed(type_name),
        None => Cow::Owned(format!("<unprintable {type_name}>")),
    }
}

/// The error for a callback that did not settle within `timeout_ms`.
pub fn callback_timeout(op: Op, subject: &str, timeout_ms: u64) -> Error {
    Error::CallbackTimeout(format!(
        "{}: the {} callback did not settle within {}",
        op.failed(subject),
        op.shown(),
        words::duration(timeout_ms)
    ))
}

/// `findSessionsByShop` without its callback: a loud error, not Shopify's silent `[]` that
/// skipped uninstall cleanup.
pub fn find_not_supported() -> Error {
    let name = Op::FindByShop.shown();
    Error::NotSupported(format!(
        "{name} needs a {name} callback; pass one when creating the CustomSessionStorage"
    ))
}

/// The callback timeout, in whole milliseconds (rounded up), from the host's option in the
/// host's unit: Node's `timeoutMs` in milliseconds, Python's `timeout` in seconds. `0` disables
/// it; negative, NaN or infinite values are `INVALID_ARGUMENT`, naming the caller's option.
/// Not given (`None`): the default in Node, whereas Python's `timeout=None` disables it (its
/// signature carries the default).
pub fn timeout_ms(option: Option<f64>) -> Result<Option<u64>> {
    let python = words::language() == Language::Python;
    match option {
        None if python => Ok(None),
        None => Ok(Some(DEFAULT_TIMEOUT_MS)),
        Some(value) if value.is_finite() && value >= 0.0 => {
            // Seconds to whole microseconds first: 0.07 * 1000.0 is 70.00000000000001.
            let ms = if python { (value * 1e6).round() / 1e3 } else { value };
            Ok((ms > 0.0).then(|| ms.ceil() as u64))
        }
        Some(value) => Err(Error::InvalidArgument(format!(
            "{} must be a non-negative finite number, got {value}",
            words::name("timeoutMs")
        ))),
    }
}

/// Checks the ids of a `deleteSessions` call.
pub fn check_ids(ids: &[String]) -> Result<()> {
    ids.iter().try_for_each(|id| check_id(id, Origin::Argument))
}

/// A short rendering of an id list for messages (`["a", "b", … 10 more]`).
pub fn ids_subject(ids: &[String]) -> String {
    let shown: Vec<String> = ids.iter().take(3).map(|id| quote(id)).collect();
    match ids.len() {
        n if n > 3 => format!("[{}, … {} more]", shown.join(", "), n - 3),
        _ => format!("[{}]", shown.join(", ")),
    }
}

#[cfg(test)]
#[path = "callback_tests.rs"]
mod tests;
