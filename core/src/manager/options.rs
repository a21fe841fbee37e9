//! A manager's options as the app wrote them, checked once, in the host's own spelling.
//!
//! The host hands over its options object as JSON (Node: `idleTimeoutMs` in milliseconds,
//! `sameSite`; Python: `idle_timeout` in seconds, `same_site`); this module reads the names and
//! units of [`words::language`], so both hosts share one parser and one set of messages.

use serde_json::{Map, Value};

use super::cookie::{same_site, CookieOptions};
use super::keys::KeyRing;
use super::lifecycle::{Concurrency, Config, Keeping};
use crate::error::{describe, quote, Error, Result};
use crate::words::{self, Language};

/// The idle timeout when the app sets none: 30 minutes (OWASP's upper range for an idle timeout).
pub const DEFAULT_IDLE_TIMEOUT_MS: i64 = 30 * 60_000;
/// The absolute timeout when the app sets none: 12 hours from creation.
pub const DEFAULT_ABSOLUTE_TIMEOUT_MS: i64 = 12 * 3_600_000;
/// Browsers cap a cookie's lifetime at 400 days; longer timeouts could never be honoured.
pub const MAX_TIMEOUT_MS: i64 = 400 * 86_400_000;

const OPTIONS: [&str; 6] =
    ["secrets", "cookie", "idleTimeoutMs", "absoluteTimeoutMs", "touchAfterMs", "concurrency"];
const COOKIE_OPTIONS: [&str; 6] = ["name", "path", "domain", "httpOnly", "secure", "sameSite"];

fn invalid(message: String) -> Error {
    Error::InvalidArgument(message)
}

/// The options' keys must all be known ones (a typo must not silently mean a default).
fn check_known(
    map: &Map<String, Value>,
    known: &[&str],
    parent: &str,
    language: Language,
) -> Result<()> {
    for key in map.keys() {
        if !known.iter().any(|k| words::name_in(language, k) == key.as_str()) {
            let allowed: Vec<_> = known.iter().map(|k| words::name_in(language, k)).collect();
            return Err(invalid(format!(
                "unknown option {}{}; expected one of {}",
                parent,
                quote(key),
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn get<'m>(map: &'m Map<String, Value>, js: &str, language: Language) -> Option<&'m Value> {
    map.get(words::name_in(language, js).as_ref()).filter(|v| !v.is_null())
}

/// A duration option in the host's unit (ms in JavaScript, seconds in Python), as ms.
fn duration(map: &Map<String, Value>, js: &str, language: Language) -> Result<Option<i64>> {
    let Some(value) = get(map, js, language) else { return Ok(None) };
    let name = words::name_in(language, js);
    let unit = match language {
        Language::JavaScript => "milliseconds",
        Language::Python => "seconds (or a timedelta)",
    };
    let ms = value.as_f64().map(|n| match language {
        Language::JavaScript => n,
        Language::Python => n * 1000.0,
    });
    match ms {
        Some(ms) if ms.is_finite() && ms >= 0.0 && ms <= MAX_TIMEOUT_MS as f64 => {
            Ok(Some(ms.round() as i64))
        }
        Some(_) => {
            Err(invalid(format!("{name} must be between 0 and 400 days in {unit}, got {value}")))
        }
        None => Err(invalid(format!("{name} must be a number of {unit}, got {}", describe(value)))),
    }
}

fn string(
    map: &Map<String, Value>,
    js: &str,
    parent: &str,
    language: Language,
) -> Result<Option<String>> {
    match get(map, js, language) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(invalid(format!(
            "{parent}{} must be a string, got {}",
            words::name_in(language, js),
            describe(v)
        ))),
    }
}

fn boolean(map: &Map<String, Value>, js: &str, language: Language) -> Result<Option<bool>> {
    match get(map, js, language) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(invalid(format!(
            "cookie.{} must be {}, got {}",
            words::name_in(language, js),
            words::kind_in(language, "true or false"),
            describe(v)
        ))),
    }
}

fn cookie(value: Option<&Value>, language: Language) -> Result<CookieOptions> {
    let mut c = CookieOptions::default();
    let map = match value {
        None => return Ok(c),
        Some(Value::Object(map)) => map,
        Some(v) => {
            return Err(invalid(format!(
                "cookie must be {}, got {}",
                words::kind_in(language, "an object"),
                describe(v)
            )))
        }
    };
    check_known(map, &COOKIE_OPTIONS, "cookie.", language)?;
    if let Some(name) = string(map, "name", "cookie.", language)? {
        c.name = name;
    }
    if let Some(path) = string(map, "path", "cookie.", language)? {
        c.path = path;
    }
    c.domain = string(map, "domain", "cookie.", language)?;
    if let Some(b) = boolean(map, "httpOnly", language)? {
        c.http_only = b;
    }
    if let Some(b) = boolean(map, "secure", language)? {
        c.secure = b;
    }
    if let Some(s) = string(map, "sameSite", "cookie.", language)? {
        c.same_site = same_site(&s)?;
    }
    c.validate()?;
    Ok(c)
}

impl Config {
    /// Reads and checks a manager's options. `keeping` says whether the storage is the
    /// cookie-only one; `can_compare` whether it can store only over an expected version
    /// (what `optimistic` concurrency needs).
    pub fn from_options(
        options: &Map<String, Value>,
        keeping: Keeping,
        can_compare: bool,
    ) -> Result<Config> {
        Self::from_options_in(words::language(), options, keeping, can_compare)
    }

    /// [`Config::from_options`] for an explicit host language.
    pub fn from_options_in(
        language: Language,
        options: &Map<String, Value>,
        keeping: Keeping,
        can_compare: bool,
    ) -> Result<Config> {
        check_known(options, &OPTIONS, "", language)?;
        let secrets: Vec<&str> = match get(options, "secrets", language) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_str().ok_or_else(|| {
                        invalid(format!("secrets[{i}] must be a string, got {}", describe(s)))
                    })
                })
                .collect::<Result<_>>()?,
            Some(v) => {
                return Err(invalid(format!(
                    "secrets must be a list of strings, got {}",
                    describe(v)
                )))
            }
            None => {
                return Err(invalid(
                    "secrets is required: at least one secret of 32 bytes or more".into(),
                ))
            }
        };
        let ring = KeyRing::new(&secrets)?;
        let cookie = cookie(get(options, "cookie", language), language)?;
        let idle = duration(options, "idleTimeoutMs", language)?.unwrap_or(DEFAULT_IDLE_TIMEOUT_MS);
        let absolute = duration(options, "absoluteTimeoutMs", language)?
            .unwrap_or(DEFAULT_ABSOLUTE_TIMEOUT_MS);
        let touch = duration(options, "touchAfterMs", language)?;
        if touch.is_some_and(|t| idle > 0 && t >= idle) {
            return Err(invalid(format!(
                "{} must be shorter than {}, or a session in steady use would expire",
                words::name_in(language, "touchAfterMs"),
                words::name_in(language, "idleTimeoutMs")
            )));
        }
        let concurrency = match string(options, "concurrency", "", language)?.as_deref() {
            None => Concurrency::LastWriteWins,
            Some(s) if s == words::name_in(language, "last-write-wins") => {
                Concurrency::LastWriteWins
            }
            Some("optimistic") => Concurrency::Optimistic,
            Some(other) => {
                return Err(invalid(format!(
                    "concurrency must be {} or \"optimistic\", got {}",
                    quote(&words::name_in(language, "last-write-wins")),
                    quote(other)
                )))
            }
        };
        if concurrency == Concurrency::Optimistic && keeping == Keeping::Stored && !can_compare {
            return Err(Error::NotSupported(
                "optimistic concurrency needs a storage that can store over an expected version; this one cannot".into(),
            ));
        }
        Ok(Config {
            ring,
            cookie,
            idle_timeout_ms: idle,
            absolute_timeout_ms: absolute,
            touch_after_ms: touch.unwrap_or(idle / 10),
            concurrency,
            keeping,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use Language::{JavaScript as Js, Python as Py};

    const S: &str = "a-secret-of-at-least-thirty-two-bytes!!";

    fn read(language: Language, v: Value) -> Result<Config> {
        Config::from_options_in(language, v.as_object().unwrap(), Keeping::Stored, false)
    }

    fn message(language: Language, v: Value) -> String {
        let e = read(language, v).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
        e.message().to_owned()
    }

    #[test]
    fn defaults() {
        let c = read(Js, json!({"secrets": [S]})).unwrap();
        assert_eq!(c.idle_timeout_ms, DEFAULT_IDLE_TIMEOUT_MS);
        assert_eq!(c.absolute_timeout_ms, DEFAULT_ABSOLUTE_TIMEOUT_MS);
        assert_eq!(c.touch_after_ms, DEFAULT_IDLE_TIMEOUT_MS / 10);
        assert_eq!(c.cookie, CookieOptions::default());
        assert_eq!(c.concurrency, Concurrency::LastWriteWins);
    }

    #[test]
    fn each_host_in_its_own_names_and_units() {
        let js = read(
            Js,
            json!({"secrets": [S], "idleTimeoutMs": 60000, "touchAfterMs": 1000,
            "cookie": {"sameSite": "strict", "httpOnly": false}, "concurrency": "last-write-wins"}),
        )
        .unwrap();
        let py = read(Py, json!({"secrets": [S], "idle_timeout": 60, "touch_after": 1.0,
            "cookie": {"same_site": "strict", "http_only": false}, "concurrency": "last_write_wins"}))
        .unwrap();
        assert_eq!((js.idle_timeout_ms, js.touch_after_ms), (60_000, 1_000));
        assert_eq!((py.idle_timeout_ms, py.touch_after_ms), (60_000, 1_000));
        assert_eq!(js.cookie, py.cookie);
        assert!(!py.cookie.http_only);
        assert!(message(Py, json!({"secrets": [S], "idleTimeoutMs": 1}))
            .contains("unknown option \"idleTimeoutMs\""));
        assert!(message(Py, json!({"secrets": [S], "idle_timeout": -1}))
            .contains("idle_timeout must be between 0 and 400 days in seconds"));
        assert!(message(Js, json!({"secrets": [S], "idleTimeoutMs": "1"}))
            .contains("idleTimeoutMs must be a number of milliseconds, got a string"));
        assert!(message(Py, json!({"secrets": [S], "cookie": {"httpOnly": true}}))
            .contains("unknown option cookie.\"httpOnly\""));
        assert!(message(Js, json!({"secrets": [S], "concurrency": "last_write_wins"}))
            .contains("\"last-write-wins\""));
    }

    #[test]
    fn bad_options_are_named() {
        assert!(message(Js, json!({})).contains("secrets is required"));
        assert!(message(Js, json!({"secrets": S})).contains("secrets must be a list"));
        assert!(message(Js, json!({"secrets": [S, 5]})).contains("secrets[1] must be a string"));
        assert!(message(Js, json!({"secrets": ["short"]}))
            .contains("secrets[0] must be at least 32 bytes"));
        assert!(message(Js, json!({"secrets": [S], "touchAfterMs": 1_800_000}))
            .contains("touchAfterMs must be shorter than idleTimeoutMs"));
        assert!(message(
            Js,
            json!({"secrets": [S], "cookie": {"name": "__Host-s", "domain": "a.com"}})
        )
        .contains("cookie.domain must be unset"));
        assert!(message(Js, json!({"secrets": [S], "cookie": "sid"}))
            .contains("cookie must be an object"));
        assert!(message(Js, json!({"secrets": [S], "idleTimeoutMs": 1e300})).contains("400 days"));
        assert!(
            message(Js, json!({"secrets": [S], "bogus": 1})).contains("unknown option \"bogus\"")
        );
        let e = read(Js, json!({"secrets": [S], "concurrency": "optimistic"})).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        assert!(Config::from_options_in(
            Js,
            json!({"secrets": [S], "concurrency": "optimistic"}).as_object().unwrap(),
            Keeping::Stored,
            true
        )
        .is_ok());
    }
}
