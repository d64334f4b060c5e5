//! A report written while its findings are still being found (a large input is checked a
//! batch of documents at a time): the format's opening first, then each batch's findings
//! in report order, then the end with the totals. The bytes are those the whole report's
//! writers ([`write_text`](super::write_text), [`write_json`](super::write_json),
//! [`write_sarif`](super::write_sarif)) give.
//!
//! JSON and SARIF write each finding as it comes. Text holds one file's findings until the
//! next file's come, since the line that names a file counts its findings first.

use super::json::JsonWriter;
use super::sarif::SarifWriter;
use super::text::TextWriter;
use super::Counts;
use crate::checker::Report;
use crate::finding::Finding;
use homeport_diag::{ColorChoice, Diagnostic, SourceMap};
use std::io::Write;

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text(ColorChoice),
    Json,
    Sarif,
}

enum Form {
    Text(TextWriter),
    Json(JsonWriter),
    Sarif(SarifWriter),
}

/// See the module documentation.
pub struct ReportWriter<'a> {
    sources: &'a SourceMap,
    /// The problems with the input, as the whole report's writers take them.
    diagnostics: &'a [Diagnostic],
    form: Form,
    counts: Counts,
}

impl<'a> ReportWriter<'a> {
    /// Write the opening.
    pub fn begin(
        out: &mut dyn Write,
        format: Format,
        sources: &'a SourceMap,
        diagnostics: &'a [Diagnostic],
    ) -> std::io::Result<Self> {
        let form = match format {
            Format::Text(color) => Form::Text(TextWriter::new(color)),
            Format::Json => Form::Json(JsonWriter::begin(out)?),
            Format::Sarif => Form::Sarif(SarifWriter::begin(out, diagnostics)?),
        };
        Ok(ReportWriter {
            sources,
            diagnostics,
            form,
            counts: Counts::default(),
        })
    }

    /// The next findings, in report order (after those written before).
    pub fn write(&mut self, out: &mut dyn Write, findings: Vec<Finding>) -> std::io::Result<()> {
        for f in &findings {
            self.counts.add(f);
        }
        match &mut self.form {
            Form::Text(text) => text.findings(out, findings, self.sources),
            Form::Json(json) => findings
                .iter()
                .try_for_each(|f| json.finding(out, f, self.sources)),
            Form::Sarif(sarif) => findings
                .iter()
                .try_for_each(|f| sarif.finding(out, f, self.sources)),
        }
    }

    /// The findings written so far, by severity.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Write the end. `report`: the run's totals (its findings are not read: they were
    /// written).
    pub fn finish(self, out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
        match self.form {
            Form::Text(text) => text.finish(out, report, self.counts, self.sources),
            Form::Json(json) => {
                json.finish(out, report, self.counts, self.sources, self.diagnostics)
            }
            Form::Sarif(sarif) => sarif.finish(out, report, self.sources, self.diagnostics),
        }
    }
}
