//! Shopify's property arrays: `[["id","x"],["isOnline",true],["expires",1893456000000],…]`,
//! the shape SQL and key-value adapters store.

use serde_json::{Number, Value};

use super::fields::{field_named, FieldValue, Kind, FIELDS};
use super::read::{present, Reader};
use super::{AssociatedUser, OnlineAccessInfo, Session};
use crate::error::{describe, Origin, Result};
use crate::json::MAX_SAFE_INTEGER;
use crate::time::Timestamp;

/// Which user fields a property array is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyArrayMode {
    /// `returnUserData = false`: only `onlineAccessInfo` (the user id) carries user data.
    WithoutUserData,
    /// `returnUserData = true`: `userId`, `firstName`, … fill the associated user.
    WithUserData,
    /// Whichever keys the array holds (how `load` results are read).
    Auto,
}

impl PropertyArrayMode {
    /// The mode of Shopify's `returnUserData` argument.
    pub fn return_user_data(with_user_data: bool) -> Self {
        if with_user_data {
            PropertyArrayMode::WithUserData
        } else {
            PropertyArrayMode::WithoutUserData
        }
    }
}

/// The user's fields, which a property array with user data holds instead of `onlineAccessInfo`.
const USER_KEYS: [&str; 8] = [
    "userId",
    "firstName",
    "lastName",
    "email",
    "locale",
    "emailVerified",
    "accountOwner",
    "collaborator",
];

/// Shopify's key spellings after its case-insensitive normalisation: the session's fields
/// (but `data`, which property arrays do not carry) and the user's.
fn normalise(key: &str) -> Option<&'static str> {
    let keys = FIELDS.iter().filter(|f| f.kind != Kind::Data).map(|f| f.js).chain(USER_KEYS);
    // Case- and underscore-insensitive: `isonline` (SQL columns) and `is_online` (Python)
    // name the same field as `isOnline`.
    let letters = key.bytes().filter(|b| *b != b'_');
    keys.into_iter().find(|k| {
        let mut them = letters.clone();
        k.bytes().all(|c| them.next().is_some_and(|b| b.eq_ignore_ascii_case(&c)))
            && them.next().is_none()
    })
}

impl Session {
    /// Shopify's `toPropertyArray(returnUserData)`: dates as epoch milliseconds; the user as
    /// `onlineAccessInfo` (its id) or, with user data, as `userId`, `firstName`, ….
    pub fn to_property_array(&self, with_user_data: bool) -> Vec<(&'static str, Value)> {
        let mut out: Vec<(&'static str, Value)> = Vec::with_capacity(FIELDS.len());
        for field in &FIELDS {
            let value = match self.get_field(field) {
                FieldValue::Text(s) | FieldValue::OptionalText(Some(s)) => Value::from(s),
                FieldValue::Flag(b) => Value::Bool(b),
                FieldValue::Date(Some(t)) => Value::from(t.epoch_ms()),
                // Absent, the user (below) or `data`, which property arrays do not carry.
                _ => continue,
            };
            out.push((field.js, value));
        }
        let user = self.online_access_info.as_ref().and_then(|i| i.associated_user.as_ref());
        let Some(u) = user else { return out };
        if !with_user_data {
            if let Some(id) = &u.id {
                out.push(("onlineAccessInfo", Value::Number(id.clone())));
            }
            return out;
        }
        let fields = [
            ("userId", u.id.clone().map(Value::Number)),
            ("firstName", u.first_name.clone().map(Value::from)),
            ("lastName", u.last_name.clone().map(Value::from)),
            ("email", u.email.clone().map(Value::from)),
            ("locale", u.locale.clone().map(Value::from)),
            ("emailVerified", u.email_verified.map(Value::from)),
            ("accountOwner", u.account_owner.map(Value::from)),
            ("collaborator", u.collaborator.map(Value::from)),
        ];
        out.extend(fields.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        out
    }

    /// Shopify's `fromPropertyArray(entries, returnUserData)`. Keys are case-insensitive;
    /// entries whose value is `null` are skipped; `isOnline` and the user's flags also accept
    /// the strings `"true"`/`"false"` and dates numeric strings, as SQL adapters store them.
    /// Anything else of the wrong kind is an error naming the key — never a silent coercion.
    pub fn from_property_array(
        entries: &Value,
        mode: PropertyArrayMode,
        origin: Origin,
    ) -> Result<Session> {
        let r = Reader::new(origin);
        let Value::Array(items) = entries else {
            return Err(
                origin.error(format!("expected a property array, got {}", describe(entries)))
            );
        };
        let mut obj = serde_json::Map::new();
        let mut user = AssociatedUser::default();
        for (i, item) in items.iter().enumerate() {
            let pair = item.as_array().filter(|p| p.len() == 2);
            let (Some(key), Some(value)) = (pair.and_then(|p| p[0].as_str()), pair.map(|p| &p[1]))
            else {
                return Err(origin.error(format!(
                    "property array entry {i} must be a [key, value] pair, got {}",
                    describe(item)
                )));
            };
            let Some(value) = present(Some(value)) else { continue };
            let Some(key) = normalise(key) else { continue };
            let user_data = mode != PropertyArrayMode::WithoutUserData;
            match field_named(key).map(|f| f.kind) {
                Some(Kind::Flag) => {
                    obj.insert(key.into(), Value::Bool(flag(&r, key, value)?));
                }
                Some(Kind::Date) => {
                    obj.insert(key.into(), Value::from(date(&r, key, value)?.epoch_ms()));
                }
                Some(Kind::OnlineAccessInfo) => user.id = Some(user_id(&r, key, value)?),
                Some(_) => {
                    obj.insert(key.into(), value.clone());
                }
                None if !user_data => {}
                None => match key {
                    "userId" => user.id = Some(user_id(&r, key, value)?),
                    "firstName" => user.first_name = Some(r.string(key, value)?),
                    "lastName" => user.last_name = Some(r.string(key, value)?),
                    "email" => user.email = Some(r.string(key, value)?),
                    "locale" => user.locale = Some(r.string(key, value)?),
                    "emailVerified" => user.email_verified = Some(flag(&r, key, value)?),
                    "accountOwner" => user.account_owner = Some(flag(&r, key, value)?),
                    "collaborator" => user.collaborator = Some(flag(&r, key, value)?),
                    _ => {}
                },
            }
        }
        let mut session = Session::from_object(&obj, origin)?;
        // Shopify attaches the collected user to online sessions only, even when it is empty.
        if session.is_online {
            session.online_access_info =
                Some(OnlineAccessInfo { associated_user: Some(user), ..Default::default() });
        }
        Ok(session)
    }
}

fn flag(r: &Reader, key: &str, v: &Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(r.err(key, "a boolean (or \"true\"/\"false\")", v)),
    }
}

fn date(r: &Reader, key: &str, v: &Value) -> Result<Timestamp> {
    if let Value::String(s) = v {
        if let Ok(ms) = s.trim().parse::<i64>() {
            return Timestamp::from_epoch_int(ms).ok_or_else(|| r.err(key, "a date in range", v));
        }
    }
    r.date(key, v)
}

fn user_id(r: &Reader, key: &str, v: &Value) -> Result<Number> {
    if let Value::String(s) = v {
        if let Ok(n) = s.trim().parse::<i64>() {
            if n.abs() <= MAX_SAFE_INTEGER {
                return Ok(n.into());
            }
        }
        return Err(r.err(key, "a user id number", v));
    }
    r.number(key, v)
}
