//! Rule documentation as `homeport rule` prints it.

use crate::registry::all_rules;
use crate::rule::Rule;
use std::fmt::Write;

/// One rule's documentation: a header with code, name, category, severity, then the
/// markdown sections.
pub fn rule_doc(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}", rule.code, rule.name);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Category: {} | Severity: {} | Enabled by default: {}{}",
        rule.category,
        rule.severity.as_str(),
        if rule.default_enabled {
            "yes"
        } else {
            "no (enable with --select)"
        },
        if rule.needs_cluster {
            " | Needs: --cluster"
        } else {
            ""
        }
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", rule.summary);
    let _ = writeln!(out);
    out.push_str(rule.doc.trim());
    out.push('\n');
    out
}

/// Every rule's documentation, separated by a rule line.
pub fn all_docs() -> String {
    all_rules()
        .iter()
        .map(rule_doc)
        .collect::<Vec<_>>()
        .join("\n---\n\n")
}

/// One line per rule: code, name, category, severity, default.
pub fn rule_table() -> String {
    let rules = all_rules();
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        let mut flags = Vec::new();
        if !r.default_enabled {
            flags.push("opt-in");
        }
        if r.needs_cluster {
            flags.push("needs --cluster");
        }
        let line = format!(
            "{:<7} {:<width$}  {:<13} {:<8} {}",
            r.code,
            r.name,
            r.category.as_str(),
            r.severity.as_str(),
            flags.join(", "),
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
