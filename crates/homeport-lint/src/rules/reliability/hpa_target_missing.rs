use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL019",
    name: "hpa-target-missing",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A HorizontalPodAutoscaler targets an object that is not in the input",
    fix: "fix `scaleTargetRef` (apiVersion, kind, name) to name the workload",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports HorizontalPodAutoscalers whose `scaleTargetRef` names a Deployment, StatefulSet,
ReplicaSet or ReplicationController that is not in the input, when the input holds
workloads in that namespace. (kube-score's `horizontalpodautoscaler-has-target`,
kube-linter's `dangling-horizontalpodautoscaler`.)

## Why is this bad?
The autoscaler does nothing and reports `FailedGetScale`; the workload it was meant for is
not scaled.

## Example
```yaml
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: transcoder-worker   # the Deployment is called transcoder
```

## Fix
```yaml
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: transcoder
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    if cx.index.workloads_in(ns).is_empty() {
        return;
    }
    let Some(target) = obj.value.get("spec").and_then(|s| s.get("scaleTargetRef")) else {
        return;
    };
    let kind = target.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = target.get("name").and_then(Value::as_str).unwrap_or("");
    if !matches!(
        kind,
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    ) {
        return; // custom scalable resources (Argo Rollouts, ...) are not ours to judge
    }
    if !cx.index.contains(ns, kind, name) {
        out.report(
            FieldPath::parse("spec.scaleTargetRef.name"),
            format!("{kind} `{name}` is not in namespace `{ns}` of the input"),
        );
    }
}
