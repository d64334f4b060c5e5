//! Paths to fields inside an object: `spec.template.spec.containers[0].image`.

use std::fmt;

/// One step of a [`FieldPath`]: a mapping key or a sequence index (from 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Where a field is, from the object's root. Empty for the object itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    /// The object itself.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// Parse the display form: dotted keys, `[N]` indexes and `["quoted.key"]` keys.
    /// Text that is not a valid path yields the segments read so far.
    pub fn parse(text: &str) -> Self {
        let mut segments = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix('[') {
                if let Some(quoted) = after.strip_prefix('"') {
                    // A JSON string key up to the closing `"]`.
                    let Some(end) = find_closing_quote(quoted) else {
                        break;
                    };
                    let raw = &after[..end + 2];
                    let key = serde_json::from_str::<String>(raw)
                        .unwrap_or_else(|_| quoted[..end].to_string());
                    segments.push(PathSegment::Key(key));
                    rest = quoted.get(end + 2..).unwrap_or("");
                } else {
                    let Some(close) = after.find(']') else { break };
                    match after[..close].parse::<usize>() {
                        Ok(i) => segments.push(PathSegment::Index(i)),
                        Err(_) => segments.push(PathSegment::Key(after[..close].to_string())),
                    }
                    rest = &after[close + 1..];
                }
                continue;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            segments.push(PathSegment::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
        FieldPath(segments)
    }

    /// This path with a key appended.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.0.push(PathSegment::Key(key.into()));
        p
    }

    /// This path with an index appended.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(PathSegment::Index(index));
        p
    }

    /// This path followed by every segment of `other` (parsed from its display form).
    pub fn join(&self, other: &str) -> Self {
        let mut p = self.clone();
        p.0.extend(FieldPath::parse(other).0);
        p
    }

    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Look the path up in a JSON value.
    pub fn lookup<'a>(&self, value: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        let mut v = value;
        for seg in &self.0 {
            v = match seg {
                PathSegment::Key(k) => v.get(k.as_str())?,
                PathSegment::Index(i) => v.get(*i)?,
            };
        }
        Some(v)
    }
}

fn find_closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' if bytes.get(i + 1) == Some(&b']') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

impl From<Vec<PathSegment>> for FieldPath {
    fn from(v: Vec<PathSegment>) -> Self {
        FieldPath(v)
    }
}

impl From<&str> for FieldPath {
    fn from(s: &str) -> Self {
        FieldPath::parse(s)
    }
}

impl fmt::Display for FieldPath {
    /// `spec.template.spec.containers[0].name`; keys that are not plain identifiers are
    /// quoted: `metadata.labels["app.kubernetes.io/name"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                PathSegment::Index(i) => write!(f, "[{i}]")?,
                PathSegment::Key(k) => {
                    let plain = !k.is_empty()
                        && k.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                    if plain {
                        if !first {
                            f.write_str(".")?;
                        }
                        f.write_str(k)?;
                    } else {
                        write!(f, "[{}]", serde_json::Value::String(k.clone()))?;
                    }
                }
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let p = FieldPath::root()
            .key("metadata")
            .key("labels")
            .key("app.kubernetes.io/name");
        assert_eq!(p.to_string(), "metadata.labels[\"app.kubernetes.io/name\"]");
        assert_eq!(FieldPath::parse(&p.to_string()), p);
        let q = FieldPath::parse("spec.template.spec.containers[0].ports[12].name");
        assert_eq!(
            q.to_string(),
            "spec.template.spec.containers[0].ports[12].name"
        );
        assert_eq!(q.segments().len(), 8);
        assert_eq!(FieldPath::parse("").segments().len(), 0);
        assert_eq!(
            FieldPath::parse("a[\"x\\\"]y\"]").0,
            vec![
                PathSegment::Key("a".into()),
                PathSegment::Key("x\"]y".into())
            ]
        );
    }

    #[test]
    fn lookup_walks_json() {
        let v = serde_json::json!({"a": {"b": [1, {"c": 2}]}});
        assert_eq!(
            FieldPath::parse("a.b[1].c").lookup(&v),
            Some(&serde_json::json!(2))
        );
        assert_eq!(FieldPath::parse("a.b[5]").lookup(&v), None);
    }
}
