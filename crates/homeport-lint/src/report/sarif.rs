//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), for code scanning
//! dashboards: every rule in `tool.driver.rules`, every finding a `result` with a physical
//! location (file, region) and a logical one (the Kubernetes object).

use super::json::write_indented;
use super::location;
use crate::checker::Report;
use crate::finding::Finding;
use crate::registry::all_rules;
use crate::rule::Rule;
use homeport_diag::{Diagnostic, Severity, SourceMap};
use serde_json::{json, Value};
use std::io::Write;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a relative URI reference: `/` separators, reserved bytes percent-encoded.
pub(crate) fn uri(name: &str) -> String {
    if name == "-" || name == "<stdin>" {
        return "stdin".to_string();
    }
    let mut out = String::with_capacity(name.len());
    for b in name.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The report as a SARIF 2.1.0 log. `diagnostics` (problems with the input) become tool
/// execution notifications.
pub fn render_sarif(report: &Report, sources: &SourceMap, diagnostics: &[Diagnostic]) -> Value {
    let rules = all_rules();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| sarif_result(f, sources, rules))
        .collect();
    let notifications = notifications(report, sources, diagnostics).collect();
    envelope(
        diagnostics,
        Value::Array(results),
        Value::Array(notifications),
    )
}

/// Stands in for the results in the envelope [`write_sarif`] prints around them.
const RESULTS_MARK: &str = "\u{1}homeport-sarif-results\u{1}";

/// Where the notifications go in the envelope, likewise.
const NOTIFICATIONS_MARK: &str = "\u{1}homeport-sarif-notifications\u{1}";

/// [`render_sarif`] pretty-printed (with a final newline) and written as it is produced: the
/// fixed envelope around the results, which are written one by one. The bytes are the same
/// as `serde_json::to_string_pretty` of the whole log.
pub fn write_sarif(
    w: &mut dyn Write,
    report: &Report,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let mut sarif = SarifWriter::begin(w, diagnostics)?;
    for f in &report.findings {
        sarif.finding(w, f, sources)?;
    }
    sarif.finish(w, report, sources, diagnostics)
}

/// The SARIF log written in steps: the envelope up to the results, each result in turn,
/// the envelope up to the notifications, each notification (the problems with the input:
/// a broken input can have millions) in turn, the rest of the envelope. Nothing in the
/// envelope depends on the findings.
pub(crate) struct SarifWriter {
    /// The envelope between the results and the notifications, and after these.
    middle: String,
    tail: String,
    /// The indentation of the `"results"` line; the elements sit one level deeper.
    outer: String,
    /// The same for `"toolExecutionNotifications"`.
    notifications_outer: String,
    any: bool,
}

/// The text of `text` before and after `mark` (as a JSON string), and the indentation of
/// the line `mark` stands on.
fn split_at_mark<'t>(text: &'t str, mark: &str) -> std::io::Result<(&'t str, &'t str, String)> {
    let mark = serde_json::to_string(mark).map_err(std::io::Error::other)?;
    let Some(at) = text.find(&mark) else {
        return Err(std::io::Error::other("SARIF envelope without its mark"));
    };
    let (head, tail) = (&text[..at], &text[at + mark.len()..]);
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let indent = head[line_start..head.len() - head[line_start..].trim_start().len()].to_string();
    Ok((head, tail, indent))
}

impl SarifWriter {
    /// `diagnostics`: the problems with the input (they decide `executionSuccessful`).
    pub(crate) fn begin(w: &mut dyn Write, diagnostics: &[Diagnostic]) -> std::io::Result<Self> {
        let shell = envelope(
            diagnostics,
            Value::from(RESULTS_MARK),
            Value::from(NOTIFICATIONS_MARK),
        );
        let text = serde_json::to_string_pretty(&shell).map_err(std::io::Error::other)?;
        let (head, rest, outer) = split_at_mark(&text, RESULTS_MARK)?;
        let (middle, tail, notifications_outer) = split_at_mark(rest, NOTIFICATIONS_MARK)?;
        w.write_all(head.as_bytes())?;
        w.write_all(b"[")?;
        Ok(SarifWriter {
            middle: middle.to_string(),
            tail: tail.to_string(),
            outer,
            notifications_outer,
            any: false,
        })
    }

    pub(crate) fn finding(
        &mut self,
        w: &mut dyn Write,
        f: &Finding,
        sources: &SourceMap,
    ) -> std::io::Result<()> {
        w.write_all(if self.any { b",\n" } else { b"\n" })?;
        self.any = true;
        let inner = format!("{}  ", self.outer);
        write_indented(w, &sarif_result(f, sources, all_rules()), &inner, true)
    }

    /// `report`: its diagnostics (problems with the run) are notifications, after
    /// `diagnostics` (those with the input).
    pub(crate) fn finish(
        self,
        w: &mut dyn Write,
        report: &Report,
        sources: &SourceMap,
        diagnostics: &[Diagnostic],
    ) -> std::io::Result<()> {
        close_array(w, self.any, &self.outer)?;
        w.write_all(self.middle.as_bytes())?;
        w.write_all(b"[")?;
        let inner = format!("{}  ", self.notifications_outer);
        let mut any = false;
        for n in notifications(report, sources, diagnostics) {
            w.write_all(if any { b",\n" } else { b"\n" })?;
            any = true;
            write_indented(w, &n, &inner, true)?;
        }
        close_array(w, any, &self.notifications_outer)?;
        w.write_all(self.tail.as_bytes())?;
        w.write_all(b"\n")
    }
}

/// The end of an array written element by element, as the pretty printer ends it.
fn close_array(w: &mut dyn Write, any: bool, outer: &str) -> std::io::Result<()> {
    if any {
        w.write_all(b"\n")?;
        w.write_all(outer.as_bytes())?;
    }
    w.write_all(b"]")
}

/// The problems with the input, then those with the run, as SARIF notifications.
fn notifications<'a>(
    report: &'a Report,
    sources: &'a SourceMap,
    diagnostics: &'a [Diagnostic],
) -> impl Iterator<Item = Value> + 'a {
    diagnostics
        .iter()
        .chain(report.diagnostics.iter())
        .map(move |d| {
            let mut n = json!({
                "level": level(d.severity),
                "message": {"text": d.message},
                "descriptor": {"id": d.code},
            });
            if let Some(span) = d.span {
                let (file, line, column) = location(sources, span);
                if line > 0 {
                    n["locations"] = json!([{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&file)},
                            "region": {"startLine": line, "startColumn": column},
                        }
                    }]);
                }
            }
            n
        })
}

/// The log around `results` and `notifications`.
fn envelope(diagnostics: &[Diagnostic], results: Value, notifications: Value) -> Value {
    let rules = all_rules();
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.doc.trim(), "markdown": r.doc.trim()},
                "helpUri": crate::docs::help_uri(r),
                "defaultConfiguration": {"level": level(r.severity), "enabled": r.default_enabled},
                "properties": {"category": r.category.as_str(), "tags": [r.category.as_str()]},
            })
        })
        .collect();
    let successful = !diagnostics.iter().any(Diagnostic::is_error);
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "homeport",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": driver_rules,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": successful,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
        }],
    })
}

/// One finding as a SARIF `result`.
fn sarif_result(f: &Finding, sources: &SourceMap, rules: &[Rule]) -> Value {
    let at = super::finding_place(sources, f);
    let (file, line, column) = (at.file, at.start.line, at.start.column);
    let (end_line, end_column) = (at.end.line, at.end.column);
    let index = rules.iter().position(|r| r.code == f.code).unwrap_or(0);
    let object = match &f.object.namespace {
        Some(ns) => format!("{}/{}/{}", f.object.kind, ns, f.object.name),
        None => format!("{}/{}", f.object.kind, f.object.name),
    };
    let mut region = json!({"startLine": line.max(1), "startColumn": column.max(1)});
    if end_line >= line && line > 0 {
        region["endLine"] = end_line.into();
        region["endColumn"] = (if end_line == line {
            end_column.max(column + 1)
        } else {
            end_column.max(1)
        })
        .into();
    }
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str(". Fix: ");
        message.push_str(help);
    }
    json!({
        "ruleId": f.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&file)},
                "region": region,
            },
            "logicalLocations": [{
                "name": f.object.name,
                "fullyQualifiedName": object,
                "kind": "resource",
            }],
        }],
        "properties": {"category": f.category.as_str(), "path": f.path.to_string()},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("k8s/my app.yaml"), "k8s/my%20app.yaml");
        assert_eq!(uri("-"), "stdin");
        assert_eq!(uri("a\\b.yaml"), "a/b.yaml");
    }
}
