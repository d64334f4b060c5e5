//! Host path facts: what the Compose project's bind-mounted paths (and the files of its
//! `secrets:`/`configs:`) hold on the machine running homeport, gathered before planning so
//! the planner stays pure.
//!
//! For each path: whether it exists, file or directory, owner, mode, size, whether it is
//! empty, which database's files it holds, and the contents of small configuration files.
//! Host system paths (`/etc/passwd`, `/proc`, ...) are looked at but never read: they
//! describe this machine, not the node the pod will run on.

pub mod codes;
mod database;
pub mod lock;

pub use lock::{lock_key, reconcile, LockedHostPath, Reconciled};

use homeport_compose::{MountType, Project};
use homeport_plan::facts::{is_host_system_path, HostFile, HostPathFacts, HostPathKind};
use homeport_plan::FileContent;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files up to this size (and directories of files up to this total) are read for
/// ConfigMaps and Secrets.
pub const CONFIG_SIZE_LIMIT: u64 = 1024 * 1024;
/// A directory with more files than this is data, not configuration.
pub const CONFIG_FILE_COUNT_LIMIT: usize = 64;
/// At most this many entries of a directory are looked at for its size.
const SCAN_LIMIT: usize = 10_000;

/// A Compose bind source or `file:` resolved against the project directory, as the planner
/// resolves it (the key of [`homeport_plan::facts::Facts::host`]).
pub fn resolve(project: &Project, source: &str) -> PathBuf {
    let p = Path::new(source);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        project.working_dir.join(p)
    }
}

/// Every host path the project refers to: bind-mount sources of its services and the files
/// of its secrets and configs.
pub fn paths(project: &Project) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for svc in project.services.values() {
        for m in &svc.volumes {
            if let (MountType::Bind, Some(src)) = (&m.kind, &m.source) {
                out.push(resolve(project, src));
            }
        }
    }
    for def in project.secrets.values().chain(project.configs.values()) {
        if let Some(f) = &def.file {
            out.push(resolve(project, f));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Inspect every path of [`paths`].
pub fn gather(project: &Project) -> BTreeMap<String, HostPathFacts> {
    paths(project)
        .into_iter()
        .map(|p| (p.to_string_lossy().into_owned(), inspect(&p)))
        .collect()
}

/// What `path` holds. Never fails: a path that cannot be inspected says why in `error`.
pub fn inspect(path: &Path) -> HostPathFacts {
    let mut facts = HostPathFacts {
        source: "host".into(),
        ..HostPathFacts::default()
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return facts,
        Err(e) => {
            facts.error = Some(e.to_string());
            return facts;
        }
    };
    facts.exists = true;
    owner(&meta, &mut facts);
    // A symlink in the project may point at a system path: judge where it leads.
    let system = is_host_system_path(&path.to_string_lossy())
        || std::fs::canonicalize(path)
            .is_ok_and(|real| is_host_system_path(&real.to_string_lossy()));
    if meta.is_file() {
        facts.kind = HostPathKind::File;
        facts.size = meta.len();
        facts.empty = meta.len() == 0;
        if !system && meta.len() <= CONFIG_SIZE_LIMIT {
            match homeport_diag::input::read_bytes(path, CONFIG_SIZE_LIMIT) {
                Ok(bytes) => {
                    let name = path
                        .file_name()
                        .map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
                    facts.files = Some(vec![HostFile {
                        name,
                        content: content(bytes),
                    }]);
                }
                Err(e) => facts.error = Some(e.to_string()),
            }
        }
    } else if meta.is_dir() {
        facts.kind = HostPathKind::Directory;
        directory(path, system, &mut facts);
    } else {
        facts.kind = if is_socket(&meta) {
            HostPathKind::Socket
        } else {
            HostPathKind::Other
        };
    }
    facts
}

fn directory(path: &Path, system: bool, facts: &mut HostPathFacts) {
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) => {
            facts.error = Some(e.to_string());
            return;
        }
    };
    let mut names: Vec<(String, PathBuf, std::fs::Metadata)> = Vec::new();
    let mut only_small_files = true;
    let mut count = 0usize;
    for e in entries.flatten().take(SCAN_LIMIT) {
        count += 1;
        let Ok(meta) = std::fs::metadata(e.path()) else {
            only_small_files = false;
            continue;
        };
        if meta.is_file() {
            facts.size += meta.len();
        } else {
            only_small_files = false;
        }
        names.push((e.file_name().to_string_lossy().into_owned(), e.path(), meta));
    }
    facts.empty = count == 0;
    facts.database = database::find(path);
    let small = only_small_files
        && count > 0
        && count <= CONFIG_FILE_COUNT_LIMIT
        && facts.size <= CONFIG_SIZE_LIMIT
        && facts.database.is_none();
    if system || !small {
        return;
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::with_capacity(names.len());
    for (name, p, _) in names {
        match homeport_diag::input::read_bytes(&p, CONFIG_SIZE_LIMIT) {
            Ok(bytes) => files.push(HostFile {
                name,
                content: content(bytes),
            }),
            Err(e) => {
                facts.error = Some(format!("{}: {e}", p.display()));
                return;
            }
        }
    }
    facts.files = Some(files);
}

fn content(bytes: Vec<u8>) -> FileContent {
    match String::from_utf8(bytes) {
        Ok(s) => FileContent::Text(s),
        Err(e) => FileContent::Binary(e.into_bytes()),
    }
}

#[cfg(unix)]
fn owner(meta: &std::fs::Metadata, facts: &mut HostPathFacts) {
    use std::os::unix::fs::MetadataExt;
    facts.uid = Some(meta.uid());
    facts.gid = Some(meta.gid());
    facts.mode = Some(meta.mode() & 0o7777);
}

#[cfg(not(unix))]
fn owner(_meta: &std::fs::Metadata, _facts: &mut HostPathFacts) {}

#[cfg(unix)]
fn is_socket(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_plan::facts::DataEngine;

    #[test]
    fn missing_file_dir_and_database() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = inspect(&tmp.path().join("nope"));
        assert!(!missing.exists);
        assert_eq!(missing.kind, HostPathKind::Missing);

        let f = tmp.path().join("app.conf");
        std::fs::write(&f, "listen 80\n").unwrap();
        let file = inspect(&f);
        assert_eq!(file.kind, HostPathKind::File);
        assert_eq!(file.size, 10);
        let files = file.files.unwrap();
        assert_eq!(files[0].name, "app.conf");
        assert_eq!(files[0].content, FileContent::Text("listen 80\n".into()));

        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let e = inspect(&empty);
        assert!(e.exists && e.empty && !e.holds_data());

        let pg = tmp.path().join("pg");
        std::fs::create_dir_all(pg.join("base")).unwrap();
        std::fs::write(pg.join("PG_VERSION"), "16\n").unwrap();
        let p = inspect(&pg);
        assert!(p.holds_data());
        let marker = p.database.unwrap();
        assert_eq!(marker.engine, DataEngine::Postgres);
        assert_eq!(marker.at, "");
        assert!(p.files.is_none(), "a database directory is never read");
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let me = std::fs::metadata(&pg).unwrap();
            assert_eq!(marker.uid, Some(me.uid()));
            assert_eq!(p.mode, Some(me.mode() & 0o7777));
        }
    }

    #[test]
    fn system_paths_are_never_read() {
        let passwd = inspect(Path::new("/etc/passwd"));
        assert!(passwd.exists);
        assert!(passwd.files.is_none());
    }

    #[test]
    fn config_directory_is_read_when_small() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("b.yaml"), "b: 1\n").unwrap();
        std::fs::write(tmp.path().join("a.yaml"), "a: 1\n").unwrap();
        let d = inspect(tmp.path());
        let names: Vec<_> = d.files.unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["a.yaml", "b.yaml"]);
        std::fs::create_dir(tmp.path().join("sub")).unwrap();
        assert!(
            inspect(tmp.path()).files.is_none(),
            "a sub-directory: not a config dir"
        );
    }
}
