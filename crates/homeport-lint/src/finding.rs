//! Findings: what a rule reported, and the same resolved to a place for output.

use crate::rule::{Category, Rule};
use homeport_diag::{Location, Severity, SourceFile, Span};
use homeport_manifest::FieldPath;
use std::borrow::Cow;
use std::sync::Arc;

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
///
/// Kept small: a large input yields millions of findings, all held until they are sorted.
/// The rule's usual fix is borrowed, not copied; the object is shared by all its findings;
/// the field path is kept as the text the reports print.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub help: Option<Cow<'static, str>>,
    /// The field (or the nearest existing parent of a missing field).
    pub span: Span,
    /// The field path as text (`spec.template.spec.containers[0].image`).
    pub path: Box<str>,
    pub object: Arc<ObjectRef>,
    /// Where it is, for a finding in a file that is not held ([`Place`]); `None` when the
    /// report's sources hold the file (the usual case).
    pub place: Option<Box<Place>>,
}

/// Where a finding is in a file read in parts (too large to hold): resolved while its
/// part was at hand, with the lines of its excerpt.
#[derive(Debug, Clone)]
pub struct Place {
    pub start: Location,
    pub end: Location,
    /// Where its object starts.
    pub object: Location,
    /// The lines of the finding's span (at most a few KiB), for the text report.
    pub excerpt: Arc<SourceFile>,
}

impl Finding {
    pub(crate) fn rule_fix(rule: &'static Rule) -> Option<Cow<'static, str>> {
        (!rule.fix.is_empty()).then_some(Cow::Borrowed(rule.fix))
    }
}
