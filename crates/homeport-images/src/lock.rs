//! `homeport.lock`: the image facts a project's runs resolved, keyed by canonical reference
//! (`docker.io/library/redis:7`), with the digest each reference pointed to. Like
//! `Cargo.lock`, later runs read it before asking any registry, so output does not change
//! when a tag moves. The text is deterministic: sorted keys, two-space JSON, one trailing
//! newline.
//!
//! Its `host` table records what the project's bind-mounted host paths held when last seen
//! (`homeport-host`), kept as it is by image resolution.

use homeport_host::LockedHostPath;
use homeport_plan::facts::ImageFacts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The lock file's name, next to the first compose file.
pub const LOCK_FILE: &str = "homeport.lock";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Canonical reference -> facts (source not stored).
    pub images: BTreeMap<String, ImageFacts>,
    /// Host path relative to the project directory (absolute outside it) -> what it held.
    pub host: BTreeMap<String, LockedHostPath>,
}

#[derive(Serialize, Deserialize)]
struct LockFile {
    version: u32,
    images: BTreeMap<String, ImageFacts>,
    /// Absent when empty: a lock without bind mounts reads as it always did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    host: BTreeMap<String, LockedHostPath>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a homeport.lock: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Lock {
    /// Read the lock at `path`; an empty lock when there is none.
    pub fn read(path: &Path) -> Result<Lock, LockError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(source) => {
                return Err(LockError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        Self::parse(&text).map_err(|message| LockError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Lock, String> {
        let file: LockFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!(
                "version {} is not supported (this homeport writes version {VERSION})",
                file.version
            ));
        }
        Ok(Lock {
            images: file.images,
            host: file.host,
        })
    }

    /// The lock's text (deterministic).
    pub fn to_text(&self) -> String {
        let file = LockFile {
            version: VERSION,
            images: self.images.clone(),
            host: self.host.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Write the lock to `path` unless the file already holds exactly this text (through a
    /// temporary file and a rename, so a reader never sees half a lock). True when written.
    pub fn write_if_changed(&self, path: &Path) -> Result<bool, LockError> {
        let text = self.to_text();
        if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
            return Ok(false);
        }
        let err = |source| LockError::Write {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("lock.tmp");
        std::fs::write(&tmp, &text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e)
        })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_deterministic() {
        let mut lock = Lock::default();
        for name in ["docker.io/library/redis:7", "ghcr.io/a/b:1"] {
            lock.images.insert(
                name.into(),
                ImageFacts {
                    digest: "sha256:00".into(),
                    user: "999".into(),
                    exposed_ports: vec!["6379/tcp".into()],
                    source: "registry".into(),
                    ..ImageFacts::default()
                },
            );
        }
        let text = lock.to_text();
        assert!(!text.contains("registry\""), "source is not stored: {text}");
        assert!(
            !text.contains("\"host\""),
            "no host table when empty: {text}"
        );
        lock.host.insert(
            "pg".into(),
            LockedHostPath {
                kind: homeport_plan::facts::HostPathKind::Directory,
                mode: Some("0700".into()),
                ..LockedHostPath::default()
            },
        );
        let with_host = lock.to_text();
        assert!(with_host.contains("\"mode\": \"0700\""), "{with_host}");
        assert_eq!(Lock::parse(&with_host).unwrap().host, lock.host);
        lock.host.clear();
        let back = Lock::parse(&text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.images["docker.io/library/redis:7"].user, "999");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        assert!(lock.write_if_changed(&path).unwrap());
        assert!(!lock.write_if_changed(&path).unwrap());
        assert_eq!(Lock::read(&path).unwrap().to_text(), text);
    }

    #[test]
    fn missing_and_broken_locks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        assert_eq!(Lock::read(&path).unwrap(), Lock::default());
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(Lock::read(&path), Err(LockError::Invalid { .. })));
        std::fs::write(&path, r#"{"version": 9, "images": {}}"#).unwrap();
        assert!(matches!(Lock::read(&path), Err(LockError::Invalid { .. })));
    }
}
