//! The journal of an unfinished copy (`MANIFEST.journal`): the manifest lines of files that
//! are complete at the destination. A line is appended only after a `syncfs` of the
//! destination that came after the file was finished, and the journal is synced too, so after
//! a crash or power loss every line names a file whose content is on disk.
//!
//! A background thread does the syncing (every second, or sooner after 64 MiB), so the copy
//! never waits for the disk, and by the end of the copy little is left to write back.

use crate::error::DataError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const SYNC_BYTES: u64 = 64 << 20;
const SYNC_EVERY: Duration = Duration::from_secs(1);

pub struct Journal {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<Result<(), DataError>>>,
}

struct Shared {
    path: PathBuf,
    file: Mutex<File>,
    dst: File,
    pending: Mutex<Pending>,
    wake: Condvar,
}

#[derive(Default)]
struct Pending {
    lines: String,
    bytes: u64,
    done: bool,
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
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            dst: dst_dir,
            pending: Mutex::new(Pending::default()),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        let thread = std::thread::spawn(move || worker.run());
        Ok(Journal {
            shared,
            thread: Some(thread),
        })
    }

    /// A file of `bytes` bytes is complete: its manifest `line` is journaled after the next sync.
    pub fn finished(&self, line: &str, bytes: u64) {
        if let Ok(mut p) = self.shared.pending.lock() {
            p.lines.push_str(line);
            p.lines.push('\n');
            p.bytes += bytes;
            if p.bytes >= SYNC_BYTES {
                self.shared.wake.notify_one();
            }
        }
    }

    /// Stop the syncing thread. Lines still pending are dropped: the manifest, written next,
    /// supersedes the journal (a crash before it only means copying those files again).
    pub fn close(mut self) -> Result<(), DataError> {
        if let Ok(mut p) = self.shared.pending.lock() {
            p.done = true;
            self.shared.wake.notify_one();
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            _ => Ok(()),
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if let Ok(mut p) = self.shared.pending.lock() {
            p.done = true;
            self.shared.wake.notify_one();
        }
    }
}

impl Shared {
    fn run(&self) -> Result<(), DataError> {
        loop {
            let lines = {
                let Ok(mut p) = self.pending.lock() else {
                    return Ok(());
                };
                if !p.done && p.bytes < SYNC_BYTES {
                    p = match self.wake.wait_timeout(p, SYNC_EVERY) {
                        Ok((p, _)) => p,
                        Err(_) => return Ok(()),
                    };
                }
                if p.done {
                    return Ok(());
                }
                p.bytes = 0;
                std::mem::take(&mut p.lines)
            };
            if lines.is_empty() {
                continue;
            }
            rustix::fs::syncfs(&self.dst).map_err(|e| DataError::io(&self.path, e.into()))?;
            if let Ok(mut f) = self.file.lock() {
                f.write_all(lines.as_bytes())
                    .and_then(|_| f.sync_data())
                    .map_err(|e| DataError::io(&self.path, e))?;
            }
        }
    }
}
