use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC020",
    name: "low-user-id",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A container runs as a user or group ID below 10000",
    fix: "run as a UID and GID of 10000 or more",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `runAsUser` and `runAsGroup` values from 1 to 9999 (root is reported by
`SEC010`). (kube-score's `container-security-context-user-group-id`.)

## Why is this bad?
Low IDs are the ones the node's own users and services have. If the container escapes, it
acts as that host user: UID 1000 is usually the first person's account on the machine,
with their home directory and SSH keys. Many linuxserver.io images default to PUID 1000
for this reason of convenience.

## Example
```yaml
securityContext:
  runAsUser: 1000
```

## Fix
```yaml
securityContext:
  runAsUser: 10001
  runAsGroup: 10001
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((t, containers)) = declared_containers(cx, out) else {
        return;
    };
    for key in ["runAsUser", "runAsGroup"] {
        if let Some(id) = t.security(key).and_then(Value::as_i64) {
            if (1..10000).contains(&id) {
                out.report(
                    t.spec_path.join("securityContext").key(key),
                    format!("pods run with {key} {id}"),
                );
            }
        }
        for c in &containers {
            if let Some(id) = container_security(c, key).and_then(Value::as_i64) {
                if (1..10000).contains(&id) {
                    out.report(
                        c.path.join("securityContext").key(key),
                        format!("{} runs with {key} {id}", c.describe()),
                    );
                }
            }
        }
    }
}
