use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC010",
    name: "run-as-root-allowed",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container may run as root (no `runAsNonRoot: true`, no non-zero `runAsUser`)",
    fix: "set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod or container securityContext",
    overlaps: &["PSS014", "PSS015"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers that may run as root: neither the container nor the pod
`securityContext` sets `runAsNonRoot: true` or a non-zero `runAsUser`, or one sets
`runAsUser: 0`. This is the restricted level's "running as non-root" control as a best
practice, so it also applies where a namespace is at `baseline`; when the Pod Security
control reports the same pod (`PSS014`, `PSS015`), this rule stays quiet. (kube-linter's
`run-as-non-root`.)

## Why is this bad?
Root in a container is root on the node's kernel: a container escape, a writable hostPath
or a mounted socket turns into full control of the node.

## Example
```yaml
containers:
  - name: app
    image: ghcr.io/example/app:1.0
```

## Fix
```yaml
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
containers:
  - name: app
    image: ghcr.io/example/app:1.0
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((t, containers)) = declared_containers(cx, out) else {
        return;
    };
    let pod_non_root = t.security("runAsNonRoot").and_then(Value::as_bool);
    let pod_user = t.security("runAsUser").and_then(Value::as_i64);
    for c in containers {
        let non_root = container_security(c, "runAsNonRoot")
            .and_then(Value::as_bool)
            .or(pod_non_root);
        let user = container_security(c, "runAsUser")
            .and_then(Value::as_i64)
            .or(pod_user);
        if user == Some(0) {
            out.report(
                c.path.key("securityContext"),
                format!("{} runs as user 0 (root)", c.describe()),
            );
        } else if non_root != Some(true) && user.is_none() {
            out.report(
                c.path.clone(),
                format!(
                    "{} may run as root: no `runAsNonRoot: true` and no `runAsUser`",
                    c.describe()
                ),
            );
        }
    }
}
