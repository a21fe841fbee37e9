use super::*;
use serde_json::json;

fn s(id: &str, shop: &str, extra: serde_json::Value) -> Session {
    let mut v = json!({"id": id, "shop": shop});
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    Session::from_value(&v, Origin::Argument).unwrap()
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_epoch_ms(ms).unwrap()
}

#[test]
fn stores_copies_and_upserts() {
    let m = MemoryStorage::new();
    let mut a = s("a", "x.myshopify.com", json!({"accessToken": "t1"}));
    m.store(a.clone()).unwrap();
    a.access_token = Some("changed by the caller".into());
    assert_eq!(m.load("a").unwrap().unwrap().access_token.as_deref(), Some("t1"));
    m.store(a).unwrap();
    assert_eq!(
        m.load("a").unwrap().unwrap().access_token.as_deref(),
        Some("changed by the caller")
    );
    assert_eq!(m.len(), 1);
    assert!(m.load("missing").unwrap().is_none());
    assert!(m.delete("missing").unwrap(), "deleting a missing id succeeds");
    assert_eq!(m.load("").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn shop_index_follows_moves_and_deletes() {
    let m = MemoryStorage::new();
    m.store(s("a", "x", json!({}))).unwrap();
    m.store(s("b", "x", json!({}))).unwrap();
    m.store(s("c", "y", json!({}))).unwrap();
    let mut ids: Vec<String> = m.find_by_shop("x").unwrap().iter().map(|s| s.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    m.store(s("b", "y", json!({}))).unwrap();
    assert_eq!(m.find_by_shop("x").unwrap().len(), 1);
    assert_eq!(m.find_by_shop("y").unwrap().len(), 2);
    m.delete_many(&["a".into(), "b".into()]).unwrap();
    assert!(m.find_by_shop("x").unwrap().is_empty());
    assert_eq!(m.find_by_shop("y").unwrap()[0].id, "c");
    assert_eq!(m.find_by_shop("").unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(m.delete_many(&["c".into(), String::new()]).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(m.len(), 1, "a bad id in the list removes nothing");
}

#[test]
fn sweep_removes_only_unusable_sessions() {
    let m = MemoryStorage::new();
    m.store(s("old", "x", json!({"expires": 100}))).unwrap();
    m.store(s(
        "refreshable",
        "x",
        json!({"expires": 100, "refreshToken": "r", "refreshTokenExpires": 500}),
    ))
    .unwrap();
    m.store(s("forever", "x", json!({"expires": 100, "refreshToken": "r"}))).unwrap();
    m.store(s("no-expiry", "x", json!({}))).unwrap();
    m.store(s("future", "x", json!({"expires": 1000}))).unwrap();
    assert_eq!(m.sweep_ids(at(200)), ["old"]);
    assert!(m.load("old").unwrap().is_none());
    // Re-storing with a later expiry must protect the session from its old index entry.
    m.store(s("refreshable", "x", json!({"expires": 2000}))).unwrap();
    assert_eq!(m.sweep(at(1500)), 1, "only 'future' is past its time now");
    let mut left: Vec<String> = m.find_by_shop("x").unwrap().iter().map(|s| s.id.clone()).collect();
    left.sort();
    assert_eq!(left, ["forever", "no-expiry", "refreshable"]);
}

#[test]
fn an_expiry_given_or_moved_by_a_later_store_is_what_sweep_follows() {
    let m = MemoryStorage::new();
    m.store(s("later", "x", json!({}))).unwrap();
    m.store(s("later", "x", json!({"expires": 100}))).unwrap();
    assert_eq!(m.sweep_ids(at(200)), ["later"], "an expiry given by a later store counts");
    m.store(s("moved", "x", json!({"expires": 5_000}))).unwrap();
    m.store(s("moved", "x", json!({"expires": 6_000}))).unwrap();
    m.store(s("moved", "x", json!({"expires": 7_000}))).unwrap();
    assert_eq!(m.indexes().by_expiry.len(), 1, "one expiry entry per session, the current one");
    m.store(s("moved", "y", json!({}))).unwrap();
    assert!(m.indexes().by_expiry.is_empty(), "no expiry, no entry");
}

#[test]
fn sweep_cost_is_proportional_to_what_it_removes() {
    let m = MemoryStorage::new();
    for i in 0..10_000 {
        m.store(s(&format!("live{i}"), "x", json!({"expires": 1_000_000 + i}))).unwrap();
    }
    m.store(s("dead", "x", json!({"expires": 1}))).unwrap();
    // The walk stops at the first usable entry, so it visits one due entry, not 10,001.
    let due = m.indexes().by_expiry.iter().take_while(|(t, _)| *t < at(10)).count();
    assert_eq!(due, 1);
    assert_eq!(m.sweep(at(10)), 1);
    assert_eq!(m.len(), 10_000);
}

#[test]
fn concurrent_readers_and_writers_stay_consistent() {
    let m = std::sync::Arc::new(MemoryStorage::new());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let m = m.clone();
            std::thread::spawn(move || {
                for i in 0..2_000 {
                    let id = format!("s{}", i % 50);
                    let shop = format!("shop{}", (i + t) % 3);
                    m.store(s(&id, &shop, json!({}))).unwrap();
                    let got = m.load(&id).unwrap().unwrap();
                    assert_eq!(got.id, id);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let total: usize = (0..3).map(|i| m.find_by_shop(&format!("shop{i}")).unwrap().len()).sum();
    assert_eq!(total, 50, "every session is indexed under exactly its current shop");
    let ix = m.indexes();
    assert_eq!(ix.by_shop.values().map(HashSet::len).sum::<usize>(), 50);
}

#[tokio::test]
async fn implements_the_storage_trait() {
    let m = MemoryStorage::new();
    let a = s("a", "x", json!({"data": {"k": 1}}));
    assert!(SessionStorage::store(&m, &a).await.unwrap());
    assert!(SessionStorage::load(&m, "a").await.unwrap().unwrap().equals(&a));
    assert_eq!(SessionStorage::find_by_shop(&m, "x").await.unwrap().len(), 1);
    assert!(SessionStorage::delete_many(&m, &["a".into()]).await.unwrap());
    assert!(SessionStorage::load(&m, "a").await.unwrap().is_none());
    assert!(SessionStorage::delete(&m, "a").await.unwrap());
    assert_eq!(SessionStorage::delete(&m, "").await.unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(SessionStorage::load(&m, "").await.unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn a_sweep_of_1000_expired_among_a_million_visits_o_expired() {
    let m = MemoryStorage::new();
    let mut session = Session::new("x").unwrap();
    session.shop = "shop.myshopify.com".into();
    for i in 0..1_000_000_i64 {
        session.id = format!("s{i}");
        // Every 1,000th session is past its time at 10,000; the rest expire much later.
        let expired = i % 1_000 == 0;
        session.expires = Some(at(if expired { 1_000 + i / 1_000 } else { 1_000_000 + i }));
        m.store(&session).unwrap();
    }
    let mut visits = 0;
    let removed = m.sweep_visiting(at(10_000), &mut visits);
    assert_eq!(removed.len(), 1_000);
    assert!(removed.iter().all(|id| id[1..].parse::<i64>().unwrap() % 1_000 == 0));
    // Each due index entry and its record once, and the first entry still usable.
    assert_eq!(visits, 2 * 1_000 + 1, "O(expired), not O(sessions)");
    assert_eq!(m.len(), 999_000);
    let mut visits = 0;
    assert!(m.sweep_visiting(at(10_000), &mut visits).is_empty());
    assert_eq!(visits, 1, "nothing due: one look at the front of the index");
}

#[test]
fn holds_canonical_text_and_shares_ids_and_shops() {
    let m = MemoryStorage::new();
    let a = s("a", "x", json!({"accessToken": "t", "expires": 5}));
    m.store(&a).unwrap();
    assert_eq!(&*m.load_json("a").unwrap().unwrap(), a.to_json());
    assert_eq!(m.store_json(&a.to_json(), None).unwrap(), None, "canonical text is kept as given");
    let rewritten = m.store_json(r#"{"shop":"y","id":"b"}"#, None).unwrap();
    assert_eq!(rewritten.as_deref(), Some(r#"{"id":"b","shop":"y","state":"","isOnline":false}"#));
    assert_eq!(m.store_json("{}", None).unwrap_err().code(), "INVALID_ARGUMENT");
    m.store(s("c", "x", json!({}))).unwrap();
    let ix = m.indexes();
    let key = ix.by_shop.get_key_value("x").unwrap().0.clone();
    drop(ix);
    let shard = read(m.shard("c"));
    assert!(Arc::ptr_eq(shard.get("c").unwrap().shop.as_ref().unwrap(), &key), "one shop string");
}

#[test]
fn loads_share_a_bounded_set_of_parses_that_a_store_or_delete_ends() {
    use super::super::memory_parsed::PARSED_MAX;
    let m = MemoryStorage::new();
    m.store(s("a", "x.myshopify.com", json!({"state": "one"}))).unwrap();
    let first = m.load("a").unwrap().unwrap();
    let again = m.load("a").unwrap().unwrap();
    assert!(Arc::ptr_eq(&first, &again), "the same stored text is parsed once");
    m.store(s("a", "x.myshopify.com", json!({"state": "two"}))).unwrap();
    let after = m.load("a").unwrap().unwrap();
    assert_eq!(after.state, "two", "a store replaces what loads see");
    assert_eq!(first.state, "one", "a session handed out never changes");
    m.delete("a").unwrap();
    assert_eq!(m.parsed_count(), 0, "a delete drops the parse (and its tokens)");
    assert!(m.load("a").unwrap().is_none());
    for i in 0..PARSED_MAX + 500 {
        let id = format!("id-{i}");
        m.store(s(&id, "", json!({"expires": 1_000_000 + i}))).unwrap();
        m.load(&id).unwrap().unwrap();
    }
    assert_eq!(m.parsed_count(), PARSED_MAX, "only the hot set is kept parsed");
    assert_eq!(m.load("id-0").unwrap().unwrap().id, "id-0", "an evicted parse is parsed again");
    assert_eq!(m.sweep(at(10_000_000)), PARSED_MAX + 500);
    assert_eq!(m.parsed_count(), 0, "a sweep drops the parses of what it removes");
}

#[test]
fn a_patched_store_reindexes_and_a_refused_one_stores_nothing() {
    let m = MemoryStorage::new();
    let base = s("p", "one.myshopify.com", json!({"state": "a"}));
    m.store(&base).unwrap();
    let mut held = Patchable::new(base, Origin::Argument).unwrap();
    m.store_patched(&mut held, r#"{"shop":"two.myshopify.com","state":"b"}"#).unwrap();
    let moved = held.session();
    assert_eq!((moved.shop.as_str(), moved.state.as_str()), ("two.myshopify.com", "b"));
    assert!(m.find_by_shop("one.myshopify.com").unwrap().is_empty());
    assert_eq!(m.find_by_shop("two.myshopify.com").unwrap()[0].state, "b");
    assert_eq!(
        m.load_json("p").unwrap().unwrap().as_ref(),
        held.text(),
        "the patched text is stored"
    );
    let err = m.store_patched(&mut held, r#"{"state":5}"#).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert_eq!(m.load("p").unwrap().unwrap().state, "b", "a refused patch stores nothing");
    assert_eq!(held.session().state, "b", "and leaves the held session as it was");
}
