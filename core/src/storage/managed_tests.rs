//! What the lifecycle manager needs from the embedded storages: no shop index for shop-less
//! sessions, compare-and-store, and a sweep of expired files.

use std::sync::{Arc, Barrier};

use serde_json::json;

use super::file::FileStorage;
use super::memory::MemoryStorage;
use crate::manager::record::Record;
use crate::session::Session;
use crate::time::Timestamp;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_epoch_ms(ms).unwrap()
}

fn managed(id: &str, version: u64, expires: i64) -> Session {
    Record {
        id: id.into(),
        created_at: at(0),
        written_at: at(0),
        expires_at: Some(at(expires)),
        version,
        values: json!({"v": version}).as_object().unwrap().clone(),
        flash: Default::default(),
    }
    .to_session()
}

#[test]
fn shopless_sessions_leave_no_index_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let files = FileStorage::open(tmp.path()).unwrap();
    files.store(&managed("a", 1, 10)).unwrap();
    let shops = tmp.path().join("shops");
    let entries = std::fs::read_dir(&shops).map(|d| d.count()).unwrap_or(0);
    assert_eq!(entries, 0, "no index folder for the empty shop");
    files.delete("a").unwrap();

    let memory = MemoryStorage::new();
    memory.store(managed("a", 1, 10)).unwrap();
    assert!(memory.indexed_shops() == 0);
    let mut with_shop = managed("a", 2, 10);
    with_shop.shop = "x.myshopify.com".into();
    memory.store(with_shop).unwrap();
    assert_eq!(memory.find_by_shop("x.myshopify.com").unwrap().len(), 1);
    memory.store(managed("a", 3, 10)).unwrap();
    assert!(memory.find_by_shop("x.myshopify.com").unwrap().is_empty());
    assert!(memory.indexed_shops() == 0);
}

#[test]
fn compare_and_store_lets_exactly_one_of_two_writers_win() {
    let tmp = tempfile::tempdir().unwrap();
    let files = FileStorage::open(tmp.path()).unwrap();
    let memory = Arc::new(MemoryStorage::new());
    files.store_if_version(&managed("a", 1, 10), 0).unwrap();
    memory.store_if_version(managed("a", 1, 10), 0).unwrap();
    assert_eq!(files.store_if_version(&managed("a", 1, 10), 0).unwrap_err().code(), "CONFLICT");
    assert_eq!(memory.store_if_version(managed("a", 1, 10), 0).unwrap_err().code(), "CONFLICT");
    for round in 0..20u64 {
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<(bool, bool)> = (0..2)
            .map(|_| {
                let (files, memory, barrier) = (files.clone(), memory.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let f = files.store_if_version(&managed("a", round + 2, 10), round + 1);
                    let m = memory.store_if_version(managed("a", round + 2, 10), round + 1);
                    (f.is_ok(), m.is_ok())
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        assert_eq!(results.iter().filter(|r| r.0).count(), 1, "file, round {round}");
        assert_eq!(results.iter().filter(|r| r.1).count(), 1, "memory, round {round}");
    }
    let stored = files.load("a").unwrap().unwrap();
    assert_eq!(Record::from_session(&stored).unwrap().version, 21);
}

#[test]
fn file_sweep_removes_what_can_no_longer_be_used() {
    let tmp = tempfile::tempdir().unwrap();
    let files = FileStorage::open(tmp.path()).unwrap();
    files.store(&managed("old", 1, 1_000)).unwrap();
    files.store(&managed("new", 1, 5_000)).unwrap();
    files.store(&Session::new("forever").unwrap()).unwrap();
    std::fs::write(tmp.path().join("sessions").join(".tmp-1-x"), "{").unwrap();
    std::fs::write(tmp.path().join("sessions").join("x6272.json"), "not json").unwrap();
    assert_eq!(files.sweep(at(2_000)).unwrap(), 1);
    assert!(files.load("old").unwrap().is_none());
    assert!(files.load("new").unwrap().is_some() && files.load("forever").unwrap().is_some());
    assert_eq!(files.sweep(at(2_000)).unwrap(), 0);
    assert_eq!(files.sweep(at(6_000)).unwrap(), 1);
    assert!(tmp.path().join("sessions").join(".tmp-1-x").exists(), "temp files are not sessions");
}
