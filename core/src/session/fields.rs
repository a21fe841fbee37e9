//! The one description of a session's fields (ARCHITECTURE.md, "Session fields"): each field's
//! key in canonical JSON (also its JS name), its Python name and the kind of value it holds.
//! Reading, canonical JSON, property arrays, messages and what logs show are derived from
//! [`FIELDS`]; the bindings and host packages read it or are tested against it.

use serde_json::{Map, Value};

use super::read::{present, Reader};
use super::{OnlineAccessInfo, Session};
use crate::error::Result;
use crate::time::Timestamp;

/// What a field holds, which decides how it is read, written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The id: a required non-empty string.
    Id,
    /// A string that is `""` when absent (`shop`, `state`).
    Text,
    /// A boolean that is `false` when absent (`isOnline`).
    Flag,
    /// Granted scopes, comma-separated; optional.
    Scopes,
    /// An instant kept to the millisecond (ISO-8601 text in canonical JSON); optional.
    Date,
    /// A secret string; optional. Its value never appears in a message or a log.
    Token,
    /// Shopify's `onlineAccessInfo` object; optional.
    OnlineAccessInfo,
    /// Free app data, a JSON object; optional.
    Data,
}

impl Kind {
    /// The name hosts use for this kind (`"onlineAccessInfo"`, `"date"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Text => "text",
            Kind::Flag => "flag",
            Kind::Scopes => "scopes",
            Kind::Date => "date",
            Kind::Token => "token",
            Kind::OnlineAccessInfo => "onlineAccessInfo",
            Kind::Data => "data",
        }
    }
}

/// One field of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The key in canonical JSON, which is also the JS property name.
    pub js: &'static str,
    /// The Python attribute and keyword name; readers also accept it as a key.
    pub python: &'static str,
    /// What the field holds.
    pub kind: Kind,
    slot: Slot,
}

impl Field {
    /// Whether the field's value is a secret, never shown in messages or logs.
    pub fn is_secret(&self) -> bool {
        self.kind == Kind::Token
    }
}

/// Which member of [`Session`] holds a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Id,
    Shop,
    State,
    IsOnline,
    Scope,
    Expires,
    AccessToken,
    RefreshToken,
    RefreshTokenExpires,
    OnlineAccessInfo,
    Data,
}

const fn field(js: &'static str, python: &'static str, kind: Kind, slot: Slot) -> Field {
    Field { js, python, kind, slot }
}

/// Every field, in the order of canonical JSON (Shopify's own `JSON.stringify` order).
pub const FIELDS: [Field; 11] = [
    field("id", "id", Kind::Id, Slot::Id),
    field("shop", "shop", Kind::Text, Slot::Shop),
    field("state", "state", Kind::Text, Slot::State),
    field("isOnline", "is_online", Kind::Flag, Slot::IsOnline),
    field("scope", "scope", Kind::Scopes, Slot::Scope),
    field("expires", "expires", Kind::Date, Slot::Expires),
    field("accessToken", "access_token", Kind::Token, Slot::AccessToken),
    field("refreshToken", "refresh_token", Kind::Token, Slot::RefreshToken),
    field("refreshTokenExpires", "refresh_token_expires", Kind::Date, Slot::RefreshTokenExpires),
    field("onlineAccessInfo", "online_access_info", Kind::OnlineAccessInfo, Slot::OnlineAccessInfo),
    field("data", "data", Kind::Data, Slot::Data),
];

/// The field named `name` in either spelling (`accessToken` or `access_token`).
pub fn field_named(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.js == name || f.python == name)
}

/// Whether `name` is a secret field in either spelling: its value never appears in a message.
pub(crate) fn is_secret(name: &str) -> bool {
    field_named(name).is_some_and(Field::is_secret)
}

/// A field's value in a session, borrowed; `None` means absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    /// `id`, `shop`, `state`: always present.
    Text(&'a str),
    /// `isOnline`.
    Flag(bool),
    /// `scope` and the tokens.
    OptionalText(Option<&'a str>),
    /// `expires`, `refreshTokenExpires`.
    Date(Option<Timestamp>),
    /// `onlineAccessInfo`.
    OnlineAccessInfo(Option<&'a OnlineAccessInfo>),
    /// `data`.
    Data(Option<&'a Map<String, Value>>),
}

impl FieldValue<'_> {
    /// Whether the field is present (`id`, `shop`, `state` and `isOnline` always are).
    pub fn is_present(&self) -> bool {
        match self {
            FieldValue::Text(_) | FieldValue::Flag(_) => true,
            FieldValue::OptionalText(v) => v.is_some(),
            FieldValue::Date(v) => v.is_some(),
            FieldValue::OnlineAccessInfo(v) => v.is_some(),
            FieldValue::Data(v) => v.is_some(),
        }
    }
}

impl Session {
    /// The value of `field`.
    pub fn get_field(&self, field: &Field) -> FieldValue<'_> {
        use FieldValue as V;
        match field.slot {
            Slot::Id => V::Text(&self.id),
            Slot::Shop => V::Text(&self.shop),
            Slot::State => V::Text(&self.state),
            Slot::IsOnline => V::Flag(self.is_online),
            Slot::Scope => V::OptionalText(self.scope.as_deref()),
            Slot::Expires => V::Date(self.expires),
            Slot::AccessToken => V::OptionalText(self.access_token.as_deref()),
            Slot::RefreshToken => V::OptionalText(self.refresh_token.as_deref()),
            Slot::RefreshTokenExpires => V::Date(self.refresh_token_expires),
            Slot::OnlineAccessInfo => V::OnlineAccessInfo(self.online_access_info.as_ref()),
            Slot::Data => V::Data(self.data.as_ref()),
        }
    }

    /// Sets `field` from a JSON value read exactly as the field is read inside a session
    /// (`null` is absent: `""`/`false` for `shop`, `state`, `isOnline`), so a host setter
    /// applies the constructor's rules and messages. On error nothing changes.
    pub fn set_field(&mut self, field: &Field, value: &Value, origin: crate::Origin) -> Result<()> {
        self.read_field(field, field.js, Some(value), &Reader::new(origin))
    }

    /// Exchanges the value of `field` with `other`'s (a patch moves its fields in, or back out).
    pub(super) fn swap_field(&mut self, other: &mut Session, field: &Field) {
        use std::mem::swap;
        match field.slot {
            Slot::Id => swap(&mut self.id, &mut other.id),
            Slot::Shop => swap(&mut self.shop, &mut other.shop),
            Slot::State => swap(&mut self.state, &mut other.state),
            Slot::IsOnline => swap(&mut self.is_online, &mut other.is_online),
            Slot::Scope => swap(&mut self.scope, &mut other.scope),
            Slot::Expires => swap(&mut self.expires, &mut other.expires),
            Slot::AccessToken => swap(&mut self.access_token, &mut other.access_token),
            Slot::RefreshToken => swap(&mut self.refresh_token, &mut other.refresh_token),
            Slot::RefreshTokenExpires => {
                swap(&mut self.refresh_token_expires, &mut other.refresh_token_expires);
            }
            Slot::OnlineAccessInfo => {
                swap(&mut self.online_access_info, &mut other.online_access_info)
            }
            Slot::Data => swap(&mut self.data, &mut other.data),
        }
    }

    /// Reads `field`, spelt `key` in the input, from `v` (`None`: the key is not there).
    pub(super) fn read_field(
        &mut self,
        field: &Field,
        key: &str,
        v: Option<&Value>,
        r: &Reader,
    ) -> Result<()> {
        let text = |v| r.opt_string(key, v);
        match field.slot {
            Slot::Id => self.id = r.id(v)?,
            Slot::Shop => self.shop = text(v)?.unwrap_or_default(),
            Slot::State => self.state = text(v)?.unwrap_or_default(),
            Slot::IsOnline => self.is_online = r.opt_bool(key, v)?.unwrap_or(false),
            Slot::Scope => self.scope = text(v)?,
            Slot::Expires => self.expires = r.opt_date(key, v)?,
            Slot::AccessToken => self.access_token = text(v)?,
            Slot::RefreshToken => self.refresh_token = text(v)?,
            Slot::RefreshTokenExpires => self.refresh_token_expires = r.opt_date(key, v)?,
            Slot::OnlineAccessInfo => {
                self.online_access_info =
                    present(v).map(|v| OnlineAccessInfo::read(v, r)).transpose()?;
            }
            Slot::Data => self.data = r.data(v)?,
        }
        Ok(())
    }
}
