//! Removing the sessions a file storage holds past their usable time (the lifecycle manager's
//! `sweep`, and an app's own clean-up): Redis expires keys itself, files need a walk.

use std::fs;
use std::io::ErrorKind;

use super::{file_name, parse_file, FileStorage};
use crate::error::Result;
use crate::storage::file_fs::{self, io_err, FileText};
use crate::time::Timestamp;

impl FileStorage {
    /// Removes the sessions that can no longer be used at `now` (the rule of
    /// `MemoryStorage::sweep`) and returns how many it removed. Blocking I/O. Files that cannot
    /// be read are left for a load to report; temp files and anything that is not a session file
    /// are not looked at.
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
