//! The embedded default storage: copies in memory, sharded so readers do not queue.
//!
//! What is held per session is its canonical JSON (validated when stored) and the two facts the
//! indexes need, not a parsed [`Session`]: a parsed online session costs about 1.4 KB of heap
//! against 0.6 KB of JSON, and a million sessions must fit in twice their JSON
//! (ARCHITECTURE.md "Storages"). Node hands the text straight to `JSON.parse`; a host that wants
//! a `Session` gets a shared parse, kept for a bounded set of hot ids (`memory_parsed.rs`).

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use super::memory_parsed::ParsedOrder;
use super::{check_shop, SessionStorage};
use crate::error::{Origin, Result};
use crate::session::{check_id, Canonical, Patchable, Session};
use crate::time::Timestamp;

const SHARDS: usize = 64;

/// A stored session. The id is the shard map's key, shared (not copied) by the indexes.
#[derive(Debug)]
struct Record {
    /// Canonical JSON, shared so a load copies nothing under the lock.
    text: Arc<str>,
    /// The shop, interned: the shop index's own key (`None` for `""`, which is not indexed).
    shop: Option<Arc<str>>,
    /// [`Session::usable_until`]: what the sweep goes by.
    until: Option<Timestamp>,
    /// The parse of `text`, kept for hot sessions only (`memory_parsed.rs`).
    parsed: OnceLock<Arc<Session>>,
}

impl Record {
    /// The stored session, parsed again (it was validated when stored).
    fn session(&self) -> Result<Session> {
        Session::from_json(&self.text, Origin::Stored)
    }
}

type Shard = RwLock<HashMap<Arc<str>, Record>>;

/// Secondary indexes, kept under one short-held lock: writers touch them after their shard.
#[derive(Debug, Default)]
struct Indexes {
    by_shop: HashMap<Arc<str>, HashSet<Arc<str>>>,
    /// `(usable_until, id)` of every session that can expire: the sweep pops from the front.
    by_expiry: BTreeSet<(Timestamp, Arc<str>)>,
}

/// An in-memory storage. It stores copies (a stored session does not change when the caller
/// mutates theirs): the canonical JSON of each, from which every load builds a new value.
///
/// Sessions live in 64 shards behind their own read-write locks, so concurrent loads never wait
/// on one global lock. `find_by_shop` reads a shop index; [`MemoryStorage::sweep`] removes
/// unusable sessions in time proportional to how many it removes. Sweeping is opt-in.
#[derive(Debug)]
pub struct MemoryStorage {
    shards: Box<[Shard]>,
    hasher: RandomState,
    indexes: Mutex<Indexes>,
    parsed: ParsedOrder,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        MemoryStorage {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: RandomState::new(),
            indexes: Mutex::default(),
            parsed: ParsedOrder::default(),
        }
    }
}

// A poisoned lock only means another thread panicked mid-operation; each critical section
// leaves the maps consistent, so the data is still sound.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

impl MemoryStorage {
    /// An empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, id: &str) -> &Shard {
        &self.shards[(self.hasher.hash_one(id) as usize) % SHARDS]
    }

    fn indexes(&self) -> std::sync::MutexGuard<'_, Indexes> {
        self.indexes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many shops the index holds (tests check what is indexed).
    #[cfg(test)]
    pub(crate) fn indexed_shops(&self) -> usize {
        self.indexes().by_shop.len()
    }

    /// Moves `id`'s index entries from `old` (its record, if any) to `new` (its shop and
    /// usable-until, `None` when removed); returns the interned shop for the new record.
    fn reindex(
        &self,
        id: &Arc<str>,
        old: Option<&Record>,
        new: Option<(&str, Option<Timestamp>)>,
    ) -> Option<Arc<str>> {
        let old_shop = old.and_then(|r| r.shop.as_ref());
        let old_until = old.and_then(|r| r.until);
        let new_shop = new.map(|(s, _)| s).filter(|s| !s.is_empty());
        let new_until = new.and_then(|(_, u)| u);
        let same_shop = old.is_some() && new.is_some() && old_shop.map(|s| &**s) == new_shop;
        if same_shop && old_until == new_until {
            return old_shop.cloned(); // the common upsert: nothing indexed has changed
        }
        let mut ix = self.indexes();
        if !same_shop {
            if let Some(shop) = old_shop {
                if let Some(ids) = ix.by_shop.get_mut(shop) {
                    ids.remove(id);
                    if ids.is_empty() {
                        ix.by_shop.remove(shop);
                    }
                }
            }
        }
        if old_until != new_until {
            if let Some(t) = old_until {
                ix.by_expiry.remove(&(t, id.clone()));
            }
            if let Some(t) = new_until {
                ix.by_expiry.insert((t, id.clone()));
            }
        }
        if same_shop {
            return old_shop.cloned();
        }
        // No shop, no index entry: managed sessions have none, and a find needs one.
        let shop = new_shop?;
        let key = match ix.by_shop.get_key_value(shop) {
            Some((key, _)) => key.clone(),
            None => Arc::from(shop),
        };
        ix.by_shop.entry(key.clone()).or_default().insert(id.clone());
        Some(key)
    }

    /// Holds `text`, the canonical JSON of the valid `session`, under its id; with `expected`,
    /// only if the stored record has that version (checked under the shard lock).
    fn put(&self, session: &Session, text: Arc<str>, expected: Option<u64>) -> Result<()> {
        let until = session.usable_until();
        let mut shard = write(self.shard(&session.id));
        let existing = shard.get_key_value(session.id.as_str());
        if let Some(expected) = expected {
            let stored = existing
                .map(|(_, r)| r.parsed.get().cloned().map_or_else(|| r.session().map(Arc::new), Ok))
                .transpose()?;
            crate::manager::record::check_version(stored.as_deref(), expected, &session.id)?;
        }
        match existing {
            Some((id, old)) => {
                let id = id.clone();
                let shop = self.reindex(&id, Some(old), Some((&session.shop, until)));
                shard.insert(id, Record { text, shop, until, parsed: OnceLock::new() });
            }
            None => {
                let id: Arc<str> = Arc::from(session.id.as_str());
                let shop = self.reindex(&id, None, Some((&session.shop, until)));
                shard.insert(id, Record { text, shop, until, parsed: OnceLock::new() });
            }
        }
        Ok(())
    }

    /// Stores a copy of `session`, replacing any session with its id.
    pub fn store(&self, session: impl Borrow<Session>) -> Result<()> {
        let session = session.borrow();
        session.validate(Origin::Argument)?;
        self.put(session, session.to_json().into(), None)
    }

    /// Stores `session` only if the record stored under its id has version `expected` (0: none
    /// stored): `optimistic` concurrency's compare-and-store, atomic under the shard lock.
    pub fn store_if_version(&self, session: impl Borrow<Session>, expected: u64) -> Result<()> {
        let session = session.borrow();
        session.validate(Origin::Argument)?;
        self.put(session, session.to_json().into(), Some(expected))
    }

    /// Patches `held` with the top-level fields in `changes` ([`Patchable::patch`]: the same
    /// outcome as storing the whole changed session, without reading or writing all of it
    /// again) and stores it; on an error nothing is stored and `held` is as it was.
    pub fn store_patched(&self, held: &mut Patchable, changes: &str) -> Result<()> {
        held.patch(changes, Origin::Argument)?;
        // Cannot fail: no version is expected.
        self.put(held.session(), held.text().into(), None)
    }

    /// Stores the session in `text` (any shape [`Session::from_json`] reads; `INVALID_ARGUMENT`
    /// when it is no valid session), with `expected` as [`MemoryStorage::store_if_version`].
    /// Returns `None` when `text` was canonical JSON, otherwise the canonical JSON stored.
    pub fn store_json(&self, text: &str, expected: Option<u64>) -> Result<Option<String>> {
        match Session::canonicalize(text, Origin::Argument)? {
            Canonical::Unchanged(s) => self.put(&s, text.into(), expected).map(|()| None),
            Canonical::Rewritten(s, c) => {
                self.put(&s, c.as_str().into(), expected)?;
                Ok(Some(c))
            }
        }
    }

    /// The canonical JSON of the session with `id`.
    pub fn load_json(&self, id: &str) -> Result<Option<Arc<str>>> {
        check_id(id, Origin::Argument)?;
        Ok(read(self.shard(id)).get(id).map(|r| r.text.clone()))
    }

    /// The session with `id`, immutable and shared: parsed from what is stored, or the parse
    /// of that same text kept from an earlier load (a bounded set of hot sessions).
    pub fn load(&self, id: &str) -> Result<Option<Arc<Session>>> {
        check_id(id, Origin::Argument)?;
        let shard = read(self.shard(id));
        let Some((key, record)) = shard.get_key_value(id) else {
            return Ok(None);
        };
        if let Some(session) = record.parsed.get() {
            return Ok(Some(session.clone()));
        }
        let session = Arc::new(Session::from_json(&record.text, Origin::Stored)?);
        let given = record.parsed.set(session.clone()).is_ok();
        let key = key.clone();
        drop(shard);
        if let Some(oldest) = given.then(|| self.parsed.given(key)).flatten() {
            if let Some(r) = write(self.shard(&oldest)).get_mut(&*oldest) {
                r.parsed.take();
            }
        }
        Ok(Some(session))
    }

    /// How many records hold a parse (tests check the bound).
    #[cfg(test)]
    pub(crate) fn parsed_count(&self) -> usize {
        self.shards
            .iter()
            .map(|s| read(s).values().filter(|r| r.parsed.get().is_some()).count())
            .sum()
    }

    /// Removes the session with `id`; `Ok(true)` whether or not it existed.
    pub fn delete(&self, id: &str) -> Result<bool> {
        check_id(id, Origin::Argument)?;
        let mut shard = write(self.shard(id));
        if let Some((key, old)) = shard.remove_entry(id) {
            self.reindex(&key, Some(&old), None);
        }
        Ok(true)
    }

    /// Removes every session in `ids` (all ids are checked before anything is removed).
    pub fn delete_many(&self, ids: &[String]) -> Result<bool> {
        super::callback::check_ids(ids)?;
        for id in ids {
            self.delete(id)?;
        }
        Ok(true)
    }

    /// The canonical JSON of every session of `shop`.
    pub fn find_json(&self, shop: &str) -> Result<Vec<Arc<str>>> {
        check_shop(shop)?;
        let ids: Vec<Arc<str>> = self
            .indexes()
            .by_shop
            .get(shop)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        Ok(ids
            .iter()
            .filter_map(|id| {
                let shard = read(self.shard(id));
                let r = shard.get(&**id).filter(|r| r.shop.as_deref() == Some(shop))?;
                Some(r.text.clone())
            })
            .collect())
    }

    /// Every session of `shop`.
    pub fn find_by_shop(&self, shop: &str) -> Result<Vec<Arc<Session>>> {
        let texts = self.find_json(shop)?;
        texts.iter().map(|t| Session::from_json(t, Origin::Stored).map(Arc::new)).collect()
    }

    /// How many sessions are stored.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| read(s).len()).sum()
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes the sessions that can no longer be used at `now` (past `expires` and, when a
    /// refresh token exists, past `refreshTokenExpires`). Returns how many it removed. Costs
    /// O(removed · log n): it walks the expiry index from its oldest entry only.
    pub fn sweep(&self, now: Timestamp) -> usize {
        self.sweep_ids(now).len()
    }

    /// [`MemoryStorage::sweep`], returning the removed ids (for hosts that cache views of them).
    pub fn sweep_ids(&self, now: Timestamp) -> Vec<String> {
        self.sweep_visiting(now, &mut 0)
    }

    /// The sweep, adding to `visits` every index entry and record it looks at: the measure of
    /// its cost that a test can count (ARCHITECTURE.md "Storages": O(expired)).
    fn sweep_visiting(&self, now: Timestamp, visits: &mut usize) -> Vec<String> {
        let due: Vec<Arc<str>> = {
            let ix = self.indexes();
            let mut due = Vec::new();
            for (t, id) in &ix.by_expiry {
                *visits += 1;
                if *t >= now {
                    break;
                }
                due.push(id.clone());
            }
            due
        };
        let mut removed = Vec::with_capacity(due.len());
        for id in due {
            *visits += 1;
            let mut shard = write(self.shard(&id));
            // Re-check under the shard lock: the session may have been stored again since.
            if shard.get(&*id).is_some_and(|r| r.until.is_some_and(|t| t < now)) {
                let (key, old) = shard.remove_entry(&*id).expect("checked above");
                self.reindex(&key, Some(&old), None);
                removed.push(String::from(&*id));
            }
        }
        removed
    }
}

impl SessionStorage for MemoryStorage {
    async fn store(&self, session: &Session) -> Result<bool> {
        self.store(session).map(|()| true)
    }

    async fn load(&self, id: &str) -> Result<Option<Session>> {
        Ok(self.load(id)?.map(Arc::unwrap_or_clone))
    }

    async fn delete(&self, id: &str) -> Result<bool> {
        self.delete(id)
    }

    async fn delete_many(&self, ids: &[String]) -> Result<bool> {
        self.delete_many(ids)
    }

    async fn find_by_shop(&self, shop: &str) -> Result<Vec<Session>> {
        Ok(self.find_by_shop(shop)?.into_iter().map(Arc::unwrap_or_clone).collect())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
