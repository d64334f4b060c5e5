//! A small, deterministic block-style YAML writer for JSON values.
//!
//! Key order is the map's order (serde_json with `preserve_order`), so callers decide it.
//! Strings are written plain only when every YAML 1.1 and 1.2 reader would read them back as
//! the same string; otherwise double-quoted, or as a literal block when they span lines.

use serde_json::Value;
use std::fmt::Write;

/// One YAML document (no leading `---`).
pub fn emit(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        scalar => {
            write_scalar(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

/// A multi-document stream: each document starts with `---`.
pub fn emit_documents<'a>(docs: impl IntoIterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        out.push_str(&emit(doc));
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (i, (k, v)) in map.iter().enumerate() {
        // The first key of a map inside a sequence item follows the "- " on the same line.
        if i > 0 || level == 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        write_string(out, k, level, true);
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, level + 2);
        }
        _ => {
            out.push(' ');
            write_scalar(out, v, level + 2);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_map(out, m, level + 2),
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write_seq(out, a, level + 2);
            }
            _ => {
                write_scalar(out, item, level + 2);
                out.push('\n');
            }
        }
    }
}

fn write_scalar(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s, level, false),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
    debug_assert!(!is_collection(v));
}

fn write_string(out: &mut String, s: &str, level: usize, is_key: bool) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if !is_key && is_block_safe(s) {
        write_literal_block(out, s, level);
    } else {
        write_double_quoted(out, s);
    }
}

fn write_literal_block(out: &mut String, s: &str, level: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push('|');
    out.push_str(chomp);
    let body = if trailing == 1 {
        &s[..s.len() - 1]
    } else {
        s.trim_end_matches('\n')
    };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
    }
    // Keep-chomping needs the extra line breaks written out.
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || c == '\u{7f}'
                || c == '\u{feff}'
                || ('\u{80}'..='\u{9f}').contains(&c) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A literal block keeps text exactly when it has line breaks, no carriage returns or other
/// control characters, and does not start with a space (which would need an indent indicator).
fn is_block_safe(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}')
        && !s.split('\n').any(|l| l.ends_with([' ', '\t']))
}

/// Words YAML 1.1 or 1.2 readers resolve to something other than a string.
const RESERVED: &[&str] = &[
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf",
    ".nan", "<<", "=",
];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    // A leading indicator needs quotes, except a `-` that starts a longer word (`-flag`).
    let dash_word = first == '-' && s.len() > 1 && !looks_numeric(s) && !s[1..].starts_with(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !dash_word {
        return false;
    }
    if first.is_whitespace() || s.ends_with(char::is_whitespace) || s.ends_with(':') {
        return false;
    }
    if looks_numeric(s) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains(":\t") {
        return false;
    }
    !s.chars()
        .any(|c| c.is_control() || c == '\u{feff}' || ('\u{80}'..='\u{9f}').contains(&c))
}

/// Anything a YAML 1.1 reader might take for a number (ints, floats, octal, hex, base 60, dates).
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['-', '+']);
    let t = t.strip_prefix('.').unwrap_or(t);
    t.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_one;
    use homeport_diag::FileId;
    use serde_json::json;

    fn round_trip(v: &Value) {
        let text = emit(v);
        let back = parse_one(&text, FileId(0))
            .unwrap()
            .map(|n| n.to_json())
            .unwrap_or(Value::Null);
        assert_eq!(&back, v, "round trip of\n{text}");
    }

    #[test]
    fn block_style_output() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}},
            "data": {"PORT": "8080", "EMPTY": "", "LIST": [1, {"a": "b", "c": [true]}], "E": {}, "F": []}
        });
        assert_eq!(
            emit(&v),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web\ndata:\n  PORT: \"8080\"\n  EMPTY: \"\"\n  LIST:\n    - 1\n    - a: b\n      c:\n        - true\n  E: {}\n  F: []\n"
        );
        round_trip(&v);
    }

    #[test]
    fn tricky_strings_round_trip() {
        for s in [
            "yes",
            "No",
            "on",
            "null",
            "~",
            "0755",
            "1e3",
            "1:20",
            "-1",
            ".5",
            "- a",
            "a: b",
            "a #b",
            "#x",
            "*a",
            "&a",
            "!t",
            "|",
            ">",
            "'q'",
            "\"q\"",
            "@x",
            "`x",
            "%x",
            " lead",
            "trail ",
            "a:",
            "line1\nline2",
            "line1\nline2\n",
            "x\n\n",
            "\ttab",
            "cr\r\n",
            "bell\u{7}",
            "ünïcode",
            "{x}",
            "[x]",
            "a,b",
            "<<",
            "-",
            "--",
            "---",
            "=",
            "key=value",
            "http://x:80/a",
            "sh -c 'echo $X'",
        ] {
            round_trip(&json!({ s: s }));
            round_trip(&json!([s]));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips(s in "\\PC{0,40}", t in "[ -~\\n\\t]{0,40}") {
            round_trip(&json!({ "k": s, "l": [t.clone()], t.clone(): 1 }));
        }
    }
}
