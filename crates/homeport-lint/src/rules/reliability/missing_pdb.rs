use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL015",
    name: "missing-pdb",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A replicated workload has no PodDisruptionBudget",
    fix: "add a PodDisruptionBudget with `maxUnavailable: 1` that selects the workload's pods",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Deployments and StatefulSets with more than one replica (or an autoscaler) whose
pods no PodDisruptionBudget of the input selects. (kube-score's
`deployment-has-poddisruptionbudget` and `statefulset-has-poddisruptionbudget`.)

## Why is this bad?
`kubectl drain` (node upgrades, k3s upgrades, the gaming guard reclaiming a PC) evicts every
replica it finds on the node at once. A budget makes evictions wait until the other
replicas are ready.

## Example
```yaml
kind: Deployment
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: web}
```

## Fix
```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !is_scalable(obj) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    let autoscaled = super::hpa_replicas_conflict::autoscaler_of(cx, ns, obj).is_some();
    if replicas(obj).unwrap_or(1) < 2 && !autoscaled {
        return;
    }
    if !cx.index.covered_by_pdb(out.object_index()) {
        out.report(
            FieldPath::parse("spec.replicas"),
            format!(
                "no PodDisruptionBudget selects the pods of {} `{}`",
                obj.kind, obj.name
            ),
        );
    }
}
