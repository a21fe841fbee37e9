//! The private native module of the `sessionkeeper` npm package (`js/native.js`).
//!
//! It converts and nothing else: every rule lives in `sessionkeeper-core`. Sessions cross
//! the boundary as JSON text, the cheapest shape into V8 (ARCHITECTURE.md), and the hot paths are
//! validate-only: a function returns `null` when the text it was given is already canonical,
//! so no new string is made. Host callbacks are never called from Rust: the JS layer awaits
//! them on its own thread and hands the result to one synchronous function here.
#![deny(missing_docs)]

mod cache;
mod callback;
mod error;
mod file;
mod layout;
mod manager;
mod memory;
mod policy;
mod session;
mod text;

/// The conformance battery `sessionkeeper/testing` runs, as one JSON text (ARCHITECTURE.md, "Tests").
#[napi_derive::napi]
pub const BATTERY_VECTORS: &str = sessionkeeper_core::battery::VECTORS;
