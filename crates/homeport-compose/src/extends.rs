//! `extends`: a service starts from another service (same file, or `file:` relative to the
//! file that declares it), merged with the usual rules, recursively, with cycle detection.

use crate::codes;
use crate::fs::resolve;
use crate::load::{services_mut, set_entry, Env, Loader};
use crate::merge::merge;
use crate::schema;
use homeport_diag::{Diagnostic, Span};
use homeport_yaml::{Map, Node, Value};
use std::path::{Path, PathBuf};

/// Longest `extends` chain followed (bounds recursion on hostile input).
const MAX_DEPTH: usize = 64;

/// Resolve `extends` for every service of a file's root, in place.
pub(crate) fn apply(ld: &mut Loader, root: &mut Node, file: &Path, env: &Env) {
    let Some(services) = services_mut(root) else {
        return;
    };
    let mut map = std::mem::take(services);
    let names: Vec<String> = map
        .entries
        .iter()
        .filter(|e| e.value.get("extends").is_some())
        .map(|e| e.key_str().to_string())
        .collect();
    for name in names {
        let mut stack = Vec::new();
        extend_service(ld, &mut map, &name, file, env, &mut stack);
    }
    if let Some(services) = services_mut(root) {
        *services = map;
    }
}

struct ExtendsRef {
    service: String,
    service_span: Span,
    file: Option<(String, Span)>,
}

fn parse_ref(ld: &mut Loader, service: &str, node: &Node) -> Option<ExtendsRef> {
    match &node.value {
        Value::Scalar(s, _) if !node.is_null() => Some(ExtendsRef {
            service: s.clone(),
            service_span: node.span,
            file: None,
        }),
        Value::Map(m) => {
            ld.check_keys(
                m,
                &format!("`extends` of service `{service}`"),
                schema::EXTENDS,
            );
            let Some(target) = m.get("service").filter(|n| n.is_scalar() && !n.is_null()) else {
                ld.error(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("`extends` of service `{service}` needs a `service` name"),
                    )
                    .with_span(node.span)
                    .with_help("write `extends: {service: NAME}` or `extends: {service: NAME, file: FILE}`"),
                );
                return None;
            };
            let file = m
                .get("file")
                .filter(|n| !n.is_null())
                .and_then(|n| n.as_str().map(|s| (s.to_string(), n.span)));
            Some(ExtendsRef {
                service: target.as_str().unwrap_or_default().to_string(),
                service_span: target.span,
                file,
            })
        }
        _ => {
            ld.error(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!(
                        "`extends` of service `{service}` must be a service name or a mapping, found {}",
                        node.type_name()
                    ),
                )
                .with_span(node.span)
                .with_help("write `extends: NAME` or `extends: {service: NAME, file: FILE}`"),
            );
            None
        }
    }
}

/// Resolve one service (and, first, the service it extends); returns the resolved service
/// and stores it back into `services`.
fn extend_service(
    ld: &mut Loader,
    services: &mut Map,
    name: &str,
    file: &Path,
    env: &Env,
    stack: &mut Vec<(PathBuf, String)>,
) -> Option<Node> {
    let entry = services.entry(name)?.clone();
    let svc = entry.value;
    let Some(ext) = svc.get("extends").cloned() else {
        return Some(svc);
    };
    if let Some(pos) = stack.iter().position(|(f, n)| f == file && n == name) {
        let mut chain: Vec<String> = stack[pos..].iter().map(|(_, n)| n.clone()).collect();
        chain.push(name.to_string());
        ld.error(
            Diagnostic::error(
                codes::EXTENDS_CYCLE,
                format!("`extends` cycle: {}", chain.join(" → ")),
            )
            .with_span(ext.span)
            .with_label("extends itself through this chain")
            .with_help(
                "break the cycle: a service cannot extend itself, directly or through others",
            ),
        );
        for (_, member) in &stack[pos..] {
            ld.extends_failed.insert(member.clone());
        }
        return None;
    }
    if stack.len() >= MAX_DEPTH {
        ld.error(
            Diagnostic::error(
                codes::EXTENDS_CYCLE,
                format!(
                    "`extends` chain of service `{name}` is more than {MAX_DEPTH} services deep"
                ),
            )
            .with_span(ext.span)
            .with_help("shorten the chain of `extends`"),
        );
        ld.extends_failed.insert(name.to_string());
        return None;
    }
    let reference = parse_ref(ld, name, &ext);
    stack.push((file.to_path_buf(), name.to_string()));
    let base = reference.and_then(|r| resolve_base(ld, services, name, file, env, stack, &r));
    stack.pop();
    if base.is_none() {
        ld.extends_failed.insert(name.to_string());
    }

    let mut own = svc;
    if let Some(m) = own.as_map_mut() {
        m.remove("extends");
    }
    let merged = match base {
        Some(b) => {
            let span = own.span;
            merge(Some(b), own, &["services", name]).unwrap_or_else(|| crate::load::empty_map(span))
        }
        None => own,
    };
    set_entry(services, entry.key, merged.clone());
    Some(merged)
}

fn resolve_base(
    ld: &mut Loader,
    services: &mut Map,
    name: &str,
    file: &Path,
    env: &Env,
    stack: &mut Vec<(PathBuf, String)>,
    r: &ExtendsRef,
) -> Option<Node> {
    let Some((other, other_span)) = &r.file else {
        if services.entry(&r.service).is_none() {
            let known: Vec<&str> = services.entries.iter().map(|e| e.key_str()).collect();
            let help = match schema::did_you_mean(&r.service, &known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "extend a service defined in this file, or add `file:`".to_string(),
            };
            ld.error(
                Diagnostic::error(
                    codes::UNDEFINED_SERVICE,
                    format!("service `{name}` extends undefined service `{}`", r.service),
                )
                .with_span(r.service_span)
                .with_label("no such service")
                .with_help(help),
            );
            return None;
        }
        return extend_service(ld, services, &r.service, file, env, stack);
    };
    let dir = file.parent().unwrap_or(Path::new("/"));
    let path = resolve(dir, other);
    let Some(mut other_root) = ld.extends_root(&path, env) else {
        let shown = ld.display(&path);
        let why = ld
            .read_failures
            .get(&path)
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        ld.error(
            Diagnostic::error(
                codes::MISSING_FILE,
                format!("`extends` file `{shown}` of service `{name}` cannot be read{why}"),
            )
            .with_span(*other_span)
            .with_label("referenced here")
            .with_help("the path is relative to the file that declares `extends`"),
        );
        return None;
    };
    let Some(other_services) = services_mut(&mut other_root) else {
        ld.error(
            Diagnostic::error(
                codes::UNDEFINED_SERVICE,
                format!("`{}` has no `services` to extend", ld.display(&path)),
            )
            .with_span(*other_span),
        );
        return None;
    };
    if other_services.entry(&r.service).is_none() {
        let shown = ld.display(&path);
        ld.error(
            Diagnostic::error(
                codes::UNDEFINED_SERVICE,
                format!(
                    "service `{name}` extends `{}`, which is not defined in `{shown}`",
                    r.service
                ),
            )
            .with_span(r.service_span)
            .with_label("no such service in that file"),
        );
        return None;
    }
    let mut other_map = std::mem::take(other_services);
    let mut base = extend_service(ld, &mut other_map, &r.service, &path, env, stack)?;
    let home = ld.options.environment.get("HOME").cloned();
    crate::paths::resolve_service(&mut base, dir_of(&path), home.as_deref());
    Some(base)
}

fn dir_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("/"))
}
