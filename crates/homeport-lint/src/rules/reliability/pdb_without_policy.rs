use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL018",
    name: "pdb-without-policy",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A PodDisruptionBudget sets neither `minAvailable` nor `maxUnavailable`",
    fix: "set `maxUnavailable: 1` (or a `minAvailable`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports PodDisruptionBudgets without `minAvailable` and without `maxUnavailable`.
(kube-score's `poddisruptionbudget-has-policy`.)

## Why is this bad?
The budget states no policy: what it allows depends on API defaults that differed
between `policy/v1beta1` and `policy/v1`, and nobody reading it can tell what was
intended.

## Example
```yaml
spec:
  selector:
    matchLabels: {app: web}
```

## Fix
```yaml
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    let spec = obj.value.get("spec");
    let has = |k: &str| spec.and_then(|s| s.get(k)).is_some_and(|v| !v.is_null());
    if !has("minAvailable") && !has("maxUnavailable") {
        out.report(
            FieldPath::parse("spec"),
            format!(
                "PodDisruptionBudget `{}` sets neither minAvailable nor maxUnavailable",
                obj.name
            ),
        );
    }
}
