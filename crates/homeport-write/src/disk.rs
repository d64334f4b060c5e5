//! Writing a tree to disk, all or nothing: files go into a temporary directory beside the
//! target, which is renamed into place only when everything was written.

use crate::codes::{OUT_DIR_NOT_EMPTY, OUT_DIR_PROTECTED, OUT_NOT_A_DIR, WRITE_FAILED};
use crate::OutputFile;
use homeport_diag::Diagnostic;
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Replace a non-empty directory.
    pub force: bool,
    /// Paths that must survive (the compose files, `.env`, the cluster file): `force` is
    /// refused when the directory holds one of them.
    pub protected: Vec<PathBuf>,
}

/// Write `files` as the whole content of `dir`.
///
/// Refuses a non-empty `dir` unless `options.force`; even then refuses when `dir` holds the
/// current directory, a `.git` entry or a protected path. On any error nothing changed.
pub fn write_tree(
    dir: &Path,
    files: &[OutputFile],
    options: &WriteOptions,
) -> Result<(), Diagnostic> {
    let existing = match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(Diagnostic::error(
                OUT_NOT_A_DIR,
                format!("{} exists and is not a directory", dir.display()),
            )
            .with_help("choose a directory path for --out"))
        }
        Ok(_) => true,
        Err(_) => false,
    };
    let non_empty = existing && fs::read_dir(dir).map_or(true, |mut d| d.next().is_some());
    if non_empty {
        if !options.force {
            return Err(Diagnostic::error(
                OUT_DIR_NOT_EMPTY,
                format!("{} is not empty", dir.display()),
            )
            .with_help(
                "pass --force to replace its whole content, or choose an empty or new directory",
            ));
        }
        check_replaceable(dir, &options.protected)?;
    }

    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| failed(&parent, &e))?;
    let staging = tempfile::Builder::new()
        .prefix(".homeport-new-")
        .tempdir_in(&parent)
        .map_err(|e| failed(&parent, &e))?;
    for file in files {
        write_file(staging.path(), file)?;
    }
    for dir in secret_only_dirs(files) {
        let path = staging.path().join(&dir);
        set_mode(&path, 0o700).map_err(|e| failed(&path, &e))?;
    }
    set_mode(staging.path(), 0o755).map_err(|e| failed(staging.path(), &e))?;

    if existing {
        // Move the old directory aside, move the new one in, then delete the old one; if the
        // second step fails, put the old one back.
        let old = tempfile::Builder::new()
            .prefix(".homeport-old-")
            .tempdir_in(&parent)
            .map_err(|e| failed(&parent, &e))?;
        let old_path = old.path().join("previous");
        fs::rename(dir, &old_path).map_err(|e| failed(dir, &e))?;
        if let Err(e) = fs::rename(staging.path(), dir) {
            let _ = fs::rename(&old_path, dir);
            return Err(failed(dir, &e));
        }
        // `old` (with the previous content) is removed when dropped.
        drop(old);
    } else {
        fs::rename(staging.path(), dir).map_err(|e| failed(dir, &e))?;
    }
    // The staging directory was renamed away; keep TempDir from touching the new path.
    let _ = staging.keep();
    Ok(())
}

/// Directories holding only secret files (at any depth): made 0700 so other users cannot
/// even list the key names.
fn secret_only_dirs(files: &[OutputFile]) -> BTreeSet<PathBuf> {
    let ancestors = |f: &OutputFile| -> Vec<PathBuf> {
        Path::new(&f.path)
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .collect()
    };
    let shared: BTreeSet<PathBuf> = files
        .iter()
        .filter(|f| !f.secret)
        .flat_map(ancestors)
        .collect();
    files
        .iter()
        .filter(|f| f.secret)
        .flat_map(ancestors)
        .filter(|d| !shared.contains(d))
        .collect()
}

fn failed(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        WRITE_FAILED,
        format!("cannot write {}: {e}", path.display()),
    )
    .with_help("nothing was written; check the permissions and free space, then retry")
}

fn check_replaceable(dir: &Path, protected: &[PathBuf]) -> Result<(), Diagnostic> {
    let refuse = |why: String| {
        Err(Diagnostic::error(
            OUT_DIR_PROTECTED,
            format!("refusing to replace {}: {why}", dir.display()),
        )
        .with_help("--force replaces the whole directory; choose a directory that only holds homeport output"))
    };
    let canonical = fs::canonicalize(dir).map_err(|e| failed(dir, &e))?;
    if canonical.join(".git").exists() {
        return refuse("it is a git repository".into());
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if cwd.starts_with(&canonical) {
            return refuse("it holds the current directory".into());
        }
    }
    for path in protected {
        if let Ok(p) = fs::canonicalize(path) {
            if p.starts_with(&canonical) {
                return refuse(format!("it holds the input {}", path.display()));
            }
        }
    }
    Ok(())
}

fn write_file(root: &Path, file: &OutputFile) -> Result<(), Diagnostic> {
    let rel = Path::new(&file.path);
    if file.path.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(Diagnostic::error(
            WRITE_FAILED,
            format!(
                "refusing to write outside the output directory: {}",
                file.path
            ),
        )
        .with_help("this is a bug in homeport; please report it"));
    }
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| failed(parent, &e))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if file.secret { 0o600 } else { 0o644 });
    }
    let mut handle = options.open(&path).map_err(|e| failed(&path, &e))?;
    handle
        .write_all(&file.contents)
        .and_then(|()| handle.sync_all())
        .map_err(|e| failed(&path, &e))?;
    if file.secret {
        // The umask cannot widen 0600, but make sure of it.
        set_mode(&path, 0o600).map_err(|e| failed(&path, &e))?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<OutputFile> {
        vec![
            OutputFile {
                path: "media/api/deployment.yaml".into(),
                contents: b"kind: Deployment\n".to_vec(),
                secret: false,
            },
            OutputFile {
                path: "secrets/media/api/KEY".into(),
                contents: b"s3cret".to_vec(),
                secret: true,
            },
        ]
    }

    #[test]
    fn writes_new_dir_with_secret_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/out");
        write_tree(&out, &files(), &WriteOptions::default()).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("media/api/deployment.yaml")).unwrap(),
            "kind: Deployment\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(out.join("secrets/media/api/KEY"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing else is left beside it.
        let names: Vec<_> = fs::read_dir(tmp.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);
    }

    #[test]
    fn refuses_non_empty_without_force_and_replaces_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("stale.yaml"), "x").unwrap();
        let err = write_tree(&out, &files(), &WriteOptions::default()).unwrap_err();
        assert_eq!(err.code, OUT_DIR_NOT_EMPTY);
        assert!(out.join("stale.yaml").exists());
        write_tree(
            &out,
            &files(),
            &WriteOptions {
                force: true,
                protected: vec![],
            },
        )
        .unwrap();
        assert!(!out.join("stale.yaml").exists());
        assert!(out.join("secrets/media/api/KEY").exists());
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "no staging dirs left"
        );
    }

    #[test]
    fn empty_existing_dir_is_fine_and_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir(&out).unwrap();
        write_tree(&out, &files(), &WriteOptions::default()).unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        assert_eq!(
            write_tree(&file, &files(), &WriteOptions::default())
                .unwrap_err()
                .code,
            OUT_NOT_A_DIR
        );
    }

    #[test]
    fn force_never_deletes_inputs_or_repositories() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("project");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("compose.yaml"), "services: {}").unwrap();
        let options = WriteOptions {
            force: true,
            protected: vec![out.join("compose.yaml")],
        };
        assert_eq!(
            write_tree(&out, &files(), &options).unwrap_err().code,
            OUT_DIR_PROTECTED
        );
        fs::create_dir(out.join(".git")).unwrap();
        let options = WriteOptions {
            force: true,
            protected: vec![],
        };
        assert_eq!(
            write_tree(&out, &files(), &options).unwrap_err().code,
            OUT_DIR_PROTECTED
        );
        assert!(out.join("compose.yaml").exists());
    }

    #[test]
    fn a_failing_write_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut bad = files();
        bad.push(OutputFile {
            path: "../escape".into(),
            contents: vec![],
            secret: false,
        });
        assert!(write_tree(&out, &bad, &WriteOptions::default()).is_err());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
