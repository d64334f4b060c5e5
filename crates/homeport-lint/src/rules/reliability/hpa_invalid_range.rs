use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL021",
    name: "hpa-invalid-range",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A HorizontalPodAutoscaler's `minReplicas` is above its `maxReplicas` (or below 1)",
    fix: "set 1 <= minReplicas <= maxReplicas",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports HorizontalPodAutoscalers whose `minReplicas` is greater than `maxReplicas`, or
whose `minReplicas` is below 1 or `maxReplicas` below 1.

## Why is this bad?
The API server rejects the object, so the workload is not autoscaled at all.

## Example
```yaml
spec:
  minReplicas: 5
  maxReplicas: 3
```

## Fix
```yaml
spec:
  minReplicas: 2
  maxReplicas: 5
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let spec = obj.value.get("spec");
    let min = spec
        .and_then(|s| s.get("minReplicas"))
        .and_then(Value::as_i64);
    let Some(max) = spec
        .and_then(|s| s.get("maxReplicas"))
        .and_then(Value::as_i64)
    else {
        return;
    };
    if max < 1 {
        out.report(
            FieldPath::parse("spec.maxReplicas"),
            format!("`maxReplicas: {max}` must be at least 1"),
        );
    }
    if let Some(min) = min {
        if min < 1 {
            out.report(
                FieldPath::parse("spec.minReplicas"),
                format!("`minReplicas: {min}` must be at least 1 (scale to zero needs KEDA or the HPAScaleToZero feature gate)"),
            );
        } else if min > max {
            out.report(
                FieldPath::parse("spec.minReplicas"),
                format!("`minReplicas: {min}` is above `maxReplicas: {max}`"),
            );
        }
    }
}
