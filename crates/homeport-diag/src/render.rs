//! Renderers: the human form (excerpt with caret) and a JSON value.

use crate::{Diagnostic, Severity, SourceMap};
use std::fmt::Write;

/// Whether the human renderer emits ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    Always,
    #[default]
    Never,
}

struct Palette {
    on: bool,
}

impl Palette {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, s: Severity, text: &str) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, text)
    }
    fn gutter(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
}

/// Render one diagnostic the way a person reads it:
///
/// ```text
/// error[HP0102]: unknown key `imagee` in service `web`
///  --> compose.yaml:3:5
///   |
/// 3 |     imagee: nginx
///   |     ^^^^^^ not a Compose key
///   |
///   = help: did you mean `image`?
/// ```
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: ColorChoice) -> String {
    let p = Palette {
        on: color == ColorChoice::Always,
    };
    let mut out = String::new();
    let head = format!("{}[{}]", d.severity.as_str(), d.code);
    let _ = writeln!(
        out,
        "{}: {}",
        p.severity(d.severity, &head),
        p.paint("1", &printable(&d.message))
    );

    let located = d
        .span
        .and_then(|span| sources.get(span.file).map(|f| (span, f)));
    let Some((span, file)) = located else {
        for note in &d.notes {
            let _ = writeln!(out, "  = note: {}", printable(note));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {}", printable(help));
        }
        return out;
    };

    let loc = file.location(span.start as usize);
    let width = loc.line.to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.gutter("-->"),
        file.name,
        loc.line,
        loc.column
    );
    let _ = writeln!(out, "{pad} {}", p.gutter("|"));
    let line = file.line_text(loc.line);
    // Caret under the span, cut at the end of the first line; at least one character wide.
    let end = file.location(span.end as usize);
    let line_chars = line.chars().count();
    let caret_len = if end.line == loc.line {
        end.column.saturating_sub(loc.column)
    } else {
        line_chars.saturating_sub(loc.column - 1)
    }
    .max(1);
    let shown = crate::excerpt::Excerpt::new(line, loc.column - 1, caret_len);
    let _ = writeln!(
        out,
        "{} {} {}",
        p.gutter(&loc.line.to_string()),
        p.gutter("|"),
        shown.text
    );
    let carets = p.severity(d.severity, &"^".repeat(shown.caret_len));
    let label = d
        .label
        .as_deref()
        .map(|l| format!(" {}", p.severity(d.severity, &printable(l))))
        .unwrap_or_default();
    let _ = writeln!(out, "{pad} {} {}{carets}{label}", p.gutter("|"), shown.lead);
    if !d.notes.is_empty() || d.help.is_some() {
        let _ = writeln!(out, "{pad} {}", p.gutter("|"));
    }
    for note in &d.notes {
        let _ = writeln!(out, "{pad} {} note: {}", p.gutter("="), printable(note));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} {} help: {}", p.gutter("="), printable(help));
    }
    out
}

/// Text with control characters shown as visible symbols (no raw ESC reaches a terminal).
fn printable(text: &str) -> String {
    if !text.chars().any(crate::excerpt::is_unsafe) {
        return text.to_string();
    }
    text.chars().map(crate::excerpt::visible).collect()
}

/// A diagnostic as JSON: `{severity, code, message, file, line, column, help, notes}`.
pub fn render_json(d: &Diagnostic, sources: &SourceMap) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("severity".into(), d.severity.as_str().into());
    v.insert("code".into(), d.code.clone().into());
    v.insert("message".into(), d.message.clone().into());
    if let Some((file, loc)) = d.span.and_then(|s| sources.describe(s)) {
        v.insert("file".into(), file.into());
        v.insert("line".into(), loc.line.into());
        v.insert("column".into(), loc.column.into());
    }
    if let Some(help) = &d.help {
        v.insert("help".into(), help.clone().into());
    }
    if !d.notes.is_empty() {
        v.insert("notes".into(), d.notes.clone().into());
    }
    serde_json::Value::Object(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    #[test]
    fn human_rendering_has_location_excerpt_caret_and_help() {
        let mut sources = SourceMap::new();
        let text = "services:\n  web:\n    imagee: nginx\n";
        let id = sources.add("compose.yaml", text);
        let start = text.find("imagee").unwrap();
        let d = Diagnostic::error("HP0102", "unknown key `imagee` in service `web`")
            .with_span(Span::new(id, start, start + 6))
            .with_label("not a Compose key")
            .with_help("did you mean `image`?");
        insta::assert_snapshot!(render_human(&d, &sources, ColorChoice::Never), @r"
        error[HP0102]: unknown key `imagee` in service `web`
         --> compose.yaml:3:5
          |
        3 |     imagee: nginx
          |     ^^^^^^ not a Compose key
          |
          = help: did you mean `image`?
        ");
        let json = render_json(&d, &sources);
        assert_eq!(json["line"], 3);
        assert_eq!(json["column"], 5);
    }

    #[test]
    fn diagnostic_without_span_renders_message_and_help() {
        let d = Diagnostic::warning("HP0001", "no compose file found").with_help("pass -f FILE");
        assert_eq!(
            render_human(&d, &SourceMap::new(), ColorChoice::Never),
            "warning[HP0001]: no compose file found\n  = help: pass -f FILE\n"
        );
    }
}
