use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL005",
    name: "missing-ephemeral-storage",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A container has no ephemeral-storage limit",
    fix: "set `resources.limits.ephemeral-storage` (and a request)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers, init containers and sidecars without `resources.limits.ephemeral-storage`.
(kube-score's `container-ephemeral-storage-request-and-limit`.)

## Why is this bad?
Container logs, the writable layer and `emptyDir` volumes live on the node's disk. A
container that fills it (a cache, a runaway log) puts the whole node under disk pressure
and gets every pod on it evicted; with a limit, only that pod is evicted. On SD-card
Raspberry Pis disk is scarce.

## Example
```yaml
resources:
  limits: {memory: 512Mi}
```

## Fix
```yaml
resources:
  requests: {ephemeral-storage: 100Mi}
  limits: {memory: 512Mi, ephemeral-storage: 1Gi}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    super::missing_resource(cx, out, "limits", "ephemeral-storage");
}
