//! The chart's values: an ordered tree of documented leaves, written as `values.yaml` (with
//! helm-docs `# --` comments), `values.schema.json` and the README's table.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

/// One key of the values tree.
#[derive(Debug, Clone)]
pub struct Entry {
    pub doc: String,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// A value with its JSON schema.
    Leaf { default: Value, schema: Value },
    /// A map of named keys (every key required, no others allowed).
    Tree(IndexMap<String, Entry>),
}

#[derive(Debug, Clone, Default)]
pub struct Values {
    pub root: IndexMap<String, Entry>,
}

/// A template reference to the value at `path`: `$.Values.a.b`, or `index $.Values "a-b" "c"`
/// when a key is not an identifier.
pub fn vref(path: &[&str]) -> String {
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if path.iter().all(|s| ident(s)) {
        format!("$.Values.{}", path.join("."))
    } else {
        let keys: Vec<String> = path.iter().map(|s| quote(s)).collect();
        format!("(index $.Values {})", keys.join(" "))
    }
}

/// A Go template string literal.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

impl Values {
    fn tree_mut(&mut self, path: &[&str]) -> &mut IndexMap<String, Entry> {
        let mut map = &mut self.root;
        for seg in path {
            let entry = map.entry(seg.to_string()).or_insert_with(|| Entry {
                doc: String::new(),
                kind: Kind::Tree(IndexMap::new()),
            });
            if !matches!(entry.kind, Kind::Tree(_)) {
                entry.kind = Kind::Tree(IndexMap::new());
            }
            map = match &mut entry.kind {
                Kind::Tree(m) => m,
                Kind::Leaf { .. } => unreachable!("made a tree above"),
            };
        }
        map
    }

    /// Set a leaf (creating the maps above it); returns the reference to use in templates.
    pub fn leaf(&mut self, path: &[&str], default: Value, doc: &str, schema: Value) -> String {
        if let Some((last, parents)) = path.split_last() {
            self.tree_mut(parents).insert(
                last.to_string(),
                Entry {
                    doc: doc.to_string(),
                    kind: Kind::Leaf { default, schema },
                },
            );
        }
        vref(path)
    }

    /// Document a map key.
    pub fn doc(&mut self, path: &[&str], doc: &str) {
        if let Some((last, parents)) = path.split_last() {
            let map = self.tree_mut(parents);
            let entry = map.entry(last.to_string()).or_insert_with(|| Entry {
                doc: String::new(),
                kind: Kind::Tree(IndexMap::new()),
            });
            entry.doc = doc.to_string();
        }
    }

    /// Order the keys of every service as a reader expects (`enabled` first, `secrets` last).
    pub fn order_service_keys(&mut self, services: &[String]) {
        const ORDER: &[&str] = &[
            "enabled",
            "image",
            "replicaCount",
            "resources",
            "env",
            "securityContext",
            "podSecurityContext",
            "ingress",
            "persistence",
            "nodeSelector",
            "affinity",
            "tolerations",
            "autoscaling",
            "secrets",
        ];
        for s in services {
            if let Some(Entry {
                kind: Kind::Tree(m),
                ..
            }) = self.root.get_mut(s)
            {
                m.sort_by_cached_key(|k, _| {
                    ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len())
                });
            }
        }
    }

    /// `values.yaml`.
    pub fn yaml(&self, header: &str) -> String {
        let mut out = String::from(header);
        write_tree(&mut out, &self.root, 0);
        out
    }

    /// `values.schema.json`.
    pub fn schema(&self, title: &str) -> Value {
        let mut s = tree_schema(&self.root);
        s["$schema"] = json!("https://json-schema.org/draft-07/schema#");
        s["title"] = json!(title);
        s
    }

    /// README rows: (key, type, default, description), depth first.
    pub fn rows(&self) -> Vec<(String, String, String, String)> {
        let mut rows = Vec::new();
        collect_rows(&self.root, "", &mut rows);
        rows
    }
}

fn key_path(prefix: &str, key: &str) -> String {
    let plain = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (prefix.is_empty(), plain) {
        (true, true) => key.to_string(),
        (true, false) => format!("\"{key}\""),
        (false, true) => format!("{prefix}.{key}"),
        (false, false) => format!("{prefix}.\"{key}\""),
    }
}

fn collect_rows(
    map: &IndexMap<String, Entry>,
    prefix: &str,
    rows: &mut Vec<(String, String, String, String)>,
) {
    for (k, e) in map {
        let path = key_path(prefix, k);
        match &e.kind {
            Kind::Tree(m) => collect_rows(m, &path, rows),
            Kind::Leaf { default, schema } => {
                let ty = match &schema["type"] {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    _ => "any".into(),
                };
                let shown = serde_json::to_string(default).unwrap_or_default();
                rows.push((path, ty, shown, e.doc.clone()));
            }
        }
    }
}

fn tree_schema(map: &IndexMap<String, Entry>) -> Value {
    let mut props = Map::new();
    for (k, e) in map {
        let mut s = match &e.kind {
            Kind::Tree(m) => tree_schema(m),
            Kind::Leaf { schema, .. } => schema.clone(),
        };
        if !e.doc.is_empty() {
            s["description"] = json!(e.doc);
        }
        props.insert(k.clone(), s);
    }
    // Helm deletes keys set to null, so those cannot be required.
    let required: Vec<&String> = map
        .iter()
        .filter(|(_, e)| {
            !matches!(
                &e.kind,
                Kind::Leaf {
                    default: Value::Null,
                    ..
                }
            )
        })
        .map(|(k, _)| k)
        .collect();
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn write_tree(out: &mut String, map: &IndexMap<String, Entry>, indent: usize) {
    let pad = " ".repeat(indent);
    for (k, e) in map {
        let key = {
            let t = homeport_yaml::emit(&json!({ k: null }));
            t.strip_suffix(": null\n").unwrap_or(&t).to_string()
        };
        if !e.doc.is_empty() {
            for (i, line) in e.doc.lines().enumerate() {
                let mark = if i == 0 { "# -- " } else { "# " };
                out.push_str(&format!("{pad}{mark}{line}\n"));
            }
        }
        match &e.kind {
            Kind::Tree(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
            Kind::Tree(m) => {
                out.push_str(&format!("{pad}{key}:\n"));
                write_tree(out, m, indent + 2);
            }
            Kind::Leaf { default, .. } => {
                let text = homeport_yaml::emit(&json!({ k: default }));
                for line in text.lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&format!("{pad}{line}\n"));
                    }
                }
            }
        }
    }
}

/// Schemas of the common leaves.
pub mod schema {
    use serde_json::{json, Value};

    pub fn boolean() -> Value {
        json!({"type": "boolean"})
    }
    pub fn string() -> Value {
        json!({"type": "string"})
    }
    pub fn non_empty() -> Value {
        json!({"type": "string", "minLength": 1})
    }
    pub fn int(min: i64, max: Option<i64>) -> Value {
        let mut s = json!({"type": "integer", "minimum": min});
        if let Some(m) = max {
            s["maximum"] = json!(m);
        }
        s
    }
    pub fn object() -> Value {
        json!({"type": "object"})
    }
    pub fn list() -> Value {
        json!({"type": "array"})
    }
    pub fn quantity() -> Value {
        json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$"})
    }
    pub fn pull_policy() -> Value {
        json!({"type": "string", "enum": ["", "Always", "IfNotPresent", "Never"]})
    }
    pub fn resources() -> Value {
        let q = json!({"type": ["string", "integer", "number"], "pattern": "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$"});
        let group = json!({"type": "object", "additionalProperties": q});
        json!({"type": "object", "properties": {"requests": group, "limits": group, "claims": {"type": "array"}}, "additionalProperties": false})
    }
    pub fn string_map() -> Value {
        json!({"type": "object", "additionalProperties": {"type": "string"}})
    }
    pub fn percent_or_null() -> Value {
        json!({"type": ["integer", "null"], "minimum": 1, "maximum": 100})
    }
    pub fn secret_value() -> Value {
        json!({"type": "string"})
    }
}
