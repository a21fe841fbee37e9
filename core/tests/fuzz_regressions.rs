//! The fuzz targets' checks (`fuzz/checks.rs`) over the committed inputs: the small seed corpora
//! in `fuzz/seeds/<target>/` and every input a fuzzer once crashed on, kept in
//! `fuzz/regressions/<target>/` after its fix. `cargo test` runs these without nightly.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(fuzz.join(kind).join(target)) else { continue };
        for entry in dir {
            let path = entry.unwrap().path();
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn run(target: &str, check: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no committed inputs for the fuzz target {target}");
    for (path, data) in inputs {
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz input {path} fails its check again");
        }
    }
}

#[test]
fn session_json_inputs() {
    run("session_json", checks::session_json);
}

#[test]
fn cookie_inputs() {
    run("cookie", checks::cookie);
}

#[test]
fn layout_inputs() {
    run("layout", checks::layout);
}
