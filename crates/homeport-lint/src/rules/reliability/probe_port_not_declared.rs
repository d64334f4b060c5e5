use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL009",
    name: "probe-port-not-declared",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A probe points at a port the container does not declare",
    fix: "point the probe at a port from the container's `ports`, by name or number",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks the `httpGet`, `tcpSocket` and `grpc` ports of liveness, readiness and startup
probes against the container's `ports`. A port name that the container does not declare is
an error (the kubelet cannot resolve it and the probe always fails); a port number that is
not declared, when the container declares others, is informational (it works, but usually
means a typo or a port changed in one place only). (kube-linter's `liveness-port`,
`readiness-port`, `startup-port`.)

## Why is this bad?
A probe that always fails restarts the container forever (liveness) or keeps it out of its
Service forever (readiness).

## Example
```yaml
ports:
  - {name: http, containerPort: 8080}
livenessProbe:
  httpGet: {path: /healthz, port: web}
```

## Fix
```yaml
ports:
  - {name: http, containerPort: 8080}
livenessProbe:
  httpGet: {path: /healthz, port: http}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    for c in t.containers() {
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(p) = c.get(probe) else { continue };
            for handler in ["httpGet", "tcpSocket", "grpc"] {
                let Some(port) = PortRef::read(p.get(handler).and_then(|h| h.get("port"))) else {
                    continue;
                };
                let path = c.path.key(probe).key(handler).key("port");
                match port {
                    PortRef::Name(name) if !c.has_port_named(&name) => {
                        out.report(
                            path,
                            format!("{probe} of {} uses port `{name}`, which the container does not declare", c.describe()),
                        );
                    }
                    PortRef::Number(n) if !c.ports().is_empty() && !c.has_port_number(n) => {
                        out.report(
                            path,
                            format!("{probe} of {} uses port {n}, which is not among the container's ports", c.describe()),
                        )
                        .with_severity(Severity::Info);
                    }
                    _ => {}
                }
            }
        }
    }
}
