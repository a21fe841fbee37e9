//! `tests/vectors/cache.json` through the core's cache, the way a host drives it.

use std::collections::HashMap;

use serde_json::Value;
use sessionkeeper_core::storage::cache::{Cache, CacheConfig};

fn option(config: &Value, name: &str) -> Option<f64> {
    config.get(name).and_then(Value::as_f64)
}

fn config(c: &Value) -> sessionkeeper_core::Result<CacheConfig> {
    CacheConfig::from_options(
        option(c, "maxEntries"),
        option(c, "maxBytes"),
        option(c, "maxStalenessMs"),
    )
}

#[test]
fn cache_decisions() {
    let v = super::load("cache.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut cache: Cache<String> = Cache::new(config(&case["config"]).unwrap());
        let mut tickets = HashMap::new();
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let at = step["at"].as_i64().unwrap_or(0);
            let expect = step["expect"].as_bool();
            if let Some(session) = step.get("admit") {
                let text = serde_json::to_string(session).unwrap();
                let id = session["id"].as_str().unwrap();
                let ticket = match step["ticket"].as_str() {
                    Some(t) => tickets[t],
                    None => cache.ticket(),
                };
                let admitted = cache.admit_text(id, &text, text.clone(), ticket, at);
                assert_eq!(Some(admitted), expect, "{name} step {i}");
            } else if let Some(id) = step["get"].as_str() {
                let hit = cache.get(id, at).cloned();
                assert_eq!(Some(hit.is_some()), expect, "{name} step {i}");
                if let Some(text) = hit {
                    assert!(text.contains(&format!("\"id\":\"{id}\"")), "{name} step {i}");
                }
            } else if let Some(id) = step["invalidate"].as_str() {
                cache.invalidate(id);
            } else if let Some(t) = step["begin"].as_str() {
                tickets.insert(t.to_owned(), cache.ticket());
            } else if let Some(size) = step.get("size") {
                assert_eq!(
                    cache.len() as u64,
                    size["entries"].as_u64().unwrap(),
                    "{name} step {i}"
                );
                assert_eq!(
                    cache.bytes() as u64,
                    size["bytes"].as_u64().unwrap(),
                    "{name} step {i}"
                );
            } else {
                panic!("{name}: unknown step {step}");
            }
        }
    }
}

#[test]
fn cache_options_refused() {
    let v = super::load("cache.json");
    for case in v["invalid"].as_array().unwrap() {
        let e = config(&case["options"]).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        assert!(e.to_string().contains(case["field"].as_str().unwrap()), "{e}");
    }
    let defaults = config(&Value::Null).unwrap();
    assert_eq!(defaults, CacheConfig::default());
}
