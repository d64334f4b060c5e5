//! A long list of diagnostics for people: an input with 80,000 duplicate keys has 79,999
//! errors, and printing each with its excerpt buries the first ones (and takes a while).
//! The first [`MAX_SHOWN`] are printed in full, the rest are only counted. Programs that
//! need every diagnostic read the JSON forms, which keep them all.

use crate::diagnostic::{Diagnostic, Severity};
use crate::render::{render_human, ColorChoice};
use crate::source::SourceMap;
use std::io::Write;

/// How many diagnostics one list prints in full.
pub const MAX_SHOWN: usize = 50;

/// Write `diags` for people, each followed by a blank line: the first `limit` in full, then
/// one line counting the others by severity (`... and 79949 more errors`).
pub fn write_human_capped<'a>(
    w: &mut dyn Write,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
    color: ColorChoice,
    limit: usize,
) -> std::io::Result<()> {
    let mut hidden = [0usize; 3];
    for (i, d) in diags.into_iter().enumerate() {
        if i < limit {
            writeln!(w, "{}", render_human(d, sources, color))?;
        } else {
            hidden[match d.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            }] += 1;
        }
    }
    if let Some(line) = more_line(hidden) {
        writeln!(w, "{line}")?;
    }
    Ok(())
}

/// `... and 3 more errors, 1 more warning`, or `None` when nothing was left out.
fn more_line([errors, warnings, infos]: [usize; 3]) -> Option<String> {
    let mut parts = Vec::new();
    for (n, one, many) in [
        (errors, "error", "errors"),
        (warnings, "warning", "warnings"),
        (infos, "info", "info"),
    ] {
        if n > 0 {
            parts.push(format!("{n} more {}", if n == 1 { one } else { many }));
        }
    }
    (!parts.is_empty()).then(|| format!("... and {} (not shown)", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diags: &[Diagnostic], limit: usize) -> String {
        let mut out = Vec::new();
        write_human_capped(
            &mut out,
            diags,
            &SourceMap::new(),
            ColorChoice::Never,
            limit,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_first_are_shown_and_the_rest_counted() {
        let mut diags: Vec<Diagnostic> = (0..120)
            .map(|i| Diagnostic::error("HP0101", format!("duplicate key `k{i}`")))
            .collect();
        diags.push(Diagnostic::warning("HP0200", "a warning"));
        let text = render(&diags, 50);
        assert!(text.contains("duplicate key `k49`"), "{text}");
        assert!(!text.contains("duplicate key `k50`"), "{text}");
        assert_eq!(text.matches("error[HP0101]").count(), 50);
        assert!(
            text.ends_with("... and 70 more errors, 1 more warning (not shown)\n"),
            "{text}"
        );
    }

    #[test]
    fn a_short_list_is_printed_whole() {
        let diags = vec![Diagnostic::error("HP0101", "one")];
        let text = render(&diags, 50);
        assert_eq!(text.matches("error[HP0101]").count(), 1);
        assert!(!text.contains("more"), "{text}");
    }
}
