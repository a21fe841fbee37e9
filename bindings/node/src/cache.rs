//! The native half of the read-through cache (`js/lib/cache.js`): the core's `Cache` over
//! JSON text, each admission numbered. A hit answers only its number: JS keeps the validated
//! template of each number it admitted, so a hit crosses no string (0.9 µs of a 1.9 µs hit was
//! making the text a V8 string). The clock is the caller's (`Date.now()`), in epoch ms.

use napi_derive::napi;
use sessionkeeper_core::storage::cache::{Cache, CacheConfig};

use crate::error::{OrThrow, Result};

/// Validated sessions by id, bounded and expiring as the core decides.
#[napi]
pub struct SessionCache {
    inner: Cache<(u32, String)>,
    admitted: u32,
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
        Ok(SessionCache { inner: Cache::new(config), admitted: 0 })
    }

    /// The number of the admission held for `id` at `now`, or 0 on a miss.
    #[napi(catch_unwind)]
    pub fn get(&mut self, id: String, now: f64) -> u32 {
        self.inner.get(&id, now as i64).map_or(0, |(n, _)| *n)
    }

    /// The JSON text held for `id` at `now`, or `null` (for a hit JS holds no template of).
    #[napi(catch_unwind)]
    pub fn text(&mut self, id: String, now: f64) -> Option<String> {
        self.inner.get(&id, now as i64).map(|(_, text)| text.clone())
    }

    /// What a load starting now passes to `admit`.
    #[napi(catch_unwind)]
    pub fn ticket(&self) -> f64 {
        self.inner.ticket() as f64
    }

    /// Offers the JSON text a load of `id` produced: the admission's number, 0 when refused.
    #[napi(catch_unwind)]
    pub fn admit(&mut self, id: String, text: String, ticket: f64, now: f64) -> u32 {
        let n = self.admitted.wrapping_add(1).max(1);
        let value = (n, text.clone());
        if !self.inner.admit_text(&id, &text, value, ticket as u64, now as i64) {
            return 0;
        }
        self.admitted = n;
        n
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
