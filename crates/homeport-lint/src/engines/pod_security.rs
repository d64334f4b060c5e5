//! The `pod-security` category: every control of `homeport_pss` is a rule; that crate
//! evaluates them, this maps its violations to findings.
//!
//! Which level applies to a pod: `--level` when given; otherwise the
//! `pod-security.kubernetes.io/enforce` label of its Namespace, when the input holds that
//! Namespace object; otherwise `restricted`. The policy version is the namespace's
//! `enforce-version` label when set, else the target Kubernetes version. A Namespace with
//! `warn` or `audit` labels but no `enforce` label enforces the cluster's default,
//! `privileged` (Kubernetes' and k3s's default).
//!
//! Without `--level`, the namespace's `warn` and `audit` levels (and their versions) are
//! evaluated too: what they find beyond the enforce level is reported as a warning, as the
//! API server would (`kubectl apply` prints `Warning: would violate PodSecurity ...`).

use crate::finding::RawFinding;
use crate::registry::rule_by_code;
use crate::selection::Selection;
use homeport_diag::Severity;
use homeport_manifest::{FieldPath, Object, PathSegment};
use homeport_pss::{Level, Mode, Version};
use std::collections::HashMap;

/// The levels (and pinned versions) a Namespace object sets, per mode.
#[derive(Debug, Default, Clone, Copy)]
struct Modes {
    enforce: Option<(Level, Option<Version>)>,
    warn: Option<(Level, Option<Version>)>,
    audit: Option<(Level, Option<Version>)>,
}

/// Levels from the Namespace objects of the input.
#[derive(Debug, Default)]
pub struct NamespaceLevels {
    levels: HashMap<String, Modes>,
}

impl NamespaceLevels {
    pub fn new<'o>(objects: impl IntoIterator<Item = &'o Object>) -> Self {
        let mut levels = HashMap::new();
        for obj in objects
            .into_iter()
            .filter(|o| o.kind == "Namespace" && o.api_version == "v1")
        {
            let read = |mode| homeport_pss::namespace_mode_level(&obj.value, mode);
            let modes = Modes {
                enforce: read(Mode::Enforce),
                warn: read(Mode::Warn),
                audit: read(Mode::Audit),
            };
            if modes.enforce.is_some() || modes.warn.is_some() || modes.audit.is_some() {
                levels.insert(obj.name.clone(), modes);
            }
        }
        NamespaceLevels { levels }
    }

    /// The enforce level of `namespace`: its label; `privileged` (the cluster default) when
    /// it sets only `warn`/`audit`; `None` when the input says nothing.
    pub fn get(&self, namespace: &str) -> Option<(Level, Option<Version>)> {
        let modes = self.levels.get(namespace)?;
        Some(modes.enforce.unwrap_or((Level::Privileged, None)))
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

/// A `warn`/`audit` level to evaluate besides the enforce level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryLevel {
    /// `warn`, `audit`, or `warn` and `audit` (one level for both).
    pub modes: Vec<Mode>,
    pub level: Level,
    pub version: Version,
}

/// The namespace's `warn` and `audit` levels that can find more than `enforced` (none with
/// an explicit `--level`).
pub fn advisory_levels(
    explicit: Option<Level>,
    namespaces: &NamespaceLevels,
    namespace: &str,
    target: Version,
    enforced: (Level, Version),
) -> Vec<AdvisoryLevel> {
    if explicit.is_some() {
        return Vec::new();
    }
    let Some(modes) = namespaces.levels.get(namespace) else {
        return Vec::new();
    };
    let mut out: Vec<AdvisoryLevel> = Vec::new();
    for (mode, set) in [(Mode::Warn, modes.warn), (Mode::Audit, modes.audit)] {
        let Some((level, version)) = set else {
            continue;
        };
        let version = version.unwrap_or(target);
        if level == Level::Privileged || (level, version) == enforced {
            continue;
        }
        match out
            .iter_mut()
            .find(|a| a.level == level && a.version == version)
        {
            Some(a) => a.modes.push(mode),
            None => out.push(AdvisoryLevel {
                modes: vec![mode],
                level,
                version,
            }),
        }
    }
    out
}

/// Report what `advisory` finds beyond the findings of the enforce level already in
/// `out[enforced_from..]`, as warnings.
pub fn check_advisory(
    index: usize,
    obj: &Object,
    advisory: &AdvisoryLevel,
    enforced_from: usize,
    selection: &Selection,
    out: &mut Vec<RawFinding>,
) {
    let start = out.len();
    check(index, obj, advisory.level, advisory.version, selection, out);
    let mut extra: Vec<RawFinding> = out.drain(start..).collect();
    extra.retain(|f| {
        !out[enforced_from..]
            .iter()
            .any(|e| e.rule.code == f.rule.code && e.path == f.path)
    });
    let modes: Vec<&str> = advisory.modes.iter().map(|m| m.as_str()).collect();
    let effect = match advisory.modes.as_slice() {
        [Mode::Audit] => "admitted, recorded in the audit log",
        [Mode::Warn] => "admitted, `kubectl apply` prints a warning",
        _ => "admitted, `kubectl apply` prints a warning and the audit log records it",
    };
    for mut f in extra {
        f.severity = Severity::Warning;
        if let Some(base) = f
            .message
            .strip_suffix(&format!(" (Pod Security level `{}`)", advisory.level))
        {
            f.message = base.to_string();
        }
        f.message = format!(
            "{} (Pod Security `{}` level `{}`: {effect})",
            f.message,
            modes.join("` and `"),
            advisory.level
        );
        f.help = Some(format!(
            "change the pod to meet the `{}` level, or lower the namespace's `{}` label",
            advisory.level,
            advisory
                .modes
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join("` / `")
        ));
        out.push(f);
    }
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
