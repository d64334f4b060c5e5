//! Walk a tree into entries in manifest order (metadata only; content is hashed by the copy
//! or verify pass). Symlinks are never followed. Files sharing an inode within the tree become
//! one `f` entry and `h` entries pointing at it.

use crate::entry::{path_order, Entry, Hash, Kind};
use crate::error::DataError;
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Extended attributes (name, value), sorted by name.
pub type Xattrs = Vec<(OsString, Vec<u8>)>;

/// An entry plus what the copy needs and the manifest does not record.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub entry: Entry,
    /// Extended attributes (name, value), sorted by name.
    pub xattrs: Vec<(OsString, Vec<u8>)>,
    /// Bytes allocated on disk (for the free-space check).
    pub allocated: u64,
    pub rdev: u64,
    /// Access time (seconds, nanoseconds), kept like `cp -a` does.
    pub atime: (i64, i64),
}

/// The result of a walk: entries in manifest order, and what was left out, with why.
#[derive(Debug, Default)]
pub struct Tree {
    pub entries: Vec<Scanned>,
    pub skipped: Vec<String>,
}

impl Tree {
    pub fn files(&self) -> impl Iterator<Item = &Scanned> {
        self.entries.iter().filter(|s| s.entry.kind == Kind::File)
    }

    pub fn total_file_bytes(&self) -> u64 {
        self.files().map(|s| s.entry.size).sum()
    }
}

/// The absolute path of a relative entry path under `root`.
pub fn join(root: &Path, rel: &[u8]) -> PathBuf {
    if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(std::ffi::OsStr::from_bytes(rel))
    }
}

/// Walk `root` (a directory; when `root` itself is a symlink, the directory it names).
pub fn scan(root: &Path) -> Result<Tree, DataError> {
    let root = &root.canonicalize().map_err(|e| DataError::io(root, e))?;
    let mut tree = Tree::default();
    let mut inodes: HashMap<(u64, u64), Vec<u8>> = HashMap::new();
    let mut found: Vec<(Scanned, u64, u64, u64)> = Vec::new();
    let mut stack: Vec<Vec<u8>> = vec![Vec::new()];
    while let Some(rel) = stack.pop() {
        let path = join(root, &rel);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| DataError::io(&path, e))?;
        let Some(scanned) = describe(&path, rel.clone(), &meta, &mut tree.skipped)? else {
            continue;
        };
        if scanned.entry.kind == Kind::Dir {
            let dir = std::fs::read_dir(&path).map_err(|e| DataError::io(&path, e))?;
            for child in dir {
                let child = child.map_err(|e| DataError::io(&path, e))?;
                let mut child_rel = rel.clone();
                if !child_rel.is_empty() {
                    child_rel.push(b'/');
                }
                child_rel.extend_from_slice(child.file_name().as_bytes());
                stack.push(child_rel);
            }
        }
        found.push((scanned, meta.dev(), meta.ino(), meta.nlink()));
    }
    found.sort_by(|a, b| path_order(&a.0.entry.path, &b.0.entry.path));
    for (mut scanned, dev, ino, nlink) in found {
        if scanned.entry.kind == Kind::File && nlink > 1 {
            match inodes.get(&(dev, ino)) {
                Some(first) => {
                    scanned.entry.kind = Kind::HardLink;
                    scanned.entry.target = first.clone();
                    scanned.entry.hash = None;
                    scanned.allocated = 0;
                }
                None => {
                    inodes.insert((dev, ino), scanned.entry.path.clone());
                }
            }
        }
        tree.entries.push(scanned);
    }
    Ok(tree)
}

fn describe(
    path: &Path,
    rel: Vec<u8>,
    meta: &std::fs::Metadata,
    skipped: &mut Vec<String>,
) -> Result<Option<Scanned>, DataError> {
    let ft = meta.file_type();
    let mut target = Vec::new();
    let kind = if ft.is_dir() {
        Kind::Dir
    } else if ft.is_file() {
        Kind::File
    } else if ft.is_symlink() {
        target = std::fs::read_link(path)
            .map_err(|e| DataError::io(path, e))?
            .into_os_string()
            .into_vec();
        Kind::Symlink
    } else if ft.is_fifo() {
        Kind::Fifo
    } else if ft.is_char_device() {
        target = meta.rdev().to_string().into_bytes();
        Kind::CharDevice
    } else if ft.is_block_device() {
        target = meta.rdev().to_string().into_bytes();
        Kind::BlockDevice
    } else {
        skipped.push(format!(
            "{}: a socket (the program that owns it creates it again)",
            crate::entry::display_path(&rel)
        ));
        return Ok(None);
    };
    let xattrs = if kind == Kind::Symlink {
        Vec::new()
    } else {
        read_xattrs(path)?
    };
    let entry = Entry {
        path: rel,
        kind,
        size: if kind == Kind::File { meta.size() } else { 0 },
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        mtime_sec: meta.mtime(),
        mtime_nsec: meta.mtime_nsec() as u32,
        hash: None,
        target,
        xattrs: xattr_digest(&xattrs),
    };
    Ok(Some(Scanned {
        entry,
        xattrs,
        allocated: meta.blocks() * 512,
        rdev: meta.rdev(),
        atime: (meta.atime(), meta.atime_nsec()),
    }))
}

/// Every extended attribute of `path` (not following symlinks), sorted by name. A filesystem
/// without xattr support has none.
pub fn read_xattrs(path: &Path) -> Result<Vec<(OsString, Vec<u8>)>, DataError> {
    let names = match xattr::list(path) {
        Ok(names) => names,
        Err(e) if unsupported(&e) => return Ok(Vec::new()),
        Err(e) => return Err(DataError::io(path, e)),
    };
    let mut out = Vec::new();
    for name in names {
        match xattr::get(path, &name) {
            Ok(Some(value)) => out.push((name, value)),
            Ok(None) => {}
            Err(e) if unsupported(&e) => {}
            Err(e) => return Err(DataError::io(path, e)),
        }
    }
    out.sort();
    Ok(out)
}

pub fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || e.raw_os_error() == Some(rustix::io::Errno::OPNOTSUPP.raw_os_error())
}

/// BLAKE3 over the sorted (name, value) pairs; `None` when there are none.
pub fn xattr_digest(xattrs: &[(OsString, Vec<u8>)]) -> Option<Hash> {
    if xattrs.is_empty() {
        return None;
    }
    let mut h = blake3::Hasher::new();
    for (name, value) in xattrs {
        h.update(name.as_bytes());
        h.update(&[0]);
        h.update(&(value.len() as u64).to_le_bytes());
        h.update(value);
    }
    Some(*h.finalize().as_bytes())
}
