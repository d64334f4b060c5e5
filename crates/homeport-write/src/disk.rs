//! Writing a tree to disk, all or nothing: files are staged beside the target (see
//! [`crate::staging`]), and swapped into place only when everything was written; a run killed
//! at any moment leaves nothing that the next run does not finish or remove.

use crate::codes::{
    OUT_DIR_FOREIGN, OUT_DIR_NOT_EMPTY, OUT_DIR_PROTECTED, OUT_NOT_A_DIR, WRITE_FAILED,
};
use crate::staging::{create_dir_with_mode, Job};
use crate::OutputFile;
use homeport_diag::Diagnostic;
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Replace a non-empty directory that homeport wrote (it holds the [`MARKER`] file).
    pub force: bool,
    /// Replace a non-empty directory even without the marker (`--replace-unmarked`).
    pub replace_unmarked: bool,
    /// Paths that must survive (the compose files, `.env`, the cluster file): `force` is
    /// refused when the directory holds one of them.
    pub protected: Vec<PathBuf>,
}

/// The file homeport writes at the top of every output directory; `--force` replaces only a
/// directory that holds it (or an empty one).
pub const MARKER: &str = ".homeport-output";

const MARKER_TEXT: &str = "This directory was written by homeport; `homeport convert --force` replaces its whole content.\n";

/// Write `files` as the whole content of `dir`.
///
/// Refuses a non-empty `dir` unless `options.force` and `dir` holds the [`MARKER`] (or
/// `options.replace_unmarked`); even then refuses when `dir` holds the current directory, a
/// `.git` entry or a protected path. On any error nothing changed.
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
        // Inputs and repositories first: that refusal holds even with --replace-unmarked.
        check_replaceable(dir, &options.protected)?;
        if !options.replace_unmarked && !dir.join(MARKER).is_file() {
            return Err(Diagnostic::error(
                OUT_DIR_FOREIGN,
                format!(
                    "refusing to replace {}: homeport did not write it (no {MARKER} file in it)",
                    dir.display()
                ),
            )
            .with_help("--force replaces only a directory homeport wrote; move its content away, choose another directory, or pass --replace-unmarked to replace it anyway (its whole content is lost)"));
        }
    }

    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| failed(&parent, &e))?;
    let parent = fs::canonicalize(&parent).map_err(|e| failed(&parent, &e))?;
    let target = match dir.file_name() {
        Some(name) => parent.join(name),
        None => fs::canonicalize(dir).map_err(|e| failed(dir, &e))?,
    };
    let job = Job::start(&parent).map_err(|e| failed(&parent, &e))?;
    let staged = job.new_tree();
    fs::DirBuilder::new()
        .create(&staged)
        .map_err(|e| failed(&staged, &e))?;
    let secret_dirs = secret_only_dirs(files);
    for file in files {
        write_file(&staged, file, &secret_dirs)?;
    }
    write_file(
        &staged,
        &OutputFile {
            path: MARKER.to_string(),
            contents: MARKER_TEXT.as_bytes().to_vec(),
            secret: false,
        },
        &secret_dirs,
    )?;
    for dir in &secret_dirs {
        let path = staged.join(dir);
        set_mode(&path, 0o700).map_err(|e| failed(&path, &e))?;
    }
    set_mode(&staged, 0o755).map_err(|e| failed(&staged, &e))?;
    job.commit(&target, existing).map_err(|e| failed(dir, &e))
}

/// Finish or roll back what a killed run left in the staging directory next to `dir` (see
/// [`crate::staging`]); `write_tree` does this too, this is for runs that stop earlier.
pub fn recover_interrupted(dir: &Path) {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::staging::recover(&parent.join(crate::staging::STAGING_DIR));
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

fn write_file(
    root: &Path,
    file: &OutputFile,
    secret_dirs: &BTreeSet<PathBuf>,
) -> Result<(), Diagnostic> {
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
    // Directories that hold only secret files are created 0700, never briefly wider.
    let mut dirs: Vec<&Path> = rel
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .collect();
    dirs.reverse();
    for d in dirs {
        let mode = if secret_dirs.contains(d) {
            0o700
        } else {
            0o755
        };
        let full = root.join(d);
        create_dir_with_mode(&full, mode).map_err(|e| failed(&full, &e))?;
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
                replace_unmarked: true,
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
            replace_unmarked: true,
            protected: vec![out.join("compose.yaml")],
        };
        assert_eq!(
            write_tree(&out, &files(), &options).unwrap_err().code,
            OUT_DIR_PROTECTED
        );
        fs::create_dir(out.join(".git")).unwrap();
        let options = WriteOptions {
            force: true,
            replace_unmarked: true,
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

#[cfg(test)]
mod marker_tests {
    use super::*;

    fn one() -> Vec<OutputFile> {
        vec![OutputFile {
            path: "secrets/ns/app/KEY".into(),
            contents: b"s3cret".to_vec(),
            secret: true,
        }]
    }

    #[test]
    fn force_replaces_only_what_homeport_wrote() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let force = WriteOptions {
            force: true,
            ..WriteOptions::default()
        };
        write_tree(&out, &one(), &WriteOptions::default()).unwrap();
        assert!(out.join(MARKER).is_file());
        write_tree(&out, &one(), &force).unwrap();

        let docs = tmp.path().join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(docs.join("thesis.odt"), "years of work").unwrap();
        let err = write_tree(&docs, &one(), &force).unwrap_err();
        assert_eq!(err.code, OUT_DIR_FOREIGN);
        assert!(err.help.unwrap().contains("--replace-unmarked"));
        assert!(docs.join("thesis.odt").exists());
        let unmarked = WriteOptions {
            force: true,
            replace_unmarked: true,
            ..WriteOptions::default()
        };
        write_tree(&docs, &one(), &unmarked).unwrap();
        assert!(!docs.join("thesis.odt").exists());
    }

    #[cfg(unix)]
    #[test]
    fn secret_directories_are_created_0700() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_tree(&out, &one(), &WriteOptions::default()).unwrap();
        for d in ["secrets", "secrets/ns", "secrets/ns/app"] {
            let mode = fs::metadata(out.join(d)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{d}");
        }
    }
}
