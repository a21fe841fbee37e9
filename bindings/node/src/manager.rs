//! The native half of `SessionManager` (`js/lib/manager.js`): the core's lifecycle manager,
//! driven with JSON text. The JS layer performs the storage calls a plan names; every decision
//! is the core's.

use std::sync::Arc;

use napi_derive::napi;
use sessionkeeper_core::manager::text::now;
use sessionkeeper_core::manager::{Begin, Keeping, Managed, Manager, Plan};

use crate::error::{OrThrow, Result};

/// A manager's rules over its checked options.
#[napi]
pub struct NativeManager {
    inner: Arc<Manager>,
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
        Ok(NativeManager { inner: Arc::new(inner) })
    }

    /// Reads a `Cookie` header (never throws): the request's session, still to be opened.
    #[napi(catch_unwind)]
    pub fn begin(&self, header: Option<String>) -> SessionState {
        let begin = self.inner.begin(header.as_deref());
        SessionState {
            manager: self.inner.clone(),
            begin: Some(begin),
            managed: None,
            pending: None,
        }
    }
}

/// One request's session as the core tracks it.
#[napi]
pub struct SessionState {
    manager: Arc<Manager>,
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

#[napi]
impl SessionState {
    /// The id to load from the storage before `open`, or `null` (no cookie, a refused one, or
    /// the cookie-only storage).
    #[napi(getter)]
    pub fn load_id(&self) -> Option<String> {
        self.begin.as_ref().and_then(|b| b.id.clone())
    }

    /// Opens the session with what the storage returned for `loadId` (canonical JSON or `null`).
    #[napi(catch_unwind)]
    pub fn open(&mut self, loaded: Option<String>, now_ms: f64) -> Result<()> {
        let begin = self.begin.take().unwrap_or(Begin { id: None, refused: false, sealed: None });
        let managed = self.manager.open_json(&begin, loaded.as_deref(), now(now_ms).or_throw()?);
        self.managed = Some(managed.or_throw()?);
        Ok(())
    }

    /// The session id.
    #[napi(getter)]
    pub fn id(&self) -> Result<String> {
        Ok(self.managed()?.id().to_owned())
    }

    /// Whether the session was minted by this request.
    #[napi(getter)]
    pub fn is_new(&self) -> Result<bool> {
        Ok(self.managed()?.is_new())
    }

    /// When the session was created, in epoch ms.
    #[napi(getter)]
    pub fn created_at(&self) -> Result<f64> {
        Ok(self.managed()?.created_at().epoch_ms() as f64)
    }

    /// The session's deadline in epoch ms, or `null`.
    #[napi(getter)]
    pub fn expires_at(&self) -> Result<Option<f64>> {
        Ok(self.managed()?.expires_at().map(|t| t.epoch_ms() as f64))
    }

    /// The app's values as loaded (JSON text).
    #[napi(getter)]
    pub fn values(&self) -> Result<String> {
        Ok(self.managed()?.values_json())
    }

    /// The flash values as loaded (JSON text).
    #[napi(getter)]
    pub fn flash(&self) -> Result<String> {
        Ok(self.managed()?.flash_json())
    }

    /// Why the request's cookie was refused (`"signature"`, `"unknown"`, `"foreign"`,
    /// `"expired"`), or `null`.
    #[napi(getter)]
    pub fn refused(&self) -> Result<Option<&'static str>> {
        Ok(self.managed()?.refused().map(|r| r.as_str()))
    }

    /// The log line for a refused cookie (why, and a hash of the id it named), or `null`.
    #[napi(getter)]
    pub fn refusal(&self) -> Result<Option<String>> {
        Ok(self.managed()?.refusal())
    }

    /// Moves the session to a new id; the old record goes at the next commit.
    #[napi(catch_unwind)]
    pub fn regenerate(&mut self, now_ms: f64) -> Result<()> {
        let now = now(now_ms).or_throw()?;
        self.managed_mut()?.regenerate(now).or_throw()
    }

    /// Ends the session: the next commit deletes it and clears the cookie.
    #[napi(catch_unwind)]
    pub fn destroy(&mut self) -> Result<()> {
        self.managed_mut()?.destroy();
        Ok(())
    }

    /// What committing the app's `values` and `flash` (JSON text) does; `committed()` after
    /// performing it.
    #[napi(catch_unwind)]
    pub fn commit(&mut self, values: String, flash: String, now_ms: f64) -> Result<CommitPlan> {
        let plan = self
            .manager
            .commit_json(self.managed()?, &values, &flash, now(now_ms).or_throw()?)
            .or_throw()?;
        let out = CommitPlan {
            store: plan.store.as_ref().map(|s| s.to_json()),
            expected_version: plan.expected_version.map(|v| v as f64),
            delete: plan.delete.clone(),
            set_cookie: plan.set_cookie.clone(),
        };
        self.pending = Some(plan);
        Ok(out)
    }

    /// Records that the last plan was performed.
    #[napi(catch_unwind)]
    pub fn committed(&mut self) {
        if let (Some(plan), Some(m)) = (self.pending.take(), self.managed.as_mut()) {
            m.committed(plan);
        }
    }
}
