use crate::index::service_selector;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET001",
    name: "service-selects-nothing",
    category: Category::Networking,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Service's selector matches no pods of the input",
    fix: "make the Service's selector match the pod template labels of its workload",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Services whose `selector` matches the pod template of no workload in their
namespace, when the input holds workloads in that namespace. Services without a selector
(endpoints managed by hand, ExternalName) are not reported. (kube-linter's
`dangling-service`, kube-score's `service-targets-pod`.)

## Why is this bad?
The Service has no endpoints: connections to it are refused or time out, and an Ingress in
front of it answers 503.

## Example
```yaml
kind: Service
spec:
  selector: {app: api}
---
kind: Deployment
spec:
  template:
    metadata:
      labels: {app: backend}
```

## Fix
```yaml
kind: Service
spec:
  selector: {app: backend}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let Some(selector) = service_selector(obj) else {
        return;
    };
    let ns = cx.index.namespace(out.object_index());
    if cx.index.workloads_in(ns).is_empty() {
        return;
    }
    if cx.index.select_workloads(ns, &selector).is_empty() {
        let labels: Vec<String> = selector
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.report(
            FieldPath::parse("spec.selector"),
            format!(
                "Service `{}` selects `{}`, which no pod template in namespace `{ns}` carries",
                obj.name,
                labels.join(",")
            ),
        );
    }
}
