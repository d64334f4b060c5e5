//! The labels and taints each node registers with (k3s `node-label` / `node-taint`), the same
//! mechanism for servers and agents.
//!
//! | label / taint | on | for |
//! |---|---|---|
//! | `homeport.dev/availability=always-on\|opportunistic` | every node | placement, the gaming guard |
//! | `homeport.dev/storage=true` + taint `homeport.dev/storage=true:NoSchedule` | `roles: [storage]` | keeps ordinary work off a NAS |
//! | taint `homeport.dev/opportunistic=true:NoSchedule` | `availability: opportunistic` | only preemptible work lands there |
//! | `homeport.dev/gpu.<vendor>=true`, `homeport.dev/gpu.<vendor>.model=<model>` | GPU nodes | device plugin placement, people |
//! | `nvidia.com/gpu.present=true` | NVIDIA nodes | the NVIDIA device plugin chart's node affinity |
//! | `nvidia.com/device-plugin.config=<name>` | NVIDIA nodes | selects the node's time-slicing config |
//! | `homeport.dev/gpu.intel.shared=<n>` | Intel GPU nodes | selects the plugin DaemonSet with `-shared-dev-num=<n>` |

use crate::codes;
use homeport_diag::Diagnostic;
use homeport_plan::cluster::{Availability, GpuVendor, NodeDef};

pub const AVAILABILITY: &str = "homeport.dev/availability";
pub const STORAGE: &str = "homeport.dev/storage";
pub const OPPORTUNISTIC_TAINT: &str = "homeport.dev/opportunistic=true:NoSchedule";
pub const STORAGE_TAINT: &str = "homeport.dev/storage=true:NoSchedule";
pub const NVIDIA_PRESENT: &str = "nvidia.com/gpu.present";
pub const NVIDIA_CONFIG: &str = "nvidia.com/device-plugin.config";
pub const INTEL_SHARED: &str = "homeport.dev/gpu.intel.shared";

pub fn vendor_str(v: GpuVendor) -> &'static str {
    match v {
        GpuVendor::Nvidia => "nvidia",
        GpuVendor::Intel => "intel",
        GpuVendor::Amd => "amd",
    }
}

/// `homeport.dev/gpu.<vendor>`.
pub fn gpu_label(v: GpuVendor) -> String {
    format!("homeport.dev/gpu.{}", vendor_str(v))
}

/// A GPU model as a label value: `RTX 2070 SUPER` -> `RTX-2070-SUPER` (at most 63
/// characters, starting and ending with a letter or digit).
pub fn label_value(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::new();
    for c in mapped.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed: String = out.chars().take(63).collect();
    trimmed
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// The NVIDIA time-slicing config a node uses: `exclusive` or `time-slicing-<n>`.
pub fn nvidia_config_name(replicas: u32) -> String {
    if replicas <= 1 {
        "exclusive".to_string()
    } else {
        format!("time-slicing-{replicas}")
    }
}

/// The time-slicing replicas of a node's GPUs of `vendor` (the smallest when they differ,
/// with a warning), or `None` without such GPUs.
pub fn sharing(node: &NodeDef, vendor: GpuVendor, warnings: &mut Vec<Diagnostic>) -> Option<u32> {
    let shares: Vec<u32> = node
        .gpus
        .iter()
        .filter(|g| g.vendor == vendor)
        .map(|g| g.shared.max(1))
        .collect();
    let min = *shares.iter().min()?;
    if shares.iter().any(|s| *s != min) {
        warnings.push(
            Diagnostic::warning(
                codes::MIXED_SHARING,
                format!(
                    "node `{}` has {} GPUs with different `shared` values; the device plugin shares every GPU of a node alike, so all get {min}",
                    node.name,
                    vendor_str(vendor)
                ),
            )
            .with_help("give the node's GPUs of one vendor the same `shared:`"),
        );
    }
    Some(min)
}

/// Labels from the inventory's `labels:` that the kubelet may set on itself. The
/// NodeRestriction admission plugin refuses `kubernetes.io`/`k8s.io` labels outside a few
/// namespaces, and k3s would not start; those are left to `kubectl label` with a warning.
fn kubelet_may_set(key: &str) -> bool {
    let Some((prefix, _)) = key.rsplit_once('/') else {
        return true;
    };
    let restricted = ["kubernetes.io", "k8s.io"]
        .iter()
        .any(|d| prefix == *d || prefix.ends_with(&format!(".{d}")));
    if !restricted {
        return true;
    }
    const ALLOWED_PREFIXES: [&str; 3] = [
        "kubelet.kubernetes.io",
        "node.kubernetes.io",
        "topology.kubernetes.io",
    ];
    const ALLOWED_KEYS: [&str; 6] = [
        "kubernetes.io/hostname",
        "kubernetes.io/arch",
        "kubernetes.io/os",
        "beta.kubernetes.io/instance-type",
        "failure-domain.beta.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone",
    ];
    ALLOWED_KEYS.contains(&key)
        || ALLOWED_PREFIXES
            .iter()
            .any(|p| prefix == *p || prefix.ends_with(&format!(".{p}")))
}

/// The node's labels as `key=value`, in a fixed order, and those only `kubectl label` can set.
pub fn node_labels(node: &NodeDef, warnings: &mut Vec<Diagnostic>) -> (Vec<String>, Vec<String>) {
    let mut labels = vec![format!(
        "{AVAILABILITY}={}",
        match node.availability {
            Availability::AlwaysOn => "always-on",
            Availability::Opportunistic => "opportunistic",
        }
    )];
    if node.is_storage_only() {
        labels.push(format!("{STORAGE}=true"));
    }
    for vendor in [GpuVendor::Nvidia, GpuVendor::Intel, GpuVendor::Amd] {
        let Some(shared) = sharing(node, vendor, warnings) else {
            continue;
        };
        labels.push(format!("{}=true", gpu_label(vendor)));
        if let Some(model) = node
            .gpus
            .iter()
            .filter(|g| g.vendor == vendor)
            .find_map(|g| g.model.as_deref())
            .map(label_value)
            .filter(|m| !m.is_empty())
        {
            labels.push(format!("{}.model={model}", gpu_label(vendor)));
        }
        match vendor {
            GpuVendor::Nvidia => {
                labels.push(format!("{NVIDIA_PRESENT}=true"));
                labels.push(format!("{NVIDIA_CONFIG}={}", nvidia_config_name(shared)));
            }
            GpuVendor::Intel => labels.push(format!("{INTEL_SHARED}={shared}")),
            GpuVendor::Amd => {}
        }
    }
    let mut by_kubectl = Vec::new();
    for (key, value) in &node.labels {
        if kubelet_may_set(key) {
            // The inventory's own value wins over one bootstrap would set.
            labels.retain(|l| l.split_once('=').is_none_or(|(k, _)| k != key));
            labels.push(format!("{key}={value}"));
        } else {
            warnings.push(
                Diagnostic::warning(
                    codes::RESTRICTED_LABEL,
                    format!("node `{}`: the kubelet may not set label `{key}` on itself (k3s would refuse to start)", node.name),
                )
                .with_help("the README sets it with `kubectl label` once the node has joined"),
            );
            by_kubectl.push(format!("{key}={value}"));
        }
    }
    (labels, by_kubectl)
}

/// The node's taints, `key=value:Effect`.
pub fn node_taints(node: &NodeDef) -> Vec<String> {
    let mut taints = Vec::new();
    if node.availability == Availability::Opportunistic {
        taints.push(OPPORTUNISTIC_TAINT.to_string());
    }
    if node.is_storage_only() {
        taints.push(STORAGE_TAINT.to_string());
    }
    taints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_become_label_values() {
        assert_eq!(label_value("RTX 2070 SUPER"), "RTX-2070-SUPER");
        assert_eq!(label_value("Iris Xe (96 EU)"), "Iris-Xe-96-EU");
        assert_eq!(label_value("  "), "");
        assert_eq!(label_value(&"x".repeat(80)).len(), 63);
    }

    #[test]
    fn restricted_label_namespaces() {
        assert!(kubelet_may_set("disk"));
        assert!(kubelet_may_set("example.com/zone"));
        assert!(kubelet_may_set("topology.kubernetes.io/zone"));
        assert!(kubelet_may_set("node.kubernetes.io/instance-type"));
        assert!(!kubelet_may_set("node-role.kubernetes.io/worker"));
        assert!(!kubelet_may_set("kubernetes.io/role"));
    }
}
