//! Diagnostics for homeport: source files, spans, and the `Diagnostic` type that every stage
//! reports user-facing problems with, plus the renderers (human with excerpt and caret, JSON).
//!
//! The human form follows rustc/just: `error[CODE]: message`, `--> file:line:col`, the source
//! line with a caret under the offending token, and a `= help:` line.

mod capped;
mod diagnostic;
mod excerpt;
pub mod input;
mod render;
mod source;

pub use capped::{write_human_capped, MAX_SHOWN};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use render::{render_human, render_json, ColorChoice};
pub use source::{FileId, Location, Origin, SourceFile, SourceMap, Span};
