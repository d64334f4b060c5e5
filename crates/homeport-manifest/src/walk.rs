//! Reading manifests from files, directories and stdin.

use crate::load::{load_text, Loaded};
use crate::object::Object;
use crate::{HELM_CHART_SKIPPED, NO_MANIFESTS, UNREADABLE_PATH};
use homeport_diag::{Diagnostic, Diagnostics, FileId, SourceMap};
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Something to read manifests from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file (read whatever its extension) or a directory (searched recursively for
    /// `*.yaml`, `*.yml` and `*.json`).
    Path(PathBuf),
    /// Text already read, such as stdin; `name` is what messages call it.
    Text { name: String, text: String },
    /// Text in a file already open (stdin too large to hold, spooled to a temporary file);
    /// `name` is what messages call it.
    Spooled { name: String, file: Arc<File> },
}

/// A file whose text is not held ([`read_inputs_holding`]): its [`SourceMap`] entry has
/// its name and no text; whoever reads it reads it from `handle`, from the start.
#[derive(Debug, Clone)]
pub struct Streamed {
    pub file: FileId,
    pub handle: Arc<File>,
}

/// A file's text, or the open file when it is not held.
enum Content {
    Text(String),
    Open(Arc<File>),
}

/// How to load.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Parse files on this many threads (at least 1).
    pub threads: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        LoadOptions { threads }
    }
}

/// Everything a run read: the files, the objects in input order, and the problems.
#[derive(Debug, Default)]
pub struct Manifests {
    pub sources: SourceMap,
    pub objects: Vec<Object>,
    pub diagnostics: Diagnostics,
    /// Files read (and parsed, successfully or not).
    pub files: usize,
    /// The files not held (see [`read_inputs_holding`]), in order.
    pub streamed: Vec<Streamed>,
}

/// Read every input. Problems with one path (missing, unreadable, invalid YAML) are
/// diagnostics; the other paths are still read.
pub fn load_paths(inputs: &[Input], options: &LoadOptions) -> Manifests {
    let mut out = read_inputs(inputs);
    let ids: Vec<FileId> = out.sources.files().map(|(id, _)| id).collect();
    for loaded in parse_all(&out.sources, &ids, options.threads) {
        out.objects.extend(loaded.objects);
        out.diagnostics.extend(loaded.diagnostics);
    }
    out
}

/// Read every input into [`Manifests::sources`] without parsing it (no objects yet):
/// for a caller that parses each file itself, document by document
/// ([`load_each`](crate::load_each)). Problems with one path are diagnostics, as with
/// [`load_paths`].
pub fn read_inputs(inputs: &[Input]) -> Manifests {
    read_inputs_holding(inputs, u64::MAX)
}

/// As [`read_inputs`], holding the text of files of at most `hold` bytes only: larger
/// ones are opened, checked and listed in [`Manifests::streamed`] for a reader that reads
/// them a few documents at a time ([`crate::parts`]).
pub fn read_inputs_holding(inputs: &[Input], hold: u64) -> Manifests {
    let mut out = Manifests::default();
    let mut texts: Vec<(String, Content)> = Vec::new();
    for input in inputs {
        match input {
            Input::Text { name, text } => texts.push((name.clone(), Content::Text(text.clone()))),
            Input::Spooled { name, file } => {
                let size = file.metadata().map_or(0, |m| m.len());
                if size > hold {
                    texts.push((name.clone(), Content::Open(Arc::clone(file))));
                } else {
                    match read_spooled(file) {
                        Ok(text) => texts.push((name.clone(), Content::Text(text))),
                        Err(e) => out.diagnostics.push(
                            Diagnostic::error(
                                UNREADABLE_PATH,
                                format!("cannot read `{name}`: {e}"),
                            )
                            .with_help("pipe UTF-8 YAML or JSON"),
                        ),
                    }
                }
            }
            Input::Path(path) => read_path(path, hold, &mut texts, &mut out.diagnostics),
        }
    }
    for (name, content) in texts {
        match content {
            Content::Text(text) => {
                out.sources.add(name, text);
            }
            Content::Open(handle) => {
                let file = out.sources.add(name, String::new());
                out.streamed.push(Streamed { file, handle });
            }
        }
    }
    out.files = out.sources.files().count();
    out
}

/// The whole text of a spooled file.
fn read_spooled(file: &File) -> Result<String, homeport_diag::input::ReadError> {
    let mut reader = file;
    reader.rewind()?;
    let mut bytes = Vec::new();
    reader
        .take(MAX_MANIFEST_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(homeport_diag::input::ReadError::TooLarge {
            limit: MAX_MANIFEST_BYTES,
        });
    }
    homeport_diag::input::text_of(bytes)
}

/// Parse files on up to `threads` threads; results come back in `ids` order.
fn parse_all(sources: &SourceMap, ids: &[FileId], threads: usize) -> Vec<Loaded> {
    let text_of = |id: FileId| sources.get(id).map_or("", |f| f.text.as_str());
    let threads = threads.clamp(1, ids.len().max(1));
    if threads == 1 {
        return ids.iter().map(|&id| load_text(id, text_of(id))).collect();
    }
    // Hand out files by size so both threads get similar work.
    let mut results: Vec<Option<Loaded>> = Vec::new();
    results.resize_with(ids.len(), || None);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&id) = ids.get(i) else { break };
                        mine.push((i, load_text(id, text_of(id))));
                    }
                    mine
                })
            })
            .collect();
        for handle in handles {
            // A panicking parser thread would be a bug; its files then yield nothing.
            if let Ok(mine) = handle.join() {
                for (i, loaded) in mine {
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(loaded);
                    }
                }
            }
        }
    });
    results.into_iter().map(Option::unwrap_or_default).collect()
}

fn read_path(path: &Path, hold: u64, texts: &mut Vec<(String, Content)>, diags: &mut Diagnostics) {
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            diags.push(
                Diagnostic::error(UNREADABLE_PATH, format!("cannot read `{name}`: {e}"))
                    .with_help("pass existing files or directories, or `-` for stdin"),
            );
            return;
        }
    };
    if meta.is_dir() {
        let before = texts.len();
        let mut skipped_chart = false;
        walk_dir(path, hold, texts, diags, &mut skipped_chart);
        if texts.len() == before && !skipped_chart {
            diags.push(
                Diagnostic::warning(
                    NO_MANIFESTS,
                    format!("no *.yaml, *.yml or *.json files in `{name}`"),
                )
                .with_help("pass the directory that holds the manifests"),
            );
        }
        return;
    }
    read_file(path, hold, texts, diags);
}

/// The size cap for one manifest file (a rendered chart of thousands of objects is well
/// under it; `/dev/zero` behind a symlink is refused before, as a character device).
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024 * 1024;

fn read_file(path: &Path, hold: u64, texts: &mut Vec<(String, Content)>, diags: &mut Diagnostics) {
    let name = path.display().to_string();
    let read = match homeport_diag::input::open_regular(path) {
        Ok(file) => match file.metadata() {
            Ok(meta) if meta.len() > MAX_MANIFEST_BYTES => {
                Err(homeport_diag::input::ReadError::TooLarge {
                    limit: MAX_MANIFEST_BYTES,
                })
            }
            Ok(meta) if meta.len() > hold => Ok(Content::Open(Arc::new(file))),
            _ => homeport_diag::input::read_open(file, MAX_MANIFEST_BYTES)
                .and_then(homeport_diag::input::text_of)
                .map(Content::Text),
        },
        Err(e) => Err(e),
    };
    match read {
        Ok(content) => texts.push((name, content)),
        Err(e) => diags.push(
            Diagnostic::error(UNREADABLE_PATH, format!("cannot read `{name}`: {e}"))
                .with_help("manifests are regular files of YAML or JSON text in UTF-8"),
        ),
    }
}

fn is_manifest_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    ) {
        return false;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn walk_dir(
    dir: &Path,
    hold: u64,
    texts: &mut Vec<(String, Content)>,
    diags: &mut Diagnostics,
    skipped_chart: &mut bool,
) {
    if dir.join("Chart.yaml").is_file() {
        *skipped_chart = true;
        diags.push(
            Diagnostic::warning(
                HELM_CHART_SKIPPED,
                format!(
                    "`{}` is a Helm chart; its templates are not manifests yet, skipped",
                    dir.display()
                ),
            )
            .with_help(format!(
                "lint the rendered chart: `helm template {} | homeport lint -`",
                dir.display()
            )),
        );
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    UNREADABLE_PATH,
                    format!("cannot read directory `{}`: {e}", dir.display()),
                )
                .with_help("check the directory's permissions"),
            );
            return;
        }
    };
    let mut paths: Vec<(PathBuf, bool)> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (e.path(), is_dir)
        })
        .collect();
    paths.sort();
    for (path, is_dir) in paths {
        if is_dir {
            walk_dir(&path, hold, texts, diags, skipped_chart);
        } else if is_manifest_file(&path) {
            read_file(&path, hold, texts, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_sorted_recursively_and_charts_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join("chart/templates")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let cm = |n: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\n");
        std::fs::write(root.join("b/nested/z.yml"), cm("z")).unwrap();
        std::fs::write(root.join("a.yaml"), cm("a")).unwrap();
        std::fs::write(
            root.join("c.json"),
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}",
        )
        .unwrap();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        std::fs::write(root.join("kustomization.yaml"), "resources: [a.yaml]\n").unwrap();
        std::fs::write(root.join(".git/x.yaml"), cm("hidden")).unwrap();
        std::fs::write(root.join("chart/Chart.yaml"), "apiVersion: v2\nname: c\n").unwrap();
        std::fs::write(root.join("chart/templates/d.yaml"), "{{ .Values }}").unwrap();
        let m = load_paths(
            &[
                Input::Path(root.to_path_buf()),
                Input::Path(root.join("missing.yaml")),
                Input::Text {
                    name: "<stdin>".into(),
                    text: cm("s"),
                },
            ],
            &LoadOptions { threads: 2 },
        );
        let names: Vec<_> = m.objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, vec!["a", "z", "c", "s"]);
        assert_eq!(m.files, 4);
        let codes: Vec<_> = m
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.is_error()))
            .collect();
        assert_eq!(
            codes,
            vec![(HELM_CHART_SKIPPED, false), (UNREADABLE_PATH, true)]
        );
    }
}
