//! The authentication a pod's Ingress keeps from its Compose routers' Traefik middlewares:
//! for Traefik, `Middleware` objects (traefik.io/v1alpha1), the Secret of a basicAuth
//! middleware's users and the Ingress annotation that names them; for ingress-nginx, its
//! `auth-*` annotations.

use crate::{base64, meta};
use homeport_plan::{MiddlewareSpec, Plan, PodPlan};
use serde_json::{json, Map, Value};

/// The objects `pod`'s Ingress needs (Middlewares and Secrets), and its annotations.
pub fn for_ingress(plan: &Plan, pod: &PodPlan) -> (Vec<Value>, Map<String, Value>) {
    if plan.cluster.ingress.class_name == "nginx" {
        return nginx(plan, pod);
    }
    let mut annotations = Map::new();
    annotations.insert(
        "traefik.ingress.kubernetes.io/router.middlewares".into(),
        json!(annotation(pod)),
    );
    (traefik_objects(plan, pod), annotations)
}

/// The Middlewares of `pod` (and the Secrets their users live in), in order.
fn traefik_objects(plan: &Plan, pod: &PodPlan) -> Vec<Value> {
    let mut out = Vec::new();
    for m in &pod.middlewares {
        let spec = match &m.spec {
            MiddlewareSpec::External => continue,
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

/// ingress-nginx: basic authentication from a Secret (key `auth`, htpasswd lines) and an
/// external auth URL (at most one of each: the planner keeps no more).
fn nginx(plan: &Plan, pod: &PodPlan) -> (Vec<Value>, Map<String, Value>) {
    const PREFIX: &str = "nginx.ingress.kubernetes.io/";
    let mut objects = Vec::new();
    let mut annotations = Map::new();
    for m in &pod.middlewares {
        match &m.spec {
            MiddlewareSpec::BasicAuth { users, realm, .. } => {
                let secret = format!("{}-users", m.name);
                let mut lines = users.join("\n");
                lines.push('\n');
                objects.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta::metadata(plan, pod, &secret), "type": "Opaque", "data": {"auth": base64::encode(lines.as_bytes())}}));
                annotations.insert(format!("{PREFIX}auth-type"), json!("basic"));
                annotations.insert(format!("{PREFIX}auth-secret"), json!(secret));
                annotations.insert(
                    format!("{PREFIX}auth-realm"),
                    json!(realm.as_deref().unwrap_or("Authentication Required")),
                );
            }
            MiddlewareSpec::ForwardAuth {
                address,
                auth_response_headers,
                ..
            } => {
                annotations.insert(format!("{PREFIX}auth-url"), json!(address));
                if !auth_response_headers.is_empty() {
                    annotations.insert(
                        format!("{PREFIX}auth-response-headers"),
                        json!(auth_response_headers.join(",")),
                    );
                }
            }
            MiddlewareSpec::External => {}
        }
    }
    (objects, annotations)
}

/// `traefik.ingress.kubernetes.io/router.middlewares`: `<namespace>-<name>@kubernetescrd`,
/// in order.
fn annotation(pod: &PodPlan) -> String {
    pod.middlewares
        .iter()
        .map(|m| format!("{}-{}@kubernetescrd", pod.namespace, m.name))
        .collect::<Vec<_>>()
        .join(",")
}
