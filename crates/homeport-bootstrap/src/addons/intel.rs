//! The Intel GPU device plugin: the upstream DaemonSet (`charts/intel-gpu-plugin-*`), one per
//! `shared` value (`-shared-dev-num`: containers per GPU), on the nodes labelled for it.

use super::helm::opportunistic_tolerations;
use crate::charts::INTEL_GPU_PLUGIN_IMAGE;
use crate::labels::{gpu_label, sharing, INTEL_SHARED};
use homeport_diag::Diagnostic;
use homeport_plan::cluster::{Cluster, GpuVendor};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One DaemonSet per distinct sharing value among the Intel GPU nodes (none without any).
pub fn device_plugin(cluster: &Cluster, warnings: &mut Vec<Diagnostic>) -> Vec<Value> {
    let mut shares: BTreeSet<u32> = BTreeSet::new();
    for node in &cluster.nodes {
        if let Some(s) = sharing(node, GpuVendor::Intel, warnings) {
            shares.insert(s);
        }
    }
    let single = shares.len() == 1;
    shares
        .into_iter()
        .map(|shared| {
            let name = if single {
                "intel-gpu-plugin".to_string()
            } else {
                format!("intel-gpu-plugin-shared-{shared}")
            };
            daemonset(&name, shared)
        })
        .collect()
}

fn daemonset(name: &str, shared: u32) -> Value {
    let labels =
        json!({"app.kubernetes.io/name": "intel-gpu-plugin", "app.kubernetes.io/instance": name});
    let host = |vol: &str, path: &str, kind: Option<&str>| {
        let mut hp = json!({"path": path});
        if let Some(k) = kind {
            hp["type"] = json!(k);
        }
        json!({"name": vol, "hostPath": hp})
    };
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": {
                        gpu_label(GpuVendor::Intel): "true",
                        INTEL_SHARED: shared.to_string(),
                        "kubernetes.io/arch": "amd64",
                    },
                    "tolerations": opportunistic_tolerations(),
                    "priorityClassName": "system-node-critical",
                    "containers": [{
                        "name": "intel-gpu-plugin",
                        "image": INTEL_GPU_PLUGIN_IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "args": [format!("-shared-dev-num={shared}")],
                        "env": [
                            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                            {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                        ],
                        "securityContext": {
                            "seLinuxOptions": {"type": "container_device_plugin_t"},
                            "readOnlyRootFilesystem": true,
                            "allowPrivilegeEscalation": false,
                            "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"},
                        },
                        "resources": {
                            "requests": {"memory": "45Mi", "cpu": "40m"},
                            "limits": {"memory": "90Mi", "cpu": "100m"},
                        },
                        "volumeMounts": [
                            {"name": "devfs", "mountPath": "/dev/dri", "readOnly": true},
                            {"name": "sysfsdrm", "mountPath": "/sys/class/drm", "readOnly": true},
                            {"name": "kubeletsockets", "mountPath": "/var/lib/kubelet/device-plugins"},
                            {"name": "cdipath", "mountPath": "/var/run/cdi"},
                        ],
                    }],
                    "volumes": [
                        host("devfs", "/dev/dri", None),
                        host("sysfsdrm", "/sys/class/drm", None),
                        host("kubeletsockets", "/var/lib/kubelet/device-plugins", None),
                        host("cdipath", "/var/run/cdi", Some("DirectoryOrCreate")),
                    ],
                },
            },
        },
    })
}
