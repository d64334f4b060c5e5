//! The JSON form (contract: `{"findings": [...], "summary": {...}}`), serialized straight
//! from the findings (no intermediate `serde_json::Value`: a run may have tens of thousands).

use super::Counts;
use crate::checker::Report;
use crate::finding::Finding;
use homeport_diag::{Diagnostic, SourceMap};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    category: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    path: String,
    object: JsonObject<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonObject<'a> {
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Summary<'a> {
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
    #[serde(skip_serializing_if = "is_zero")]
    baselined: usize,
    unchecked_custom_resources: usize,
    kubernetes_version: &'a str,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The report as pretty-printed JSON text (with a final newline). `diagnostics` are the
/// problems with the input itself (unparseable files), included so that a program sees why
/// a file yielded nothing.
pub fn render_json(report: &Report, sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_json(&mut out, report, sources, diagnostics);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render_json`] written as it is produced: the findings array element by element, so a
/// run with millions of findings never holds its whole report as one string. The bytes are
/// the same as `serde_json::to_string_pretty` of the whole report.
pub fn write_json(
    w: &mut dyn Write,
    report: &Report,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let mut json = JsonWriter::begin(w)?;
    for f in &report.findings {
        json.finding(w, f, sources)?;
    }
    json.finish(
        w,
        report,
        Counts::of(&report.findings),
        sources,
        diagnostics,
    )
}

/// The JSON report written in three steps: the opening, each finding in turn, the end
/// (`summary` and `diagnostics`, whose counts are known last).
pub(crate) struct JsonWriter {
    any: bool,
}

impl JsonWriter {
    pub(crate) fn begin(w: &mut dyn Write) -> std::io::Result<Self> {
        w.write_all(b"{\n  \"findings\": [")?;
        Ok(JsonWriter { any: false })
    }

    pub(crate) fn finding(
        &mut self,
        w: &mut dyn Write,
        f: &Finding,
        sources: &SourceMap,
    ) -> std::io::Result<()> {
        w.write_all(if self.any { b",\n" } else { b"\n" })?;
        self.any = true;
        let at = super::finding_place(sources, f);
        let (file, line, column) = (at.file.as_str(), at.start.line, at.start.column);
        let (end_line, end_column) = (at.end.line, at.end.column);
        let (obj_line, obj_column) = (at.object.line, at.object.column);
        let finding = JsonFinding {
            code: f.code,
            name: f.name,
            category: f.category.as_str(),
            severity: f.severity.as_str(),
            message: &f.message,
            file,
            line,
            column,
            end_line,
            end_column,
            path: f.path.to_string(),
            object: JsonObject {
                kind: &f.object.kind,
                namespace: f.object.namespace.as_deref(),
                name: &f.object.name,
                line: obj_line,
                column: obj_column,
            },
            help: f.help.as_deref(),
        };
        write_indented(w, &finding, "    ", true)
    }

    /// `report`: everything but its findings, which were written; `counts`: theirs.
    pub(crate) fn finish(
        self,
        w: &mut dyn Write,
        report: &Report,
        counts: Counts,
        sources: &SourceMap,
        diagnostics: &[Diagnostic],
    ) -> std::io::Result<()> {
        w.write_all(if self.any { b"\n  ],\n" } else { b"],\n" })?;
        let summary = Summary {
            objects: report.objects,
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            suppressed: report.suppressed,
            baselined: report.baselined,
            unchecked_custom_resources: report.unchecked_custom_resources,
            kubernetes_version: &report.kubernetes_version,
        };
        w.write_all(b"  \"summary\": ")?;
        write_indented(w, &summary, "  ", false)?;
        // One diagnostic at a time, as the findings: a broken input can have millions.
        w.write_all(b",\n  \"diagnostics\": [")?;
        let mut any = false;
        for d in diagnostics.iter().chain(report.diagnostics.iter()) {
            w.write_all(if any { b",\n" } else { b"\n" })?;
            any = true;
            write_indented(w, &homeport_diag::render_json(d, sources), "    ", true)?;
        }
        w.write_all(if any { b"\n  ]\n}\n" } else { b"]\n}\n" })
    }
}

/// `value` pretty-printed with every line but the first (unless `first`) indented by
/// `indent`: JSON strings hold no raw newline, so lines are safe to indent.
pub(crate) fn write_indented<T: Serialize + ?Sized>(
    w: &mut dyn Write,
    value: &T,
    indent: &str,
    first: bool,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
        }
        if i > 0 || first {
            w.write_all(indent.as_bytes())?;
        }
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}
