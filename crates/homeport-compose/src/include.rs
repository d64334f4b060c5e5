//! Top-level `include`: other Compose projects loaded on their own (their own project
//! directory and `.env`) and imported into this one. Paths are relative to the including file.

use crate::codes;
use crate::fs::resolve;
use crate::load::{Env, Loader};
use crate::schema;
use homeport_diag::{Diagnostic, Span};
use homeport_yaml::{Entry, Node, Value};
use std::path::{Path, PathBuf};

struct Include {
    paths: Vec<(String, Span)>,
    project_directory: Option<String>,
    env_files: Vec<(String, Span)>,
    span: Span,
}

const SECTIONS: [&str; 5] = ["services", "networks", "volumes", "secrets", "configs"];

pub(crate) fn apply(
    ld: &mut Loader,
    root: &mut Node,
    file: &Path,
    env: &Env,
    stack: &mut Vec<PathBuf>,
) {
    let Some(map) = root.as_map_mut() else {
        return;
    };
    let Some(entry) = map.remove("include") else {
        return;
    };
    let includes = parse(ld, &entry.value);
    let base_dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    for inc in includes {
        let Some(model) = load_one(ld, &inc, &base_dir, env, stack) else {
            continue;
        };
        import(ld, root, model);
    }
}

fn strings(ld: &mut Loader, node: &Node, what: &str) -> Vec<(String, Span)> {
    match &node.value {
        Value::Scalar(s, _) if !node.is_null() => vec![(s.clone(), node.span)],
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| match n.as_str() {
                Some(s) if n.is_scalar() => Some((s.to_string(), n.span)),
                _ => {
                    ld.error(
                        Diagnostic::error(
                            codes::WRONG_TYPE,
                            format!("`{what}` entries must be strings, found {}", n.type_name()),
                        )
                        .with_span(n.span),
                    );
                    None
                }
            })
            .collect(),
        _ => {
            ld.error(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!(
                        "`{what}` must be a string or a list, found {}",
                        node.type_name()
                    ),
                )
                .with_span(node.span),
            );
            Vec::new()
        }
    }
}

fn parse(ld: &mut Loader, node: &Node) -> Vec<Include> {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            ld.error(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("`include` must be a list, found {}", node.type_name()),
                )
                .with_span(node.span)
                .with_help("write `include: [path/to/compose.yaml]`"),
            );
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match &item.value {
            Value::Scalar(s, _) if !item.is_null() => out.push(Include {
                paths: vec![(s.clone(), item.span)],
                project_directory: None,
                env_files: Vec::new(),
                span: item.span,
            }),
            Value::Map(m) => {
                ld.check_keys(m, "an `include` entry", schema::INCLUDE);
                let paths = m
                    .get("path")
                    .map(|p| strings(ld, p, "include.path"))
                    .unwrap_or_default();
                if paths.is_empty() {
                    ld.error(
                        Diagnostic::error(codes::WRONG_TYPE, "an `include` entry needs a `path`")
                            .with_span(item.span),
                    );
                    continue;
                }
                let env_files = m
                    .get("env_file")
                    .map(|p| strings(ld, p, "include.env_file"))
                    .unwrap_or_default();
                out.push(Include {
                    paths,
                    project_directory: m
                        .get("project_directory")
                        .and_then(Node::as_str)
                        .map(str::to_owned),
                    env_files,
                    span: item.span,
                });
            }
            _ => ld.error(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!(
                        "`include` entries must be a path or a mapping, found {}",
                        item.type_name()
                    ),
                )
                .with_span(item.span),
            ),
        }
    }
    out
}

fn load_one(
    ld: &mut Loader,
    inc: &Include,
    base_dir: &Path,
    env: &Env,
    stack: &mut Vec<PathBuf>,
) -> Option<Node> {
    let mut files = Vec::new();
    for (p, span) in &inc.paths {
        let path = resolve(base_dir, p);
        if !ld.fs.is_file(&path) {
            let shown = ld.display(&path);
            ld.error(
                Diagnostic::error(
                    codes::MISSING_FILE,
                    format!("included file `{shown}` {}", ld.missing(&path)),
                )
                .with_span(*span)
                .with_label("included here")
                .with_help("`include` paths are relative to the including file"),
            );
            return None;
        }
        if stack.contains(&path) {
            let chain: Vec<String> = stack.iter().map(|f| ld.display(f)).collect();
            ld.error(
                Diagnostic::error(
                    codes::INCLUDE_CONFLICT,
                    format!(
                        "`include` cycle: {} → {}",
                        chain.join(" → "),
                        ld.display(&path)
                    ),
                )
                .with_span(*span)
                .with_help("a file cannot include itself, directly or through others"),
            );
            return None;
        }
        files.push(path);
    }
    let first_dir = files
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base_dir.to_path_buf());
    let project_dir = match &inc.project_directory {
        Some(d) => resolve(base_dir, d),
        None => first_dir,
    };
    let env_paths: Vec<(PathBuf, Option<Span>)> = if inc.env_files.is_empty() {
        let default = project_dir.join(".env");
        if ld.fs.is_file(&default) {
            vec![(default, None)]
        } else {
            Vec::new()
        }
    } else {
        inc.env_files
            .iter()
            .filter(|(f, _)| f != "/dev/null")
            .map(|(f, s)| (resolve(base_dir, f), Some(*s)))
            .collect()
    };
    // The including project's variables win over the included project's env files.
    let mut own = Env::new();
    for (path, span) in env_paths {
        if !ld.fs.is_file(&path) {
            let shown = ld.display(&path);
            ld.error(
                Diagnostic::error(
                    codes::MISSING_FILE,
                    format!("env file `{shown}` of an `include` {}", ld.missing(&path)),
                )
                .with_span(span.unwrap_or(inc.span))
                .with_label("referenced here"),
            );
            continue;
        }
        let lookup = |k: &str| env.get(k).cloned().or_else(|| own.get(k).cloned());
        for e in ld
            .read_env_file(&path, &lookup, span.or(Some(inc.span)))
            .map(|(_, e)| e)
            .unwrap_or_default()
        {
            own.insert(e.key, e.value);
        }
    }
    let mut inc_env = env.clone();
    for (k, v) in own {
        inc_env.entry(k).or_insert(v);
    }
    ld.load_model(&files, &project_dir, &inc_env, stack)
}

/// Add the included model's resources; a name defined on both sides is an error.
fn import(ld: &mut Loader, root: &mut Node, model: Node) {
    let Value::Map(included) = model.value else {
        return;
    };
    let Some(root_map) = root.as_map_mut() else {
        return;
    };
    for Entry { key, value } in included.entries {
        let section = key.as_str().unwrap_or_default().to_string();
        if !SECTIONS.contains(&section.as_str()) {
            continue;
        }
        let Value::Map(items) = value.value else {
            continue;
        };
        if root_map.get(&section).is_none_or(Node::is_null) {
            root_map.insert(
                key.clone(),
                Node::new(Value::Map(Default::default()), key.span),
            );
        }
        let Some(target) = root_map.get_mut(&section).and_then(Node::as_map_mut) else {
            continue;
        };
        for item in items.entries {
            let name = item.key_str().to_string();
            if let Some(existing) = target.entry(&name) {
                let other = ld
                    .sources
                    .describe(item.key.span)
                    .map(|(f, l)| format!("{f}:{}:{}", l.line, l.column))
                    .unwrap_or_default();
                let noun = section.trim_end_matches('s');
                ld.error(
                    Diagnostic::error(
                        codes::INCLUDE_CONFLICT,
                        format!("{noun} `{name}` is defined here and in an included file"),
                    )
                    .with_span(existing.key.span)
                    .with_label("defined again by an include")
                    .with_note(format!("the included definition is at {other}"))
                    .with_help(
                        "rename one of them, or change it with an override file (-f) instead",
                    ),
                );
                continue;
            }
            target.entries.push(item);
        }
    }
}
