//! Messages in the caller's own words. The core writes every message once; the names in it —
//! session fields, storage methods and callbacks, options, kinds of value — are spelt the way
//! the host language spells them: `"accessToken"` and `got null` for JavaScript,
//! `"access_token"` and `got None` for Python.
//!
//! A process embeds the core in exactly one host (the napi module runs in Node, the pyo3
//! module in Python), so the binding names its language once, when it loads
//! ([`set_language`]); until then, and in Rust tests, messages read as JavaScript.

use std::borrow::Cow;
use std::sync::OnceLock;

/// The host language messages are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Node: camelCase names, `null`, arrays and objects, milliseconds.
    JavaScript,
    /// Python: snake_case names, `None`, lists and dicts, seconds.
    Python,
}

static LANGUAGE: OnceLock<Language> = OnceLock::new();

/// Names the host language for the rest of the process. Bindings call it once when they load;
/// later calls change nothing (a process has one host).
pub fn set_language(language: Language) {
    let _ = LANGUAGE.set(language);
}

/// The host language of this process ([`Language::JavaScript`] until a binding says otherwise).
pub fn language() -> Language {
    LANGUAGE.get().copied().unwrap_or(Language::JavaScript)
}

/// JavaScript names whose Python spelling is not their plain snake_case: durations are in
/// seconds in Python, so the `Ms` goes (`timeoutMs` → `timeout`, `graceMs` → `grace`), and
/// option values spelt with dashes in JavaScript take underscores.
const RENAMED: [(&str, &str); 7] = [
    ("timeoutMs", "timeout"),
    ("graceMs", "grace"),
    ("maxStalenessMs", "max_staleness"),
    ("idleTimeoutMs", "idle_timeout"),
    ("absoluteTimeoutMs", "absolute_timeout"),
    ("touchAfterMs", "touch_after"),
    ("last-write-wins", "last_write_wins"),
];

/// A name as the host spells it: a session field (`refreshTokenExpires`), a dotted path whose
/// first part is one (`onlineAccessInfo.associated_user.id`), a storage method or callback
/// (`findSessionsByShop`), an option (`keyPrefix`, `timeoutMs`).
pub fn name(js: &str) -> Cow<'_, str> {
    name_in(language(), js)
}

/// [`name`] for an explicit language.
pub fn name_in(language: Language, js: &str) -> Cow<'_, str> {
    if language == Language::JavaScript {
        return Cow::Borrowed(js);
    }
    if let Some((_, py)) = RENAMED.iter().find(|(from, _)| *from == js) {
        return Cow::Borrowed(py);
    }
    if !js.bytes().any(|b| b.is_ascii_uppercase()) {
        return Cow::Borrowed(js);
    }
    // Only the first part of a path is ours to rename: the rest are Shopify's own keys
    // (`associated_user`) or the app's (`data.myKey`), spelt as they are stored.
    let (head, rest) = match js.find(['.', '[']) {
        Some(at) => js.split_at(at),
        None => (js, ""),
    };
    let mut out = String::with_capacity(js.len() + 4);
    for c in head.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A kind of value in the host's words: `null`, `undefined` and "nothing" → `None`,
/// `an array` → `a list`, `an object` → `a dict`, `a boolean` → `a bool`, `true` → `True`.
pub fn kind(js: &str) -> &str {
    kind_in(language(), js)
}

/// [`kind`] for an explicit language.
pub fn kind_in(language: Language, js: &str) -> &str {
    if language == Language::JavaScript {
        return js;
    }
    match js {
        "null" | "undefined" | "nothing" => "None",
        "an array" => "a list",
        "an object" => "a dict",
        "a boolean" => "a bool",
        "true" => "True",
        "false" => "False",
        "true or false" => "True or False",
        "resolve to" => "return",
        "a string or object" => "a str or dict",
        other => other,
    }
}

/// A callback timeout as its option reads: `10000 ms` (Node's `timeoutMs`) or `10 s`
/// (Python's `timeout`, in seconds).
pub fn duration(ms: u64) -> String {
    duration_in(language(), ms)
}

/// [`duration`] for an explicit language.
pub fn duration_in(language: Language, ms: u64) -> String {
    match language {
        Language::JavaScript => format!("{ms} ms"),
        Language::Python if ms.is_multiple_of(1000) => format!("{} s", ms / 1000),
        // Whole milliseconds, so at most three decimals; trailing zeros dropped (0.05 s).
        Language::Python => {
            let text = format!("{}.{:03}", ms / 1000, ms % 1000);
            format!("{} s", text.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{JavaScript as Js, Python as Py};

    #[test]
    fn names_follow_each_language() {
        let cases = [
            ("accessToken", "access_token"),
            ("isOnline", "is_online"),
            ("refreshTokenExpires", "refresh_token_expires"),
            ("onlineAccessInfo.associated_user.id", "online_access_info.associated_user.id"),
            ("findSessionsByShop", "find_sessions_by_shop"),
            ("deleteSessions", "delete_sessions"),
            ("keyPrefix", "key_prefix"),
            ("timeoutMs", "timeout"),
            ("idleTimeoutMs", "idle_timeout"),
            ("last-write-wins", "last_write_wins"),
            ("graceMs", "grace"),
            ("data.myKey", "data.myKey"),
            ("shop", "shop"),
        ];
        for (js, py) in cases {
            assert_eq!(name_in(Js, js), js);
            assert_eq!(name_in(Py, js), py, "{js}");
        }
    }

    #[test]
    fn kinds_and_durations() {
        assert_eq!(kind_in(Py, "null"), "None");
        assert_eq!(kind_in(Py, "an array"), "a list");
        assert_eq!(kind_in(Js, "an array"), "an array");
        assert_eq!(duration_in(Js, 10_000), "10000 ms");
        assert_eq!(duration_in(Py, 10_000), "10 s");
        assert_eq!(duration_in(Py, 50), "0.05 s");
        assert_eq!(duration_in(Py, 1_500), "1.5 s");
    }
}
