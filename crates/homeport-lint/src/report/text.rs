//! The human form: findings grouped by file, each with a source excerpt and a caret
//! (rendered by `homeport_diag::render_human`), then a summary line.

use crate::checker::Report;
use crate::finding::Finding;
use homeport_diag::{render_human, ColorChoice, Diagnostic, FileId, Severity, SourceMap};
use std::fmt::Write as _;
use std::io::Write;

/// One finding as a diagnostic: `severity[CODE]: message`, the excerpt, the object, help.
pub fn render_finding(f: &Finding, sources: &SourceMap, color: ColorChoice) -> String {
    let object = match &f.object.namespace {
        Some(ns) => format!("in {} {ns}/{}", f.object.kind, f.object.name),
        None => format!("in {} {}", f.object.kind, f.object.name),
    };
    let mut d = Diagnostic::new(f.severity, f.code, f.message.clone())
        .with_span(f.span)
        .with_label(f.name)
        .with_note(format!("{object} ({})", f.category));
    if let Some(help) = &f.help {
        d = d.with_help(help.clone());
    }
    render_human(&d, sources, color)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(findings: &[&Finding]) -> String {
    let n = |s| findings.iter().filter(|f| f.severity == s).count();
    let mut parts = Vec::new();
    for (s, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "info"),
    ] {
        let k = n(s);
        if k > 0 {
            parts.push(plural(k, one, many));
        }
    }
    parts.join(", ")
}

/// Every finding, grouped by file in input order, then a summary line.
pub fn render_text(report: &Report, sources: &SourceMap, color: ColorChoice) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_text(&mut out, report, sources, color);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render_text`] written finding by finding as it is produced.
pub fn write_text(
    out: &mut dyn Write,
    report: &Report,
    sources: &SourceMap,
    color: ColorChoice,
) -> std::io::Result<()> {
    let bold = |s: &str| {
        if color == ColorChoice::Always {
            format!("\x1b[1;4m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut current: Option<FileId> = None;
    let mut i = 0;
    while i < report.findings.len() {
        let file = report.findings[i].span.file;
        let group: Vec<&Finding> = report.findings[i..]
            .iter()
            .take_while(|f| f.span.file == file)
            .collect();
        if current != Some(file) {
            let name = sources.get(file).map_or("<unknown>", |f| f.name.as_str());
            writeln!(out, "{} ({})", bold(name), counts(&group))?;
            writeln!(out)?;
            current = Some(file);
        }
        for f in &group {
            out.write_all(render_finding(f, sources, color).as_bytes())?;
            out.write_all(b"\n")?;
        }
        i += group.len();
    }
    let all: Vec<&Finding> = report.findings.iter().collect();
    let mut summary = format!(
        "{} checked against Kubernetes {}: ",
        plural(report.objects, "object", "objects"),
        report.kubernetes_version
    );
    if all.is_empty() {
        summary.push_str("no findings");
    } else {
        summary.push_str(&counts(&all));
    }
    let mut extra = Vec::new();
    if report.suppressed > 0 {
        extra.push(format!("{} suppressed", report.suppressed));
    }
    if report.baselined > 0 {
        extra.push(format!("{} in the baseline", report.baselined));
    }
    if report.unchecked_custom_resources > 0 {
        extra.push(format!(
            "{} not schema-checked",
            plural(
                report.unchecked_custom_resources,
                "custom resource",
                "custom resources"
            )
        ));
    }
    if !extra.is_empty() {
        let _ = write!(summary, " ({})", extra.join(", "));
    }
    writeln!(out, "{summary}")
}
