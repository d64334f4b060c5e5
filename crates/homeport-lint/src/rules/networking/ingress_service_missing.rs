use super::{ingress_backends, is_ingress};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET003",
    name: "ingress-service-missing",
    category: Category::Networking,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An Ingress routes to a Service that is not in the input",
    fix: "route to an existing Service, or add the Service; if an operator creates it, suppress with `homeport.dev/ignore: NET003` and say which",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Ingress backends (rules and the default backend) whose Service is not in the
input, when the input holds Services in the Ingress's namespace. (kube-score's
`ingress-targets-service`, kube-linter's `dangling-ingress`.)

Services that operators create from a custom resource are known and not reported:
`prometheus-operated`, `alertmanager-operated` and `thanos-ruler-operated` (Prometheus
Operator). For other generated Services, suppress the rule on the Ingress with a reason:

```yaml
metadata:
  annotations:
    homeport.dev/ignore: NET003
    homeport.dev/ignore-reason: "the Grafana operator creates grafana-service"
```

## Why is this bad?
The Ingress controller answers 503 (Traefik: 404) for the host and path.

## Example
```yaml
kind: Ingress
spec:
  rules:
    - host: tv.home.arpa
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: jelyfin, port: {number: 8096}}
```

## Fix
```yaml
              service: {name: jellyfin, port: {number: 8096}}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_ingress(obj) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    if cx.index.of_kind_in(ns, "Service").is_empty() {
        return;
    }
    for (path, name, _) in ingress_backends(obj) {
        if !name.is_empty()
            && !OPERATOR_SERVICES.contains(&name.as_str())
            && cx.index.find(ns, "Service", &name).is_none()
        {
            out.report(
                path,
                format!("Service `{name}` is not in namespace `{ns}` of the input"),
            );
        }
    }
}

/// Services that operators create from their custom resources (never in the input).
const OPERATOR_SERVICES: &[&str] = &[
    "prometheus-operated",
    "alertmanager-operated",
    "thanos-ruler-operated",
];
