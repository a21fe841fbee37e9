//! `CustomSessionStorage` support: the JS layer awaits the app's callback on the JS thread and
//! hands what came back to exactly one of these synchronous functions, which ask the core's
//! sans-IO engine (`storage::callback`) what it means.
//!
//! A callback result that is neither JSON text nor an object is described by a *tag*:
//! `"nothing"` (undefined/null), `"true"`/`"false"`, `"json"` (a string or object, when its
//! text does not matter), or the JS `typeof` name of anything else.

use napi::JsString;
use napi_derive::napi;
use sessionkeeper_core::session::check_id;
use sessionkeeper_core::storage::callback::{self as engine, Op, Returned};
use sessionkeeper_core::storage::check_shop;
use sessionkeeper_core::{Canonical, Origin};

use crate::error::{ErrorInfo, OrThrow, Result};
use crate::text::from_js;

fn op(name: &str) -> Result<Op> {
    Op::from_callback(name).or_throw()
}

fn tagged(tag: &str) -> Returned<'_> {
    match tag {
        "nothing" => Returned::Nothing,
        "true" => Returned::Bool(true),
        "false" => Returned::Bool(false),
        "json" => Returned::Json(""),
        other => Returned::Other(other),
    }
}

fn unless_unchanged(c: Canonical) -> Option<String> {
    match c {
        Canonical::Unchanged(_) => None,
        Canonical::Rewritten(_, text) => Some(text),
    }
}

/// Checks a session id argument (`INVALID_ARGUMENT` when empty or longer than 1024 bytes).
#[napi(catch_unwind)]
pub fn check_id_argument(id: String) -> Result<()> {
    check_id(&id, Origin::Argument).or_throw()
}

/// Checks the `shop` argument of `findSessionsByShop`.
#[napi(catch_unwind)]
pub fn check_shop_argument(shop: String) -> Result<()> {
    check_shop(&shop).or_throw()
}

/// The `load` callback returned JSON text (a string, or an object the JS layer serialised)
/// for `id`: `null` when it is canonical JSON of a session with that id, otherwise the
/// canonical JSON; `INVALID_SESSION` when it is not such a session.
#[napi(catch_unwind)]
pub fn finish_load(id: String, text: JsString<'_>) -> Result<Option<String>> {
    let text = from_js(text)?;
    Ok(engine::finish_load(&id, Returned::Json(&text)).or_throw()?.and_then(unless_unchanged))
}

/// The `load` callback returned something that is not text or an object (see the module docs
/// for `tag`): throws unless it means "not found".
#[napi(catch_unwind)]
pub fn finish_load_tagged(id: String, tag: String) -> Result<()> {
    engine::finish_load(&id, tagged(&tag)).or_throw().map(drop)
}

/// A `store`, `delete` or `deleteSessions` callback resolved to a non-boolean described by
/// `tag`: the core's verdict (an `INVALID_CALLBACK_RESULT` error).
#[napi(catch_unwind)]
pub fn finish_bool(operation: String, tag: String) -> Result<bool> {
    engine::finish_bool(op(&operation)?, &tagged(&tag)).or_throw()
}

/// What a `storeIfVersion` callback's boolean means for session `id` over version `expected`:
/// `true`, or a CONFLICT thrown.
#[napi(catch_unwind)]
pub fn finish_store_if_version(stored: bool, id: String, expected: u32) -> Result<bool> {
    engine::finish_store_if_version(stored, &id, u64::from(expected)).or_throw()
}

/// Item `index` of a `findSessionsByShop` result for `shop`, as JSON text: `null` when
/// canonical, otherwise the canonical JSON.
#[napi(catch_unwind)]
pub fn finish_found_item(shop: String, index: u32, text: JsString<'_>) -> Result<Option<String>> {
    let text = from_js(text)?;
    let found = engine::finish_found_item(&shop, index as usize, Returned::Json(&text));
    Ok(unless_unchanged(found.or_throw()?))
}

/// Item `index` of a `findSessionsByShop` result that is not text or an object: always an error.
#[napi(catch_unwind)]
pub fn finish_found_item_tagged(shop: String, index: u32, tag: String) -> Result<()> {
    engine::finish_found_item(&shop, index as usize, tagged(&tag)).or_throw().map(drop)
}

/// The error for a `findSessionsByShop` result that is not an array.
#[napi(catch_unwind)]
pub fn not_a_list(tag: String) -> ErrorInfo {
    engine::not_a_list(&tagged(&tag)).into()
}

/// The error for a callback that threw or rejected: `text` is the thrown value's message as JS
/// reads it (`null` when reading it threw), `typeName` its class or `typeof`.
#[napi(catch_unwind)]
pub fn callback_failed(
    operation: String,
    subject: String,
    text: Option<String>,
    type_name: String,
) -> Result<ErrorInfo> {
    let op = op(&operation)?;
    Ok(engine::callback_failed(op, &subject, text.as_deref(), &type_name).into())
}

/// The error for a callback that did not settle within `timeout_ms`.
#[napi(catch_unwind)]
pub fn callback_timeout(operation: String, subject: String, timeout_ms: f64) -> Result<ErrorInfo> {
    Ok(engine::callback_timeout(op(&operation)?, &subject, timeout_ms as u64).into())
}

/// The error for `findSessionsByShop` on a storage without its callback.
#[napi(catch_unwind)]
pub fn find_not_supported() -> ErrorInfo {
    engine::find_not_supported().into()
}
