//! One request's session from `start` to `commit`, as a sans-IO state machine.
//!
//! The host asks [`Manager::begin`] which id the `Cookie` header vouches for, loads it from its
//! storage itself, hands the result to [`Manager::open`], lets the app change its values, and
//! asks [`Manager::commit`] what to write, delete and send; after performing that [`Plan`] it
//! calls [`Managed::committed`]. Every decision (adopt or refuse, expired or not, write or
//! skip, touch, cookie or not) is made here, from the record, with the clock the host passes.

use serde_json::{Map, Value};

use super::cookie::CookieOptions;
use super::keys::KeyRing;
use super::record::{Record, META_KEY};
use crate::error::{quote, Error, Result};
use crate::ids::random_id;
use crate::session::Session;
use crate::time::Timestamp;
use crate::Origin;

/// What a commit does when the stored record changed since this request loaded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// The last commit wins (the default, as in express-session and tower-sessions).
    LastWriteWins,
    /// A commit over a newer version fails with `CONFLICT` and writes nothing.
    Optimistic,
}

/// Where records live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeping {
    /// In a storage, under an id; the cookie carries the signed id.
    Stored,
    /// In the cookie itself, sealed; no server state.
    Sealed,
}

/// A manager's validated configuration.
#[derive(Debug)]
pub struct Config {
    /// The secrets: the first signs and seals, all verify.
    pub ring: KeyRing,
    /// The session cookie.
    pub cookie: CookieOptions,
    /// Sliding timeout from the last write, in ms; 0 = none.
    pub idle_timeout_ms: i64,
    /// Timeout from creation, never extended, in ms; 0 = none.
    pub absolute_timeout_ms: i64,
    /// An unchanged session is re-written at most this often, in ms.
    pub touch_after_ms: i64,
    /// Last-write-wins or optimistic.
    pub concurrency: Concurrency,
    /// Stored or sealed records.
    pub keeping: Keeping,
}

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

/// What the `Cookie` header holds for the manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begin {
    /// The id a valid signature vouches for: the host loads it and calls [`Manager::open`].
    pub id: Option<String>,
    /// A cookie of ours was present but none verified.
    pub refused: bool,
    /// The sealed record's JSON text, for the cookie-only storage.
    pub sealed: Option<String>,
}

/// One request's session: the manager's state. The host keeps the app's values and flash values.
#[derive(Clone)]
pub struct Managed {
    id: String,
    is_new: bool,
    created_at: Timestamp,
    written_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    version: u64,
    loaded_values: Map<String, Value>,
    loaded_flash: Map<String, Value>,
    /// The id a record is stored under (differs from `id` after `regenerate`).
    stored_id: Option<String>,
    /// The deadline of the cookie the browser holds for `id`; `None`: it holds none for `id`.
    issued: Option<Option<Timestamp>>,
    /// The browser sent a cookie of ours that must be replaced or cleared.
    stale_cookie: bool,
    destroyed: bool,
    refused: Option<Refused>,
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
    after: After,
}

#[derive(Debug, Clone, PartialEq)]
enum After {
    Nothing,
    Written(Box<Record>),
    Cleared,
}

/// The lifecycle manager's rules, over a [`Config`].
#[derive(Debug)]
pub struct Manager {
    config: Config,
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

impl Manager {
    /// A manager over a validated configuration.
    pub fn new(config: Config) -> Self {
        Manager { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Reads the `Cookie` header (absent, empty or malformed: no session, never an error).
    pub fn begin(&self, header: Option<&str>) -> Begin {
        let values = header.map(|h| self.config.cookie.values(h)).unwrap_or_default();
        let name = &self.config.cookie.name;
        let found = match self.config.keeping {
            Keeping::Stored => values.iter().find_map(|v| {
                self.config
                    .ring
                    .verify(name, v)
                    .filter(|id| is_minted_id(id))
                    .map(|id| (Some(id.to_owned()), None))
            }),
            Keeping::Sealed => values.iter().find_map(|v| {
                let plain = self.config.ring.unseal(name, v)?;
                String::from_utf8(plain).ok().map(|text| (None, Some(text)))
            }),
        };
        match found {
            Some((id, sealed)) => Begin { id, refused: false, sealed },
            None => Begin { id: None, refused: !values.is_empty(), sealed: None },
        }
    }

    /// The request's session, from what [`Manager::begin`] found and what the storage returned
    /// for its id (`loaded`; for the cookie-only storage, the record [`Begin::sealed`] carried).
    pub fn open(&self, begin: &Begin, loaded: Option<&Session>, now: Timestamp) -> Result<Managed> {
        let sealed;
        let loaded = match (&begin.sealed, loaded) {
            (Some(text), None) => {
                sealed = Session::from_json(text, Origin::Stored).ok();
                sealed.as_ref()
            }
            (_, loaded) => loaded,
        };
        let vouched = begin.id.is_some() || begin.sealed.is_some();
        let refused = match loaded.map(|s| (s, Record::from_session(s))) {
            _ if begin.refused => Some(Refused::Signature),
            None if vouched => Some(Refused::Unknown),
            None => None,
            Some((s, _)) if begin.id.as_deref().is_some_and(|id| id != s.id) => {
                Some(Refused::Unknown)
            }
            Some((_, None)) => Some(Refused::Foreign),
            Some((_, Some(record))) if self.is_expired(&record, now) => Some(Refused::Expired),
            Some((_, Some(record))) => return Ok(self.adopt(record)),
        };
        Ok(Managed {
            id: random_id()?,
            is_new: true,
            created_at: now,
            written_at: None,
            expires_at: None,
            version: 0,
            loaded_values: Map::new(),
            loaded_flash: Map::new(),
            stored_id: None,
            issued: None,
            stale_cookie: begin.refused || vouched,
            destroyed: false,
            refused,
        })
    }

    fn adopt(&self, record: Record) -> Managed {
        Managed {
            is_new: false,
            created_at: record.created_at,
            written_at: Some(record.written_at),
            expires_at: record.expires_at,
            version: record.version,
            stored_id: Some(record.id.clone()),
            issued: Some(record.expires_at),
            stale_cookie: false,
            destroyed: false,
            refused: None,
            id: record.id,
            loaded_values: record.values,
            loaded_flash: record.flash,
        }
    }

    /// Idle and absolute timeouts, from what the record says (never trusting a store to have
    /// evicted it), and the deadline the record was written with.
    fn is_expired(&self, record: &Record, now: Timestamp) -> bool {
        let c = &self.config;
        let now = now.epoch_ms();
        (c.idle_timeout_ms > 0
            && record.written_at.epoch_ms().saturating_add(c.idle_timeout_ms) <= now)
            || (c.absolute_timeout_ms > 0
                && record.created_at.epoch_ms().saturating_add(c.absolute_timeout_ms) <= now)
            || record.expires_at.is_some_and(|e| e.epoch_ms() <= now)
    }

    /// The deadline of a session created at `created_at` and written at `now`.
    fn deadline(&self, created_at: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let c = &self.config;
        let idle = (c.idle_timeout_ms > 0).then(|| now.add_ms(c.idle_timeout_ms));
        let absolute =
            (c.absolute_timeout_ms > 0).then(|| created_at.add_ms(c.absolute_timeout_ms));
        match (idle, absolute) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What committing `m` with the app's current `values` and `flash` does. Performs nothing.
    pub fn commit(
        &self,
        m: &Managed,
        values: Map<String, Value>,
        flash: Map<String, Value>,
        now: Timestamp,
    ) -> Result<Plan> {
        let cookie = &self.config.cookie;
        let sealed = self.config.keeping == Keeping::Sealed;
        let clears = m.stored_id.is_some() || m.stale_cookie || m.issued.is_some();
        let nothing = |set_cookie| Plan {
            store: None,
            expected_version: None,
            delete: None,
            set_cookie,
            after: After::Nothing,
        };
        let stored_here = m.stored_id.as_deref() == Some(m.id.as_str());
        let old_id = m.stored_id.clone().filter(|_| !sealed);
        if m.destroyed || (!stored_here && values.is_empty() && flash.is_empty()) {
            // Destroyed, or a new (or regenerated) session nobody wrote to: never persisted.
            let mut plan = nothing(clears.then(|| cookie.clear_cookie()));
            plan.delete = old_id;
            plan.after = if clears { After::Cleared } else { After::Nothing };
            return Ok(plan);
        }
        if let Some(key) = values.keys().find(|k| k.as_str() == META_KEY) {
            return Err(Error::InvalidArgument(format!("session key {} is reserved", quote(key))));
        }
        let dirty = !stored_here || values != m.loaded_values || flash != m.loaded_flash;
        let deadline = self.deadline(m.created_at, now);
        let touch_due = m.written_at.is_none_or(|w| {
            now.epoch_ms().saturating_sub(w.epoch_ms()) >= self.config.touch_after_ms
        }) && deadline != m.expires_at;
        if !dirty && !touch_due {
            return Ok(nothing(None));
        }
        let record = Record {
            id: m.id.clone(),
            created_at: m.created_at,
            written_at: now,
            expires_at: deadline,
            version: m.version + 1,
            values,
            flash,
        };
        let session = record.to_session();
        session.validate(Origin::Argument)?;
        let set_cookie = if sealed {
            let text = session.to_json();
            Some(cookie.set_cookie(
                self.config.ring.seal(&cookie.name, text.as_bytes())?,
                deadline,
                now,
            )?)
        } else if m.issued != Some(deadline) {
            Some(cookie.set_cookie(self.config.ring.sign(&cookie.name, &m.id), deadline, now)?)
        } else {
            None
        };
        Ok(Plan {
            expected_version: (self.config.concurrency == Concurrency::Optimistic && !sealed)
                .then_some(if stored_here { m.version } else { 0 }),
            store: (!sealed).then_some(session),
            delete: old_id.filter(|old| *old != m.id),
            set_cookie,
            after: After::Written(Box::new(record)),
        })
    }
}

/// Whether `id` has the shape [`random_id`] mints: anything else was never ours, whatever signs it.
fn is_minted_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
