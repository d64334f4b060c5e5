//! Kustomize patch files: the strategic-merge and JSON 6902 patches a `kustomization.yaml`
//! applies are fragments of objects (no selector, no containers' images, a list of
//! operations), not objects; so are its replacement and transformer configuration files. Like Helm charts (HP0053), they are recognised and left out,
//! with a warning that says how to lint the built result:
//! `kubectl kustomize DIR | homeport lint -`.
//!
//! homeport does not run `kubectl kustomize` itself: the build may fetch remote bases and
//! run plugins, which a linter should not do behind the user's back.

use homeport_diag::{Diagnostic, SourceMap};
use homeport_yaml::{Limits, Node};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Diagnostic code: Kustomize patch files skipped.
pub const KUSTOMIZE_PATCHES_SKIPPED: &str = "HP0059";

/// The file names Kustomize reads as a kustomization.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Patch files found under the linted directories, by the kustomization that applies them.
#[derive(Debug, Default)]
pub struct Patches {
    /// Canonical path of each patch file -> the directory of its kustomization.
    files: BTreeMap<PathBuf, PathBuf>,
}

impl Patches {
    /// Find every kustomization under `paths` (directories are searched recursively, as
    /// the manifest loader searches them; hidden directories and Helm charts are not) and
    /// read the patch files it names.
    pub fn find(paths: &[&Path]) -> Patches {
        let mut out = Patches::default();
        for p in paths {
            if p.is_dir() {
                out.walk(p);
            }
        }
        out
    }

    fn walk(&mut self, dir: &Path) {
        if dir.join("Chart.yaml").is_file() {
            return;
        }
        for name in KUSTOMIZATION_FILES {
            let file = dir.join(name);
            if file.is_file() {
                self.read_kustomization(dir, &file);
                break;
            }
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        dirs.sort();
        for d in dirs {
            self.walk(&d);
        }
    }

    fn read_kustomization(&mut self, dir: &Path, file: &Path) {
        // A kustomization that cannot be read or parsed names no patch here; `kubectl
        // kustomize` reports it.
        let Ok(text) = std::fs::read_to_string(file) else {
            return;
        };
        let mut sources = SourceMap::new();
        let id = sources.add(file.display().to_string(), text.clone());
        let Ok(docs) = homeport_yaml::parse(&text, id, Limits::default()) else {
            return;
        };
        for doc in &docs {
            for rel in patch_paths(doc) {
                let path = dir.join(rel);
                if let Ok(canonical) = path.canonicalize() {
                    self.files.insert(canonical, dir.to_path_buf());
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether the file a manifest was read from (as the loader names it) is a patch.
    pub fn contains(&self, file_name: &str) -> bool {
        !self.files.is_empty()
            && Path::new(file_name)
                .canonicalize()
                .is_ok_and(|p| self.files.contains_key(&p))
    }

    /// One warning per kustomization directory whose patches were left out.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut by_dir: BTreeMap<&Path, Vec<String>> = BTreeMap::new();
        for (file, dir) in &self.files {
            let shown = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().to_string(),
            );
            by_dir
                .entry(dir.as_path())
                .or_default()
                .push(format!("`{shown}`"));
        }
        by_dir
            .into_iter()
            .map(|(dir, files)| {
                Diagnostic::warning(
                    KUSTOMIZE_PATCHES_SKIPPED,
                    format!(
                        "{} in `{}` {}, not {}; skipped",
                        files.join(", "),
                        dir.display(),
                        if files.len() == 1 {
                            "is a Kustomize patch (or transformer configuration)"
                        } else {
                            "are Kustomize patches (or transformer configuration)"
                        },
                        if files.len() == 1 {
                            "a whole object"
                        } else {
                            "whole objects"
                        },
                    ),
                )
                .with_help(format!(
                    "lint the built result: `kubectl kustomize {} | homeport lint -`",
                    dir.display()
                ))
            })
            .collect()
    }
}

/// The files a kustomization applies to its resources rather than lists as resources:
/// patches (`patchesStrategicMerge` entries that are paths, `patchesJson6902[].path`,
/// `patches[].path`, `replacements[].path`) and transformer configuration (`configurations`,
/// `transformers`, `generators`, `validators` entries that are paths).
fn patch_paths(doc: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["configurations", "transformers", "generators", "validators"] {
        if let Some(list) = doc.get(key).and_then(Node::as_seq) {
            for entry in list {
                if let Some(s) = entry.as_str().filter(|s| !s.contains('\n')) {
                    out.push(s.trim().to_string());
                }
            }
        }
    }
    if let Some(list) = doc.get("patchesStrategicMerge").and_then(Node::as_seq) {
        for entry in list {
            // An inline patch is YAML text with a newline; a path is one line.
            if let Some(s) = entry.as_str().filter(|s| !s.contains('\n')) {
                out.push(s.trim().to_string());
            }
        }
    }
    for key in ["patchesJson6902", "patches", "replacements"] {
        if let Some(list) = doc.get(key).and_then(Node::as_seq) {
            for entry in list {
                if let Some(s) = entry.get("path").and_then(Node::as_str) {
                    out.push(s.trim().to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_patch_and_configuration_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let overlay = root.join("overlays/prod");
        std::fs::create_dir_all(&overlay).unwrap();
        std::fs::write(
            overlay.join("kustomization.yaml"),
            "resources: [../../base]\npatchesStrategicMerge:\n  - replicas.yaml\n  - |-\n    apiVersion: v1\n    kind: Service\npatchesJson6902:\n  - target: {kind: Deployment, name: web}\n    path: image.json6902.yaml\npatches:\n  - path: resources.yaml\n  - patch: |-\n      - op: remove\n        path: /spec/x\nconfigurations: [name-reference.yaml]\n",
        )
        .unwrap();
        for f in [
            "replicas.yaml",
            "image.json6902.yaml",
            "resources.yaml",
            "namespace.yaml",
            "name-reference.yaml",
        ] {
            std::fs::write(overlay.join(f), "kind: Deployment\n").unwrap();
        }
        let patches = Patches::find(&[root]);
        let p = |f: &str| overlay.join(f).display().to_string();
        assert!(patches.contains(&p("replicas.yaml")));
        assert!(patches.contains(&p("image.json6902.yaml")));
        assert!(patches.contains(&p("resources.yaml")));
        assert!(patches.contains(&p("name-reference.yaml")));
        assert!(!patches.contains(&p("namespace.yaml")));
        let diags = patches.diagnostics();
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("`replicas.yaml`"),
            "{}",
            diags[0].message
        );
        assert!(diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("kubectl kustomize"));
    }

    #[test]
    fn a_broken_kustomization_names_no_patch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kustomization.yaml"), "patches: [\n").unwrap();
        assert!(Patches::find(&[dir.path()]).is_empty());
    }
}
