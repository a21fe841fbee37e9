//! The lifecycle rules, driven as a host drives them: a map for a storage, a clock in ms.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::cookie::CookieOptions;
use super::keys::KeyRing;
use super::lifecycle::*;
use super::managed::{Managed, Refused};
use crate::session::Session;
use crate::time::Timestamp;

const SECRET: &str = "a-secret-of-at-least-thirty-two-bytes!!";
const MIN: i64 = 60_000;

fn manager(keeping: Keeping, concurrency: Concurrency) -> Manager {
    Manager::new(Config {
        ring: KeyRing::new(&[SECRET]).unwrap(),
        cookie: CookieOptions::default(),
        idle_timeout_ms: 30 * MIN,
        absolute_timeout_ms: 120 * MIN,
        touch_after_ms: 3 * MIN,
        concurrency,
        keeping,
    })
}

fn at(min: i64) -> Timestamp {
    Timestamp::from_epoch_ms(1_900_000_000_000 + min * MIN).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// A host: a storage map, a count of writes, and the browser's cookie.
struct Host {
    m: Manager,
    store: HashMap<String, Session>,
    writes: usize,
    cookie: Option<String>,
}

impl Host {
    fn new(keeping: Keeping) -> Self {
        Host {
            m: manager(keeping, Concurrency::LastWriteWins),
            store: HashMap::new(),
            writes: 0,
            cookie: None,
        }
    }

    fn start(&self, now: Timestamp) -> Managed {
        let header = self.cookie.as_ref().map(|c| format!("other=1; {c}"));
        let begin = self.m.begin(header.as_deref());
        let loaded = begin.id.as_ref().and_then(|id| self.store.get(id));
        self.m.open(&begin, loaded, now).unwrap()
    }

    /// Commits `values`/`flash`, performing the plan; returns the Set-Cookie sent, if any.
    fn commit(
        &mut self,
        s: &mut Managed,
        values: Value,
        flash: Value,
        now: Timestamp,
    ) -> Option<String> {
        let plan = self.m.commit(s, Some(obj(values)), Some(obj(flash)), now).unwrap();
        if let Some(session) = &plan.store {
            self.writes += 1;
            self.store.insert(session.id.clone(), session.clone());
        }
        if let Some(id) = &plan.delete {
            self.store.remove(id);
        }
        if let Some(set) = &plan.set_cookie {
            let pair = set.split(';').next().unwrap().to_owned();
            self.cookie = if pair.ends_with('=') { None } else { Some(pair) };
        }
        let sent = plan.set_cookie.clone();
        s.committed(plan);
        sent
    }
}

#[test]
fn a_new_session_nobody_wrote_to_is_never_persisted() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    assert!(s.is_new() && s.refused().is_none() && s.refusal().is_none());
    assert_eq!(h.commit(&mut s, json!({}), json!({}), at(0)), None);
    assert_eq!(h.writes, 0);
    assert!(h.store.is_empty());
}

#[test]
fn values_survive_with_the_cookie_and_touches_are_rationed() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    let set = h.commit(&mut s, json!({"user": "ada"}), json!({}), at(0)).unwrap();
    assert!(set.contains("Max-Age=1800"), "idle deadline first: {set}");
    assert_eq!(h.writes, 1);
    let id = s.id().to_owned();
    // Unchanged requests inside the touch window: no write, no cookie.
    for minute in [1, 2] {
        let mut s = h.start(at(minute));
        assert!(!s.is_new());
        assert_eq!(s.id(), id);
        assert_eq!(s.values(), &obj(json!({"user": "ada"})));
        assert_eq!(h.commit(&mut s, json!({"user": "ada"}), json!({}), at(minute)), None);
    }
    assert_eq!(h.writes, 1, "zero writes for unchanged requests inside touchAfter");
    // Past it: exactly one touch, and the cookie's Max-Age follows the moved deadline.
    let mut s = h.start(at(3));
    let set = h.commit(&mut s, json!({"user": "ada"}), json!({}), at(3)).unwrap();
    assert_eq!(h.writes, 2);
    assert!(set.contains("Max-Age=1800"));
    let mut s = h.start(at(4));
    assert_eq!(h.commit(&mut s, json!({"user": "ada"}), json!({}), at(4)), None);
    assert_eq!(h.writes, 2);
    // A changed value is written at once, by value (key order does not count).
    let mut s = h.start(at(4));
    h.commit(&mut s, json!({"user": "ada", "n": 1}), json!({}), at(4));
    assert_eq!(h.writes, 3);
    let mut s = h.start(at(4));
    let Value::Object(mut reordered) = json!({"n": 1}) else { unreachable!() };
    reordered.insert("user".into(), json!("ada"));
    assert!(h.m.commit(&s, Some(reordered), Some(Map::new()), at(4)).unwrap().store.is_none());
    // Values the host never handed out are as loaded: no write either.
    assert!(h.m.commit(&s, None, None, at(4)).unwrap().store.is_none());
    s.destroy();
}

#[test]
fn idle_and_absolute_timeouts_hold_together() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    h.commit(&mut s, json!({"a": 1}), json!({}), at(0));
    // Idle: 30 minutes after the last write the session is gone, though the store still has it.
    let s = h.start(at(30));
    assert!(s.is_new());
    assert_eq!(s.refused(), Some(Refused::Expired));
    // Kept busy, it still ends at the absolute timeout (2 h after creation).
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    h.commit(&mut s, json!({"a": 1}), json!({}), at(0));
    let id = s.id().to_owned();
    let mut last = None;
    for minute in (10..120).step_by(10) {
        let mut s = h.start(at(minute));
        assert_eq!(s.id(), id, "alive at minute {minute}");
        last = h.commit(&mut s, json!({"a": 1}), json!({}), at(minute)).or(last);
    }
    assert!(last.is_some());
    assert_eq!(
        h.store[&id].expires,
        Some(at(120)),
        "the deadline is capped by the absolute timeout"
    );
    let writes = h.writes;
    let mut s = h.start(at(115));
    assert_eq!(
        h.commit(&mut s, json!({"a": 1}), json!({}), at(115)),
        None,
        "a capped deadline does not move"
    );
    assert_eq!(h.writes, writes);
    let mut s = h.start(at(120));
    assert_eq!(s.refused(), Some(Refused::Expired));
    // The browser's stale cookie is cleared when nothing new is written.
    let set = h.commit(&mut s, json!({}), json!({}), at(120)).unwrap();
    assert!(set.contains("Max-Age=0"), "{set}");
}

#[test]
fn bad_cookies_are_never_adopted() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    h.commit(&mut s, json!({"a": 1}), json!({}), at(0));
    let good = h.cookie.clone().unwrap();
    let id = s.id().to_owned();
    let cases = [
        (good.replace(&id[..4], "AAAA"), Refused::Signature),
        (good[..good.len() - 2].to_owned(), Refused::Signature),
        (format!("sid={id}"), Refused::Signature),
        (
            format!(
                "sid={}",
                KeyRing::new(&["another-secret-of-at-least-32-bytes!!"]).unwrap().sign("sid", &id)
            ),
            Refused::Signature,
        ),
        (
            format!(
                "sid={}",
                KeyRing::new(&[SECRET]).unwrap().sign("sid", "Z".repeat(32).as_str())
            ),
            Refused::Unknown,
        ),
        ("sid=%%%; ;;".to_owned(), Refused::Signature),
    ];
    for (cookie, why) in cases {
        h.cookie = Some(cookie.clone());
        let s = h.start(at(1));
        assert!(s.is_new(), "{cookie}");
        assert_ne!(s.id(), id);
        assert_eq!(s.refused(), Some(why), "{cookie}");
        let line = s.refusal().unwrap();
        assert!(line.starts_with("session cookie refused, "), "{line}");
        // The log line names the signed id by its hash only, and a forged one not at all.
        let named = (why != Refused::Signature).then(|| crate::error::id_hash(&"Z".repeat(32)));
        assert_eq!(line.contains("(id #"), named.is_some(), "{line}");
        if let Some(hash) = named {
            assert!(line.contains(&hash) && !line.contains(&"Z".repeat(32)), "{line}");
        }
    }
    // A valid signature over an id whose record is a Shopify session: foreign, not adopted.
    let shopify = "S".repeat(32);
    let mut foreign = Session::new(shopify.clone()).unwrap();
    foreign.shop = "a.myshopify.com".into();
    h.store.insert(shopify.clone(), foreign);
    h.cookie = Some(format!("sid={}", KeyRing::new(&[SECRET]).unwrap().sign("sid", &shopify)));
    assert_eq!(h.start(at(1)).refused(), Some(Refused::Foreign));
}

#[test]
fn regenerate_moves_the_id_and_destroy_clears() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    h.commit(&mut s, json!({"cart": 1}), json!({}), at(0));
    let old = s.id().to_owned();
    let old_cookie = h.cookie.clone();
    let mut s = h.start(at(1));
    s.regenerate(at(1)).unwrap();
    assert_ne!(s.id(), old);
    assert!(h.commit(&mut s, json!({"cart": 1, "user": "ada"}), json!({}), at(1)).is_some());
    assert!(!h.store.contains_key(&old), "the old id is unloadable after the commit");
    h.cookie = old_cookie;
    assert_eq!(h.start(at(2)).refused(), Some(Refused::Unknown));
    h.cookie = Some(format!("sid={}", KeyRing::new(&[SECRET]).unwrap().sign("sid", s.id())));
    let mut s = h.start(at(2));
    assert_eq!(s.values()["user"], "ada");
    s.destroy();
    let set = h.commit(&mut s, json!({"user": "ada"}), json!({}), at(2)).unwrap();
    assert!(set.starts_with("sid=;") && set.contains("Max-Age=0"), "{set}");
    assert!(h.store.is_empty());
}

#[test]
fn flash_values_are_read_once() {
    let mut h = Host::new(Keeping::Stored);
    let mut s = h.start(at(0));
    h.commit(&mut s, json!({"u": 1}), json!({"notice": "saved"}), at(0));
    let mut s = h.start(at(1));
    assert_eq!(s.flash()["notice"], "saved");
    // The app took it: committing without it is a change.
    h.commit(&mut s, json!({"u": 1}), json!({}), at(1));
    assert_eq!(h.writes, 2);
    assert!(h.start(at(2)).flash().is_empty());
}

#[test]
fn optimistic_commits_carry_the_version_they_read() {
    let m = manager(Keeping::Stored, Concurrency::Optimistic);
    let begin = m.begin(None);
    let mut s = m.open(&begin, None, at(0)).unwrap();
    let plan = m.commit(&s, Some(obj(json!({"a": 1}))), None, at(0)).unwrap();
    assert_eq!(plan.expected_version, Some(0), "a new record must not exist yet");
    let stored = plan.store.clone().unwrap();
    s.committed(plan);
    let cookie = format!("sid={}", m.config().ring.sign("sid", s.id()));
    let begin = m.begin(Some(&cookie));
    let s = m.open(&begin, Some(&stored), at(1)).unwrap();
    let plan = m.commit(&s, Some(obj(json!({"a": 2}))), None, at(1)).unwrap();
    assert_eq!(plan.expected_version, Some(1));
    assert!(manager(Keeping::Stored, Concurrency::LastWriteWins)
        .commit(&s, Some(obj(json!({"a": 2}))), None, at(1))
        .unwrap()
        .expected_version
        .is_none());
}

#[test]
fn cookie_only_records_are_sealed_in_the_cookie() {
    let mut h = Host::new(Keeping::Sealed);
    let mut s = h.start(at(0));
    let set = h.commit(&mut s, json!({"user": "ada"}), json!({}), at(0)).unwrap();
    assert!(!set.contains("ada"), "sealed, not signed: {set}");
    assert!(h.store.is_empty(), "no server state");
    let s2 = h.start(at(1));
    assert!(!s2.is_new());
    assert_eq!(s2.values()["user"], "ada");
    // Tampered: refused, fresh.
    let c = h.cookie.clone().unwrap();
    let middle = c.len() / 2;
    let flipped = if &c[middle..=middle] == "A" { "B" } else { "A" };
    h.cookie = Some(format!("{}{flipped}{}", &c[..middle], &c[middle + 1..]));
    assert_eq!(h.start(at(1)).refused(), Some(Refused::Signature));
    // Too large: COOKIE_TOO_LARGE and nothing to send.
    let big = json!({"blob": "x".repeat(4000)});
    let err = h.m.commit(&s2, Some(obj(big)), None, at(1)).unwrap_err();
    assert_eq!(err.code(), "COOKIE_TOO_LARGE");
}

#[test]
fn the_reserved_key_and_unsafe_numbers_are_refused() {
    let h = Host::new(Keeping::Stored);
    let s = h.start(at(0));
    let err = h.m.commit(&s, Some(obj(json!({"__sessionkeeper": 1}))), None, at(0)).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let err =
        h.m.commit(&s, Some(obj(json!({"n": 9_007_199_254_740_993_u64}))), None, at(0))
            .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}
