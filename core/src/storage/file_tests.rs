use super::*;
use crate::time::Timestamp;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

fn s(id: &str, shop: &str) -> Session {
    Session::from_value(&json!({"id": id, "shop": shop, "accessToken": "t"}), Origin::Argument)
        .unwrap()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn hostile_ids_stay_inside_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let st = FileStorage::open(&root).unwrap();
    let long = "é".repeat(512);
    let ids = ["../../x", "/etc/passwd", ".", "..", "a\0b", "CON", "A", "a", long.as_str()];
    for id in ids {
        st.store(&s(id, "shop")).unwrap();
    }
    for id in ids {
        assert_eq!(st.load(id).unwrap().unwrap().id, id, "{id:?}");
    }
    assert_eq!(
        st.find_by_shop("shop").unwrap().len(),
        ids.len(),
        "'A' and 'a' are distinct sessions"
    );
    for f in files_under(tmp.path()) {
        assert!(f.starts_with(&root), "{f:?} escaped");
    }
    assert!(!tmp.path().join("x").exists());
    assert!(file_name(&long).starts_with('h') && file_name(&long).len() == 65);
    assert_eq!(file_name("a/b"), "x612f62");
}

#[test]
fn modes_are_private() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("new").join("dir");
    let st = FileStorage::open(&root).unwrap();
    st.store(&s("a", "shop")).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&root), 0o700);
    assert_eq!(mode(&st.session_path(&file_name("a"))), 0o600);
}

#[test]
fn find_by_shop_survives_a_restart_and_shop_moves() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let st = FileStorage::open(tmp.path()).unwrap();
        st.store(&s("a", "x")).unwrap();
        st.store(&s("b", "x")).unwrap();
        st.store(&s("b", "y")).unwrap();
    }
    let st = FileStorage::open(tmp.path()).unwrap();
    let ids = |shop| st.find_by_shop(shop).unwrap().into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids("x"), ["a"]);
    assert_eq!(ids("y"), ["b"]);
    assert!(st.delete("a").unwrap() && st.delete("a").unwrap());
    assert!(ids("x").is_empty());
    assert!(st.find_by_shop("nobody").unwrap().is_empty());
}

#[test]
fn stale_index_entries_are_skipped_and_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    st.store(&s("a", "x")).unwrap();
    // What a crash between "index" and "data" leaves: a marker whose session is elsewhere or gone.
    st.add_marker("x", &file_name("ghost")).unwrap();
    st.store(&s("moved", "y")).unwrap();
    st.add_marker("x", &file_name("moved")).unwrap();
    let found: Vec<String> = st.find_by_shop("x").unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(found, ["a"]);
    assert_eq!(fs::read_dir(st.marker_dir("x")).unwrap().count(), 1, "stale entries removed");
}

#[test]
fn a_corrupt_file_is_named_and_others_stay_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    st.store(&s("good", "x")).unwrap();
    st.store(&s("bad", "x")).unwrap();
    let bad = st.session_path(&file_name("bad"));
    fs::write(&bad, "{\"id\":\"bad\",\"isOnline\":\"maybe\"").unwrap();
    let err = st.load("bad").unwrap_err();
    assert_eq!(err.code(), "INVALID_SESSION");
    assert!(err.message().contains(&bad.display().to_string()), "{err}");
    assert_eq!(st.load("good").unwrap().unwrap().id, "good");
    // Replacing or deleting the corrupt session still works.
    st.store(&s("bad", "x")).unwrap();
    assert_eq!(st.load("bad").unwrap().unwrap().shop, "x");
    // A file holding another id (copied by hand) is refused, not served under the wrong id.
    fs::copy(st.session_path(&file_name("good")), st.session_path(&file_name("bad"))).unwrap();
    assert!(st.load("bad").unwrap_err().message().contains("holds id \"good\""));
}

#[test]
fn writers_with_separate_handles_never_tear_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let big = "v".repeat(64 * 1024);
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (dir, big) = (dir.clone(), big.clone());
            std::thread::spawn(move || {
                let st = FileStorage::open(&dir).unwrap();
                for i in 0..60 {
                    let id = format!("hot{}", i % 3);
                    let shop = format!("shop{}", (i + t) % 2);
                    let mut sess = s(&id, &shop);
                    sess.data =
                        Some(json!({"writer": t, "i": i, "pad": big}).as_object().unwrap().clone());
                    st.store(&sess).unwrap();
                    let got = st.load(&id).unwrap().unwrap();
                    assert_eq!(got.data.unwrap()["pad"].as_str().unwrap().len(), big.len());
                }
            })
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().unwrap());
    let st = FileStorage::open(&dir).unwrap();
    let total: usize = (0..2).map(|i| st.find_by_shop(&format!("shop{i}")).unwrap().len()).sum();
    assert_eq!(total, 3, "each id indexed under its final shop only");
    let leftovers = fs::read_dir(dir.join("sessions"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tmp"));
    assert_eq!(leftovers.count(), 0, "no temp files left behind");
}

#[tokio::test]
async fn implements_the_storage_trait() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    let a = s("a", "x");
    assert!(SessionStorage::store(&st, &a).await.unwrap());
    assert!(SessionStorage::load(&st, "a").await.unwrap().unwrap().equals(&a));
    assert_eq!(SessionStorage::find_by_shop(&st, "x").await.unwrap().len(), 1);
    assert!(SessionStorage::delete_many(&st, &["a".into(), "zzz".into()]).await.unwrap());
    assert!(SessionStorage::load(&st, "a").await.unwrap().is_none());
    assert_eq!(SessionStorage::load(&st, "").await.unwrap_err().code(), "INVALID_ARGUMENT");
    assert!(SessionStorage::store(&st, &a).await.unwrap());
    assert!(
        SessionStorage::delete(&st, "a").await.unwrap(),
        "a delete that removed something says so"
    );
    assert!(SessionStorage::load(&st, "a").await.unwrap().is_none());
    assert_eq!(SessionStorage::delete(&st, "").await.unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn the_shop_index_follows_moves_and_survives_re_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    st.store(&s("a", "x.myshopify.com")).unwrap();
    st.store(&s("a", "x.myshopify.com")).unwrap();
    assert_eq!(st.find_by_shop("x.myshopify.com").unwrap().len(), 1, "a re-store keeps its entry");
    st.store(&s("a", "y.myshopify.com")).unwrap();
    assert_eq!(st.find_by_shop("y.myshopify.com").unwrap().len(), 1);
    let old = st.marker_dir("x.myshopify.com");
    assert_eq!(fs::read_dir(&old).unwrap().count(), 0, "the old shop's entry went with the move");
    assert!(st.find_by_shop("x.myshopify.com").unwrap().is_empty());
}

#[test]
fn lock_files_stay_few_however_many_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    for i in 0..200 {
        st.store(&s(&format!("id{i}"), "x")).unwrap();
    }
    let locks = fs::read_dir(tmp.path().join("locks")).unwrap().count() as u64;
    assert!(locks <= LOCK_STRIPES && locks > 1, "{locks} lock files for 200 sessions");
}

#[test]
fn a_session_path_that_cannot_be_removed_is_an_error_not_a_success() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    // Something that is not a session file where one would be: remove must say it failed.
    fs::create_dir(st.session_path(&file_name("blocked"))).unwrap();
    let err = st.delete("blocked").unwrap_err();
    assert_eq!(err.code(), "STORAGE_IO", "{err}");
}

#[test]
fn an_index_entry_that_cannot_be_removed_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    st.store(&s("a", "x")).unwrap();
    // Something the storage did not put there, where a's index entry is: not silently kept.
    let entry = st.marker_dir("x").join(file_name("a"));
    fs::remove_file(&entry).unwrap();
    fs::create_dir_all(entry.join("inside")).unwrap();
    let err = st.delete("a").unwrap_err();
    assert!(err.code() == "STORAGE_IO" && err.message().contains("index entry"), "{err}");
}

#[test]
fn a_find_reads_only_the_files_of_its_shop() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    for i in 0..300 {
        st.store(&s(&format!("other-{i}"), &format!("shop-{}", i % 30))).unwrap();
    }
    for i in 0..3 {
        st.store(&s(&format!("mine-{i}"), "mine")).unwrap();
    }
    let before = file_fs::READS.with(|r| r.get());
    let found = st.find_by_shop("mine").unwrap();
    let reads = file_fs::READS.with(|r| r.get()) - before;
    assert_eq!(
        found.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["mine-0", "mine-1", "mine-2"]
    );
    assert_eq!(reads, 3, "a find opens the files its shop's index names, not every session file");
}

#[test]
fn a_sweep_removes_temp_files_of_dead_writers_only_once_they_are_old() {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path()).unwrap();
    st.store(&s("kept", "shop")).unwrap();
    let sessions = tmp.path().join("sessions");
    let temp = sessions.join(".tmp-4242-left-by-a-killed-writer");
    fs::write(&temp, "{\"id\":\"half").unwrap();
    let not_ours = sessions.join("notes.txt");
    fs::write(&not_ours, "x").unwrap();
    let now = Timestamp::now();
    // A young temp file may be a live writer's (in this process or another) about to rename it.
    assert_eq!(st.sweep(now).unwrap(), 0);
    assert_eq!(st.sweep(now.add_ms(sweep::STALE_TEMP_MS - 5_000)).unwrap(), 0);
    assert!(temp.exists(), "a temp file younger than the threshold stays");
    // Past the threshold its writer is gone: removed, and not counted as a session.
    assert_eq!(st.sweep(now.add_ms(sweep::STALE_TEMP_MS + 5_000)).unwrap(), 0);
    assert!(!temp.exists(), "a stale temp file is removed");
    assert!(not_ours.exists(), "other files are not the sweep's");
    assert_eq!(st.load("kept").unwrap().unwrap().id, "kept");
    let left: Vec<_> = fs::read_dir(&sessions).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
}
