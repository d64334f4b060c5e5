//! `placement`: scheduling on heterogeneous home clusters (GPUs of several vendors, amd64 PCs
//! beside arm64 Raspberry Pis, nodes that are only sometimes available). The rules that
//! need nodes read the cluster inventory given with `--cluster`.

pub mod gpu_not_in_cluster;
pub mod gpu_without_node_constraint;
pub mod image_arch;
pub mod image_arch_mismatch;
pub mod node_selector_unsatisfiable;
pub mod nodes;

use crate::rules::prelude::*;

/// A GPU resource a container asks for: vendor and count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GpuRequest {
    pub vendor: &'static str,
    pub resource: String,
    pub count: i64,
    pub path: FieldPath,
    pub container: String,
}

/// The vendor of an extended resource name, if it is a GPU.
pub(crate) fn gpu_vendor(resource: &str) -> Option<&'static str> {
    if resource == "nvidia.com/gpu" || resource.starts_with("nvidia.com/mig-") {
        Some("nvidia")
    } else if resource == "amd.com/gpu" {
        Some("amd")
    } else if resource.starts_with("gpu.intel.com/") {
        Some("intel")
    } else {
        None
    }
}

/// Every GPU a pod's containers ask for (limits, else requests).
pub(crate) fn gpu_requests(t: &PodTemplate<'_>) -> Vec<GpuRequest> {
    let mut out = Vec::new();
    for c in t.declared_containers() {
        for kind in ["limits", "requests"] {
            let Some(map) = c
                .get("resources")
                .and_then(|r| r.get(kind))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (res, v) in map {
                let Some(vendor) = gpu_vendor(res) else {
                    continue;
                };
                if out
                    .iter()
                    .any(|g: &GpuRequest| g.container == c.name && g.resource == *res)
                {
                    continue;
                }
                let count = v
                    .as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .unwrap_or(1);
                if count <= 0 {
                    continue;
                }
                out.push(GpuRequest {
                    vendor,
                    resource: res.clone(),
                    count,
                    path: c.path.key("resources").key(kind).key(res.as_str()),
                    container: c.name.to_string(),
                });
            }
        }
    }
    out
}

/// Whether the pod constrains its nodes at all (nodeName, nodeSelector, required node
/// affinity).
pub(crate) fn has_node_constraint(t: &PodTemplate<'_>) -> bool {
    t.get("nodeName")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
        || t.get("nodeSelector")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
        || t.get("affinity")
            .and_then(|a| a.get("nodeAffinity"))
            .and_then(|n| n.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .is_some()
}
