//! The native half of the read-through cache (`js/lib/cache.js`): the core's `Cache` over
//! canonical JSON text. The clock is the caller's (`Date.now()`), in epoch ms.

use napi_derive::napi;
use sessionkeeper_core::storage::cache::{Cache, CacheConfig};

use crate::error::{OrThrow, Result};

/// Validated sessions by id, bounded and expiring as the core decides.
#[napi]
pub struct SessionCache {
    inner: Cache<String>,
}

#[napi]
impl SessionCache {
    /// A cache with the app's `maxEntries`, `maxBytes`, `maxStalenessMs` (undefined: defaults).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        max_entries: Option<f64>,
        max_bytes: Option<f64>,
        max_staleness_ms: Option<f64>,
    ) -> Result<Self> {
        let config =
            CacheConfig::from_options(max_entries, max_bytes, max_staleness_ms).or_throw()?;
        Ok(SessionCache { inner: Cache::new(config) })
    }

    /// The canonical JSON held for `id` at `now`, or `null`.
    #[napi(catch_unwind)]
    pub fn get(&mut self, id: String, now: f64) -> Option<String> {
        self.inner.get(&id, now as i64).cloned()
    }

    /// What a load starting now passes to `admit`.
    #[napi(catch_unwind)]
    pub fn ticket(&self) -> f64 {
        self.inner.ticket() as f64
    }

    /// Offers the canonical JSON a load of `id` produced; whether it was admitted.
    #[napi(catch_unwind)]
    pub fn admit(&mut self, id: String, text: String, ticket: f64, now: f64) -> bool {
        let value = text.clone();
        self.inner.admit_text(&id, &text, value, ticket as u64, now as i64)
    }

    /// Drops `id` after an own write, and refuses loads already out.
    #[napi(catch_unwind)]
    pub fn invalidate(&mut self, id: String) {
        self.inner.invalidate(&id)
    }

    /// Drops everything.
    #[napi(catch_unwind)]
    pub fn clear(&mut self) {
        self.inner.clear()
    }

    /// Sessions held.
    #[napi(getter)]
    pub fn entries(&self) -> u32 {
        self.inner.len() as u32
    }

    /// Bytes held (ids plus canonical JSON).
    #[napi(getter)]
    pub fn bytes(&self) -> f64 {
        self.inner.bytes() as f64
    }
}
