//! One file's text to objects.

use crate::object::Object;
use crate::spans::{split, SpanTree};
use crate::NOT_AN_OBJECT;
use homeport_diag::{Diagnostic, FileId, Origin, Span};
use homeport_yaml::{Limits, Node};
use serde_json::Value;

/// What one file held.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    /// Invalid YAML (errors: the file yields no objects) and documents that are not
    /// Kubernetes objects (warnings: skipped).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one file (YAML, multi-document YAML or JSON, which is YAML 1.2) into objects.
/// Empty documents are skipped; `kind: List` documents are expanded into their items.
pub fn load_text(file: FileId, text: &str) -> Loaded {
    let mut objects = Vec::new();
    let each = load_each(file, text, &mut |obj| objects.push(obj));
    Loaded {
        objects: if each.valid { objects } else { Vec::new() },
        diagnostics: each.diagnostics,
    }
}

/// What [`load_each`] found besides the objects.
#[derive(Debug, Default)]
pub struct Each {
    /// As [`Loaded::diagnostics`].
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file is valid YAML. When it is not, the objects already handed over
    /// must be forgotten: the file yields no objects (as with [`load_text`]).
    pub valid: bool,
    /// YAML documents parsed (empty ones too).
    pub documents: usize,
}

/// As [`load_text`], handing each object to `sink` as soon as its document is parsed
/// instead of collecting them, in the same order: a caller that needs only part of each
/// object keeps that and drops the rest, so a 200 MB stream is never held as objects.
pub fn load_each(file: FileId, text: &str, sink: &mut dyn FnMut(Object)) -> Each {
    load_each_at(file, text, Part::default(), sink)
}

/// Where a part of a file read in parts ([`crate::parts`]) starts: in the text, and in
/// the count of its documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct Part {
    pub origin: Origin,
    /// Documents of the file before this part.
    pub documents_before: usize,
}

/// As [`load_each`], for `text`, a part of `file` made of whole documents: positions and
/// document numbers are the whole file's.
pub fn load_each_at(file: FileId, text: &str, part: Part, sink: &mut dyn FnMut(Object)) -> Each {
    let mut diagnostics = Vec::new();
    // Each document becomes objects as soon as it is parsed; its node tree is dropped then,
    // so a 200 MB stream never holds more than one document's tree.
    let mut index = part.documents_before;
    let parsed = homeport_yaml::parse_each_at(text, part.origin, file, Limits::default(), |doc| {
        if !doc.is_null() {
            add_document(sink, &mut diagnostics, file, index, doc);
        }
        index += 1;
    });
    let documents = index - part.documents_before;
    match parsed {
        Ok(_) => Each {
            diagnostics,
            valid: true,
            documents,
        },
        // Invalid YAML: the file yields no objects, only the errors.
        Err(diags) => Each {
            diagnostics: diags,
            valid: false,
            documents,
        },
    }
}

fn add_document(
    sink: &mut dyn FnMut(Object),
    diagnostics: &mut Vec<Diagnostic>,
    file: FileId,
    index: usize,
    doc: Node,
) {
    if doc.as_map().is_none() {
        diagnostics.push(
            Diagnostic::warning(
                NOT_AN_OBJECT,
                format!(
                    "document {} is {}, not a Kubernetes object; skipped",
                    index + 1,
                    doc.type_name()
                ),
            )
            .with_span(start_of(doc.span))
            .with_help("a manifest document is a mapping with `apiVersion`, `kind` and `metadata`"),
        );
        return;
    }
    let (value, spans) = split(doc);
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (kind, api_version) = (text("kind"), text("apiVersion"));
    if let Some(skip) = not_kubernetes(&value, &api_version, &kind, index) {
        diagnostics.push(skip.with_span(start_of(first_key(&spans))));
        return;
    }
    if kind.is_empty() || api_version.is_empty() {
        let missing = match (api_version.is_empty(), kind.is_empty()) {
            (true, true) => "`apiVersion` and `kind`",
            (true, false) => "`apiVersion`",
            _ => "`kind`",
        };
        diagnostics.push(
            Diagnostic::warning(
                NOT_AN_OBJECT,
                format!(
                    "document {} has no {missing}, so it is not a Kubernetes object; skipped",
                    index + 1
                ),
            )
            .with_span(start_of(first_key(&spans)))
            .with_help("add `apiVersion` and `kind`, or leave this file out of the lint"),
        );
        return;
    }
    if is_list(&kind, &value) {
        expand_list(
            sink,
            diagnostics,
            file,
            index,
            value,
            spans,
            &kind,
            &api_version,
        );
        return;
    }
    sink(Object::from_parts(file, index, None, spans, value));
}

/// Documents that are recognisably something else than Kubernetes manifests: a Compose
/// file (top-level `services:` and no `kind`), or homeport's own cluster inventory
/// (`apiVersion: homeport.dev/...`). Skipped with a warning that says what to lint instead.
fn not_kubernetes(
    value: &Value,
    api_version: &str,
    kind: &str,
    index: usize,
) -> Option<Diagnostic> {
    if kind.is_empty() && value.get("services").is_some_and(Value::is_object) {
        return Some(
            Diagnostic::warning(
                NOT_AN_OBJECT,
                format!(
                    "document {} is a Compose file, not Kubernetes manifests; skipped",
                    index + 1
                ),
            )
            .with_help("lint what homeport makes of it: `homeport render | homeport lint -`"),
        );
    }
    if api_version.starts_with("homeport.dev/") {
        return Some(
            Diagnostic::warning(
                NOT_AN_OBJECT,
                format!(
                    "document {} is homeport's `{kind}` file (the cluster inventory), not a Kubernetes object; skipped",
                    index + 1
                ),
            )
            .with_help("pass it to lint with `--cluster` to enable the placement rules"),
        );
    }
    None
}

/// `kind: List` (kubectl's client-side list) and typed lists such as `DeploymentList`.
fn is_list(kind: &str, value: &Value) -> bool {
    kind.ends_with("List") && value.get("items").is_some_and(Value::is_array)
}

fn first_key(spans: &SpanTree) -> Span {
    match spans {
        SpanTree::Map(_, entries) if !entries.is_empty() => entries[0].0,
        other => other.span(),
    }
}

#[allow(clippy::too_many_arguments)]
fn expand_list(
    sink: &mut dyn FnMut(Object),
    diagnostics: &mut Vec<Diagnostic>,
    file: FileId,
    index: usize,
    value: Value,
    spans: SpanTree,
    kind: &str,
    api_version: &str,
) {
    let item_kind = kind.strip_suffix("List").unwrap_or("");
    let Value::Object(mut map) = value else {
        return;
    };
    let position = map.keys().position(|k| k == "items");
    let Some(Value::Array(items)) = map.remove("items") else {
        return;
    };
    let trees = match (&spans, position) {
        (SpanTree::Map(_, entries), Some(p)) => match entries.get(p) {
            Some((_, SpanTree::Seq(_, trees))) => trees.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        let Some(tree) = trees.get(i).cloned() else {
            break;
        };
        if item.is_null() {
            continue;
        }
        let Value::Object(mut obj) = item else {
            diagnostics.push(
                Diagnostic::warning(
                    NOT_AN_OBJECT,
                    format!("item {i} of this {kind} is not an object; skipped"),
                )
                .with_span(start_of(tree.span()))
                .with_help("each item of a List is a Kubernetes object"),
            );
            continue;
        };
        // Typed lists may leave kind/apiVersion out of their items.
        if !item_kind.is_empty() {
            if !obj.contains_key("kind") {
                obj.insert("kind".into(), Value::String(item_kind.to_string()));
            }
            if !obj.contains_key("apiVersion") {
                obj.insert("apiVersion".into(), Value::String(api_version.to_string()));
            }
        }
        let present = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        };
        if !(present("kind") && present("apiVersion")) {
            diagnostics.push(
                Diagnostic::warning(
                    NOT_AN_OBJECT,
                    format!("item {i} of this List has no `apiVersion` or `kind`; skipped"),
                )
                .with_span(start_of(first_key(&tree)))
                .with_help("add `apiVersion` and `kind` to the item"),
            );
            continue;
        }
        sink(Object::from_parts(
            file,
            index,
            Some(i),
            tree,
            Value::Object(obj),
        ));
    }
}

fn start_of(span: Span) -> Span {
    Span {
        end: span.start.saturating_add(1),
        ..span
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_diag::SourceMap;

    fn load(text: &str) -> (SourceMap, Loaded) {
        let mut sources = SourceMap::new();
        let id = sources.add("m.yaml", text);
        let loaded = load_text(id, text);
        (sources, loaded)
    }

    #[test]
    fn multi_document_with_helm_source_comments_and_empty_documents() {
        let text = "---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# Source: chart/templates/empty.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
        let (_, loaded) = load(text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let names: Vec<_> = loaded
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.name.as_str(), o.document))
            .collect();
        assert_eq!(names, vec![("Service", "a", 0), ("ConfigMap", "b", 2)]);
    }

    #[test]
    fn lists_are_expanded_with_positions() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: y}\n";
        let (sources, loaded) = load(text);
        assert_eq!(loaded.objects.len(), 2);
        let y = &loaded.objects[1];
        assert_eq!((y.kind.as_str(), y.item), ("Secret", Some(1)));
        let (_, loc) = sources.describe(y.span()).unwrap();
        assert_eq!(loc.line, 7);
        let typed = "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: d}\n";
        let (_, loaded) = load(typed);
        assert_eq!(loaded.objects[0].kind, "Deployment");
        assert_eq!(loaded.objects[0].api_version, "apps/v1");
    }

    #[test]
    fn json_files_load_with_positions() {
        let text = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Service\",\n\t\"metadata\": {\"name\":\"s\"},\n\t\"spec\": {\"ports\": [{\"port\": 80}]}\n}\n";
        let (sources, loaded) = load(text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let s = &loaded.objects[0];
        assert_eq!(s.value["spec"]["ports"][0]["port"], 80);
        let span = s.find(&"spec.ports[0].port".into()).unwrap();
        let (_, loc) = sources.describe(span).unwrap();
        assert_eq!(loc.line, 5);
    }

    #[test]
    fn non_objects_are_warnings_and_bad_yaml_is_an_error() {
        let (_, loaded) = load("just a string\n---\nfoo: bar\n");
        assert!(loaded.objects.is_empty());
        assert_eq!(loaded.diagnostics.len(), 2);
        assert!(loaded.diagnostics.iter().all(|d| !d.is_error()));
        let (_, loaded) = load("a: [1\n");
        assert!(loaded.diagnostics[0].is_error());
    }
}
