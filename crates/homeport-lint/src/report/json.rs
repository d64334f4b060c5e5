//! The JSON form (contract: `{"findings": [...], "summary": {...}}`), serialized straight
//! from the findings (no intermediate `serde_json::Value`: a run may have tens of thousands).

use crate::checker::Report;
use homeport_diag::{Diagnostic, SourceMap, Span};
use serde::Serialize;

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    summary: Summary<'a>,
    diagnostics: Vec<serde_json::Value>,
}

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

fn place(sources: &SourceMap, span: Span) -> (&str, usize, usize, usize, usize) {
    match sources.get(span.file) {
        Some(f) => {
            let start = f.location(span.start as usize);
            let end = f.location(span.end as usize);
            (
                f.name.as_str(),
                start.line,
                start.column,
                end.line,
                end.column,
            )
        }
        None => ("", 0, 0, 0, 0),
    }
}

/// The report as pretty-printed JSON text (with a final newline). `diagnostics` are the
/// problems with the input itself (unparseable files), included so that a program sees why
/// a file yielded nothing.
pub fn render_json(report: &Report, sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let (file, line, column, end_line, end_column) = place(sources, f.span);
            let (_, obj_line, obj_column, _, _) = place(sources, f.object.span);
            JsonFinding {
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
            }
        })
        .collect();
    let out = JsonReport {
        findings,
        summary: Summary {
            objects: report.objects,
            errors: report.errors(),
            warnings: report.warnings(),
            infos: report.infos(),
            suppressed: report.suppressed,
            baselined: report.baselined,
            unchecked_custom_resources: report.unchecked_custom_resources,
            kubernetes_version: &report.kubernetes_version,
        },
        diagnostics: diagnostics
            .iter()
            .chain(report.diagnostics.iter())
            .map(|d| homeport_diag::render_json(d, sources))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
