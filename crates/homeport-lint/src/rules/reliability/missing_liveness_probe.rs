use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL007",
    name: "missing-liveness-probe",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A long-running container has no liveness probe",
    fix: "add a `livenessProbe` that fails only when the process is stuck beyond recovery",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers of long-running workloads (Deployments, StatefulSets, DaemonSets,
ReplicaSets, Pods) without a `livenessProbe`. (kube-score's `pod-probes`; kube-linter's
`no-liveness-probe`.)

## Why is this bad?
A process that deadlocks but does not exit stays "running" forever; only a liveness probe
lets the kubelet restart it. Compose `healthcheck:` entries translate directly.

## Example
```yaml
containers:
  - name: api
    image: ghcr.io/example/api:1.4
```

## Fix
```yaml
containers:
  - name: api
    image: ghcr.io/example/api:1.4
    livenessProbe:
      httpGet: {path: /livez, port: 8080}
      periodSeconds: 20
      failureThreshold: 3
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_long_running(obj) {
        return;
    }
    let Some(t) = template(cx, out) else { return };
    for c in t.long_running_containers() {
        if c.get("livenessProbe").is_none() {
            out.report(
                c.path.clone(),
                format!("{} has no liveness probe", c.describe()),
            );
        }
    }
}
