//! Relative paths in a document made absolute against the directory they are relative to
//! (the project directory; an included project's directory; an `extends` file's directory).
//! Done on the raw document, before merging into a project with another base, as compose-go.

use crate::fs::resolve;
use homeport_yaml::{Node, Value};
use std::path::Path;

/// Resolve the paths of every service, secret and config of a document.
pub(crate) fn resolve_model(root: &mut Node, dir: &Path, home: Option<&str>) {
    let Some(map) = root.as_map_mut() else {
        return;
    };
    if let Some(services) = map.get_mut("services").and_then(Node::as_map_mut) {
        for e in &mut services.entries {
            resolve_service(&mut e.value, dir, home);
        }
    }
    for section in ["secrets", "configs"] {
        if let Some(objects) = map.get_mut(section).and_then(Node::as_map_mut) {
            for e in &mut objects.entries {
                if let Some(file) = e.value.as_map_mut().and_then(|m| m.get_mut("file")) {
                    resolve_scalar(file, dir, home);
                }
            }
        }
    }
}

/// Resolve a service's build context, env files, label files and bind-mount sources.
pub(crate) fn resolve_service(service: &mut Node, dir: &Path, home: Option<&str>) {
    let Some(map) = service.as_map_mut() else {
        return;
    };
    if let Some(build) = map.get_mut("build") {
        if build.is_scalar() {
            resolve_context(build, dir, home);
        } else if let Value::Map(m) = &mut build.value {
            {
                if let Some(ctx) = m.get_mut("context") {
                    resolve_context(ctx, dir, home);
                }
            }
        }
    }
    for key in ["env_file", "label_file"] {
        if let Some(node) = map.get_mut(key) {
            match &mut node.value {
                Value::Scalar(..) => resolve_scalar(node, dir, home),
                Value::Seq(items) => {
                    for item in items {
                        if item.is_scalar() {
                            resolve_scalar(item, dir, home);
                        } else if let Some(p) = item.as_map_mut().and_then(|m| m.get_mut("path")) {
                            resolve_scalar(p, dir, home);
                        }
                    }
                }
                Value::Map(_) => {}
            }
        }
    }
    if let Some(volumes) = map.get_mut("volumes").and_then(|v| match &mut v.value {
        Value::Seq(items) => Some(items),
        _ => None,
    }) {
        for item in volumes {
            match &mut item.value {
                Value::Scalar(text, _) => {
                    if let Some(resolved) = resolve_short_volume(text, dir, home) {
                        *text = resolved;
                    }
                }
                Value::Map(m) => {
                    let is_bind = m.get("type").and_then(Node::as_str) == Some("bind");
                    if is_bind {
                        if let Some(src) = m.get_mut("source") {
                            resolve_scalar(src, dir, home);
                        }
                    }
                }
                Value::Seq(_) => {}
            }
        }
    }
}

fn expand(path: &str, dir: &Path, home: Option<&str>) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    if path == "~" || path.starts_with("~/") {
        let home = home?;
        return Some(
            resolve(
                Path::new(home),
                path.trim_start_matches('~').trim_start_matches('/'),
            )
            .display()
            .to_string(),
        );
    }
    if Path::new(path).is_absolute() {
        return None;
    }
    Some(resolve(dir, path).display().to_string())
}

fn resolve_scalar(node: &mut Node, dir: &Path, home: Option<&str>) {
    if node.is_null() {
        return;
    }
    if let Value::Scalar(text, _) = &mut node.value {
        if let Some(p) = expand(text, dir, home) {
            *text = p;
        }
    }
}

/// Build contexts may be URLs (git, http); those stay as they are.
fn resolve_context(node: &mut Node, dir: &Path, home: Option<&str>) {
    let remote = node.as_str().is_some_and(|s| {
        s.contains("://") || s.starts_with("git@") || s.starts_with("github.com/")
    });
    if !remote {
        resolve_scalar(node, dir, home);
    }
}

/// `./data:/data:ro` → `/project/data:/data:ro`; named volumes and absolute paths unchanged.
fn resolve_short_volume(text: &str, dir: &Path, home: Option<&str>) -> Option<String> {
    let (source, rest) = text.split_once(':')?;
    if !(source.starts_with('.') || source.starts_with('~')) {
        return None;
    }
    let resolved = expand(source, dir, home)?;
    Some(format!("{resolved}:{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_volumes() {
        let d = Path::new("/p");
        assert_eq!(
            resolve_short_volume("./data:/data:ro", d, None).as_deref(),
            Some("/p/data:/data:ro")
        );
        assert_eq!(
            resolve_short_volume("../x:/x", d, None).as_deref(),
            Some("/x:/x")
        );
        assert_eq!(
            resolve_short_volume("~/m:/m", d, Some("/home/u")).as_deref(),
            Some("/home/u/m:/m")
        );
        assert_eq!(resolve_short_volume("~/m:/m", d, None), None);
        assert_eq!(resolve_short_volume("data:/data", d, None), None);
        assert_eq!(resolve_short_volume("/abs:/data", d, None), None);
        assert_eq!(
            resolve_short_volume(".:/app", d, None).as_deref(),
            Some("/p:/app")
        );
    }
}
