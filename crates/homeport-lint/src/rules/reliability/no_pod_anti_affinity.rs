use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "REL014",
    name: "no-pod-anti-affinity",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Replicas of a workload may all land on one node",
    fix: "add a podAntiAffinity (or a topologySpreadConstraint) on `kubernetes.io/hostname` that selects the workload's own pods",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Deployments and StatefulSets with more than one replica whose pods have neither a
pod anti-affinity nor a topology spread constraint on `kubernetes.io/hostname` that selects
their own pods. (kube-linter's `no-anti-affinity`, kube-score's
`deployment-has-host-podantiaffinity`.)

## Why is this bad?
The scheduler may put every replica on the same node; when that node reboots (or its owner
starts a game), all replicas go at once and the redundancy was for nothing.

## Example
```yaml
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: web}
```

## Fix
```yaml
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: web}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels: {app: web}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet") || !is_scalable(obj) {
        return;
    }
    let n = replicas(obj).unwrap_or(1);
    if n < 2 {
        return;
    }
    let Some(t) = template(cx, out) else { return };
    let labels = t.labels();
    let selects_self = |term: &Value| {
        term.get("topologyKey").and_then(Value::as_str) == Some("kubernetes.io/hostname")
            && term
                .get("labelSelector")
                .is_some_and(|s| Selector::from_label_selector(s).matches(labels))
    };
    let anti = t.get("affinity").and_then(|a| a.get("podAntiAffinity"));
    let required = anti
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_array)
        .is_some_and(|terms| terms.iter().any(selects_self));
    let preferred = anti
        .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_array)
        .is_some_and(|terms| {
            terms
                .iter()
                .filter_map(|w| w.get("podAffinityTerm"))
                .any(selects_self)
        });
    let spread = t
        .get("topologySpreadConstraints")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(selects_self));
    if !(required || preferred || spread) {
        out.report(
            FieldPath::parse("spec.replicas"),
            format!("{n} replicas with no anti-affinity or spread across nodes"),
        );
    }
}
