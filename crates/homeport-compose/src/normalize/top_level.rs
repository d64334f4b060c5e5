//! Top-level `networks`, `volumes`, `secrets` and `configs`.

use crate::load::Loader;
use crate::model::{FileObject, Network, Volume};
use crate::schema;
use homeport_yaml::{Map, Node, Value};
use indexmap::IndexMap;

/// `external: true`, `external: {name: x}` (deprecated form): (external, name given there).
fn external(ld: &mut Loader, node: &Node, what: &str) -> (bool, Option<String>) {
    match &node.value {
        Value::Map(m) => (
            true,
            m.get("name")
                .and_then(|n| ld.str_of(n, &format!("{what}.name"))),
        ),
        _ => (ld.bool_of(node, what).unwrap_or(false), None),
    }
}

fn entries<'n>(
    ld: &mut Loader,
    node: Option<&'n Node>,
    what: &str,
) -> Vec<(&'n Node, Option<&'n Map>)> {
    let Some(node) = node else {
        return Vec::new();
    };
    let Some(m) = ld.map_of(node, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &m.entries {
        let w = format!("{what}.{}", e.key_str());
        let body = ld.map_of(&e.value, &w);
        out.push((&e.key, body));
    }
    out
}

fn default_name(project: &str, key: &str, external: bool, given: Option<String>) -> String {
    given.unwrap_or_else(|| {
        if external {
            key.to_string()
        } else {
            format!("{project}_{key}")
        }
    })
}

pub(crate) fn networks(
    ld: &mut Loader,
    node: Option<&Node>,
    project: &str,
) -> IndexMap<String, Network> {
    let mut out = IndexMap::new();
    for (key, body) in entries(ld, node, "networks") {
        let name = key.as_str().unwrap_or_default().to_string();
        let what = format!("networks.{name}");
        let mut n = Network::default();
        n.origin.key = Some(key.span);
        let mut given = None;
        if let Some(m) = body {
            ld.check_keys(m, &format!("network `{name}`"), schema::NETWORK);
            for e in &m.entries {
                let w = format!("{what}.{}", e.key_str());
                n.origin
                    .fields
                    .insert(e.key_str().to_string(), e.value.span);
                match e.key_str() {
                    "name" => given = ld.str_of(&e.value, &w),
                    "driver" => n.driver = ld.str_of(&e.value, &w),
                    "internal" => n.internal = ld.bool_of(&e.value, &w).unwrap_or(false),
                    "labels" => n.labels = ld.string_map(&e.value, &w),
                    "external" => {
                        let (ext, ext_name) = external(ld, &e.value, &w);
                        n.external = ext;
                        given = given.or(ext_name);
                    }
                    k if schema::NETWORK.contains(&k) || k.starts_with("x-") => {
                        n.other.insert(k.to_string(), e.value.to_json());
                    }
                    _ => {}
                }
            }
        }
        n.name = default_name(project, &name, n.external, given);
        out.insert(name, n);
    }
    out
}

pub(crate) fn volumes(
    ld: &mut Loader,
    node: Option<&Node>,
    project: &str,
) -> IndexMap<String, Volume> {
    let mut out = IndexMap::new();
    for (key, body) in entries(ld, node, "volumes") {
        let name = key.as_str().unwrap_or_default().to_string();
        let what = format!("volumes.{name}");
        let mut v = Volume::default();
        v.origin.key = Some(key.span);
        let mut given = None;
        if let Some(m) = body {
            ld.check_keys(m, &format!("volume `{name}`"), schema::VOLUME);
            for e in &m.entries {
                let w = format!("{what}.{}", e.key_str());
                v.origin
                    .fields
                    .insert(e.key_str().to_string(), e.value.span);
                match e.key_str() {
                    "name" => given = ld.str_of(&e.value, &w),
                    "driver" => v.driver = ld.str_of(&e.value, &w),
                    "driver_opts" => v.driver_opts = ld.string_map(&e.value, &w),
                    "labels" => v.labels = ld.string_map(&e.value, &w),
                    "external" => {
                        let (ext, ext_name) = external(ld, &e.value, &w);
                        v.external = ext;
                        given = given.or(ext_name);
                    }
                    _ => {}
                }
            }
        }
        v.name = default_name(project, &name, v.external, given);
        out.insert(name, v);
    }
    out
}

/// Secrets (`is_secret`) or configs.
pub(crate) fn file_objects(
    ld: &mut Loader,
    node: Option<&Node>,
    project: &str,
    is_secret: bool,
) -> IndexMap<String, FileObject> {
    let section = if is_secret { "secrets" } else { "configs" };
    let known = if is_secret {
        schema::SECRET
    } else {
        schema::CONFIG
    };
    let noun = if is_secret { "secret" } else { "config" };
    let mut out = IndexMap::new();
    for (key, body) in entries(ld, node, section) {
        let name = key.as_str().unwrap_or_default().to_string();
        let what = format!("{section}.{name}");
        let mut o = FileObject::default();
        o.origin.key = Some(key.span);
        let mut given = None;
        let Some(m) = body else {
            ld.invalid(
                key.span,
                format!("{noun} `{name}` has no definition"),
                "give it `file:`, `environment:`, `content:` or `external: true`",
            );
            continue;
        };
        ld.check_keys(m, &format!("{noun} `{name}`"), known);
        for e in &m.entries {
            let w = format!("{what}.{}", e.key_str());
            o.origin
                .fields
                .insert(e.key_str().to_string(), e.value.span);
            match e.key_str() {
                "name" => given = ld.str_of(&e.value, &w),
                "file" => o.file = ld.str_of(&e.value, &w),
                "environment" => o.environment = ld.str_of(&e.value, &w),
                "content" => o.content = ld.str_of(&e.value, &w),
                "external" => {
                    let (ext, ext_name) = external(ld, &e.value, &w);
                    o.external = ext;
                    given = given.or(ext_name);
                }
                k if known.contains(&k) || k.starts_with("x-") => {
                    o.other.insert(k.to_string(), e.value.to_json());
                }
                _ => {}
            }
        }
        let sources = [
            o.file.is_some(),
            o.environment.is_some(),
            o.content.is_some(),
            o.external,
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if sources == 0 {
            ld.invalid(
                key.span,
                format!("{noun} `{name}` has no source"),
                "give it one of `file:`, `environment:`, `content:` or `external: true`",
            );
        } else if sources > 1 {
            ld.invalid(
                key.span,
                format!("{noun} `{name}` has more than one source"),
                "keep exactly one of `file:`, `environment:`, `content:`, `external:`",
            );
        }
        o.name = default_name(project, &name, o.external, given);
        out.insert(name, o);
    }
    out
}
