//! A managed session as a storage record: a canonical `Session`, so every storage, layout,
//! TTL and sweep works unchanged and Shopify's own library can still load it.
//!
//! The app's values are the session's `data`; the manager's bookkeeping sits beside them under
//! one reserved key, [`META_KEY`] (`tests/vectors/manager.json` pins the bytes):
//!
//! ```json
//! {"id": "…", "shop": "", "state": "", "isOnline": false, "expires": "2030-01-01T00:30:00.000Z",
//!  "data": {"user": "ada", "__sessionkeeper": {"createdAt": 1893456000000,
//!    "writtenAt": 1893456000000, "version": 1, "flash": {"notice": "saved"}}}}
//! ```
//!
//! `expires` is the session's deadline (idle and absolute together), so Redis keys expire and
//! PostgreSQL sweeps go by it; `shop` is empty, so no layout indexes the record by shop.

use serde_json::{Map, Value};

use crate::error::{id_hash, Error, Result};
use crate::json::MAX_SAFE_INTEGER;
use crate::session::Session;
use crate::time::Timestamp;

/// The `data` key holding the manager's bookkeeping; an app value may not use it.
pub const META_KEY: &str = "__sessionkeeper";

/// A managed session's stored state.
#[derive(Clone, PartialEq)]
pub struct Record {
    /// The session id (minted by the core).
    pub id: String,
    /// When the session was created (or last regenerated): the absolute timeout counts from here.
    pub created_at: Timestamp,
    /// When the record was last written: the idle timeout counts from here.
    pub written_at: Timestamp,
    /// The deadline: the earlier of the idle and the absolute timeout, if either is set.
    pub expires_at: Option<Timestamp>,
    /// Incremented by every write; what `optimistic` concurrency compares.
    pub version: u64,
    /// The app's values.
    pub values: Map<String, Value>,
    /// Values set by `flash`, read once by `takeFlash`.
    pub flash: Map<String, Value>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The id is the bearer credential: only its hash; values by count (they may be personal).
        f.debug_struct("Record")
            .field("id", &crate::error::id_hash(&self.id))
            .field("created_at", &self.created_at)
            .field("written_at", &self.written_at)
            .field("expires_at", &self.expires_at)
            .field("version", &self.version)
            .field("values", &format_args!("<{} keys>", self.values.len()))
            .field("flash", &format_args!("<{} keys>", self.flash.len()))
            .finish()
    }
}

fn ms(meta: &Map<String, Value>, key: &str) -> Option<Timestamp> {
    Timestamp::from_epoch_ms(meta.get(key)?.as_i64()?)
}

impl Record {
    /// The record as the session every storage stores.
    pub fn to_session(&self) -> Session {
        let mut meta = Map::with_capacity(4);
        meta.insert("createdAt".into(), self.created_at.epoch_ms().into());
        meta.insert("writtenAt".into(), self.written_at.epoch_ms().into());
        meta.insert("version".into(), self.version.into());
        if !self.flash.is_empty() {
            meta.insert("flash".into(), Value::Object(self.flash.clone()));
        }
        let mut data = self.values.clone();
        data.insert(META_KEY.into(), Value::Object(meta));
        Session {
            id: self.id.clone(),
            shop: String::new(),
            state: String::new(),
            is_online: false,
            scope: None,
            expires: self.expires_at,
            access_token: None,
            refresh_token: None,
            refresh_token_expires: None,
            online_access_info: None,
            data: Some(data),
        }
    }

    /// The record a stored session holds, or `None` when it is not one the manager wrote (a
    /// Shopify session under a guessed id, a record with broken bookkeeping): never adopted.
    pub fn from_session(session: &Session) -> Option<Record> {
        let data = session.data.as_ref()?;
        let meta = data.get(META_KEY)?.as_object()?;
        let version = meta.get("version")?.as_u64().filter(|v| *v <= MAX_SAFE_INTEGER as u64)?;
        let flash = match meta.get("flash") {
            None => Map::new(),
            Some(Value::Object(f)) => f.clone(),
            Some(_) => return None,
        };
        if !session.shop.is_empty() || session.access_token.is_some() {
            return None;
        }
        let mut values = data.clone();
        values.remove(META_KEY);
        Some(Record {
            id: session.id.clone(),
            created_at: ms(meta, "createdAt")?,
            written_at: ms(meta, "writtenAt")?,
            expires_at: session.expires,
            version,
            values,
            flash,
        })
    }
}

/// The compare in compare-and-store (`optimistic` concurrency): a write expecting version
/// `expected` (0: no record yet) may replace `stored` only if that is the version it holds.
/// Storages call it under the lock that makes their write atomic.
pub fn check_version(stored: Option<&Session>, expected: u64, id: &str) -> Result<()> {
    let found = match stored {
        None => 0,
        Some(s) => match Record::from_session(s) {
            Some(r) => r.version,
            None => {
                return Err(Error::Conflict(format!(
                    "session {} holds a session the manager did not write; nothing was written",
                    id_hash(id)
                )))
            }
        },
    };
    if found == expected {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "session {} was changed by another request since it was loaded (stored version {found}, \
         expected {expected}); nothing was written",
        id_hash(id)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_epoch_ms(ms).unwrap()
    }

    fn record() -> Record {
        let Value::Object(values) = json!({"user": "ada", "n": 1}) else { unreachable!() };
        let Value::Object(flash) = json!({"notice": "saved"}) else { unreachable!() };
        Record {
            id: "abc".into(),
            created_at: at(1_000),
            written_at: at(2_000),
            expires_at: Some(at(3_000)),
            version: 7,
            values,
            flash,
        }
    }

    #[test]
    fn round_trips_through_a_session() {
        let r = record();
        let s = r.to_session();
        assert!(s.shop.is_empty() && s.access_token.is_none());
        assert_eq!(s.expires, Some(at(3_000)));
        assert_eq!(Record::from_session(&s), Some(r));
    }

    #[test]
    fn foreign_or_broken_records_are_not_adopted() {
        let mut s = record().to_session();
        s.shop = "a.myshopify.com".into();
        assert_eq!(Record::from_session(&s), None, "a Shopify session is not a managed one");
        let broken = |edit: &dyn Fn(&mut Map<String, Value>)| {
            let mut s = record().to_session();
            edit(s.data.as_mut().unwrap().get_mut(META_KEY).unwrap().as_object_mut().unwrap());
            Record::from_session(&s)
        };
        assert!(broken(&|m| {
            m.remove("version");
        })
        .is_none());
        assert!(broken(&|m| {
            m.insert("version".into(), json!(-1));
        })
        .is_none());
        assert!(broken(&|m| {
            m.insert("createdAt".into(), json!("yesterday"));
        })
        .is_none());
        assert!(broken(&|m| {
            m.insert("flash".into(), json!([1]));
        })
        .is_none());
        assert!(broken(&|_| {}).is_some());
        let mut plain = record().to_session();
        plain.data.as_mut().unwrap().remove(META_KEY);
        assert!(Record::from_session(&plain).is_none());
    }

    #[test]
    fn versions_are_compared() {
        let s = record().to_session();
        check_version(None, 0, "abc").unwrap();
        check_version(Some(&s), 7, "abc").unwrap();
        let e = check_version(Some(&s), 6, "abc").unwrap_err();
        assert_eq!(e.code(), "CONFLICT");
        assert!(
            e.message().contains("stored version 7, expected 6") && !e.message().contains("abc")
        );
        assert_eq!(check_version(None, 3, "abc").unwrap_err().code(), "CONFLICT");
        let foreign = Session::new("abc").unwrap();
        assert_eq!(check_version(Some(&foreign), 0, "abc").unwrap_err().code(), "CONFLICT");
    }

    #[test]
    fn debug_hides_the_id_and_values() {
        let text = format!("{:?}", record());
        assert!(!text.contains("abc") && !text.contains("ada"), "{text}");
        assert!(text.contains("<2 keys>"));
    }
}
