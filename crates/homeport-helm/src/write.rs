//! Writing the chart: a new directory all at once (homeport-write's `write_tree`), or an
//! existing chart updated in place without touching the user's own files.
//!
//! Homeport's files are listed in `.homeport-chart`; anything else in the directory is the
//! user's (a `values.local.yaml`, added templates) and is never overwritten or removed.
//! Changing or removing homeport's own files needs `force`. The new files are all written
//! to a staging directory first, then moved into place.

use crate::codes::{CHART_CHANGED, USER_FILE_CONFLICT, WRITE_FAILED};
use homeport_diag::Diagnostic;
use homeport_write::{write_tree, OutputFile, WriteOptions};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The list of homeport's own files in a chart directory.
pub const MANIFEST: &str = ".homeport-chart";

/// What a write changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChartSummary {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
    /// The user's files, left as they were.
    pub kept: Vec<String>,
}

impl ChartSummary {
    /// One line, then the changed and removed files.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} added, {} changed, {} removed, {} unchanged",
            self.added.len(),
            self.changed.len(),
            self.removed.len(),
            self.unchanged
        );
        if !self.kept.is_empty() {
            s.push_str(&format!("; kept your files: {}", self.kept.join(", ")));
        }
        for (mark, list) in [("~", &self.changed), ("-", &self.removed)] {
            for f in list {
                s.push_str(&format!("\n  {mark} {f}"));
            }
        }
        s
    }
}

fn failed(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        WRITE_FAILED,
        format!("cannot write {}: {e}", path.display()),
    )
    .with_help("check the permissions and free space, then retry")
}

fn manifest_file(files: &[OutputFile]) -> OutputFile {
    let mut text = String::from(
        "# Files homeport generated in this chart; the others are yours and are kept.\n",
    );
    for f in files {
        text.push_str(&f.path);
        text.push('\n');
    }
    OutputFile {
        path: MANIFEST.to_string(),
        contents: text.into_bytes(),
        secret: false,
    }
}

/// Every file under `dir` (relative paths), skipping `.git`.
fn existing_files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if e.file_name() == ".git" {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(root, &path, out),
                Ok(_) => {
                    if let Ok(rel) = path.strip_prefix(root) {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                }
                Err(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Write the chart `files` into `dir`. A missing or empty `dir` is written all at once; an
/// existing chart is updated: the user's files are kept, homeport's are replaced only with
/// `force`.
pub fn write_chart(
    dir: &Path,
    files: &[OutputFile],
    force: bool,
) -> Result<ChartSummary, Diagnostic> {
    let mut all: Vec<OutputFile> = files.to_vec();
    all.push(manifest_file(files));
    let empty = fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    if empty || !dir.exists() {
        write_tree(dir, &all, &WriteOptions::default())?;
        return Ok(ChartSummary {
            added: files.iter().map(|f| f.path.clone()).collect(),
            ..ChartSummary::default()
        });
    }
    if !dir.is_dir() {
        // write_tree reports a path that is not a directory.
        write_tree(dir, &all, &WriteOptions::default())?;
    }
    let own: BTreeSet<String> = fs::read_to_string(dir.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let present = existing_files(dir);
    let new_paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut summary = ChartSummary::default();
    let mut conflicts = Vec::new();
    let mut to_write = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        match fs::read(&path) {
            Ok(_) if !own.contains(&f.path) => conflicts.push(f.path.clone()),
            Ok(old) if old == f.contents => summary.unchanged += 1,
            Ok(_) => {
                summary.changed.push(f.path.clone());
                to_write.push(f);
            }
            Err(_) => {
                if path.exists() {
                    conflicts.push(f.path.clone());
                } else {
                    summary.added.push(f.path.clone());
                    to_write.push(f);
                }
            }
        }
    }
    summary.removed = own
        .iter()
        .filter(|p| !new_paths.contains(p.as_str()) && dir.join(p).is_file())
        .cloned()
        .collect();
    summary.kept = present
        .iter()
        .filter(|p| {
            !own.contains(*p)
                && !new_paths.contains(p.as_str())
                && p.as_str() != MANIFEST
                && p.as_str() != homeport_write::MARKER
        })
        .cloned()
        .collect();
    if !conflicts.is_empty() {
        return Err(Diagnostic::error(
            USER_FILE_CONFLICT,
            format!(
                "{} holds files homeport would write but did not write itself: {}",
                dir.display(),
                conflicts.join(", ")
            ),
        )
        .with_help(
            "homeport never overwrites your files: move them aside, or choose another --out",
        ));
    }
    let replaces = !summary.changed.is_empty() || !summary.removed.is_empty();
    if replaces && !force {
        return Err(Diagnostic::error(
            CHART_CHANGED,
            format!(
                "the chart in {} would change: {}",
                dir.display(),
                summary.describe()
            ),
        )
        .with_help("pass --force to replace homeport's files (your own files are kept)"));
    }

    // Stage everything, then move it into place.
    let staging = tempfile::Builder::new()
        .prefix(".homeport-new-")
        .tempdir_in(dir)
        .map_err(|e| failed(dir, &e))?;
    let manifest = manifest_file(files);
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for f in to_write.iter().copied().chain(std::iter::once(&manifest)) {
        let tmp = staging.path().join(staged.len().to_string());
        fs::write(&tmp, &f.contents).map_err(|e| failed(&tmp, &e))?;
        staged.push((tmp, dir.join(&f.path)));
    }
    for (tmp, target) in &staged {
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| failed(parent, &e))?;
        }
        fs::rename(tmp, target).map_err(|e| failed(target, &e))?;
    }
    for p in &summary.removed {
        let path = dir.join(p);
        fs::remove_file(&path).map_err(|e| failed(&path, &e))?;
        // Remove directories the removal left empty (never the chart directory itself).
        let mut parent = path.parent();
        while let Some(d) = parent {
            if d == dir || fs::remove_dir(d).is_err() {
                break;
            }
            parent = d.parent();
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: text.as_bytes().to_vec(),
            secret: false,
        }
    }

    #[test]
    fn regenerating_keeps_user_files_and_needs_force_to_change() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("chart");
        let v1 = vec![
            file("Chart.yaml", "a"),
            file("templates/x/deployment.yaml", "x"),
        ];
        let s = write_chart(&dir, &v1, false).unwrap();
        assert_eq!(s.added.len(), 2);
        fs::write(dir.join("values.local.yaml"), "mine").unwrap();
        fs::create_dir_all(dir.join("templates/extra")).unwrap();
        fs::write(dir.join("templates/extra/cm.yaml"), "mine too").unwrap();

        // Same output: nothing to do, no force needed.
        let s = write_chart(&dir, &v1, false).unwrap();
        assert_eq!((s.unchanged, s.changed.len()), (2, 0));
        assert_eq!(s.kept, vec!["templates/extra/cm.yaml", "values.local.yaml"]);

        // A change and a removal: refused without force, nothing touched.
        let v2 = vec![
            file("Chart.yaml", "b"),
            file("templates/y/service.yaml", "y"),
        ];
        let err = write_chart(&dir, &v2, false).unwrap_err();
        assert_eq!(err.code, CHART_CHANGED);
        assert_eq!(fs::read_to_string(dir.join("Chart.yaml")).unwrap(), "a");
        let s = write_chart(&dir, &v2, true).unwrap();
        assert_eq!(s.changed, vec!["Chart.yaml"]);
        assert_eq!(s.added, vec!["templates/y/service.yaml"]);
        assert_eq!(s.removed, vec!["templates/x/deployment.yaml"]);
        assert!(!dir.join("templates/x").exists());
        assert_eq!(
            fs::read_to_string(dir.join("values.local.yaml")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(dir.join("templates/extra/cm.yaml")).unwrap(),
            "mine too"
        );
        assert_eq!(fs::read_to_string(dir.join("Chart.yaml")).unwrap(), "b");
        // No staging directory is left.
        assert!(fs::read_dir(&dir).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".homeport-new")));
    }

    #[test]
    fn never_overwrites_a_user_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("chart");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("README.md"), "my readme").unwrap();
        let err = write_chart(&dir, &[file("README.md", "generated")], true).unwrap_err();
        assert_eq!(err.code, USER_FILE_CONFLICT);
        assert_eq!(
            fs::read_to_string(dir.join("README.md")).unwrap(),
            "my readme"
        );
    }
}
