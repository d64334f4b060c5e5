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

use crate::finding::Finding;
use homeport_diag::{Location, SourceMap, Span};

/// `(file, line, column)` of a span's start; `("", 0, 0)` when the file is unknown.
pub(crate) fn location(sources: &SourceMap, span: Span) -> (String, usize, usize) {
    match sources.describe(span) {
        Some((file, loc)) => (file, loc.line, loc.column),
        None => (String::new(), 0, 0),
    }
}

/// Where a finding is: its file's name, its start and end, and its object's start. A
/// finding in a file read in parts carries them ([`Finding::place`]); the others are
/// looked up in `sources`.
pub fn finding_place(sources: &SourceMap, f: &Finding) -> FindingPlace {
    let name = sources
        .get(f.span.file)
        .map_or(String::new(), |file| file.name.clone());
    match &f.place {
        Some(p) => FindingPlace {
            file: name,
            start: p.start,
            end: p.end,
            object: p.object,
        },
        None => {
            let at = |offset: u32, file| {
                sources
                    .get(file)
                    .map_or(Location { line: 0, column: 0 }, |s| {
                        s.location(offset as usize)
                    })
            };
            FindingPlace {
                file: name,
                start: at(f.span.start, f.span.file),
                end: at(f.span.end, f.span.file),
                object: at(f.object.span.start, f.object.span.file),
            }
        }
    }
}

/// See [`finding_place`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingPlace {
    /// Empty when the file is unknown (and then the lines and columns are 0).
    pub file: String,
    pub start: Location,
    pub end: Location,
    pub object: Location,
}
