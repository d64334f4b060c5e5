//! The source line under a diagnostic, made safe to print: values of secret-looking keys are
//! masked (`DB_PASSWORD: ****`), control characters are shown as symbols (a raw ESC would
//! drive the terminal), and a very long line is cut to a window around the error.

use homeport_secrets::looks_secret;

/// Longest excerpt shown, in characters; longer lines are cut around the caret.
const WINDOW: usize = 120;
/// Characters kept before the caret when a line is cut.
const BEFORE: usize = 40;
const MASK: &str = "****";

/// A printable excerpt and where its caret goes.
pub(crate) struct Excerpt {
    pub text: String,
    /// Blanks (and tabs, to line up under tab-indented text) before the caret.
    pub lead: String,
    pub caret_len: usize,
}

/// Whether a character must not be printed as is.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// A control character as a visible symbol: U+2400.. for C0, ␡ for DEL, � for C1.
pub(crate) fn visible(c: char) -> char {
    if !is_unsafe(c) {
        return c;
    }
    match c as u32 {
        n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

impl Excerpt {
    /// `line` with the caret at character `column` (0-based), `caret_len` characters wide.
    pub(crate) fn new(line: &str, column: usize, caret_len: usize) -> Excerpt {
        let chars: Vec<char> = line.chars().collect();
        let masked = secret_values(&chars);
        // What each source character prints as (a masked value prints once, as `****`).
        let mut pieces: Vec<String> = Vec::with_capacity(chars.len());
        for (i, &c) in chars.iter().enumerate() {
            match masked.iter().find(|r| r.contains(&i)) {
                Some(r) if r.start == i => pieces.push(MASK.to_string()),
                Some(_) => pieces.push(String::new()),
                None => pieces.push(visible(c).to_string()),
            }
        }
        // Display position of each source character.
        let mut at = Vec::with_capacity(pieces.len() + 1);
        let mut pos = 0;
        for p in &pieces {
            at.push(pos);
            pos += p.chars().count();
        }
        at.push(pos);
        let total = pos;
        let col = column.min(chars.len());
        let caret_start = at[col];
        let caret_end = at[(col + caret_len).min(chars.len())].max(caret_start + 1);

        let (from, to) = if total <= WINDOW {
            (0, total)
        } else {
            let from = caret_start.saturating_sub(BEFORE);
            (from, (from + WINDOW).min(total))
        };
        let shown: String = pieces.concat().chars().skip(from).take(to - from).collect();
        let mut text = String::new();
        let mut lead = String::new();
        if from > 0 {
            text.push('…');
            lead.push(' ');
        }
        text.push_str(&shown);
        if to < total {
            text.push('…');
        }
        // Tabs before the caret stay tabs so the caret lines up.
        for (i, c) in chars.iter().enumerate().take(col) {
            if at[i] < from {
                continue;
            }
            if *c == '\t' {
                lead.push('\t');
            } else {
                lead.push_str(&" ".repeat(at[i + 1] - at[i]));
            }
        }
        let caret_len = caret_end.min(to.max(caret_start + 1)) - caret_start;
        Excerpt {
            text,
            lead,
            caret_len: caret_len.max(1),
        }
    }
}

/// Character ranges holding values of secret-looking keys: `KEY=value`, `KEY: value`,
/// `"KEY": "value"`, `- KEY=value`, a `.env` line written `KEY value`, and entries of a flow
/// mapping (`{DB_PASSWORD: x, B: y}`, up to the next `,` or closing bracket).
fn secret_values(chars: &[char]) -> Vec<std::ops::Range<usize>> {
    let is_ident = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut out = Vec::new();
    let mut i = 0;
    let mut flow = false;
    let first_word = chars
        .iter()
        .position(|c| !matches!(c, ' ' | '\t' | '-' | '"' | '\''));
    while i < chars.len() {
        if matches!(chars[i], '{' | '[') {
            flow = true;
        }
        if !is_ident(chars[i]) || (i > 0 && is_ident(chars[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        let mut j = i;
        if j < chars.len() && matches!(chars[j], '"' | '\'') {
            j += 1;
        }
        let sep = chars.get(j).copied();
        let value_start = match sep {
            Some('=') => j + 1,
            Some(':') if chars.get(j + 1).is_none_or(|c| *c == ' ' || *c == '\t') => j + 1,
            // `.env` written without `=`: `KEY value` as the first word of the line.
            Some(' ' | '\t') if Some(start) == first_word && !flow => j,
            _ => continue,
        };
        let mut v = value_start;
        while v < chars.len() && (chars[v] == ' ' || chars[v] == '\t') {
            v += 1;
        }
        let mut end = chars.len();
        if flow {
            let mut quote = None;
            for (k, &c) in chars.iter().enumerate().skip(v) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (None, '"' | '\'') => quote = Some(c),
                    (None, ',' | '}' | ']') => {
                        end = k;
                        break;
                    }
                    _ => {}
                }
            }
        }
        while end > v && chars[end - 1] == ' ' {
            end -= 1;
        }
        if v >= end {
            continue;
        }
        let value: String = chars[v..end].iter().collect();
        let value = value.trim_matches(['"', '\'']);
        // `${DB_PASSWORD:?...}` names where the value comes from; it is not the value.
        if !value.starts_with('$') && looks_secret(&key, value) {
            out.push(v..end);
            i = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str) -> String {
        Excerpt::new(line, 0, 1).text
    }

    #[test]
    fn secret_values_are_masked() {
        assert_eq!(
            shown("      POSTGRES_PASSWORD: hunter2"),
            "      POSTGRES_PASSWORD: ****"
        );
        assert_eq!(shown("DB_PASSWORD hunter2"), "DB_PASSWORD ****");
        assert_eq!(shown("export API_TOKEN=abc # x"), "export API_TOKEN=****");
        assert_eq!(
            shown("env: {DB_PASSWORD: hunter2, MODE: prod}"),
            "env: {DB_PASSWORD: ****, MODE: prod}"
        );
        assert_eq!(shown("  - \"SECRET_KEY=abc\""), "  - \"SECRET_KEY=****");
        assert_eq!(shown("URL: postgres://u:pw@db/x"), "URL: ****");
        assert_eq!(shown("image: nginx"), "image: nginx");
        assert_eq!(
            shown("  DB_PASSWORD: ${DB_PASSWORD:?set it}"),
            "  DB_PASSWORD: ${DB_PASSWORD:?set it}"
        );
    }

    #[test]
    fn control_characters_are_visible_and_long_lines_are_cut() {
        assert_eq!(shown("a: \u{1b}[31m\0"), "a: \u{241b}[31m\u{2400}");
        let line = format!("{}ERR{}", "x".repeat(5_000), "y".repeat(5_000));
        let e = Excerpt::new(&line, 5_000, 3);
        assert!(e.text.chars().count() <= WINDOW + 2);
        assert!(e.text.starts_with('…') && e.text.ends_with('…'));
        let caret_at = e.lead.chars().count();
        assert_eq!(
            e.text.chars().skip(caret_at).take(3).collect::<String>(),
            "ERR"
        );
        assert_eq!(e.caret_len, 3);
    }

    #[test]
    fn the_caret_moves_with_a_mask() {
        let e = Excerpt::new("DB_PASSWORD=hunter2 BAD", 20, 3);
        assert_eq!(e.text, "DB_PASSWORD=****");
        let e = Excerpt::new("{DB_PASSWORD: hunter2, BAD: [}", 23, 3);
        assert_eq!(e.text, "{DB_PASSWORD: ****, BAD: [}");
        assert_eq!(&e.text[e.lead.len()..e.lead.len() + 3], "BAD");
    }
}
