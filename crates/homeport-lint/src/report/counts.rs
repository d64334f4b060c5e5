//! How many findings of each severity a report holds.

use super::text::plural;
use crate::finding::Finding;
use homeport_diag::Severity;

/// Findings counted by severity, as they are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut counts = Counts::default();
        for f in findings {
            counts.add(f);
        }
        counts
    }

    pub fn add(&mut self, f: &Finding) {
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// `2 errors, 1 warning` (the severities present).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, one, many) in [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.infos, "info", "info"),
        ] {
            if k > 0 {
                parts.push(plural(k, one, many));
            }
        }
        parts.join(", ")
    }
}
