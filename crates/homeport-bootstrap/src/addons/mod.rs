//! The add-ons the inventory and the plan need, as files for k3s' auto-deploy directory
//! (`addons/`) and, for custom resources of an add-on, files applied once it runs
//! (`after-addons/`).

mod cert_manager;
mod helm;
mod intel;
mod keda;
mod monitoring;
mod nfs;
mod nvidia;
mod vpa;

pub use cert_manager::{is_private_domain, CA_SECRET, EMAIL_PLACEHOLDER};

use crate::codes;
use homeport_diag::Diagnostic;
use homeport_plan::addons::{Addon, AddonNeed};
use homeport_plan::cluster::{Cluster, GpuVendor, Provisioner, TlsMode};
use serde_json::Value;

/// One written file of objects.
#[derive(Debug, Clone, PartialEq)]
pub struct AddonFile {
    /// Path under the output directory.
    pub path: String,
    pub objects: Vec<Value>,
    /// What it installs and why, for the README.
    pub summary: String,
}

impl AddonFile {
    /// The HelmCharts' release names (their install Jobs are `helm-install-<name>`).
    pub fn helm_releases(&self) -> Vec<String> {
        self.objects
            .iter()
            .filter(|o| o["kind"] == "HelmChart")
            .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    }
}

/// The add-ons, in install order, and the files to apply after them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Addons {
    pub auto_deploy: Vec<AddonFile>,
    pub after: Vec<AddonFile>,
}

fn file(path: String, objects: Vec<Value>, summary: String) -> AddonFile {
    AddonFile {
        path,
        objects,
        summary,
    }
}

/// What `cluster` needs, plus what `needs` (from a plan) asks for.
pub fn addons(cluster: &Cluster, needs: &[AddonNeed], warnings: &mut Vec<Diagnostic>) -> Addons {
    let mut out = Addons::default();
    let has = |v: GpuVendor| cluster.nodes.iter().any(|n| n.gpu_slots(v) > 0);

    if let Some(chart) = nvidia::device_plugin(cluster, warnings) {
        out.auto_deploy.push(file(
            "addons/nvidia-device-plugin.yaml".into(),
            vec![chart],
            "the NVIDIA device plugin and GPU feature discovery on the NVIDIA nodes (runtime class `nvidia`, time-slicing from `shared`)".into(),
        ));
    }
    let intel = intel::device_plugin(cluster, warnings);
    if !intel.is_empty() {
        out.auto_deploy.push(file(
            "addons/intel-gpu-plugin.yaml".into(),
            intel,
            "the Intel GPU device plugin on the Intel GPU nodes (`-shared-dev-num` from `shared`)"
                .into(),
        ));
    }
    if has(GpuVendor::Amd) {
        warnings.push(
            Diagnostic::warning(
                codes::ADDON_MISSING,
                "the inventory has AMD GPUs; homeport bootstrap does not install the AMD GPU device plugin",
            )
            .with_help("install ROCm/k8s-device-plugin (https://github.com/ROCm/k8s-device-plugin) so `amd.com/gpu` is advertised"),
        );
    }
    for class in cluster
        .storage
        .iter()
        .filter(|c| c.provisioner == Provisioner::Nfs)
    {
        out.auto_deploy.push(file(
            format!("addons/{}.yaml", nfs::release(class)),
            vec![nfs::provisioner(class)],
            format!(
                "the NFS provisioner of storage class `{}` ({}:{})",
                class.name,
                class.server.as_deref().unwrap_or_default(),
                class.path.as_deref().unwrap_or_default()
            ),
        ));
    }
    if cluster.ingress.tls == TlsMode::CertManager {
        out.auto_deploy.push(file(
            "addons/cert-manager.yaml".into(),
            vec![cert_manager::chart()],
            "cert-manager with its CRDs".into(),
        ));
        let issuer = cluster.ingress.issuer.as_deref().unwrap_or("homeport");
        let kind = if is_private_domain(&cluster.domain) {
            format!(
                "a cluster CA (`{}` is a private domain: no public CA issues for it)",
                cluster.domain
            )
        } else {
            "Let's Encrypt (HTTP-01 through the ingress controller)".to_string()
        };
        out.after.push(file(
            "after-addons/cluster-issuer.yaml".into(),
            cert_manager::issuer(cluster),
            format!("the ClusterIssuer `{issuer}`: {kind}"),
        ));
    }
    let wants = |a: &Addon| needs.iter().any(|n| &n.addon == a);
    if wants(&Addon::Keda) {
        let by: Vec<&str> = needs
            .iter()
            .filter(|n| n.addon == Addon::Keda)
            .flat_map(|n| n.needed_by.iter().map(String::as_str))
            .collect();
        out.auto_deploy.push(file(
            "addons/keda.yaml".into(),
            vec![keda::chart()],
            format!("KEDA, for the ScaledObjects of {}", by.join(", ")),
        ));
    }
    if cluster.rightsize || wants(&Addon::VerticalPodAutoscaler) {
        let why = if cluster.rightsize {
            "the inventory's `rightsize: true`".to_string()
        } else {
            let by: Vec<&str> = needs
                .iter()
                .filter(|n| n.addon == Addon::VerticalPodAutoscaler)
                .flat_map(|n| n.needed_by.iter().map(String::as_str))
                .collect();
            format!("the VerticalPodAutoscalers of {}", by.join(", "))
        };
        out.auto_deploy.push(file(
            "addons/vertical-pod-autoscaler.yaml".into(),
            vec![vpa::chart()],
            format!("the VerticalPodAutoscaler CRD and recommender (recommendations only: no updater, no admission webhook), for {why}; read a workload's with `kubectl describe vpa NAME -n NAMESPACE`"),
        ));
    }
    if let Some(m) = &cluster.monitoring {
        out.auto_deploy.push(file(
            format!("addons/{}.yaml", m.release),
            vec![monitoring::chart(m)],
            format!("kube-prometheus-stack (Prometheus operator, Prometheus, Grafana, Alertmanager) as release `{}`", m.release),
        ));
        if has(GpuVendor::Nvidia) {
            out.auto_deploy.push(file(
                "addons/dcgm-exporter.yaml".into(),
                vec![nvidia::dcgm_exporter(m)],
                "the DCGM exporter (NVIDIA GPU metrics) on the NVIDIA nodes, with a ServiceMonitor"
                    .into(),
            ));
        }
    }
    for need in needs.iter().filter(|n| !n.provided) {
        warnings.push(
            Diagnostic::warning(
                codes::ADDON_MISSING,
                format!(
                    "{} need {}, which the inventory does not provide",
                    need.needed_by.join(", "),
                    need.addon.name()
                ),
            )
            .with_help(need.how.clone()),
        );
    }
    out
}
