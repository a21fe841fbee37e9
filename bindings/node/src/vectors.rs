//! The conformance battery that `sessionkeeper/testing` runs, embedded so the installed package
//! carries the very `tests/vectors/` files the repository's suites read (ARCHITECTURE.md, "Tests").

use napi_derive::napi;

/// `{"battery": …, "sessions": …, "invalid": …}`: `tests/vectors/battery.json` and the two vector
/// files its cases name sessions and invalid inputs from. Data only; the JS kit interprets it.
#[napi]
pub const BATTERY_VECTORS: &str = concat!(
    "{\"battery\":",
    include_str!("../../../tests/vectors/battery.json"),
    ",\"sessions\":",
    include_str!("../../../tests/vectors/sessions.json"),
    ",\"invalid\":",
    include_str!("../../../tests/vectors/invalid.json"),
    "}"
);
