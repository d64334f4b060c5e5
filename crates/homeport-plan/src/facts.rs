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
}

impl Facts {
    pub fn image(&self, reference: &str) -> Option<&ImageFacts> {
        self.images.get(reference)
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

/// What a bind-mounted host path holds, as seen from the machine running homeport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostPathFacts {
    /// False when the path does not exist (or could not be inspected).
    pub exists: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

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
