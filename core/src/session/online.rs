//! `onlineAccessInfo`: the user behind an online session, in Shopify's snake_case shape.

use serde_json::{Map, Number, Value};

use super::read::Reader;
use crate::error::Result;
use crate::json::{self, array_index};

/// Shopify's `OnlineAccessInfo`. Every known field is optional because stores written from
/// property arrays hold only the user id; keys Shopify adds later are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnlineAccessInfo {
    /// Seconds the online token was granted for, as Shopify's OAuth response gave it.
    pub expires_in: Option<Number>,
    /// The scopes granted to the user.
    pub associated_user_scope: Option<String>,
    /// Shopify's identifier of the user's login session, as the OAuth response gave it.
    pub session: Option<String>,
    /// The user's Shopify account number, as the OAuth response gave it.
    pub account_number: Option<Number>,
    /// The user the online token belongs to.
    pub associated_user: Option<AssociatedUser>,
    /// Keys Shopify may add later, written after the known ones.
    pub extra: Map<String, Value>,
}

/// Shopify's `OnlineAccessUser`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssociatedUser {
    /// The Shopify user id (a number).
    pub id: Option<Number>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Whether the e-mail address is verified.
    pub email_verified: Option<bool>,
    /// Whether the user owns the shop's account.
    pub account_owner: Option<bool>,
    /// The user's locale.
    pub locale: Option<String>,
    /// Whether the user is a collaborator.
    pub collaborator: Option<bool>,
    /// Other keys, written after the known ones.
    pub extra: Map<String, Value>,
}

/// A known key's value, borrowed: what writers (canonical JSON, a host's own objects) need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InfoValue<'a> {
    /// `expires_in`, `account_number`, the user's `id`.
    Number(&'a Number),
    /// A string.
    Text(&'a str),
    /// A boolean.
    Flag(bool),
    /// `associated_user`.
    User(&'a AssociatedUser),
}

/// The known keys of an object and their values (`None`: absent), in writing order.
pub type Known<'a, const N: usize> = [(&'static str, Option<InfoValue<'a>>); N];

fn extras(
    map: &Map<String, Value>,
    known: &[&str],
    r: &Reader,
    path: &str,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in map {
        if !known.contains(&k.as_str()) && !v.is_null() {
            json::check_js_safe(v, &format!("{path}.{k}"), r.origin)?;
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

fn check_extras(
    extra: &Map<String, Value>,
    path: &str,
    origin: crate::error::Origin,
) -> Result<()> {
    extra.iter().try_for_each(|(k, v)| json::check_js_safe(v, &format!("{path}.{k}"), origin))
}

impl OnlineAccessInfo {
    /// The known keys in the order Shopify 15 builds the object (the order of its OAuth
    /// response), so canonical JSON is what Shopify's own `JSON.stringify(session)` writes.
    pub fn known(&self) -> Known<'_, 5> {
        use InfoValue::{Number, Text, User};
        [
            ("expires_in", self.expires_in.as_ref().map(Number)),
            ("associated_user_scope", self.associated_user_scope.as_deref().map(Text)),
            ("session", self.session.as_deref().map(Text)),
            ("account_number", self.account_number.as_ref().map(Number)),
            ("associated_user", self.associated_user.as_ref().map(User)),
        ]
    }

    /// Reads the nested object form (canonical JSON, Python dicts, Shopify's JS objects).
    pub(crate) fn read(value: &Value, r: &Reader) -> Result<Self> {
        let map = r.object("onlineAccessInfo", value)?;
        let user = match map.get("associated_user") {
            None | Some(Value::Null) => None,
            Some(v) => Some(AssociatedUser::read(v, r)?),
        };
        Ok(OnlineAccessInfo {
            expires_in: r.opt_number("onlineAccessInfo.expires_in", map.get("expires_in"))?,
            associated_user_scope: r.opt_string(
                "onlineAccessInfo.associated_user_scope",
                map.get("associated_user_scope"),
            )?,
            session: r.opt_string("onlineAccessInfo.session", map.get("session"))?,
            account_number: r
                .opt_number("onlineAccessInfo.account_number", map.get("account_number"))?,
            associated_user: user,
            extra: extras(map, &Self::default().known().map(|(k, _)| k), r, "onlineAccessInfo")?,
        })
    }

    /// The checks parsing applies, for values built field by field: numbers JavaScript holds
    /// exactly. (Every other field is typed, so it cannot be of the wrong kind.)
    pub(crate) fn validate(&self, origin: crate::error::Origin) -> Result<()> {
        let number = |n: &Option<Number>, path: &str| match n {
            Some(n) if !json::is_js_exact(n) => Err(origin.error(format!(
                "{path} holds the integer {n}, which JavaScript cannot hold exactly"
            ))),
            _ => Ok(()),
        };
        number(&self.expires_in, "onlineAccessInfo.expires_in")?;
        number(&self.account_number, "onlineAccessInfo.account_number")?;
        check_extras(&self.extra, "onlineAccessInfo", origin)?;
        if let Some(u) = &self.associated_user {
            number(&u.id, "onlineAccessInfo.associated_user.id")?;
            check_extras(&u.extra, "onlineAccessInfo.associated_user", origin)?;
        }
        Ok(())
    }

    pub(crate) fn write(&self, out: &mut String) {
        write_object(out, &self.known(), &self.extra);
    }
}

impl AssociatedUser {
    fn read(value: &Value, r: &Reader) -> Result<Self> {
        let p = "onlineAccessInfo.associated_user";
        let map = r.object(p, value)?;
        let f = |k: &str| map.get(k);
        Ok(AssociatedUser {
            id: r.opt_number("onlineAccessInfo.associated_user.id", f("id"))?,
            first_name: r
                .opt_string("onlineAccessInfo.associated_user.first_name", f("first_name"))?,
            last_name: r
                .opt_string("onlineAccessInfo.associated_user.last_name", f("last_name"))?,
            email: r.opt_string("onlineAccessInfo.associated_user.email", f("email"))?,
            email_verified: r
                .opt_bool("onlineAccessInfo.associated_user.email_verified", f("email_verified"))?,
            account_owner: r
                .opt_bool("onlineAccessInfo.associated_user.account_owner", f("account_owner"))?,
            locale: r.opt_string("onlineAccessInfo.associated_user.locale", f("locale"))?,
            collaborator: r
                .opt_bool("onlineAccessInfo.associated_user.collaborator", f("collaborator"))?,
            extra: extras(map, &Self::default().known().map(|(k, _)| k), r, p)?,
        })
    }

    /// The known keys in the order of Shopify's `OnlineAccessUser`.
    pub fn known(&self) -> Known<'_, 8> {
        use InfoValue::{Flag, Number, Text};
        [
            ("id", self.id.as_ref().map(Number)),
            ("first_name", self.first_name.as_deref().map(Text)),
            ("last_name", self.last_name.as_deref().map(Text)),
            ("email", self.email.as_deref().map(Text)),
            ("email_verified", self.email_verified.map(Flag)),
            ("account_owner", self.account_owner.map(Flag)),
            ("locale", self.locale.as_deref().map(Text)),
            ("collaborator", self.collaborator.map(Flag)),
        ]
    }
}

fn write_object(
    out: &mut String,
    known: &[(&str, Option<InfoValue<'_>>)],
    extra: &Map<String, Value>,
) {
    let mut w = ObjectWriter::new(out, extra);
    for (key, value) in known {
        let Some(value) = value else { continue };
        w.known_key(key);
        match value {
            InfoValue::Number(n) => json::write_number(w.out, n),
            InfoValue::Text(s) => json::write_str(w.out, s),
            InfoValue::Flag(b) => w.out.push_str(if *b { "true" } else { "false" }),
            InfoValue::User(u) => write_object(w.out, &u.known(), &u.extra),
        }
    }
    w.finish();
}

/// Writes known keys between the extras JavaScript would enumerate first (array indices) and
/// the rest (sorted by name), so canonical JSON survives `JSON.parse` + `JSON.stringify` unchanged.
struct ObjectWriter<'a> {
    out: &'a mut String,
    late: Vec<(&'a String, &'a Value)>,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    fn new(out: &'a mut String, extra: &'a Map<String, Value>) -> Self {
        out.push('{');
        let mut w = ObjectWriter { out, late: Vec::new(), first: true };
        let mut early: Vec<(u32, &String, &Value)> = Vec::new();
        for (k, v) in extra {
            match array_index(k) {
                Some(n) => early.push((n, k, v)),
                None => w.late.push((k, v)),
            }
        }
        early.sort_by_key(|e| e.0);
        w.late.sort_by(|a, b| a.0.cmp(b.0));
        for (_, k, v) in early {
            w.key(k);
            json::write_value(w.out, v);
        }
        w
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json::write_str(self.out, k);
        self.out.push(':');
    }

    /// A key of Shopify's own: a plain identifier, written without looking for escapes.
    fn known_key(&mut self, k: &str) {
        debug_assert!(k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{k}");
        self.out.push_str(if self.first { "\"" } else { ",\"" });
        self.first = false;
        self.out.push_str(k);
        self.out.push_str("\":");
    }

    fn finish(mut self) {
        for (k, v) in std::mem::take(&mut self.late) {
            self.key(k);
            json::write_value(self.out, v);
        }
        self.out.push('}');
    }
}
