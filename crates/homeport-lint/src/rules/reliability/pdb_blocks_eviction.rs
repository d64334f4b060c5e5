use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "REL016",
    name: "pdb-blocks-eviction",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A PodDisruptionBudget allows no disruption at all",
    fix: "allow at least one pod to be disrupted: `maxUnavailable: 1`, or `minAvailable` below the replica count",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports PodDisruptionBudgets that can never be satisfied during an eviction:
`maxUnavailable: 0` or `0%`, `minAvailable: 100%`, or a `minAvailable` at or above the
replica count of every workload it selects (from the input). (kube-linter's
`pdbs-max-unavailable` and `pdbs-min-available`.)

## Why is this bad?
`kubectl drain` waits forever: node maintenance, k3s upgrades and the gaming guard's
evictions hang until someone deletes the budget by hand. A single-replica workload with
`minAvailable: 1` is the usual case.

## Example
```yaml
kind: Deployment
spec:
  replicas: 1
---
kind: PodDisruptionBudget
spec:
  minAvailable: 1
```

## Fix
```yaml
kind: PodDisruptionBudget
spec:
  maxUnavailable: 1
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "PodDisruptionBudget" {
        return;
    }
    let Some(spec) = obj.value.get("spec") else {
        return;
    };
    match spec.get("maxUnavailable") {
        Some(Value::Number(n)) if n.as_i64() == Some(0) => {
            out.report(
                FieldPath::parse("spec.maxUnavailable"),
                "`maxUnavailable: 0` allows no eviction",
            );
            return;
        }
        Some(Value::String(s)) if s.trim() == "0%" || s.trim() == "0" => {
            out.report(
                FieldPath::parse("spec.maxUnavailable"),
                format!("`maxUnavailable: {s}` allows no eviction"),
            );
            return;
        }
        _ => {}
    }
    let min = spec.get("minAvailable");
    if let Some(Value::String(s)) = min {
        if s.trim() == "100%" {
            out.report(
                FieldPath::parse("spec.minAvailable"),
                "`minAvailable: 100%` allows no eviction",
            );
        }
        return;
    }
    let Some(min) = min.and_then(Value::as_i64) else {
        return;
    };
    let Some(selector) = spec.get("selector") else {
        return;
    };
    let ns = cx.index.namespace(out.object_index());
    let selected = cx
        .index
        .select_workloads(ns, &Selector::from_label_selector(selector));
    let counts: Vec<(i64, Cow<'_, Object>)> = selected
        .iter()
        .filter_map(|&w| cx.index.object(w))
        .filter(|w| is_scalable(w))
        .map(|w| (replicas(&w).unwrap_or(1), w))
        .collect();
    if counts.is_empty() {
        return;
    }
    let total: i64 = counts.iter().map(|(n, _)| n).sum();
    if min >= total {
        let names: Vec<String> = counts
            .iter()
            .map(|(n, w)| format!("{} `{}` ({n})", w.kind, w.name))
            .collect();
        out.report(
            FieldPath::parse("spec.minAvailable"),
            format!(
                "`minAvailable: {min}` with {total} replica(s) in {} allows no eviction",
                names.join(", ")
            ),
        );
    }
}
