//! sessionkeeper-core: the session engine behind the `sessionkeeper` npm and pip packages.
//!
//! It owns every rule: the session model and its canonical JSON, Shopify's property arrays and
//! scope semantics, validation of whatever a store hands back, and the storages (memory, file,
//! and the sans-IO engine behind `CustomSessionStorage` that host bindings drive on their own
//! event loops). Bindings convert values and perform I/O; they decide nothing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "battery")]
pub mod battery;
pub mod error;
pub mod host;
pub mod ids;
pub mod json;
pub mod layout;
pub mod layout_expiry;
pub mod layout_postgres;
pub mod layout_removal;
pub mod manager;
pub mod plan;
pub mod scopes;
pub mod session;
pub mod storage;
pub mod time;
pub mod words;

pub use error::{Error, Origin, Result, ERROR_CODES};
pub use scopes::AuthScopes;
pub use session::{Canonical, OnlineAccessInfo, Patchable, PropertyArrayMode, Session};
pub use time::Timestamp;
