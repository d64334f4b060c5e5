//! The Pod Security level a Namespace enforces, from its labels.

use serde_json::Value;

use crate::context::At;
use crate::{Level, Version};

/// The label naming the level a namespace enforces.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The label pinning the policy version a namespace enforces.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";

/// The three admission modes a namespace can set a level for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Pods that violate the level are rejected.
    Enforce,
    /// Pods are admitted; the API server returns a warning (`kubectl apply` prints it).
    Warn,
    /// Pods are admitted; the violation is recorded in the audit log.
    Audit,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Warn, Mode::Audit];

    /// `enforce`, `warn`, `audit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }

    /// `pod-security.kubernetes.io/<mode>`.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Enforce => ENFORCE_LABEL,
            Mode::Warn => "pod-security.kubernetes.io/warn",
            Mode::Audit => "pod-security.kubernetes.io/audit",
        }
    }

    /// `pod-security.kubernetes.io/<mode>-version`.
    pub fn version_label(self) -> &'static str {
        match self {
            Mode::Enforce => ENFORCE_VERSION_LABEL,
            Mode::Warn => "pod-security.kubernetes.io/warn-version",
            Mode::Audit => "pod-security.kubernetes.io/audit-version",
        }
    }
}

/// For a `Namespace` object with a `pod-security.kubernetes.io/enforce` label: the level, and
/// the version from `pod-security.kubernetes.io/enforce-version` when that label is present.
/// [`namespace_mode_level`] reads the `warn` and `audit` labels the same way.
///
/// Labels are read like upstream's `api.PolicyToEvaluate`: an enforce label that is not exactly
/// `privileged`, `baseline` or `restricted` enforces `restricted` (upstream fails closed), and
/// an enforce-version label that is not exactly `latest` or `v1.<minor>` (see
/// [`Version::parse_label`]) evaluates at the latest version. `None` for other objects and when
/// the enforce label is missing or not a string (upstream then uses the cluster default level).
pub fn namespace_level(namespace_object: &Value) -> Option<(Level, Option<Version>)> {
    namespace_mode_level(namespace_object, Mode::Enforce)
}

/// The level (and pinned version) a `Namespace` object sets for one admission mode, read as
/// [`namespace_level`] reads the enforce labels.
pub fn namespace_mode_level(
    namespace_object: &Value,
    mode: Mode,
) -> Option<(Level, Option<Version>)> {
    if namespace_object.at("kind").and_then(Value::as_str) != Some("Namespace") {
        return None;
    }
    let labels = namespace_object.at("metadata")?.at("labels")?;
    let level = labels
        .at(mode.label())?
        .as_str()?
        .parse()
        .unwrap_or(Level::Restricted);
    let version = labels.at(mode.version_label()).map(|text| {
        text.as_str()
            .and_then(|t| Version::parse_label(t).ok())
            .unwrap_or(Version::LATEST)
    });
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
    fn invalid_labels_fail_closed_like_upstream() {
        // Upstream `ParseVersion` accepts only `latest` and `v1.<minor>`; anything else
        // evaluates at the latest version.
        for text in [
            "soon", "1.30", "v1.30.1", " v1.30", "v1.05", "v2.0", "Latest", "",
        ] {
            let ns = namespace(json!({ENFORCE_LABEL: "baseline", ENFORCE_VERSION_LABEL: text}));
            assert_eq!(
                namespace_level(&ns),
                Some((Level::Baseline, Some(Version::LATEST))),
                "{text:?}"
            );
        }
        // Upstream `ParseLevel` returns restricted for anything but the three exact names.
        for text in ["strict", "Baseline", ""] {
            let ns = namespace(json!({ENFORCE_LABEL: text, ENFORCE_VERSION_LABEL: "v1.23"}));
            assert_eq!(
                namespace_level(&ns),
                Some((Level::Restricted, Some(Version::new(1, 23)))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn reads_warn_and_audit_levels() {
        let ns = namespace(json!({
            ENFORCE_LABEL: "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "v1.30",
            "pod-security.kubernetes.io/audit": "restricted",
        }));
        assert_eq!(
            namespace_mode_level(&ns, Mode::Warn),
            Some((Level::Restricted, Some(Version::new(1, 30))))
        );
        assert_eq!(
            namespace_mode_level(&ns, Mode::Audit),
            Some((Level::Restricted, None))
        );
        assert_eq!(
            namespace_mode_level(&ns, Mode::Enforce),
            Some((Level::Baseline, None))
        );
    }

    #[test]
    fn ignores_missing_labels_and_other_kinds() {
        assert_eq!(namespace_level(&namespace(json!({"team": "a"}))), None);
        assert_eq!(namespace_level(&json!({"kind": "Namespace"})), None);
        let pod = json!({"kind": "Pod", "metadata": {"labels": {ENFORCE_LABEL: "baseline"}}});
        assert_eq!(namespace_level(&pod), None);
    }
}
