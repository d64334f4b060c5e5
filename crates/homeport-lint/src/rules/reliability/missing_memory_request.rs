use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL002",
    name: "missing-memory-request",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no memory request",
    fix: "set `resources.requests.memory` to what the container uses at normal load",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers, init containers and sidecars without `resources.requests.memory`. (kube-linter's
`unset-memory-requirements`, kube-score's `container-resources`.)

## Why is this bad?
The scheduler places pods by their requests: without one, a node with 2 GiB (a Raspberry
Pi) accepts pods that together need far more, and the kernel's OOM killer picks the
victims. Pods without requests are also the first to be evicted under memory pressure.

## Example
```yaml
containers:
  - name: db
    image: postgres:16
```

## Fix
```yaml
containers:
  - name: db
    image: postgres:16
    resources:
      requests: {cpu: 250m, memory: 512Mi}
      limits: {memory: 1Gi}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    super::missing_resource(cx, out, "requests", "memory");
}
