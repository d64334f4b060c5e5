//! File access behind a trait, so tests and the fuzz target can load from memory.

use homeport_diag::input::{read_text, ReadError, MAX_INPUT_BYTES};
use indexmap::IndexMap;
use std::path::{Component, Path, PathBuf};

/// What the loader needs from a file system.
pub trait FileSystem {
    /// The text of a regular file; anything else (a FIFO, a device, a directory, too large,
    /// not UTF-8) is an error that says why.
    fn read_to_string(&self, path: &Path) -> Result<String, ReadError>;
    /// Whether something other than a directory exists at `path`. A FIFO or a device counts:
    /// reading it then says what it is, rather than calling it "not found".
    fn is_file(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
    /// Whether a file read later (a config or secret file) could be read: a regular file
    /// within the size cap. `Err` says why not.
    fn check_readable(&self, path: &Path) -> Result<(), ReadError> {
        let _ = path;
        Ok(())
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read_to_string(&self, path: &Path) -> Result<String, ReadError> {
        read_text(path, MAX_INPUT_BYTES)
    }
    fn is_file(&self, path: &Path) -> bool {
        std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn check_readable(&self, path: &Path) -> Result<(), ReadError> {
        let meta = homeport_diag::input::check_regular(path)?;
        if meta.len() > MAX_INPUT_BYTES {
            return Err(ReadError::TooLarge {
                limit: MAX_INPUT_BYTES,
            });
        }
        Ok(())
    }
}

/// An in-memory file system: absolute paths to file contents. Directories exist implicitly.
#[derive(Debug, Default, Clone)]
pub struct MemoryFs {
    pub files: IndexMap<PathBuf, String>,
}

impl MemoryFs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(clean_path(&path.into()), text.into());
        self
    }
}

impl FileSystem for MemoryFs {
    fn read_to_string(&self, path: &Path) -> Result<String, ReadError> {
        self.files
            .get(&clean_path(path))
            .cloned()
            .ok_or(ReadError::NotFound)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&clean_path(path))
    }
    fn is_dir(&self, path: &Path) -> bool {
        let dir = clean_path(path);
        self.files.keys().any(|f| f.starts_with(&dir) && *f != dir)
    }
}

/// Lexically normalise a path: drop `.` components and fold `..` (never touches the disk, so
/// symlinks are not resolved, as docker compose does not resolve them either).
pub fn clean_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `base.join(path)`, cleaned; absolute `path`s are returned cleaned.
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    clean_path(&base.join(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_folds_dots() {
        assert_eq!(clean_path(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(clean_path(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(clean_path(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(resolve(Path::new("/p"), "/abs"), PathBuf::from("/abs"));
    }

    #[test]
    fn memory_fs_has_implicit_dirs() {
        let fs = MemoryFs::new().with("/p/compose.yaml", "x");
        assert!(fs.is_file(Path::new("/p/./compose.yaml")));
        assert!(fs.is_dir(Path::new("/p")));
        assert!(!fs.is_dir(Path::new("/q")));
    }
}
