use crate::index::service_selector;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET002",
    name: "service-target-port-undeclared",
    category: Category::Networking,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A Service's targetPort is not a port of the pods it selects",
    fix: "set `targetPort` to a port name or number from the selected containers' `ports`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks each `targetPort` of a Service against the ports of the containers of the workloads
it selects. A port name that none of them declares is an error (the Service has no
endpoints for that port). A port number that none declares, when they declare other ports,
is informational (traffic still flows if the process listens there, but it usually means the
port changed in one place only). When `targetPort` is unset it defaults to `port`.

## Why is this bad?
Traffic to the Service port goes nowhere: connection refused, or 503 behind an Ingress.

## Example
```yaml
kind: Service
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
---
kind: Deployment
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          ports: [{name: web, containerPort: 8080}]
```

## Fix
```yaml
      targetPort: web
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
    let selected = cx.index.select_workloads(ns, &selector);
    if selected.is_empty() {
        return;
    }
    let workloads: Vec<_> = selected
        .iter()
        .filter_map(|&w| cx.index.object(w))
        .collect();
    let templates: Vec<_> = workloads.iter().filter_map(|w| pod_template(w)).collect();
    let containers: Vec<_> = templates.iter().flat_map(|t| t.containers()).collect();
    let declares_any = containers.iter().any(|c| !c.ports().is_empty());
    let Some(ports) = obj
        .value
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(Value::as_array)
    else {
        return;
    };
    for (i, p) in ports.iter().enumerate() {
        let explicit = PortRef::read(p.get("targetPort"));
        let Some(target) = explicit.clone().or_else(|| PortRef::read(p.get("port"))) else {
            continue;
        };
        let path = if explicit.is_some() {
            FieldPath::parse("spec.ports").index(i).key("targetPort")
        } else {
            FieldPath::parse("spec.ports").index(i)
        };
        match &target {
            PortRef::Name(name) => {
                if !containers.iter().any(|c| c.has_port_named(name)) {
                    out.report(
                        path,
                        format!("targetPort `{name}` is not a port name of the pods Service `{}` selects", obj.name),
                    );
                }
            }
            PortRef::Number(n) => {
                if declares_any && !containers.iter().any(|c| c.has_port_number(*n)) {
                    out.report(
                        path,
                        format!(
                            "targetPort {n} is not declared by the pods Service `{}` selects",
                            obj.name
                        ),
                    )
                    .with_severity(Severity::Info);
                }
            }
        }
    }
}
