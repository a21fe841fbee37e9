//! The native half of `SessionManager` (`js/lib/manager.js`): the core's lifecycle manager,
//! driven with JSON text. The JS layer performs the storage calls a plan names; every decision
//! is the core's.

use napi::bindgen_prelude::External;
use napi_derive::napi;
use sessionkeeper_core::manager::text::now;
use sessionkeeper_core::manager::{Begin, Keeping, Managed, Manager, Plan};

use crate::error::{OrThrow, Result};
use crate::memory::MemoryStore;

/// A manager's rules over its checked options.
#[napi]
pub struct NativeManager {
    inner: Manager,
}

/// What a commit must do, in order: store `store` (canonical session JSON; under optimistic
/// concurrency only over `expectedVersion`), delete `delete`, send `setCookie`.
#[napi(object)]
pub struct CommitPlan {
    /// The session to store, as canonical JSON.
    pub store: Option<String>,
    /// The version the stored record must still have (0: none yet), or `null`.
    pub expected_version: Option<f64>,
    /// A session id to delete.
    pub delete: Option<String>,
    /// The `Set-Cookie` value to send.
    pub set_cookie: Option<String>,
}

#[napi]
impl NativeManager {
    /// Checks `options` (JSON text, the app's names and units); `sealed` for the cookie-only
    /// storage, `canCompare` when the storage can store over an expected version.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: String, sealed: bool, can_compare: bool) -> Result<Self> {
        let keeping = if sealed { Keeping::Sealed } else { Keeping::Stored };
        let inner = Manager::from_options_json(&options, keeping, can_compare).or_throw()?;
        Ok(NativeManager { inner })
    }

    /// Reads a `Cookie` header (never throws): the request's session, still to be opened.
    #[napi(catch_unwind)]
    pub fn begin(&self, header: Option<String>) -> External<SessionState> {
        let begin = self.inner.begin(header.as_deref());
        External::new(SessionState { begin: Some(begin), managed: None, pending: None })
    }

    /// `begin` and `open` in one call over the embedded memory storage `store`: the stored
    /// session is read in place (no JSON crosses).
    #[napi(catch_unwind)]
    pub fn start_in_memory(
        &self,
        header: Option<String>,
        store: &MemoryStore,
        now_ms: f64,
    ) -> Result<External<SessionState>> {
        let begin = self.inner.begin(header.as_deref());
        let managed = self.inner.open_in_memory(&begin, &store.inner, now(now_ms).or_throw()?);
        Ok(External::new(SessionState {
            begin: None,
            managed: Some(managed.or_throw()?),
            pending: None,
        }))
    }

    /// Opens `state` with what the storage returned for its `stateLoadId` (canonical JSON or
    /// `null`).
    #[napi(catch_unwind)]
    pub fn open(
        &self,
        state: &mut External<SessionState>,
        loaded: Option<String>,
        now_ms: f64,
    ) -> Result<()> {
        let begin = state.begin.take().unwrap_or(Begin { id: None, refused: false, sealed: None });
        let managed = self.inner.open_json(&begin, loaded.as_deref(), now(now_ms).or_throw()?);
        state.managed = Some(managed.or_throw()?);
        Ok(())
    }

    /// What committing the app's `values` and `flash` (JSON text; `null`: as loaded) does;
    /// `stateCommitted` after performing it.
    #[napi(catch_unwind)]
    pub fn commit(
        &self,
        state: &mut External<SessionState>,
        values: Option<String>,
        flash: Option<String>,
        now_ms: f64,
    ) -> Result<CommitPlan> {
        let now = now(now_ms).or_throw()?;
        let (values, flash) = (values.as_deref(), flash.as_deref());
        let plan = self.inner.commit_json(state.managed()?, values, flash, now).or_throw()?;
        let out = CommitPlan {
            store: plan.store.as_ref().map(|s| s.to_json()),
            expected_version: plan.expected_version.map(|v| v as f64),
            delete: plan.delete.clone(),
            set_cookie: plan.set_cookie.clone(),
        };
        state.pending = Some(plan);
        Ok(out)
    }
}

/// One request's session as the core tracks it: an opaque handle JS passes back (a plain
/// external value, far cheaper per request than a class instance).
pub struct SessionState {
    begin: Option<Begin>,
    managed: Option<Managed>,
    pending: Option<Plan>,
}

fn not_open() -> napi::Error<crate::error::Code> {
    crate::error::to_js(&sessionkeeper_core::Error::InvalidArgument(
        "the session is not open yet".into(),
    ))
}

impl SessionState {
    // The JS layer opens every state before handing it out; an error, never a panic, if not.
    fn managed(&self) -> Result<&Managed> {
        self.managed.as_ref().ok_or_else(not_open)
    }

    fn managed_mut(&mut self) -> Result<&mut Managed> {
        self.managed.as_mut().ok_or_else(not_open)
    }
}

/// The id to load from the storage before `open`, or `null` (no cookie, a refused one, or the
/// cookie-only storage).
#[napi]
pub fn state_load_id(state: &External<SessionState>) -> Option<String> {
    state.begin.as_ref().and_then(|b| b.id.clone())
}

/// The session id.
#[napi]
pub fn state_id(state: &External<SessionState>) -> Result<String> {
    Ok(state.managed()?.id().to_owned())
}

/// Whether the session was minted by this request.
#[napi]
pub fn state_is_new(state: &External<SessionState>) -> Result<bool> {
    Ok(state.managed()?.is_new())
}

/// When the session was created, in epoch ms.
#[napi]
pub fn state_created_at(state: &External<SessionState>) -> Result<f64> {
    Ok(state.managed()?.created_at().epoch_ms() as f64)
}

/// The session's deadline in epoch ms, or `null`.
#[napi]
pub fn state_expires_at(state: &External<SessionState>) -> Result<Option<f64>> {
    Ok(state.managed()?.expires_at().map(|t| t.epoch_ms() as f64))
}

/// The app's values as loaded (JSON text).
#[napi]
pub fn state_values(state: &External<SessionState>) -> Result<String> {
    Ok(state.managed()?.values_json())
}

/// The flash values as loaded (JSON text).
#[napi]
pub fn state_flash(state: &External<SessionState>) -> Result<String> {
    Ok(state.managed()?.flash_json())
}

/// Why the request's cookie was refused (`"signature"`, `"unknown"`, `"foreign"`,
/// `"expired"`), or `null`.
#[napi]
pub fn state_refused(state: &External<SessionState>) -> Result<Option<&'static str>> {
    Ok(state.managed()?.refused().map(|r| r.as_str()))
}

/// The log line for a refused cookie (why, and a hash of the id it named), or `null`.
#[napi]
pub fn state_refusal(state: &External<SessionState>) -> Result<Option<String>> {
    Ok(state.managed()?.refusal())
}

/// Moves the session to a new id; the old record goes at the next commit.
#[napi(catch_unwind)]
pub fn state_regenerate(state: &mut External<SessionState>, now_ms: f64) -> Result<()> {
    let now = now(now_ms).or_throw()?;
    state.managed_mut()?.regenerate(now).or_throw()
}

/// Ends the session: the next commit deletes it and clears the cookie.
#[napi(catch_unwind)]
pub fn state_destroy(state: &mut External<SessionState>) -> Result<()> {
    state.managed_mut()?.destroy();
    Ok(())
}

/// Records that the last plan was performed.
#[napi(catch_unwind)]
pub fn state_committed(state: &mut External<SessionState>) {
    let state: &mut SessionState = state;
    if let (Some(plan), Some(m)) = (state.pending.take(), state.managed.as_mut()) {
        m.committed(plan);
    }
}
