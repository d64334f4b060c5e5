//! The writing side shared by `copy` and `receive`: create entries at the destination and
//! give them the source's owner (or the `--chown` mapping), extended attributes, mode and
//! timestamps, in that order (chown clears setuid bits and capabilities; writing content
//! clears capabilities; a directory's mtime changes while entries are added to it).

use crate::entry::{Entry, Kind};
use crate::error::DataError;
use rustix::fs::{AtFlags, FileType, Mode, Timespec, Timestamps, CWD};
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// How owners and extended attributes are written.
#[derive(Debug, Default)]
pub struct Apply {
    /// Every entry gets this owner (`--chown UID:GID`).
    pub chown: Option<(u32, u32)>,
    /// Set when the destination refused extended attributes as unsupported.
    pub xattrs_unsupported: AtomicBool,
}

impl Apply {
    pub fn new(chown: Option<(u32, u32)>) -> Apply {
        Apply {
            chown,
            xattrs_unsupported: AtomicBool::new(false),
        }
    }

    /// The owner an entry gets at the destination.
    pub fn owner(&self, entry: &Entry) -> (u32, u32) {
        self.chown.unwrap_or((entry.uid, entry.gid))
    }

    pub fn xattrs_supported(&self) -> bool {
        !self.xattrs_unsupported.load(Ordering::Relaxed)
    }

    /// Owner, xattrs, mode and times of an open regular file.
    pub fn finish_file(
        &self,
        file: &File,
        path: &Path,
        entry: &Entry,
        xattrs: &[(OsString, Vec<u8>)],
        atime: Option<(i64, i64)>,
    ) -> Result<(), DataError> {
        let io = |e: std::io::Error| DataError::io(path, e);
        let (uid, gid) = self.owner(entry);
        rustix::fs::fchown(file, Some(uid_of(uid)), Some(gid_of(gid))).map_err(|e| io(e.into()))?;
        self.set_xattrs(path, xattrs)?;
        rustix::fs::fchmod(file, Mode::from_raw_mode(entry.mode)).map_err(|e| io(e.into()))?;
        rustix::fs::futimens(file, &timestamps(entry, atime)).map_err(|e| io(e.into()))
    }

    /// Owner, xattrs, mode and times of a directory, FIFO or device by path.
    pub fn finish_path(
        &self,
        path: &Path,
        entry: &Entry,
        xattrs: &[(OsString, Vec<u8>)],
        atime: Option<(i64, i64)>,
    ) -> Result<(), DataError> {
        let io = |e: rustix::io::Errno| DataError::io(path, e.into());
        let (uid, gid) = self.owner(entry);
        rustix::fs::chownat(
            CWD,
            path,
            Some(uid_of(uid)),
            Some(gid_of(gid)),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(io)?;
        self.set_xattrs(path, xattrs)?;
        rustix::fs::chmod(path, Mode::from_raw_mode(entry.mode)).map_err(io)?;
        rustix::fs::utimensat(
            CWD,
            path,
            &timestamps(entry, atime),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(io)
    }

    /// A directory (kept when it exists; its metadata is set at the end by `finish_path`).
    pub fn create_dir(&self, path: &Path) -> Result<(), DataError> {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::symlink_metadata(path) {
            // A read-only directory from an earlier run: writable by us until the end again.
            Ok(m) if m.is_dir() && m.permissions().mode() & 0o700 != 0o700 => {
                rustix::fs::chmod(path, Mode::from_raw_mode(m.permissions().mode() | 0o700))
                    .map_err(|e| DataError::io(path, e.into()))
            }
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => {
                std::fs::remove_file(path).map_err(|e| DataError::io(path, e))?;
                self.create_dir(path)
            }
            Err(_) => {
                std::fs::create_dir(path).map_err(|e| DataError::io(path, e))?;
                // Writable by us until the final mode is set.
                rustix::fs::chmod(path, Mode::from_raw_mode(0o700))
                    .map_err(|e| DataError::io(path, e.into()))
            }
        }
    }

    /// A symlink (replacing whatever is at `path`), its owner and times. Never followed.
    pub fn create_symlink(&self, path: &Path, entry: &Entry) -> Result<(), DataError> {
        remove_non_dir(path)?;
        let target = std::ffi::OsStr::from_bytes(&entry.target);
        std::os::unix::fs::symlink(target, path).map_err(|e| DataError::io(path, e))?;
        let (uid, gid) = self.owner(entry);
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))
            .map_err(|e| DataError::io(path, e))?;
        rustix::fs::utimensat(
            CWD,
            path,
            &timestamps(entry, None),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(|e| DataError::io(path, e.into()))
    }

    /// A FIFO or device node (replacing whatever is at `path`); metadata via `finish_path`.
    pub fn create_special(&self, path: &Path, entry: &Entry, rdev: u64) -> Result<(), DataError> {
        remove_non_dir(path)?;
        let ft = match entry.kind {
            Kind::Fifo => FileType::Fifo,
            Kind::CharDevice => FileType::CharacterDevice,
            _ => FileType::BlockDevice,
        };
        rustix::fs::mknodat(CWD, path, ft, Mode::from_raw_mode(0o600), rdev)
            .map_err(|e| DataError::io(path, e.into()))
    }

    /// A hard link at `path` to `first` (kept when it already is one).
    pub fn create_hard_link(&self, first: &Path, path: &Path) -> Result<(), DataError> {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (
            std::fs::symlink_metadata(first),
            std::fs::symlink_metadata(path),
        ) {
            if a.dev() == b.dev() && a.ino() == b.ino() {
                return Ok(());
            }
        }
        remove_non_dir(path)?;
        std::fs::hard_link(first, path).map_err(|e| DataError::io(path, e))
    }

    fn set_xattrs(&self, path: &Path, xattrs: &[(OsString, Vec<u8>)]) -> Result<(), DataError> {
        if !self.xattrs_supported() {
            return Ok(());
        }
        for (name, value) in xattrs {
            match xattr::set(path, name, value) {
                Ok(()) => {}
                Err(e) if crate::scan::unsupported(&e) => {
                    self.xattrs_unsupported.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                Err(e) => {
                    return Err(DataError::io(
                        path,
                        std::io::Error::new(
                            e.kind(),
                            format!("setting extended attribute {}: {e}", name.to_string_lossy()),
                        ),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// Remove a non-directory at `path` if there is one (resume replaces partial entries).
pub fn remove_non_dir(path: &Path) -> Result<(), DataError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).map_err(|e| DataError::io(path, e)),
        Ok(_) => std::fs::remove_file(path).map_err(|e| DataError::io(path, e)),
        Err(_) => Ok(()),
    }
}

fn timestamps(entry: &Entry, atime: Option<(i64, i64)>) -> Timestamps {
    let mtime = Timespec {
        tv_sec: entry.mtime_sec,
        tv_nsec: i64::from(entry.mtime_nsec) as _,
    };
    let last_access = match atime {
        Some((s, ns)) => Timespec {
            tv_sec: s,
            tv_nsec: ns as _,
        },
        None => mtime,
    };
    Timestamps {
        last_access,
        last_modification: mtime,
    }
}

fn uid_of(uid: u32) -> rustix::fs::Uid {
    rustix::fs::Uid::from_raw(uid)
}

fn gid_of(gid: u32) -> rustix::fs::Gid {
    rustix::fs::Gid::from_raw(gid)
}
