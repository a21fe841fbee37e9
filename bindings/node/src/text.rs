//! Text handed to V8. A session's canonical JSON is ASCII far more often than not, and V8 takes
//! ASCII given as Latin-1 with a copy, where UTF-8 is decoded byte by byte first (about 1,300
//! instructions for a 550-byte session, on every changed store: ARCHITECTURE.md "Storing a
//! changed session").

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::{check_status, sys};

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
