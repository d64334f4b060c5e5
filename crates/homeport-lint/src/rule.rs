//! What a rule is: a stable code, a name, a category, a default severity, its documentation
//! and its check.

use crate::context::{Context, Emitter};
use homeport_diag::Severity;
use homeport_manifest::Object;
use std::fmt;

/// Groups of rules; `--select`/`--ignore` accept a category name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The Pod Security Standards controls, exactly as upstream defines them (`PSS`).
    PodSecurity,
    /// The Kubernetes OpenAPI schema of the target version (`SCH`).
    Schema,
    /// Deprecated, removed and unstable API versions (`API`).
    ApiVersion,
    /// Security hardening beyond (or below) the Pod Security level (`SEC`).
    Security,
    /// Availability and operability: resources, probes, replicas, budgets, images (`REL`).
    Reliability,
    /// References between objects: Services, Ingresses, NetworkPolicies (`NET`).
    Networking,
    /// Roles, ClusterRoles and their bindings (`RBC`).
    Rbac,
    /// Scheduling on heterogeneous home clusters: GPUs, architectures, node labels (`PLC`).
    Placement,
    /// The linter's own checks: suppressions (`LNT`).
    Meta,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::PodSecurity,
        Category::Schema,
        Category::ApiVersion,
        Category::Security,
        Category::Reliability,
        Category::Networking,
        Category::Rbac,
        Category::Placement,
        Category::Meta,
    ];

    /// The name users type: `pod-security`, `schema`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PodSecurity => "pod-security",
            Category::Schema => "schema",
            Category::ApiVersion => "api-version",
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Networking => "networking",
            Category::Rbac => "rbac",
            Category::Placement => "placement",
            Category::Meta => "meta",
        }
    }

    /// The code prefix of its rules.
    pub fn prefix(self) -> &'static str {
        match self {
            Category::PodSecurity => "PSS",
            Category::Schema => "SCH",
            Category::ApiVersion => "API",
            Category::Security => "SEC",
            Category::Reliability => "REL",
            Category::Networking => "NET",
            Category::Rbac => "RBC",
            Category::Placement => "PLC",
            Category::Meta => "LNT",
        }
    }

    /// Whether `best-practice` (an alias for several categories) includes it.
    pub fn is_best_practice(self) -> bool {
        matches!(
            self,
            Category::ApiVersion
                | Category::Security
                | Category::Reliability
                | Category::Networking
                | Category::Rbac
                | Category::Placement
        )
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's check. Most rules look at one object at a time (with the whole input indexed in
/// the [`Context`] for references); the Pod Security controls and the schema checks are run
/// by their engines, once per object for all their rules.
#[derive(Clone, Copy)]
pub enum Check {
    Object(fn(&Context<'_>, &Object, &mut Emitter<'_>)),
    PodSecurity,
    Schema,
    /// Reported by the checker itself (suppression problems).
    Checker,
}

/// A lint rule.
#[derive(Clone)]
pub struct Rule {
    /// Stable code: `SEC003`.
    pub code: &'static str,
    /// Stable kebab-case name: `docker-socket-mount`.
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Whether it runs without `--select`.
    pub default_enabled: bool,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`.
    pub doc: &'static str,
    /// The usual fix, shown as the finding's help line.
    pub fix: &'static str,
    /// Pod Security codes that report the same problem: when one of them fires on an
    /// object, this rule's findings on that object are dropped (no double reports).
    pub overlaps: &'static [&'static str],
    /// Whether it needs the cluster inventory (`--cluster`); without one it finds nothing.
    pub needs_cluster: bool,
    pub check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("category", &self.category)
            .finish_non_exhaustive()
    }
}
