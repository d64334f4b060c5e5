//! The human form: findings grouped by file, each with a source excerpt and a caret
//! (rendered by `homeport_diag::render_human`), then a summary line.

use super::Counts;
use crate::checker::Report;
use crate::finding::Finding;
use homeport_diag::{render_human, ColorChoice, Diagnostic, SourceMap};
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

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
    let mut i = 0;
    while i < report.findings.len() {
        let file = report.findings[i].span.file;
        let group: Vec<&Finding> = report.findings[i..]
            .iter()
            .take_while(|f| f.span.file == file)
            .collect();
        write_file(out, &group, sources, color)?;
        i += group.len();
    }
    write_summary(out, report, Counts::of(&report.findings))
}

/// The text report written file by file: a file's findings are held until the next file's
/// come (its header line counts them), then written.
pub(crate) struct TextWriter {
    color: ColorChoice,
    /// The findings of the file being written, not written yet.
    pending: Vec<Finding>,
}

impl TextWriter {
    pub(crate) fn new(color: ColorChoice) -> Self {
        TextWriter {
            color,
            pending: Vec::new(),
        }
    }

    /// Findings in report order.
    pub(crate) fn findings(
        &mut self,
        out: &mut dyn Write,
        findings: Vec<Finding>,
        sources: &SourceMap,
    ) -> std::io::Result<()> {
        for f in findings {
            if self
                .pending
                .first()
                .is_some_and(|p| p.span.file != f.span.file)
            {
                self.flush(out, sources)?;
            }
            self.pending.push(f);
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut dyn Write, sources: &SourceMap) -> std::io::Result<()> {
        let group: Vec<&Finding> = self.pending.iter().collect();
        write_file(out, &group, sources, self.color)?;
        self.pending.clear();
        Ok(())
    }

    /// `report`: everything but its findings, which were written; `counts`: theirs.
    pub(crate) fn finish(
        mut self,
        out: &mut dyn Write,
        report: &Report,
        counts: Counts,
        sources: &SourceMap,
    ) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.flush(out, sources)?;
        }
        write_summary(out, report, counts)
    }
}

/// One file's findings (all of them, in order) under a line naming the file and counting
/// them.
fn write_file(
    out: &mut dyn Write,
    group: &[&Finding],
    sources: &SourceMap,
    color: ColorChoice,
) -> std::io::Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    let bold = |s: &str| {
        if color == ColorChoice::Always {
            format!("\x1b[1;4m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let name = sources
        .get(first.span.file)
        .map_or("<unknown>", |f| f.name.as_str());
    let counts = Counts::of(group.iter().copied());
    writeln!(out, "{} ({})", bold(name), counts.describe())?;
    writeln!(out)?;
    for f in group {
        out.write_all(render_finding(f, sources, color).as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The last line: objects, version, counts.
fn write_summary(out: &mut dyn Write, report: &Report, counts: Counts) -> std::io::Result<()> {
    let mut summary = format!(
        "{} checked against Kubernetes {}: ",
        plural(report.objects, "object", "objects"),
        report.kubernetes_version
    );
    if counts.total() == 0 {
        summary.push_str("no findings");
    } else {
        summary.push_str(&counts.describe());
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
