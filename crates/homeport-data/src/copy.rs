//! `homeport data copy SRC DST --manifest FILE [--resume] [--chown UID:GID]`.
//!
//! 1. Checks (nothing is written when one fails), then a walk of SRC.
//! 2. Directories, symlinks, FIFOs and devices are created in order; regular files are copied
//!    in parallel, hole-aware, hashed while read; finished files are journaled (`FILE.journal`,
//!    see `journal`) once they are on disk.
//! 3. Hard links, then directory metadata (deepest first), then the manifest is written
//!    atomically, the filesystem synced, and DST verified against the manifest (read again).
//!
//! Resume (after an interruption, or a final pass after a warm copy): a file whose journal or
//! manifest line matches the source's current size, mtime, mode, owner and
//! xattrs, and whose copy at DST has that size and mtime, is complete (its mtime is set only
//! after its content): it is kept and not read again. Everything else is written again, and
//! what SRC no longer has is removed from DST.

use crate::apply::{remove_non_dir, Apply};
use crate::entry::{Entry, Hash, Kind};
use crate::error::DataError;
use crate::journal::Journal;
use crate::progress::Progress;
use crate::scan::{self, join, Scanned};
use crate::verify::{self, Difference};
use crate::{manifest, preflight};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    pub resume: bool,
    pub chown: Option<(u32, u32)>,
    /// No progress output.
    pub quiet: bool,
}

#[derive(Debug, Default)]
pub struct CopyReport {
    pub entries: usize,
    pub files_copied: u64,
    pub bytes_copied: u64,
    /// Files kept from an interrupted run (`--resume`), not copied again.
    pub files_kept: u64,
    pub bytes_kept: u64,
    /// Entries removed from DST because SRC no longer has them (`--resume`).
    pub removed: u64,
    /// Files that disappeared from SRC while it was copied (a live tree), not copied.
    pub vanished: Vec<String>,
    /// What was left out, with why (sockets).
    pub skipped: Vec<String>,
    /// The destination does not support extended attributes: they were not copied.
    pub xattrs_dropped: bool,
    /// Differences found by the final verification (empty: DST matches the manifest).
    pub differences: Vec<Difference>,
}

/// A copied file: its index in the walk, its size and the BLAKE3 of its content.
type Copied = (usize, u64, Hash);

/// The journal of finished files next to the manifest.
pub fn journal_path(manifest: &Path) -> PathBuf {
    let mut name = manifest.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    manifest.with_file_name(name)
}

pub fn copy(
    src: &Path,
    dst: &Path,
    manifest_path: &Path,
    opts: &CopyOptions,
) -> Result<CopyReport, DataError> {
    preflight::check_source(src)?;
    preflight::check_destination(src, dst, opts.resume)?;
    preflight::check_manifest_place(manifest_path, &[src, dst])?;
    let journal = journal_path(manifest_path);
    if journal.exists() && !opts.resume {
        return Err(DataError::Interrupted {
            dst: dst.to_path_buf(),
            journal,
        });
    }
    let tree = scan::scan(src)?;
    preflight::check_owners(&tree, opts.chown)?;
    let apply = Apply::new(opts.chown);
    let kept = if opts.resume {
        complete_files(manifest_path, &journal, dst, &tree, &apply)
    } else {
        HashMap::new()
    };
    let needed: u64 = tree
        .entries
        .iter()
        .filter(|s| !kept.contains_key(&s.entry.path))
        .map(|s| match s.entry.kind {
            Kind::File => s.allocated,
            Kind::Dir => 4096,
            _ => 0,
        })
        .sum();
    preflight::check_space(dst, needed)?;

    // Nothing was written so far. From here on, the journal records progress.
    let removed = if opts.resume {
        remove_extras(dst, &tree)?
    } else {
        0
    };
    std::fs::create_dir_all(dst).map_err(|e| DataError::io(dst, e))?;
    let journal_file = Journal::open(&journal, dst)?;

    for s in &tree.entries {
        let path = join(dst, &s.entry.path);
        match s.entry.kind {
            Kind::Dir => apply.create_dir(&path)?,
            Kind::Symlink => apply.create_symlink(&path, &s.entry)?,
            Kind::Fifo | Kind::CharDevice | Kind::BlockDevice => {
                apply.create_special(&path, &s.entry, s.rdev)?;
                apply.finish_path(&path, &s.entry, &s.xattrs, Some(s.atime))?;
            }
            Kind::File | Kind::HardLink => {}
        }
    }

    let to_copy: Vec<usize> = (0..tree.entries.len())
        .filter(|&i| {
            let e = &tree.entries[i].entry;
            e.kind == Kind::File && !kept.contains_key(&e.path)
        })
        .collect();
    let bytes: u64 = to_copy.iter().map(|&i| tree.entries[i].entry.size).sum();
    let progress = Progress::start("copy", bytes, to_copy.len() as u64, opts.quiet);
    let counters = progress.counters.clone();
    // Ok(None): the file vanished from SRC since the walk (a live tree: a temporary file).
    let copied: Result<Vec<Option<Copied>>, DataError> = to_copy
        .par_iter()
        .map(|&i| {
            let s = &tree.entries[i];
            let path = join(dst, &s.entry.path);
            if opts.resume {
                remove_non_dir(&path)?;
            }
            let from = join(src, &s.entry.path);
            let (size, hash) = match copy_file(&from, &path, s, &apply) {
                Ok(done) => done,
                Err(_) if std::fs::symlink_metadata(&from).is_err() => return Ok(None),
                Err(e) => return Err(e),
            };
            let mut done = s.entry.clone();
            done.size = size;
            done.hash = Some(hash);
            finish_entry(&mut done, &apply);
            journal_file.finished(&done.to_line(), size);
            counters.add(size);
            Ok(Some((i, size, hash)))
        })
        .collect();
    progress.finish();
    let copied: Vec<Copied> = copied?.into_iter().flatten().collect();
    journal_file.close()?;
    let copied_paths: std::collections::HashSet<&[u8]> = copied
        .iter()
        .map(|(i, _, _)| tree.entries[*i].entry.path.as_slice())
        .collect();
    let vanished: std::collections::HashSet<Vec<u8>> = to_copy
        .iter()
        .map(|&i| &tree.entries[i].entry.path)
        .filter(|p| !copied_paths.contains(p.as_slice()))
        .cloned()
        .collect();

    for s in &tree.entries {
        if s.entry.kind == Kind::HardLink && !vanished.contains(&s.entry.target) {
            apply.create_hard_link(&join(dst, &s.entry.target), &join(dst, &s.entry.path))?;
        }
    }
    for s in tree
        .entries
        .iter()
        .rev()
        .filter(|s| s.entry.kind == Kind::Dir)
    {
        apply.finish_path(
            &join(dst, &s.entry.path),
            &s.entry,
            &s.xattrs,
            Some(s.atime),
        )?;
    }

    let mut report = CopyReport {
        entries: tree.entries.len(),
        skipped: tree.skipped.clone(),
        xattrs_dropped: !apply.xattrs_supported(),
        removed,
        ..CopyReport::default()
    };
    let mut entries: Vec<Entry> = tree.entries.iter().map(|s| s.entry.clone()).collect();
    for (i, size, hash) in copied {
        entries[i].size = size;
        entries[i].hash = Some(hash);
        report.files_copied += 1;
        report.bytes_copied += size;
    }
    // Files that vanished from SRC during the copy (and hard links to them) are not in it.
    entries.retain(|e| {
        let gone = vanished.contains(&e.path)
            || (e.kind == Kind::HardLink && vanished.contains(&e.target));
        if gone {
            report.vanished.push(e.display_path());
        }
        !gone
    });
    for e in entries.iter_mut() {
        if let Some(done) = kept.get(&e.path) {
            e.hash = done.hash;
            report.files_kept += 1;
            report.bytes_kept += e.size;
        }
    }
    // Hard links carry the size of the file they point at (as a walk of DST sees them).
    for e in entries.iter_mut() {
        finish_entry(e, &apply);
    }
    sync(dst);
    manifest::write(manifest_path, &entries)?;
    report.differences = verify::verify(&entries, dst, opts.quiet)?;
    if report.differences.is_empty() {
        let _ = std::fs::remove_file(&journal);
    }
    Ok(report)
}

/// The manifest form of a source entry: the destination's owner, and no xattrs when the
/// destination cannot hold them.
fn finish_entry(e: &mut Entry, apply: &Apply) {
    let (uid, gid) = apply.owner(e);
    e.uid = uid;
    e.gid = gid;
    if !apply.xattrs_supported() {
        e.xattrs = None;
    }
}

/// Copy one regular file: content (holes stay holes), then owner, xattrs, mode, times.
fn copy_file(src: &Path, dst: &Path, s: &Scanned, apply: &Apply) -> Result<(u64, Hash), DataError> {
    let from = File::open(src).map_err(|e| DataError::io(src, e))?;
    let size = from.metadata().map_err(|e| DataError::io(src, e))?.len();
    let to = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(dst)
        .map_err(|e| DataError::io(dst, e))?;
    to.set_len(size).map_err(|e| DataError::io(dst, e))?;
    let hash =
        crate::content::read_content(&from, size, |offset, bytes| to.write_all_at(bytes, offset))
            .map_err(|e| DataError::io(src, e))?;
    let mut entry = s.entry.clone();
    entry.size = size;
    apply.finish_file(&to, dst, &entry, &s.xattrs, Some(s.atime))?;
    Ok((size, hash))
}

/// Files an interrupted run finished: journal line matches the source now, and the copy at
/// DST has the journal's size and mtime.
fn complete_files(
    manifest: &Path,
    journal: &Path,
    dst: &Path,
    tree: &scan::Tree,
    apply: &Apply,
) -> HashMap<Vec<u8>, Entry> {
    // The manifest of an earlier complete run (a warm copy before the cutover), then the
    // journal of the interrupted one: later lines win.
    let mut text = std::fs::read_to_string(manifest).unwrap_or_default();
    text.push('\n');
    text.push_str(&std::fs::read_to_string(journal).unwrap_or_default());
    let mut done: HashMap<Vec<u8>, Entry> = text
        .lines()
        .filter_map(Entry::from_line)
        .map(|e| (e.path.clone(), e))
        .collect();
    let mut kept = HashMap::new();
    for s in tree.files() {
        let Some(j) = done.remove(&s.entry.path) else {
            continue;
        };
        let mut now = s.entry.clone();
        finish_entry(&mut now, apply);
        let same_source = j.kind == Kind::File
            && j.size == now.size
            && (j.mtime_sec, j.mtime_nsec) == (now.mtime_sec, now.mtime_nsec)
            && j.mode == now.mode
            && (j.uid, j.gid) == (now.uid, now.gid)
            && (j.xattrs == now.xattrs || j.xattrs.is_none());
        let at_dst = std::fs::symlink_metadata(join(dst, &s.entry.path)).is_ok_and(|m| {
            m.is_file()
                && m.len() == j.size
                && (m.mtime(), m.mtime_nsec() as u32) == (j.mtime_sec, j.mtime_nsec)
        });
        if same_source && at_dst && j.hash.is_some() {
            kept.insert(s.entry.path.clone(), j);
        }
    }
    kept
}

/// With `--resume`, DST holds an earlier copy: entries no longer in SRC are removed (deepest
/// first), so DST ends identical to SRC. Returns how many were removed.
fn remove_extras(dst: &Path, tree: &scan::Tree) -> Result<u64, DataError> {
    if !dst.is_dir() {
        return Ok(0);
    }
    let wanted: std::collections::HashSet<&[u8]> = tree
        .entries
        .iter()
        .map(|s| s.entry.path.as_slice())
        .collect();
    let existing = scan::scan(dst)?;
    let mut removed = 0;
    for s in existing.entries.iter().rev() {
        if !wanted.contains(s.entry.path.as_slice()) && !crate::verify::is_lost_found(&s.entry.path)
        {
            remove_non_dir(&join(dst, &s.entry.path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Make the copy durable before the manifest says it is there.
fn sync(dst: &Path) {
    if let Ok(dir) = File::open(dst) {
        let _ = rustix::fs::syncfs(&dir);
    }
}
