//! NetworkPolicies: per namespace a default deny plus DNS egress; per pod the ingress and
//! egress the plan allows.

use crate::meta;
use homeport_plan::cluster::Distribution;
use homeport_plan::{Plan, PodPlan, PortPlan};
use serde_json::{json, Value};

fn ns_meta(plan: &Plan, ns: &str, name: &str) -> Value {
    json!({"name": name, "namespace": ns, "labels": meta::namespace_labels(plan)})
}

pub fn namespace_policies(plan: &Plan, ns: &str) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": ns_meta(plan, ns, "default-deny"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        }),
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": ns_meta(plan, ns, "allow-dns"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [{
                    "to": [{
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }],
            },
        }),
    ]
}

fn ports(ps: &[PortPlan]) -> Vec<Value> {
    ps.iter()
        .map(|p| json!({"protocol": p.protocol, "port": p.target}))
        .collect()
}

fn project_namespaces(plan: &Plan) -> Value {
    json!({"matchLabels": {"app.kubernetes.io/part-of": meta::instance(plan)}})
}

fn pod_peer(plan: &Plan, ns: &str, name: &str) -> Value {
    json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": meta::instance(plan)}},
    })
}

/// The inventory's ingress controller pods (`ingress.controller`, or the class's usual
/// install): the peer admitted to the ports Ingresses route to.
fn ingress_controller_peer(plan: &Plan) -> Value {
    let c = plan.cluster.ingress.controller();
    let mut peer = json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": c.namespace}},
    });
    if !c.pod_labels.is_empty() {
        peer["podSelector"] = json!({ "matchLabels": c.pod_labels });
    }
    peer
}

pub fn pod_policy(plan: &Plan, pod: &PodPlan) -> Option<Value> {
    if pod.host_network {
        return None; // NetworkPolicies do not apply to host-network pods
    }
    let net = &pod.network;
    let mut ingress: Vec<Value> = Vec::new();
    if !pod.ports.is_empty() {
        let mut from: Vec<Value> = Vec::new();
        if net.from_networks {
            for n in &net.networks {
                from.push(json!({
                    "namespaceSelector": project_namespaces(plan),
                    "podSelector": {"matchLabels": {format!("net.homeport.dev/{n}"): "true"}},
                }));
            }
        }
        for (ns, name) in &net.from_pods {
            from.push(pod_peer(plan, ns, name));
        }
        if !from.is_empty() {
            ingress.push(json!({"from": from, "ports": ports(&pod.ports)}));
        }
        if net.from_ingress_controller {
            // Two rules: the ports its Ingress routes to, and the ports the controller calls
            // to authenticate requests for other pods (forwardAuth), which stay open whether
            // or not this pod is exposed itself.
            let mut route_ports: Vec<PortPlan> = Vec::new();
            let mut auth_ports: Vec<PortPlan> = Vec::new();
            for r in &pod.ingresses {
                if let Some(p) = pod.ports.iter().find(|p| p.port == r.port) {
                    if !route_ports.contains(p) {
                        route_ports.push(p.clone());
                    }
                }
            }
            for port in &pod.forward_auth_ports {
                if let Some(p) = pod.ports.iter().find(|p| p.port == *port) {
                    if !route_ports.contains(p) && !auth_ports.contains(p) {
                        auth_ports.push(p.clone());
                    }
                }
            }
            let controller = ingress_controller_peer(plan);
            for list in [route_ports, auth_ports] {
                if !list.is_empty() {
                    ingress.push(json!({"from": [controller], "ports": ports(&list)}));
                }
            }
        }
    }
    if let (Some(m), false) = (&plan.cluster.monitoring, pod.metrics_ports.is_empty()) {
        let ports: Vec<Value> = pod
            .metrics_ports
            .iter()
            .map(|p| json!({"protocol": "TCP", "port": p}))
            .collect();
        ingress.push(json!({
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": m.prometheus_namespace()}}}],
            "ports": ports,
        }));
    }
    if !net.from_anywhere_ports.is_empty() {
        ingress.push(json!({"ports": ports(&net.from_anywhere_ports)}));
    }

    let mut egress: Vec<Value> = Vec::new();
    if net.to_networks && !net.networks.is_empty() {
        let to: Vec<Value> = net
            .networks
            .iter()
            .map(|n| json!({"namespaceSelector": project_namespaces(plan), "podSelector": {"matchLabels": {format!("net.homeport.dev/{n}"): "true"}}}))
            .collect();
        egress.push(json!({"to": to}));
    }
    for (ns, name, ps) in &net.to_pods {
        egress.push(json!({"to": [pod_peer(plan, ns, name)], "ports": ports(ps)}));
    }
    let except: Vec<&str> = match plan.cluster.distribution {
        Distribution::K3s => vec!["10.42.0.0/16", "10.43.0.0/16"],
        Distribution::Kubernetes => vec![],
    };
    let mut v4 = json!({"cidr": "0.0.0.0/0"});
    if !except.is_empty() {
        v4["except"] = json!(except);
    }
    if net.internet_egress {
        egress.push(json!({"to": [{"ipBlock": v4}, {"ipBlock": {"cidr": "::/0"}}]}));
    } else if plan
        .tenancy
        .account(&pod.namespace, &pod.name)
        .is_some_and(|sa| sa.needs_token())
    {
        // An API client without internet egress still reaches the API server (the nodes'
        // 6443 on k3s, 443 elsewhere; policies see the address after the Service's DNAT).
        egress.push(json!({"to": [{"ipBlock": v4}, {"ipBlock": {"cidr": "::/0"}}], "ports": [{"protocol": "TCP", "port": 6443}, {"protocol": "TCP", "port": 443}]}));
    }
    if ingress.is_empty() && egress.is_empty() {
        return None;
    }
    let mut spec = json!({
        "podSelector": {"matchLabels": meta::selector(plan, pod)},
        "policyTypes": ["Ingress", "Egress"],
    });
    if !ingress.is_empty() {
        spec["ingress"] = json!(ingress);
    }
    if !egress.is_empty() {
        spec["egress"] = json!(egress);
    }
    Some(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta::metadata(plan, pod, &pod.name),
        "spec": spec,
    }))
}
