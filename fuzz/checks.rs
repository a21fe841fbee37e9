//! What the fuzz targets check, one function per target. The fuzz crate's targets call these on
//! libFuzzer's inputs; `core/tests/fuzz_regressions.rs` calls them on the committed seeds and
//! regression inputs, so a fixed crash stays fixed under `cargo test`.

#![allow(dead_code)]

use std::sync::OnceLock;

use sessionkeeper_core::layout::{PostgresLayout, RedisLayout};
use sessionkeeper_core::manager::keys::KeyRing;
use sessionkeeper_core::manager::{Config, Keeping, Manager};
use sessionkeeper_core::plan::{Outcome, RedisNext, Reply};
use sessionkeeper_core::{json, Origin, Session};

/// The session JSON reader: `Session::from_json` tries the typed fast path first and falls back
/// to the general reader; both must agree on every text (same session, or both refuse), and a
/// session read must survive its own canonical JSON unchanged.
pub fn session_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let either = Session::from_json(text, Origin::Stored);
    let general = json::parse_text(text, "session text", Origin::Stored)
        .and_then(|v| Session::from_value(&v, Origin::Stored));
    match (&either, &general) {
        (Ok(a), Ok(b)) => assert_eq!(a.to_json(), b.to_json(), "fast and general readers differ"),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
        _ => panic!("one reader accepts what the other refuses: {either:?} vs {general:?}"),
    }
    if let Ok(s) = either {
        let canonical = s.to_json();
        let again = Session::from_json(&canonical, Origin::Stored).expect("canonical JSON reads");
        assert_eq!(again.to_json(), canonical, "canonical JSON is not a fixed point");
    }
}

const SECRET: &str = "fuzz-secret-of-at-least-thirty-two-bytes";

fn manager(keeping: Keeping) -> Manager {
    let options = serde_json::json!({"secrets": [SECRET]});
    Manager::new(Config::from_options(options.as_object().unwrap(), keeping, true).unwrap())
}

/// The `Cookie` header as an attacker sends it: parsing, signature verification and unsealing
/// must never panic, never accept a value the ring did not sign or seal, and always accept what
/// it did (the input also serves as the id and plaintext of a round trip).
pub fn cookie(data: &[u8]) {
    static MANAGERS: OnceLock<(Manager, Manager, KeyRing)> = OnceLock::new();
    let (stored, sealed, ring) = MANAGERS.get_or_init(|| {
        (manager(Keeping::Stored), manager(Keeping::Sealed), KeyRing::new(&[SECRET]).unwrap())
    });
    let Ok(header) = std::str::from_utf8(data) else { return };
    let begin = stored.begin(Some(header));
    if let Some(id) = &begin.id {
        // Accepted only if the header carries our signature over exactly this id.
        let signed = ring.sign("sid", id);
        assert!(header.contains(&signed[id.len()..]), "accepted an unsigned id {id:?}");
    }
    let _ = sealed.begin(Some(header));
    let _ = ring.unseal("sid", header);
    // Round trips of the input itself.
    assert_eq!(ring.verify("sid", &ring.sign("sid", header)), Some(header));
    let value = ring.seal("sid", data).unwrap();
    assert_eq!(ring.unseal("sid", &value).as_deref(), Some(data));
    assert_eq!(ring.unseal("other", &value), None);
}

const SHOP: &str = "fuzz.myshopify.com";

/// Replies cut from the input: one per command, each a `\x00`-separated piece; its first byte
/// picks nil, an integer, a bulk string or an array of bulk strings (split on `\x01`).
fn replies<'d>(pieces: &mut impl Iterator<Item = &'d [u8]>, n: usize) -> Vec<Reply> {
    (0..n)
        .map(|_| match pieces.next() {
            None | Some([]) => Reply::Nil,
            Some([b'i', rest @ ..]) => {
                Reply::Int(std::str::from_utf8(rest).ok().and_then(|t| t.parse().ok()).unwrap_or(0))
            }
            Some([b'a', rest @ ..]) => {
                Reply::Array(rest.split(|&b| b == 1).map(|m| Reply::Bulk(m.to_vec())).collect())
            }
            Some([_, rest @ ..]) => Reply::Bulk(rest.to_vec()),
        })
        .collect()
}

fn check(outcome: &Outcome) {
    if let Outcome::Found(found) = outcome {
        for (s, _) in &found.sessions {
            assert_eq!(s.shop, SHOP, "a find returned another shop's session");
        }
    }
}

/// The Redis and PostgreSQL layout readers: a find's plan fed whatever a (broken or hostile)
/// server could reply, step after step, and PostgreSQL rows of any text. Nothing may panic, and
/// every session a find returns must belong to the shop asked for.
pub fn layout(data: &[u8]) {
    let redis = RedisLayout::new(Some("fz")).unwrap();
    let mut pieces = data.split(|&b| b == 0);
    let mut step = redis.find_by_shop(SHOP).unwrap();
    for _ in 0..8 {
        let n: usize = step.phases().iter().map(Vec::len).sum();
        match step.next(replies(&mut pieces, n)) {
            Ok(RedisNext::Send(next)) => step = next,
            Ok(RedisNext::Done(outcome)) => {
                check(&outcome);
                break;
            }
            Err(_) => break,
        }
    }
    let postgres = PostgresLayout::new(Some("fz")).unwrap();
    let rows = data.split(|&b| b == 0).map(|r| String::from_utf8_lossy(r).into_owned()).collect();
    check(&postgres.find_by_shop(SHOP).unwrap().next(rows));
}
