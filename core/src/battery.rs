//! The conformance battery the host kits (`sessionkeeper/testing`, `sessionkeeper.testing`) run,
//! compiled in so the installed packages carry the very `tests/vectors/` files the repository's
//! suites read (ARCHITECTURE.md, "Tests"). Behind the `battery` feature, which only the bindings
//! enable: the files live outside this crate's folder.

/// `{"battery": …, "sessions": …, "invalid": …}`: `tests/vectors/battery.json` and the two vector
/// files its cases name sessions and invalid inputs from. Data only; each host kit interprets it.
pub const VECTORS: &str = concat!(
    "{\"battery\":",
    include_str!("../../tests/vectors/battery.json"),
    ",\"sessions\":",
    include_str!("../../tests/vectors/sessions.json"),
    ",\"invalid\":",
    include_str!("../../tests/vectors/invalid.json"),
    "}"
);
