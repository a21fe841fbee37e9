//! The file storage against a hostile directory: links planted at every kind of path, folders
//! others can write to, and broken index entries (see `file_fs` and the `file` module docs).

use super::*;
use serde_json::json;
use std::os::unix::fs::{symlink, PermissionsExt};

fn s(id: &str, shop: &str) -> Session {
    Session::from_value(&json!({"id": id, "shop": shop, "accessToken": "t"}), Origin::Argument)
        .unwrap()
}

/// A storage in `tmp/store`, and an `outside` folder no write may reach.
fn setup() -> (tempfile::TempDir, FileStorage, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let st = FileStorage::open(tmp.path().join("store")).unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    (tmp, st, outside)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn a_linked_marker_folder_is_replaced_not_followed() {
    let (_tmp, st, outside) = setup();
    symlink(&outside, st.marker_dir("shop")).unwrap();
    st.store(&s("a", "shop")).unwrap();
    assert!(entries(&outside).is_empty(), "nothing written through the link");
    assert!(!fs::symlink_metadata(st.marker_dir("shop")).unwrap().file_type().is_symlink());
    assert_eq!(st.find_by_shop("shop").unwrap().len(), 1);
}

#[test]
fn a_linked_marker_file_is_replaced_not_followed() {
    let (_tmp, st, outside) = setup();
    fs::create_dir(st.marker_dir("shop")).unwrap();
    symlink(outside.join("planted"), st.marker_dir("shop").join(file_name("a"))).unwrap();
    st.store(&s("a", "shop")).unwrap();
    assert!(entries(&outside).is_empty(), "the link's target was not created");
    assert_eq!(st.find_by_shop("shop").unwrap().len(), 1);
}

#[test]
fn linked_lock_files_are_refused() {
    let (_tmp, st, outside) = setup();
    for stripe in 0..LOCK_STRIPES {
        symlink(
            outside.join(format!("{stripe}")),
            st.dir().join("locks").join(format!("{stripe}.lock")),
        )
        .unwrap();
    }
    let err = st.store(&s("a", "shop")).unwrap_err();
    assert_eq!(err.code(), "STORAGE_IO");
    assert!(err.message().contains("symbolic link"), "{}", err.message());
    assert!(entries(&outside).is_empty(), "no lock file created through a link");
}

#[test]
fn a_linked_session_file_never_loads() {
    let (_tmp, st, outside) = setup();
    st.store(&s("victim", "shop")).unwrap();
    let planted = outside.join("attacker.json");
    fs::write(&planted, s("victim", "shop").to_json().replace("\"t\"", "\"stolen\"")).unwrap();
    let path = st.session_path(&file_name("victim"));
    fs::remove_file(&path).unwrap();
    symlink(&planted, &path).unwrap();
    let err = st.load("victim").unwrap_err();
    assert_eq!(err.code(), "STORAGE_IO");
    assert!(err.message().contains("symbolic link") && !err.message().contains("stolen"));
    assert!(st.find_by_shop("shop").unwrap().is_empty(), "find skips it too");
    st.store(&s("victim", "shop")).unwrap();
    assert!(fs::read_to_string(&planted).unwrap().contains("stolen"), "target untouched");
    assert_eq!(st.load("victim").unwrap().unwrap().access_token.as_deref(), Some("t"));
}

#[test]
fn directories_others_can_write_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for mode in [0o777, 0o770, 0o1777, 0o702] {
        let dir = tmp.path().join(format!("m{mode:o}"));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        let err = FileStorage::open(&dir).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "mode {mode:o}");
        assert!(err.message().contains("writable by group or others"), "{}", err.message());
    }
    let ok = tmp.path().join("m755");
    fs::create_dir(&ok).unwrap();
    fs::set_permissions(&ok, fs::Permissions::from_mode(0o755)).unwrap();
    FileStorage::open(&ok).unwrap();
    // A storage folder that is a link, or that others may write, is refused too.
    let st = FileStorage::open(tmp.path().join("linked")).unwrap();
    fs::remove_dir(st.dir().join("sessions")).unwrap();
    symlink(tmp.path(), st.dir().join("sessions")).unwrap();
    let err = FileStorage::open(st.dir()).unwrap_err();
    assert_eq!((err.code(), err.message().contains("symbolic link")), ("STORAGE_IO", true));
    fs::set_permissions(st.dir().join("shops"), fs::Permissions::from_mode(0o777)).unwrap();
    fs::remove_file(st.dir().join("sessions")).unwrap();
    assert_eq!(FileStorage::open(st.dir()).unwrap_err().code(), "STORAGE_IO");
}

#[test]
fn a_directory_of_another_user_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("theirs");
    fs::create_dir(&dir).unwrap();
    // Only root can give a directory away; other users test what they can.
    if std::os::unix::fs::chown(&dir, Some(54_321), None).is_err() {
        return;
    }
    let err = FileStorage::open(&dir).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.message().contains("owned by user 54321"), "{}", err.message());
}

#[test]
fn find_returns_the_readable_sessions_of_a_broken_index() {
    let (_tmp, st, _outside) = setup();
    for id in ["good", "corrupt", "other"] {
        st.store(&s(id, "shop")).unwrap();
    }
    fs::write(st.session_path(&file_name("corrupt")), "{not json").unwrap();
    fs::create_dir(st.marker_dir("shop").join("a-folder")).unwrap();
    symlink("/etc/passwd", st.marker_dir("shop").join("a-link")).unwrap();
    let ids: Vec<String> = st.find_by_shop("shop").unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["good", "other"]);
    assert_eq!(st.load("corrupt").unwrap_err().code(), "INVALID_SESSION", "load still reports it");
    assert!(st.marker_dir("shop").join(file_name("corrupt")).exists(), "its entry is kept");
}

#[test]
fn a_marker_folder_replaced_by_a_file_heals_on_the_next_store() {
    let (_tmp, st, _outside) = setup();
    st.store(&s("a", "shop")).unwrap();
    fs::remove_dir_all(st.marker_dir("shop")).unwrap();
    fs::write(st.marker_dir("shop"), "junk").unwrap();
    assert!(st.find_by_shop("shop").unwrap().is_empty(), "no index folder: nothing to find");
    st.store(&s("b", "shop")).unwrap();
    let ids: Vec<String> = st.find_by_shop("shop").unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["b"], "the index folder is back (a's entry went with the old one)");
    st.delete("a").unwrap();
}
