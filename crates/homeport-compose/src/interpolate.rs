//! Variable interpolation, as compose-go's `template` package does it: `$VAR`, `${VAR}`,
//! `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`,
//! `${VAR+alt}`, nested templates inside the default/alternative, and `$$` for a literal `$`.
//! A `$` followed by anything else (a digit, a space, the end) stays as it is.

use std::ops::Range;

/// What went wrong while substituting one string. Ranges are byte ranges in the template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateError {
    /// `${VAR:?message}` (or `?`) with the variable missing (or, for `:?`, empty).
    Required {
        variable: String,
        message: String,
        range: Range<usize>,
    },
    /// `${` not followed by a well-formed expression and a closing `}`.
    Invalid { reason: String, range: Range<usize> },
}

/// The substituted text with the variables it looked up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Substituted {
    pub text: String,
    /// Every variable looked up, in order, without duplicates.
    pub variables: Vec<String>,
    /// Variables used without a default that were not set (they became empty strings).
    pub unset: Vec<String>,
}

/// Substitute `template` with `lookup`. Stops at the first error, like compose-go.
pub fn substitute(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Substituted, TemplateError> {
    let mut out = Substituted::default();
    let mut text = String::with_capacity(template.len());
    run(template, 0, lookup, &mut text, &mut out, 0)?;
    out.text = text;
    Ok(out)
}

/// Nesting bound: defaults inside defaults inside ... deeper than this are refused.
const MAX_DEPTH: usize = 64;

fn is_name_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_name_char(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

fn note(out: &mut Substituted, name: &str) {
    if !out.variables.iter().any(|v| v == name) {
        out.variables.push(name.to_string());
    }
}

fn note_unset(out: &mut Substituted, name: &str) {
    if !out.unset.iter().any(|v| v == name) {
        out.unset.push(name.to_string());
    }
}

/// Index of the `}` closing the `${` at `start` (which points at `$`), counting nested `${`.
fn closing_brace(s: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < s.len() {
        if s[i] == b'$' && s.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if s[i] == b'}' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

fn run(
    s: &str,
    offset: usize,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &mut String,
    out: &mut Substituted,
    depth: usize,
) -> Result<(), TemplateError> {
    if depth > MAX_DEPTH {
        return Err(TemplateError::Invalid {
            reason: "templates are nested too deeply".into(),
            range: offset..offset + s.len(),
        });
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut literal_start = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        text.push_str(&s[literal_start..i]);
        let next = b.get(i + 1).copied();
        match next {
            Some(b'$') => {
                text.push('$');
                i += 2;
            }
            Some(c) if is_name_start(c) => {
                let mut j = i + 1;
                while j < b.len() && is_name_char(b[j]) {
                    j += 1;
                }
                let name = &s[i + 1..j];
                note(out, name);
                match lookup(name) {
                    Some(v) => text.push_str(&v),
                    None => note_unset(out, name),
                }
                i = j;
            }
            Some(b'{') => {
                let Some(close) = closing_brace(b, i) else {
                    return Err(TemplateError::Invalid {
                        reason: "`${` is never closed with `}`".into(),
                        range: offset + i..offset + s.len(),
                    });
                };
                let range = offset + i..offset + close + 1;
                braced(
                    &s[i + 2..close],
                    offset + i + 2,
                    range,
                    lookup,
                    text,
                    out,
                    depth,
                )?;
                i = close + 1;
            }
            _ => {
                text.push('$');
                i += 1;
            }
        }
        literal_start = i;
    }
    text.push_str(&s[literal_start..]);
    Ok(())
}

/// The inside of `${...}`: `NAME`, or `NAME` followed by an operator and its argument.
fn braced(
    inner: &str,
    inner_offset: usize,
    range: Range<usize>,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &mut String,
    out: &mut Substituted,
    depth: usize,
) -> Result<(), TemplateError> {
    let b = inner.as_bytes();
    if b.is_empty() || !is_name_start(b[0]) {
        return Err(TemplateError::Invalid {
            reason: if b.is_empty() {
                "empty variable name in `${}`".into()
            } else {
                format!("`${{{inner}}}` does not start with a variable name")
            },
            range,
        });
    }
    let mut j = 1;
    while j < b.len() && is_name_char(b[j]) {
        j += 1;
    }
    let name = &inner[..j];
    let rest = &inner[j..];
    note(out, name);
    let value = lookup(name);
    let (op, arg_start) = if rest.is_empty() {
        ("", j)
    } else if let Some(op) = [":-", ":?", ":+"]
        .into_iter()
        .find(|op| rest.starts_with(op))
    {
        (op, j + 2)
    } else if let Some(op) = ["-", "?", "+"].into_iter().find(|op| rest.starts_with(op)) {
        (op, j + 1)
    } else {
        return Err(TemplateError::Invalid {
            reason: format!(
                "unexpected `{}` after `{name}`; expected `}}`, `:-`, `-`, `:?`, `?`, `:+` or `+`",
                rest.chars().next().unwrap_or(' ')
            ),
            range,
        });
    };
    let arg = &inner[arg_start..];
    let arg_offset = inner_offset + arg_start;
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let expand = |text: &mut String, out: &mut Substituted| {
        run(arg, arg_offset, lookup, text, out, depth + 1)
    };
    match op {
        "" => match value {
            Some(v) => text.push_str(&v),
            None => note_unset(out, name),
        },
        ":-" | "-" => {
            let use_default = if op == ":-" { !non_empty } else { !set };
            if use_default {
                expand(text, out)?;
            } else if let Some(v) = value {
                text.push_str(&v);
            }
        }
        ":?" | "?" => {
            let missing = if op == ":?" { !non_empty } else { !set };
            if missing {
                let mut message = String::new();
                expand(&mut message, out)?;
                return Err(TemplateError::Required {
                    variable: name.to_string(),
                    message,
                    range,
                });
            }
            if let Some(v) = value {
                text.push_str(&v);
            }
        }
        _ => {
            // ":+" / "+": the alternative when set (and, for ":+", non-empty).
            let use_alt = if op == ":+" { non_empty } else { set };
            if use_alt {
                expand(text, out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("8080".into()),
            _ => None,
        }
    }

    fn sub(t: &str) -> String {
        substitute(t, &env)
            .map(|s| s.text)
            .unwrap_or_else(|e| format!("ERR {e:?}"))
    }

    #[test]
    fn forms() {
        assert_eq!(sub("$SET"), "value");
        assert_eq!(sub("${SET}"), "value");
        assert_eq!(sub("a${SET}b$SET.c"), "avalueb".to_string() + "value.c");
        assert_eq!(sub("${UNSET}"), "");
        assert_eq!(sub("${UNSET:-d}"), "d");
        assert_eq!(sub("${EMPTY:-d}"), "d");
        assert_eq!(sub("${EMPTY-d}"), "");
        assert_eq!(sub("${UNSET-d}"), "d");
        assert_eq!(sub("${SET:+alt}"), "alt");
        assert_eq!(sub("${EMPTY:+alt}"), "");
        assert_eq!(sub("${EMPTY+alt}"), "alt");
        assert_eq!(sub("${UNSET+alt}"), "");
        assert_eq!(sub("${UNSET:-${PORT:-1}}"), "8080");
        assert_eq!(sub("${UNSET:-${NOPE:-x}-y}"), "x-y");
        assert_eq!(sub("$$SET"), "$SET");
        assert_eq!(sub("$$$SET"), "$value");
        assert_eq!(sub("cost $5 $"), "cost $5 $");
        assert_eq!(sub("${UNSET:-}"), "");
        assert_eq!(sub("${SET:-a}}"), "value}");
        assert_eq!(sub("${UNSET:-a b:c}"), "a b:c");
    }

    #[test]
    fn required() {
        let e = substitute("x ${UNSET:?need it}", &env).unwrap_err();
        assert_eq!(
            e,
            TemplateError::Required {
                variable: "UNSET".into(),
                message: "need it".into(),
                range: 2..19
            }
        );
        assert!(substitute("${EMPTY:?m}", &env).is_err());
        assert_eq!(sub("${EMPTY?m}"), "");
        assert_eq!(sub("${SET:?m}"), "value");
    }

    #[test]
    fn invalid() {
        assert!(matches!(
            substitute("${", &env),
            Err(TemplateError::Invalid { .. })
        ));
        assert!(matches!(
            substitute("${}", &env),
            Err(TemplateError::Invalid { .. })
        ));
        assert!(matches!(
            substitute("${1A}", &env),
            Err(TemplateError::Invalid { .. })
        ));
        assert!(matches!(
            substitute("${A*b}", &env),
            Err(TemplateError::Invalid { .. })
        ));
    }

    #[test]
    fn records_variables() {
        let s = substitute("${A:-$B} $UNSET", &env).unwrap();
        assert_eq!(s.variables, vec!["A", "B", "UNSET"]);
        assert_eq!(s.unset, vec!["B", "UNSET"]);
    }
}
