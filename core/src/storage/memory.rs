//! The embedded default storage: copies in memory, sharded so readers do not queue.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::{check_shop, SessionStorage};
use crate::error::{Origin, Result};
use crate::session::{check_id, Session};
use crate::time::Timestamp;

const SHARDS: usize = 64;

type Shard = RwLock<HashMap<String, Arc<Session>>>;

/// Secondary indexes, kept under one short-held lock: writers touch them after their shard.
#[derive(Debug, Default)]
struct Indexes {
    by_shop: HashMap<String, HashSet<String>>,
    /// `(usable_until, id)` of every session that can expire: the sweep pops from the front.
    by_expiry: BTreeSet<(Timestamp, String)>,
}

/// An in-memory storage. It stores copies (a stored session does not change when the caller
/// mutates theirs) and hands out shared immutable sessions (`Arc`), so loads do not copy.
///
/// Sessions live in 64 shards behind their own read-write locks, so concurrent loads never wait
/// on one global lock. `find_by_shop` reads a shop index; [`MemoryStorage::sweep`] removes
/// unusable sessions in time proportional to how many it removes. Sweeping is opt-in.
#[derive(Debug)]
pub struct MemoryStorage {
    shards: Box<[Shard]>,
    hasher: RandomState,
    indexes: Mutex<Indexes>,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        MemoryStorage {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: RandomState::new(),
            indexes: Mutex::default(),
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

    fn reindex(&self, old: Option<&Session>, new: Option<&Session>) {
        let same_shop = matches!((old, new), (Some(o), Some(n)) if o.shop == n.shop);
        let old_until = old.and_then(Session::usable_until);
        let new_until = new.and_then(Session::usable_until);
        if same_shop && old_until == new_until {
            return; // the common upsert: nothing indexed has changed
        }
        let mut ix = self.indexes();
        if let Some(old) = old {
            if !same_shop && !old.shop.is_empty() {
                if let Some(ids) = ix.by_shop.get_mut(&old.shop) {
                    ids.remove(&old.id);
                    if ids.is_empty() {
                        ix.by_shop.remove(&old.shop);
                    }
                }
            }
            if let Some(t) = old_until.filter(|t| Some(*t) != new_until) {
                ix.by_expiry.remove(&(t, old.id.clone()));
            }
        }
        if let Some(new) = new {
            // No shop, no index entry: managed sessions have none, and a find needs one.
            if !same_shop && !new.shop.is_empty() {
                ix.by_shop.entry(new.shop.clone()).or_default().insert(new.id.clone());
            }
            if let Some(t) = new_until.filter(|t| Some(*t) != old_until) {
                ix.by_expiry.insert((t, new.id.clone()));
            }
        }
    }

    /// Stores a copy of `session`, replacing any session with its id.
    pub fn store(&self, session: Session) -> Result<()> {
        session.validate(Origin::Argument)?;
        let session = Arc::new(session);
        let mut shard = write(self.shard(&session.id));
        let old = shard.insert(session.id.clone(), session.clone());
        self.reindex(old.as_deref(), Some(&session));
        Ok(())
    }

    /// Stores `session` only if the record stored under its id has version `expected` (0: none
    /// stored): `optimistic` concurrency's compare-and-store, atomic under the shard lock.
    pub fn store_if_version(&self, session: Session, expected: u64) -> Result<()> {
        session.validate(Origin::Argument)?;
        let session = Arc::new(session);
        let mut shard = write(self.shard(&session.id));
        crate::manager::record::check_version(
            shard.get(&session.id).map(|s| &**s),
            expected,
            &session.id,
        )?;
        let old = shard.insert(session.id.clone(), session.clone());
        self.reindex(old.as_deref(), Some(&session));
        Ok(())
    }

    /// The stored session with `id`, shared (sessions are immutable once stored).
    pub fn load(&self, id: &str) -> Result<Option<Arc<Session>>> {
        check_id(id, Origin::Argument)?;
        Ok(read(self.shard(id)).get(id).cloned())
    }

    /// Removes the session with `id`; `Ok(true)` whether or not it existed.
    pub fn delete(&self, id: &str) -> Result<bool> {
        check_id(id, Origin::Argument)?;
        let mut shard = write(self.shard(id));
        if let Some(old) = shard.remove(id) {
            self.reindex(Some(&old), None);
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

    /// Every session of `shop`.
    pub fn find_by_shop(&self, shop: &str) -> Result<Vec<Arc<Session>>> {
        check_shop(shop)?;
        let ids: Vec<String> = self
            .indexes()
            .by_shop
            .get(shop)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        Ok(ids
            .iter()
            .filter_map(|id| read(self.shard(id)).get(id).filter(|s| s.shop == shop).cloned())
            .collect())
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
        let due: Vec<(Timestamp, String)> = {
            let ix = self.indexes();
            ix.by_expiry.iter().take_while(|(t, _)| *t < now).cloned().collect()
        };
        let mut removed = Vec::new();
        for (_, id) in due {
            let mut shard = write(self.shard(&id));
            // Re-check under the shard lock: the session may have been stored again since.
            if shard.get(&id).is_some_and(|s| s.is_unusable_at(now)) {
                let old = shard.remove(&id).expect("checked above");
                self.reindex(Some(&old), None);
                removed.push(id);
            }
        }
        removed
    }
}

impl SessionStorage for MemoryStorage {
    async fn store(&self, session: &Session) -> Result<bool> {
        self.store(session.clone()).map(|()| true)
    }

    async fn load(&self, id: &str) -> Result<Option<Session>> {
        Ok(self.load(id)?.map(|s| (*s).clone()))
    }

    async fn delete(&self, id: &str) -> Result<bool> {
        self.delete(id)
    }

    async fn delete_many(&self, ids: &[String]) -> Result<bool> {
        self.delete_many(ids)
    }

    async fn find_by_shop(&self, shop: &str) -> Result<Vec<Session>> {
        Ok(self.find_by_shop(shop)?.into_iter().map(|s| (*s).clone()).collect())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
