use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC003",
    name: "secret-in-env-value",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A credential written as a literal environment variable value",
    fix: "put the value in a Secret and use `valueFrom.secretKeyRef`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `env` entries whose name says they hold a credential (`*PASSWORD*`, `*SECRET*`,
`*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIALS*`, ...) and whose `value` is a
literal. Names that point at a credential rather than hold one (`*_FILE`, `*_PATH`,
`*_NAME`, `*_URL`, ...) and values that are references (`/run/secrets/...`, `$(VAR)`) are
not reported. (kube-linter's `env-var-secret`.)

## Why is this bad?
The value is stored in plain text in the manifest (and so in Git), in the object in etcd
and in every `kubectl get -o yaml`. Secrets can be encrypted at rest, restricted by RBAC and
kept out of Git.

## Example
```yaml
env:
  - name: POSTGRES_PASSWORD
    value: hunter2
```

## Fix
```yaml
env:
  - name: POSTGRES_PASSWORD
    valueFrom:
      secretKeyRef:
        name: postgres
        key: password
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let Some(env) = c.get("env").and_then(Value::as_array) else {
            continue;
        };
        for (i, e) in env.iter().enumerate() {
            let name = e.get("name").and_then(Value::as_str).unwrap_or("");
            let Some(value) = e.get("value").and_then(Value::as_str) else {
                continue;
            };
            if names_a_secret(name) && looks_like_literal_secret(value) {
                out.report(
                    c.path.key("env").index(i).key("value"),
                    format!("{} sets `{name}` to a literal value", c.describe()),
                );
            }
        }
    }
}
