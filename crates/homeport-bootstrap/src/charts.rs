//! The Helm charts bootstrap installs, each pinned to one version whose default values are
//! vendored under `charts/` (see `charts/SOURCES.md`); the tests check every `valuesContent`
//! key against those defaults.

/// A pinned chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chart {
    /// The chart's name in its repository.
    pub name: &'static str,
    pub repo: &'static str,
    pub version: &'static str,
    /// The vendored default values, relative to this crate's directory.
    pub defaults_file: &'static str,
}

pub const NVIDIA_DEVICE_PLUGIN: Chart = Chart {
    name: "nvidia-device-plugin",
    repo: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.19.3",
    defaults_file: "charts/nvidia-device-plugin-0.19.3.values.yaml",
};

pub const DCGM_EXPORTER: Chart = Chart {
    name: "dcgm-exporter",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    version: "4.8.2",
    defaults_file: "charts/dcgm-exporter-4.8.2.values.yaml",
};

pub const NFS_SUBDIR_EXTERNAL_PROVISIONER: Chart = Chart {
    name: "nfs-subdir-external-provisioner",
    repo: "https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/",
    version: "4.0.18",
    defaults_file: "charts/nfs-subdir-external-provisioner-4.0.18.values.yaml",
};

pub const CERT_MANAGER: Chart = Chart {
    name: "cert-manager",
    repo: "https://charts.jetstack.io",
    version: "v1.19.6",
    defaults_file: "charts/cert-manager-v1.19.6.values.yaml",
};

pub const KEDA: Chart = Chart {
    name: "keda",
    repo: "https://kedacore.github.io/charts",
    version: "2.18.3",
    defaults_file: "charts/keda-2.18.3.values.yaml",
};

pub const KUBE_PROMETHEUS_STACK: Chart = Chart {
    name: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    defaults_file: "charts/kube-prometheus-stack-88.5.3.values.yaml",
};

/// The VerticalPodAutoscaler (its CRDs ship in the chart's `crds/`).
pub const VERTICAL_POD_AUTOSCALER: Chart = Chart {
    name: "vertical-pod-autoscaler",
    repo: "https://kubernetes.github.io/autoscaler",
    version: "0.9.0",
    defaults_file: "charts/vertical-pod-autoscaler-0.9.0.values.yaml",
};

/// Every chart bootstrap may install.
pub const ALL: [Chart; 7] = [
    NVIDIA_DEVICE_PLUGIN,
    DCGM_EXPORTER,
    NFS_SUBDIR_EXTERNAL_PROVISIONER,
    CERT_MANAGER,
    KEDA,
    KUBE_PROMETHEUS_STACK,
    VERTICAL_POD_AUTOSCALER,
];

/// The Intel GPU device plugin is written as its upstream DaemonSet (the Helm route needs the
/// Intel device plugin operator and cert-manager); this is its image.
pub const INTEL_GPU_PLUGIN_IMAGE: &str = "intel/intel-gpu-plugin:0.34.1";

/// The chart named `name`, if bootstrap knows it.
pub fn by_name(name: &str) -> Option<Chart> {
    ALL.into_iter().find(|c| c.name == name)
}
