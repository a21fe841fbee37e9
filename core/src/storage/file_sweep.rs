//! Removing the sessions a file storage holds past their usable time (the lifecycle manager's
//! `sweep`, and an app's own clean-up): Redis expires keys itself, files need a walk. The same
//! walk removes the temp files of writers that died between creating and renaming them
//! (`write_atomic` in `file.rs`; `tests/interop/test_crash_kill.py` SIGKILLs writers there).

use std::fs;
use std::io::ErrorKind;
use std::time::UNIX_EPOCH;

use super::{file_name, parse_file, FileStorage};
use crate::error::Result;
use crate::storage::file_fs::{self, io_err, FileText};
use crate::time::Timestamp;

/// How old (by its modification time) a temp file must be before a sweep removes it. A live
/// writer creates, writes, fsyncs and renames its temp file within one store, so a file this
/// old belongs to a writer that died. The age, not the writer's pid, decides: another process
/// sharing the directory may live in another pid namespace, where its pid means nothing here,
/// and a removed live temp file would fail that writer's store.
pub(super) const STALE_TEMP_MS: i64 = 60_000;

/// The name prefix of a writer's temp file (`.tmp-<pid>-<random>`); no session file starts so.
pub(super) const TEMP_PREFIX: &str = ".tmp-";

impl FileStorage {
    /// Removes the sessions that can no longer be used at `now` (the rule of
    /// `MemoryStorage::sweep`) and returns how many it removed. Blocking I/O. Files that cannot
    /// be read are left for a load to report; anything that is not a session file is not looked
    /// at, except temp files last modified [`STALE_TEMP_MS`] or more before `now`, which are
    /// removed (not counted: they never were sessions).
    pub fn sweep(&self, now: Timestamp) -> Result<usize> {
        let dir = self.root.join("sessions");
        let entries = match fs::read_dir(&dir) {
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
            other => other.map_err(|e| io_err("cannot list", &dir, &e))?,
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry.map_err(|e| io_err("cannot list", &dir, &e))?;
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(TEMP_PREFIX) {
                remove_if_stale(&entry, now)?;
                continue;
            }
            let Some(name) = file.strip_suffix(".json") else { continue };
            let path = self.session_path(name);
            let FileText::Text(text) = file_fs::read_regular(&path)? else { continue };
            let Ok(session) = parse_file(&path, &text) else { continue };
            if file_name(&session.id) != name || !session.is_unusable_at(now) {
                continue;
            }
            let _lock = self.lock(&session.id)?;
            // Re-read under the lock: another process may have stored it again since.
            if matches!(self.read_file(&session.id, name), Ok(Some(s)) if s.is_unusable_at(now)) {
                self.remove_locked(&session.id)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Removes the temp file `entry` when it was last modified [`STALE_TEMP_MS`] before `now`. One
/// that vanished meanwhile (renamed by its writer, removed by another sweep) is fine.
fn remove_if_stale(entry: &fs::DirEntry, now: Timestamp) -> Result<()> {
    let path = entry.path();
    // `DirEntry::metadata` does not follow a link.
    let modified = match entry.metadata().and_then(|m| m.modified()) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("cannot inspect", &path, &e)),
    };
    let modified_ms = match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0, // before 1970: a clock set back, old by any measure
    };
    if now.epoch_ms().saturating_sub(modified_ms) < STALE_TEMP_MS {
        return Ok(());
    }
    match fs::remove_file(&path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(io_err("cannot remove", &path, &e)),
        _ => Ok(()),
    }
}
