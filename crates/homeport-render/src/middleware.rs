//! Traefik `Middleware` objects (traefik.io/v1alpha1) a pod's Ingress uses, the Secret of a
//! basicAuth middleware's users, and the Ingress annotation that names them.

use crate::{base64, meta};
use homeport_plan::{MiddlewareSpec, Plan, PodPlan};
use serde_json::{json, Map, Value};

/// The Middlewares of `pod` (and the Secrets their users live in), in order.
pub fn objects(plan: &Plan, pod: &PodPlan) -> Vec<Value> {
    let mut out = Vec::new();
    for m in &pod.middlewares {
        let spec = match &m.spec {
            MiddlewareSpec::BasicAuth {
                users,
                realm,
                remove_header,
                header_field,
            } => {
                let secret = format!("{}-users", m.name);
                let mut lines = users.join("\n");
                lines.push('\n');
                out.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta::metadata(plan, pod, &secret), "type": "Opaque", "data": {"users": base64::encode(lines.as_bytes())}}));
                let mut basic = Map::new();
                basic.insert("secret".into(), json!(secret));
                if let Some(r) = realm {
                    basic.insert("realm".into(), json!(r));
                }
                if *remove_header {
                    basic.insert("removeHeader".into(), json!(true));
                }
                if let Some(h) = header_field {
                    basic.insert("headerField".into(), json!(h));
                }
                json!({"basicAuth": basic})
            }
            MiddlewareSpec::ForwardAuth {
                address,
                trust_forward_header,
                auth_response_headers,
                auth_request_headers,
                auth_response_headers_regex,
            } => {
                let mut forward = Map::new();
                forward.insert("address".into(), json!(address));
                if *trust_forward_header {
                    forward.insert("trustForwardHeader".into(), json!(true));
                }
                if !auth_response_headers.is_empty() {
                    forward.insert("authResponseHeaders".into(), json!(auth_response_headers));
                }
                if !auth_request_headers.is_empty() {
                    forward.insert("authRequestHeaders".into(), json!(auth_request_headers));
                }
                if let Some(r) = auth_response_headers_regex {
                    forward.insert("authResponseHeadersRegex".into(), json!(r));
                }
                json!({"forwardAuth": forward})
            }
        };
        out.push(json!({"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": meta::metadata(plan, pod, &m.name), "spec": spec}));
    }
    out
}

/// `traefik.ingress.kubernetes.io/router.middlewares`: `<namespace>-<name>@kubernetescrd`,
/// in order.
pub fn annotation(pod: &PodPlan) -> String {
    pod.middlewares
        .iter()
        .map(|m| format!("{}-{}@kubernetescrd", pod.namespace, m.name))
        .collect::<Vec<_>>()
        .join(",")
}
