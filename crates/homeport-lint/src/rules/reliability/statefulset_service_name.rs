use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL026",
    name: "statefulset-service-name",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A StatefulSet's `serviceName` is missing, unknown, or not a headless Service of its pods",
    fix: "point `serviceName` at a headless Service (`clusterIP: None`) that selects the StatefulSet's pods",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports StatefulSets without `serviceName`, and, when the input holds Services in the
namespace, StatefulSets whose `serviceName` names no Service of the input, a Service that
is not headless (`clusterIP: None`), or one that does not select the StatefulSet's pods.
(kube-score's `statefulset-has-servicename`.)

## Why is this bad?
The governing headless Service gives each pod its stable DNS name
(`db-0.db.media.svc.cluster.local`); without it, peers and clients that address pods by
name (database replication, Elasticsearch, RabbitMQ clusters) cannot find them.

## Example
```yaml
kind: StatefulSet
spec:
  serviceName: db
---
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
```

## Fix
```yaml
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "StatefulSet" || obj.group() != "apps" {
        return;
    }
    let name = obj
        .value
        .get("spec")
        .and_then(|s| s.get("serviceName"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        out.report(
            FieldPath::parse("spec"),
            format!("StatefulSet `{}` has no serviceName", obj.name),
        );
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    if cx.index.of_kind_in(ns, "Service").is_empty() {
        return;
    }
    let path = FieldPath::parse("spec.serviceName");
    let Some(svc) = cx.index.find(ns, "Service", name) else {
        out.report(
            path,
            format!("Service `{name}` is not in namespace `{ns}` of the input"),
        );
        return;
    };
    let headless = svc
        .value
        .get("spec")
        .and_then(|s| s.get("clusterIP"))
        .and_then(Value::as_str)
        == Some("None");
    if !headless {
        out.report(
            path,
            format!("Service `{name}` is not headless (`clusterIP: None`)"),
        );
        return;
    }
    if let Some(sel) = crate::index::service_selector(svc) {
        if !sel.matches(template(cx, out).and_then(|t| t.labels())) {
            out.report(
                path,
                format!("Service `{name}` does not select this StatefulSet's pods"),
            );
        }
    }
}
