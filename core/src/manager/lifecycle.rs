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
use super::managed::{After, Managed, Plan, Refused};
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

/// The lifecycle manager's rules, over a [`Config`].
#[derive(Debug)]
pub struct Manager {
    config: Config,
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
            refused_id: refused.and(begin.id.as_deref()).map(crate::error::id_hash),
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
            refused_id: None,
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

    /// What committing `m` with the app's current `values` and `flash` does; `None` for either
    /// means "as loaded" (the host never handed it to the app), which costs no compare and no
    /// copy unless a record is written. Performs nothing.
    pub fn commit(
        &self,
        m: &Managed,
        values: Option<Map<String, Value>>,
        flash: Option<Map<String, Value>>,
        now: Timestamp,
    ) -> Result<Plan> {
        let changed = |given: &Option<Map<String, Value>>, loaded| {
            given.as_ref().is_some_and(|g| g != loaded)
        };
        let dirty_values = changed(&values, &m.loaded_values);
        let dirty_flash = changed(&flash, &m.loaded_flash);
        let values = values.as_ref().unwrap_or(&m.loaded_values);
        let flash = flash.as_ref().unwrap_or(&m.loaded_flash);
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
        let dirty = !stored_here || dirty_values || dirty_flash;
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
            values: values.clone(),
            flash: flash.clone(),
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
