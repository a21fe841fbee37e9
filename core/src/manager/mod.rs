//! The lifecycle manager: cookie-bound sessions with app data, timeouts, signing, touch,
//! regeneration and destruction, sans-IO (ARCHITECTURE.md, "Lifecycle manager").

pub mod cookie;
pub mod keys;
pub mod lifecycle;
pub mod managed;
pub mod options;
pub mod record;
pub mod text;

pub use lifecycle::{Begin, Concurrency, Config, Keeping, Manager};
pub use managed::{Managed, Plan, Refused};

#[cfg(test)]
mod lifecycle_tests;
