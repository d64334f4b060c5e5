//! The node tree: values with their spans and tags.

use homeport_diag::Span;

/// How a scalar was written; quoted scalars are always strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(String, ScalarStyle),
    Seq(Vec<Node>),
    Map(Map),
}

/// A YAML node with the place it was written and its tag (`!reset`, `!override`, `!!str`...).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub tag: Option<String>,
}

/// A mapping in source order. Keys are unique (the parser rejects duplicates).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The key as text (non-scalar keys render as their JSON form).
    pub fn key_str(&self) -> &str {
        self.key.as_str().unwrap_or("")
    }
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key.as_str() == Some(key))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key.as_str() == Some(key))
            .map(|e| &mut e.value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|e| (e.key_str(), &e.value))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Insert or replace, keeping the first position of an existing key.
    pub fn insert(&mut self, key: Node, value: Node) {
        match key.as_str().and_then(|k| self.get_mut(k)) {
            Some(slot) => *slot = value,
            None => self.entries.push(Entry { key, value }),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self
            .entries
            .iter()
            .position(|e| e.key.as_str() == Some(key))?;
        Some(self.entries.remove(i))
    }
}

const NULLS: [&str; 5] = ["", "~", "null", "Null", "NULL"];
const TRUES: [&str; 3] = ["true", "True", "TRUE"];
const FALSES: [&str; 3] = ["false", "False", "FALSE"];

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node {
            value,
            span,
            tag: None,
        }
    }

    pub fn string(text: impl Into<String>, span: Span) -> Self {
        Node::new(Value::Scalar(text.into(), ScalarStyle::DoubleQuoted), span)
    }

    pub fn null(span: Span) -> Self {
        Node::new(Value::Scalar(String::new(), ScalarStyle::Plain), span)
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tag.as_deref() == Some(tag)
    }

    fn plain(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, ScalarStyle::Plain) if !self.is_str_tagged() => Some(s),
            _ => None,
        }
    }

    fn is_str_tagged(&self) -> bool {
        matches!(
            self.tag.as_deref(),
            Some("!!str") | Some("tag:yaml.org,2002:str")
        )
    }

    /// The text of any scalar (whatever it resolves to); `None` for collections.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self.value, Value::Scalar(..))
    }

    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        self.plain().is_some_and(|s| NULLS.contains(&s))
    }

    /// A plain scalar written as a YAML 1.2 core-schema boolean.
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.plain()?;
        if TRUES.contains(&s) {
            Some(true)
        } else if FALSES.contains(&s) {
            Some(false)
        } else {
            None
        }
    }

    /// A plain scalar written as a YAML 1.2 core-schema integer (decimal, 0o octal, 0x hex).
    pub fn as_i64(&self) -> Option<i64> {
        parse_int(self.plain()?)
    }

    /// A plain scalar written as a YAML 1.2 core-schema number.
    pub fn as_f64(&self) -> Option<f64> {
        let s = self.plain()?;
        parse_int(s).map(|i| i as f64).or_else(|| parse_float(s))
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Look a key up if this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// A short word for the node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a sequence",
            Value::Scalar(..) if self.is_null() => "null",
            Value::Scalar(..) if self.as_bool().is_some() => "a boolean",
            Value::Scalar(..) => match self.as_f64() {
                // Spelled out so "must be a number" never meets "found a number" (`1e400`).
                Some(f) if f.is_nan() => "not-a-number (`.nan`)",
                Some(f)
                    if f.is_infinite()
                        && self
                            .plain()
                            .is_some_and(|s| s.to_ascii_lowercase().contains("inf")) =>
                {
                    "an infinite number"
                }
                Some(f) if f.is_infinite() => "a number too large to represent",
                Some(_) => "a number",
                None => "a string",
            },
        }
    }

    /// The node as JSON, resolving plain scalars with the YAML 1.2 core schema.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key_str().to_string(), e.value.to_json()))
                    .collect(),
            ),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Scalar(s, _) => {
                if self.is_null() {
                    J::Null
                } else if let Some(b) = self.as_bool() {
                    J::Bool(b)
                } else if let Some(i) = self.as_i64() {
                    J::from(i)
                } else if let Some(f) = self.plain().and_then(parse_float) {
                    serde_json::Number::from_f64(f).map_or_else(|| J::String(s.clone()), J::Number)
                } else {
                    J::String(s.clone())
                }
            }
        }
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let value = if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -value } else { value })
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // YAML 1.2 core: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Node {
        Node::new(Value::Scalar(s.into(), ScalarStyle::Plain), Span::default())
    }

    #[test]
    fn core_schema_resolution() {
        assert!(plain("~").is_null());
        assert_eq!(plain("True").as_bool(), Some(true));
        assert_eq!(plain("yes").as_bool(), None, "YAML 1.2: yes is a string");
        assert_eq!(plain("0o17").as_i64(), Some(15));
        assert_eq!(plain("-0x1F").as_i64(), Some(-31));
        assert_eq!(plain("1.5e3").as_f64(), Some(1500.0));
        assert_eq!(plain("1.5G").as_f64(), None);
        assert_eq!(plain("08").as_i64(), Some(8));
        assert_eq!(plain("1_000").as_i64(), None);
        let quoted = Node::new(
            Value::Scalar("3".into(), ScalarStyle::DoubleQuoted),
            Span::default(),
        );
        assert_eq!(quoted.as_i64(), None);
        assert_eq!(quoted.to_json(), serde_json::json!("3"));
        assert_eq!(plain("3").to_json(), serde_json::json!(3));
    }
}
