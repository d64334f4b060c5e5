//! Which database's files a directory holds: the files each engine writes at the top of its
//! data directory.

use homeport_plan::facts::{DataEngine, DataMarker};
use std::path::Path;

/// Sub-directories looked at below the inspected path (Compose often mounts the parent of
/// the data directory, or the image keeps it one level down, `pgdata/`).
const SUBDIR_LIMIT: usize = 64;

/// The database files in `dir` itself, else in one of its sub-directories.
pub fn find(dir: &Path) -> Option<DataMarker> {
    if let Some(engine) = engine_in(dir) {
        return Some(marker(dir, engine, String::new()));
    }
    let mut subdirs: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .take(SUBDIR_LIMIT)
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs.iter().find_map(|sub| {
        let engine = engine_in(sub)?;
        let name = sub.file_name()?.to_string_lossy().into_owned();
        Some(marker(sub, engine, name))
    })
}

fn engine_in(dir: &Path) -> Option<DataEngine> {
    if dir.join("PG_VERSION").is_file() {
        return Some(DataEngine::Postgres);
    }
    if dir.join("ibdata1").is_file() || dir.join("mysql").is_dir() {
        return Some(DataEngine::Mysql);
    }
    if dir.join("WiredTiger").is_file() {
        return Some(DataEngine::Mongo);
    }
    if dir.join("dump.rdb").is_file() {
        return Some(DataEngine::Redis);
    }
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .take(crate::CONFIG_FILE_COUNT_LIMIT)
        .any(|e| e.file_name().to_string_lossy().starts_with("appendonly"))
        .then_some(DataEngine::Redis)
}

fn marker(dir: &Path, engine: DataEngine, at: String) -> DataMarker {
    let (uid, gid) = owner(dir);
    DataMarker {
        engine,
        at,
        uid,
        gid,
    }
}

#[cfg(unix)]
fn owner(dir: &Path) -> (Option<u32>, Option<u32>) {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(dir) {
        Ok(m) => (Some(m.uid()), Some(m.gid())),
        Err(_) => (None, None),
    }
}

#[cfg(not(unix))]
fn owner(_dir: &Path) -> (Option<u32>, Option<u32>) {
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_and_subdirectories() {
        let tmp = tempfile::tempdir().unwrap();
        let cases: &[(&str, &str, bool, DataEngine)] = &[
            ("my", "ibdata1", false, DataEngine::Mysql),
            ("my2", "mysql", true, DataEngine::Mysql),
            ("mongo", "WiredTiger", false, DataEngine::Mongo),
            ("redis", "dump.rdb", false, DataEngine::Redis),
            ("redis2", "appendonlydir", true, DataEngine::Redis),
        ];
        for (dir, file, is_dir, engine) in cases {
            let d = tmp.path().join(dir);
            std::fs::create_dir(&d).unwrap();
            if *is_dir {
                std::fs::create_dir(d.join(file)).unwrap();
            } else {
                std::fs::write(d.join(file), "x").unwrap();
            }
            assert_eq!(find(&d).map(|m| m.engine), Some(*engine), "{dir}");
        }
        let parent = tmp.path().join("pg");
        std::fs::create_dir_all(parent.join("pgdata")).unwrap();
        std::fs::write(parent.join("pgdata/PG_VERSION"), "16").unwrap();
        let m = find(&parent).unwrap();
        assert_eq!((m.engine, m.at.as_str()), (DataEngine::Postgres, "pgdata"));
        let plain = tmp.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        std::fs::write(plain.join("notes.txt"), "x").unwrap();
        assert_eq!(find(&plain), None);
    }
}
