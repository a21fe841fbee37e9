//! The session record: Shopify's ten fields plus free app `data`, and Shopify's behaviour.

mod canonical;
mod changes;
mod compare;
mod fast;
mod fields;
mod online;
mod parse;
mod patchable;
mod property_array;
mod read;
mod shown;

use std::fmt;

use serde_json::{Map, Value};

pub use canonical::Canonical;
pub use compare::js_equal;
pub(crate) use fields::is_secret;
pub use fields::{field_named, Field, FieldValue, Kind, FIELDS};
pub use online::{AssociatedUser, InfoValue, Known, OnlineAccessInfo};
pub use patchable::Patchable;
pub use property_array::PropertyArrayMode;
pub use read::{check_id, MAX_ID_BYTES};
pub use shown::Style;

use crate::error::{Origin, Result};
use crate::scopes::AuthScopes;
use crate::time::Timestamp;

/// The default `withinMillisecondsOfExpiry` of `isActive`: Shopify treats a token that expires
/// within half a second as already inactive.
pub const ACTIVE_WITHIN_MS: i64 = 500;

/// A web session, with the fields of Shopify's `Session` plus app `data`.
///
/// Build one with [`Session::new`] or parse one with [`Session::from_value`] /
/// [`Session::from_json`]; both check every field, so a `Session` is always valid.
#[derive(Clone, PartialEq)]
pub struct Session {
    /// The session id: non-empty, at most 1024 bytes of UTF-8.
    pub id: String,
    /// The shop domain (`example.myshopify.com`); `""` when unset.
    pub shop: String,
    /// The OAuth state; `""` when unset.
    pub state: String,
    /// Whether the access token is an online (per-user) token.
    pub is_online: bool,
    /// The granted scopes, comma-separated.
    pub scope: Option<String>,
    /// When the access token expires.
    pub expires: Option<Timestamp>,
    /// The access token. Never shown (`Debug`, [`Session::shown`]).
    pub access_token: Option<String>,
    /// The refresh token. Never shown (`Debug`, [`Session::shown`]).
    pub refresh_token: Option<String>,
    /// When the refresh token expires.
    pub refresh_token_expires: Option<Timestamp>,
    /// The user behind an online token.
    pub online_access_info: Option<OnlineAccessInfo>,
    /// Free app data: a JSON object.
    pub data: Option<Map<String, Value>>,
}

impl Session {
    /// A session with only an id (shop and state empty, offline), if the id is valid.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        check_id(&id, Origin::Argument)?;
        Ok(Session { id, ..Session::blank() })
    }

    /// A session with every field absent and an empty id, for a reader to fill.
    fn blank() -> Session {
        Session {
            id: String::new(),
            shop: String::new(),
            state: String::new(),
            is_online: false,
            scope: None,
            expires: None,
            access_token: None,
            refresh_token: None,
            refresh_token_expires: None,
            online_access_info: None,
            data: None,
        }
    }

    /// Re-checks the rules parsing enforces, for a session built or changed field by field:
    /// the id rule and numbers JavaScript can hold exactly in `data` and `onlineAccessInfo`.
    pub fn validate(&self, origin: Origin) -> Result<()> {
        check_id(&self.id, origin)?;
        if let Some(data) = &self.data {
            for (k, v) in data {
                crate::json::check_js_safe(v, &format!("data.{k}"), origin)?;
            }
        }
        if let Some(info) = &self.online_access_info {
            info.validate(origin)?;
        }
        Ok(())
    }

    /// Shopify's `isExpired`: whether `expires` falls before `now + within_ms`. A session
    /// without `expires` never expires.
    pub fn is_expired_at(&self, now: Timestamp, within_ms: i64) -> bool {
        self.expires.is_some_and(|e| e.epoch_ms().saturating_sub(within_ms) < now.epoch_ms())
    }

    /// [`Session::is_expired_at`] against the system clock.
    pub fn is_expired(&self, within_ms: i64) -> bool {
        self.is_expired_at(Timestamp::now(), within_ms)
    }

    /// Shopify's `isScopeIncluded`: whether the session's scopes grant every scope of `required`.
    pub fn is_scope_included(&self, required: &AuthScopes) -> bool {
        AuthScopes::parse(self.scope.as_deref().unwrap_or("")).has(required)
    }

    /// Shopify's `isScopeChanged`: `false` when no scopes are given, otherwise whether the
    /// session lacks any of them.
    pub fn is_scope_changed(&self, required: Option<&AuthScopes>) -> bool {
        required.is_some_and(|r| !self.is_scope_included(r))
    }

    /// Shopify's `isActive`: the scopes are granted, an access token is present (and not
    /// empty) and the token does not expire within `within_ms`.
    pub fn is_active_at(
        &self,
        required: Option<&AuthScopes>,
        now: Timestamp,
        within_ms: i64,
    ) -> bool {
        !self.is_scope_changed(required)
            && self.access_token.as_deref().is_some_and(|t| !t.is_empty())
            && !self.is_expired_at(now, within_ms)
    }

    /// [`Session::is_active_at`] against the system clock.
    pub fn is_active(&self, required: Option<&AuthScopes>, within_ms: i64) -> bool {
        self.is_active_at(required, Timestamp::now(), within_ms)
    }

    /// The last instant at which this session can still be used, or `None` when it can be used
    /// forever: no `expires`, or a refresh token that never expires. Past this instant a store
    /// may drop the session (the memory sweep, a Redis TTL, a file sweep).
    pub fn usable_until(&self) -> Option<Timestamp> {
        let expires = self.expires?;
        if self.refresh_token.is_none() {
            return Some(expires);
        }
        self.refresh_token_expires.map(|r| r.max(expires))
    }

    /// Whether the session can no longer be used at `now` (see [`Session::usable_until`]).
    pub fn is_unusable_at(&self, now: Timestamp) -> bool {
        self.usable_until().is_some_and(|t| t < now)
    }
}

impl fmt::Debug for Session {
    /// The one redaction rule ([`Session::shown_as`]): no tokens, `data` only by its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown_as(Style::Rust))
    }
}

#[cfg(test)]
mod fields_tests;
#[cfg(test)]
mod tests;
