//! The staging area beside an output directory, and recovery from a run that was killed.
//!
//! A run stages its tree in `<parent>/.homeport-staging/<job>/new` (the staging directory is
//! 0700 and holds a `.gitignore` of `*`, written before anything else, so staged secret files
//! are neither readable by others nor committable). Before the swap it records the target path
//! in `<job>/target`; the swap moves the old directory to `<job>/old` and `new` into place.
//! Each job holds a lock on `<job>/lock` while it runs. The next run that writes into the same
//! parent finds jobs whose lock is free (their process died, even by `kill -9`) and finishes or
//! rolls back what they left:
//!
//! * no `target` yet: staging was not complete; the job is deleted;
//! * `new` present and the target missing: killed inside the swap; `new` is moved into place;
//! * `new` present and the target present: killed before the swap; the job is deleted;
//! * `new` gone: the swap was done; the old content left in `old` is deleted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the staging directory created in the output's parent.
pub const STAGING_DIR: &str = ".homeport-staging";

/// One run's staging job. Dropping it without [`Job::commit`] deletes what it staged.
pub(crate) struct Job {
    root: PathBuf,
    dir: PathBuf,
    /// Held (locked) for the job's lifetime; the lock dies with the process.
    _lock: fs::File,
}

impl Job {
    /// Recover what killed runs left in `parent`, then start a new job there.
    pub(crate) fn start(parent: &Path) -> std::io::Result<Job> {
        let root = parent.join(STAGING_DIR);
        recover(&root);
        // Another run may remove an empty staging directory between our steps: retry.
        let mut last = None;
        for attempt in 0..5u32 {
            match Job::try_start(&root, attempt) {
                Ok(job) => return Ok(job),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("cannot create the staging directory")))
    }

    fn try_start(root: &Path, attempt: u32) -> std::io::Result<Job> {
        create_private_dir(root)?;
        // Never stage through a symlink someone planted in a shared parent directory.
        let meta = fs::symlink_metadata(root)?;
        if !meta.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is not a directory homeport created",
                root.display()
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o077 != 0 {
                fs::set_permissions(root, fs::Permissions::from_mode(0o700))?;
            }
        }
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "# homeport staging: never commit\n*\n")?;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = root.join(format!("job-{}-{nanos}-{attempt}", std::process::id()));
        create_private_dir(&dir)?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        lock.try_lock().map_err(|e| match e {
            fs::TryLockError::Error(e) => e,
            fs::TryLockError::WouldBlock => std::io::Error::other("staging job is locked"),
        })?;
        Ok(Job {
            root: root.to_path_buf(),
            dir,
            _lock: lock,
        })
    }

    /// Where the new tree is staged.
    pub(crate) fn new_tree(&self) -> PathBuf {
        self.dir.join("new")
    }

    /// Swap the staged tree into `target` (absolute), moving an existing `target` aside; on
    /// an error the old content is put back. The staging job is deleted afterwards.
    pub(crate) fn commit(self, target: &Path, existing: bool) -> std::io::Result<()> {
        let mut record = fs::File::create(self.dir.join("target"))?;
        record.write_all(target.as_os_str().as_encoded_bytes())?;
        record.sync_all()?;
        let old = self.dir.join("old");
        if existing {
            fs::rename(target, &old)?;
        }
        if let Err(e) = fs::rename(self.new_tree(), target) {
            if existing {
                let _ = fs::rename(&old, target);
            }
            return Err(e);
        }
        Ok(())
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        remove_if_unused(&self.root);
    }
}

/// Delete the staging directory when no job is left in it.
fn remove_if_unused(root: &Path) {
    if !fs::symlink_metadata(root).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let only_ignore = fs::read_dir(root).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .all(|e| e.file_name() == ".gitignore")
    });
    if only_ignore {
        let _ = fs::remove_file(root.join(".gitignore"));
        let _ = fs::remove_dir(root);
    }
}

/// Finish or roll back every job in `root` whose process is gone (see the module docs).
pub(crate) fn recover(root: &Path) {
    // Only a real directory (not a symlink planted to make us delete elsewhere), and only
    // entries that look like our jobs.
    if !fs::symlink_metadata(root).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let job = entry.path();
        let is_job = entry.file_name().to_string_lossy().starts_with("job-");
        if !is_job || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        // A live job holds its lock; leave it alone.
        if let Ok(lock) = fs::OpenOptions::new().write(true).open(job.join("lock")) {
            if lock.try_lock().is_err() {
                continue;
            }
        }
        let new = job.join("new");
        if let Ok(target) = fs::read(job.join("target")) {
            let target = PathBuf::from(os_string_from_bytes(target));
            if new.exists() && fs::symlink_metadata(&target).is_err() {
                let _ = fs::rename(&new, &target);
            }
        }
        let _ = fs::remove_dir_all(&job);
    }
    remove_if_unused(root);
}

#[cfg(unix)]
fn os_string_from_bytes(bytes: Vec<u8>) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_string_from_bytes(bytes: Vec<u8>) -> std::ffi::OsString {
    String::from_utf8_lossy(&bytes).into_owned().into()
}

/// Create a directory readable only by its owner (0700 from the start, not after a chmod).
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    create_dir_with_mode(path, 0o700)
}

/// Create one directory with `mode` (narrowed by the umask); an existing one is fine.
pub(crate) fn create_dir_with_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    match builder.create(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job as a killed process leaves it: no lock held, the given parts present.
    fn dead_job(root: &Path, name: &str, target: Option<&Path>, new: bool, old: bool) {
        let job = root.join(name);
        fs::create_dir_all(&job).unwrap();
        fs::write(job.join("lock"), "").unwrap();
        if let Some(t) = target {
            fs::write(job.join("target"), t.as_os_str().as_encoded_bytes()).unwrap();
        }
        if new {
            fs::create_dir_all(job.join("new")).unwrap();
            fs::write(job.join("new/file"), "new").unwrap();
        }
        if old {
            fs::create_dir_all(job.join("old")).unwrap();
            fs::write(job.join("old/file"), "old").unwrap();
        }
    }

    #[test]
    fn killed_jobs_are_finished_or_rolled_back() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join(STAGING_DIR);
        let (a, b, c, d) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
            tmp.path().join("d"),
        );
        // Killed while staging: nothing to do but delete.
        dead_job(&root, "job-staging", None, true, false);
        // Killed inside the swap (old moved away, new not in place): finish.
        dead_job(&root, "job-swap", Some(&a), true, true);
        // Killed before the swap: the target is untouched; roll back.
        fs::create_dir(&b).unwrap();
        fs::write(b.join("file"), "current").unwrap();
        dead_job(&root, "job-before", Some(&b), true, false);
        // Killed after the swap: only the old content is left; delete it.
        fs::create_dir(&c).unwrap();
        fs::write(c.join("file"), "new").unwrap();
        dead_job(&root, "job-after", Some(&c), false, true);
        // A live job (its lock held) is left alone.
        let live = Job::start(tmp.path()).unwrap();
        fs::create_dir(live.new_tree()).unwrap();
        recover(&root);
        assert_eq!(fs::read_to_string(a.join("file")).unwrap(), "new");
        assert_eq!(fs::read_to_string(b.join("file")).unwrap(), "current");
        assert_eq!(fs::read_to_string(c.join("file")).unwrap(), "new");
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != ".gitignore")
            .collect();
        assert_eq!(left.len(), 1, "only the live job is left: {left:?}");
        live.commit(&d, false).unwrap();
        assert!(d.join("file").exists() || d.is_dir());
        assert!(
            !root.exists(),
            "the staging directory is removed when unused"
        );
    }
}

#[cfg(all(test, unix))]
mod symlink_tests {
    use super::*;

    #[test]
    fn a_planted_symlink_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let parent = tmp.path().join("parent");
        fs::create_dir(&parent).unwrap();
        std::os::unix::fs::symlink(&elsewhere, parent.join(STAGING_DIR)).unwrap();
        fs::create_dir(elsewhere.join("job-1-2-0")).unwrap();
        fs::create_dir(elsewhere.join("precious")).unwrap();
        assert!(Job::start(&parent).is_err());
        assert_eq!(
            fs::read_dir(&elsewhere).unwrap().count(),
            2,
            "nothing deleted"
        );
    }
}
