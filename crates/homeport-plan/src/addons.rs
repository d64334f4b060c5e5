//! The cluster add-ons a plan relies on (device plugins, an NFS provisioner, cert-manager,
//! KEDA, the Prometheus operator) and whether the inventory provides them, that is whether
//! `homeport bootstrap` installs them for this inventory.

use crate::cluster::{Cluster, Distribution, GpuVendor, Provisioner, TlsMode};
use crate::plan::{Plan, VolumeSource};
use serde::Serialize;

/// An add-on the rendered objects need in the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Addon {
    /// Advertises `nvidia.com/gpu`.
    NvidiaDevicePlugin,
    /// Advertises `gpu.intel.com/i915`.
    IntelGpuPlugin,
    /// Advertises `amd.com/gpu` (bootstrap does not install it).
    AmdGpuPlugin,
    /// Provisions claims of one dynamic NFS storage class.
    NfsProvisioner(String),
    /// Issues the certificates of TLS Ingresses.
    CertManager,
    /// Runs ScaledObjects (queue-length and GPU-utilisation autoscaling).
    Keda,
    /// Prometheus and its operator (metrics for GPU-utilisation autoscaling).
    PrometheusOperator,
    /// The VerticalPodAutoscaler CRD and recommender (right-sizing recommendations).
    VerticalPodAutoscaler,
}

impl Addon {
    /// The add-on's name as `plan` shows it.
    pub fn name(&self) -> String {
        match self {
            Addon::NvidiaDevicePlugin => "nvidia-device-plugin".into(),
            Addon::IntelGpuPlugin => "intel-gpu-plugin".into(),
            Addon::AmdGpuPlugin => "amd-gpu-device-plugin".into(),
            Addon::NfsProvisioner(class) => format!("nfs-provisioner ({class})"),
            Addon::CertManager => "cert-manager".into(),
            Addon::Keda => "keda".into(),
            Addon::PrometheusOperator => "prometheus-operator".into(),
            Addon::VerticalPodAutoscaler => "vertical-pod-autoscaler".into(),
        }
    }
}

/// One add-on the plan needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddonNeed {
    pub addon: Addon,
    /// The services that need it.
    pub needed_by: Vec<String>,
    /// What in those services needs it.
    pub reason: String,
    /// Whether the inventory provides it (`homeport bootstrap` installs it).
    pub provided: bool,
    /// How it is provided, or what to do when it is not.
    pub how: String,
}

fn push(needs: &mut Vec<AddonNeed>, addon: Addon, service: &str, reason: &str) {
    match needs.iter_mut().find(|n| n.addon == addon) {
        Some(n) => {
            if !n.needed_by.iter().any(|s| s == service) {
                n.needed_by.push(service.to_string());
            }
        }
        None => needs.push(AddonNeed {
            addon,
            needed_by: vec![service.to_string()],
            reason: reason.to_string(),
            provided: false,
            how: String::new(),
        }),
    }
}

/// The add-ons `plan`'s objects need, in a fixed order, each with whether `plan.cluster`
/// provides it.
pub fn needed(plan: &Plan) -> Vec<AddonNeed> {
    let cluster = &plan.cluster;
    let mut needs: Vec<AddonNeed> = Vec::new();
    for pod in &plan.pods {
        for c in &pod.containers {
            if let Some((resource, _)) = &c.resources.gpu {
                let addon = match resource.as_str() {
                    r if r == GpuVendor::Nvidia.resource_name() => Addon::NvidiaDevicePlugin,
                    r if r == GpuVendor::Intel.resource_name() => Addon::IntelGpuPlugin,
                    _ => Addon::AmdGpuPlugin,
                };
                push(
                    &mut needs,
                    addon,
                    &c.service,
                    &format!("requests {resource}"),
                );
            }
        }
        let classes = pod
            .claim_templates
            .iter()
            .map(|t| Some(t.storage_class.as_str()))
            .chain(pod.volumes.iter().filter_map(|v| {
                match &v.source {
                    VolumeSource::Claim { claim, .. } => plan
                        .claims
                        .iter()
                        .find(|c| &c.name == claim && c.namespace == pod.namespace)
                        .map(|c| c.storage_class.as_deref()),
                    _ => None,
                }
            }));
        for class in classes {
            let def = match class {
                Some(name) => cluster.storage_class(name),
                None => cluster.default_storage_class(),
            };
            if let Some(def) = def.filter(|d| d.provisioner == Provisioner::Nfs) {
                push(
                    &mut needs,
                    Addon::NfsProvisioner(def.name.clone()),
                    &pod.service,
                    &format!("claims storage class `{}`", def.name),
                );
            }
        }
        if pod.production.rightsize.is_some() {
            push(
                &mut needs,
                Addon::VerticalPodAutoscaler,
                &pod.service,
                "a VerticalPodAutoscaler (x-homeport.rightsize or the inventory's `rightsize`)",
            );
        }
        if pod.ingresses.iter().any(|r| r.tls) {
            push(
                &mut needs,
                Addon::CertManager,
                &pod.service,
                "a TLS Ingress",
            );
        }
    }
    // From what is written, not from the hints: a refused or dropped scaler needs nothing.
    for pod in &plan.pods {
        let Some(a) = &pod.autoscale else { continue };
        if a.queue.is_some() {
            push(
                &mut needs,
                Addon::Keda,
                &pod.service,
                "x-homeport.queue (a ScaledObject)",
            );
        }
        if a.gpu.is_some() {
            push(
                &mut needs,
                Addon::Keda,
                &pod.service,
                "x-homeport.autoscale.gpu (a ScaledObject)",
            );
            push(
                &mut needs,
                Addon::PrometheusOperator,
                &pod.service,
                "x-homeport.autoscale.gpu (GPU utilisation from the DCGM exporter, through Prometheus)",
            );
        }
    }
    for need in &mut needs {
        let (provided, mut how) = provision(cluster, &need.addon);
        if provided && cluster.distribution != Distribution::K3s {
            // bootstrap writes k3s configuration only: on other distributions the inventory
            // says the cluster has it, and the user installs it.
            how = format!(
                "install it yourself (homeport bootstrap sets up k3s only; it would write: {})",
                how.trim_start_matches("homeport bootstrap: ")
            );
        }
        need.provided = provided;
        need.how = how;
    }
    needs
}

/// Whether `cluster` provides `addon`, and how (or what to do).
fn provision(cluster: &Cluster, addon: &Addon) -> (bool, String) {
    let has_gpu = |v: GpuVendor| cluster.nodes.iter().any(|n| n.gpu_slots(v) > 0);
    match addon {
        Addon::NvidiaDevicePlugin if has_gpu(GpuVendor::Nvidia) => (true, "homeport bootstrap: addons/nvidia-device-plugin.yaml on the NVIDIA nodes".into()),
        Addon::NvidiaDevicePlugin => (false, "no node of the inventory has an NVIDIA GPU: declare it under the node's `gpus:`".into()),
        Addon::IntelGpuPlugin if has_gpu(GpuVendor::Intel) => (true, "homeport bootstrap: addons/intel-gpu-plugin.yaml on the Intel GPU nodes".into()),
        Addon::IntelGpuPlugin => (false, "no node of the inventory has an Intel GPU: declare it under the node's `gpus:`".into()),
        Addon::AmdGpuPlugin => (false, "homeport bootstrap does not install the AMD GPU device plugin: install ROCm/k8s-device-plugin yourself".into()),
        Addon::NfsProvisioner(class) => (true, format!("homeport bootstrap: addons/nfs-{class}.yaml (nfs-subdir-external-provisioner)")),
        Addon::CertManager if cluster.ingress.tls == TlsMode::CertManager => (true, format!("homeport bootstrap: addons/cert-manager.yaml and the ClusterIssuer `{}`", cluster.ingress.issuer.as_deref().unwrap_or("?"))),
        Addon::CertManager => (false, "set `ingress.tls: cert-manager` and `ingress.issuer` in the inventory".into()),
        Addon::Keda => (true, "homeport bootstrap: addons/keda.yaml (installed because this plan needs it)".into()),
        Addon::VerticalPodAutoscaler if cluster.rightsize => (true, "homeport bootstrap: addons/vertical-pod-autoscaler.yaml (the inventory's `rightsize: true`)".into()),
        Addon::VerticalPodAutoscaler => (true, "homeport bootstrap: addons/vertical-pod-autoscaler.yaml (installed because this plan needs it)".into()),
        Addon::PrometheusOperator => match &cluster.monitoring {
            Some(m) => (true, format!("homeport bootstrap: addons/{}.yaml (kube-prometheus-stack)", m.release)),
            None => (false, "declare `spec.monitoring` in the inventory (bootstrap then installs kube-prometheus-stack and the DCGM exporter)".into()),
        },
    }
}
