//! Rule documentation as `homeport rule` prints it, and as the rules reference page
//! (`docs/lint-rules.md`, generated from the registry) that SARIF's `helpUri` points at.

use crate::registry::{all_rules, reported_severities};
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
        severities(rule),
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
            "{:<7} {:<width$}  {:<13} {:<13} {}",
            r.code,
            r.name,
            r.category.as_str(),
            severities(r),
            flags.join(", "),
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// `warning`, or `error/warning` for a rule that reports some findings at another severity
/// (its default first).
pub fn severities(rule: &Rule) -> String {
    reported_severities(rule)
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the rules reference is published: `docs/lint-rules.md` of the repository, served
/// under this URL. Each rule has the anchor of its lowercase code (`#pss012`), set
/// explicitly in the page, so links survive a rule's rename.
pub const RULES_DOC_URL: &str = "https://homeport.dev/docs/lint-rules";

/// A rule's documentation link: `https://homeport.dev/docs/lint-rules#pss012`.
pub fn help_uri(rule: &Rule) -> String {
    format!("{RULES_DOC_URL}#{}", rule.code.to_ascii_lowercase())
}

/// The whole rules reference as one Markdown page (`docs/lint-rules.md`): a table of
/// every rule, then each rule's documentation under an explicit anchor.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# homeport lint rules\n\n");
    out.push_str("<!-- Generated from the rule registry by `UPDATE_DOCS=1 cargo test -p homeport-lint --test docs_page`; do not edit. -->\n\n");
    out.push_str("| code | name | category | severity | default |\n|---|---|---|---|---|\n");
    for r in all_rules() {
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} | {} |",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.category,
            severities(r),
            if r.default_enabled { "yes" } else { "opt-in" }
        );
    }
    for r in all_rules() {
        let _ = writeln!(out);
        let _ = writeln!(out, "<a id=\"{}\"></a>", r.code.to_ascii_lowercase());
        let _ = writeln!(out);
        let _ = writeln!(out, "## {} {}", r.code, r.name);
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", r.summary);
        let _ = writeln!(out);
        let body = r.doc.trim().replace("\n## ", "\n### ");
        let body = body
            .strip_prefix("## ")
            .map_or(body.clone(), |b| format!("### {b}"));
        let _ = writeln!(out, "{body}");
    }
    out
}
