//! Durable storage on one machine: one file per session, written atomically.
//!
//! Layout under the directory (shared by Node and Python, since this one core writes it):
//! ```text
//! sessions/<name>.json      canonical JSON of one session
//! shops/<shop name>/<name>  empty marker: the per-shop index, valid after a restart
//! locks/<0..15>.lock        advisory locks that order writers of the same id across processes
//! ```
//! `<name>` is `x` + the hex of the id's UTF-8 bytes (ids up to 100 bytes: reversible and safe
//! on case-insensitive file systems) or `h` + the SHA-256 hex of the id for longer ids (the
//! file holds the id, which loads check). Raw ids never become paths.
//!
//! No link inside the directory is ever followed, and the directories must be private to the
//! process's user (see `file_fs`). `find_by_shop` returns the readable sessions of a shop: an
//! index entry whose session file is corrupt, a link or not a regular file is skipped (loading
//! that id reports the problem, naming the file); an entry naming no session of the shop, or
//! anything in the index that is not an entry, is removed or skipped, never an error.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::file_fs::{self, io_err, FileText};
use super::{check_shop, SessionStorage};
use crate::error::{quote, Error, Origin, Result};
use crate::manager::record::check_version;
use crate::session::{check_id, Session};

const LOCK_STRIPES: u64 = 16;
const MAX_PLAIN_NAME_BYTES: usize = 100;

/// Encodes an id or shop as a file name; see the module docs.
pub fn file_name(key: &str) -> String {
    use std::fmt::Write as _;
    let (prefix, bytes): (char, Vec<u8>) = if key.len() <= MAX_PLAIN_NAME_BYTES {
        ('x', key.as_bytes().to_vec())
    } else {
        ('h', Sha256::digest(key.as_bytes()).to_vec())
    };
    let mut name = String::with_capacity(1 + bytes.len() * 2);
    name.push(prefix);
    for b in bytes {
        let _ = write!(name, "{b:02x}");
    }
    name
}

/// Sessions on disk under one directory. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct FileStorage {
    root: Arc<PathBuf>,
}

/// A session file's content; the error names the file, so one bad file is easy to find.
fn parse_file(path: &Path, text: &str) -> Result<Session> {
    Session::from_json(text, Origin::Stored).map_err(|e| {
        Error::InvalidSession(format!("corrupt session file {}: {}", path.display(), e.message()))
    })
}

impl FileStorage {
    /// Opens (creating with mode 0700 when missing) the storage directory `dir`. A directory
    /// owned by another user or writable by group or others is `INVALID_ARGUMENT`; a link or
    /// such a folder inside it is `STORAGE_IO`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let root = dir.as_ref();
        if root.as_os_str().is_empty() {
            return Err(Error::InvalidArgument("directory must be a non-empty path".into()));
        }
        file_fs::open_root(root)?;
        for sub in ["sessions", "shops", "locks"] {
            file_fs::open_folder(&root.join(sub))?;
        }
        Ok(FileStorage { root: Arc::new(root.to_path_buf()) })
    }

    /// The storage directory.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    fn session_path(&self, name: &str) -> PathBuf {
        self.root.join("sessions").join(format!("{name}.json"))
    }

    fn marker_dir(&self, shop: &str) -> PathBuf {
        self.root.join("shops").join(file_name(shop))
    }

    /// Holds the advisory lock of `id`'s stripe until dropped (the OS releases it with the file).
    fn lock(&self, id: &str) -> Result<File> {
        let stripe =
            u64::from_le_bytes(Sha256::digest(id.as_bytes())[..8].try_into().expect("8 bytes"))
                % LOCK_STRIPES;
        let path = self.root.join("locks").join(format!("{stripe}.lock"));
        let file = file_fs::open_lock(&path)?;
        file.lock().map_err(|e| io_err("cannot lock", &path, &e))?;
        Ok(file)
    }

    fn read_file(&self, id: &str, name: &str) -> Result<Option<Session>> {
        let path = self.session_path(name);
        let text = match file_fs::read_regular(&path)? {
            FileText::Text(t) => t,
            FileText::Missing => return Ok(None),
            FileText::Refused(e) => return Err(e),
        };
        let session = parse_file(&path, &text)?;
        if session.id != id {
            return Err(Error::InvalidSession(format!(
                "session file {} holds id {}, expected {}",
                path.display(),
                quote(&session.id),
                quote(id)
            )));
        }
        Ok(Some(session))
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let dir = path.parent().expect("session paths have a parent");
        let tmp = dir.join(format!(
            "{}{}-{}",
            sweep::TEMP_PREFIX,
            std::process::id(),
            crate::ids::random_id()?
        ));
        let result = (|| {
            let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, path)?;
            File::open(dir)?.sync_all()
        })();
        result.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err("cannot write", path, &e)
        })
    }

    // A session without a shop (a managed session) has no index entry: no find can ask for it.
    fn add_marker(&self, shop: &str, name: &str) -> Result<()> {
        if shop.is_empty() {
            return Ok(());
        }
        let dir = self.marker_dir(shop);
        file_fs::ensure_marker_dir(&dir)?;
        file_fs::ensure_marker(&dir.join(name))
    }

    fn remove_marker(&self, shop: &str, name: &str) -> Result<()> {
        if shop.is_empty() {
            return Ok(());
        }
        let path = self.marker_dir(shop).join(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                Err(io_err("cannot remove index entry", &path, &e))
            }
            _ => Ok(()),
        }
    }

    /// Stores `session` (blocking I/O: bindings call this off their event loop).
    pub fn store(&self, session: &Session) -> Result<()> {
        self.write(session, None)
    }

    /// Stores `session` only if the record stored under its id has version `expected` (0: none
    /// stored): `optimistic` concurrency's compare-and-store, atomic under the id's lock.
    pub fn store_if_version(&self, session: &Session, expected: u64) -> Result<()> {
        self.write(session, Some(expected))
    }

    fn write(&self, session: &Session, expected: Option<u64>) -> Result<()> {
        session.validate(Origin::Argument)?;
        let name = file_name(&session.id);
        let _lock = self.lock(&session.id)?;
        let old = self.read_file(&session.id, &name);
        if let Some(expected) = expected {
            match &old {
                Ok(stored) => check_version(stored.as_ref(), expected, &session.id)?,
                // A corrupt record cannot prove its version: a conflict, as a foreign one is.
                Err(_) => {
                    return Err(Error::Conflict(format!(
                        "session {} holds a record that cannot be read; nothing was written",
                        crate::error::id_hash(&session.id)
                    )))
                }
            }
        }
        // A corrupt old file must not block replacing it: only its shop matters, if readable.
        let old_shop = old.ok().flatten().map(|s| s.shop);
        // Index first, data second: a crash in between leaves a stale entry, which reads skip.
        self.add_marker(&session.shop, &name)?;
        self.write_atomic(&self.session_path(&name), session.to_json().as_bytes())?;
        match old_shop {
            Some(old) if old != session.shop => self.remove_marker(&old, &name),
            _ => Ok(()),
        }
    }

    /// Loads the session with `id` (blocking I/O).
    pub fn load(&self, id: &str) -> Result<Option<Session>> {
        check_id(id, Origin::Argument)?;
        self.read_file(id, &file_name(id))
    }

    /// Deletes the session with `id` (blocking I/O); `Ok(true)` whether or not it existed.
    pub fn delete(&self, id: &str) -> Result<bool> {
        check_id(id, Origin::Argument)?;
        let _lock = self.lock(id)?;
        self.remove_locked(id)
    }

    /// [`FileStorage::delete`] for a caller holding the id's lock.
    fn remove_locked(&self, id: &str) -> Result<bool> {
        let name = file_name(id);
        let old_shop = self.read_file(id, &name).ok().flatten().map(|s| s.shop);
        let path = self.session_path(&name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                return Err(io_err("cannot remove", &path, &e))
            }
            _ => {}
        }
        if let Some(shop) = old_shop {
            self.remove_marker(&shop, &name)?;
        }
        Ok(true)
    }

    /// Deletes every session in `ids` (all ids are checked before anything is removed).
    pub fn delete_many(&self, ids: &[String]) -> Result<bool> {
        super::callback::check_ids(ids)?;
        for id in ids {
            self.delete(id)?;
        }
        Ok(true)
    }

    /// Every readable session of `shop`, from the on-disk index (blocking I/O). Stale index
    /// entries (left by a crash or a concurrent writer) are removed; entries whose session file
    /// is corrupt, a link or not a regular file are skipped (see the module docs).
    pub fn find_by_shop(&self, shop: &str) -> Result<Vec<Session>> {
        check_shop(shop)?;
        let dir = self.marker_dir(shop);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            // Not an index folder (a file, a link): no entries; the next store replaces it.
            Ok(_) => return Ok(Vec::new()),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("cannot list", &dir, &e)),
        }
        let entries = fs::read_dir(&dir).map_err(|e| io_err("cannot list", &dir, &e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_err("cannot list", &dir, &e))?;
            // Only plain marker files are entries; a folder or link here is not the storage's.
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = self.session_path(&name);
            let text = match file_fs::read_regular(&path)? {
                FileText::Text(t) => t,
                FileText::Missing => {
                    self.remove_marker(shop, &name)?;
                    continue;
                }
                FileText::Refused(_) => continue,
            };
            let Ok(session) = parse_file(&path, &text) else { continue };
            if session.shop == shop && file_name(&session.id) == name {
                found.push(session);
            } else {
                let _lock = self.lock(&session.id)?;
                // Removed only when the file now says so: a file turned corrupt keeps its entry.
                match self.read_file(&session.id, &name) {
                    Ok(None) => self.remove_marker(shop, &name)?,
                    Ok(Some(s)) if s.shop != shop => self.remove_marker(shop, &name)?,
                    _ => {}
                }
            }
        }
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(FileStorage) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(this))
            .await
            .map_err(|e| Error::StorageIo(format!("file storage task failed: {e}")))?
    }
}

impl SessionStorage for FileStorage {
    async fn store(&self, session: &Session) -> Result<bool> {
        let session = session.clone();
        self.blocking(move |s| s.store(&session).map(|()| true)).await
    }

    async fn load(&self, id: &str) -> Result<Option<Session>> {
        let id = id.to_owned();
        self.blocking(move |s| s.load(&id)).await
    }

    async fn delete(&self, id: &str) -> Result<bool> {
        let id = id.to_owned();
        self.blocking(move |s| s.delete(&id)).await
    }

    async fn delete_many(&self, ids: &[String]) -> Result<bool> {
        let ids = ids.to_vec();
        self.blocking(move |s| s.delete_many(&ids)).await
    }

    async fn find_by_shop(&self, shop: &str) -> Result<Vec<Session>> {
        let shop = shop.to_owned();
        self.blocking(move |s| s.find_by_shop(&shop)).await
    }
}

#[path = "file_sweep.rs"]
mod sweep;

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "file_safety_tests.rs"]
mod safety_tests;
