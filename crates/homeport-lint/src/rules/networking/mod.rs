//! `networking`: references between objects: Services to pods and ports, Ingresses to
//! Services, NetworkPolicies to pods. A reference is only judged when the input holds the
//! kind of object it points at in that namespace (linting one file alone does not report
//! everything as dangling).

pub mod ingress_nginx_body_size;
pub mod ingress_service_missing;
pub mod ingress_service_port_missing;
pub mod network_policy_selects_nothing;
pub mod pod_not_isolated;
pub mod service_selects_nothing;
pub mod service_target_port_undeclared;

use crate::rules::prelude::*;

/// Every Ingress backend service reference: (path of `service`, name, port) for
/// `networking.k8s.io/v1` (`service.name`, `service.port.number|name`) and the old
/// `serviceName`/`servicePort` form.
pub(crate) fn ingress_backends(obj: &Object) -> Vec<(FieldPath, String, Option<PortRef>)> {
    let mut out = Vec::new();
    let Some(spec) = obj.value.get("spec") else {
        return out;
    };
    let mut visit = |backend: &Value, path: FieldPath| {
        if let Some(svc) = backend.get("service") {
            let name = svc
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let port = svc.get("port").and_then(|p| {
                PortRef::read(p.get("number")).or_else(|| PortRef::read(p.get("name")))
            });
            out.push((path.key("service"), name, port));
        } else if let Some(name) = backend.get("serviceName").and_then(Value::as_str) {
            out.push((
                path.key("serviceName"),
                name.to_string(),
                PortRef::read(backend.get("servicePort")),
            ));
        }
    };
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.get(key) {
            visit(b, FieldPath::root().key("spec").key(key));
        }
    }
    if let Some(rules) = spec.get("rules").and_then(Value::as_array) {
        for (i, rule) in rules.iter().enumerate() {
            let Some(paths) = rule
                .get("http")
                .and_then(|h| h.get("paths"))
                .and_then(Value::as_array)
            else {
                continue;
            };
            for (j, p) in paths.iter().enumerate() {
                if let Some(b) = p.get("backend") {
                    visit(
                        b,
                        FieldPath::parse("spec.rules")
                            .index(i)
                            .join("http.paths")
                            .index(j)
                            .key("backend"),
                    );
                }
            }
        }
    }
    out
}

/// Whether the object is an Ingress of a built-in group.
pub(crate) fn is_ingress(obj: &Object) -> bool {
    obj.kind == "Ingress" && matches!(obj.group(), "networking.k8s.io" | "extensions")
}
