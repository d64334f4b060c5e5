//! Host facts in `homeport.lock`: what each bind-mounted path held when it was last seen, so a
//! later run on a machine without those paths (planning on a laptop for the server's data)
//! plans the same. Keyed by the path relative to the project directory (absolute when outside
//! it), so the lock does not depend on where the project is checked out.
//!
//! Recorded: what the planner decides from (kind, owner, emptiness, database files, the names
//! of shipped files) and the permission bits. Not recorded: sizes (they change with live data
//! and decide nothing, so they would only make `--locked` fail on a running server) and file
//! contents (configuration files may hold secrets).

use crate::{inspect, paths};
use homeport_compose::Project;
use homeport_plan::facts::{is_host_system_path, DataMarker, HostPathFacts, HostPathKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// One host path as `homeport.lock` records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockedHostPath {
    pub kind: HostPathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// Permission bits in octal, `"0755"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub empty: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DataMarker>,
    /// Names of the small files homeport ships as ConfigMaps or Secrets (never contents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
}

impl LockedHostPath {
    /// The lock form of facts read from the host.
    pub fn from_facts(f: &HostPathFacts) -> LockedHostPath {
        LockedHostPath {
            kind: f.kind,
            uid: f.uid,
            gid: f.gid,
            mode: f.mode.map(|m| format!("{m:04o}")),
            empty: f.empty,
            database: f.database.clone(),
            files: f
                .files
                .as_ref()
                .map(|files| files.iter().map(|f| f.name.clone()).collect()),
        }
    }

    /// The planner's facts from the lock (`source: lock`). Recorded file contents are not
    /// available: `files` stays `None` ([`reconcile`] never uses an entry with `files`).
    pub fn to_facts(&self) -> HostPathFacts {
        HostPathFacts {
            source: "lock".into(),
            exists: self.kind != HostPathKind::Missing,
            error: None,
            kind: self.kind,
            uid: self.uid,
            gid: self.gid,
            mode: self
                .mode
                .as_deref()
                .and_then(|m| u32::from_str_radix(m, 8).ok()),
            size: 0,
            empty: self.empty,
            database: self.database.clone(),
            files: None,
        }
    }
}

/// What reconciling the host with the lock gave.
#[derive(Debug, Default)]
pub struct Reconciled {
    /// Resolved absolute path -> facts for the planner (each with its `source`).
    pub facts: BTreeMap<String, HostPathFacts>,
    /// The lock's `host` table after this run.
    pub lock: BTreeMap<String, LockedHostPath>,
    /// Lock keys whose entry was added or changed by what the host holds now.
    pub changed: Vec<String>,
    /// Lock keys whose files' contents go into the output but are not in the lock, missing
    /// here: planned as missing (the host's facts), not from the lock.
    pub without_contents: Vec<String>,
}

/// The key of `path` in the lock: relative to the project directory (`data/pg`,
/// `../shared/media`) when it lies below or beside it, else absolute.
pub fn lock_key(project: &Project, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(&project.working_dir) else {
        return path.to_string_lossy().into_owned();
    };
    let parts: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Read every host path of the project and reconcile it with the lock's `host` table
/// (`locked`): a path this machine has is read here and its entry updated; a path it lacks
/// (or cannot read) takes the lock's facts. Host system paths are read (never their
/// contents) but not recorded: they describe the machine running homeport.
pub fn reconcile(project: &Project, locked: &BTreeMap<String, LockedHostPath>) -> Reconciled {
    let mut out = Reconciled {
        lock: locked.clone(),
        ..Reconciled::default()
    };
    for path in paths(project) {
        let abs = path.to_string_lossy().into_owned();
        let here = inspect(&path);
        if is_host_system_path(&abs) {
            out.facts.insert(abs, here);
            continue;
        }
        let key = lock_key(project, &path);
        let facts = if here.exists && here.error.is_none() {
            let entry = LockedHostPath::from_facts(&here);
            if locked.get(&key) != Some(&entry) {
                out.changed.push(key.clone());
                out.lock.insert(key, entry);
            }
            here
        } else if let Some(entry) = locked.get(&key) {
            if entry.files.is_some() {
                // Shipped by contents the lock does not hold: planned as this machine sees it.
                out.without_contents.push(key);
                here
            } else {
                entry.to_facts()
            }
        } else {
            here
        };
        out.facts.insert(abs, facts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path, compose: &str) -> Project {
        std::fs::write(dir.join("compose.yaml"), compose).unwrap();
        let loaded = homeport_compose::load(&homeport_compose::LoadOptions {
            files: vec![dir.join("compose.yaml")],
            cwd: dir.to_path_buf(),
            ..Default::default()
        });
        loaded.project.expect("valid compose")
    }

    #[test]
    fn host_first_then_lock_and_contents_never_recorded() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("pg/base")).unwrap();
        std::fs::write(d.join("pg/PG_VERSION"), "16\n").unwrap();
        std::fs::write(d.join("app.conf"), "password=hunter2\n").unwrap();
        let p = project(
            d,
            "services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pg:/var/lib/postgresql/data\n      - ./app.conf:/etc/app.conf\n      - /etc/passwd:/etc/passwd:ro\n",
        );
        let first = reconcile(&p, &BTreeMap::new());
        assert_eq!(first.changed, ["app.conf", "pg"]);
        assert_eq!(
            first.lock.keys().collect::<Vec<_>>(),
            ["app.conf", "pg"],
            "system paths are not recorded"
        );
        let pg = &first.lock["pg"];
        assert_eq!(pg.kind, HostPathKind::Directory);
        assert!(pg.database.is_some() && !pg.empty);
        assert_eq!(first.lock["app.conf"].files, Some(vec!["app.conf".into()]));
        let text = serde_json::to_string(&first.lock).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        let abs = |k: &str| d.join(k).to_string_lossy().into_owned();
        assert_eq!(first.facts[&abs("pg")].source, "host");

        // Same host: nothing changes.
        let again = reconcile(&p, &first.lock);
        assert!(again.changed.is_empty());
        assert_eq!(again.lock, first.lock);

        // The data directory gone: its facts come from the lock, as the planner saw them.
        std::fs::rename(d.join("pg"), d.join("pg.moved")).unwrap();
        let away = reconcile(&p, &first.lock);
        assert!(away.changed.is_empty() && away.without_contents.is_empty());
        let from_lock = &away.facts[&abs("pg")];
        let mut expected = first.facts[&abs("pg")].clone();
        expected.source = "lock".into();
        expected.size = 0; // not recorded
        assert_eq!(from_lock, &expected);

        // A configuration file gone: its contents are not in the lock.
        std::fs::remove_file(d.join("app.conf")).unwrap();
        let gone = reconcile(&p, &first.lock);
        assert_eq!(gone.without_contents, ["app.conf"]);
        let conf = &gone.facts[&abs("app.conf")];
        assert!(!conf.exists && conf.source == "host", "{conf:?}");
        assert_eq!(gone.lock, first.lock, "the entry is kept");
    }

    #[test]
    fn keys_are_relative_to_the_project() {
        let tmp = tempfile::tempdir().unwrap();
        let p = project(tmp.path(), "services:\n  a:\n    image: nginx\n");
        let wd = p.working_dir.clone();
        assert_eq!(lock_key(&p, &wd.join("./data/x")), "data/x");
        assert_eq!(lock_key(&p, &wd.join("../media")), "../media");
        assert_eq!(lock_key(&p, Path::new("/srv/media")), "/srv/media");
        let f = LockedHostPath {
            mode: Some("0750".into()),
            ..Default::default()
        };
        assert_eq!(f.to_facts().mode, Some(0o750));
    }
}
