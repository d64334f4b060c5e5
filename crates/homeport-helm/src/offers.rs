//! Objects the chart offers that the plan did not make, off by default so the default render
//! is unchanged: an Ingress for each service that has a Service but no Ingress
//! (`<service>.ingress.enabled`), and an autoscaler for each Deployment or StatefulSet
//! without one (`<service>.autoscaling.enabled`). They are built as the renderer builds its
//! own and go through the same parameterisation.

use crate::model::{str_at, Model};
use homeport_plan::cluster::Distribution;
use homeport_plan::Plan;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// An offered Ingress's port on the pod, for the NetworkPolicy rule that lets the
/// ingress controller in when it is enabled.
#[derive(Debug, Clone)]
pub struct OfferedRoute {
    pub target: Value,
    pub protocol: Value,
}

/// The peer the renderer lets in for the ingress controller.
pub fn ingress_controller(plan: &Plan) -> Value {
    match plan.cluster.distribution {
        Distribution::K3s => json!({
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}},
        }),
        Distribution::Kubernetes => json!({
            "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["kube-system", "ingress-nginx", "traefik"]}]},
        }),
    }
}

/// The offered objects, and the routes of the offered Ingresses by service.
pub fn offered(
    plan: &Plan,
    model: &Model,
    objects: &[Value],
) -> (Vec<Value>, BTreeMap<String, OfferedRoute>) {
    let has = |kind: &str, ns: &str, name: &str| {
        objects.iter().any(|o| {
            o["kind"] == kind
                && str_at(o, &["metadata", "namespace"]) == Some(ns)
                && str_at(o, &["metadata", "name"]) == Some(name)
        })
    };
    let mut out = Vec::new();
    let mut routes = BTreeMap::new();
    for o in objects {
        let Some(pod) = model.owner(o) else { continue };
        let ns = str_at(o, &["metadata", "namespace"]).unwrap_or("");
        let name = str_at(o, &["metadata", "name"]).unwrap_or("");
        let metadata = json!({
            "name": name,
            "namespace": ns,
            "labels": o["metadata"]["labels"],
            "annotations": {crate::SOURCE_ANNOTATION: o["metadata"]["annotations"][crate::SOURCE_ANNOTATION]},
        });
        match o["kind"].as_str() {
            // The pod's own Service (named as the pod), with an HTTP-capable TCP port.
            Some("Service")
                if model.pods.contains_key(name)
                    && str_at(o, &["spec", "type"]) == Some("ClusterIP")
                    && !has("Ingress", ns, name) =>
            {
                let Some(port) = o["spec"]["ports"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["protocol"] == "TCP"))
                else {
                    continue;
                };
                let host = format!("{name}.{}", plan.cluster.domain);
                let mut ingress = json!({
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": metadata,
                    "spec": {
                        "ingressClassName": plan.cluster.ingress.class_name,
                        "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": name, "port": {"number": port["port"]}}}}]}}],
                    },
                });
                if let Some(issuer) = &plan.cluster.ingress.issuer {
                    ingress["spec"]["tls"] =
                        json!([{"hosts": [host], "secretName": format!("{name}-tls")}]);
                    ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] =
                        json!(issuer);
                }
                routes.insert(
                    pod.service.clone(),
                    OfferedRoute {
                        target: port["targetPort"].clone(),
                        protocol: port["protocol"].clone(),
                    },
                );
                out.push(ingress);
            }
            Some(kind @ ("Deployment" | "StatefulSet"))
                if !has("HorizontalPodAutoscaler", ns, name) =>
            {
                let n = o["spec"]["replicas"].as_u64().unwrap_or(1).max(1);
                out.push(json!({
                    "apiVersion": "autoscaling/v2",
                    "kind": "HorizontalPodAutoscaler",
                    "metadata": metadata,
                    "spec": {
                        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                        "minReplicas": n,
                        "maxReplicas": n * 3,
                        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
                    },
                }));
            }
            _ => {}
        }
    }
    (out, routes)
}
