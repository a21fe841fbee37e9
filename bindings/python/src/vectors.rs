//! The conformance battery that `sessionkeeper.testing` runs, embedded so the installed wheel
//! carries the very `tests/vectors/` files the repository's suites read (ARCHITECTURE.md, "Tests").

/// `{"battery": …, "sessions": …, "invalid": …}`: `tests/vectors/battery.json` and the two vector
/// files its cases name sessions and invalid inputs from. Data only; the Python kit interprets it.
pub(crate) const BATTERY_VECTORS: &str = concat!(
    "{\"battery\":",
    include_str!("../../../tests/vectors/battery.json"),
    ",\"sessions\":",
    include_str!("../../../tests/vectors/sessions.json"),
    ",\"invalid\":",
    include_str!("../../../tests/vectors/invalid.json"),
    "}"
);
