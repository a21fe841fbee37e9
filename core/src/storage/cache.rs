//! The read-through session cache, sans-IO: every decision (hit or miss, what is admitted, how
//! long it lives, what is evicted, what an own write invalidates), none of the awaiting.
//!
//! A host storage asks [`Cache::get`] before its `load` callback; on a miss it takes a
//! [`Cache::ticket`], awaits the callback (sharing one call among concurrent loads of the id:
//! that promise bookkeeping is host I/O), and offers the validated result to
//! [`Cache::admit_text`] / [`Cache::admit_session`]. Its own store, delete and failed
//! compare-and-store call [`Cache::invalidate`] before and after the callback.
//!
//! Lifetimes: an entry lives until the earlier of its session's `expires` and `now +
//! max_staleness`. The staleness bound is what makes the cache safe in front of a store that
//! several processes share: this process cannot see another one's writes, so it serves what it
//! loaded for at most that long (README, "Cache"). The clock is the host's, in epoch ms,
//! passed to every call so tests can drive it.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Origin, Result};
use crate::session::Session;
use crate::words::{self, Language};

/// Entries held when the `maxEntries` option is not given.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// Bytes (ids plus canonical JSON) held when `maxBytes` is not given.
pub const DEFAULT_MAX_BYTES: usize = 32 << 20;
/// How long an entry may be served when `maxStalenessMs` is not given.
pub const DEFAULT_MAX_STALENESS_MS: u64 = 1_000;

/// The bounds of a cache, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// At most this many sessions are held; the least recently used goes first.
    pub max_entries: usize,
    /// At most this many bytes (id + canonical JSON per entry) are held.
    pub max_bytes: usize,
    /// No entry is served longer than this after it was loaded.
    pub max_staleness_ms: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_entries: DEFAULT_MAX_ENTRIES,
            max_bytes: DEFAULT_MAX_BYTES,
            max_staleness_ms: DEFAULT_MAX_STALENESS_MS,
        }
    }
}

fn count(value: Option<f64>, name: &str, default: usize) -> Result<usize> {
    match value {
        None => Ok(default),
        Some(v)
            if v.is_finite() && v >= 1.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 =>
        {
            Ok(v as usize)
        }
        Some(v) => Err(Error::InvalidArgument(format!(
            "{} must be a positive integer, got {v}",
            words::name(name)
        ))),
    }
}

impl CacheConfig {
    /// The bounds from a host's options (`None`: the default). `max_staleness` is milliseconds
    /// in JavaScript (`maxStalenessMs`), seconds in Python (`max_staleness`), and must be > 0:
    /// a zero staleness is no cache, which the app says by not configuring one.
    pub fn from_options(
        max_entries: Option<f64>,
        max_bytes: Option<f64>,
        max_staleness: Option<f64>,
    ) -> Result<Self> {
        let max_entries = count(max_entries, "maxEntries", DEFAULT_MAX_ENTRIES)?;
        let max_bytes = count(max_bytes, "maxBytes", DEFAULT_MAX_BYTES)?;
        let max_staleness_ms = match max_staleness {
            None => DEFAULT_MAX_STALENESS_MS,
            Some(v) if v.is_finite() && v > 0.0 && v <= 1e12 => {
                // Seconds to whole microseconds first: 0.07 * 1000.0 is 70.00000000000001.
                let python = words::language() == Language::Python;
                let ms = if python { (v * 1e6).round() / 1e3 } else { v };
                ms.ceil() as u64
            }
            Some(v) => {
                return Err(Error::InvalidArgument(format!(
                    "{} must be a positive finite number, got {v}",
                    words::name("maxStalenessMs")
                )))
            }
        };
        Ok(CacheConfig { max_entries, max_bytes, max_staleness_ms })
    }
}

struct Entry<V> {
    value: V,
    bytes: usize,
    /// When it was admitted: a clock that went back past it ends the entry too.
    since_ms: i64,
    until_ms: i64,
    /// Its key in `order` (higher: used more recently).
    tick: u64,
}

/// A bounded LRU of validated sessions (`V`: what the host hands out copies of — canonical
/// text in Node, a core `Session` in Python).
pub struct Cache<V> {
    config: CacheConfig,
    entries: HashMap<String, Entry<V>>,
    order: BTreeMap<u64, String>,
    next_tick: u64,
    bytes: usize,
    /// Bumped by every invalidation. A load admits its result only if none happened since it
    /// began: a store or delete landing while the load was out could make its result stale.
    /// One counter for all ids is conservative (a write to another id also skips admission)
    /// and costs no bookkeeping per id.
    epoch: u64,
}

impl<V> Cache<V> {
    /// An empty cache with these bounds.
    pub fn new(config: CacheConfig) -> Self {
        Cache {
            config,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next_tick: 0,
            bytes: 0,
            epoch: 0,
        }
    }

    /// The bounds it keeps.
    pub fn config(&self) -> CacheConfig {
        self.config
    }

    /// Sessions held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held (ids plus canonical JSON).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The session held for `id` at `now_ms`, marked as most recently used; `None` on a miss.
    /// An entry past its lifetime is dropped here.
    pub fn get(&mut self, id: &str, now_ms: i64) -> Option<&V> {
        let entry = self.entries.get(id)?;
        if now_ms >= entry.until_ms || now_ms < entry.since_ms {
            self.remove(id);
            return None;
        }
        let tick = self.next_tick;
        self.next_tick += 1;
        let entry = self.entries.get_mut(id)?;
        let old = std::mem::replace(&mut entry.tick, tick);
        if let Some(key) = self.order.remove(&old) {
            self.order.insert(tick, key);
        }
        Some(&entry.value)
    }

    /// What a load starting now hands back to [`Cache::admit_text`] when its result is in.
    pub fn ticket(&self) -> u64 {
        self.epoch
    }

    /// Offers a loaded session as canonical JSON `text` (its expiry is read from it); `value`
    /// is what [`Cache::get`] will return. `false` when not admitted: an own write since
    /// `ticket`, a session already past its `expires`, larger than `maxBytes`, or not a
    /// session.
    pub fn admit_text(&mut self, id: &str, text: &str, value: V, ticket: u64, now_ms: i64) -> bool {
        match Session::from_json(text, Origin::Stored) {
            Ok(session) => self.admit(id, &session, text.len(), value, ticket, now_ms),
            Err(_) => false,
        }
    }

    /// [`Cache::admit_text`] for a session the host holds in core form.
    pub fn admit_session(
        &mut self,
        id: &str,
        session: &Session,
        value: V,
        ticket: u64,
        now_ms: i64,
    ) -> bool {
        let size = session.to_json().len();
        self.admit(id, session, size, value, ticket, now_ms)
    }

    fn admit(
        &mut self,
        id: &str,
        session: &Session,
        size: usize,
        value: V,
        ticket: u64,
        now_ms: i64,
    ) -> bool {
        if ticket != self.epoch {
            return false;
        }
        let staleness = i64::try_from(self.config.max_staleness_ms).unwrap_or(i64::MAX);
        let mut until_ms = now_ms.saturating_add(staleness);
        if let Some(expires) = session.expires {
            until_ms = until_ms.min(expires.epoch_ms());
        }
        let bytes = id.len() + size;
        if until_ms <= now_ms || bytes > self.config.max_bytes {
            self.remove(id);
            return false;
        }
        self.remove(id);
        while self.entries.len() >= self.config.max_entries
            || self.bytes + bytes > self.config.max_bytes
        {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            if let Some(gone) = self.entries.remove(&oldest) {
                self.bytes -= gone.bytes;
            }
        }
        let tick = self.next_tick;
        self.next_tick += 1;
        self.order.insert(tick, id.to_owned());
        self.bytes += bytes;
        let entry = Entry { value, bytes, since_ms: now_ms, until_ms, tick };
        self.entries.insert(id.to_owned(), entry);
        true
    }

    /// Drops `id` after this process stored, deleted or failed to store it, and keeps loads
    /// already out from admitting what they read before the write.
    pub fn invalidate(&mut self, id: &str) {
        self.epoch += 1;
        self.remove(id);
    }

    /// Drops everything (and, like [`Cache::invalidate`], refuses loads already out).
    pub fn clear(&mut self) {
        self.epoch += 1;
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }

    fn remove(&mut self, id: &str) {
        if let Some(gone) = self.entries.remove(id) {
            self.order.remove(&gone.tick);
            self.bytes -= gone.bytes;
        }
    }
}
