//! The manifest file: a header line, then one [`Entry`] line per entry in path order.
//! Written atomically (temporary file, then rename).

use crate::entry::Entry;
use crate::error::DataError;
use std::io::Write;
use std::path::Path;

pub const HEADER: &str =
    "# homeport data manifest v1: path kind size mode uid:gid mtime blake3 target xattrs";

/// Write `entries` (already in path order) to `path`, atomically.
pub fn write(path: &Path, entries: &[Entry]) -> Result<(), DataError> {
    let mut text = String::with_capacity(entries.len() * 120 + HEADER.len() + 1);
    text.push_str(HEADER);
    text.push('\n');
    for e in entries {
        text.push_str(&e.to_line());
        text.push('\n');
    }
    let tmp = temp_path(path);
    let io = |e| DataError::io(path, e);
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Read a manifest; every line must parse.
pub fn read(path: &Path) -> Result<Vec<Entry>, DataError> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Vec<Entry>, DataError> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.starts_with("# homeport data manifest v1") => {}
        _ => {
            return Err(DataError::BadManifest {
                path: path.to_path_buf(),
                line: 1,
                why: "the first line is not `# homeport data manifest v1`".into(),
            })
        }
    }
    let mut entries = Vec::new();
    for (n, line) in lines {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = Entry::from_line(line).ok_or_else(|| DataError::BadManifest {
            path: path.to_path_buf(),
            line: n + 1,
            why: "expected nine tab-separated fields: path kind size mode uid:gid mtime blake3 target xattrs".into(),
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

fn temp_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
