use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC022",
    name: "secret-as-env-var",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: false,
    summary: "A Secret is exposed to a container as environment variables",
    fix: "mount the Secret as a file (a `secret` volume) and point the application at it (`*_FILE` variables)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef`. Off by default (most
images read their credentials only from the environment); enable it with
`--select default,SEC022`. (Checkov's CKV_K8S_35.)

## Why is this bad?
The environment is inherited by every child process, printed by crash handlers and debug
pages, readable in `/proc/<pid>/environ` and shown by `kubectl describe`-style tooling; a
mounted file is read only by whoever opens it, and changes without restarting the pod.

## Example
```yaml
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
```

## Fix
```yaml
env:
  - name: DB_PASSWORD_FILE
    value: /run/secrets/db/password
volumeMounts:
  - {name: db, mountPath: /run/secrets/db, readOnly: true}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        if let Some(env) = c.get("env").and_then(Value::as_array) {
            for (i, e) in env.iter().enumerate() {
                let Some(r) = e.get("valueFrom").and_then(|v| v.get("secretKeyRef")) else {
                    continue;
                };
                let var = e.get("name").and_then(Value::as_str).unwrap_or("");
                let secret = r.get("name").and_then(Value::as_str).unwrap_or("");
                out.report(
                    c.path.key("env").index(i).key("valueFrom"),
                    format!(
                        "{} reads Secret `{secret}` into environment variable `{var}`",
                        c.describe()
                    ),
                );
            }
        }
        if let Some(env_from) = c.get("envFrom").and_then(Value::as_array) {
            for (i, e) in env_from.iter().enumerate() {
                let Some(r) = e.get("secretRef") else {
                    continue;
                };
                let secret = r.get("name").and_then(Value::as_str).unwrap_or("");
                out.report(
                    c.path.key("envFrom").index(i).key("secretRef"),
                    format!(
                        "{} reads every key of Secret `{secret}` into environment variables",
                        c.describe()
                    ),
                );
            }
        }
    }
}
