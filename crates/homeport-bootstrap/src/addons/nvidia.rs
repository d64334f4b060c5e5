//! NVIDIA: the device plugin with GPU feature discovery, on the NVIDIA nodes only, through the
//! `nvidia` runtime class, with each node's time-slicing config chosen by its
//! `nvidia.com/device-plugin.config` label; and, with monitoring, the DCGM exporter.

use super::helm::{helm_chart, opportunistic_tolerations};
use crate::charts;
use crate::labels::{nvidia_config_name, sharing, NVIDIA_PRESENT};
use homeport_diag::Diagnostic;
use homeport_plan::cluster::{Cluster, GpuVendor, MonitoringConfig};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

pub const NAMESPACE: &str = "nvidia-device-plugin";

/// The plugin's config for `replicas` time-slices per GPU (1: exclusive).
fn plugin_config(replicas: u32) -> String {
    let mut c = String::from("version: v1\nflags:\n  migStrategy: none\n");
    if replicas > 1 {
        c.push_str(&format!(
            "sharing:\n  timeSlicing:\n    resources:\n      - name: nvidia.com/gpu\n        replicas: {replicas}\n"
        ));
    }
    c
}

/// The device plugin HelmChart, if any node has an NVIDIA GPU.
pub fn device_plugin(cluster: &Cluster, warnings: &mut Vec<Diagnostic>) -> Option<Value> {
    let mut replicas: BTreeSet<u32> = BTreeSet::new();
    for node in &cluster.nodes {
        if let Some(r) = sharing(node, GpuVendor::Nvidia, warnings) {
            replicas.insert(r);
        }
    }
    let first = *replicas.iter().next()?;
    let mut map = Map::new();
    for r in &replicas {
        map.insert(nvidia_config_name(*r), json!(plugin_config(*r)));
    }
    // The chart's own tolerations, plus the opportunistic and gaming taints (a gaming PC's
    // GPU is still advertised while it games: only new work is kept off).
    let mut tolerations = vec![
        json!({"key": "CriticalAddonsOnly", "operator": "Exists"}),
        json!({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}),
    ];
    tolerations.extend(opportunistic_tolerations());
    let mut nfd_worker_tolerations = vec![
        json!({"key": "node-role.kubernetes.io/master", "operator": "Equal", "value": "", "effect": "NoSchedule"}),
        json!({"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}),
    ];
    nfd_worker_tolerations.extend(opportunistic_tolerations());
    let values = json!({
        "runtimeClassName": "nvidia",
        "nodeSelector": {NVIDIA_PRESENT: "true"},
        "tolerations": tolerations,
        "config": {
            "map": map,
            "default": nvidia_config_name(first),
        },
        "gfd": {"enabled": true},
        "nfd": {"worker": {"tolerations": nfd_worker_tolerations}},
    });
    Some(helm_chart(
        "nvidia-device-plugin",
        charts::NVIDIA_DEVICE_PLUGIN,
        NAMESPACE,
        &values,
    ))
}

/// The DCGM exporter HelmChart (GPU metrics for Prometheus), scraped through a
/// ServiceMonitor the operator of `monitoring` selects.
pub fn dcgm_exporter(monitoring: &MonitoringConfig) -> Value {
    let mut tolerations = vec![
        json!({"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}),
    ];
    tolerations.extend(opportunistic_tolerations());
    let values = json!({
        "runtimeClassName": "nvidia",
        "nodeSelector": {NVIDIA_PRESENT: "true"},
        "tolerations": tolerations,
        "serviceMonitor": {
            "enabled": true,
            "additionalLabels": {"release": monitoring.release},
        },
    });
    helm_chart("dcgm-exporter", charts::DCGM_EXPORTER, NAMESPACE, &values)
}
