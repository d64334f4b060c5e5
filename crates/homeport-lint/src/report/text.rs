//! The human form: findings grouped by file, each with a source excerpt and a caret
//! (rendered by `homeport_diag::render_human`), then a summary line.

use super::Counts;
use crate::checker::Report;
use crate::finding::Finding;
use homeport_diag::{render_human, ColorChoice, Diagnostic, FileId, SourceMap};
use std::fmt::Write as _;
use std::io::{Seek, Write};
use std::sync::Arc;

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
    match &f.place {
        // A file read in parts: the excerpt came with the finding.
        Some(place) => {
            let mut excerpt = SourceMap::new();
            let id = excerpt.add_shared(Arc::clone(&place.excerpt));
            if let Some(span) = &mut d.span {
                span.file = id;
            }
            render_human(&d, &excerpt, color)
        }
        None => render_human(&d, sources, color),
    }
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

/// Writes the text report as findings come: a file's header line counts its findings, so
/// each finding is rendered at once into a spool (memory up to [`SPOOL_IN_MEMORY`], then an
/// unnamed temporary file) and the file's block is written, header first, when the next file
/// starts or the report ends. Memory holds no finding past its batch.
pub(crate) struct TextWriter {
    color: ColorChoice,
    /// The file being written, its findings' counts and their rendered text.
    file: Option<FileId>,
    counts: Counts,
    spool: Spool,
}

/// Rendered findings held in memory up to this size; past it they go to a temporary file.
const SPOOL_IN_MEMORY: usize = 4 * 1024 * 1024;

#[derive(Default)]
struct Spool {
    memory: Vec<u8>,
    file: Option<std::fs::File>,
}

impl Spool {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() && self.memory.len() + bytes.len() > SPOOL_IN_MEMORY {
            let mut file = tempfile::tempfile()?;
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => {
                self.memory.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    /// Write what it holds to `out` and empty it.
    fn drain_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&self.memory)?;
        self.memory.clear();
        if let Some(mut file) = self.file.take() {
            file.rewind()?;
            std::io::copy(&mut file, out)?;
        }
        Ok(())
    }
}

impl TextWriter {
    pub(crate) fn new(color: ColorChoice) -> Self {
        TextWriter {
            color,
            file: None,
            counts: Counts::default(),
            spool: Spool::default(),
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
            if self.file.is_some_and(|file| file != f.span.file) {
                self.flush(out, sources)?;
            }
            self.file = Some(f.span.file);
            self.counts.add(&f);
            self.spool
                .write(render_finding(&f, sources, self.color).as_bytes())?;
            self.spool.write(b"\n")?;
        }
        Ok(())
    }

    /// Write the file's block: its header, then its findings.
    fn flush(&mut self, out: &mut dyn Write, sources: &SourceMap) -> std::io::Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        write_header(out, sources, file, &self.counts, self.color)?;
        self.counts = Counts::default();
        self.spool.drain_to(out)
    }

    /// `report`: everything but its findings, which were written; `counts`: theirs.
    pub(crate) fn finish(
        mut self,
        out: &mut dyn Write,
        report: &Report,
        counts: Counts,
        sources: &SourceMap,
    ) -> std::io::Result<()> {
        self.flush(out, sources)?;
        write_summary(out, report, counts)
    }
}

/// The line naming a file and counting its findings, and a blank line.
fn write_header(
    out: &mut dyn Write,
    sources: &SourceMap,
    file: FileId,
    counts: &Counts,
    color: ColorChoice,
) -> std::io::Result<()> {
    let bold = |s: &str| {
        if color == ColorChoice::Always {
            format!("\x1b[1;4m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let name = sources.get(file).map_or("<unknown>", |f| f.name.as_str());
    writeln!(out, "{} ({})", bold(name), counts.describe())?;
    writeln!(out)
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
    let counts = Counts::of(group.iter().copied());
    write_header(out, sources, first.span.file, &counts, color)?;
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
