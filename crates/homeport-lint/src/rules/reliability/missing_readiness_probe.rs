use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL006",
    name: "missing-readiness-probe",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods behind a Service have no readiness probe",
    fix: "add a `readinessProbe` that succeeds only when the container can serve requests",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pods that a Service of the input selects and none of whose long-running
containers has a `readinessProbe` (a sidecar without one is fine: a pod is ready when every
container with a probe is). (kube-score's `pod-probes`; kube-linter's `no-readiness-probe`.)

## Why is this bad?
Without a readiness probe a pod receives traffic as soon as its process starts, before it
has loaded its configuration or connected to its database, and keeps receiving it while it
hangs. Rolling updates then drop requests.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
```

## Fix
```yaml
containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      httpGet: {path: /healthz, port: http}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_long_running(obj) {
        return;
    }
    let Some(t) = template(cx, out) else { return };
    if !cx.index.targeted_by_service(out.object_index()) {
        return;
    }
    // A pod is ready when all its containers are; a container without a probe counts as
    // ready. One probe (usually on the main container) is what matters.
    let containers = t.long_running_containers();
    if containers.iter().any(|c| c.get("readinessProbe").is_some()) {
        return;
    }
    let Some(first) = containers.first() else {
        return;
    };
    let names: Vec<String> = containers.iter().map(|c| format!("`{}`", c.name)).collect();
    out.report(
        first.path.clone(),
        format!(
            "pods receive Service traffic but no container ({}) has a readiness probe",
            names.join(", ")
        ),
    );
}
