//! Facts about the outside world, gathered before planning and passed in, so the planner
//! stays pure: what each image's registry config says (`homeport-images` fills
//! [`ImageFacts`], recorded in `homeport.lock`) and what the host's bind-mounted paths hold
//! (`homeport-host` fills [`HostPathFacts`]). Same facts in, same plan out.
//!
//! Empty facts are valid: the planner then decides from Compose and the knowledge base
//! alone, conservatively, and says so.

use serde::Serialize;
use std::collections::BTreeMap;

/// Everything gathered before planning.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Image reference as written in Compose (after interpolation) -> its facts.
    pub images: BTreeMap<String, ImageFacts>,
    /// Resolved absolute host path of a bind mount -> what is there.
    pub host: BTreeMap<String, HostPathFacts>,
}

impl Facts {
    pub fn image(&self, reference: &str) -> Option<&ImageFacts> {
        self.images.get(reference)
    }

    pub fn host_path(&self, path: &str) -> Option<&HostPathFacts> {
        self.host.get(path)
    }
}

/// What an image's own config (in its registry, or pinned in `homeport.lock`) says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageFacts {
    /// Where these facts came from (`lock`, `registry`), for the plan's reasons.
    pub source: String,
}

/// What a bind-mounted host path holds, as seen from the machine running homeport.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HostPathFacts {
    /// False when the path does not exist (or could not be inspected).
    pub exists: bool,
    /// Why the path could not be inspected (permission denied, ...): the planner then decides
    /// conservatively and says so.
    pub error: Option<String>,
    pub kind: HostPathKind,
    /// Owner uid and gid, and permission bits (`0o755`), where the platform has them.
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub mode: Option<u32>,
    /// A file's size; a directory's total size of the files directly in it.
    pub size: u64,
    /// A directory without entries, or a file of zero bytes.
    pub empty: bool,
    /// Database files found in the directory (or one level below it).
    pub database: Option<DataMarker>,
    /// The contents of a small file, or of the regular files of a directory that holds only a
    /// few small files (the candidates for a ConfigMap). `None` for anything else, and never
    /// for host system paths (they are not read).
    pub files: Option<Vec<HostFile>>,
}

impl HostPathFacts {
    /// A directory with entries, or a non-empty file: data carried over from Compose.
    pub fn holds_data(&self) -> bool {
        self.exists && !self.empty
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostPathKind {
    #[default]
    Missing,
    File,
    Directory,
    Socket,
    Other,
}

/// One file read from the host for a ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostFile {
    /// File name (no directory).
    pub name: String,
    #[serde(skip)]
    pub content: crate::plan::FileContent,
}

/// Which database's files a directory holds, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataMarker {
    pub engine: DataEngine,
    /// Sub-directory holding the files, relative to the inspected path (`""`: the path itself).
    pub at: String,
    /// Owner of that directory (authoritative for the database's user).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataEngine {
    /// `PG_VERSION`
    Postgres,
    /// `ibdata1` or a `mysql/` directory
    Mysql,
    /// `WiredTiger`
    Mongo,
    /// `dump.rdb` or `appendonly*`
    Redis,
}

impl DataEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            DataEngine::Postgres => "PostgreSQL",
            DataEngine::Mysql => "MySQL/MariaDB",
            DataEngine::Mongo => "MongoDB",
            DataEngine::Redis => "Redis",
        }
    }
}

/// Host system paths: never read from the machine running homeport (they describe that
/// machine, not the node) and never an empty claim.
pub const HOST_SYSTEM_PATHS: &[&str] = &[
    "/proc",
    "/sys",
    "/",
    "/etc/passwd",
    "/etc/group",
    "/etc/shadow",
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/machine-id",
    "/lib/modules",
    "/usr/lib/modules",
    "/boot",
    "/dev",
    "/run",
    "/var/run",
    "/var/log",
    "/var/lib/docker",
    "/etc/ssl/certs",
];

/// Whether `path` (absolute, resolved) is or lies under a host system path.
pub fn is_host_system_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    HOST_SYSTEM_PATHS
        .iter()
        .any(|p| path == *p || (*p != "/" && path.starts_with(&format!("{p}/"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_paths() {
        for p in [
            "/etc/passwd",
            "/proc",
            "/sys/class",
            "/dev/dri",
            "/run/udev",
            "/var/log/",
            "/lib/modules",
            "/",
        ] {
            assert!(is_host_system_path(p), "{p}");
        }
        for p in ["/etc/nginx", "/srv/app", "/mnt/hdd/pg", "/home/u/runner"] {
            assert!(!is_host_system_path(p), "{p}");
        }
    }
}
