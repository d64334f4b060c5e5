//! The `pod-security` category: every control of `homeport_pss` is a rule; that crate
//! evaluates them, this maps its violations to findings.
//!
//! Which level applies to a pod: `--level` when given; otherwise the
//! `pod-security.kubernetes.io/enforce` label of its Namespace, when the input holds that
//! Namespace object; otherwise `restricted`. The policy version is the namespace's
//! `enforce-version` label when set, else the target Kubernetes version.

use crate::finding::RawFinding;
use crate::registry::rule_by_code;
use crate::selection::Selection;
use homeport_diag::Severity;
use homeport_manifest::{FieldPath, Object, PathSegment};
use homeport_pss::{Level, Version};
use std::collections::HashMap;

/// Levels from the Namespace objects of the input.
#[derive(Debug, Default)]
pub struct NamespaceLevels {
    levels: HashMap<String, (Level, Option<Version>)>,
}

impl NamespaceLevels {
    pub fn new(objects: &[Object]) -> Self {
        let mut levels = HashMap::new();
        for obj in objects
            .iter()
            .filter(|o| o.kind == "Namespace" && o.api_version == "v1")
        {
            if let Some(level) = homeport_pss::namespace_level(&obj.value) {
                levels.insert(obj.name.clone(), level);
            }
        }
        NamespaceLevels { levels }
    }

    pub fn get(&self, namespace: &str) -> Option<(Level, Option<Version>)> {
        self.levels.get(namespace).copied()
    }
}

/// The level and policy version a pod in `namespace` is checked at.
pub fn effective_level(
    explicit: Option<Level>,
    namespaces: &NamespaceLevels,
    namespace: &str,
    target: Version,
) -> (Level, Version) {
    let from_ns = namespaces.get(namespace);
    let level = explicit
        .or(from_ns.map(|(l, _)| l))
        .unwrap_or(Level::Restricted);
    let version = from_ns.and_then(|(_, v)| v).unwrap_or(target);
    (level, version)
}

pub fn check(
    index: usize,
    obj: &Object,
    level: Level,
    version: Version,
    selection: &Selection,
    out: &mut Vec<RawFinding>,
) {
    for v in homeport_pss::evaluate(&obj.value, level, version) {
        if !selection.contains(v.control.code) {
            continue;
        }
        let Some(rule) = rule_by_code(v.control.code) else {
            continue;
        };
        let path = FieldPath(
            v.path
                .iter()
                .map(|s| match s {
                    homeport_pss::PathSegment::Key(k) => PathSegment::Key(k.to_string()),
                    homeport_pss::PathSegment::Index(i) => PathSegment::Index(*i),
                })
                .collect(),
        );
        out.push(RawFinding {
            rule,
            severity: Severity::Error,
            object: index,
            path,
            message: format!("{} (Pod Security level `{level}`)", v.message),
            help: None,
        });
    }
}
