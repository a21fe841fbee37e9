//! The memory storage's bounded cache of parsed sessions: what keeps a load that needs a
//! [`Session`] (the lifecycle manager's `open_in_memory`, Python's loads) from parsing the same
//! stored text on every request, without holding a parsed copy of every stored session (a
//! million sessions must fit in twice their JSON; ARCHITECTURE.md "Storages").

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use crate::session::Session;

/// How many parsed sessions are kept: the hot set, not the whole storage.
pub(super) const PARSED_MAX: usize = 4096;

/// Parsed sessions by id, each with the stored text it was parsed from. An entry is only used
/// while that very text (the same `Arc`) is what the storage holds, so a store needs no
/// invalidation: a replaced record has a new text. The oldest entry goes first.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_id: HashMap<Arc<str>, (Arc<str>, Arc<Session>)>,
    order: VecDeque<Arc<str>>,
}

impl Parsed {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session parsed from `text`, if it is kept.
    pub fn get(&self, id: &str, text: &Arc<str>) -> Option<Arc<Session>> {
        let inner = self.inner();
        let (kept, session) = inner.by_id.get(id)?;
        Arc::ptr_eq(kept, text).then(|| session.clone())
    }

    /// Keeps `session`, parsed from `text`, the record of `id`.
    pub fn keep(&self, id: Arc<str>, text: Arc<str>, session: Arc<Session>) {
        let mut inner = self.inner();
        if inner.by_id.insert(id.clone(), (text, session)).is_none() {
            inner.order.push_back(id);
            if inner.order.len() > PARSED_MAX {
                if let Some(oldest) = inner.order.pop_front() {
                    inner.by_id.remove(&oldest);
                }
            }
        }
    }

    /// Drops the parsed copy of a removed session (its tokens leave memory with it). Its id
    /// stays in the order until it comes first: evicting an id kept again since only costs
    /// that id a parse, and the order still bounds what is kept.
    pub fn forget(&self, id: &str) {
        self.inner().by_id.remove(id);
    }

    /// How many parsed sessions are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.inner().by_id.len()
    }
}
