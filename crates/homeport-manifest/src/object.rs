//! One Kubernetes object: its JSON value for rules, and the spans of its fields.

use crate::path::{FieldPath, PathSegment};
use crate::spans::{split, SpanTree};
use homeport_diag::{FileId, Span};
use homeport_yaml::Node;
use serde_json::Value;

/// What identifies an object and where it starts, without its value (see
/// [`Object::from_identity`]).
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub start: Span,
    pub document: usize,
    pub item: Option<usize>,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
}

/// A Kubernetes object read from a manifest.
#[derive(Debug, Clone)]
pub struct Object {
    /// The file it was read from.
    pub file: FileId,
    /// Index of its YAML document in the file, from 0 (JSON files: 0).
    pub document: usize,
    /// Index in the `items` of a `kind: List` document, when it came from one.
    pub item: Option<usize>,
    /// The object as JSON (YAML 1.2 core schema), what rules read.
    pub value: Value,
    /// `apiVersion` (empty when absent).
    pub api_version: String,
    /// `kind` (empty when absent).
    pub kind: String,
    /// `metadata.name`, else `metadata.generateName`, else empty.
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    spans: SpanTree,
}

impl Object {
    /// Build an object from a mapping node. The identity fields are read from the value.
    pub fn new(file: FileId, document: usize, item: Option<usize>, node: Node) -> Self {
        let (value, spans) = split(node);
        Self::from_parts(file, document, item, spans, value)
    }

    pub(crate) fn from_parts(
        file: FileId,
        document: usize,
        item: Option<usize>,
        spans: SpanTree,
        value: Value,
    ) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let meta = value.get("metadata");
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .or_else(|| {
                meta.and_then(|m| m.get("generateName"))
                    .and_then(Value::as_str)
            })
            .unwrap_or("")
            .to_string();
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Object {
            file,
            document,
            item,
            api_version: text(value.get("apiVersion")),
            kind: text(value.get("kind")),
            name,
            namespace,
            value,
            spans,
        }
    }

    /// Where the object starts (its first key).
    pub fn span(&self) -> Span {
        start_of(&self.spans)
    }

    /// Hand over the field positions, so that a caller that resolves what it reports
    /// object by object can free them as it goes (a large input holds millions). The
    /// object keeps its start: [`Object::span`] is unchanged, while [`Object::find`] and
    /// [`Object::span_of`] answer from the start only; ask the returned [`Positions`].
    pub fn take_positions(&mut self) -> Positions {
        let start = self.span();
        let tree = std::mem::replace(&mut self.spans, SpanTree::Scalar(start));
        Positions { tree }
    }

    /// A copy of this object's identity (file, document, kind, name, ...) and start with
    /// `value` in place of its value and no other field positions: what an index keeps of
    /// an object once the object itself is dropped (`value` is the part it reads).
    pub fn narrowed(&self, value: Value) -> Object {
        Object {
            file: self.file,
            document: self.document,
            item: self.item,
            value,
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            spans: SpanTree::Scalar(self.span()),
        }
    }

    /// An object made again from an identity and start kept apart from its value (an
    /// index that packs what it keeps): the same as [`Object::narrowed`] of the original.
    pub fn from_identity(identity: Identity<'_>, value: Value) -> Object {
        Object {
            file: identity.start.file,
            document: identity.document,
            item: identity.item,
            value,
            api_version: identity.api_version.to_string(),
            kind: identity.kind.to_string(),
            name: identity.name.to_string(),
            namespace: identity.namespace.map(str::to_string),
            spans: SpanTree::Scalar(identity.start),
        }
    }

    /// The API group: `apps` for `apps/v1`, `""` for `v1`.
    pub fn group(&self) -> &str {
        self.api_version
            .split_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `metadata.labels`, if it is a mapping.
    pub fn labels(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value.get("metadata")?.get("labels")?.as_object()
    }

    /// `metadata.annotations`, if it is a mapping.
    pub fn annotations(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value.get("metadata")?.get("annotations")?.as_object()
    }

    /// One annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations()?.get(key)?.as_str()
    }

    /// `Kind namespace/name` (or `Kind name`) for messages.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    /// The span of the field at `path`, exactly: `None` when it is absent. For a mapping
    /// entry the span runs from the key to the end of a scalar value (for a collection value,
    /// it is the key); for a sequence item it is the item's first line.
    pub fn find(&self, path: &FieldPath) -> Option<Span> {
        let (span, depth) = self.locate(path.segments());
        (depth == path.segments().len()).then_some(span)
    }

    /// The span of the field at `path`, or of its deepest ancestor that exists: a finding
    /// about a missing field points at the object that lacks it.
    pub fn span_of(&self, path: &FieldPath) -> Span {
        self.locate(path.segments()).0
    }

    fn locate(&self, segments: &[PathSegment]) -> (Span, usize) {
        locate(&self.value, &self.spans, segments)
    }
}

/// An object's field positions, taken out of it with [`Object::take_positions`].
#[derive(Debug, Clone)]
pub struct Positions {
    tree: SpanTree,
}

impl Positions {
    /// Where the object starts (its first key), as [`Object::span`].
    pub fn span(&self) -> Span {
        start_of(&self.tree)
    }

    /// As [`Object::span_of`], for the object these positions were taken from (`value` is
    /// its [`Object::value`]).
    pub fn span_of(&self, value: &Value, path: &FieldPath) -> Span {
        locate(value, &self.tree, path.segments()).0
    }
}

/// Where an object starts: a block mapping's own mark is not at its first key; the first
/// key is.
fn start_of(tree: &SpanTree) -> Span {
    let s = match tree {
        SpanTree::Map(_, entries) if !entries.is_empty() => entries[0].0,
        other => other.span(),
    };
    Span { end: s.start, ..s }
}

/// Walks `segments` through `value` and its positions `tree` as far as they exist; returns
/// the span and how many were matched.
fn locate(value: &Value, tree: &SpanTree, segments: &[PathSegment]) -> (Span, usize) {
    let mut value = value;
    let mut tree = tree;
    let mut span = start_of(tree);
    for (depth, seg) in segments.iter().enumerate() {
        let next = match (seg, value, tree) {
            (PathSegment::Key(k), Value::Object(map), SpanTree::Map(_, entries)) => map
                .iter()
                .position(|(key, _)| key == k)
                .and_then(|i| Some((map.get(k.as_str())?, entries.get(i)?)))
                .map(|(v, (key_span, t))| {
                    let s = if t.is_scalar() && t.span().file == key_span.file {
                        key_span.to(t.span())
                    } else {
                        *key_span
                    };
                    (v, t, s)
                }),
            (PathSegment::Index(i), Value::Array(items), SpanTree::Seq(_, trees)) => items
                .get(*i)
                .and_then(|v| trees.get(*i).map(|t| (v, t, first_line(t)))),
            _ => None,
        };
        match next {
            Some((v, t, s)) => {
                value = v;
                tree = t;
                span = s;
            }
            None => return (span, depth),
        }
    }
    (span, segments.len())
}

/// A sequence item's span: a scalar as is; a collection from its first entry (the caret
/// then sits under its first key).
fn first_line(tree: &SpanTree) -> Span {
    match tree {
        SpanTree::Scalar(s) => *s,
        SpanTree::Map(_, entries) if !entries.is_empty() => {
            let (key, value) = &entries[0];
            if value.is_scalar() {
                key.to(value.span())
            } else {
                *key
            }
        }
        SpanTree::Seq(_, items) if !items.is_empty() => first_line(&items[0]),
        other => {
            let s = other.span();
            Span { end: s.start, ..s }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_diag::SourceMap;

    #[test]
    fn spans_of_fields_and_missing_fields() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: media\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n";
        let mut sources = SourceMap::new();
        let id = sources.add("d.yaml", text);
        let node = homeport_yaml::parse_one(text, id).unwrap().unwrap();
        let obj = Object::new(id, 0, None, node);
        assert!(obj
            .find(&FieldPath::parse("spec.template.spec.containers[0].name"))
            .is_some());
        assert_eq!(obj.kind, "Deployment");
        assert_eq!(obj.namespace.as_deref(), Some("media"));
        assert_eq!(obj.group(), "apps");
        let image = obj
            .find(&FieldPath::parse("spec.template.spec.containers[0].image"))
            .unwrap();
        let s = &text[image.start as usize..image.end as usize];
        assert_eq!(s, "image: nginx");
        let container = obj.span_of(&FieldPath::parse(
            "spec.template.spec.containers[0].resources.limits",
        ));
        assert_eq!(
            &text[container.start as usize..container.end as usize],
            "name: web"
        );
        assert!(obj
            .find(&FieldPath::parse("spec.template.spec.containers[1]"))
            .is_none());
        let (_, loc) = sources.describe(obj.span()).unwrap();
        assert_eq!((loc.line, loc.column), (1, 1));
    }

    #[test]
    fn taken_positions_answer_as_the_object_did() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n";
        let mut sources = SourceMap::new();
        let id = sources.add("p.yaml", text);
        let node = homeport_yaml::parse_one(text, id).unwrap().unwrap();
        let mut obj = Object::new(id, 0, None, node);
        let paths = [
            "spec.containers[0].image",
            "spec.containers[0].securityContext.privileged",
            "spec.containers[3]",
            "metadata",
            "",
        ];
        let before: Vec<Span> = paths
            .iter()
            .map(|p| obj.span_of(&FieldPath::parse(p)))
            .collect();
        let start = obj.span();
        let positions = obj.take_positions();
        assert_eq!(positions.span(), start);
        assert_eq!(obj.span(), start);
        for (p, span) in paths.iter().zip(before) {
            assert_eq!(
                positions.span_of(&obj.value, &FieldPath::parse(p)),
                span,
                "{p}"
            );
        }
        // The object itself now knows only where it starts.
        assert_eq!(
            obj.span_of(&FieldPath::parse("spec.containers[0].image")),
            start
        );
    }
}
