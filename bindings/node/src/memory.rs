//! The native half of `MemorySessionStorage`: the core's `MemoryStorage`, fed and read as
//! canonical JSON text.

use napi::bindgen_prelude::External;
use napi_derive::napi;
use sessionkeeper_core::storage::MemoryStorage;
use sessionkeeper_core::{Patchable, Timestamp};

use crate::error::{OrThrow, Result};

/// Sessions in memory, owned by the core (validation, upserts, the indexes): it keeps each
/// session's canonical JSON, which a load hands back as it is.
#[napi]
pub struct MemoryStore {
    pub(crate) inner: MemoryStorage,
}

#[napi]
impl MemoryStore {
    /// An empty store.
    #[napi(constructor, catch_unwind)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        MemoryStore { inner: MemoryStorage::new() }
    }

    /// Stores the session in `text` (any accepted shape; `INVALID_ARGUMENT` when invalid),
    /// replacing the session with its id. Returns `null` when `text` was canonical JSON,
    /// otherwise the canonical JSON of what was stored.
    #[napi(catch_unwind)]
    pub fn store(&self, text: String) -> Result<Option<String>> {
        self.inner.store_json(&text, None).or_throw()
    }

    /// Stores the held session (`heldSession`) with the fields in `changes` replaced (JSON
    /// text of an object, JS names, `null` for absent), and holds the result instead; on an
    /// error (INVALID_ARGUMENT) nothing is stored and the held session is unchanged.
    #[napi(catch_unwind)]
    pub fn store_patched(&self, held: &mut External<Patchable>, changes: String) -> Result<()> {
        self.inner.store_patched(held, &changes).or_throw()
    }

    /// Stores the session in `text` only if the stored record has version `expected` (0: none
    /// yet); CONFLICT otherwise. Returns as `store` does.
    #[napi(catch_unwind)]
    pub fn store_if_version(&self, text: String, expected: u32) -> Result<Option<String>> {
        self.inner.store_json(&text, Some(u64::from(expected))).or_throw()
    }

    /// The canonical JSON of the session with `id`, or `null`.
    #[napi(catch_unwind)]
    pub fn load(&self, id: String) -> Result<Option<String>> {
        Ok(self.inner.load_json(&id).or_throw()?.map(|t| String::from(&*t)))
    }

    /// Removes the session with `id` (`true` whether or not it existed).
    #[napi(catch_unwind)]
    pub fn delete(&self, id: String) -> Result<bool> {
        self.inner.delete(&id).or_throw()
    }

    /// Removes every session in `ids` (all are checked before any is removed).
    #[napi(catch_unwind)]
    pub fn delete_many(&self, ids: Vec<String>) -> Result<bool> {
        self.inner.delete_many(&ids).or_throw()
    }

    /// The canonical JSON of every session of `shop`.
    #[napi(catch_unwind)]
    pub fn find_by_shop(&self, shop: String) -> Result<Vec<String>> {
        Ok(self.inner.find_json(&shop).or_throw()?.iter().map(|t| String::from(&**t)).collect())
    }

    /// Removes the sessions that can no longer be used (past `expires` and, with a refresh
    /// token, past `refreshTokenExpires`); returns their ids, which the JS cache of hot
    /// sessions drops too.
    #[napi(catch_unwind)]
    pub fn sweep(&self) -> Vec<String> {
        self.inner.sweep_ids(Timestamp::now())
    }

    /// How many sessions are stored.
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }
}
