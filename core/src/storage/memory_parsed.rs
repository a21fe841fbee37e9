//! Which stored sessions keep their parse: what keeps a load that needs a [`Session`] (the
//! lifecycle manager's `open_in_memory`, Python's loads) from parsing the same stored text on
//! every request, without holding a parsed copy of every stored session (a million sessions
//! must fit in twice their JSON; ARCHITECTURE.md "Storages").
//!
//! The parse lives in the record itself (so a hit costs no second lookup and a replaced or
//! removed record takes its parse, and its tokens, with it); this is the bound: the ids whose
//! records were given a parse, oldest first. Once more than [`PARSED_MAX`] are listed, the
//! oldest record's parse is dropped. An id listed twice (given a parse, stored again, given
//! one again) may lose the newer parse early, which costs one parse, never a wrong answer.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// How many parsed sessions are kept: the hot set, not the whole storage.
pub(super) const PARSED_MAX: usize = 4096;

#[derive(Debug, Default)]
pub(super) struct ParsedOrder {
    ids: Mutex<VecDeque<Arc<str>>>,
}

impl ParsedOrder {
    /// Lists `id`, whose record was just given a parse; returns the id whose parse must now be
    /// dropped, if the list is over its bound.
    pub fn given(&self, id: Arc<str>) -> Option<Arc<str>> {
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        ids.push_back(id);
        if ids.len() > PARSED_MAX {
            ids.pop_front()
        } else {
            None
        }
    }
}
