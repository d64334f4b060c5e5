use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL004",
    name: "missing-cpu-limit",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A container has no CPU limit",
    fix: "set `resources.limits.cpu`, or suppress this rule if you rely on CPU requests alone",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers, init containers and sidecars without `resources.limits.cpu`. kube-score requires CPU
limits by default; many operators deliberately leave them out (a limit throttles a
container even when the node is idle), so this is informational. Ignore it with
`--ignore REL004` if you rely on requests alone.

## Why is this bad?
Without a limit, one busy container (a transcoder, a compiler) can take every idle core of
the node and make latency-sensitive neighbours slow; CPU requests only guarantee shares
under contention.

## Example
```yaml
resources:
  requests: {cpu: 500m}
```

## Fix
```yaml
resources:
  requests: {cpu: 500m}
  limits: {cpu: "2"}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    super::missing_resource(cx, out, "limits", "cpu");
}
