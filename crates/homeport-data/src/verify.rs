//! Verify a tree against a manifest: every entry present with the recorded kind, content
//! (BLAKE3), size, mode, owner, mtime, link target and extended attributes; nothing extra.

use crate::entry::{hex, path_order, Entry, Kind};
use crate::error::DataError;
use crate::progress::Progress;
use crate::scan::{self, join, Tree};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::path::Path;

/// One difference between the manifest and the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The entry's path as the manifest writes it.
    pub path: String,
    /// `missing`, `extra`, `type`, `content`, `size`, `mode`, `owner`, `mtime`, `target`,
    /// `xattrs`.
    pub what: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{:<8} {}", self.what, self.path)
        } else {
            write!(f, "{:<8} {}: {}", self.what, self.path, self.detail)
        }
    }
}

/// Fill in the content hash of every file of `tree` (read in parallel, holes skipped).
pub fn hash_files(root: &Path, tree: &mut Tree, quiet: bool) -> Result<(), DataError> {
    let total = tree.total_file_bytes();
    let count = tree.files().count() as u64;
    let progress = Progress::start("verify", total, count, quiet);
    let counters = progress.counters.clone();
    let result = tree
        .entries
        .par_iter_mut()
        .filter(|s| s.entry.kind == Kind::File)
        .try_for_each(|s| {
            let path = join(root, &s.entry.path);
            let file = std::fs::File::open(&path).map_err(|e| DataError::io(&path, e))?;
            let hash = crate::content::hash_file(&file, s.entry.size)
                .map_err(|e| DataError::io(&path, e))?;
            s.entry.hash = Some(hash);
            counters.add(s.entry.size);
            Ok(())
        });
    progress.finish();
    result
}

/// Compare `dir` with `expected` (manifest order). An empty result means they match.
pub fn verify(expected: &[Entry], dir: &Path, quiet: bool) -> Result<Vec<Difference>, DataError> {
    if !dir.is_dir() {
        return Err(DataError::Source {
            path: dir.to_path_buf(),
            why: "is not a directory".into(),
        });
    }
    let mut tree = scan::scan(dir)?;
    hash_files(dir, &mut tree, quiet)?;
    // A filesystem's own `lost+found` at the top of DIR (a fresh ext4 volume) is not part of
    // the tree unless the manifest lists it.
    let keep_lost_found = expected.iter().any(|e| e.path == LOST_FOUND);
    let found: Vec<Entry> = tree
        .entries
        .into_iter()
        .map(|s| s.entry)
        .filter(|e| keep_lost_found || !is_lost_found(&e.path))
        .collect();
    let mut expected: Vec<&Entry> = expected.iter().collect();
    expected.sort_by(|a, b| path_order(&a.path, &b.path));
    Ok(compare(&expected, &found))
}

pub const LOST_FOUND: &[u8] = b"lost+found";

/// `lost+found` at the top of a tree, or inside it.
pub fn is_lost_found(path: &[u8]) -> bool {
    path == LOST_FOUND || path.starts_with(b"lost+found/")
}

fn compare(expected: &[&Entry], found: &[Entry]) -> Vec<Difference> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < expected.len() || j < found.len() {
        let order = match (expected.get(i), found.get(j)) {
            (Some(e), Some(f)) => path_order(&e.path, &f.path),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                let e = expected[i];
                out.push(diff(e, "missing", e.kind.describe().to_string()));
                i += 1;
            }
            Ordering::Greater => {
                let f = &found[j];
                out.push(diff(f, "extra", f.kind.describe().to_string()));
                j += 1;
            }
            Ordering::Equal => {
                compare_entry(expected[i], &found[j], &mut out);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn compare_entry(e: &Entry, f: &Entry, out: &mut Vec<Difference>) {
    if e.kind != f.kind {
        out.push(diff(
            e,
            "type",
            format!(
                "expected {}, found {}",
                e.kind.describe(),
                f.kind.describe()
            ),
        ));
        return;
    }
    if e.size != f.size {
        out.push(diff(
            e,
            "size",
            format!("expected {}, found {}", e.size, f.size),
        ));
    }
    if e.hash != f.hash {
        let show = |h: &Option<[u8; 32]>| h.as_ref().map(hex).unwrap_or_else(|| "none".into());
        out.push(diff(
            e,
            "content",
            format!("expected blake3 {}, found {}", show(&e.hash), show(&f.hash)),
        ));
    }
    if e.mode != f.mode {
        out.push(diff(
            e,
            "mode",
            format!("expected {:04o}, found {:04o}", e.mode, f.mode),
        ));
    }
    if (e.uid, e.gid) != (f.uid, f.gid) {
        out.push(diff(
            e,
            "owner",
            format!("expected {}:{}, found {}:{}", e.uid, e.gid, f.uid, f.gid),
        ));
    }
    if (e.mtime_sec, e.mtime_nsec) != (f.mtime_sec, f.mtime_nsec) {
        out.push(diff(
            e,
            "mtime",
            format!(
                "expected {}.{:09}, found {}.{:09}",
                e.mtime_sec, e.mtime_nsec, f.mtime_sec, f.mtime_nsec
            ),
        ));
    }
    if e.target != f.target {
        out.push(diff(
            e,
            "target",
            format!(
                "expected {}, found {}",
                crate::escape::encode(&e.target),
                crate::escape::encode(&f.target)
            ),
        ));
    }
    if e.xattrs != f.xattrs {
        out.push(diff(
            e,
            "xattrs",
            "extended attributes or ACLs differ".into(),
        ));
    }
}

fn diff(e: &Entry, what: &'static str, detail: String) -> Difference {
    Difference {
        path: e.display_path(),
        what,
        detail,
    }
}
