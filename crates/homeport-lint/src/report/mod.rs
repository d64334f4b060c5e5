//! Output formats: text for people, JSON and SARIF 2.1.0 for programs.

mod counts;
mod json;
mod sarif;
mod text;
mod writer;

pub use counts::Counts;
pub use json::{render_json, write_json};
pub use sarif::{render_sarif, write_sarif};
pub use text::{render_finding, render_text, write_text};
pub use writer::{Format, ReportWriter};

use homeport_diag::{SourceMap, Span};

/// `(file, line, column)` of a span's start; `("", 0, 0)` when the file is unknown.
pub(crate) fn location(sources: &SourceMap, span: Span) -> (String, usize, usize) {
    match sources.describe(span) {
        Some((file, loc)) => (file, loc.line, loc.column),
        None => (String::new(), 0, 0),
    }
}

/// `(line, column)` of a span's end.
pub(crate) fn end_location(sources: &SourceMap, span: Span) -> (usize, usize) {
    sources
        .get(span.file)
        .map(|f| {
            let l = f.location(span.end as usize);
            (l.line, l.column)
        })
        .unwrap_or((0, 0))
}
