//! The Pod Security level a Namespace enforces, from its labels.

use serde_json::Value;

use crate::context::At;
use crate::{Level, Version};

/// The label naming the level a namespace enforces.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The label pinning the policy version a namespace enforces.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";

/// For a `Namespace` object with a valid `pod-security.kubernetes.io/enforce` label: the
/// level, and the version from `pod-security.kubernetes.io/enforce-version` when that label is
/// present and valid (`latest` gives [`Version::LATEST`]). `None` for other objects, a missing
/// enforce label, or an invalid level (upstream then falls back to the cluster default).
pub fn namespace_level(namespace_object: &Value) -> Option<(Level, Option<Version>)> {
    if namespace_object.at("kind").and_then(Value::as_str) != Some("Namespace") {
        return None;
    }
    let labels = namespace_object.at("metadata")?.at("labels")?;
    let level = labels.at(ENFORCE_LABEL)?.as_str()?.parse().ok()?;
    let version = labels
        .at(ENFORCE_VERSION_LABEL)
        .and_then(Value::as_str)
        .and_then(|text| Version::parse(text).ok());
    Some((level, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn namespace(labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "media", "labels": labels}})
    }

    #[test]
    fn reads_level_and_version() {
        let ns = namespace(json!({ENFORCE_LABEL: "restricted", ENFORCE_VERSION_LABEL: "v1.30"}));
        assert_eq!(
            namespace_level(&ns),
            Some((Level::Restricted, Some(Version::new(1, 30))))
        );
        let ns = namespace(json!({ENFORCE_LABEL: "baseline", ENFORCE_VERSION_LABEL: "latest"}));
        assert_eq!(
            namespace_level(&ns),
            Some((Level::Baseline, Some(Version::LATEST)))
        );
        let ns = namespace(json!({ENFORCE_LABEL: "privileged"}));
        assert_eq!(namespace_level(&ns), Some((Level::Privileged, None)));
    }

    #[test]
    fn ignores_invalid_or_missing_labels_and_other_kinds() {
        let ns = namespace(json!({ENFORCE_LABEL: "baseline", ENFORCE_VERSION_LABEL: "soon"}));
        assert_eq!(namespace_level(&ns), Some((Level::Baseline, None)));
        assert_eq!(
            namespace_level(&namespace(json!({ENFORCE_LABEL: "strict"}))),
            None
        );
        assert_eq!(namespace_level(&namespace(json!({"team": "a"}))), None);
        assert_eq!(namespace_level(&json!({"kind": "Namespace"})), None);
        let pod = json!({"kind": "Pod", "metadata": {"labels": {ENFORCE_LABEL: "baseline"}}});
        assert_eq!(namespace_level(&pod), None);
    }
}
