//! A template tree: a Kubernetes object in which some fields are template expressions and
//! some map entries or list items are conditional, written out as Helm template text.
//!
//! Everything literal is written by `homeport_yaml` (the same writer as the other outputs)
//! and escaped, so content holding `{{` renders literally.

use serde_json::{json, Value};

/// A node of a template tree.
#[derive(Debug, Clone)]
pub enum Node {
    /// A literal scalar (or empty collection).
    Lit(Value),
    Map(Vec<Item>),
    Seq(Vec<Item>),
    /// A scalar computed by a template pipeline: `{{ EXPR }}`.
    Expr(String),
    /// A collection from values: `FUNC EXPR` (`toYaml`, or an `include` of a helper). With
    /// `optional`, the entry is left out when the value is empty (`with`), as the renderer
    /// leaves out empty fields.
    Yaml {
        expr: String,
        optional: bool,
        func: String,
    },
    /// Map entries produced by a pipeline (an `include` of labels); only as a keyless map item.
    Splice(String),
}

/// An entry of a map (`key` set) or an item of a list, rendered only when `when` holds.
#[derive(Debug, Clone)]
pub struct Item {
    pub key: Option<String>,
    pub node: Node,
    pub when: Option<String>,
}

impl Item {
    pub fn entry(key: impl Into<String>, node: Node) -> Item {
        Item {
            key: Some(key.into()),
            node,
            when: None,
        }
    }

    fn simple(&self) -> bool {
        self.when.is_none()
            && !matches!(
                self.node,
                Node::Splice(_) | Node::Yaml { optional: true, .. }
            )
    }
}

impl Node {
    /// The tree of a JSON value: maps and lists become nodes, scalars literals.
    pub fn tree(v: &Value) -> Node {
        match v {
            Value::Object(m) if !m.is_empty() => Node::Map(
                m.iter()
                    .map(|(k, v)| Item::entry(k.clone(), Node::tree(v)))
                    .collect(),
            ),
            Value::Array(a) if !a.is_empty() => Node::Seq(
                a.iter()
                    .map(|v| Item {
                        key: None,
                        node: Node::tree(v),
                        when: None,
                    })
                    .collect(),
            ),
            other => Node::Lit(other.clone()),
        }
    }

    /// The item at `path` (map keys, or list indexes written as numbers).
    pub fn item_mut(&mut self, path: &[&str]) -> Option<&mut Item> {
        let (last, parents) = path.split_last()?;
        let parent = self.get_mut(parents)?;
        match parent {
            Node::Map(items) => items.iter_mut().find(|i| i.key.as_deref() == Some(*last)),
            Node::Seq(items) => items.get_mut(last.parse::<usize>().ok()?),
            _ => None,
        }
    }

    /// The node at `path`.
    pub fn get_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        let mut node = self;
        for seg in path {
            node = match node {
                Node::Map(items) => {
                    &mut items
                        .iter_mut()
                        .find(|i| i.key.as_deref() == Some(*seg))?
                        .node
                }
                Node::Seq(items) => &mut items.get_mut(seg.parse::<usize>().ok()?)?.node,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Replace the node at `path`, if it exists; returns whether it did.
    pub fn set(&mut self, path: &[&str], node: Node) -> bool {
        match self.get_mut(path) {
            Some(n) => {
                *n = node;
                true
            }
            None => false,
        }
    }

    /// Insert a map entry at `path` (a map), after the entry named `after` (or first).
    pub fn insert(&mut self, path: &[&str], after: Option<&str>, item: Item) -> bool {
        let Some(Node::Map(items)) = self.get_mut(path) else {
            return false;
        };
        let at = match after {
            Some(a) => items
                .iter()
                .position(|i| i.key.as_deref() == Some(a))
                .map_or(items.len(), |p| p + 1),
            None => 0,
        };
        items.insert(at, item);
        true
    }

    /// Remove the map entry `key` at `path`.
    pub fn remove(&mut self, path: &[&str], key: &str) -> Option<Item> {
        let Some(Node::Map(items)) = self.get_mut(path) else {
            return None;
        };
        let pos = items.iter().position(|i| i.key.as_deref() == Some(key))?;
        Some(items.remove(pos))
    }

    /// The literal value at `path`, when that part of the tree is still literal.
    pub fn value(&self, path: &[&str]) -> Option<Value> {
        let mut node = self;
        for seg in path {
            node = match node {
                Node::Map(items) => &items.iter().find(|i| i.key.as_deref() == Some(*seg))?.node,
                Node::Seq(items) => &items.get(seg.parse::<usize>().ok()?)?.node,
                _ => return None,
            };
        }
        node.to_value()
    }

    fn to_value(&self) -> Option<Value> {
        match self {
            Node::Lit(v) => Some(v.clone()),
            Node::Map(items) => {
                let mut m = serde_json::Map::new();
                for i in items {
                    if i.when.is_some() {
                        return None;
                    }
                    m.insert(i.key.clone()?, i.node.to_value()?);
                }
                Some(Value::Object(m))
            }
            Node::Seq(items) => items
                .iter()
                .map(|i| {
                    if i.when.is_some() {
                        None
                    } else {
                        i.node.to_value()
                    }
                })
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            _ => None,
        }
    }
}

/// Escape literal text so Helm's template engine copies it unchanged.
pub fn escape(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// Helper output is trimmed before indenting; `toYaml` output needs no trimming.
fn trim(func: &str) -> &'static str {
    if func == "toYaml" {
        ""
    } else {
        " | trim"
    }
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

/// A map key as YAML writes it (plain or quoted), escaped.
fn key_text(key: &str) -> String {
    let text = homeport_yaml::emit(&json!({ key: null }));
    let key = text.strip_suffix(": null\n").unwrap_or(&text);
    escape(key)
}

/// A literal scalar's YAML text, escaped: a literal block only when it keeps the text exactly
/// under the template's whitespace trimming (no kept trailing line breaks).
fn scalar_lines(v: &Value) -> Vec<String> {
    if let Value::String(s) = v {
        if s.ends_with("\n\n") {
            return vec![escape(&serde_json::to_string(s).unwrap_or_default())];
        }
    }
    let text = homeport_yaml::emit(&json!({ "k": v }));
    let text = text
        .strip_prefix("k: ")
        .unwrap_or(&text)
        .trim_end_matches('\n');
    // A block scalar's lines are indented relative to the key; they are re-indented below.
    text.split('\n').map(escape).collect()
}

/// Write a document: the top-level map, wrapped in `when` when given.
pub fn document(node: &Node, when: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(w) = when {
        out.push_str(&format!("{{{{- if {w} }}}}\n"));
    }
    match node {
        Node::Map(items) => write_items(&mut out, items, 0, false),
        other => write_value(&mut out, other, 0),
    }
    if when.is_some() {
        out.push_str("{{- end }}\n");
    }
    out
}

fn open(out: &mut String, when: &Option<String>, indent: usize) {
    if let Some(w) = when {
        out.push_str(&format!("{}{{{{- if {w} }}}}\n", pad(indent)));
    }
}

fn close(out: &mut String, when: &Option<String>, indent: usize) {
    if when.is_some() {
        out.push_str(&format!("{}{{{{- end }}}}\n", pad(indent)));
    }
}

/// Map entries at `indent`; with `inline_first` the first entry follows a `- ` already written.
fn write_items(out: &mut String, items: &[Item], indent: usize, inline_first: bool) {
    for (i, item) in items.iter().enumerate() {
        let inline = inline_first && i == 0;
        open(out, &item.when, indent);
        let prefix = if inline { String::new() } else { pad(indent) };
        match (&item.key, &item.node) {
            (_, Node::Splice(expr)) => {
                out.push_str(&format!(
                    "{}{{{{- {expr} | nindent {indent} }}}}\n",
                    pad(indent)
                ));
            }
            (Some(key), node) => write_entry(out, &prefix, key, node, indent),
            (None, node) => {
                out.push_str(&prefix);
                write_value(out, node, indent);
            }
        }
        close(out, &item.when, indent);
    }
}

fn write_entry(out: &mut String, prefix: &str, key: &str, node: &Node, indent: usize) {
    let key = key_text(key);
    match node {
        Node::Lit(v) => {
            let lines = scalar_lines(v);
            out.push_str(&format!("{prefix}{key}: {}\n", lines[0]));
            for l in &lines[1..] {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{}{l}\n", pad(indent)));
                }
            }
        }
        Node::Expr(e) => out.push_str(&format!("{prefix}{key}: {{{{ {e} }}}}\n")),
        Node::Yaml {
            expr,
            optional: false,
            func,
        } => {
            out.push_str(&format!(
                "{prefix}{key}:\n{}{{{{- {func} {expr}{} | nindent {} }}}}\n",
                pad(indent + 2),
                trim(func),
                indent + 2
            ));
        }
        Node::Yaml {
            expr,
            optional: true,
            func,
        } => {
            out.push_str(&format!(
                "{p}{{{{- with {expr} }}}}\n{p}{key}:\n{p2}{{{{- {func} .{t} | nindent {n} }}}}\n{p}{{{{- end }}}}\n",
                p = pad(indent),
                p2 = pad(indent + 2),
                n = indent + 2,
                t = trim(func),
            ));
        }
        Node::Map(items) if items.is_empty() => out.push_str(&format!("{prefix}{key}: {{}}\n")),
        Node::Seq(items) if items.is_empty() => out.push_str(&format!("{prefix}{key}: []\n")),
        Node::Map(items) => {
            out.push_str(&format!("{prefix}{key}:\n"));
            write_items(out, items, indent + 2, false);
        }
        Node::Seq(items) => {
            out.push_str(&format!("{prefix}{key}:\n"));
            write_seq(out, items, indent + 2);
        }
        Node::Splice(_) => {}
    }
}

/// A value in a position where the caller wrote the prefix (`- ` or nothing).
fn write_value(out: &mut String, node: &Node, indent: usize) {
    match node {
        Node::Lit(v) => {
            let lines = scalar_lines(v);
            out.push_str(&lines[0]);
            out.push('\n');
            for l in &lines[1..] {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{}{l}\n", pad(indent)));
                }
            }
        }
        Node::Expr(e) => out.push_str(&format!("{{{{ {e} }}}}\n")),
        Node::Map(items) if items.is_empty() => out.push_str("{}\n"),
        Node::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Node::Map(items) => {
            if items[0].simple() && out.ends_with("- ") {
                write_items(out, items, indent, true);
            } else {
                if out.ends_with("- ") {
                    out.truncate(out.len() - 1);
                    out.push('\n');
                }
                write_items(out, items, indent, false);
            }
        }
        Node::Seq(items) => {
            if out.ends_with("- ") {
                out.truncate(out.len() - 1);
                out.push('\n');
            }
            write_seq(out, items, indent);
        }
        Node::Yaml { expr, func, .. } => {
            out.push_str(&format!(
                "\n{}{{{{- {func} {expr}{} | nindent {indent} }}}}\n",
                pad(indent),
                trim(func)
            ));
        }
        Node::Splice(_) => {}
    }
}

fn write_seq(out: &mut String, items: &[Item], indent: usize) {
    for item in items {
        open(out, &item.when, indent);
        out.push_str(&format!("{}- ", pad(indent)));
        write_value(out, &item.node, indent + 2);
        close(out, &item.when, indent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_objects_round_trip_and_braces_are_escaped() {
        let v = json!({"kind": "ConfigMap", "data": {"a.conf": "x {{ y }}\nz\n", "n": "3"}, "list": [{"a": 1, "b": [1, 2]}, "s"]});
        let text = document(&Node::tree(&v), None);
        assert!(text.contains("x {{ \"{{\" }} y }}"), "{text}");
        let plain = text.replace("{{ \"{{\" }}", "{{");
        assert_eq!(homeport_yaml::emit(&v), plain);
    }

    #[test]
    fn conditions_and_expressions() {
        let mut n = Node::tree(&json!({"spec": {"replicas": 1, "items": [1, 2]}}));
        n.set(
            &["spec", "replicas"],
            Node::Expr("$.Values.a.replicaCount".into()),
        );
        n.item_mut(&["spec", "items", "1"]).unwrap().when = Some("$.Values.b.enabled".into());
        let text = document(&n, Some("$.Values.a.enabled"));
        assert_eq!(
            text,
            "{{- if $.Values.a.enabled }}\nspec:\n  replicas: {{ $.Values.a.replicaCount }}\n  items:\n    - 1\n    {{- if $.Values.b.enabled }}\n    - 2\n    {{- end }}\n{{- end }}\n"
        );
    }
}
