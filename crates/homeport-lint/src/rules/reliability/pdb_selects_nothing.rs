use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "REL017",
    name: "pdb-selects-nothing",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A PodDisruptionBudget selects no pods of the input",
    fix: "make the budget's selector match the labels of the pods it protects",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports PodDisruptionBudgets whose selector matches the pod template of no workload in
their namespace, when the input has workloads in that namespace.

## Why is this bad?
The budget protects nothing: the workload it was written for is evicted without limits.
Usually a label was renamed in one place only.

## Example
```yaml
spec:
  selector:
    matchLabels: {app: db}   # the StatefulSet's pods are labelled app: postgres
```

## Fix
```yaml
spec:
  selector:
    matchLabels: {app: postgres}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    if cx.index.workloads_in(ns).is_empty() {
        return;
    }
    let Some(selector) = obj.value.get("spec").and_then(|s| s.get("selector")) else {
        return;
    };
    if cx
        .index
        .select_workloads(ns, &Selector::from_label_selector(selector))
        .is_empty()
    {
        out.report(
            FieldPath::parse("spec.selector"),
            format!(
                "PodDisruptionBudget `{}` selects no pods in namespace `{ns}`",
                obj.name
            ),
        );
    }
}
