//! Merging Compose documents (several `-f` files, `extends`), with compose-go's rules:
//! mappings are deep-merged; sequences are appended (duplicates by key — port, mount target,
//! secret target — are folded later, in normalisation, later entry winning); `command`,
//! `entrypoint` and `healthcheck.test` are replaced; list-or-mapping keys (`environment`,
//! `labels`, `depends_on`, service `networks`...) are merged by key; `x-*` values are
//! replaced; a `null` override keeps the base. `!reset` removes a value, `!override`
//! replaces it without merging.

use homeport_yaml::{Entry, Map, Node, ScalarStyle, Value};

pub const RESET: &str = "!reset";
pub const OVERRIDE: &str = "!override";

/// How one path merges.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    Default,
    Replace,
    /// `KEY=VALUE` lists and mappings, merged by key.
    KeyValue,
    /// `depends_on`: list entries become `{condition: service_started, required: true}`.
    DependsOn,
    /// Service `networks`: list entries become `name: null`.
    Networks,
    /// `extra_hosts`: `host:ip` / `host=ip` lists and mappings, merged by host.
    ExtraHosts,
    /// A string or a list: scalars become one-item lists, then append.
    StringOrList,
    Build,
    Logging,
    Ulimit,
}

fn rule_for(path: &[&str]) -> Rule {
    match path {
        ["services", _, "command" | "entrypoint"] => Rule::Replace,
        ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "environment" | "labels" | "annotations" | "sysctls"] => Rule::KeyValue,
        ["services", _, "build", "args" | "labels" | "additional_contexts"] => Rule::KeyValue,
        ["services", _, "deploy", "labels"] => Rule::KeyValue,
        ["networks" | "volumes" | "secrets" | "configs", _, "labels"] => Rule::KeyValue,
        ["services", _, "depends_on"] => Rule::DependsOn,
        ["services", _, "networks"] => Rule::Networks,
        ["services", _, "extra_hosts"] => Rule::ExtraHosts,
        ["services", _, "build", "extra_hosts"] => Rule::ExtraHosts,
        ["services", _, "env_file" | "dns" | "dns_search" | "tmpfs" | "label_file"] => {
            Rule::StringOrList
        }
        ["services", _, "build"] => Rule::Build,
        ["services", _, "logging"] => Rule::Logging,
        ["services", _, "ulimits", _] => Rule::Ulimit,
        _ => Rule::Default,
    }
}

/// Merge `over` onto `base` (both documents' roots). `path` is the position of these nodes
/// (empty for roots; `["services", name]` when merging a service for `extends`).
pub fn merge(base: Option<Node>, over: Node, path: &[&str]) -> Option<Node> {
    if over.has_tag(RESET) {
        return None;
    }
    if over.has_tag(OVERRIDE) {
        return Some(clean(over));
    }
    let Some(base) = base else {
        return Some(clean(over));
    };
    if over.is_null() && !matches!(rule_for(path), Rule::Replace) {
        return Some(base);
    }
    match rule_for(path) {
        Rule::Replace => Some(clean(over)),
        Rule::KeyValue => Some(merge_maps(key_value_map(base), key_value_map(over), path)),
        Rule::DependsOn => Some(merge_maps(depends_on_map(base), depends_on_map(over), path)),
        Rule::Networks => Some(merge_maps(networks_map(base), networks_map(over), path)),
        Rule::ExtraHosts => Some(merge_maps(
            extra_hosts_map(base),
            extra_hosts_map(over),
            path,
        )),
        Rule::StringOrList => Some(append(as_list(base), as_list(over))),
        Rule::Build => Some(merge_maps(build_map(base), build_map(over), path)),
        Rule::Logging => {
            let driver = |n: &Node| n.get("driver").and_then(Node::as_str).map(str::to_owned);
            match (driver(&base), driver(&over)) {
                (Some(a), Some(b)) if a != b => Some(clean(over)),
                _ => Some(merge_maps(base, over, path)),
            }
        }
        Rule::Ulimit => {
            if base.as_map().is_some() && over.as_map().is_some() {
                Some(merge_maps(base, over, path))
            } else {
                Some(clean(over))
            }
        }
        Rule::Default => match (&base.value, &over.value) {
            (Value::Map(_), Value::Map(_)) => Some(merge_maps(base, over, path)),
            (Value::Seq(_), Value::Seq(_)) => Some(append(base, over)),
            _ => Some(clean(over)),
        },
    }
}

fn merge_maps(base: Node, over: Node, path: &[&str]) -> Node {
    let span = base.span;
    let tag = base.tag.clone();
    let (Value::Map(mut base_map), Value::Map(over_map)) = (base.value, over.value) else {
        // Callers only pass mappings; anything else keeps the override.
        return Node::null(span);
    };
    for Entry { key, value } in over_map.entries {
        let Some(name) = key.as_str().map(str::to_owned) else {
            continue;
        };
        let mut child: Vec<&str> = path.to_vec();
        child.push(&name);
        let position = base_map
            .entries
            .iter()
            .position(|e| e.key.as_str() == Some(name.as_str()));
        match position {
            Some(i) => {
                let existing = base_map.entries[i].value.clone();
                let merged = if name.starts_with("x-") {
                    if value.has_tag(RESET) {
                        None
                    } else {
                        Some(clean(value))
                    }
                } else {
                    merge(Some(existing), value, &child)
                };
                match merged {
                    Some(v) => base_map.entries[i].value = v,
                    None => {
                        base_map.entries.remove(i);
                    }
                }
            }
            None => {
                if let Some(v) = merge(None, value, &child) {
                    base_map.entries.push(Entry { key, value: v });
                }
            }
        }
    }
    Node {
        value: Value::Map(base_map),
        span,
        tag,
    }
}

fn append(base: Node, over: Node) -> Node {
    let span = base.span;
    let (Value::Seq(mut items), Value::Seq(more)) = (base.value, over.value) else {
        return Node::null(span);
    };
    items.extend(more.into_iter().filter(|n| !n.has_tag(RESET)).map(clean));
    Node::new(Value::Seq(items), span)
}

/// Remove `!reset` entries and `!override` tags inside a value that is taken as it is.
pub fn clean(mut node: Node) -> Node {
    if matches!(node.tag.as_deref(), Some(RESET) | Some(OVERRIDE)) {
        node.tag = None;
    }
    match &mut node.value {
        Value::Map(m) => {
            let entries = std::mem::take(&mut m.entries);
            m.entries = entries
                .into_iter()
                .filter(|e| !e.value.has_tag(RESET))
                .map(|e| Entry {
                    key: e.key,
                    value: clean(e.value),
                })
                .collect();
        }
        Value::Seq(items) => {
            let taken = std::mem::take(items);
            *items = taken
                .into_iter()
                .filter(|n| !n.has_tag(RESET))
                .map(clean)
                .collect();
        }
        Value::Scalar(..) => {}
    }
    node
}

fn scalar_text(n: &Node) -> Option<String> {
    n.as_str().map(str::to_owned)
}

fn map_node(entries: Vec<Entry>, like: &Node) -> Node {
    Node::new(Value::Map(Map { entries }), like.span)
}

fn entry(key: &str, value: Node, span_of: &Node) -> Entry {
    Entry {
        key: Node::string(key, span_of.span),
        value,
    }
}

/// `["A=1", "B"]` → `{A: "1", B: null}`; mappings unchanged.
pub fn key_value_map(node: Node) -> Node {
    let Some(items) = node.as_seq() else {
        return node;
    };
    let mut entries: Vec<Entry> = Vec::new();
    for item in items {
        let Some(text) = scalar_text(item) else {
            continue;
        };
        let (k, v) = match text.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (text.clone(), None),
        };
        let value = match v {
            Some(v) => Node::string(v, item.span),
            None => Node::null(item.span),
        };
        upsert(&mut entries, entry(&k, value, item));
    }
    map_node(entries, &node)
}

fn upsert(entries: &mut Vec<Entry>, e: Entry) {
    match entries
        .iter_mut()
        .find(|x| x.key.as_str() == e.key.as_str())
    {
        Some(slot) => *slot = e,
        None => entries.push(e),
    }
}

fn depends_on_map(node: Node) -> Node {
    let Some(items) = node.as_seq() else {
        return node;
    };
    let mut entries = Vec::new();
    for item in items {
        let Some(name) = scalar_text(item) else {
            continue;
        };
        let value = map_node(
            vec![
                entry(
                    "condition",
                    Node::string("service_started", item.span),
                    item,
                ),
                entry(
                    "required",
                    Node::new(Value::Scalar("true".into(), ScalarStyle::Plain), item.span),
                    item,
                ),
            ],
            item,
        );
        upsert(&mut entries, entry(&name, value, item));
    }
    map_node(entries, &node)
}

fn networks_map(node: Node) -> Node {
    let Some(items) = node.as_seq() else {
        return node;
    };
    let mut entries = Vec::new();
    for item in items {
        if let Some(name) = scalar_text(item) {
            upsert(&mut entries, entry(&name, Node::null(item.span), item));
        }
    }
    map_node(entries, &node)
}

fn extra_hosts_map(node: Node) -> Node {
    let Some(items) = node.as_seq() else {
        return node;
    };
    let mut entries = Vec::new();
    for item in items {
        let Some(text) = scalar_text(item) else {
            continue;
        };
        let split = text.split_once('=').or_else(|| text.split_once(':'));
        if let Some((host, ip)) = split {
            upsert(&mut entries, entry(host, Node::string(ip, item.span), item));
        }
    }
    map_node(entries, &node)
}

fn as_list(node: Node) -> Node {
    if node.is_scalar() {
        let span = node.span;
        return Node::new(Value::Seq(vec![node]), span);
    }
    node
}

fn build_map(node: Node) -> Node {
    if node.is_scalar() {
        let span = node.span;
        return Node::new(
            Value::Map(Map {
                entries: vec![Entry {
                    key: Node::string("context", span),
                    value: node,
                }],
            }),
            span,
        );
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_diag::FileId;
    use serde_json::json;

    fn doc(text: &str) -> Node {
        homeport_yaml::parse_one(text, FileId(0)).unwrap().unwrap()
    }

    fn merged(a: &str, b: &str) -> serde_json::Value {
        merge(Some(doc(a)), doc(b), &[]).unwrap().to_json()
    }

    #[test]
    fn deep_merge_append_and_replace() {
        let a = "services:\n  web:\n    image: a\n    command: [a, b]\n    ports: ['80:80']\n    environment: [A=1, B=2]\n";
        let b = "services:\n  web:\n    image: b\n    command: [c]\n    ports: ['443:443']\n    environment: {B: 3, C: 4}\n";
        assert_eq!(
            merged(a, b),
            json!({"services": {"web": {
                "image": "b", "command": ["c"], "ports": ["80:80", "443:443"],
                "environment": {"A": "1", "B": 3, "C": 4}
            }}})
        );
    }

    #[test]
    fn reset_and_override() {
        let a = "services:\n  web:\n    ports: ['80:80']\n    environment: {A: 1}\n    labels: {x: y}\n";
        let b = "services:\n  web:\n    ports: !reset []\n    environment: !override {B: 2}\n";
        assert_eq!(
            merged(a, b),
            json!({"services": {"web": {"environment": {"B": 2}, "labels": {"x": "y"}}}})
        );
    }

    #[test]
    fn depends_on_and_networks_merge_by_key() {
        let a = "services:\n  web:\n    depends_on: [db]\n    networks: [front]\n";
        let b = "services:\n  web:\n    depends_on:\n      cache: {condition: service_healthy}\n    networks:\n      back: {}\n";
        let m = merged(a, b);
        assert_eq!(
            m["services"]["web"]["depends_on"],
            json!({"db": {"condition": "service_started", "required": true}, "cache": {"condition": "service_healthy"}})
        );
        assert_eq!(
            m["services"]["web"]["networks"],
            json!({"front": null, "back": {}})
        );
    }

    #[test]
    fn null_override_keeps_base_and_x_keys_replace() {
        let a = "services:\n  web:\n    image: a\n    x-meta: {a: 1}\n";
        let b = "services:\n  web:\n    image:\n    x-meta: {b: 2}\n";
        assert_eq!(
            merged(a, b),
            json!({"services": {"web": {"image": "a", "x-meta": {"b": 2}}}})
        );
    }

    #[test]
    fn build_string_merges_with_mapping() {
        let a = "services:\n  web:\n    build: ./app\n";
        let b = "services:\n  web:\n    build:\n      target: prod\n";
        assert_eq!(
            merged(a, b)["services"]["web"]["build"],
            json!({"context": "./app", "target": "prod"})
        );
    }
}
