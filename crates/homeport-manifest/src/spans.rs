//! Positions of an object's fields, kept apart from its JSON value.
//!
//! A parsed [`Node`] tree holds every string twice once converted to JSON; lint needs the
//! JSON for rules and positions only for the few fields it reports. [`split`] consumes the
//! node tree into the JSON value and a [`SpanTree`] that holds nothing but spans, in the
//! same order as the value's mappings and sequences, so that a path is resolved by walking
//! both together.

use homeport_diag::Span;
use homeport_yaml::{Node, ScalarStyle, Value as NodeValue};
use serde_json::{Map, Value};

/// The spans of a value and of everything in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SpanTree {
    Scalar(Span),
    /// One entry per entry of the JSON object, in its order: the key's span and the value's.
    Map(Span, Vec<(Span, SpanTree)>),
    Seq(Span, Vec<SpanTree>),
}

impl SpanTree {
    pub(crate) fn span(&self) -> Span {
        match self {
            SpanTree::Scalar(s) | SpanTree::Map(s, _) | SpanTree::Seq(s, _) => *s,
        }
    }

    pub(crate) fn is_scalar(&self) -> bool {
        matches!(self, SpanTree::Scalar(_))
    }
}

/// Convert a node tree into its JSON value (YAML 1.2 core schema, as `Node::to_json`) and
/// its span tree, moving the strings instead of copying them.
pub(crate) fn split(node: Node) -> (Value, SpanTree) {
    let span = node.span;
    match node.value {
        NodeValue::Map(map) => {
            let mut obj = Map::with_capacity(map.entries.len());
            let mut spans: Vec<(Span, SpanTree)> = Vec::with_capacity(map.entries.len());
            for entry in map.entries {
                let key = entry.key.as_str().unwrap_or("").to_string();
                let key_span = entry.key.span;
                let (v, t) = split(entry.value);
                // Keys are unique (the parser rejects duplicates); a non-scalar key reads as
                // "" and may collide: the later value replaces the earlier in place.
                if obj.contains_key(&key) {
                    if let Some(i) = obj.keys().position(|k| *k == key) {
                        if let Some(slot) = spans.get_mut(i) {
                            *slot = (key_span, t);
                        }
                    }
                    obj.insert(key, v);
                } else {
                    obj.insert(key, v);
                    spans.push((key_span, t));
                }
            }
            (Value::Object(obj), SpanTree::Map(span, spans))
        }
        NodeValue::Seq(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut spans = Vec::with_capacity(items.len());
            for item in items {
                let (v, t) = split(item);
                values.push(v);
                spans.push(t);
            }
            (Value::Array(values), SpanTree::Seq(span, spans))
        }
        NodeValue::Scalar(..) => {
            let value = scalar(node);
            (value, SpanTree::Scalar(span))
        }
    }
}

fn scalar(node: Node) -> Value {
    let quoted_or_str = match &node.value {
        NodeValue::Scalar(_, style) => {
            *style != ScalarStyle::Plain
                || matches!(
                    node.tag.as_deref(),
                    Some("!!str") | Some("tag:yaml.org,2002:str")
                )
        }
        _ => false,
    };
    if !quoted_or_str {
        if node.is_null() {
            return Value::Null;
        }
        if let Some(b) = node.as_bool() {
            return Value::Bool(b);
        }
        if let Some(i) = node.as_i64() {
            return Value::from(i);
        }
        if let Some(n) = node.as_f64().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    match node.value {
        NodeValue::Scalar(s, _) => Value::String(s),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_diag::FileId;

    #[test]
    fn split_matches_to_json() {
        let text = "a: 1\nb: [x, 'y', 2.5, true, ~, .nan]\nc: {d: \"3\", e: !!str 4}\n<<: {f: g}\n";
        let node = homeport_yaml::parse_one(text, FileId(0)).unwrap().unwrap();
        let expected = node.to_json();
        let (value, spans) = split(node);
        assert_eq!(value.to_string(), expected.to_string());
        let SpanTree::Map(_, entries) = spans else {
            panic!()
        };
        assert_eq!(entries.len(), 4);
    }
}
