use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL028",
    name: "invalid-port-name",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A port name that Kubernetes does not accept",
    fix: "container port names and named targetPorts: at most 15 lowercase letters, digits and `-`, with at least one letter",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks container port names and the names a Service's `targetPort` uses against the IANA
service name syntax Kubernetes requires (at most 15 characters of lowercase letters,
digits and `-`, at least one letter, no `-` at either end or twice in a row), and Service
port names against DNS label syntax (at most 63 lowercase letters, digits and `-`).
(kube-linter's `invalid-target-ports`.)

## Why is this bad?
The API server rejects the object. Names derived from Compose service names
(`metrics_exporter`, `http-management-ui`) break the 15-character, lowercase rule.

## Example
```yaml
ports:
  - name: http-management-ui
    containerPort: 15672
```

## Fix
```yaml
ports:
  - name: management
    containerPort: 15672
```
"#,
};

/// IANA service name: 1-15 of `[a-z0-9-]`, at least one letter, no leading, trailing or
/// double `-`.
pub(crate) fn iana_problem(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return Some("is longer than 15 characters");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        return Some("may only hold lowercase letters, digits and `-`");
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Some("must contain a letter");
    }
    if b[0] == b'-' || b[b.len() - 1] == b'-' || name.contains("--") {
        return Some("may not start or end with `-` or contain `--`");
    }
    None
}

fn dns_label_problem(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.len() > 63 {
        return Some("is longer than 63 characters");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        return Some("may only hold lowercase letters, digits and `-`");
    }
    if b.first() == Some(&b'-') || b.last() == Some(&b'-') {
        return Some("may not start or end with `-`");
    }
    None
}

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if let Some((_, containers)) = declared_containers(cx, out) {
        for c in containers {
            for (i, p) in c.ports().iter().enumerate() {
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(problem) = iana_problem(name) {
                    out.report(
                        c.path.key("ports").index(i).key("name"),
                        format!("port name `{name}` of {} {problem}", c.describe()),
                    );
                }
            }
        }
    }
    if obj.kind == "Service" && obj.group().is_empty() {
        let Some(ports) = obj
            .value
            .get("spec")
            .and_then(|s| s.get("ports"))
            .and_then(Value::as_array)
        else {
            return;
        };
        for (i, p) in ports.iter().enumerate() {
            let path = FieldPath::parse("spec.ports").index(i);
            if let Some(name) = p.get("name").and_then(Value::as_str) {
                if let Some(problem) = dns_label_problem(name) {
                    out.report(
                        path.key("name"),
                        format!("Service port name `{name}` {problem}"),
                    );
                }
            }
            if let Some(PortRef::Name(name)) = PortRef::read(p.get("targetPort")) {
                if let Some(problem) = iana_problem(&name) {
                    out.report(
                        path.key("targetPort"),
                        format!("targetPort name `{name}` {problem}"),
                    );
                }
            }
        }
    }
}
