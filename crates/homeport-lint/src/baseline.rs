//! Baselines: record today's findings in a file, and later report only the new ones (as
//! Checkov's `--baseline` and ruff's `--add-noqa` let a team adopt a linter on an
//! existing tree).
//!
//! A finding is identified by its rule, its file (relative to the baseline file's
//! directory), its object (kind, namespace, name) and its message (which names the
//! container or field) — not by its line or the exact field path, so comments added above,
//! objects moved within a file, or a `securityContext` added to fix one problem (which moves
//! where the others point) do not turn old findings into new ones. Identical identities
//! are counted. A message that changes (another image tag, a renamed container) makes a
//! new finding, as it should.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Diagnostic code: a baseline file that cannot be read or written, or was recorded.
pub const BASELINE: &str = "HP0061";

/// One recorded finding. `path` and `line` are for the people reading the file; they are
/// not compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    pub file: String,
    pub object: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub line: usize,
    #[serde(default)]
    pub message: String,
}

impl Entry {
    fn key(&self) -> (String, String, String, String) {
        (
            self.code.clone(),
            self.file.clone(),
            self.object.clone(),
            self.message.clone(),
        )
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// The findings of a baseline, counted by identity.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: BTreeMap<(String, String, String, String), usize>,
}

/// Problems with a baseline file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline `{path}` is not a homeport baseline: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write baseline `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How the entries of a run are made: where the baseline lives (file paths are relative to
/// its directory) and how to name a finding's file.
pub struct Fingerprinter<F: Fn(&Finding) -> Option<(String, usize)>> {
    root: PathBuf,
    /// A finding's file as the loader named it, and its line.
    pub file_of: F,
}

impl<F: Fn(&Finding) -> Option<(String, usize)>> Fingerprinter<F> {
    pub fn new(baseline_path: &Path, file_of: F) -> Self {
        let dir = baseline_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        Fingerprinter { root, file_of }
    }

    pub fn entry(&self, f: &Finding) -> Entry {
        let (file, line) = (self.file_of)(f).unwrap_or_default();
        let path = Path::new(&file);
        let file = match path.canonicalize() {
            Ok(abs) => abs
                .strip_prefix(&self.root)
                .map_or(abs.clone(), Path::to_path_buf)
                .to_string_lossy()
                .replace('\\', "/"),
            Err(_) => file.clone(),
        };
        let object = match &f.object.namespace {
            Some(ns) => format!("{}/{}/{}", f.object.kind, ns, f.object.name),
            None => format!("{}/{}", f.object.kind, f.object.name),
        };
        Entry {
            code: f.code.to_string(),
            file,
            object,
            path: f.path.to_string(),
            line,
            message: f.message.clone(),
        }
    }
}

impl Baseline {
    /// Read a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| BaselineError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut counts = BTreeMap::new();
        for e in file.findings {
            *counts.entry(e.key()).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Write `entries` as a baseline file (sorted, so the file changes only when the
    /// findings do), replacing it atomically.
    pub fn write(path: &Path, mut entries: Vec<Entry>) -> Result<(), BaselineError> {
        entries.sort();
        let file = BaselineFile {
            version: 1,
            findings: entries,
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        let err = |source| BaselineError::Write {
            path: path.to_path_buf(),
            source,
        };
        let name = path
            .file_name()
            .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().to_string());
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e)
        })
    }

    /// Drop the findings the baseline holds; returns how many were dropped.
    pub fn filter(&self, findings: &mut Vec<Finding>, entry: impl Fn(&Finding) -> Entry) -> usize {
        let mut left = Baseline {
            counts: self.counts.clone(),
        };
        left.take(findings, entry)
    }

    /// As [`Baseline::filter`], using up the entries that match: a run that filters its
    /// findings batch after batch drops exactly what one call with all of them would.
    pub fn take(
        &mut self,
        findings: &mut Vec<Finding>,
        entry: impl Fn(&Finding) -> Entry,
    ) -> usize {
        let before = findings.len();
        findings.retain(|f| {
            let key = entry(f).key();
            match self.counts.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        before - findings.len()
    }

    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
