//! Text between V8 and the core.
//!
//! Out: a session's canonical JSON is ASCII far more often than not, and V8 takes ASCII given as
//! Latin-1 with a copy, where UTF-8 is decoded byte by byte first (about 1,300 instructions for a
//! 550-byte session, on every changed store: ARCHITECTURE.md "Storing a changed session").
//!
//! In: napi reads a JS string as UTF-8 with each lone surrogate (half of a UTF-16 pair) replaced
//! by U+FFFD, so the core would check other text than the JS side then parses.

use std::fmt::Write as _;

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::{check_status, sys, JsString};

use crate::error::{Code, Result};

/// A string for JS, made from Latin-1 when it is ASCII (the same characters), else from UTF-8.
pub struct Text<'a>(pub &'a str);

impl TypeName for Text<'_> {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for Text<'_> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let bytes = val.0.as_bytes();
        let mut value = std::ptr::null_mut();
        // SAFETY: `bytes` is valid for `len` bytes for the duration of the call, which copies
        // them; ASCII is valid Latin-1 with the same meaning.
        let status = unsafe {
            if bytes.is_ascii() {
                sys::napi_create_string_latin1(
                    env,
                    bytes.as_ptr().cast(),
                    bytes.len() as isize,
                    &mut value,
                )
            } else {
                sys::napi_create_string_utf8(
                    env,
                    bytes.as_ptr().cast(),
                    bytes.len() as isize,
                    &mut value,
                )
            }
        };
        check_status!(status, "Failed to create a string")?;
        Ok(value)
    }
}

/// A string argument's read failing: only a value that is no string does, which the JS layer
/// never passes.
fn not_text(e: napi::Error) -> napi::Error<Code> {
    napi::Error::new(Code("INVALID_ARGUMENT"), e.reason)
}

/// `f` of the UTF-16 units of `text`, as JS holds them.
fn with_units<R>(text: JsString<'_>, f: impl FnOnce(&[u16]) -> R) -> Result<R> {
    let len = text.utf16_len().map_err(not_text)?;
    let units = text.into_utf16().map_err(not_text)?;
    Ok(f(&units.as_slice()[..len]))
}

/// A session text from JS, as JS holds it: one with U+FFFD in it is read again as UTF-16, and each
/// lone surrogate written as its `\uXXXX` escape (the form `JSON.stringify` gives it), which the
/// core then refuses in its own words, as it does the escape.
pub fn from_js(text: JsString<'_>) -> Result<String> {
    let utf8 = text.into_utf8().and_then(|t| t.into_owned()).map_err(not_text)?;
    if !utf8.contains('\u{FFFD}') {
        return Ok(utf8);
    }
    with_units(text, |units| {
        let mut out = String::with_capacity(utf8.len());
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => out.push(c),
                Err(lone) => {
                    let _ = write!(out, "\\u{:04x}", lone.unpaired_surrogate());
                }
            }
        }
        out
    })
}

/// Whether JS string `js` is `text`, character for character. Compared as the UTF-16 JS holds:
/// read as UTF-8, a lone surrogate would become U+FFFD and match a U+FFFD in `text`. The length
/// is known without reading the string.
pub fn is_text(js: JsString<'_>, text: &str) -> Result<bool> {
    let ascii = text.is_ascii();
    let len = js.utf16_len().map_err(not_text)?;
    if len != if ascii { text.len() } else { text.encode_utf16().count() } {
        return Ok(false);
    }
    with_units(js, |units| {
        if ascii {
            // No early exit, so the loop runs many units at a time.
            let diff =
                units.iter().zip(text.as_bytes()).fold(0, |d, (&u, &b)| d | (u ^ u16::from(b)));
            diff == 0
        } else {
            text.encode_utf16().eq(units.iter().copied())
        }
    })
}
