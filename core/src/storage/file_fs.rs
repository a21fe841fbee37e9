//! The file storage's guarded file-system calls. Two rules keep a session store from being
//! turned against the process that owns it (a root process included):
//!
//! - **No links are followed inside the storage directory.** Files are opened with
//!   `O_NOFOLLOW`, directories are checked with `symlink_metadata`, and only regular files are
//!   read, so a link planted at a session, lock or index path can neither create a file
//!   elsewhere nor make another file load as a session (with its `accessToken`).
//! - **The directories must be private.** The storage directory and its `sessions`, `shops`
//!   and `locks` folders must belong to the process's user and be writable by no one else
//!   (group and others without `w`); otherwise another user could plant such links, or read
//!   what is stored, at will.
//!
//! The storage directory itself may be reached through a link (`/var/lib/app -> /data/app`): it
//! is the app's own choice of path, checked after resolution like any other.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::error::{Error, Result};

/// `O_NOFOLLOW`, plus `O_NONBLOCK` so a FIFO planted at a path cannot block an open.
fn no_follow() -> i32 {
    (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32
}

/// The `STORAGE_IO` error of an I/O failure, naming the path.
pub(super) fn io_err(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::StorageIo(format!("{what} {}: {e}", path.display()))
}

/// Whether an open failed because the path is a symbolic link (`O_NOFOLLOW`'s `ELOOP`).
pub(super) fn is_link_error(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(Errno::LOOP.raw_os_error())
}

fn link_refused(path: &Path) -> Error {
    Error::StorageIo(format!(
        "{} is a symbolic link; the file storage never follows links inside its directory",
        path.display()
    ))
}

/// Why `meta`, the metadata of a storage directory, is not private; `None` when it is.
fn not_private(path: &Path, meta: &fs::Metadata) -> Option<String> {
    let euid = rustix::process::geteuid().as_raw();
    if meta.uid() != euid {
        return Some(format!(
            "{} is owned by user {}, not by this process's user {euid}: another user could plant links in it",
            path.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!(
            "{} is writable by group or others (mode {:o}); make it private (chmod 700)",
            path.display(),
            meta.mode() & 0o7777
        ));
    }
    None
}

/// Creates (0700) or checks the storage directory the app named: `INVALID_ARGUMENT` when it is
/// not a directory, belongs to another user, or is writable by group or others.
pub(super) fn open_root(root: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(root)
        .map_err(|e| io_err("cannot create directory", root, &e))?;
    let meta = fs::metadata(root).map_err(|e| io_err("cannot inspect", root, &e))?;
    if !meta.is_dir() {
        return Err(Error::InvalidArgument(format!("{} is not a directory", root.display())));
    }
    match not_private(root, &meta) {
        Some(why) => Err(Error::InvalidArgument(format!("unsafe storage directory: {why}"))),
        None => Ok(()),
    }
}

/// Creates (0700) or checks one of the storage's own folders: `STORAGE_IO` when it is a link,
/// not a directory, or not private.
pub(super) fn open_folder(path: &Path) -> Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => {
            return Err(io_err("cannot create directory", path, &e))
        }
        _ => {}
    }
    let meta = fs::symlink_metadata(path).map_err(|e| io_err("cannot inspect", path, &e))?;
    if meta.file_type().is_symlink() {
        return Err(link_refused(path));
    }
    if !meta.is_dir() {
        return Err(Error::StorageIo(format!("{} is not a directory", path.display())));
    }
    match not_private(path, &meta) {
        Some(why) => Err(Error::StorageIo(format!("unsafe storage folder: {why}"))),
        None => Ok(()),
    }
}

/// What reading a session file found.
pub(super) enum FileText {
    /// The file's text.
    Text(String),
    /// No file at the path.
    Missing,
    /// Not a session file this storage wrote: the error says why (a link, not a regular file,
    /// not UTF-8). Loads report it; finds skip it.
    Refused(Error),
}

#[cfg(test)]
thread_local! {
    /// How many session files this thread has opened through `read_regular`, the storage's one
    /// reader of them: `file_tests.rs` checks a find opens only the files of its shop.
    pub(super) static READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads a session file without following a link, and only if it is a regular file.
pub(super) fn read_regular(path: &Path) -> Result<FileText> {
    #[cfg(test)]
    READS.with(|r| r.set(r.get() + 1));
    let opened = OpenOptions::new().read(true).custom_flags(no_follow()).open(path);
    let mut file = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(FileText::Missing),
        Err(e) if is_link_error(&e) => return Ok(FileText::Refused(link_refused(path))),
        Err(e) => return Err(io_err("cannot read", path, &e)),
    };
    let meta = file.metadata().map_err(|e| io_err("cannot inspect", path, &e))?;
    if !meta.is_file() {
        return Ok(FileText::Refused(Error::StorageIo(format!(
            "{} is not a regular file",
            path.display()
        ))));
    }
    let mut text = String::new();
    match file.read_to_string(&mut text) {
        Ok(_) => Ok(FileText::Text(text)),
        Err(e) if e.kind() == ErrorKind::InvalidData => Ok(FileText::Refused(
            Error::InvalidSession(format!("corrupt session file {}: not UTF-8", path.display())),
        )),
        Err(e) => Err(io_err("cannot read", path, &e)),
    }
}

/// Opens `path` for writing, creating it 0600 and keeping what it holds, never following a link.
fn open_or_create(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(no_follow())
        .open(path)
}

/// Opens (creating, 0600) a lock file; a link there is refused.
pub(super) fn open_lock(path: &Path) -> Result<File> {
    open_or_create(path).map_err(|e| {
        if is_link_error(&e) {
            link_refused(path)
        } else {
            io_err("cannot open lock file", path, &e)
        }
    })
}

/// Removes whatever is at `path` that is not what the index expects there: a link or a file
/// (removed itself, never followed) or an empty directory.
fn clear(path: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        fs::remove_dir(path)
    } else {
        fs::remove_file(path)
    }
}

/// Makes `dir` (a shop's marker folder) a real directory: the index is the storage's own
/// derived data, so a link, a file or anything else found there is removed and replaced.
pub(super) fn ensure_marker_dir(dir: &Path) -> Result<()> {
    for _ in 0..2 {
        match fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => clear(dir).map_err(|e| io_err("cannot replace index folder", dir, &e))?,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("cannot inspect", dir, &e)),
        }
        match fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {} // a concurrent store: check again
            Err(e) => return Err(io_err("cannot create directory", dir, &e)),
        }
    }
    Err(Error::StorageIo(format!("cannot create directory {}: it keeps changing", dir.display())))
}

/// Creates the empty marker file `path` (0600) without following a link; a link or an empty
/// directory found there is replaced.
pub(super) fn ensure_marker(path: &Path) -> Result<()> {
    let create = || open_or_create(path).map(drop);
    let fail = |e: &std::io::Error| io_err("cannot write index entry", path, e);
    match create() {
        Ok(()) => Ok(()),
        Err(e) if is_link_error(&e) || e.raw_os_error() == Some(Errno::ISDIR.raw_os_error()) => {
            clear(path).map_err(|e| fail(&e))?;
            create().map_err(|e| fail(&e))
        }
        Err(e) => Err(fail(&e)),
    }
}
