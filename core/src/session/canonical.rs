//! Canonical JSON: the bytes `JSON.stringify(session)` gives in Node and `to_json()` in Python.

use super::Session;
use crate::error::{Origin, Result};
use crate::json;

/// The outcome of checking a session text: either it already is canonical JSON (the common
/// case when our own packages wrote it, so nothing new has to be built) or its canonical form.
#[derive(Debug, Clone, PartialEq)]
pub enum Canonical {
    /// The text given is already canonical JSON for this session.
    Unchanged(Session),
    /// The text described a valid session in another shape; here is its canonical JSON.
    Rewritten(Session, String),
}

impl Canonical {
    /// The session either way.
    pub fn session(&self) -> &Session {
        match self {
            Canonical::Unchanged(s) | Canonical::Rewritten(s, _) => s,
        }
    }

    /// Takes the session out.
    pub fn into_session(self) -> Session {
        match self {
            Canonical::Unchanged(s) | Canonical::Rewritten(s, _) => s,
        }
    }
}

impl Session {
    /// Canonical JSON: keys in the order `id, shop, state, isOnline, scope, expires,
    /// accessToken, refreshToken, refreshTokenExpires, onlineAccessInfo, data`, absent fields
    /// omitted, dates as `2030-01-01T00:00:00.000Z`, numbers as JavaScript writes them.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128 + self.id.len() + self.shop.len());
        self.write_json(&mut out);
        out
    }

    /// Appends canonical JSON to `out`.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"id\":");
        json::write_str(out, &self.id);
        out.push_str(",\"shop\":");
        json::write_str(out, &self.shop);
        out.push_str(",\"state\":");
        json::write_str(out, &self.state);
        out.push_str(if self.is_online { ",\"isOnline\":true" } else { ",\"isOnline\":false" });
        let strings = [
            ("scope", &self.scope, None),
            ("expires", &None, self.expires),
            ("accessToken", &self.access_token, None),
            ("refreshToken", &self.refresh_token, None),
            ("refreshTokenExpires", &None, self.refresh_token_expires),
        ];
        for (key, text, date) in strings {
            if let Some(s) = text {
                push_key(out, key);
                json::write_str(out, s);
            } else if let Some(d) = date {
                push_key(out, key);
                out.push('"');
                out.push_str(&d.to_iso());
                out.push('"');
            }
        }
        if let Some(info) = &self.online_access_info {
            push_key(out, "onlineAccessInfo");
            info.write(out);
        }
        if let Some(data) = &self.data {
            push_key(out, "data");
            json::write_object(out, data);
        }
        out.push('}');
    }

    /// Validates session text of any accepted shape and tells whether it is already canonical,
    /// so a binding can hand the original text on without building anything new.
    pub fn canonicalize(text: &str, origin: Origin) -> Result<Canonical> {
        let session = Session::from_json(text, origin)?;
        let canonical = session.to_json();
        Ok(if canonical == text {
            Canonical::Unchanged(session)
        } else {
            Canonical::Rewritten(session, canonical)
        })
    }
}

fn push_key(out: &mut String, key: &str) {
    out.push_str(",\"");
    out.push_str(key);
    out.push_str("\":");
}
