//! One request's session between `start` and `commit`, and what a commit must do.

use serde_json::{Map, Value};

use super::record::Record;
use crate::error::Result;
use crate::ids::random_id;
use crate::session::Session;
use crate::time::Timestamp;

/// Why a cookie's session was not adopted (for the host's log; ids only as hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No secret of the ring signed (or sealed) the cookie.
    Signature,
    /// The storage has no session under the id.
    Unknown,
    /// The stored session is not one the manager wrote.
    Foreign,
    /// The session's idle or absolute deadline has passed.
    Expired,
}

impl Refused {
    /// The reason as one word, for logs and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Signature => "signature",
            Refused::Unknown => "unknown",
            Refused::Foreign => "foreign",
            Refused::Expired => "expired",
        }
    }
}

/// One request's session: the manager's state. The host keeps the app's values and flash values.
#[derive(Clone)]
pub struct Managed {
    pub(super) id: String,
    pub(super) is_new: bool,
    pub(super) created_at: Timestamp,
    pub(super) written_at: Option<Timestamp>,
    pub(super) expires_at: Option<Timestamp>,
    pub(super) version: u64,
    pub(super) loaded_values: Map<String, Value>,
    pub(super) loaded_flash: Map<String, Value>,
    /// The id a record is stored under (differs from `id` after `regenerate`).
    pub(super) stored_id: Option<String>,
    /// The deadline of the cookie the browser holds for `id`; `None`: it holds none for `id`.
    pub(super) issued: Option<Option<Timestamp>>,
    /// The browser sent a cookie of ours that must be replaced or cleared.
    pub(super) stale_cookie: bool,
    pub(super) destroyed: bool,
    pub(super) refused: Option<Refused>,
    /// The hash of the id the refused cookie named, when it named one (a signed id).
    pub(super) refused_id: Option<String>,
}

impl std::fmt::Debug for Managed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Managed")
            .field("id", &crate::error::id_hash(&self.id))
            .field("is_new", &self.is_new)
            .field("expires_at", &self.expires_at)
            .field("version", &self.version)
            .field("destroyed", &self.destroyed)
            .finish_non_exhaustive()
    }
}

/// What a commit must do, in order: store, then delete, then send the cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The session to store, if any.
    pub store: Option<Session>,
    /// Under `optimistic` concurrency, the version the stored record must still have
    /// (`Some(0)`: it must not exist yet).
    pub expected_version: Option<u64>,
    /// A stored id to delete (the old id after `regenerate`, the id after `destroy`).
    pub delete: Option<String>,
    /// The `Set-Cookie` value to send, if any.
    pub set_cookie: Option<String>,
    pub(super) after: After,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum After {
    Nothing,
    Written(Box<Record>),
    Cleared,
}

impl Managed {
    /// The session id (the cookie's bearer credential: log [`crate::error::id_hash`] of it).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Whether the session was minted by this request (no valid cookie, or one refused).
    pub fn is_new(&self) -> bool {
        self.is_new
    }
    /// When the session was created or last regenerated.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// The session's deadline as last stored (a new session's once committed), if any.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }
    /// The app's values as loaded (the host starts its own copy from these).
    pub fn values(&self) -> &Map<String, Value> {
        &self.loaded_values
    }
    /// The flash values as loaded.
    pub fn flash(&self) -> &Map<String, Value> {
        &self.loaded_flash
    }
    /// Why the request's cookie was not adopted, if it was not.
    pub fn refused(&self) -> Option<Refused> {
        self.refused
    }
    /// The log line for a refused cookie, the same in every host: why, and the hash of the id
    /// it named (never the id: it is a bearer credential).
    pub fn refusal(&self) -> Option<String> {
        let why = match self.refused? {
            Refused::Signature => "no secret of the ring signed it",
            Refused::Unknown => "the storage holds no session under its id",
            Refused::Foreign => "the record under its id is not one the manager wrote",
            Refused::Expired => "its session's idle or absolute deadline has passed",
        };
        Some(match &self.refused_id {
            Some(hash) => {
                format!("session cookie refused, {why} (id {hash}): a fresh session replaces it")
            }
            None => format!("session cookie refused, {why}: a fresh session replaces it"),
        })
    }
    /// Whether `destroy` was called.
    pub fn is_destroyed(&self) -> bool {
        self.destroyed
    }

    /// Moves the session to a new id (login: the fixation defence). The old record is deleted at
    /// the next commit and is unloadable afterwards; the absolute timeout starts again.
    pub fn regenerate(&mut self, now: Timestamp) -> Result<()> {
        self.id = random_id()?;
        self.is_new = true;
        self.created_at = now;
        self.issued = None;
        self.destroyed = false;
        Ok(())
    }

    /// Ends the session: the next commit deletes its record and clears the cookie.
    pub fn destroy(&mut self) {
        self.destroyed = true;
    }

    /// Applies a performed plan: what was written is now what is stored.
    pub fn committed(&mut self, plan: Plan) {
        match plan.after {
            After::Nothing => {}
            After::Written(record) => {
                self.is_new = false;
                self.written_at = Some(record.written_at);
                self.expires_at = record.expires_at;
                self.version = record.version;
                self.loaded_values = record.values;
                self.loaded_flash = record.flash;
                self.stored_id = Some(record.id);
                if plan.set_cookie.is_some() {
                    self.issued = Some(record.expires_at);
                }
                self.stale_cookie = false;
            }
            After::Cleared => {
                self.stored_id = None;
                self.issued = None;
                self.stale_cookie = false;
                self.written_at = None;
            }
        }
    }
}
