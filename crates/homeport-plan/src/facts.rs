//! Facts about the outside world, gathered before planning and passed in, so the planner
//! stays pure: what each image's registry config says (`homeport-images` fills
//! [`ImageFacts`], recorded in `homeport.lock`) and what the host's bind-mounted paths hold
//! (`homeport-host` fills [`HostPathFacts`]). Same facts in, same plan out.
//!
//! Empty facts are valid: the planner then decides from Compose and the knowledge base
//! alone, conservatively, and says so.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything gathered before planning.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Image reference as written in Compose (after interpolation) -> its facts.
    pub images: BTreeMap<String, ImageFacts>,
    /// Resolved absolute host path of a bind mount -> what is there.
    pub host: BTreeMap<String, HostPathFacts>,
    /// What network access gathering the image facts took (`offline`, the registries
    /// contacted, ...), reported in the plan.
    pub registry_access: String,
    /// Registries (normalised: `docker.io`, `ghcr.io`, `localhost:5000`) the user's Docker
    /// config has a login for, and how. Never the credential itself: the planner decides
    /// which pods need a pull secret; the renderer gets the credential separately.
    pub registry_logins: BTreeMap<String, RegistryLogin>,
    /// Image reference as written in Compose -> its normalised registry (from
    /// `homeport-images`' reference parser), for every service image, built ones included.
    pub image_registries: BTreeMap<String, String>,
}

/// How the user's Docker config logs in to a registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RegistryLogin {
    /// An `auths` entry holding the credential (`docker login` without a helper): homeport
    /// can write the pull secret from it.
    Auths,
    /// A credential helper (`credHelpers` entry or `credsStore`), named here
    /// (`docker-credential-<name>`): homeport does not run it, the user supplies the data.
    Helper(String),
}

impl Facts {
    pub fn image(&self, reference: &str) -> Option<&ImageFacts> {
        self.images.get(reference)
    }

    /// The normalised registry of an image reference as written in Compose.
    pub fn registry_of(&self, image: &str) -> Option<&str> {
        self.image_registries.get(image).map(String::as_str)
    }

    /// How the Docker config logs in to `registry`, if it does.
    pub fn registry_login(&self, registry: &str) -> Option<&RegistryLogin> {
        self.registry_logins.get(registry)
    }

    pub fn host_path(&self, path: &str) -> Option<&HostPathFacts> {
        self.host.get(path)
    }
}

/// What an image's own config (in its registry, or pinned in `homeport.lock`) says. Field
/// names and forms follow the OCI image config (`config.User`, `config.ExposedPorts`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageFacts {
    /// Where these facts came from (`lock`, `registry`), for the plan's reasons. Not stored
    /// in the lock.
    #[serde(skip)]
    pub source: String,
    /// Content digest of what the reference resolved to (the index when multi-platform).
    pub digest: String,
    /// `config.User` as written: `""` (root), `"1000"`, `"1000:1000"`, `"nginx"`.
    pub user: String,
    /// uid and gid from the image's `/etc/passwd`, when read: for a named user, or a uid
    /// without a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<(u32, u32)>,
    /// `config.ExposedPorts` keys: `"8080/tcp"`, `"53/udp"`, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exposed_ports: Vec<String>,
    /// `config.Volumes` keys, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<ImageHealthcheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// `config.Env` as `NAME=value` lines, in the image's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workdir: String,
    /// `os/arch[/variant]` of every platform the reference offers, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// The image's `HEALTHCHECK` (Docker's config extension); durations in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageHealthcheck {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    pub test: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
}

/// Who the image's process runs as, read from `config.User`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFact<'a> {
    /// Empty, `0`, `root` (with any group).
    Root,
    /// A numeric non-root uid, with the gid when stated.
    Numeric { uid: u32, gid: Option<u32> },
    /// A name (`nginx`, `node:node`): its uid is only known from `/etc/passwd`.
    Named(&'a str),
}

impl ImageFacts {
    pub fn user_fact(&self) -> UserFact<'_> {
        let (u, g) = self
            .user
            .split_once(':')
            .map_or((self.user.as_str(), None), |(u, g)| (u, Some(g)));
        let gid = g.and_then(|g| g.parse::<u32>().ok());
        match u.trim() {
            "" | "0" | "root" => UserFact::Root,
            name => match name.parse::<u32>() {
                Ok(uid) => UserFact::Numeric { uid, gid },
                Err(_) => UserFact::Named(name),
            },
        }
    }

    /// Exposed ports as (port, protocol upper-case), sorted, unique.
    pub fn ports(&self) -> Vec<(u16, String)> {
        let mut out: Vec<(u16, String)> = self
            .exposed_ports
            .iter()
            .filter_map(|p| {
                let (port, proto) = p.split_once('/').unwrap_or((p.as_str(), "tcp"));
                Some((port.trim().parse().ok()?, proto.trim().to_ascii_uppercase()))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Architectures (`amd64`, `arm64`, `arm`) of the Linux platforms, sorted, unique.
    pub fn architectures(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .platforms
            .iter()
            .filter_map(|p| {
                let mut parts = p.split('/');
                let os = parts.next()?;
                let arch = parts.next()?;
                (os == "linux").then(|| arch.to_string())
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// What a bind-mounted host path holds, as seen from the machine running homeport (or as
/// `homeport.lock` recorded it where this machine does not have the path).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HostPathFacts {
    /// Where these facts came from: `host` (read now) or `lock` (`homeport.lock`, the path
    /// being absent or unreadable here), for the plan.
    #[serde(skip)]
    pub source: String,
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataMarker {
    pub engine: DataEngine,
    /// Sub-directory holding the files, relative to the inspected path (`""`: the path itself).
    pub at: String,
    /// Owner of that directory (authoritative for the database's user).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    fn user(u: &str) -> ImageFacts {
        ImageFacts {
            user: u.into(),
            ..ImageFacts::default()
        }
    }

    #[test]
    fn users() {
        assert_eq!(user("").user_fact(), UserFact::Root);
        assert_eq!(user("0:0").user_fact(), UserFact::Root);
        assert_eq!(user("root").user_fact(), UserFact::Root);
        assert_eq!(
            user("1000:1001").user_fact(),
            UserFact::Numeric {
                uid: 1000,
                gid: Some(1001)
            }
        );
        assert_eq!(user("nginx").user_fact(), UserFact::Named("nginx"));
    }

    #[test]
    fn ports_and_archs() {
        let f = ImageFacts {
            exposed_ports: vec!["9100/tcp".into(), "53/udp".into(), "x/tcp".into()],
            platforms: vec![
                "linux/arm/v7".into(),
                "linux/amd64".into(),
                "unknown/unknown".into(),
            ],
            ..ImageFacts::default()
        };
        assert_eq!(f.ports(), vec![(53, "UDP".into()), (9100, "TCP".into())]);
        assert_eq!(f.architectures(), vec!["amd64".to_string(), "arm".into()]);
    }
}
