//! JSON paths from an object's root to a field.

use std::borrow::Cow;
use std::fmt;

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key. Static for schema field names, owned for user keys (annotations).
    Key(Cow<'static, str>),
    /// An array index.
    Index(usize),
}

impl PathSegment {
    /// A key segment for a field name known at compile time.
    pub const fn key(name: &'static str) -> PathSegment {
        PathSegment::Key(Cow::Borrowed(name))
    }
}

/// Displays a path as `spec.containers[0].securityContext`, quoting keys that are not plain
/// identifiers: `metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`.
#[derive(Debug, Clone, Copy)]
pub struct JsonPath<'a>(pub &'a [PathSegment]);

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Index(index) => write!(f, "[{index}]")?,
                PathSegment::Key(key) if is_plain(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                PathSegment::Key(key) => write!(f, "[{key:?}]")?,
            }
        }
        Ok(())
    }
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_keys_indexes_and_quoted_keys() {
        let path = [
            PathSegment::key("spec"),
            PathSegment::key("containers"),
            PathSegment::Index(0),
            PathSegment::key("securityContext"),
        ];
        assert_eq!(
            JsonPath(&path).to_string(),
            "spec.containers[0].securityContext"
        );
        let path = [
            PathSegment::key("metadata"),
            PathSegment::key("annotations"),
            PathSegment::Key("seccomp.security.alpha.kubernetes.io/pod".into()),
        ];
        assert_eq!(
            JsonPath(&path).to_string(),
            "metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]"
        );
        assert_eq!(JsonPath(&[]).to_string(), "");
    }
}
