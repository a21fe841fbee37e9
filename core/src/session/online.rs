//! `onlineAccessInfo`: the user behind an online session, in Shopify's snake_case shape.

use serde::Serialize;
use serde_json::{Map, Number, Value};

use super::read::Reader;
use crate::error::Result;
use crate::json::{self, array_index};

/// Shopify's `OnlineAccessInfo`. Every known field is optional because stores written from
/// property arrays hold only the user id; keys Shopify adds later are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OnlineAccessInfo {
    /// Seconds the online token was granted for, as Shopify's OAuth response gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<Number>,
    /// The scopes granted to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_user_scope: Option<String>,
    /// Shopify's identifier of the user's login session, as the OAuth response gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The user's Shopify account number, as the OAuth response gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<Number>,
    /// The user the online token belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_user: Option<AssociatedUser>,
    /// Keys Shopify may add later, written after the known ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Shopify's `OnlineAccessUser`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AssociatedUser {
    /// The Shopify user id (a number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Number>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the e-mail address is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the user owns the shop's account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_owner: Option<bool>,
    /// The user's locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Whether the user is a collaborator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collaborator: Option<bool>,
    /// Other keys, written after the known ones.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// In the order Shopify 15 builds the object (the order of its OAuth response), so canonical
/// JSON is what Shopify's own `JSON.stringify(session)` writes.
const INFO_KEYS: [&str; 5] =
    ["expires_in", "associated_user_scope", "session", "account_number", "associated_user"];
const USER_KEYS: [&str; 8] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "email_verified",
    "account_owner",
    "locale",
    "collaborator",
];

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
    /// The object with Shopify's snake_case keys, known keys first (for hosts that build their
    /// own objects: a Python `dict`).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(), // unreachable: the struct serializes to an object with string keys
        }
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
            extra: extras(map, &INFO_KEYS, r, "onlineAccessInfo")?,
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
        let mut w = ObjectWriter::new(out, &self.extra);
        if let Some(n) = &self.expires_in {
            w.key("expires_in");
            json::write_number(w.out, n);
        }
        if let Some(s) = &self.associated_user_scope {
            w.key("associated_user_scope");
            json::write_str(w.out, s);
        }
        if let Some(s) = &self.session {
            w.key("session");
            json::write_str(w.out, s);
        }
        if let Some(n) = &self.account_number {
            w.key("account_number");
            json::write_number(w.out, n);
        }
        if let Some(u) = &self.associated_user {
            w.key("associated_user");
            u.write(w.out);
        }
        w.finish();
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
            extra: extras(map, &USER_KEYS, r, p)?,
        })
    }

    fn write(&self, out: &mut String) {
        let mut w = ObjectWriter::new(out, &self.extra);
        if let Some(n) = &self.id {
            w.key("id");
            json::write_number(w.out, n);
        }
        for (k, v) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("email", &self.email),
        ] {
            if let Some(s) = v {
                w.key(k);
                json::write_str(w.out, s);
            }
        }
        w.opt_bool("email_verified", self.email_verified);
        w.opt_bool("account_owner", self.account_owner);
        if let Some(s) = &self.locale {
            w.key("locale");
            json::write_str(w.out, s);
        }
        w.opt_bool("collaborator", self.collaborator);
        w.finish();
    }
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

    fn opt_bool(&mut self, k: &str, v: Option<bool>) {
        if let Some(b) = v {
            self.key(k);
            self.out.push_str(if b { "true" } else { "false" });
        }
    }

    fn finish(mut self) {
        for (k, v) in std::mem::take(&mut self.late) {
            self.key(k);
            json::write_value(self.out, v);
        }
        self.out.push('}');
    }
}
