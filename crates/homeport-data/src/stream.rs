//! The tree as a byte stream, for claims only reachable through a pod:
//! `homeport data send SRC | kubectl exec -i POD -- homeport data receive /data --manifest M`.
//!
//! Format (integers little-endian):
//! * `homeport-data-stream v1\n`, then `H` u64 entry count, u64 bytes to allocate.
//! * Per entry, in manifest order: `E` u32 length + the entry's manifest line (no hash),
//!   i64 atime seconds, i64 atime nanoseconds, u64 device number, u32 xattr count and each
//!   xattr as u32 + name, u32 + value; for a file, its data segments as `D` u64 offset,
//!   u32 length + bytes (holes are not sent), then `Z` + the sender's 32-byte BLAKE3.
//! * `T` u64 entry count.
//!
//! The receiver hashes what it writes and refuses a file whose hash is not the sender's, so a
//! damaged or cut stream never passes; at the end it writes the manifest and verifies DST.

use crate::apply::Apply;
use crate::entry::{Entry, Hash, Kind};
use crate::error::DataError;
use crate::scan::{self, join};
use crate::verify::{self, Difference};
use crate::{manifest, preflight};
use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

const MAGIC: &[u8] = b"homeport-data-stream v1\n";
/// Larger records are refused (a damaged length must not allocate gigabytes).
const MAX_RECORD: u32 = 64 << 20;

#[derive(Debug, Default)]
pub struct SendReport {
    pub entries: u64,
    pub bytes: u64,
    pub skipped: Vec<String>,
}

/// Write the tree at `src` to `out`; with `manifest`, also write the source's manifest there.
pub fn send(
    src: &Path,
    out: &mut impl Write,
    manifest_path: Option<&Path>,
) -> Result<SendReport, DataError> {
    preflight::check_source(src)?;
    if let Some(m) = manifest_path {
        preflight::check_manifest_place(m, &[src])?;
    }
    let tree = scan::scan(src)?;
    let pipe = |e: std::io::Error| DataError::Stream(format!("writing the stream: {e}"));
    let allocated: u64 = tree.entries.iter().map(|s| s.allocated).sum();
    out.write_all(MAGIC).map_err(pipe)?;
    out.write_all(b"H").map_err(pipe)?;
    out.write_all(&(tree.entries.len() as u64).to_le_bytes())
        .map_err(pipe)?;
    out.write_all(&allocated.to_le_bytes()).map_err(pipe)?;
    let mut entries = Vec::with_capacity(tree.entries.len());
    let mut report = SendReport {
        skipped: tree.skipped.clone(),
        ..SendReport::default()
    };
    for s in &tree.entries {
        let mut header = Vec::new();
        let line = s.entry.to_line();
        header.push(b'E');
        put_bytes(&mut header, line.as_bytes());
        header.extend_from_slice(&s.atime.0.to_le_bytes());
        header.extend_from_slice(&s.atime.1.to_le_bytes());
        header.extend_from_slice(&s.rdev.to_le_bytes());
        header.extend_from_slice(&(s.xattrs.len() as u32).to_le_bytes());
        for (name, value) in &s.xattrs {
            put_bytes(&mut header, name.as_bytes());
            put_bytes(&mut header, value);
        }
        out.write_all(&header).map_err(pipe)?;
        let mut entry = s.entry.clone();
        if s.entry.kind == Kind::File {
            let path = join(src, &s.entry.path);
            let file = std::fs::File::open(&path).map_err(|e| DataError::io(&path, e))?;
            let mut write_err = None;
            let hash = crate::content::read_content(&file, s.entry.size, |offset, bytes| {
                let mut rec = Vec::with_capacity(13);
                rec.push(b'D');
                rec.extend_from_slice(&offset.to_le_bytes());
                rec.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                let r = out.write_all(&rec).and_then(|_| out.write_all(bytes));
                if let Err(e) = &r {
                    write_err = Some(e.to_string());
                }
                r
            })
            .map_err(|e| match write_err.take() {
                Some(w) => DataError::Stream(format!("writing the stream: {w}")),
                None => DataError::io(&path, e),
            })?;
            out.write_all(b"Z").map_err(pipe)?;
            out.write_all(&hash).map_err(pipe)?;
            entry.hash = Some(hash);
            report.bytes += s.entry.size;
        }
        entries.push(entry);
        report.entries += 1;
    }
    out.write_all(b"T").map_err(pipe)?;
    out.write_all(&report.entries.to_le_bytes()).map_err(pipe)?;
    out.flush().map_err(pipe)?;
    if let Some(m) = manifest_path {
        manifest::write(m, &entries)?;
    }
    Ok(report)
}

#[derive(Debug, Clone, Default)]
pub struct ReceiveOptions {
    pub chown: Option<(u32, u32)>,
    pub quiet: bool,
}

#[derive(Debug, Default)]
pub struct ReceiveReport {
    pub entries: u64,
    pub bytes: u64,
    pub xattrs_dropped: bool,
    /// DST's own directory could not be given the source root's owner, mode and times (it is
    /// not ours): it kept its own, and the manifest says so.
    pub root_kept: bool,
    pub differences: Vec<Difference>,
}

/// Read a stream from `input` into `dst` (absent or empty), write the manifest, verify.
pub fn receive(
    input: &mut impl Read,
    dst: &Path,
    manifest_path: &Path,
    opts: &ReceiveOptions,
) -> Result<ReceiveReport, DataError> {
    preflight::check_manifest_place(manifest_path, &[dst])?;
    if dst.is_dir() {
        preflight::check_empty(dst)?;
    } else if dst.exists() {
        return Err(DataError::DestNotEmpty {
            path: dst.to_path_buf(),
            why: "exists and is not a directory".into(),
        });
    }
    preflight::check_writable(&preflight::existing_ancestor(&preflight::resolve(dst)))?;
    let mut r = Reader(input);
    let mut magic = vec![0u8; MAGIC.len()];
    r.exact(&mut magic)?;
    if magic != MAGIC {
        return Err(DataError::Stream(
            "it does not start with `homeport-data-stream v1`".into(),
        ));
    }
    r.tag(b'H')?;
    let count = r.u64()?;
    let allocated = r.u64()?;
    preflight::check_space(dst, allocated)?;
    std::fs::create_dir_all(dst).map_err(|e| DataError::io(dst, e))?;

    let apply = Apply::new(opts.chown);
    let mut report = ReceiveReport::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut dirs: Vec<(Entry, crate::scan::Xattrs, (i64, i64))> = Vec::new();
    let mut buf = Vec::new();
    // Entries may only be created inside directories this stream created (a symlink named
    // like a directory must not redirect later entries outside DST).
    let mut created_dirs: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    for _ in 0..count {
        r.tag(b'E')?;
        let line = r.bytes()?;
        let mut entry = std::str::from_utf8(&line)
            .ok()
            .and_then(Entry::from_line)
            .ok_or_else(|| DataError::Stream("a malformed entry".into()))?;
        if !safe_relative(&entry.path)
            || (entry.kind == Kind::HardLink && !safe_relative(&entry.target))
        {
            return Err(DataError::Stream(format!(
                "entry {} leaves the destination",
                entry.display_path()
            )));
        }
        let parent_ok = match entry.path.iter().rposition(|b| *b == b'/') {
            _ if entry.path.is_empty() => entry.kind == Kind::Dir,
            Some(i) => created_dirs.contains(&entry.path[..i]),
            None => created_dirs.contains(&b""[..]),
        };
        if !parent_ok {
            return Err(DataError::Stream(format!(
                "entry {} comes before its directory",
                entry.display_path()
            )));
        }
        let atime = (r.i64()?, r.i64()?);
        let rdev = r.u64()?;
        let n = r.u32()?;
        let mut xattrs = Vec::new();
        for _ in 0..n {
            let name = OsString::from_vec(r.bytes()?);
            xattrs.push((name, r.bytes()?));
        }
        let path = join(dst, &entry.path);
        match entry.kind {
            Kind::Dir => {
                apply.create_dir(&path)?;
                created_dirs.insert(entry.path.clone());
                dirs.push((entry.clone(), xattrs, atime));
            }
            Kind::File => {
                let hash = receive_file(&mut r, &path, &entry, &mut buf)?;
                entry.hash = Some(hash);
                let file = std::fs::File::open(&path).map_err(|e| DataError::io(&path, e))?;
                apply.finish_file(&file, &path, &entry, &xattrs, Some(atime))?;
                report.bytes += entry.size;
            }
            Kind::HardLink => apply.create_hard_link(&join(dst, &entry.target), &path)?,
            Kind::Symlink => apply.create_symlink(&path, &entry)?,
            Kind::Fifo | Kind::CharDevice | Kind::BlockDevice => {
                apply.create_special(&path, &entry, rdev)?;
                apply.finish_path(&path, &entry, &xattrs, Some(atime))?;
            }
        }
        entries.push(entry);
        report.entries += 1;
    }
    r.tag(b'T')?;
    if r.u64()? != count {
        return Err(DataError::Stream(
            "the entry count at the end does not match".into(),
        ));
    }
    for (entry, xattrs, atime) in dirs.iter().rev() {
        match apply.finish_path(&join(dst, &entry.path), entry, xattrs, Some(*atime)) {
            // The claim's root belongs to root (or the provisioner): a non-root receiver keeps
            // its owner, mode and times, and the manifest records them as they are.
            Err(DataError::Io { source, .. })
                if entry.path.is_empty()
                    && source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                report.root_kept = true;
            }
            other => other?,
        }
    }
    for e in entries.iter_mut() {
        let (uid, gid) = apply.owner(e);
        e.uid = uid;
        e.gid = gid;
        if !apply.xattrs_supported() {
            e.xattrs = None;
        }
    }
    report.xattrs_dropped = !apply.xattrs_supported();
    if report.root_kept {
        if let (Some(root), Ok(meta)) = (entries.first_mut(), std::fs::metadata(dst)) {
            use std::os::unix::fs::MetadataExt;
            root.mode = meta.mode() & 0o7777;
            root.uid = meta.uid();
            root.gid = meta.gid();
            root.mtime_sec = meta.mtime();
            root.mtime_nsec = meta.mtime_nsec() as u32;
            root.xattrs = crate::scan::xattr_digest(&crate::scan::read_xattrs(dst)?);
        }
    }
    if let Ok(dir) = std::fs::File::open(dst) {
        let _ = rustix::fs::syncfs(&dir);
    }
    manifest::write(manifest_path, &entries)?;
    report.differences = verify::verify(&entries, dst, opts.quiet)?;
    Ok(report)
}

/// Write one file's `D` records, check the `Z` hash.
fn receive_file<R: Read>(
    r: &mut Reader<R>,
    path: &Path,
    entry: &Entry,
    buf: &mut Vec<u8>,
) -> Result<Hash, DataError> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| DataError::io(path, e))?;
    file.set_len(entry.size)
        .map_err(|e| DataError::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    let mut pos = 0u64;
    loop {
        match r.u8()? {
            b'D' => {
                let offset = r.u64()?;
                let len = r.u32()?;
                if offset < pos || offset + u64::from(len) > entry.size || len > MAX_RECORD {
                    return Err(DataError::Stream(format!(
                        "a data record outside {}",
                        entry.display_path()
                    )));
                }
                buf.resize(len as usize, 0);
                r.exact(buf)?;
                crate::content::hash_zeros(&mut hasher, offset - pos);
                hasher.update(buf);
                file.write_all_at(buf, offset)
                    .map_err(|e| DataError::io(path, e))?;
                pos = offset + u64::from(len);
            }
            b'Z' => {
                crate::content::hash_zeros(&mut hasher, entry.size - pos);
                let mut sent = [0u8; 32];
                r.exact(&mut sent)?;
                let got = *hasher.finalize().as_bytes();
                if got != sent {
                    return Err(DataError::Stream(format!(
                        "the content of {} does not match the sender's BLAKE3",
                        entry.display_path()
                    )));
                }
                return Ok(got);
            }
            other => {
                return Err(DataError::Stream(format!(
                    "unexpected record {:?} in {}",
                    char::from(other),
                    entry.display_path()
                )))
            }
        }
    }
}

/// A relative path with no `..`, no empty or `.` components, not absolute.
fn safe_relative(path: &[u8]) -> bool {
    path.is_empty()
        || (!path.starts_with(b"/")
            && path
                .split(|b| *b == b'/')
                .all(|c| !c.is_empty() && c != b"." && c != b".."))
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

struct Reader<R>(R);

impl<R: Read> Reader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), DataError> {
        self.0
            .read_exact(buf)
            .map_err(|e| DataError::Stream(format!("reading the stream: {e} (cut short?)")))
    }
    fn u8(&mut self) -> Result<u8, DataError> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }
    fn tag(&mut self, want: u8) -> Result<(), DataError> {
        let got = self.u8()?;
        if got != want {
            return Err(DataError::Stream(format!(
                "expected record {:?}, found {:?}",
                char::from(want),
                char::from(got)
            )));
        }
        Ok(())
    }
    fn u32(&mut self) -> Result<u32, DataError> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, DataError> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn i64(&mut self) -> Result<i64, DataError> {
        Ok(self.u64()? as i64)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, DataError> {
        let len = self.u32()?;
        if len > MAX_RECORD {
            return Err(DataError::Stream("a record longer than 64 MiB".into()));
        }
        let mut v = vec![0u8; len as usize];
        self.exact(&mut v)?;
        Ok(v)
    }
}
