use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL003",
    name: "missing-memory-limit",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no memory limit",
    fix: "set `resources.limits.memory` (1.5 to 2 times the request is a common start)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers, init containers and sidecars without `resources.limits.memory`. (kube-linter's
`unset-memory-requirements`, kube-score's `container-resources`.)

## Why is this bad?
A leaking or runaway process can use all of the node's memory; the node then kills
whatever the kernel picks, often a neighbour that behaved. A limit confines the damage to
the container that caused it.

## Example
```yaml
resources:
  requests: {memory: 256Mi}
```

## Fix
```yaml
resources:
  requests: {memory: 256Mi}
  limits: {memory: 512Mi}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    super::missing_resource(cx, out, "limits", "memory");
}
