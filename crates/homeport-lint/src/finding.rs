//! Findings: what a rule reported, and the same resolved to a place for output.

use crate::rule::{Category, Rule};
use homeport_diag::{Severity, Span};
use homeport_manifest::FieldPath;

/// A finding as a rule reports it: the object by index, the field by path.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub rule: &'static Rule,
    /// Usually the rule's severity; a rule may lower or raise it for one finding.
    pub severity: Severity,
    pub object: usize,
    pub path: FieldPath,
    pub message: String,
    /// Overrides the rule's `fix` line.
    pub help: Option<String>,
}

impl RawFinding {
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// Where the object starts.
    pub span: Span,
}

/// A finding ready for output.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The field (or the nearest existing parent of a missing field).
    pub span: Span,
    pub path: FieldPath,
    pub object: ObjectRef,
}

impl Finding {
    pub(crate) fn rule_fix(rule: &Rule) -> Option<String> {
        (!rule.fix.is_empty()).then(|| rule.fix.to_string())
    }
}
