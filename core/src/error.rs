//! The one error type of sessionkeeper, with the stable codes both host packages expose.

/// Every failure the core reports. Each variant maps to one stable [`Error::code`] string that
/// the Node and Python packages expose unchanged, so an app can branch on it in either language.
///
/// Messages say what was expected and what came. They never contain access tokens, refresh
/// tokens or cookie secrets: values are quoted only for identifiers (ids, shops, field names).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input from the app: a wrong type, an empty id, a naive datetime, an unsafe integer.
    #[error("{0}")]
    InvalidArgument(String),
    /// Bad data from a store or a callback: not a session, a field of the wrong kind, corrupt file.
    #[error("{0}")]
    InvalidSession(String),
    /// A callback resolved to something its contract does not allow (e.g. `store` returned a string).
    #[error("{0}")]
    InvalidCallbackResult(String),
    /// A callback threw or rejected; the host binding keeps the original error as the cause.
    #[error("{0}")]
    CallbackFailed(String),
    /// A callback did not settle within the storage's timeout.
    #[error("{0}")]
    CallbackTimeout(String),
    /// The storage cannot do this operation (e.g. no `findSessionsByShop` callback was given).
    #[error("{0}")]
    NotSupported(String),
    /// The file storage failed to read or write its directory.
    #[error("{0}")]
    StorageIo(String),
    /// A write lost a race with another writer (reserved for the lifecycle manager).
    #[error("{0}")]
    Conflict(String),
    /// A cookie-only session does not fit in a cookie (reserved for the lifecycle manager).
    #[error("{0}")]
    CookieTooLarge(String),
    /// A signed cookie failed verification (reserved for the lifecycle manager).
    #[error("{0}")]
    InvalidSignature(String),
}

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every stable code, in a fixed order (ARCHITECTURE.md, "Errors"); host packages export this list.
pub const ERROR_CODES: [&str; 10] = [
    "INVALID_ARGUMENT",
    "INVALID_SESSION",
    "INVALID_CALLBACK_RESULT",
    "CALLBACK_FAILED",
    "CALLBACK_TIMEOUT",
    "NOT_SUPPORTED",
    "STORAGE_IO",
    "CONFLICT",
    "COOKIE_TOO_LARGE",
    "INVALID_SIGNATURE",
];

/// Each code's variant, in the order of [`ERROR_CODES`].
const BY_CODE: [fn(String) -> Error; 10] = [
    Error::InvalidArgument,
    Error::InvalidSession,
    Error::InvalidCallbackResult,
    Error::CallbackFailed,
    Error::CallbackTimeout,
    Error::NotSupported,
    Error::StorageIo,
    Error::Conflict,
    Error::CookieTooLarge,
    Error::InvalidSignature,
];

impl Error {
    /// The stable, language-independent code of this error (`"INVALID_SESSION"`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::InvalidSession(_) => "INVALID_SESSION",
            Error::InvalidCallbackResult(_) => "INVALID_CALLBACK_RESULT",
            Error::CallbackFailed(_) => "CALLBACK_FAILED",
            Error::CallbackTimeout(_) => "CALLBACK_TIMEOUT",
            Error::NotSupported(_) => "NOT_SUPPORTED",
            Error::StorageIo(_) => "STORAGE_IO",
            Error::Conflict(_) => "CONFLICT",
            Error::CookieTooLarge(_) => "COOKIE_TOO_LARGE",
            Error::InvalidSignature(_) => "INVALID_SIGNATURE",
        }
    }

    /// The error with code `code` (one of [`ERROR_CODES`]) and `message`, as a host hands back
    /// an error the core worded earlier; `None` for a code the core does not have.
    pub fn from_code(code: &str, message: impl Into<String>) -> Option<Error> {
        let at = ERROR_CODES.iter().position(|c| *c == code)?;
        Some(BY_CODE[at](message.into()))
    }

    /// An error of the same code with another message.
    pub fn with_message(&self, message: impl Into<String>) -> Error {
        // Every code() is listed (`codes_are_stable_and_listed`).
        let at = ERROR_CODES.iter().position(|c| *c == self.code()).unwrap_or_default();
        BY_CODE[at](message.into())
    }

    /// The human-readable message (the same text `Display` prints).
    pub fn message(&self) -> &str {
        match self {
            Error::InvalidArgument(m)
            | Error::InvalidSession(m)
            | Error::InvalidCallbackResult(m)
            | Error::CallbackFailed(m)
            | Error::CallbackTimeout(m)
            | Error::NotSupported(m)
            | Error::StorageIo(m)
            | Error::Conflict(m)
            | Error::CookieTooLarge(m)
            | Error::InvalidSignature(m) => m,
        }
    }
}

/// Who handed us a value decides which code a bad value gets: the app's own arguments are
/// `INVALID_ARGUMENT`, anything read back from a store or callback is `INVALID_SESSION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The value is an argument the application passed in.
    Argument,
    /// The value came back from storage (a callback result, a file, a JSON text to deserialize).
    Stored,
}

impl Origin {
    /// Builds the error of this origin with `message`.
    pub fn error(self, message: impl Into<String>) -> Error {
        match self {
            Origin::Argument => Error::InvalidArgument(message.into()),
            Origin::Stored => Error::InvalidSession(message.into()),
        }
    }
}

/// `value` in double quotes for a message, with every character that could forge or hide log
/// lines escaped: `"` and `\`, control characters (C0, DEL, C1: newlines, CR, ANSI escapes), and
/// the line separators and bidirectional overrides that reorder what a reader sees. Every
/// message that quotes an id, a shop or another value from outside goes through here, so an id
/// like `"a\n[ERROR] forged"` cannot start a log line of its own.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", escape(value))
}

/// `value` with the characters [`quote`] escapes escaped, without the quotes (for a key inside
/// a path such as `data.key[1]`).
pub fn escape(value: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A short, stable stand-in for an id that must not appear in messages or logs (a managed
/// session's id is its cookie's bearer credential): `#` and the first 12 hex digits of the
/// id's SHA-256, enough to tell sessions apart in logs, useless to replay.
pub fn id_hash(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    let mut out = String::from("#");
    for b in &digest[..6] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Like [`describe`] for a value of `field`: only the kind ("a number") for a secret field
/// (`Kind::Token` in the session's field table, in either spelling), whatever its type: a token
/// stored as a number is still a token.
pub fn describe_field(field: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Bool(_) if crate::session::is_secret(field) => {
            crate::words::kind("a boolean").into()
        }
        Value::Number(_) if crate::session::is_secret(field) => "a number".into(),
        _ => describe(value),
    }
}

/// What messages say of text holding a lone surrogate (half of a UTF-16 pair: JavaScript and
/// Python strings can hold one, UTF-8 and JSON text cannot), after naming the value.
pub const LONE_SURROGATE: &str =
    "must be valid Unicode text, got a string with a lone surrogate (half of a UTF-16 pair)";

/// The error for a string named `what` that holds a lone surrogate. Hosts check their strings
/// before converting them, since a conversion would fail or silently replace the surrogate
/// with U+FFFD (and `"a\u{D800}"` would become the id of another session).
pub fn lone_surrogate(origin: Origin, what: &str) -> Error {
    origin.error(format!("{what} {LONE_SURROGATE}"))
}

/// A short description of a JSON value's kind for messages ("a string", "the number 3"), never
/// echoing string contents, which may be secrets; in the host's words (`null` / `None`).
pub fn describe(value: &serde_json::Value) -> String {
    use crate::words::{kind, language, Language};
    use serde_json::Value;
    match value {
        Value::Null => kind("null").into(),
        Value::Bool(b) if language() == Language::Python => kind(&b.to_string()).into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => kind("an array").into(),
        Value::Object(_) => kind("an object").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_listed() {
        let all = [
            Error::InvalidArgument(String::new()),
            Error::InvalidSession(String::new()),
            Error::InvalidCallbackResult(String::new()),
            Error::CallbackFailed(String::new()),
            Error::CallbackTimeout(String::new()),
            Error::NotSupported(String::new()),
            Error::StorageIo(String::new()),
            Error::Conflict(String::new()),
            Error::CookieTooLarge(String::new()),
            Error::InvalidSignature(String::new()),
        ];
        let codes: Vec<_> = all.iter().map(Error::code).collect();
        assert_eq!(codes, ERROR_CODES);
        for e in &all {
            let again = Error::from_code(e.code(), "m").unwrap();
            assert_eq!((again.code(), again.message()), (e.code(), "m"));
            assert_eq!(e.with_message("m"), again);
        }
        assert_eq!(Error::from_code("NOPE", "m"), None);
    }

    #[test]
    fn quote_escapes_what_could_forge_a_log_line() {
        assert_eq!(quote("plain id é"), "\"plain id é\"");
        assert_eq!(
            quote("a\n[ERROR] b\r\u{1b}[31mred\u{7f}\u{9b}\"\\\t\u{202e}\u{2028}\0"),
            r#""a\n[ERROR] b\r\u001b[31mred\u007f\u009b\"\\\t\u202e\u2028\u0000""#
        );
        let hashed = id_hash("cookie-id");
        assert_eq!((hashed.len(), hashed.starts_with('#')), (13, true));
        assert_eq!(hashed, id_hash("cookie-id"));
        assert!(!hashed.contains("cookie"));
    }

    #[test]
    fn describe_never_echoes_strings() {
        let d = describe(&serde_json::json!("shpat_secret"));
        assert!(!d.contains("secret"));
        assert_eq!(describe(&serde_json::json!(3)), "the number 3");
        let token = serde_json::json!(987_654_321_012_345_i64);
        assert_eq!(describe_field("accessToken", &token), "a number");
        assert_eq!(describe_field("refresh_token", &serde_json::json!(true)), "a boolean");
        assert_eq!(describe_field("state", &token), "the number 987654321012345");
    }
}
