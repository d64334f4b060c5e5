use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "REL030",
    name: "topology-spread-selects-nothing",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A topology spread constraint does not select the pod's own labels",
    fix: "give the constraint a `labelSelector` that matches the pod template's labels",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `topologySpreadConstraints` without a `labelSelector`, or whose selector does not
match the labels of the pod template it is in. (kube-score's
`pod-topology-spread-constraints`.)

## Why is this bad?
The scheduler counts the pods the selector matches in each topology domain. A selector
that does not match the workload's own pods counts nothing, so the constraint spreads
nothing: all replicas can still land on one node.

## Example
```yaml
metadata:
  labels: {app: web}
spec:
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels: {app: frontend}
```

## Fix
```yaml
      labelSelector:
        matchLabels: {app: web}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let Some(constraints) = t.get("topologySpreadConstraints").and_then(Value::as_array) else {
        return;
    };
    for (i, c) in constraints.iter().enumerate() {
        let path = t.spec_path.key("topologySpreadConstraints").index(i);
        match c.get("labelSelector") {
            None => {
                out.report(
                    path,
                    "topology spread constraint has no labelSelector, so it counts no pods",
                );
            }
            Some(sel) => {
                if !Selector::from_label_selector(sel).matches(t.labels()) {
                    out.report(
                        path.key("labelSelector"),
                        "topology spread constraint does not select this pod template's labels",
                    );
                }
            }
        }
    }
}
