use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL001",
    name: "missing-cpu-request",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no CPU request",
    fix: "set `resources.requests.cpu` to what the container uses at normal load",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers, init containers and sidecars without `resources.requests.cpu`. (kube-linter's
`unset-cpu-requirements`, kube-score's `container-resources`.)

## Why is this bad?
The scheduler places pods by their requests. Without one, a pod counts as needing nothing:
a Raspberry Pi gets as many transcoders as the big PC, and under contention the container
gets the smallest CPU share.

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
    resources:
      requests: {cpu: 250m, memory: 256Mi}
      limits: {memory: 512Mi}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    super::missing_resource(cx, out, "requests", "cpu");
}
