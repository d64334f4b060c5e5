//! Checks made before anything is written: the source is a directory, the destination is
//! outside it, absent or empty (unless resuming), writable and large enough, the manifest
//! lands outside both trees, and owners can be kept.

use crate::error::DataError;
use crate::scan::Tree;
use std::path::{Component, Path, PathBuf};

/// `path` made absolute and free of `.`/`..` and symlinks as far as it exists (the rest is
/// appended lexically), so containment checks cannot be fooled.
pub fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut existing = abs.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                match Path::new(part).components().next() {
                    Some(Component::ParentDir) => {
                        out.pop();
                    }
                    Some(Component::CurDir) | None => {}
                    _ => out.push(part),
                }
            }
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => {
                // `..` at the end: drop it and keep going up.
                if !existing.pop() {
                    return abs;
                }
            }
        }
    }
}

/// The nearest existing ancestor of `path` (itself when it exists).
pub fn existing_ancestor(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    while !p.exists() {
        if !p.pop() {
            return PathBuf::from("/");
        }
    }
    p
}

pub fn check_source(src: &Path) -> Result<(), DataError> {
    match std::fs::metadata(src) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(DataError::Source {
            path: src.to_path_buf(),
            why: "is not a directory".into(),
        }),
        Err(e) => Err(DataError::Source {
            path: src.to_path_buf(),
            why: format!("cannot be read: {e}"),
        }),
    }
}

/// DST is not SRC nor inside it; it is absent, or an empty directory unless `resume`.
pub fn check_destination(src: &Path, dst: &Path, resume: bool) -> Result<(), DataError> {
    let (rs, rd) = (resolve(src), resolve(dst));
    if rd.starts_with(&rs) {
        return Err(DataError::DestInsideSource { src: rs, dst: rd });
    }
    match std::fs::symlink_metadata(dst) {
        Err(_) => {}
        Ok(m) if !m.is_dir() => {
            return Err(DataError::DestNotEmpty {
                path: dst.to_path_buf(),
                why: "exists and is not a directory".into(),
            })
        }
        Ok(_) if !resume => check_empty(dst)?,
        Ok(_) => {}
    }
    check_writable(&existing_ancestor(&rd))
}

/// DST has no entries, or only a filesystem's empty `lost+found`.
pub fn check_empty(dst: &Path) -> Result<(), DataError> {
    use std::os::unix::ffi::OsStrExt;
    let entries = std::fs::read_dir(dst).map_err(|e| DataError::io(dst, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| DataError::io(dst, e))?;
        let lost_found = entry.file_name().as_bytes() == crate::verify::LOST_FOUND
            && std::fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
        if !lost_found {
            return Err(DataError::DestNotEmpty {
                path: dst.to_path_buf(),
                why: "is not empty".into(),
            });
        }
    }
    Ok(())
}

/// The manifest goes outside SRC and DST, into a writable directory.
pub fn check_manifest_place(manifest: &Path, trees: &[&Path]) -> Result<(), DataError> {
    let rm = resolve(manifest);
    for tree in trees {
        let rt = resolve(tree);
        if rm.starts_with(&rt) {
            return Err(DataError::ManifestPlace {
                manifest: manifest.to_path_buf(),
                tree: tree.to_path_buf(),
            });
        }
    }
    check_writable(&existing_ancestor(rm.parent().unwrap_or(Path::new("/"))))
}

pub fn check_writable(dir: &Path) -> Result<(), DataError> {
    let fail = |why: String| DataError::NotWritable {
        path: dir.to_path_buf(),
        why,
    };
    if let Ok(vfs) = rustix::fs::statvfs(dir) {
        if vfs.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
            return Err(fail("the filesystem is mounted read-only".into()));
        }
    }
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK)
        .map_err(|e| fail(std::io::Error::from(e).to_string()))
}

/// Without root, owners other than ours cannot be set: refuse unless `--chown` maps them.
pub fn check_owners(tree: &Tree, chown: Option<(u32, u32)>) -> Result<(), DataError> {
    let euid = rustix::process::geteuid().as_raw();
    if chown.is_some() || euid == 0 {
        return Ok(());
    }
    let mut groups: Vec<u32> = rustix::process::getgroups()
        .unwrap_or_default()
        .iter()
        .map(|g| g.as_raw())
        .collect();
    groups.push(rustix::process::getegid().as_raw());
    let foreign: Vec<_> = tree
        .entries
        .iter()
        .filter(|s| s.entry.uid != euid || !groups.contains(&s.entry.gid))
        .collect();
    match foreign.first() {
        None => Ok(()),
        Some(first) => Err(DataError::Owners {
            euid,
            count: foreign.len(),
            first: format!(
                "{} owned by {}:{}",
                first.entry.display_path(),
                first.entry.uid,
                first.entry.gid
            ),
        }),
    }
}

/// Free bytes for unprivileged writers at (the nearest existing ancestor of) `dst`.
pub fn free_bytes(dst: &Path) -> Option<u64> {
    let vfs = rustix::fs::statvfs(existing_ancestor(&resolve(dst))).ok()?;
    Some(vfs.f_bavail.saturating_mul(vfs.f_frsize))
}

pub fn check_space(dst: &Path, needed: u64) -> Result<(), DataError> {
    match free_bytes(dst) {
        Some(free) if free < needed => Err(DataError::NoSpace {
            path: dst.to_path_buf(),
            needed,
            free,
        }),
        _ => Ok(()),
    }
}
