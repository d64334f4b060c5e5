//! One entry of a tree as the manifest records it, and its manifest line.
//!
//! A line is nine tab-separated fields:
//! `path  kind  size  mode  uid:gid  mtime  blake3  target  xattrs`
//! * `path`: relative to the tree root, percent-encoded (see `escape`); the root is `.`.
//! * `kind`: `d` directory, `f` file, `l` symlink, `h` hard link (to `target`, the first path
//!   of the same inode), `p` FIFO, `c`/`b` character/block device.
//! * `size`: bytes (files); `mode`: octal permission bits including setuid/setgid/sticky.
//! * `mtime`: `seconds.nanoseconds` (nine digits).
//! * `blake3`: hex hash of the content (files, holes read as zeros), else empty.
//! * `target`: symlink target or hard-link path (percent-encoded), device number, else empty.
//! * `xattrs`: BLAKE3 of the sorted extended attributes (names and values, POSIX ACLs
//!   included), empty when there are none.

use crate::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Dir,
    File,
    Symlink,
    HardLink,
    Fifo,
    CharDevice,
    BlockDevice,
}

impl Kind {
    pub fn letter(self) -> char {
        match self {
            Kind::Dir => 'd',
            Kind::File => 'f',
            Kind::Symlink => 'l',
            Kind::HardLink => 'h',
            Kind::Fifo => 'p',
            Kind::CharDevice => 'c',
            Kind::BlockDevice => 'b',
        }
    }

    fn from_letter(s: &str) -> Option<Kind> {
        Some(match s {
            "d" => Kind::Dir,
            "f" => Kind::File,
            "l" => Kind::Symlink,
            "h" => Kind::HardLink,
            "p" => Kind::Fifo,
            "c" => Kind::CharDevice,
            "b" => Kind::BlockDevice,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Kind::Dir => "directory",
            Kind::File => "file",
            Kind::Symlink => "symlink",
            Kind::HardLink => "hard link",
            Kind::Fifo => "fifo",
            Kind::CharDevice => "character device",
            Kind::BlockDevice => "block device",
        }
    }
}

pub type Hash = [u8; 32];

/// A tree entry. `path` is relative, raw bytes; empty for the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: Vec<u8>,
    pub kind: Kind,
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime_sec: i64,
    pub mtime_nsec: u32,
    pub hash: Option<Hash>,
    pub target: Vec<u8>,
    pub xattrs: Option<Hash>,
}

impl Entry {
    /// The path as the manifest and messages show it (`.` for the root).
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }

    pub fn to_line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{:o}\t{}:{}\t{}.{:09}\t{}\t{}\t{}",
            self.display_path(),
            self.kind.letter(),
            self.size,
            self.mode,
            self.uid,
            self.gid,
            self.mtime_sec,
            self.mtime_nsec,
            self.hash.as_ref().map(hex).unwrap_or_default(),
            escape::encode(&self.target),
            self.xattrs.as_ref().map(hex).unwrap_or_default(),
        )
    }

    /// Parse a manifest line; `None` when it is malformed.
    pub fn from_line(line: &str) -> Option<Entry> {
        let fields: Vec<&str> = line.split('\t').collect();
        let [path, kind, size, mode, owner, mtime, hash, target, xattrs] = fields[..] else {
            return None;
        };
        let path = if path == "." {
            Vec::new()
        } else {
            escape::decode(path)?
        };
        let (uid, gid) = owner.split_once(':')?;
        let (sec, nsec) = mtime.split_once('.')?;
        Some(Entry {
            path,
            kind: Kind::from_letter(kind)?,
            size: size.parse().ok()?,
            mode: u32::from_str_radix(mode, 8).ok()?,
            uid: uid.parse().ok()?,
            gid: gid.parse().ok()?,
            mtime_sec: sec.parse().ok()?,
            mtime_nsec: nsec.parse().ok()?,
            hash: optional_hash(hash)?,
            target: escape::decode(target)?,
            xattrs: optional_hash(xattrs)?,
        })
    }
}

pub fn display_path(path: &[u8]) -> String {
    if path.is_empty() {
        ".".to_string()
    } else {
        escape::encode(path)
    }
}

/// Manifest order: byte order of the path with `/` sorting before every other byte, so a
/// directory's entries follow it directly. Deterministic for any names.
pub fn path_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let key = |c: &u8| if *c == b'/' { 0u8 } else { *c };
    a.iter().map(key).cmp(b.iter().map(key))
}

pub fn hex(hash: &Hash) -> String {
    let mut s = String::with_capacity(64);
    for b in hash {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn optional_hash(text: &str) -> Option<Option<Hash>> {
    if text.is_empty() {
        return Some(None);
    }
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips() {
        let e = Entry {
            path: b"dir/odd\nname\xff".to_vec(),
            kind: Kind::File,
            size: 12,
            mode: 0o4755,
            uid: 1000,
            gid: 100,
            mtime_sec: -3,
            mtime_nsec: 7,
            hash: Some([0xab; 32]),
            target: Vec::new(),
            xattrs: Some([1; 32]),
        };
        let line = e.to_line();
        assert!(!line.contains('\n'));
        assert_eq!(Entry::from_line(&line), Some(e));
    }

    #[test]
    fn directories_sort_before_siblings_with_longer_names() {
        let mut paths: Vec<&[u8]> = vec![b"a-b", b"a/z", b"a", b""];
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, vec![&b""[..], b"a", b"a/z", b"a-b"]);
    }
}
