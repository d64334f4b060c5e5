use super::{ingress_backends, is_ingress};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET004",
    name: "ingress-service-port-missing",
    category: Category::Networking,
    severity: Severity::Error,
    default_enabled: true,
    summary: "An Ingress routes to a port its Service does not have",
    fix: "use one of the Service's `ports` (its `port` number or its `name`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Ingress backends whose `service.port.number` is not a `port` of the Service, or
whose `service.port.name` is not the `name` of one of its ports (the Service from the
input). Note that the Ingress names the Service's port, not the container's.

## Why is this bad?
The Ingress controller has no endpoint for that port and answers 503.

## Example
```yaml
kind: Service
metadata: {name: web}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
kind: Ingress
spec:
  defaultBackend:
    service: {name: web, port: {number: 8080}}
```

## Fix
```yaml
    service: {name: web, port: {number: 80}}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_ingress(obj) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    for (path, name, port) in ingress_backends(obj) {
        let (Some(svc), Some(port)) = (cx.index.find(ns, "Service", &name), port) else {
            continue;
        };
        let ports = svc
            .value
            .get("spec")
            .and_then(|s| s.get("ports"))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let found = ports.iter().any(|p| match &port {
            PortRef::Number(n) => p.get("port").and_then(Value::as_i64) == Some(*n),
            PortRef::Name(s) => p.get("name").and_then(Value::as_str) == Some(s.as_str()),
        });
        if !found {
            let available: Vec<String> = ports
                .iter()
                .map(|p| {
                    let n = p
                        .get("port")
                        .and_then(Value::as_i64)
                        .map_or("?".into(), |n| n.to_string());
                    match p.get("name").and_then(Value::as_str) {
                        Some(name) => format!("{n} ({name})"),
                        None => n,
                    }
                })
                .collect();
            out.report(
                path.key("port"),
                format!(
                    "Service `{name}` has no port {port}; it has {}",
                    if available.is_empty() {
                        "none".to_string()
                    } else {
                        available.join(", ")
                    }
                ),
            );
        }
    }
}
