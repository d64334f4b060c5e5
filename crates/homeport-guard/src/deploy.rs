//! The guard's manifests for the bootstrap command: a namespace (privileged: the guard needs
//! `hostPID`), a ServiceAccount with the least RBAC it needs (get/patch nodes, list pods,
//! create pods/eviction), a ConfigMap with the opportunistic nodes' gaming hints, and a
//! DaemonSet on exactly the opportunistic nodes; NVIDIA nodes get a second DaemonSet that
//! runs with the NVIDIA runtime class, which mounts the driver's NVML library.

use homeport_plan::cluster::{Availability, Cluster, GpuVendor, NodeDef};
use serde_json::{json, Value};

pub const NAME: &str = "homeport-guard";
/// Port of `/metrics` in the pod.
pub const METRICS_PORT: u16 = 9477;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOptions {
    pub namespace: String,
    /// The homeport image (the guard is `homeport guard run`).
    pub image: String,
}

impl DeployOptions {
    pub fn new(image: &str) -> DeployOptions {
        DeployOptions {
            namespace: "homeport-system".to_string(),
            image: image.to_string(),
        }
    }
}

fn labels() -> Value {
    json!({"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "homeport"})
}

/// Every object for the guard; empty when the cluster has no opportunistic node.
pub fn manifests(cluster: &Cluster, options: &DeployOptions) -> Vec<Value> {
    let nodes: Vec<&NodeDef> = cluster
        .nodes
        .iter()
        .filter(|n| n.availability == Availability::Opportunistic)
        .collect();
    if nodes.is_empty() {
        return Vec::new();
    }
    let ns = options.namespace.as_str();
    let md = |name: &str| json!({"name": name, "namespace": ns, "labels": labels()});
    let mut out = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {
            "app.kubernetes.io/part-of": "homeport",
            // hostPID (to see the player's processes) is only allowed at `privileged`.
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/warn": "privileged",
            "pod-security.kubernetes.io/audit": "privileged",
        }}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md(NAME), "automountServiceAccountToken": true}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": NAME, "labels": labels()}, "rules": [
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "watch", "patch"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
            {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
        ]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": NAME, "labels": labels()},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": ns}]}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": md(NAME), "data": {"cluster.yaml": inventory(cluster, &nodes)}}),
    ];
    let (nvidia, other): (Vec<&NodeDef>, Vec<&NodeDef>) = nodes
        .iter()
        .partition(|n| n.gpus.iter().any(|g| g.vendor == GpuVendor::Nvidia));
    if !other.is_empty() {
        out.push(daemonset(options, NAME, &other, false));
    }
    if !nvidia.is_empty() {
        out.push(daemonset(options, &format!("{NAME}-nvidia"), &nvidia, true));
    }
    out
}

/// The inventory the guard reads (`--cluster`): every node by name, architecture and role
/// (so it is a valid inventory: one node can run the control plane), with the gaming hints of
/// the opportunistic ones (JSON, which the inventory loader reads as YAML).
fn inventory(cluster: &Cluster, nodes: &[&NodeDef]) -> String {
    let nodes: Vec<Value> = cluster
        .nodes
        .iter()
        .map(|n| {
            if !nodes.iter().any(|o| o.name == n.name) {
                return json!({"name": n.name, "arch": n.arch.as_str(), "roles": n.roles});
            }
            let mut gaming = json!({"processes": n.gaming_processes, "schedule": n.gaming_schedule});
            if let Some(h) = &n.gaming_hold {
                gaming["hold"] = json!(h);
            }
            json!({"name": n.name, "arch": n.arch.as_str(), "availability": "opportunistic", "gaming": gaming})
        })
        .collect();
    let doc = json!({"apiVersion": "homeport.dev/v1alpha1", "kind": "Cluster", "metadata": {"name": cluster.name}, "spec": {"nodes": nodes}});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

fn daemonset(options: &DeployOptions, name: &str, nodes: &[&NodeDef], nvidia: bool) -> Value {
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let mut selector = labels();
    selector["app.kubernetes.io/component"] = json!(if nvidia { "nvidia" } else { "default" });
    let mut env = vec![
        json!({"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}),
    ];
    if nvidia {
        // The NVIDIA container runtime mounts libnvidia-ml.so.1 for the `utility` capability;
        // no GPU is requested, the game keeps it.
        env.push(json!({"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"}));
        env.push(json!({"name": "NVIDIA_DRIVER_CAPABILITIES", "value": "utility"}));
    }
    let mut spec = json!({
        "serviceAccountName": NAME,
        "hostPID": true,
        "enableServiceLinks": false,
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": names}]}]}}},
        // It runs where only preemptible work may land, and stays while someone games.
        "tolerations": [
            {"key": "homeport.dev/opportunistic", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "homeport.dev/gaming", "operator": "Exists", "effect": "NoSchedule"},
        ],
        "containers": [{
            "name": "guard",
            "image": options.image,
            "args": ["guard", "run", "--node", "$(NODE_NAME)", "--cluster", "/etc/homeport/cluster.yaml", "--metrics", format!("0.0.0.0:{METRICS_PORT}"), "--socket", "/run/homeport/guard.sock"],
            "env": env,
            "ports": [{"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
            "securityContext": {
                // Root for the host socket directory; nothing else: no capabilities, read-only root.
                "runAsUser": 0,
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "livenessProbe": {"httpGet": {"path": "/metrics", "port": "metrics"}, "periodSeconds": 30},
            "volumeMounts": [
                {"name": "config", "mountPath": "/etc/homeport", "readOnly": true},
                {"name": "run", "mountPath": "/run/homeport"},
            ],
        }],
        "volumes": [
            {"name": "config", "configMap": {"name": NAME}},
            // `homeport guard on|off|auto` on the host reaches the guard here.
            {"name": "run", "hostPath": {"path": "/run/homeport", "type": "DirectoryOrCreate"}},
        ],
    });
    if nvidia {
        spec["runtimeClassName"] = json!("nvidia");
    }
    let mut metadata = json!({"name": name, "namespace": options.namespace, "labels": labels()});
    metadata["labels"]["app.kubernetes.io/component"] =
        selector["app.kubernetes.io/component"].clone();
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": metadata,
        "spec": {
            "selector": {"matchLabels": selector},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {"metadata": {"labels": selector}, "spec": spec},
        },
    })
}
