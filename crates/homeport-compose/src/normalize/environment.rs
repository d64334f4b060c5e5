//! A service's final environment: `env_file` entries first, then `environment`, by name.
//! Entries without a value take the project environment (process environment and `.env`,
//! as compose-go does) or stay unset.

use super::ProjectCx;
use crate::codes;
use crate::load::Loader;
use crate::model::EnvValue;
use crate::schema;
use homeport_diag::{Diagnostic, Span};
use homeport_yaml::{Node, Value};
use indexmap::IndexMap;
use std::path::PathBuf;

pub(crate) struct EnvFileRef {
    path: String,
    required: bool,
    span: Span,
}

pub(crate) fn env_file_refs(ld: &mut Loader, node: &Node, what: &str) -> Vec<EnvFileRef> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Scalar(..) if !node.is_null() => vec![node],
        _ if node.is_null() => Vec::new(),
        _ => {
            ld.wrong_type(node, what, "a path or a list of paths");
            Vec::new()
        }
    };
    let mut out: Vec<EnvFileRef> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let w = format!("{what}[{i}]");
        let r = match &item.value {
            Value::Map(m) => {
                ld.check_keys(m, &format!("`{w}`"), schema::ENV_FILE);
                let path = m
                    .get("path")
                    .and_then(|n| ld.str_of(n, &format!("{w}.path")));
                let required = m
                    .get("required")
                    .and_then(|n| ld.bool_of(n, &format!("{w}.required")))
                    .unwrap_or(true);
                match path {
                    Some(path) => Some(EnvFileRef {
                        path,
                        required,
                        span: m.get("path").map_or(item.span, |n| n.span),
                    }),
                    None => {
                        ld.wrong_type(item, &format!("{w}.path"), "a path");
                        None
                    }
                }
            }
            _ => ld.str_of(item, &w).map(|path| EnvFileRef {
                path,
                required: true,
                span: item.span,
            }),
        };
        if let Some(r) = r {
            if !out.iter().any(|x| x.path == r.path) {
                out.push(r);
            }
        }
    }
    out
}

pub(crate) fn environment(
    ld: &mut Loader,
    env_files: &[EnvFileRef],
    env_node: Option<&Node>,
    service: &str,
    cx: &ProjectCx,
) -> IndexMap<String, EnvValue> {
    let mut out: IndexMap<String, EnvValue> = IndexMap::new();
    for f in env_files {
        let path = PathBuf::from(&f.path);
        if !ld.fs.is_file(&path) {
            if f.required {
                let shown = ld.display(&path);
                ld.error(
                    Diagnostic::error(
                        codes::MISSING_FILE,
                        format!("env file `{shown}` of service `{service}` {}", ld.missing(&path)),
                    )
                    .with_span(f.span)
                    .with_label("referenced by `env_file` here")
                    .with_help("create the file, fix the path (relative to the project directory), or use `{path: ..., required: false}`"),
                );
            }
            continue;
        }
        let lookup = |k: &str| cx.env.get(k).cloned();
        let Some((id, entries)) = ld.read_env_file(&path, &lookup, Some(f.span)) else {
            continue;
        };
        for e in entries {
            out.insert(
                e.key,
                EnvValue {
                    value: Some(e.value),
                    interpolated: e.variables,
                    env_file: Some(f.path.clone()),
                    span: Some(Span::new(id, e.range.start, e.range.end)),
                },
            );
        }
    }
    if let Some(node) = env_node {
        let what = format!("services.{service}.environment");
        for (key, value, span) in ld.key_values(node, &what) {
            let (value, interpolated) = match value {
                Some(v) => (
                    Some(v),
                    ld.interpolated.get(&span).cloned().unwrap_or_default(),
                ),
                None => match cx.env.get(&key) {
                    Some(v) => (Some(v.clone()), vec![key.clone()]),
                    None => (None, Vec::new()),
                },
            };
            out.insert(
                key,
                EnvValue {
                    value,
                    interpolated,
                    env_file: None,
                    span: Some(span),
                },
            );
        }
    }
    out.sort_keys();
    out
}
