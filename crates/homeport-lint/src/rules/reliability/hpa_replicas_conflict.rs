use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL020",
    name: "hpa-replicas-conflict",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A workload scaled by an autoscaler also sets `spec.replicas`",
    fix: "remove `spec.replicas` from the workload; the autoscaler owns it",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Deployments and StatefulSets that a HorizontalPodAutoscaler of the input targets
and that set `spec.replicas` anyway, and says so more loudly when the value is outside the
autoscaler's `minReplicas`..`maxReplicas`. (kube-score's
`deployment-targeted-by-hpa-does-not-have-replicas-configured`.)

## Why is this bad?
Every `kubectl apply` (or GitOps sync) resets the replica count to the manifest's value,
undoing the autoscaler: a scaled-out workload drops back to 1 replica under load until the
autoscaler notices again.

## Example
```yaml
kind: Deployment
spec:
  replicas: 1
---
kind: HorizontalPodAutoscaler
spec:
  minReplicas: 2
  maxReplicas: 10
```

## Fix
Remove `replicas` from the Deployment.
"#,
};

/// The HorizontalPodAutoscaler of the input that targets `obj`, if any.
pub(crate) fn autoscaler_of<'a>(cx: &Context<'a>, ns: &str, obj: &Object) -> Option<&'a Object> {
    cx.index
        .of_kind_in(ns, "HorizontalPodAutoscaler")
        .iter()
        .filter_map(|&h| cx.index.whole(h))
        .find(|h| {
            let t = h.value.get("spec").and_then(|s| s.get("scaleTargetRef"));
            t.and_then(|t| t.get("kind")).and_then(Value::as_str) == Some(obj.kind.as_str())
                && t.and_then(|t| t.get("name")).and_then(Value::as_str) == Some(obj.name.as_str())
        })
}

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !is_scalable(obj) {
        return;
    }
    let Some(n) = replicas(obj) else { return };
    let ns = cx.index.namespace(out.object_index());
    let Some(hpa) = autoscaler_of(cx, ns, obj) else {
        return;
    };
    let spec = hpa.value.get("spec");
    let min = spec
        .and_then(|s| s.get("minReplicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let max = spec
        .and_then(|s| s.get("maxReplicas"))
        .and_then(Value::as_i64);
    let outside = n < min || max.is_some_and(|m| n > m);
    let message = if outside {
        format!(
            "`replicas: {n}` is outside HorizontalPodAutoscaler `{}`'s range {min}..{}; every apply resets the scale",
            hpa.name,
            max.map_or("?".to_string(), |m| m.to_string())
        )
    } else {
        format!(
            "`replicas: {n}` fights HorizontalPodAutoscaler `{}`: every apply resets the scale",
            hpa.name
        )
    };
    out.report(FieldPath::parse("spec.replicas"), message);
}
