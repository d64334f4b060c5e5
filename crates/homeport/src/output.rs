//! Printing: stdout carries only the requested output, diagnostics go to stderr.

use crate::cli::ColorWhen;
use homeport_diag::{ColorChoice, Diagnostic, SourceMap};
use std::cell::Cell;
use std::io::{IsTerminal, Write};

pub struct Output {
    color: ColorChoice,
    /// Set when writing the result to stdout failed (other than a closed pipe); the run then
    /// exits 2, whatever the command returned.
    stdout_failed: Cell<bool>,
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
        Output {
            color,
            stdout_failed: Cell::new(false),
        }
    }

    /// Whether the result could not be written in full (`> /dev/full`, a full disk).
    pub fn stdout_failed(&self) -> bool {
        self.stdout_failed.get()
    }

    /// Print diagnostics to stderr, separated by blank lines; a long list is cut after
    /// [`homeport_diag::MAX_SHOWN`] with a line counting the rest.
    pub fn diagnostics<'a>(
        &self,
        diags: impl IntoIterator<Item = &'a Diagnostic>,
        sources: &SourceMap,
    ) {
        // The first `MAX_SHOWN` in full, the rest counted (an input with 80,000 duplicate
        // keys); `--format json` outputs keep them all.
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        let _ = homeport_diag::write_human_capped(
            &mut err,
            diags,
            sources,
            self.color,
            homeport_diag::MAX_SHOWN,
        );
        let _ = err.flush();
    }

    /// Write the command's result to stdout. A closed pipe (`| head`) is not an error: the
    /// reader wanted no more. Any other write or flush error (a full disk, `/dev/full`) would
    /// leave a cut output behind a success, so it is reported and the run exits 2.
    pub fn stdout(&self, text: &str) {
        self.stdout_with(|out| out.write_all(text.as_bytes()));
    }

    /// Like [`Output::stdout`], for output written as it is produced (a large lint report):
    /// `write` gets a buffered stdout; its errors are handled as those of `stdout`.
    pub fn stdout_with(&self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let result = write(&mut out).and_then(|()| out.flush());
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                self.stdout_failed.set(true);
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "error: cannot write the output to stdout: {e}"
                );
            }
        }
    }
}
