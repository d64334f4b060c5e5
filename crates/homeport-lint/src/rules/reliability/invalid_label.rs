use crate::rules::prelude::*;
use serde_json::Map;

pub static RULE: Rule = Rule {
    code: "REL027",
    name: "invalid-label",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A label key or value that Kubernetes does not accept",
    fix: "labels: up to 63 characters of letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit; an optional DNS prefix with `/`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks the keys and values of `metadata.labels` and of the pod template's labels against
Kubernetes' syntax: a value is empty or up to 63 characters of `[A-Za-z0-9._-]` starting
and ending with a letter or digit; a key is such a name, optionally prefixed by a DNS
subdomain and `/`. (kube-score's `label-values`.)

## Why is this bad?
The API server rejects the object. Labels generated from image tags (`1.2.3+build`) or
from long names are the usual culprits.

## Example
```yaml
metadata:
  labels:
    version: 1.2.3+build.7
```

## Fix
```yaml
metadata:
  labels:
    version: 1.2.3-build.7
```
"#,
};

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
pub(crate) fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A lowercase RFC 1123 subdomain, at most 253 characters.
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

pub(crate) fn key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns_subdomain(p) {
            return Some(format!(
                "label key prefix `{p}` is not a lowercase DNS subdomain"
            ));
        }
    }
    if !is_qualified_name_part(name) {
        return Some(format!("label key `{key}` is not a valid name (up to 63 of `A-Za-z0-9-_.`, alphanumeric at both ends)"));
    }
    None
}

fn value_problem(value: &str) -> Option<String> {
    (!value.is_empty() && !is_qualified_name_part(value)).then(|| {
        format!("label value `{value}` is not valid (up to 63 of `A-Za-z0-9-_.`, alphanumeric at both ends)")
    })
}

fn check_labels(labels: &Map<String, Value>, path: FieldPath, out: &mut Emitter<'_>) {
    for (k, v) in labels {
        let here = path.key(k.as_str());
        if let Some(p) = key_problem(k) {
            out.report(here.clone(), p);
        }
        if let Some(p) = v.as_str().and_then(value_problem) {
            out.report(here, p);
        }
    }
}

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if let Some(labels) = obj.labels() {
        check_labels(labels, FieldPath::parse("metadata.labels"), out);
    }
    if obj.kind != "Pod" {
        if let Some(t) = template(cx, out) {
            if let Some(labels) = t.labels() {
                check_labels(labels, t.meta_path.key("labels"), out);
            }
        }
    }
}
