use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL031",
    name: "invalid-resource-quantity",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A resource request or limit that is negative, infinite or not a quantity",
    fix: "write a non-negative Kubernetes quantity: `250m`, `0.5`, `512Mi`, `2Gi`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks every container's `resources.requests` and `resources.limits` (init containers
included): each value must be a Kubernetes quantity (a number with an optional suffix `m`,
`k`, `M`, `G`, `Ki`, `Mi`, `Gi`, ... or a decimal exponent `e3`), not negative, and not
past 10^18 (`E`), where the 64-bit values the scheduler computes with overflow. YAML's `.inf` and
`.nan`, `-1` and a float such as `1e400` (infinite once read; `kubectl` cannot even parse
it) are reported.

## Why is this bad?
The API server rejects the object (`must be greater than or equal to 0`, `quantities must
match the regular expression`), so the rollout fails at apply time; a generator that
computed `-1` or an overflowed value is the usual cause.

## Example
```yaml
resources:
  requests: {cpu: "-1", memory: 1e400}
  limits: {memory: .inf}
```

## Fix
```yaml
resources:
  requests: {cpu: 250m, memory: 256Mi}
  limits: {memory: 512Mi}
```
"#,
};

/// Powers of ten of the suffixes (binary ones rounded up).
const SUFFIXES: &[(&str, i32)] = &[
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
    ("Ki", 4),
    ("Mi", 7),
    ("Gi", 10),
    ("Ti", 13),
    ("Pi", 16),
    ("Ei", 19),
];

/// Why `text` is not a quantity the API server accepts for a resource, if it is not.
pub(crate) fn quantity_problem(text: &str) -> Option<String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(digits_end);
    let lower = text.trim_start_matches(['-', '+']).to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | "inf" | "infinity" | ".nan" | "nan") {
        return Some(format!(
            "`{text}` is not a number the API server stores (infinite or NaN)"
        ));
    }
    if !number.bytes().any(|b| b.is_ascii_digit()) || number.matches('.').count() > 1 {
        return Some(format!("`{text}` is not a Kubernetes quantity"));
    }
    let exponent = match SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        Some((_, p)) => *p,
        None => match suffix.strip_prefix(['e', 'E']).map(str::parse::<i32>) {
            Some(Ok(e)) => e,
            _ => {
                return Some(format!(
                    "`{text}` is not a Kubernetes quantity (unknown suffix `{suffix}`)"
                ))
            }
        },
    };
    let significant = number.trim_start_matches(['0', '.']);
    let zero = !significant.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if negative && !zero {
        return Some(format!("`{text}` is negative"));
    }
    let integer_digits = number
        .split('.')
        .next()
        .unwrap_or("")
        .trim_start_matches('0')
        .len();
    if !zero && integer_digits as i64 + exponent as i64 > 19 {
        return Some(format!("`{text}` is too large (past 10^18 it overflows the 64-bit values the scheduler computes with)"));
    }
    None
}

/// Why a request or limit value is not valid, if it is not.
fn value_problem(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f < 0.0 => Some(format!("`{n}` is negative")),
            Some(f) if f >= 1e19 => Some(format!("`{n}` is too large (past 10^18 it overflows the 64-bit values the scheduler computes with)")),
            _ => None,
        },
        Value::String(s) if is_placeholder(s) => None,
        Value::String(s) => quantity_problem(s.trim()),
        Value::Null => None,
        other => Some(format!("`{other}` is not a quantity")),
    }
}

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    for c in t.declared_containers() {
        let Some(resources) = c.get("resources") else {
            continue;
        };
        for kind in ["requests", "limits"] {
            let Some(map) = resources.get(kind).and_then(Value::as_object) else {
                continue;
            };
            for (name, v) in map {
                if let Some(problem) = value_problem(v) {
                    out.report(
                        c.path.key("resources").key(kind).key(name.as_str()),
                        format!(
                            "{} {name} {}: {problem}",
                            c.describe(),
                            &kind[..kind.len() - 1]
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1", "0", "-0", "250m", "0.5", "1.5Gi", "512Mi", "1e3", "2E", "+1", "100Ki", "1e-3",
        ] {
            assert_eq!(quantity_problem(ok), None, "{ok}");
        }
        for bad in [
            "-1",
            "-5Mi",
            ".inf",
            "-.inf",
            ".nan",
            "1e400",
            "abc",
            "1..2",
            "5MB",
            "",
            "100Ei0",
            "99999999999999999999",
        ] {
            assert!(quantity_problem(bad).is_some(), "{bad}");
        }
        assert!(value_problem(&serde_json::json!(-1))
            .unwrap()
            .contains("negative"));
        assert!(value_problem(&serde_json::json!(0.5)).is_none());
        assert!(value_problem(&serde_json::json!(true)).is_some());
    }
}
