//! The description of one Pod Security Standards control.

use crate::{Level, Version};

/// One control of the Pod Security Standards, as a lint rule sees it.
#[derive(Debug)]
pub struct Control {
    /// Stable code, `PSS001` ..; never reused or renumbered.
    pub code: &'static str,
    /// Stable kebab-case name saying what is wrong, e.g. `privilege-escalation-allowed`.
    pub name: &'static str,
    /// The lowest level that enforces the control (restricted includes baseline).
    pub level: Level,
    /// The check ID in upstream `k8s.io/pod-security-admission/policy`.
    pub upstream_id: &'static str,
    /// The first policy version the control applies to.
    pub since: Version,
    /// One line: what the control requires.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`, `## Versions`.
    pub doc: &'static str,
}

impl Control {
    /// Whether the control is part of `level` at policy `version` (before overrides).
    pub fn applies(&self, level: Level, version: Version) -> bool {
        level != Level::Privileged && self.level <= level && self.since <= version.effective()
    }
}
