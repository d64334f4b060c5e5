use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL008",
    name: "identical-probes",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container's liveness and readiness probes are identical",
    fix: "make the liveness probe more lenient (longer period, higher failureThreshold) or check something simpler",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers whose `livenessProbe` and `readinessProbe` are the same. (kube-score's
`pod-probes-identical`.)

## Why is this bad?
Readiness failing under load should take the pod out of the Service for a moment; with an
identical liveness probe, the same blip also restarts the container, which adds load to
the others and can cascade into a restart loop of every replica.

## Example
```yaml
livenessProbe:
  httpGet: {path: /health, port: 8080}
readinessProbe:
  httpGet: {path: /health, port: 8080}
```

## Fix
```yaml
livenessProbe:
  httpGet: {path: /livez, port: 8080}
  periodSeconds: 20
  failureThreshold: 6
readinessProbe:
  httpGet: {path: /readyz, port: 8080}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    for c in t.long_running_containers() {
        if let (Some(l), Some(r)) = (c.get("livenessProbe"), c.get("readinessProbe")) {
            if l == r {
                out.report(
                    c.path.key("livenessProbe"),
                    format!(
                        "{} has identical liveness and readiness probes",
                        c.describe()
                    ),
                );
            }
        }
    }
}
