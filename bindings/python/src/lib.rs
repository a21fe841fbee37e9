//! `sessionkeeper._native`: the pyo3 binding behind the `sessionkeeper` pip package.
//!
//! It converts between Python values and the core's types and decides nothing itself: every
//! rule (what a session is, what a callback result means, which error and which message) comes
//! from `sessionkeeper-core`. The public API lives in the pure-Python package, which awaits the
//! app's callbacks on its own event loop and hands each result to one function of this module.

mod arguments;
mod cache;
mod callback;
mod convert;
mod error;
mod layout;
mod manager;
mod objects;
mod policy;
mod session;
mod stores;
mod views;

use pyo3::prelude::*;

/// The native half of sessionkeeper. Import from `sessionkeeper` instead: this module is private.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Messages name `access_token`, `None`, `find_sessions_by_shop`: the core words them.
    sessionkeeper_core::words::set_language(sessionkeeper_core::words::Language::Python);
    m.add_class::<session::PySession>()?;
    m.add_class::<stores::MemoryStore>()?;
    m.add_class::<cache::NativeCache>()?;
    m.add_class::<stores::FileStore>()?;
    m.add_class::<manager::NativeManager>()?;
    m.add_class::<manager::SessionState>()?;
    m.add("ERROR_CODES", sessionkeeper_core::ERROR_CODES.to_vec())?;
    // The core's field table, `(js, python, kind)` in canonical order, for tests and tools.
    let fields = sessionkeeper_core::host::FIELDS.iter().map(|f| (f.js, f.python, f.kind.name()));
    m.add("SESSION_FIELDS", fields.collect::<Vec<_>>())?;
    m.add("BATTERY_VECTORS", sessionkeeper_core::battery::VECTORS)?;
    callback::register(m)?;
    layout::register(m)?;
    Ok(())
}
