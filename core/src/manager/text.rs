//! The manager as bindings drive it: options, records and app values cross as JSON text (the
//! cheapest shape into V8 and into Python's `json`), so each binding is a thin wrapper and both
//! hosts take exactly the same path.

use serde_json::{Map, Value};

use super::lifecycle::{Begin, Config, Keeping, Manager};
use super::managed::Managed;
use crate::error::{describe, Error, Result};
use crate::session::Session;
use crate::storage::MemoryStorage;
use crate::time::Timestamp;
use crate::{words, Origin};

fn object(text: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::InvalidArgument(format!(
            "{what} must be {}, got {}",
            words::kind("an object"),
            describe(&other)
        ))),
        Err(e) => Err(Error::InvalidArgument(format!("{what} must be JSON data: {e}"))),
    }
}

/// A clock reading from the host (`Date.now()`, `time.time() * 1000`), checked.
pub fn now(ms: f64) -> Result<Timestamp> {
    Timestamp::from_epoch_ms_f64(ms)
        .ok_or_else(|| Error::InvalidArgument(format!("the clock returned {ms}, not a time")))
}

impl Manager {
    /// A manager from the app's options as JSON text (the host's own names and units; the
    /// storage itself is the host's and stays out of the JSON).
    pub fn from_options_json(
        options: &str,
        keeping: Keeping,
        can_compare: bool,
    ) -> Result<Manager> {
        let map = object(options, "options")?;
        Ok(Manager::new(Config::from_options(&map, keeping, can_compare)?))
    }

    /// [`Manager::open`] with the loaded session as the canonical JSON a storage returned.
    pub fn open_json(
        &self,
        begin: &Begin,
        loaded: Option<&str>,
        now: Timestamp,
    ) -> Result<Managed> {
        let loaded = loaded.map(|text| Session::from_json(text, Origin::Stored)).transpose()?;
        self.open(begin, loaded.as_ref(), now)
    }

    /// [`Manager::open`] over the embedded memory storage, the loaded session read in place: no
    /// text crosses, so a request on the default storage pays no JSON for its record.
    pub fn open_in_memory(
        &self,
        begin: &Begin,
        storage: &MemoryStorage,
        now: Timestamp,
    ) -> Result<Managed> {
        let loaded = begin.id.as_deref().map(|id| storage.load(id)).transpose()?.flatten();
        self.open(begin, loaded.as_deref(), now)
    }

    /// [`Manager::commit`] with the app's values and flash values as JSON text; `None` for
    /// either means "as loaded" (the host never handed them to the app, so they cannot have
    /// changed, and neither is parsed).
    pub fn commit_json(
        &self,
        m: &Managed,
        values: Option<&str>,
        flash: Option<&str>,
        now: Timestamp,
    ) -> Result<super::Plan> {
        let values = values.map(|text| object(text, "session values")).transpose()?;
        let flash = flash.map(|text| object(text, "flash values")).transpose()?;
        self.commit(m, values, flash, now)
    }
}

impl Managed {
    /// The app's values as loaded, as JSON text.
    pub fn values_json(&self) -> String {
        Value::Object(self.values().clone()).to_string()
    }

    /// The flash values as loaded, as JSON text.
    pub fn flash_json(&self) -> String {
        Value::Object(self.flash().clone()).to_string()
    }
}
