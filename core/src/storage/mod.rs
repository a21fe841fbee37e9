//! Storages: the async interface every storage implements, and the three the core ships.

pub mod cache;
pub mod callback;
pub mod deadlines;
pub mod fallback;
mod file;
mod file_fs;
mod memory;
mod memory_parsed;

#[cfg(test)]
mod managed_tests;

use std::future::Future;

pub use file::FileStorage;
pub use memory::MemoryStorage;

use crate::error::{Error, Result};
use crate::session::Session;

/// Shopify's storage interface: upsert, load, delete, delete many, find by shop.
///
/// Semantics every implementation keeps: `load` of a missing id is `Ok(None)`; deleting a
/// missing id succeeds; `find_by_shop` with no match is `Ok(vec![])`; a failed call leaves
/// stored data as it was.
pub trait SessionStorage: Send + Sync {
    /// Stores `session`, replacing any session with its id. Resolves `true` when stored.
    fn store(&self, session: &Session) -> impl Future<Output = Result<bool>> + Send;
    /// Loads the session with `id`, if any.
    fn load(&self, id: &str) -> impl Future<Output = Result<Option<Session>>> + Send;
    /// Deletes the session with `id`; `true` also when there was none.
    fn delete(&self, id: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes every session in `ids`.
    fn delete_many(&self, ids: &[String]) -> impl Future<Output = Result<bool>> + Send;
    /// Every session of `shop`.
    fn find_by_shop(&self, shop: &str) -> impl Future<Output = Result<Vec<Session>>> + Send;
}

/// Checks the `shop` argument of `find_by_shop`.
pub fn check_shop(shop: &str) -> Result<()> {
    if shop.is_empty() {
        return Err(Error::InvalidArgument(
            "shop must be a non-empty string, got an empty string".into(),
        ));
    }
    Ok(())
}
