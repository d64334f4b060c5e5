//! The loader: options → files → one merged, interpolated document → [`Project`].
//!
//! Order of work follows compose-go: each file is parsed, interpolated, its `extends` resolved
//! and its `include`s imported; files are then merged in order; relative paths are resolved
//! against the project directory; profiles select services; normalisation turns the document
//! into the typed model and checks references.

use crate::codes;
use crate::dotenv;
use crate::fs::{clean_path, resolve, FileSystem, RealFs};
use crate::interpolate::{substitute, TemplateError};
use crate::merge::merge;
use crate::model::Project;
use crate::schema;
use homeport_diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use homeport_yaml::{Entry, Map, Node, ScalarStyle, Value};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to load, as the command line and the process environment say.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-f` files, in order; empty = discovery / `COMPOSE_FILE`.
    pub files: Vec<PathBuf>,
    pub project_directory: Option<PathBuf>,
    pub project_name: Option<String>,
    pub env_files: Vec<PathBuf>,
    pub profiles: Vec<String>,
    /// The process environment (injected so tests can pass their own).
    pub environment: IndexMap<String, String>,
    /// Directory relative paths on the command line are resolved against.
    pub cwd: PathBuf,
}

/// The outcome of loading: a project unless there were errors, every file read (for
/// rendering diagnostics), and every diagnostic.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub project: Option<Project>,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// Load a Compose project from disk.
pub fn load(options: &LoadOptions) -> Loaded {
    load_with(options, &RealFs)
}

/// Load a Compose project through any [`FileSystem`] (tests and fuzzing use memory).
pub fn load_with(options: &LoadOptions, fs: &dyn FileSystem) -> Loaded {
    let mut loader = Loader::new(options, fs);
    let project = loader.run();
    let mut diagnostics = std::mem::take(&mut loader.diags);
    diagnostics.sort();
    let project = if diagnostics.has_errors() {
        None
    } else {
        project
    };
    Loaded {
        project,
        sources: loader.sources,
        diagnostics,
    }
}

pub(crate) type Env = IndexMap<String, String>;

const CANDIDATES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];
const OVERRIDES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// State of one load.
pub(crate) struct Loader<'a> {
    pub(crate) fs: &'a dyn FileSystem,
    pub(crate) options: &'a LoadOptions,
    pub(crate) sources: SourceMap,
    pub(crate) diags: Diagnostics,
    pub(crate) cwd: PathBuf,
    /// Variables interpolated into each scalar, by the scalar's span.
    pub(crate) interpolated: HashMap<Span, Vec<String>>,
    warned_unset: HashSet<String>,
    file_ids: HashMap<PathBuf, FileId>,
    extends_roots: HashMap<PathBuf, Option<Node>>,
    /// Why a file could not be read, for callers that report it in their own words.
    pub(crate) read_failures: HashMap<PathBuf, String>,
    /// Services whose `extends` could not be resolved (already reported; later checks that
    /// would only repeat the problem, like a missing `image`, skip them).
    pub(crate) extends_failed: HashSet<String>,
}

impl<'a> Loader<'a> {
    fn new(options: &'a LoadOptions, fs: &'a dyn FileSystem) -> Self {
        Loader {
            fs,
            options,
            sources: SourceMap::new(),
            diags: Diagnostics::new(),
            cwd: clean_path(&options.cwd),
            interpolated: HashMap::new(),
            warned_unset: HashSet::new(),
            file_ids: HashMap::new(),
            extends_roots: HashMap::new(),
            read_failures: HashMap::new(),
            extends_failed: HashSet::new(),
        }
    }

    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// How a path is shown in diagnostics: relative to the working directory when inside it.
    pub(crate) fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
            _ => path.display().to_string(),
        }
    }

    /// Why a path the project names is not a file: "not found", or "is a directory, not a
    /// file" (saying "not found" for a directory sends the user looking in the wrong place).
    pub(crate) fn missing(&self, path: &Path) -> &'static str {
        if self.fs.is_dir(path) {
            "is a directory, not a file"
        } else {
            "not found"
        }
    }

    /// Read a file into the source map (once per path).
    pub(crate) fn read_source(
        &mut self,
        path: &Path,
    ) -> Result<(FileId, String), homeport_diag::input::ReadError> {
        if let Some(&id) = self.file_ids.get(path) {
            let text = self
                .sources
                .get(id)
                .map(|f| f.text.clone())
                .unwrap_or_default();
            return Ok((id, text));
        }
        let text = self.fs.read_to_string(path)?;
        let id = self.sources.add(self.display(path), text.clone());
        self.file_ids.insert(path.to_path_buf(), id);
        Ok((id, text))
    }

    fn run(&mut self) -> Option<Project> {
        let cwd = self.cwd.clone();
        let explicit: Vec<PathBuf> = self
            .options
            .files
            .iter()
            .map(|f| clean_path(&cwd.join(f)))
            .collect();
        let explicit_dir = self
            .options
            .project_directory
            .as_ref()
            .map(|d| clean_path(&cwd.join(d)));
        if let Some(d) = &explicit_dir {
            if !self.fs.is_dir(d) {
                let what = if self.fs.is_file(d) {
                    "is not a directory"
                } else {
                    "does not exist"
                };
                self.error(
                    Diagnostic::error(
                        codes::MISSING_FILE,
                        format!("project directory `{}` {what}", d.display()),
                    )
                    .with_help("pass an existing directory with --project-directory"),
                );
                return None;
            }
        }
        let first_dir = explicit
            .first()
            .and_then(|f| f.parent())
            .map(Path::to_path_buf);
        let pre_dir = explicit_dir
            .clone()
            .or(first_dir)
            .unwrap_or_else(|| cwd.clone());
        let mut env = self.project_env(&pre_dir);

        let files = if !explicit.is_empty() {
            explicit
        } else if let Some(list) = env.get("COMPOSE_FILE").filter(|v| !v.trim().is_empty()) {
            let sep = env
                .get("COMPOSE_PATH_SEPARATOR")
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| ":".to_string());
            list.split(sep.as_str())
                .filter(|s| !s.trim().is_empty())
                .map(|f| resolve(&pre_dir, f.trim()))
                .collect()
        } else {
            match self.discover(&pre_dir) {
                Some(files) => files,
                None => {
                    self.error(
                        Diagnostic::error(
                            codes::NO_COMPOSE_FILE,
                            format!(
                                "no compose file found in {} or its parent directories",
                                pre_dir.display()
                            ),
                        )
                        .with_help("create compose.yaml, pass -f FILE, or set COMPOSE_FILE"),
                    );
                    return None;
                }
            }
        };
        let mut missing = false;
        for f in &files {
            if !self.fs.is_file(f) {
                missing = true;
                self.error(
                    Diagnostic::error(
                        codes::NO_COMPOSE_FILE,
                        format!("compose file `{}` {}", self.display(f), self.missing(f)),
                    )
                    .with_help("check the path given with -f or COMPOSE_FILE"),
                );
            }
        }
        if missing {
            return None;
        }
        let project_dir = explicit_dir.unwrap_or_else(|| {
            files
                .first()
                .and_then(|f| f.parent())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| cwd.clone())
        });
        if project_dir != pre_dir && self.options.env_files.is_empty() {
            env = self.project_env(&project_dir);
        }

        let mut stack = Vec::new();
        let root = self.load_model(&files, &project_dir, &env, &mut stack)?;

        let profiles: Vec<String> = if self.options.profiles.is_empty() {
            env.get("COMPOSE_PROFILES")
                .map(|p| {
                    p.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            self.options.profiles.clone()
        };
        let display_files: Vec<String> = files.iter().map(|f| self.display(f)).collect();
        let explicit_name = self
            .options
            .project_name
            .clone()
            .or_else(|| env.get("COMPOSE_PROJECT_NAME").cloned())
            .filter(|n| !n.is_empty());
        crate::normalize::project(
            self,
            root,
            crate::normalize::ProjectInput {
                explicit_name,
                project_dir,
                files: display_files,
                env,
                profiles,
            },
        )
    }

    fn discover(&self, start: &Path) -> Option<Vec<PathBuf>> {
        for dir in start.ancestors() {
            let main = CANDIDATES
                .iter()
                .map(|c| dir.join(c))
                .find(|p| self.fs.is_file(p));
            if let Some(main) = main {
                let mut files = vec![main];
                if let Some(o) = OVERRIDES
                    .iter()
                    .map(|c| dir.join(c))
                    .find(|p| self.fs.is_file(p))
                {
                    files.push(o);
                }
                return Some(files);
            }
        }
        None
    }

    /// The interpolation environment: `--env-file`s (or `<dir>/.env`) overlaid with the
    /// process environment, which wins.
    fn project_env(&mut self, dir: &Path) -> Env {
        let process = self.options.environment.clone();
        let files: Vec<PathBuf> = if self.options.env_files.is_empty() {
            let default = dir.join(".env");
            if self.fs.is_file(&default) {
                vec![default]
            } else {
                Vec::new()
            }
        } else {
            let cwd = self.cwd.clone();
            self.options
                .env_files
                .iter()
                .map(|f| clean_path(&cwd.join(f)))
                .collect()
        };
        let mut dot = Env::new();
        for f in files {
            if !self.fs.is_file(&f) {
                let shown = self.display(&f);
                self.error(
                    Diagnostic::error(
                        codes::MISSING_FILE,
                        format!("env file `{shown}` {}", self.missing(&f)),
                    )
                    .with_help("check the path given with --env-file"),
                );
                continue;
            }
            let lookup = |k: &str| process.get(k).cloned().or_else(|| dot.get(k).cloned());
            let entries = self.read_env_file(&f, &lookup, None).map(|(_, e)| e);
            for e in entries.unwrap_or_default() {
                dot.insert(e.key, e.value);
            }
        }
        for (k, v) in process {
            dot.insert(k, v);
        }
        dot
    }

    /// Parse an env file, reporting bad lines. `None` when it cannot be read (reported at
    /// `reference`, where the project names the file; `None` for the command line).
    pub(crate) fn read_env_file(
        &mut self,
        path: &Path,
        lookup: &dyn Fn(&str) -> Option<String>,
        reference: Option<Span>,
    ) -> Option<(FileId, Vec<dotenv::DotenvEntry>)> {
        let (id, text) = match self.read_source(path) {
            Ok(x) => x,
            Err(e) => {
                // Never silently: an env file that cannot be read would drop its variables.
                let shown = self.display(path);
                self.error(
                    Diagnostic::error(
                        codes::INVALID_ENV_FILE,
                        format!("cannot read env file `{shown}`: {e}"),
                    )
                    .with_span_opt(reference)
                    .with_label("referenced here")
                    .with_help("an env file must be a readable regular UTF-8 text file"),
                );
                return None;
            }
        };
        let (entries, errors) = dotenv::parse(&text, lookup);
        for e in errors {
            let span = Span::new(id, e.range.start, e.range.end);
            let d = match e.required {
                Some((var, _)) => Diagnostic::error(codes::REQUIRED_VARIABLE, e.message)
                    .with_span(span)
                    .with_help(format!(
                        "set {var} in the environment or define it earlier in this file"
                    )),
                None => Diagnostic::error(codes::INVALID_ENV_FILE, e.message)
                    .with_span(span)
                    .with_help("env files hold `KEY=VALUE` lines; quote values with spaces or `#`"),
            };
            self.error(d);
        }
        Some((id, entries))
    }

    /// Load files as one model (used for the project and for each `include`), with relative
    /// paths resolved against `working_dir`.
    pub(crate) fn load_model(
        &mut self,
        files: &[PathBuf],
        working_dir: &Path,
        env: &Env,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Node> {
        let mut acc: Option<Node> = None;
        let mut loaded_any = false;
        for f in files {
            let Some(model) = self.load_file(f, env, stack) else {
                continue;
            };
            loaded_any = true;
            acc = match acc {
                None => merge(None, model, &[]),
                Some(base) => {
                    let span = base.span;
                    Some(merge(Some(base), model, &[]).unwrap_or_else(|| empty_map(span)))
                }
            };
        }
        if !loaded_any {
            return None;
        }
        let mut root = acc?;
        let home = self.options.environment.get("HOME").cloned();
        crate::paths::resolve_model(&mut root, working_dir, home.as_deref());
        Some(root)
    }

    fn load_file(&mut self, path: &Path, env: &Env, stack: &mut Vec<PathBuf>) -> Option<Node> {
        let (id, text) = match self.read_source(path) {
            Ok(x) => x,
            Err(e) => {
                let shown = self.display(path);
                self.error(
                    Diagnostic::error(
                        codes::NO_COMPOSE_FILE,
                        format!("cannot read compose file `{shown}`: {e}"),
                    )
                    .with_help("a compose file must be a readable regular UTF-8 text file"),
                );
                return None;
            }
        };
        let mut root = self.parse_root(id, &text)?;
        self.interpolate(&mut root, env);
        self.check_top_level(&root);
        stack.push(path.to_path_buf());
        crate::extends::apply(self, &mut root, path, env);
        crate::include::apply(self, &mut root, path, env, stack);
        stack.pop();
        Some(root)
    }

    /// Parse a compose document (several `---` documents are merged in order).
    pub(crate) fn parse_root(&mut self, id: FileId, text: &str) -> Option<Node> {
        let docs = match homeport_yaml::parse(text, id, homeport_yaml::Limits::default()) {
            Ok(d) => d,
            Err(errors) => {
                // go-yaml accepts flow collections indented no deeper than their key; retry
                // with their line breaks as spaces (same length, so spans are unchanged).
                let relaxed = errors
                    .iter()
                    .any(|e| e.message.contains("indentation"))
                    .then(|| crate::yaml_compat::join_flow_lines(text))
                    .flatten()
                    .and_then(|t| {
                        homeport_yaml::parse(&t, id, homeport_yaml::Limits::default()).ok()
                    });
                match relaxed {
                    Some(d) => d,
                    None => {
                        self.diags.extend(errors);
                        return None;
                    }
                }
            }
        };
        let mut root: Option<Node> = None;
        for doc in docs {
            if doc.is_null() {
                continue;
            }
            if doc.as_map().is_none() {
                self.error(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!(
                            "a compose file must be a mapping, found {}",
                            doc.type_name()
                        ),
                    )
                    .with_span(doc.span)
                    .with_help("start the file with `services:`"),
                );
                continue;
            }
            // Keep `!reset` / `!override` tags: they apply when this file is merged onto
            // the files before it (a later document of the same file merges onto earlier ones).
            root = match root {
                None => Some(doc),
                Some(prev) => {
                    let span = prev.span;
                    Some(merge(Some(prev), doc, &[]).unwrap_or_else(|| empty_map(span)))
                }
            };
        }
        if root.is_none() {
            let name = self
                .sources
                .get(id)
                .map(|f| f.name.clone())
                .unwrap_or_default();
            self.error(
                Diagnostic::error(
                    codes::NO_COMPOSE_FILE,
                    format!("compose file `{name}` is empty"),
                )
                .with_span(Span::new(id, 0, 0))
                .with_help("define at least `services:`"),
            );
        }
        root
    }

    fn check_top_level(&mut self, root: &Node) {
        let Some(map) = root.as_map() else {
            return;
        };
        for e in &map.entries {
            let key = e.key_str();
            if key == "version" {
                self.diags.push(
                    Diagnostic::warning(
                        codes::OBSOLETE_VERSION,
                        "the top-level `version` key is obsolete and ignored",
                    )
                    .with_span(e.key.span)
                    .with_help("remove `version:`; the Compose Specification does not use it"),
                );
            }
        }
        self.check_keys(map, "the top level", schema::TOP_LEVEL);
    }

    /// Report keys that are not in `known` (`x-*` keys are always allowed).
    pub(crate) fn check_keys(&mut self, map: &Map, place: &str, known: &[&str]) -> bool {
        let mut ok = true;
        for e in &map.entries {
            let key = e.key_str();
            if key.starts_with("x-") || known.contains(&key) {
                continue;
            }
            ok = false;
            self.unknown_key(&e.key, place, known);
        }
        ok
    }

    /// Report one unknown key, suggesting the closest known one.
    pub(crate) fn unknown_key(&mut self, key_node: &Node, place: &str, known: &[&str]) {
        let key = key_node.as_str().unwrap_or_default();
        let help = match schema::did_you_mean(key, known) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.len() <= 12 => format!(
                "allowed here: {}",
                known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
            None => "see the Compose Specification for the keys allowed here; custom data goes under an `x-` key".to_string(),
        };
        self.error(
            Diagnostic::error(
                codes::UNKNOWN_KEY,
                format!("unknown key `{key}` in {place}"),
            )
            .with_span(key_node.span)
            .with_label(if known == schema::HINTS {
                "not an x-homeport hint"
            } else {
                "not a Compose key"
            })
            .with_help(help),
        );
    }

    /// Interpolate every scalar value (not keys) in place.
    pub(crate) fn interpolate(&mut self, node: &mut Node, env: &Env) {
        match &mut node.value {
            Value::Map(m) => {
                for e in &mut m.entries {
                    self.interpolate(&mut e.value, env);
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.interpolate(item, env);
                }
            }
            Value::Scalar(text, style) => {
                if !text.contains('$') {
                    return;
                }
                let lookup = |k: &str| env.get(k).cloned();
                match substitute(text, &lookup) {
                    Ok(s) => {
                        for var in &s.unset {
                            if self.warned_unset.insert(var.clone()) {
                                self.diags.push(
                                    Diagnostic::warning(
                                        codes::UNSET_VARIABLE,
                                        format!("variable `{var}` is not set; using an empty string"),
                                    )
                                    .with_span(node.span)
                                    .with_help(format!(
                                        "set {var} in the environment or in .env, or give a default: ${{{var}:-value}}"
                                    )),
                                );
                            }
                        }
                        if !s.variables.is_empty() {
                            self.interpolated.insert(node.span, s.variables);
                        }
                        if s.text != *text {
                            *text = s.text;
                            // Interpolated values are strings; typed readers parse them.
                            *style = ScalarStyle::DoubleQuoted;
                        }
                    }
                    Err(TemplateError::Required {
                        variable,
                        message,
                        range,
                    }) => {
                        let span = self.sub_span(node.span, text, range);
                        let msg = if message.is_empty() {
                            format!("required variable `{variable}` is missing a value")
                        } else {
                            format!("required variable `{variable}` is missing a value: {message}")
                        };
                        self.error(
                            Diagnostic::error(codes::REQUIRED_VARIABLE, msg)
                                .with_span(span)
                                .with_label("required here")
                                .with_help(format!(
                                    "set {variable} in the environment or in the .env file"
                                )),
                        );
                    }
                    Err(TemplateError::Invalid { reason, range }) => {
                        let span = self.sub_span(node.span, text, range);
                        self.error(
                            Diagnostic::error(
                                codes::INVALID_INTERPOLATION,
                                format!("invalid interpolation: {reason}"),
                            )
                            .with_span(span)
                            .with_help(
                                "write `$$` for a literal `$`, or `${NAME}` / `${NAME:-default}`",
                            ),
                        );
                    }
                }
            }
        }
    }

    /// The span of `range` of a scalar's text, when that text appears verbatim in the source
    /// (else the scalar's whole span).
    fn sub_span(&self, span: Span, text: &str, range: std::ops::Range<usize>) -> Span {
        let Some(needle) = text.get(range) else {
            return span;
        };
        let Some(file) = self.sources.get(span.file) else {
            return span;
        };
        let start = span.start as usize;
        let end = (start + text.len() * 2 + 16).min(file.text.len());
        match file.text.get(start..end).and_then(|hay| hay.find(needle)) {
            Some(i) => Span::new(span.file, start + i, start + i + needle.len()),
            None => span,
        }
    }

    /// A file referenced by `extends: {file: ...}`: parsed and interpolated, cached.
    pub(crate) fn extends_root(&mut self, path: &Path, env: &Env) -> Option<Node> {
        if let Some(cached) = self.extends_roots.get(path) {
            return cached.clone();
        }
        let loaded = match self.read_source(path) {
            Ok((id, text)) => self.parse_root(id, &text).map(|mut root| {
                self.interpolate(&mut root, env);
                root
            }),
            Err(e) => {
                self.read_failures.insert(path.to_path_buf(), e.to_string());
                None
            }
        };
        self.extends_roots
            .insert(path.to_path_buf(), loaded.clone());
        loaded
    }
}

pub(crate) fn empty_map(span: Span) -> Node {
    Node::new(Value::Map(Map::default()), span)
}

/// A mutable view of a root's `services` mapping (absent or not a mapping: `None`).
pub(crate) fn services_mut(root: &mut Node) -> Option<&mut Map> {
    root.as_map_mut()?.get_mut("services")?.as_map_mut()
}

/// Insert `value` under `key`, keeping the position of an existing entry.
pub(crate) fn set_entry(map: &mut Map, key: Node, value: Node) {
    match map
        .entries
        .iter_mut()
        .find(|e| e.key.as_str() == key.as_str())
    {
        Some(e) => e.value = value,
        None => map.entries.push(Entry { key, value }),
    }
}
