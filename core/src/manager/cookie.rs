//! The session cookie: its attributes, finding it in a `Cookie` header, writing `Set-Cookie`.
//!
//! Parsing and formatting go through the `cookie` crate; this module holds only our rules: the
//! defaults (HttpOnly, Secure, SameSite=Lax, Path=/), the `__Host-`/`__Secure-` prefix rules,
//! and that a malformed header never fails a request (it just holds no session).

use cookie::time::{Duration, OffsetDateTime};
use cookie::{Cookie, Expiration, SameSite};

use crate::error::{quote, Error, Result};
use crate::time::Timestamp;
use crate::words;

/// The cookie name when the app gives none: short and saying nothing about the stack behind it.
pub const DEFAULT_NAME: &str = "sid";

/// The longest `Set-Cookie` value sent: browsers keep at most 4096 bytes of a cookie.
pub const MAX_SET_COOKIE_BYTES: usize = 4096;

/// The session cookie's name and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieOptions {
    /// The cookie name.
    pub name: String,
    /// `Path`.
    pub path: String,
    /// `Domain`, if any.
    pub domain: Option<String>,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Secure`.
    pub secure: bool,
    /// `SameSite`: `"Strict"`, `"Lax"` or `"None"`.
    pub same_site: SameSite,
}

impl Default for CookieOptions {
    fn default() -> Self {
        CookieOptions {
            name: DEFAULT_NAME.into(),
            path: "/".into(),
            domain: None,
            http_only: true,
            secure: true,
            same_site: SameSite::Lax,
        }
    }
}

fn invalid(option: &str, why: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("{}.{} {why}", words::name("cookie"), words::name(option)))
}

/// RFC 6265 `token` characters: what a cookie name may hold.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// `SameSite` from its attribute text, any case.
pub fn same_site(text: &str) -> Result<SameSite> {
    match text.to_ascii_lowercase().as_str() {
        "strict" => Ok(SameSite::Strict),
        "lax" => Ok(SameSite::Lax),
        "none" => Ok(SameSite::None),
        _ => Err(invalid(
            "sameSite",
            format!("must be \"Strict\", \"Lax\" or \"None\", got {}", quote(text)),
        )),
    }
}

impl CookieOptions {
    /// Checks the rules browsers enforce silently (a cookie they would drop must fail here).
    pub fn validate(&self) -> Result<()> {
        if !is_token(&self.name) {
            return Err(invalid(
                "name",
                format!("must be a cookie token, got {}", quote(&self.name)),
            ));
        }
        if !self.path.starts_with('/')
            || self.path.bytes().any(|b| b.is_ascii_control() || b == b';')
        {
            return Err(invalid(
                "path",
                format!("must start with \"/\", got {}", quote(&self.path)),
            ));
        }
        if let Some(domain) = &self.domain {
            if domain.is_empty()
                || !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
            {
                return Err(invalid(
                    "domain",
                    format!("must be a host name, got {}", quote(domain)),
                ));
            }
        }
        let prefixed =
            |p: &str| self.name.len() >= p.len() && self.name[..p.len()].eq_ignore_ascii_case(p);
        if (prefixed("__Secure-") || prefixed("__Host-")) && !self.secure {
            return Err(invalid(
                "secure",
                format!("must be true for a cookie named {}", quote(&self.name)),
            ));
        }
        if prefixed("__Host-") {
            if self.domain.is_some() {
                return Err(invalid(
                    "domain",
                    format!("must be unset for a cookie named {}", quote(&self.name)),
                ));
            }
            if self.path != "/" {
                return Err(invalid(
                    "path",
                    format!("must be \"/\" for a cookie named {}", quote(&self.name)),
                ));
            }
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(invalid(
                "secure",
                "must be true when sameSite is \"None\" (browsers drop the cookie otherwise)",
            ));
        }
        Ok(())
    }

    /// Every value the `Cookie` header carries under our name, in header order (a browser sends
    /// the cookie of the most specific path first). Unparsable pieces are skipped, never an error.
    pub fn values(&self, header: &str) -> Vec<String> {
        Cookie::split_parse(header)
            .filter_map(|c| c.ok())
            .filter(|c| c.name() == self.name)
            .map(|c| c.value().to_owned())
            .collect()
    }

    fn build<'c>(&self, value: String) -> cookie::CookieBuilder<'c> {
        let mut b = Cookie::build((self.name.clone(), value))
            .path(self.path.clone())
            .http_only(self.http_only)
            .secure(self.secure)
            .same_site(self.same_site);
        if let Some(domain) = &self.domain {
            b = b.domain(domain.clone());
        }
        b
    }

    /// `Set-Cookie` for `value`, kept until `expires` (`Max-Age` and `Expires`) or, without one,
    /// a browser-session cookie. Fails with `COOKIE_TOO_LARGE` over [`MAX_SET_COOKIE_BYTES`].
    pub fn set_cookie(
        &self,
        value: String,
        expires: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<String> {
        let mut b = self.build(value);
        if let Some(expires) = expires {
            let ms = expires.epoch_ms().saturating_sub(now.epoch_ms()).max(0);
            // Rounded up: a cookie must not outlive its session by less than a second, nor die early.
            b = b.max_age(Duration::seconds((ms + 999) / 1000));
            if let Ok(at) = OffsetDateTime::from_unix_timestamp(expires.epoch_ms().div_euclid(1000))
            {
                b = b.expires(Expiration::DateTime(at));
            }
        }
        let text = b.build().to_string();
        if text.len() > MAX_SET_COOKIE_BYTES {
            return Err(Error::CookieTooLarge(format!(
                "the session cookie would be {} bytes, over the {MAX_SET_COOKIE_BYTES} browsers keep; nothing was sent",
                text.len()
            )));
        }
        Ok(text)
    }

    /// `Set-Cookie` that makes the browser drop the cookie now.
    pub fn clear_cookie(&self) -> String {
        self.build(String::new())
            .max_age(Duration::ZERO)
            .expires(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH))
            .build()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(name: &str) -> CookieOptions {
        CookieOptions { name: name.into(), ..CookieOptions::default() }
    }

    #[test]
    fn defaults_are_safe() {
        let now = Timestamp::from_epoch_ms(1_700_000_000_000).unwrap();
        let text = opts("sid").set_cookie("v".into(), Some(now.add_ms(1_500)), now).unwrap();
        assert_eq!(
            text,
            "sid=v; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=2; Expires=Tue, 14 Nov 2023 22:13:21 GMT"
        );
        let cleared = opts("sid").clear_cookie();
        assert!(cleared.starts_with("sid=; ") && cleared.contains("Max-Age=0"), "{cleared}");
    }

    #[test]
    fn prefixes_and_same_site_rules() {
        let mut o = opts("__Host-sid");
        o.validate().unwrap();
        o.domain = Some("example.com".into());
        assert!(o.validate().unwrap_err().message().contains("cookie.domain must be unset"));
        let mut o = opts("__Host-sid");
        o.path = "/app".into();
        assert!(o.validate().unwrap_err().message().contains("cookie.path"));
        let mut o = opts("__secure-sid");
        o.secure = false;
        assert!(o.validate().unwrap_err().message().contains("cookie.secure must be true"));
        let mut o = opts("sid");
        o.secure = false;
        o.validate().unwrap();
        o.same_site = SameSite::None;
        assert_eq!(o.validate().unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(opts("bad name").validate().unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(opts("").validate().unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(same_site("STRICT").unwrap(), SameSite::Strict);
        assert!(same_site("x").is_err());
    }

    #[test]
    fn finds_values_in_messy_headers() {
        let o = opts("sid");
        assert_eq!(o.values("a=1; sid=x.y; sid=z"), vec!["x.y", "z"]);
        assert!(o.values("").is_empty());
        assert!(o.values(";;;=;sid").is_empty());
        assert_eq!(o.values("sid=\"q\"; other=2"), vec!["\"q\""]);
        assert!(opts("SID").values("sid=1").is_empty(), "names are case-sensitive");
    }

    #[test]
    fn too_large_is_refused() {
        let now = Timestamp::from_epoch_ms(0).unwrap();
        let err = opts("sid").set_cookie("x".repeat(5000), None, now).unwrap_err();
        assert_eq!(err.code(), "COOKIE_TOO_LARGE");
    }
}
