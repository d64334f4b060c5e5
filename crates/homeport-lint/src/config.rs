//! The lint configuration file: `.homeport.toml` (a `[lint]` table) or `homeport.yaml` (a
//! `lint:` mapping), found by searching upward from the working directory to the root of
//! its git repository, or given with `--config FILE`.
//!
//! ```toml
//! [lint]
//! select = ["default"]            # replaces the default rule set (same forms as --select)
//! extend-select = ["SEC021"]      # added to it (opt-in rules)
//! ignore = ["REL004"]
//! level = "baseline"              # Pod Security level for every pod (as --level)
//! kubernetes-version = "1.32"
//! baseline = "lint-baseline.json" # as --baseline
//!
//! [lint.per-path-ignores]
//! "charts/**" = ["SEC", "REL010"] # globs relative to the file's directory
//! ```
//!
//! Command-line flags win: `--select` replaces `select` and `extend-select`, `--ignore` adds
//! to `ignore`, `--level`, `--kubernetes-version` and `--baseline` replace theirs.

use crate::finding::Finding;
use crate::selection::rules_named;
use homeport_diag::{Diagnostic, FileId, SourceMap, Span};
use homeport_pss::Level;
use std::path::{Path, PathBuf};

/// Diagnostic code: a configuration file that cannot be read or used.
pub const INVALID_CONFIG: &str = "HP0060";

/// The names searched for, in this order, in each directory.
pub const CONFIG_FILES: &[&str] = &[".homeport.toml", "homeport.yaml"];

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory paths in it are relative to.
    pub root: PathBuf,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `(glob, selectors)`: findings in files matching the glob are dropped.
    pub per_path_ignores: Vec<(String, Vec<String>)>,
    pub level: Option<Level>,
    pub kubernetes_version: Option<String>,
    /// Absolute (joined to `root`).
    pub baseline: Option<PathBuf>,
}

/// The configuration file that applies in `start`: the first of [`CONFIG_FILES`] in
/// `start` or a parent, stopping at the directory that holds `.git`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in CONFIG_FILES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// A value of the file, whatever the format.
enum Raw {
    Str(String),
    List(Vec<String>),
    Table(Vec<(String, Vec<String>, Span)>),
    Other,
}

/// Read and check a configuration file. Problems are diagnostics with positions (the file
/// is added to `sources`).
pub fn load(path: &Path, sources: &mut SourceMap) -> Result<Config, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::error(
            INVALID_CONFIG,
            format!("cannot read configuration `{}`: {e}", path.display()),
        )
        .with_help("pass an existing file with --config")]
    })?;
    let id = sources.add(path.display().to_string(), text.clone());
    let is_toml = path.extension().and_then(|e| e.to_str()) == Some("toml");
    let entries = if is_toml {
        toml_entries(&text, id)?
    } else {
        yaml_entries(&text, id)?
    };
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut config = Config {
        path: path.to_path_buf(),
        root: root.clone(),
        ..Config::default()
    };
    let mut diags = Vec::new();
    let bad = |span: Span, message: String, help: &str| {
        Diagnostic::error(INVALID_CONFIG, message)
            .with_span(span)
            .with_help(help.to_string())
    };
    for (key, value, span) in entries {
        let check_selectors = |list: &[String], diags: &mut Vec<Diagnostic>| {
            for s in list.iter().flat_map(|v| v.split(',')).map(str::trim) {
                if !s.is_empty() && rules_named(s).is_err() {
                    diags.push(bad(
                        span,
                        format!("`{s}` in `{key}` is not a rule code, code prefix, rule name or category"),
                        "see `homeport rule --list`",
                    ));
                }
            }
        };
        match (key.as_str(), value) {
            ("select", Raw::List(l)) => {
                check_selectors(&l, &mut diags);
                config.select = Some(l);
            }
            ("extend-select", Raw::List(l)) => {
                check_selectors(&l, &mut diags);
                config.extend_select = l;
            }
            ("ignore", Raw::List(l)) => {
                check_selectors(&l, &mut diags);
                config.ignore = l;
            }
            ("per-path-ignores", Raw::Table(t)) => {
                for (glob, selectors, _) in t {
                    check_selectors(&selectors, &mut diags);
                    config.per_path_ignores.push((glob, selectors));
                }
            }
            ("level", Raw::Str(s)) => match s.as_str() {
                "baseline" => config.level = Some(Level::Baseline),
                "restricted" => config.level = Some(Level::Restricted),
                _ => diags.push(bad(
                    span,
                    format!("`level` is `{s}`: expected `baseline` or `restricted`"),
                    "leave `level` out to use each namespace's label",
                )),
            },
            ("kubernetes-version", Raw::Str(s)) => {
                if homeport_pss::Version::parse(&s).is_err() {
                    diags.push(bad(
                        span,
                        format!("`kubernetes-version` is `{s}`: expected MAJOR.MINOR such as 1.33"),
                        "write the version as a string: kubernetes-version = \"1.33\"",
                    ));
                }
                config.kubernetes_version = Some(s);
            }
            ("baseline", Raw::Str(s)) => config.baseline = Some(root.join(s)),
            (
                "select" | "extend-select" | "ignore" | "per-path-ignores" | "level"
                | "kubernetes-version" | "baseline",
                _,
            ) => diags.push(bad(
                span,
                format!("`{key}` has the wrong type"),
                "lists are arrays of strings, `per-path-ignores` maps globs to lists, the others are strings",
            )),
            (other, _) => diags.push(bad(
                span,
                format!("unknown lint setting `{other}`"),
                "the settings are select, extend-select, ignore, per-path-ignores, level, kubernetes-version and baseline",
            )),
        }
    }
    if diags.is_empty() {
        Ok(config)
    } else {
        Err(diags)
    }
}

fn toml_entries(text: &str, id: FileId) -> Result<Vec<(String, Raw, Span)>, Vec<Diagnostic>> {
    let span_of = |r: Option<std::ops::Range<usize>>| {
        let r = r.unwrap_or(0..0);
        Span::new(id, r.start, r.end)
    };
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        vec![Diagnostic::error(
            INVALID_CONFIG,
            format!("invalid TOML: {}", e.message().trim()),
        )
        .with_span(span_of(e.span()))
        .with_help("see the README's lint configuration section")]
    })?;
    let Some(lint) = doc.get("lint") else {
        return Ok(Vec::new());
    };
    let Some(table) = lint.as_table_like() else {
        return Err(vec![Diagnostic::error(
            INVALID_CONFIG,
            "`lint` is not a table",
        )
        .with_span(span_of(lint.span()))
        .with_help("write the settings under `[lint]`")]);
    };
    let strings = |item: &toml_edit::Item| -> Option<Vec<String>> {
        let a = item.as_array()?;
        a.iter().map(|v| v.as_str().map(str::to_string)).collect()
    };
    let mut out = Vec::new();
    for (key, item) in table.iter() {
        let span = span_of(
            table
                .key(key)
                .and_then(|k| k.span())
                .or_else(|| item.span()),
        );
        let raw = if let Some(s) = item.as_str() {
            Raw::Str(s.to_string())
        } else if let Some(l) = strings(item) {
            Raw::List(l)
        } else if let Some(t) = item.as_table_like() {
            let mut rows = Vec::new();
            for (k, v) in t.iter() {
                let Some(l) = strings(v) else {
                    return Err(vec![Diagnostic::error(
                        INVALID_CONFIG,
                        format!("`{key}.\"{k}\"` is not a list of strings"),
                    )
                    .with_span(span_of(v.span()))
                    .with_help(
                        "map each glob to a list of codes: \"charts/**\" = [\"SEC\"]",
                    )]);
                };
                rows.push((k.to_string(), l, span));
            }
            Raw::Table(rows)
        } else {
            Raw::Other
        };
        out.push((key.to_string(), raw, span));
    }
    Ok(out)
}

fn yaml_entries(text: &str, id: FileId) -> Result<Vec<(String, Raw, Span)>, Vec<Diagnostic>> {
    use homeport_yaml::{Node, Value};
    let docs = homeport_yaml::parse(text, id, homeport_yaml::Limits::default())?;
    let Some(lint) = docs.first().and_then(|d| d.get("lint")) else {
        return Ok(Vec::new());
    };
    let Some(map) = lint.as_map() else {
        return Err(vec![Diagnostic::error(
            INVALID_CONFIG,
            "`lint` is not a mapping",
        )
        .with_span(lint.span)
        .with_help("write the settings under `lint:`")]);
    };
    let strings = |n: &Node| -> Option<Vec<String>> {
        n.as_seq()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let mut out = Vec::new();
    for entry in &map.entries {
        let key = entry.key_str().to_string();
        let span = entry.key.span;
        let v = &entry.value;
        let raw = if let Some(l) = strings(v) {
            Raw::List(l)
        } else if let Some(m) = v.as_map() {
            let mut rows = Vec::new();
            for e in &m.entries {
                let Some(l) = strings(&e.value) else {
                    return Err(vec![Diagnostic::error(
                        INVALID_CONFIG,
                        format!("`{key}.{}` is not a list of strings", e.key_str()),
                    )
                    .with_span(e.value.span)
                    .with_help("map each glob to a list of codes: \"charts/**\": [SEC]")]);
                };
                rows.push((e.key_str().to_string(), l, e.key.span));
            }
            Raw::Table(rows)
        } else if matches!(v.value, Value::Map(_) | Value::Seq(_)) {
            Raw::Other
        } else if let Some(s) = v.as_str() {
            Raw::Str(s.to_string())
        } else {
            Raw::Other
        };
        out.push((key, raw, span));
    }
    Ok(out)
}

impl Config {
    /// Drop findings in files that a `per-path-ignores` glob matches with a selector that
    /// names their rule. `file_of` gives a finding's file path as the loader named it.
    /// Returns how many were dropped.
    pub fn apply_per_path_ignores(
        &self,
        findings: &mut Vec<Finding>,
        file_of: impl Fn(&Finding) -> Option<String>,
    ) -> usize {
        if self.per_path_ignores.is_empty() {
            return 0;
        }
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let rules: Vec<(&str, Vec<&'static str>)> = self
            .per_path_ignores
            .iter()
            .map(|(glob, selectors)| {
                let codes = selectors
                    .iter()
                    .flat_map(|s| s.split(','))
                    .filter_map(|s| rules_named(s.trim()).ok())
                    .flatten()
                    .map(|r| r.code)
                    .collect();
                (glob.as_str(), codes)
            })
            .collect();
        let before = findings.len();
        findings.retain(|f| {
            let Some(file) = file_of(f) else { return true };
            let path = Path::new(&file);
            let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            let rel = abs.strip_prefix(&root).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            !rules
                .iter()
                .any(|(glob, codes)| codes.contains(&f.code) && glob_matches(glob, &rel))
        });
        before - findings.len()
    }
}

/// Whether a `/`-separated relative path matches a glob: `*` (any characters but `/`),
/// `?` (one character but `/`), `**` (any number of directories). A glob without `/`
/// matches the file name in any directory, as in `.gitignore`.
pub fn glob_matches(glob: &str, path: &str) -> bool {
    let glob = glob.trim_start_matches("./");
    if !glob.contains('/') {
        let name = path.rsplit('/').next().unwrap_or(path);
        return segment_matches(glob.as_bytes(), name.as_bytes());
    }
    let g: Vec<&str> = glob.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    match_segments(&g, &p)
}

fn match_segments(g: &[&str], p: &[&str]) -> bool {
    match g.split_first() {
        None => p.is_empty(),
        Some((&"**", rest)) => (0..=p.len()).any(|i| match_segments(rest, &p[i..])),
        Some((first, rest)) => match p.split_first() {
            Some((name, prest)) => {
                segment_matches(first.as_bytes(), name.as_bytes()) && match_segments(rest, prest)
            }
            None => false,
        },
    }
}

fn segment_matches(g: &[u8], s: &[u8]) -> bool {
    match g.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| segment_matches(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && segment_matches(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && segment_matches(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("charts/**", "charts/a/templates/x.yaml"));
        assert!(glob_matches("charts/**/*.yaml", "charts/x.yaml"));
        assert!(glob_matches("*.json", "deep/dir/x.json"));
        assert!(glob_matches("k8s/*-patch.yaml", "k8s/web-patch.yaml"));
        assert!(!glob_matches("k8s/*.yaml", "k8s/sub/web.yaml"));
        assert!(glob_matches("./k8s/?.yaml", "k8s/a.yaml"));
        assert!(!glob_matches("charts/**", "other/charts/x.yaml"));
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn toml_and_yaml_read_the_same_settings() {
        let dir = tempfile::tempdir().unwrap();
        let toml = write(
            dir.path(),
            ".homeport.toml",
            "[tool]\nx = 1\n[lint]\nselect = [\"default\"]\nextend-select = [\"SEC021\"]\nignore = [\"REL004\"]\nlevel = \"baseline\"\nkubernetes-version = \"1.32\"\nbaseline = \"b.json\"\n[lint.per-path-ignores]\n\"charts/**\" = [\"SEC\"]\n",
        );
        let yaml = write(
            dir.path(),
            "homeport.yaml",
            "lint:\n  select: [default]\n  extend-select: [SEC021]\n  ignore: [REL004]\n  level: baseline\n  kubernetes-version: \"1.32\"\n  baseline: b.json\n  per-path-ignores:\n    \"charts/**\": [SEC]\n",
        );
        for path in [toml, yaml] {
            let c = load(&path, &mut SourceMap::new()).unwrap();
            assert_eq!(c.select, Some(vec!["default".to_string()]));
            assert_eq!(c.extend_select, ["SEC021"]);
            assert_eq!(c.ignore, ["REL004"]);
            assert_eq!(c.level, Some(Level::Baseline));
            assert_eq!(c.kubernetes_version.as_deref(), Some("1.32"));
            assert_eq!(c.baseline, Some(dir.path().join("b.json")));
            assert_eq!(
                c.per_path_ignores,
                [("charts/**".to_string(), vec!["SEC".to_string()])]
            );
        }
    }

    #[test]
    fn mistakes_are_diagnostics_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            ".homeport.toml",
            "[lint]\nselekt = [\"SEC\"]\nignore = [\"NOPE\"]\nlevel = \"strict\"\n",
        );
        let mut sources = SourceMap::new();
        let diags = load(&path, &mut sources).unwrap_err();
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("unknown lint setting `selekt`"));
        assert!(messages[1].contains("`NOPE`"));
        assert!(messages[2].contains("`strict`"));
        assert!(diags.iter().all(|d| d.span.is_some_and(|s| s.start > 0)));
        let bad = write(dir.path(), "broken.toml", "[lint\n");
        assert!(load(&bad, &mut sources).is_err());
    }

    #[test]
    fn discovery_stops_at_the_git_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let deep = repo.join("k8s/apps");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        assert_eq!(discover(&deep), None);
        write(dir.path(), ".homeport.toml", "[lint]\n");
        assert_eq!(discover(&deep), None, "above the git root");
        let cfg = write(&repo, "homeport.yaml", "lint: {}\n");
        assert_eq!(discover(&deep), Some(cfg));
        let toml = write(&repo, ".homeport.toml", "[lint]\n");
        assert_eq!(discover(&deep), Some(toml), ".homeport.toml first");
    }
}
