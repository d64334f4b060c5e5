use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "NET005",
    name: "network-policy-selects-nothing",
    category: Category::Networking,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A NetworkPolicy's podSelector matches no pods of the input",
    fix: "make `spec.podSelector` match the pod template labels of the workloads it should isolate",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports NetworkPolicies with a non-empty `podSelector` that matches the pod template of no
workload in their namespace, when the input holds workloads in that namespace. An empty
`podSelector` selects every pod and is not reported. (kube-score's
`networkpolicy-targets-pod`, kube-linter's `dangling-networkpolicy`.)

## Why is this bad?
The policy isolates nothing: the pods it was written for accept traffic from anywhere.

## Example
```yaml
kind: NetworkPolicy
spec:
  podSelector:
    matchLabels: {app: postgres}   # the pods are labelled app: db
```

## Fix
```yaml
  podSelector:
    matchLabels: {app: db}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "NetworkPolicy" || obj.group() != "networking.k8s.io" {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    if cx.index.workloads_in(ns).is_empty() {
        return;
    }
    let Some(sel) = obj.value.get("spec").and_then(|s| s.get("podSelector")) else {
        return;
    };
    let selector = Selector::from_label_selector(sel);
    if selector.is_empty() {
        return;
    }
    if cx.index.select_workloads(ns, &selector).is_empty() {
        out.report(
            FieldPath::parse("spec.podSelector"),
            format!(
                "NetworkPolicy `{}` selects no pods in namespace `{ns}`",
                obj.name
            ),
        );
    }
}
