//! Issue 12's security rules as tests that fail when a change breaks one: signature checks in
//! constant time, secrets never in a message or a `Debug` text, the cookie prefix rules, and
//! the entropy of minted ids.

use std::collections::HashSet;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sessionkeeper_core::ids::random_id;
use sessionkeeper_core::manager::keys::KeyRing;
use sessionkeeper_core::manager::{Config, Keeping, Manager};
use sessionkeeper_core::words::Language;

/// The core's source files, for the rules a compiled test cannot see (how a comparison is made).
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.to_string_lossy().ends_with("tests.rs")
            {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// The lines of `text` that are code: comments dropped, and the test module (which may compare
/// whole cookie values with `assert_eq!`) cut off.
fn code_lines(text: &str) -> Vec<&str> {
    let text = text.split("#[cfg(test)]").next().unwrap();
    text.lines().map(|l| l.split("//").next().unwrap()).filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn signatures_are_checked_in_constant_time_only() {
    let keys = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/manager/keys.rs"))
        .unwrap();
    let code = code_lines(&keys);
    let verify = code.iter().position(|l| l.contains("pub fn verify")).expect("KeyRing::verify");
    let body: Vec<_> = code[verify..].iter().take_while(|l| !l.starts_with("    }")).collect();
    assert!(
        body.iter().any(|l| l.contains(".verify_slice(")),
        "KeyRing::verify must compare through Mac::verify_slice"
    );
    // A `==`/`!=` may compare lengths (public), never the bytes of a tag or signature.
    for (path, text) in sources() {
        for line in code_lines(&text) {
            let lower = line.to_ascii_lowercase();
            let compares = lower.contains("==") || lower.contains("!=") || lower.contains(".eq(");
            let on_secret =
                ["tag", "signature", "mac", "digest", "hmac"].iter().any(|w| lower.contains(w));
            let on_length = lower.contains(".len()");
            assert!(
                !(compares && on_secret && !on_length),
                "{path}: a signature compared with `==` (use verify_slice or subtle): {line}"
            );
            assert!(!line.contains(".finalize() =="), "{path}: {line}");
            assert!(!line.contains("into_bytes() =="), "{path}: {line}");
        }
    }
}

/// Options built to fail, each echoing some part of itself (a key, a cookie name, a value) in
/// its message, none of which may be the secret.
fn bad_options(secret: &str, short: &str) -> Vec<Value> {
    vec![
        json!({"secrets": [secret], "bogus": secret.len()}),
        json!({"secrets": [secret, short]}),
        json!({"secrets": [short, secret]}),
        json!({"secrets": [secret, 7]}),
        json!({"secrets": secret}),
        json!({"secrets": [secret], "cookie": {"name": "bad name"}}),
        json!({"secrets": [secret], "cookie": {"sameSite": "sideways"}}),
        json!({"secrets": [secret], "cookie": {"name": "__Host-x", "domain": "a.com"}}),
        json!({"secrets": [secret], "idleTimeoutMs": -1}),
        json!({"secrets": [secret], "idleTimeoutMs": 10, "touchAfterMs": 20}),
        json!({"secrets": [secret], "concurrency": "maybe"}),
    ]
}

fn config(options: &Value, keeping: Keeping) -> sessionkeeper_core::Result<Config> {
    let map: &Map<String, Value> = options.as_object().unwrap();
    Config::from_options_in(Language::JavaScript, map, keeping, true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn secrets_never_appear_in_messages_or_debug(
        secret in "[A-Za-z0-9!#%&*+,./:;<>?@^_~-]{32,80}",
        short in "[A-Za-z0-9]{12,31}",
    ) {
        for options in bad_options(&secret, &short) {
            let err = config(&options, Keeping::Stored).expect_err("built to fail");
            prop_assert_eq!(err.code(), "INVALID_ARGUMENT");
            for text in [err.message().to_owned(), format!("{err:?}"), err.to_string()] {
                prop_assert!(!text.contains(&secret), "secret in {}", text);
                prop_assert!(!text.contains(&short), "short secret in {}", text);
            }
        }
        for keeping in [Keeping::Stored, Keeping::Sealed] {
            let c = config(&json!({"secrets": [secret.clone(), secret.clone()]}), keeping).unwrap();
            let config_shown = format!("{c:?}");
            let shown = format!("{config_shown} {:?}", Manager::new(c));
            prop_assert!(!shown.contains(&secret), "{}", shown);
        }
        let ring = KeyRing::new(&[&secret]).unwrap();
        let shown = format!("{ring:?}");
        prop_assert!(!shown.contains(&secret));
    }
}

fn prefix_error(cookie: Value) -> String {
    let err = config(&json!({"secrets": ["s".repeat(32)], "cookie": cookie}), Keeping::Stored)
        .expect_err("a prefix rule is broken");
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    err.message().to_owned()
}

#[test]
fn cookie_prefix_rules_are_invalid_arguments() {
    let secrets = json!(["s".repeat(32)]);
    for good in [
        json!({"name": "__Host-sid"}),
        json!({"name": "__Host-sid", "path": "/", "secure": true}),
        json!({"name": "__Secure-sid", "domain": "a.com", "path": "/app"}),
    ] {
        config(&json!({"secrets": secrets, "cookie": good}), Keeping::Stored).unwrap();
    }
    assert!(prefix_error(json!({"name": "__Host-sid", "secure": false})).contains("secure"));
    assert!(prefix_error(json!({"name": "__Host-sid", "domain": "a.com"})).contains("domain"));
    assert!(prefix_error(json!({"name": "__Host-sid", "path": "/app"})).contains("path"));
    assert!(prefix_error(json!({"name": "__host-sid", "path": "/app"})).contains("path"));
    assert!(prefix_error(json!({"name": "__Secure-sid", "secure": false})).contains("secure"));
    assert!(prefix_error(json!({"name": "__SECURE-sid", "secure": false})).contains("secure"));
}

#[test]
fn minted_ids_carry_at_least_128_bits() {
    const N: usize = 100_000;
    let mut seen = HashSet::with_capacity(N);
    let mut counts = [0usize; 64];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for _ in 0..N {
        let id = random_id().unwrap();
        assert_eq!(id.len(), 32, "{id}");
        for b in id.bytes() {
            counts[alphabet.iter().position(|&a| a == b).expect("base64url only")] += 1;
        }
        assert!(seen.insert(id), "a duplicate id in {N}");
    }
    // 32 characters of 64 symbols are 192 bits only if every symbol is used evenly: each of the
    // 3.2M characters is a 1/64 draw, so a symbol count off by 10 % is over 20 sigma away.
    let expected = (N * 32 / 64) as f64;
    for (i, &c) in counts.iter().enumerate() {
        let off = (c as f64 - expected).abs() / expected;
        assert!(off < 0.1, "symbol {} drawn {c} times, expected about {expected}", alphabet[i]);
    }
}
