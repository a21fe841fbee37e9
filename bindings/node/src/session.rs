//! `Session` semantics for the JS class: JSON text in, answers out.

use napi::bindgen_prelude::External;
use napi::{Either, JsString};
use napi_derive::napi;
use sessionkeeper_core::host::{within_ms, ACTIVE_WITHIN_MS, FIELDS};
use sessionkeeper_core::{
    AuthScopes, Canonical, Origin, Patchable, PropertyArrayMode, Session, ERROR_CODES,
};

use crate::error::{OrThrow, Result};
use crate::text::{from_js, is_text, Text};

fn origin(stored: bool) -> Origin {
    if stored {
        Origin::Stored
    } else {
        Origin::Argument
    }
}

fn parse(text: &str) -> Result<Session> {
    Session::from_json(text, Origin::Argument).or_throw()
}

/// Scopes as Shopify's `AuthScopes` takes them: a comma-separated string or a list.
type Scopes = Either<String, Vec<String>>;

fn scopes(given: Option<Scopes>) -> Option<AuthScopes> {
    given.map(|g| match g {
        Either::A(text) => AuthScopes::parse(&text),
        Either::B(list) => list.into_iter().collect(),
    })
}

/// Checks session text of any accepted shape; `null` when it already is canonical JSON,
/// otherwise the canonical JSON. `stored` picks the error code (`INVALID_SESSION` for data
/// read back from a store, `INVALID_ARGUMENT` for the app's own input).
#[napi(catch_unwind)]
pub fn canonicalize(text: JsString<'_>, stored: bool) -> Result<Option<String>> {
    let text = from_js(text)?;
    Ok(match Session::canonicalize(&text, origin(stored)).or_throw()? {
        Canonical::Unchanged(_) => None,
        Canonical::Rewritten(_, canonical) => Some(canonical),
    })
}

/// A session checked once from its canonical text and held, with that text, for [`patch_held`].
#[napi(catch_unwind)]
pub fn held_session(text: String) -> Result<External<Patchable>> {
    Ok(External::new(Patchable::from_json(&text, Origin::Argument).or_throw()?))
}

/// Replaces the fields in `changes` (JSON text of an object, JS names, `null` for absent) in the
/// held session and returns its canonical JSON: what `canonicalize` gives for the whole changed
/// session, with only the changed fields written. On an error (INVALID_ARGUMENT) the held
/// session is unchanged.
#[napi(catch_unwind, ts_return_type = "string")]
pub fn patch_held(held: &mut External<Patchable>, changes: String) -> Result<Text<'_>> {
    held.patch(&changes, Origin::Argument).or_throw()?;
    Ok(Text(held.text()))
}

/// Whether `text` is the canonical JSON of the held session, character for character.
#[napi(catch_unwind)]
pub fn held_text_is(held: &External<Patchable>, text: JsString<'_>) -> Result<bool> {
    is_text(text, held.text())
}

/// Shopify's `isActive(scopes, withinMillisecondsOfExpiry = 500)`.
#[napi(catch_unwind)]
pub fn is_active(text: String, scopes_given: Option<Scopes>, within: Option<f64>) -> Result<bool> {
    let within = within_ms(within, ACTIVE_WITHIN_MS, "withinMillisecondsOfExpiry").or_throw()?;
    Ok(parse(&text)?.is_active(scopes(scopes_given).as_ref(), within))
}

/// Shopify's `isExpired(withinMillisecondsOfExpiry = 0)`.
#[napi(catch_unwind)]
pub fn is_expired(text: String, within: Option<f64>) -> Result<bool> {
    let within = within_ms(within, 0, "withinMillisecondsOfExpiry").or_throw()?;
    Ok(parse(&text)?.is_expired(within))
}

/// Shopify's `isScopeChanged(scopes)`: `false` when no scopes are given.
#[napi(catch_unwind)]
pub fn is_scope_changed(text: String, scopes_given: Option<Scopes>) -> Result<bool> {
    Ok(parse(&text)?.is_scope_changed(scopes(scopes_given).as_ref()))
}

/// Shopify's `isScopeIncluded(scopes)`.
#[napi(catch_unwind)]
pub fn is_scope_included(text: String, scopes_given: Scopes) -> Result<bool> {
    let required = scopes(Some(scopes_given)).unwrap_or_default();
    Ok(parse(&text)?.is_scope_included(&required))
}

/// Shopify's `equals`, plus `data` compared deeply.
#[napi(catch_unwind)]
pub fn equals(text: String, other: String) -> Result<bool> {
    Ok(parse(&text)?.equals(&parse(&other)?))
}

/// Shopify's `toPropertyArray(returnUserData)`, as JSON text of `[key, value]` pairs.
#[napi(catch_unwind)]
pub fn to_property_array(text: String, with_user_data: bool) -> Result<String> {
    let session = parse(&text)?;
    let pairs: Vec<serde_json::Value> = session
        .to_property_array(with_user_data)
        .into_iter()
        .map(|(k, v)| serde_json::Value::Array(vec![k.into(), v]))
        .collect();
    Ok(sessionkeeper_core::json::to_js_string(&serde_json::Value::Array(pairs)))
}

/// Shopify's `fromPropertyArray(entries, returnUserData)` over the JSON text of `entries`;
/// returns canonical JSON. Bad entries are `INVALID_ARGUMENT`.
#[napi(catch_unwind)]
pub fn from_property_array(text: String, with_user_data: bool) -> Result<String> {
    let value = sessionkeeper_core::json::parse_text(&text, "property array", Origin::Argument)
        .or_throw()?;
    let mode = PropertyArrayMode::return_user_data(with_user_data);
    Ok(Session::from_property_array(&value, mode, Origin::Argument).or_throw()?.to_json())
}

/// One session field, from the core's field table.
#[napi(object, object_from_js = false)]
pub struct SessionField {
    /// The key in canonical JSON and the property name.
    pub js: &'static str,
    /// The Python spelling, which the core also reads as a key.
    pub python: &'static str,
    /// What the field holds: `id`, `text`, `flag`, `scopes`, `date`, `token`,
    /// `onlineAccessInfo` or `data`.
    pub kind: &'static str,
}

/// The session's fields in canonical order: the JS class declares its properties in this
/// order and forwards the Python spellings it finds, for the core to read.
#[napi(catch_unwind)]
pub fn session_fields() -> Vec<SessionField> {
    FIELDS
        .iter()
        .map(|f| SessionField { js: f.js, python: f.python, kind: f.kind.name() })
        .collect()
}

/// The session in `text` as `util.inspect` shows it, by the core's one redaction rule: tokens
/// `<redacted>`, `data` only by its size, `onlineAccessInfo` only by its user id.
#[napi(catch_unwind)]
pub fn shown(text: String) -> Result<String> {
    Ok(parse(&text)?.shown())
}

/// The message for a string argument named `what` that holds a lone surrogate. JS checks
/// `isWellFormed()` itself: by the time a string reaches Rust, napi has replaced the surrogate
/// with U+FFFD (and another session's id could be the result).
#[napi(catch_unwind)]
pub fn lone_surrogate_message(what: String) -> String {
    sessionkeeper_core::error::lone_surrogate(Origin::Argument, &what).message().to_owned()
}

/// Every stable error code.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<&'static str> {
    ERROR_CODES.to_vec()
}

/// Panics on purpose, so the test suite can prove a Rust panic reaches JS as an error.
#[napi(catch_unwind, js_name = "_panicForTests")]
pub fn panic_for_tests() -> Result<()> {
    panic!("deliberate panic (test hook)");
}
