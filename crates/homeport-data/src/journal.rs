//! The journal of an unfinished copy (`MANIFEST.journal`): the manifest lines of files that
//! are complete at the destination. A line is appended only after a `syncfs` of the
//! destination that came after the file was finished, and the journal is synced too, so after
//! a crash or power loss every line names a file whose content is on disk. Syncs happen every
//! 64 MiB or second of copying, in batches, not per file.

use crate::error::DataError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SYNC_BYTES: u64 = 64 << 20;
const SYNC_EVERY: Duration = Duration::from_secs(1);

pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    dst: File,
    pending: Mutex<Pending>,
}

struct Pending {
    lines: String,
    bytes: u64,
    since: Instant,
}

impl Journal {
    /// Open (append to) the journal at `path` for a copy into `dst` (which exists).
    pub fn open(path: &Path, dst: &Path) -> Result<Journal, DataError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| DataError::io(path, e))?;
        let dst_dir = File::open(dst).map_err(|e| DataError::io(dst, e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            dst: dst_dir,
            pending: Mutex::new(Pending {
                lines: String::new(),
                bytes: 0,
                since: Instant::now(),
            }),
        })
    }

    /// A file of `bytes` bytes is complete: its manifest `line` is journaled with the next sync.
    pub fn finished(&self, line: &str, bytes: u64) -> Result<(), DataError> {
        let due = {
            let Ok(mut p) = self.pending.lock() else {
                return Ok(());
            };
            p.lines.push_str(line);
            p.lines.push('\n');
            p.bytes += bytes;
            p.bytes >= SYNC_BYTES || p.since.elapsed() >= SYNC_EVERY
        };
        if due {
            self.flush()?;
        }
        Ok(())
    }

    /// Sync the destination, then append the pending lines and sync the journal.
    pub fn flush(&self) -> Result<(), DataError> {
        let lines = match self.pending.lock() {
            Ok(mut p) => {
                p.bytes = 0;
                p.since = Instant::now();
                std::mem::take(&mut p.lines)
            }
            Err(_) => return Ok(()),
        };
        if lines.is_empty() {
            return Ok(());
        }
        rustix::fs::syncfs(&self.dst).map_err(|e| DataError::io(&self.path, e.into()))?;
        if let Ok(mut f) = self.file.lock() {
            f.write_all(lines.as_bytes())
                .and_then(|_| f.sync_data())
                .map_err(|e| DataError::io(&self.path, e))?;
        }
        Ok(())
    }
}
