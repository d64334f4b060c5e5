//! Printing: stdout carries only the requested output, diagnostics go to stderr.

use crate::cli::ColorWhen;
use homeport_diag::{render_human, ColorChoice, Diagnostic, SourceMap};
use std::io::{IsTerminal, Write};

pub struct Output {
    color: ColorChoice,
}

impl Output {
    pub fn new(when: ColorWhen) -> Self {
        let color = match when {
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
            ColorWhen::Auto => {
                if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                    ColorChoice::Always
                } else {
                    ColorChoice::Never
                }
            }
        };
        Output { color }
    }

    /// Print diagnostics to stderr, separated by blank lines.
    pub fn diagnostics<'a>(
        &self,
        diags: impl IntoIterator<Item = &'a Diagnostic>,
        sources: &SourceMap,
    ) {
        let mut err = std::io::stderr().lock();
        for d in diags {
            let _ = writeln!(err, "{}", render_human(d, sources, self.color));
        }
    }

    /// Write the command's result to stdout. A closed pipe (`| head`) is not an error.
    pub fn stdout(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}
