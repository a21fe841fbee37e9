//! JSON written byte for byte as JavaScript's `JSON.stringify` writes it, so a session
//! serialised in Python is the same text Node produces.
//!
//! Three things differ from serde_json's own writer: numbers (`1`, not `1.0`; `1e+21`), the
//! order of object keys (JavaScript puts array-index keys first, ascending), and `-0` (`0`).

use serde_json::{Map, Number, Value};

use crate::error::{Origin, Result};

/// The largest integer both languages hold exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Per byte: 0 when written as is, else what follows the backslash of its escape (`n` for a
/// newline, `u` for the `u00xx` form). JSON.stringify and serde_json escape the same bytes:
/// `"`, backslash and C0 controls; everything else (U+2028/9 and all non-ASCII) as is.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any of the eight bytes in `chunk` is escaped: below 0x20, `"` or backslash
/// (the classic "has a zero byte" bit trick, exact for the question "any?").
fn any_escaped(chunk: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = chunk.wrapping_sub(ONES * 0x20) & !chunk;
    let quote = chunk ^ (ONES * u64::from(b'"'));
    let backslash = chunk ^ (ONES * u64::from(b'\\'));
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero(quote) | zero(backslash)) & HIGH != 0
}

/// Writes `s` as a JSON string literal. Eight bytes are checked at a time and runs without
/// escapes copied whole: canonical JSON is mostly such runs, and this is most of writing it.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let chunk = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            if !any_escaped(chunk) {
                i += 8;
                continue;
            }
        }
        let end = bytes.len().min(i + 8);
        while i < end {
            let b = bytes[i];
            let escape = ESCAPE[usize::from(b)];
            if escape != 0 {
                // Escaped bytes are ASCII, so these offsets are char boundaries.
                out.push_str(&s[start..i]);
                out.push('\\');
                out.push(char::from(escape));
                if escape == b'u' {
                    out.push_str("00");
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 0xf)]));
                }
                start = i + 1;
            }
            i += 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes a number as JavaScript's `Number#toString` does.
pub fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(itoa::Buffer::new().format(i));
    } else if let Some(u) = n.as_u64() {
        out.push_str(itoa::Buffer::new().format(u));
    } else {
        write_f64(out, n.as_f64().unwrap_or(0.0));
    }
}

/// Writes a finite float as JavaScript does (`-0` as `0`, integral values without `.0`).
pub fn write_f64(out: &mut String, f: f64) {
    if f == 0.0 {
        out.push('0');
        return;
    }
    let mut buf = ryu_js::Buffer::new();
    out.push_str(buf.format(f));
}

/// Writes any JSON value as `JSON.stringify` would write the same value in Node.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// Writes an object with its keys in JavaScript's property order.
pub fn write_object(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    for (i, (k, v)) in js_key_order(map).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write_value(out, v);
    }
    out.push('}');
}

/// A value serialised to a string, the way `JSON.stringify` would.
pub fn to_js_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Whether `key` is an array index (`"0"`, `"17"`, below 2^32 − 1): JavaScript enumerates such
/// keys first, in ascending numeric order, whatever order they were inserted in.
pub fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>().ok().filter(|n| *n < u64::from(u32::MAX)).map(|n| n as u32)
}

/// The entries of `map` in JavaScript's enumeration order: array indices ascending, then
/// every other key in insertion order.
pub fn js_key_order(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut indexed: Vec<(u32, (&String, &Value))> = Vec::new();
    let mut rest = Vec::with_capacity(map.len());
    for entry in map {
        match array_index(entry.0) {
            Some(n) => indexed.push((n, entry)),
            None => rest.push(entry),
        }
    }
    if indexed.is_empty() {
        return rest;
    }
    indexed.sort_by_key(|(n, _)| *n);
    indexed.into_iter().map(|(_, e)| e).chain(rest).collect()
}

/// Whether JavaScript reads this JSON number and writes it back with the same digits. Every
/// float and every integer within ±(2^53 − 1) does; a larger integer only when it is exactly
/// the shortest form of a double (`100000000000000000`), never `9007199254740993`, which Node
/// would silently turn into `…992`.
pub fn is_js_exact(n: &Number) -> bool {
    let int = n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match int {
        Some(i) if i.abs() <= i128::from(MAX_SAFE_INTEGER) => true,
        Some(i) => {
            let mut buf = ryu_js::Buffer::new();
            buf.format(i as f64) == i.to_string()
        }
        None => true,
    }
}

/// Checks that every number in `value` survives JavaScript unchanged (see [`is_js_exact`]): an
/// integer that would silently change in Node is refused. `path` names the field.
pub fn check_js_safe(value: &Value, path: &str, origin: Origin) -> Result<()> {
    match value {
        Value::Number(n) => {
            if !is_js_exact(n) {
                return Err(origin.error(format!(
                    "{path} holds the integer {n}, beyond ±(2^53 − 1), which JavaScript cannot hold exactly; store it as a string"
                )));
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_js_safe(item, &format!("{path}[{i}]"), origin)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for (k, v) in map {
                check_js_safe(v, &format!("{path}.{}", crate::error::escape(k)), origin)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Parses JSON text (as a store hands it back) into a value, as `INVALID_SESSION` on failure.
pub fn parse_text(text: &str, what: &str, origin: Origin) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        // `JSON.stringify` writes a lone surrogate as a `\ud800` escape, which is valid JSON
        // syntax but not Unicode: name the real problem rather than serde's escape parser.
        let text = e.to_string();
        if text.contains("surrogate") || text.contains("hex escape") {
            return crate::error::lone_surrogate(origin, &format!("{what} (a string in it)"));
        }
        origin.error(format!("{what} is not valid JSON: {text}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lone_surrogate_escapes_are_named() {
        for text in [r#"{"id":"a\ud800"}"#, r#"{"id":"a\udc00b"}"#, r#"{"data":{"k\ud800":1}}"#] {
            let err = parse_text(text, "session text", Origin::Argument).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT");
            assert!(err.message().contains("lone surrogate"), "{text}: {err}");
        }
        assert!(parse_text(r#"{"id":"\ud83d\ude00"}"#, "t", Origin::Argument).is_ok());
    }

    #[test]
    fn numbers_match_javascript() {
        let cases = [
            ("1", "1"),
            ("1.0", "1"),
            ("-0.0", "0"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-7"),
            ("0.1", "0.1"),
            ("123456789012345680000", "123456789012345680000"),
            ("1.5e300", "1.5e+300"),
        ];
        for (input, js) in cases {
            let v: Value = serde_json::from_str(input).unwrap();
            assert_eq!(to_js_string(&v), js, "{input}");
        }
    }

    #[test]
    fn array_index_keys_come_first() {
        let v: Value = serde_json::from_str(r#"{"b":1,"10":2,"a":3,"2":4,"01":5}"#).unwrap();
        assert_eq!(to_js_string(&v), r#"{"2":4,"10":2,"b":1,"a":3,"01":5}"#);
    }

    proptest::proptest! {
        #[test]
        fn strings_escape_exactly_as_serde_json(s in proptest::prelude::any::<String>()) {
            let mut out = String::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
        }
    }

    proptest::proptest! {
        // Mostly plain ASCII with escapes anywhere in or across the eight-byte chunks.
        #[test]
        fn escapes_at_every_offset_match_serde_json(s in "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é\u{2028}]{0,40}") {
            let mut out = String::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        assert_eq!(to_js_string(&json!("a\"\\\n\u{1f}é/")), r#""a\"\\\n\u001fé/""#);
    }

    #[test]
    fn unsafe_integers_are_refused_with_their_path() {
        let v = json!({"n": [1, 9_007_199_254_740_993_i64]});
        let err = check_js_safe(&v, "data", Origin::Argument).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.message().contains("data.n[1]"), "{err}");
        assert!(check_js_safe(
            &json!({"n": 9_007_199_254_740_991_i64, "f": 1e300}),
            "data",
            Origin::Argument
        )
        .is_ok());
        // Integers JavaScript itself writes (the shortest form of a double) are fine.
        assert!(check_js_safe(&json!(100_000_000_000_000_000_i64), "n", Origin::Argument).is_ok());
        assert!(check_js_safe(&json!(-71_690_958_955_640_750_i64), "n", Origin::Argument).is_ok());
        assert!(
            check_js_safe(&json!(1_152_921_504_606_846_976_i64), "n", Origin::Argument).is_err()
        );
        assert!(check_js_safe(&json!(u64::MAX), "n", Origin::Argument).is_err());
    }
}
