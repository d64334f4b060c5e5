//! `.env` / `env_file` parsing with compose-go's dotenv rules: `KEY=VALUE`, `export KEY=VALUE`,
//! `KEY: VALUE`, `#` comments, single quotes (literal), double quotes (escapes and
//! interpolation, may span lines), unquoted values (trimmed, ` #` starts a comment,
//! interpolated), and `KEY` alone (taken from the lookup when set, else left out).

use crate::interpolate::{substitute, TemplateError};
use std::collections::HashMap;
use std::ops::Range;

/// One parsed assignment, with the byte range of its line.
#[derive(Debug, Clone, PartialEq)]
pub struct DotenvEntry {
    pub key: String,
    pub value: String,
    pub range: Range<usize>,
    /// Variables interpolated into the value.
    pub variables: Vec<String>,
}

/// A problem in a dotenv file, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct DotenvError {
    pub message: String,
    pub range: Range<usize>,
    pub required: Option<(String, String)>,
}

/// Parse `text`. `lookup` answers variables (process environment first, as compose-go does);
/// variables defined earlier in the same file are used when `lookup` does not know them.
/// Every well-formed line is returned even when other lines fail.
pub fn parse(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (Vec<DotenvEntry>, Vec<DotenvError>) {
    let mut entries: Vec<DotenvEntry> = Vec::new();
    // Where each key is in `entries`: lookups and overrides by hash, not by scanning (and
    // cloning) every earlier entry per line, which made a 40,000-line file take 27 s.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    // A process environment cannot hold a NUL byte (it ends the C string), so a value
    // holding one would be cut short silently: each is an error at its position.
    for (at, _) in text.match_indices('\0') {
        errors.push(DotenvError {
            message: "a NUL byte (\\0) cannot be part of an environment variable".to_string(),
            range: at..at + 1,
            required: None,
        });
    }
    let b = text.as_bytes();
    // A UTF-8 byte-order mark is not part of the first key.
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while i < b.len() {
        // Skip blank space and line breaks between statements.
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let line_start = i;
        if b[i] == b'#' {
            i = line_end(b, i);
            continue;
        }
        let mut key_start = i;
        if text[i..].starts_with("export ") || text[i..].starts_with("export\t") {
            key_start = i + 7;
            while key_start < b.len() && (b[key_start] == b' ' || b[key_start] == b'\t') {
                key_start += 1;
            }
        }
        let mut k = key_start;
        while k < b.len() && !matches!(b[k], b'=' | b':' | b'\n' | b'\r' | b' ' | b'\t' | b'#') {
            k += 1;
        }
        let key = &text[key_start..k];
        // Optional blanks between the key and `=`.
        let mut j = k;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        let end_of_line = line_end(b, line_start);
        if key.is_empty()
            || !key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'[' | b']'))
        {
            errors.push(DotenvError {
                // The line itself is not repeated: it may hold a secret (the excerpt under
                // the message masks it).
                message: "this line is not a `KEY=VALUE` line".to_string(),
                range: line_start..end_of_line,
                required: None,
            });
            i = end_of_line;
            continue;
        }
        let sep = b.get(j).copied();
        if !matches!(sep, Some(b'=') | Some(b':')) {
            // `KEY` alone: inherit from the environment, if it is set there.
            let rest = text[j..end_of_line].trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                errors.push(DotenvError {
                    message: format!("unexpected text after `{key}`; expected `=`"),
                    range: line_start..end_of_line,
                    required: None,
                });
            } else if let Some(v) = lookup(key) {
                set(
                    &mut entries,
                    &mut index,
                    key,
                    v,
                    line_start..end_of_line,
                    Vec::new(),
                );
            }
            i = end_of_line;
            continue;
        }
        let mut v = j + 1;
        while v < b.len() && (b[v] == b' ' || b[v] == b'\t') {
            v += 1;
        }
        let scoped = |name: &str| {
            lookup(name).or_else(|| index.get(name).map(|&at| entries[at].value.clone()))
        };
        let (raw, interpolate, next) = match b.get(v).copied() {
            Some(q @ (b'\'' | b'"')) => match closing_quote(b, v + 1, q) {
                Some(close) => {
                    let inner = &text[v + 1..close];
                    let value = if q == b'"' {
                        unescape_double(inner)
                    } else {
                        inner.to_string()
                    };
                    (value, q == b'"', line_end(b, close))
                }
                None => {
                    errors.push(DotenvError {
                        message: format!("the quoted value of `{key}` is never closed"),
                        range: line_start..b.len(),
                        required: None,
                    });
                    break;
                }
            },
            _ => {
                let line = &text[v..end_of_line];
                let value = strip_inline_comment(line).trim().to_string();
                (value, true, end_of_line)
            }
        };
        let range = line_start..next;
        if interpolate {
            match substitute(&raw, &scoped) {
                Ok(s) => set(&mut entries, &mut index, key, s.text, range, s.variables),
                Err(TemplateError::Required {
                    variable, message, ..
                }) => errors.push(DotenvError {
                    message: format!("required variable {variable} is missing a value: {message}"),
                    range,
                    required: Some((variable, message)),
                }),
                Err(TemplateError::Invalid { reason, .. }) => errors.push(DotenvError {
                    message: format!("invalid interpolation in `{key}`: {reason}"),
                    range,
                    required: None,
                }),
            }
        } else {
            set(&mut entries, &mut index, key, raw, range, Vec::new());
        }
        i = next;
    }
    (entries, errors)
}

fn set(
    entries: &mut Vec<DotenvEntry>,
    index: &mut HashMap<String, usize>,
    key: &str,
    value: String,
    range: Range<usize>,
    variables: Vec<String>,
) {
    let entry = DotenvEntry {
        key: key.to_string(),
        value,
        range,
        variables,
    };
    match index.get(key) {
        Some(&at) => entries[at] = entry,
        None => {
            index.insert(key.to_string(), entries.len());
            entries.push(entry);
        }
    }
}

fn line_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

fn closing_quote(b: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\\' && q == b'"' {
            i += 2;
            continue;
        }
        if b[i] == q {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Escapes in double-quoted values; `\$` stays a literal `$` (written `$$` for interpolation).
fn unescape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('$') => out.push_str("$$"),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// An unquoted value ends at a `#` that follows a blank.
fn strip_inline_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return &line[..i];
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        (name == "HOME").then(|| "/home/me".to_string())
    }

    fn values(text: &str) -> Vec<(String, String)> {
        let (entries, errors) = parse(text, &lookup);
        assert!(errors.is_empty(), "{errors:?}");
        entries.into_iter().map(|e| (e.key, e.value)).collect()
    }

    #[test]
    fn forms() {
        let text = "# comment\nA=1\nexport B = two words # c\nC='lit $A'\nD=\"x\\ny $A\"\nE: e\nF=${A}-${HOME}\nHOME\nMISSING\nG=a#b\nH=\nI=\"multi\nline\"\n";
        assert_eq!(
            values(text),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "lit $A".into()),
                ("D".into(), "x\ny 1".into()),
                ("E".into(), "e".into()),
                ("F".into(), "1-/home/me".into()),
                ("HOME".into(), "/home/me".into()),
                ("G".into(), "a#b".into()),
                ("H".into(), "".into()),
                ("I".into(), "multi\nline".into()),
            ]
        );
    }

    #[test]
    fn a_nul_byte_is_an_error_at_its_position() {
        let (_, errors) = parse("A=1\nB=x\0C=secret\n", &lookup);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].range, 7..8);
        assert!(errors[0].message.contains("NUL"));
    }

    #[test]
    fn later_lines_override_and_errors_are_collected() {
        let (entries, errors) = parse("A=1\nnot valid line\nA=2\nB=${X:?set X}\n", &lookup);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].value, "2");
        assert_eq!(errors.len(), 2);
        assert!(errors[1].message.contains("set X"));
    }

    #[test]
    fn forty_thousand_lines_are_linear_and_a_bom_is_skipped() {
        let mut text = String::from("\u{feff}FIRST=1\n");
        for i in 0..40_000 {
            text.push_str(&format!("KEY_{i}=value ${{FIRST}}-{i}\n"));
        }
        text.push_str("KEY_7=again\n");
        let (entries, errors) = parse(&text, &lookup);
        assert!(errors.is_empty(), "{:?}", errors.first());
        assert_eq!(entries.len(), 40_001);
        assert_eq!(entries[0].key, "FIRST");
        assert_eq!(entries[8].value, "again");
        assert_eq!(entries[40_000].value, "value 1-39999");
    }

    #[test]
    fn unclosed_quote_is_an_error() {
        let (_, errors) = parse("A=\"abc\n", &lookup);
        assert_eq!(errors.len(), 1);
    }
}
