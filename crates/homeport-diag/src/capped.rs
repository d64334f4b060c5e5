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

/// Write `diags` for people, each followed by a blank line: at most `limit` in full, then one
/// line counting the others by severity (`... and 79949 more errors`). Errors are chosen
/// first, then warnings, then info, so a long list of warnings never hides the error that
/// made the command fail; the chosen ones keep their order.
pub fn write_human_capped<'a>(
    w: &mut dyn Write,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
    color: ColorChoice,
    limit: usize,
) -> std::io::Result<()> {
    let diags: Vec<&Diagnostic> = diags.into_iter().collect();
    let rank = |d: &Diagnostic| match d.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    let mut counts = [0usize; 3];
    for d in &diags {
        counts[rank(d)] += 1;
    }
    // How many of each severity fit, most severe first.
    let mut room = limit;
    let mut shown_of = [0usize; 3];
    for (r, n) in counts.iter().enumerate() {
        shown_of[r] = (*n).min(room);
        room -= shown_of[r];
    }
    let mut hidden = [0usize; 3];
    for d in diags {
        let r = rank(d);
        if shown_of[r] > 0 {
            shown_of[r] -= 1;
            writeln!(w, "{}", render_human(d, sources, color))?;
        } else {
            hidden[r] += 1;
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
    fn errors_are_never_hidden_behind_warnings() {
        let mut diags: Vec<Diagnostic> = (0..80)
            .map(|i| Diagnostic::warning("HP0109", format!("variable `V{i}` is not set")))
            .collect();
        diags.push(Diagnostic::error(
            "HP0410",
            "the error that failed the command",
        ));
        diags.push(Diagnostic::warning("HP0109", "variable `LAST` is not set"));
        let text = render(&diags, 50);
        assert!(text.contains("the error that failed the command"), "{text}");
        assert!(text.contains("variable `V48` is not set"), "{text}");
        assert!(!text.contains("variable `V49` is not set"), "{text}");
        assert!(
            text.contains("... and 32 more warnings (not shown)"),
            "{text}"
        );
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
