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
    }

    #[test]
    fn describe_never_echoes_strings() {
        let d = describe(&serde_json::json!("shpat_secret"));
        assert!(!d.contains("secret"));
        assert_eq!(describe(&serde_json::json!(3)), "the number 3");
    }
}
