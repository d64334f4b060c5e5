//! Leniency that docker compose's YAML reader (go-yaml) has and yaml-rust2 does not: a flow
//! collection whose later lines are indented no deeper than its parent key, e.g.
//!
//! ```yaml
//!     healthcheck:
//!       test: [
//!           "CMD-SHELL", "wget -q -O- http://localhost/healthz",
//!       ]
//! ```
//!
//! Line breaks inside a flow collection are only whitespace, so [`join_flow_lines`] turns them
//! into spaces. The text keeps its length, so every byte offset (and every span) is the same.

/// Where comments and line breaks inside flow collections are, found by a light scan that
/// knows quotes and block scalars (whose `#` lines are content, not comments).
struct Layout {
    comments: Vec<std::ops::Range<usize>>,
    flow_breaks: Vec<usize>,
}

fn scan(text: &str) -> Layout {
    let b = text.as_bytes();
    let mut layout = Layout {
        comments: Vec::new(),
        flow_breaks: Vec::new(),
    };
    let mut depth = 0usize;
    let mut line_has_comment = false;
    let mut block_scalar_indent: Option<usize> = None;
    let mut line_indent = 0usize;
    let mut i = 0usize;
    let mut at_line_start = true;
    let token_start =
        |i: usize| i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',');
    while i < b.len() {
        if at_line_start {
            at_line_start = false;
            line_indent = b[i..].iter().take_while(|c| **c == b' ').count();
            if let Some(bi) = block_scalar_indent {
                let line_end = b[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(b.len(), |p| i + p);
                let blank = b[i..line_end].iter().all(|c| c.is_ascii_whitespace());
                if blank || line_indent > bi {
                    i = line_end + 1;
                    at_line_start = true;
                    continue;
                }
                block_scalar_indent = None;
            }
        }
        let c = b[i];
        match c {
            b'#' if token_start(i) => {
                line_has_comment = true;
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                layout.comments.push(start..i);
                continue;
            }
            b'"' if token_start(i) || (i > 0 && b[i - 1] == b':') => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' if token_start(i) || (i > 0 && b[i - 1] == b':') => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'[' | b'{' if token_start(i) => depth += 1,
            b']' | b'}' if depth > 0 => depth -= 1,
            b'|' | b'>' if depth == 0 && token_start(i) => {
                let rest = &b[i + 1..];
                let end = rest.iter().position(|c| *c == b'\n').unwrap_or(rest.len());
                let tail = &rest[..end];
                let indicators = tail
                    .iter()
                    .take_while(|c| matches!(c, b'+' | b'-' | b'0'..=b'9'))
                    .count();
                let after: Vec<u8> = tail[indicators..]
                    .iter()
                    .copied()
                    .skip_while(|c| *c == b' ' || *c == b'\t')
                    .collect();
                if after.is_empty() || after.first() == Some(&b'#') || after == b"\r" {
                    block_scalar_indent = Some(line_indent);
                }
            }
            b'\n' => {
                if depth > 0 && !line_has_comment {
                    layout.flow_breaks.push(i);
                }
                line_has_comment = false;
                at_line_start = true;
            }
            _ => {}
        }
        i += 1;
    }
    layout
}

/// The text with line breaks inside flow collections replaced by spaces (`None` when there
/// is nothing to change). Comments, quoted scalars and block scalars are left alone.
pub(crate) fn join_flow_lines(text: &str) -> Option<String> {
    let layout = scan(text);
    if layout.flow_breaks.is_empty() {
        return None;
    }
    let b = text.as_bytes();
    let mut out = b.to_vec();
    for i in layout.flow_breaks {
        out[i] = b' ';
        if i > 0 && b[i - 1] == b'\r' {
            out[i - 1] = b' ';
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lines_inside_flow_collections_only() {
        let text = "a:\n  test: [\n      \"x\",\n      # note\n      \"y\",\n  ]\nb: |\n  [ not flow\nc: [1,\n2]\n";
        let joined = join_flow_lines(text).unwrap();
        assert_eq!(joined.len(), text.len());
        assert_eq!(
            joined,
            "a:\n  test: [       \"x\",       # note\n      \"y\",   ]\nb: |\n  [ not flow\nc: [1, 2]\n"
        );
        assert_eq!(join_flow_lines("a: 1\nb: [x]\n"), None);
    }
}
