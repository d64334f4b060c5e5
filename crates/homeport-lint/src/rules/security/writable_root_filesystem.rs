use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC009",
    name: "writable-root-filesystem",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container's root filesystem is writable",
    fix: "set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir where the app writes",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers that do not set `securityContext.readOnlyRootFilesystem: true`.
(kube-linter's `no-read-only-root-fs`, kube-score's
`container-security-context-readonlyrootfilesystem`.)

## Why is this bad?
An attacker who gets code execution can write tools, web shells or modified binaries into
the image's filesystem. Writes to the root filesystem also land on the node's disk, outside
any volume and its limits.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
```

## Fix
```yaml
containers:
  - name: web
    image: nginx:1.27
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - {name: cache, mountPath: /var/cache/nginx}
      - {name: run, mountPath: /var/run}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        if container_security(c, "readOnlyRootFilesystem").and_then(Value::as_bool) != Some(true) {
            let path = match c.get("securityContext") {
                Some(_) => c.path.key("securityContext"),
                None => c.path.clone(),
            };
            out.report(
                path,
                format!("{} has a writable root filesystem", c.describe()),
            );
        }
    }
}
