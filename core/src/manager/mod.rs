//! The lifecycle manager: cookie-bound sessions with app data, timeouts, signing, touch,
//! regeneration and destruction, sans-IO (ARCHITECTURE.md, "Lifecycle manager").

pub mod cookie;
pub mod keys;
