use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC018",
    name: "privileged-port",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container listens on a port below 1024",
    fix: "listen on a port of 1024 or more and map it in the Service (`port: 80`, `targetPort: 8080`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports container ports below 1024 (`containerPort: 80`) of containers that do not add
the `NET_BIND_SERVICE` capability. (kube-linter's `privileged-ports`.)

## Why is this bad?
Binding a port below 1024 needs root or `NET_BIND_SERVICE`. Under the restricted Pod
Security level the container runs as non-root with all capabilities dropped, so the
process fails to start with "permission denied" unless the runtime lowers
`net.ipv4.ip_unprivileged_port_start`. The Service can still expose port 80: only the
container's port has to change.

## Example
```yaml
ports:
  - containerPort: 80
```

## Fix
```yaml
ports:
  - containerPort: 8080
```
and in the Service: `port: 80`, `targetPort: 8080`. If the port cannot change, add the one
capability that allows it (the restricted level permits it):
```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let binds = container_security(c, "capabilities")
            .and_then(|caps| caps.get("add"))
            .and_then(Value::as_array)
            .is_some_and(|add| {
                add.iter()
                    .filter_map(Value::as_str)
                    .any(|cap| cap.trim_start_matches("CAP_") == "NET_BIND_SERVICE")
            });
        if binds {
            continue;
        }
        for (i, p) in c.ports().iter().enumerate() {
            let Some(n) = p.get("containerPort").and_then(Value::as_i64) else {
                continue;
            };
            if n > 0 && n < 1024 {
                out.report(
                    c.path.key("ports").index(i).key("containerPort"),
                    format!("{} listens on privileged port {n}", c.describe()),
                );
            }
        }
    }
}
