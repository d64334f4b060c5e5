//! Errors of the data commands, each with the diagnostic code and help the CLI prints.

use std::path::{Path, PathBuf};

/// Diagnostic codes (HP13xx).
pub mod codes {
    /// SRC is missing or not a directory.
    pub const SOURCE: &str = "HP1301";
    /// DST is SRC or inside it.
    pub const DEST_INSIDE_SOURCE: &str = "HP1302";
    /// DST is not empty (and `--resume` was not given), or not a directory.
    pub const DEST_NOT_EMPTY: &str = "HP1303";
    /// DST (or the manifest's directory) is not writable.
    pub const NOT_WRITABLE: &str = "HP1304";
    /// Not enough free space at DST.
    pub const NO_SPACE: &str = "HP1305";
    /// Owners cannot be preserved (not root and no `--chown`).
    pub const OWNERS: &str = "HP1306";
    /// The manifest cannot be read or is malformed.
    pub const MANIFEST: &str = "HP1307";
    /// Reading or writing failed during the copy.
    pub const IO: &str = "HP1308";
    /// A previous copy was interrupted: rerun with `--resume`.
    pub const INTERRUPTED: &str = "HP1309";
    /// The stream is malformed or was cut short.
    pub const STREAM: &str = "HP1310";
    /// The manifest would be written inside SRC or DST.
    pub const MANIFEST_PLACE: &str = "HP1311";
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("source {} {why}", path.display())]
    Source { path: PathBuf, why: String },
    #[error("destination {} is inside the source {}", dst.display(), src.display())]
    DestInsideSource { src: PathBuf, dst: PathBuf },
    #[error("destination {} {why}", path.display())]
    DestNotEmpty { path: PathBuf, why: String },
    #[error("{} is not writable: {why}", path.display())]
    NotWritable { path: PathBuf, why: String },
    #[error("not enough space at {}: {needed} bytes needed, {free} bytes free", path.display())]
    NoSpace {
        path: PathBuf,
        needed: u64,
        free: u64,
    },
    #[error(
        "running as uid {euid}, owners of {count} entries (first: {first}) cannot be preserved"
    )]
    Owners {
        euid: u32,
        count: usize,
        first: String,
    },
    #[error("{}:{line}: not a homeport data manifest line: {why}", path.display())]
    BadManifest {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a previous copy into {} was interrupted (journal {})", dst.display(), journal.display())]
    Interrupted { dst: PathBuf, journal: PathBuf },
    #[error("invalid stream: {0}")]
    Stream(String),
    #[error("the manifest {} would be written inside {}", manifest.display(), tree.display())]
    ManifestPlace { manifest: PathBuf, tree: PathBuf },
}

impl DataError {
    pub fn io(path: &Path, source: std::io::Error) -> DataError {
        DataError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            DataError::Source { .. } => codes::SOURCE,
            DataError::DestInsideSource { .. } => codes::DEST_INSIDE_SOURCE,
            DataError::DestNotEmpty { .. } => codes::DEST_NOT_EMPTY,
            DataError::NotWritable { .. } => codes::NOT_WRITABLE,
            DataError::NoSpace { .. } => codes::NO_SPACE,
            DataError::Owners { .. } => codes::OWNERS,
            DataError::BadManifest { .. } => codes::MANIFEST,
            DataError::Io { .. } => codes::IO,
            DataError::Interrupted { .. } => codes::INTERRUPTED,
            DataError::Stream(_) => codes::STREAM,
            DataError::ManifestPlace { .. } => codes::MANIFEST_PLACE,
        }
    }

    pub fn help(&self) -> Option<&'static str> {
        Some(match self {
            DataError::Source { .. } => "give the directory that holds the data (a bind mount's host path or /var/lib/docker/volumes/<project>_<volume>/_data)",
            DataError::DestInsideSource { .. } => "copy to a directory outside the source tree",
            DataError::DestNotEmpty { .. } => "give an empty or absent directory, or --resume to finish an interrupted copy into it",
            DataError::NotWritable { .. } => "check the permissions and that the filesystem is mounted read-write",
            DataError::NoSpace { .. } => "free space at the destination or copy to a larger volume",
            DataError::Owners { .. } => "run as root to keep owners, or map every entry to the pod's user with --chown UID:GID",
            DataError::BadManifest { .. } => "give a manifest written by `homeport data copy` or `homeport data send`",
            DataError::Io { .. } => return None,
            DataError::Interrupted { .. } => "rerun with --resume to finish it without copying complete files again",
            DataError::Stream(_) => "the sender stopped early or the stream was altered; run the copy again",
            DataError::ManifestPlace { .. } => "write the manifest outside both trees (it would be copied or reported as an extra file)",
        })
    }
}
