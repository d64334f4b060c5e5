//! The cluster inventory (`cluster.yaml`, contract: shared/docs/contract.md): the nodes,
//! storage classes and ingress the planner places services on.
//!
//! [`Cluster::load`] reads and validates a file, reporting every problem as a diagnostic
//! (codes HP03xx) with a span into the file; [`Cluster::default_k3s`] is the built-in
//! single-node k3s cluster used when there is no file.

mod load;
mod quantity;
mod reserve;
mod roles;
mod suggest;

pub use quantity::{format_cpu_millis, format_memory_bytes, parse_cpu_millis, parse_memory_bytes};
pub use reserve::{reservation, Allocatable, Reservation};
pub use roles::{CONTROL_PLANE_ROLE, SERVER_MIN_MEMORY_BYTES, STORAGE_ROLE};

use homeport_diag::{Diagnostic, Diagnostics, SourceMap};
use indexmap::IndexMap;
use serde::Serialize;
use std::path::Path;

/// Diagnostic codes of the cluster inventory.
pub mod codes {
    /// The cluster file cannot be read.
    pub const UNREADABLE: &str = "HP0300";
    /// A key the inventory does not know (with a did-you-mean).
    pub const UNKNOWN_KEY: &str = "HP0301";
    /// A value of the wrong type (a sequence where a mapping belongs, ...).
    pub const WRONG_TYPE: &str = "HP0302";
    /// A required field is missing.
    pub const MISSING_FIELD: &str = "HP0303";
    /// A value outside its set (arch, GPU vendor, availability, provisioner, ...).
    pub const UNKNOWN_VALUE: &str = "HP0304";
    /// A CPU, memory or capacity quantity that does not parse.
    pub const BAD_QUANTITY: &str = "HP0305";
    /// Two nodes or two storage classes with the same name.
    pub const DUPLICATE_NAME: &str = "HP0306";
    /// A reference to a node that is not in the inventory.
    pub const UNKNOWN_NODE: &str = "HP0307";
    /// A storage class whose provisioner needs fields it does not have (or has ones it
    /// cannot use).
    pub const STORAGE_FIELDS: &str = "HP0308";
    /// More than one default storage class, or a static class marked default.
    pub const DEFAULT_CLASS: &str = "HP0309";
    /// Gaming hints on a node that is not opportunistic.
    pub const GAMING_ON_ALWAYS_ON: &str = "HP0310";
    /// Not a homeport cluster file (`apiVersion`/`kind`).
    pub const NOT_A_CLUSTER: &str = "HP0311";
    /// A name that Kubernetes would reject (nodes, storage classes, labels).
    pub const INVALID_NAME: &str = "HP0312";
    /// Ingress TLS settings that contradict each other.
    pub const INGRESS_TLS: &str = "HP0313";
    /// A host path claimed by two storage entries, or not absolute.
    pub const HOST_PATH: &str = "HP0314";
    /// A number out of range (GPU count, sharing replicas).
    pub const OUT_OF_RANGE: &str = "HP0315";
    /// A control plane on a node that cannot carry it (opportunistic, storage-only), or no
    /// node that can.
    pub const CONTROL_PLANE: &str = "HP0330";
    /// Several k3s servers without a datastore they can share.
    pub const HA_DATASTORE: &str = "HP0331";
    /// A server on a node with less memory than k3s needs for one.
    pub const SERVER_TOO_SMALL: &str = "HP0332";
    /// Node-local storage on a storage-only node, whose taint keeps its consumers away.
    pub const STORAGE_NODE_TAINTED: &str = "HP0333";
}

/// The cluster homeport plans for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub name: String,
    /// Target Kubernetes minor version, `"1.33"`.
    pub kubernetes_version: String,
    pub distribution: Distribution,
    /// Ingress hosts default to `<service>.<domain>`.
    pub domain: String,
    pub ingress: IngressConfig,
    /// Storage classes the cluster offers (never empty after loading).
    pub storage: Vec<StorageClassDef>,
    /// Nodes; for the built-in default one node with no declared capacity.
    pub nodes: Vec<NodeDef>,
    /// Where the k3s servers keep the cluster state.
    pub datastore: Datastore,
    /// The Prometheus operator the cluster runs (`spec.monitoring`), when declared.
    pub monitoring: Option<MonitoringConfig>,
    /// The storage class backup claims use (`spec.backups.storage`); else the default class.
    pub backup_storage: Option<String>,
    /// True for the built-in default: nothing is known about the nodes, so the planner adds
    /// no placement constraints and checks no budgets.
    pub is_default: bool,
    /// `spec.overcommit: accept`: a node's memory over-commitment is a warning instead of an
    /// error (the user knows the services never peak together).
    pub overcommit_accepted: bool,
    /// `spec.rightsize: true`: the cluster runs the VerticalPodAutoscaler recommender
    /// (`homeport bootstrap` installs it) and every workload gets a VPA in recommendation
    /// mode unless its `x-homeport.rightsize` is `false`.
    pub rightsize: bool,
}

impl MonitoringConfig {
    /// The namespace Prometheus runs in (NetworkPolicies let it scrape metrics ports): from its
    /// Service URL (`<svc>.<namespace>[.svc...]`), else `monitoring`.
    pub fn prometheus_namespace(&self) -> String {
        Some(self.prometheus.as_str())
            .and_then(|url| {
                let rest = url.split_once("://").map_or(url, |(_, r)| r);
                let host = rest.split(['/', ':']).next()?;
                let ns = host.split('.').nth(1)?;
                (!ns.is_empty()).then(|| ns.to_string())
            })
            .unwrap_or_else(|| "monitoring".to_string())
    }
}

/// `spec.datastore`: k3s' datastore. One server uses SQLite; several need embedded etcd
/// (three or more servers) or an external database they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Datastore {
    /// The default: SQLite on the one server.
    Sqlite,
    /// Embedded etcd (`cluster-init` on the first server); needs an odd number of servers.
    Etcd,
    /// An external SQL database (`datastore-endpoint`, filled in by the user: it holds a
    /// password).
    External,
}

impl Datastore {
    pub fn as_str(self) -> &'static str {
        match self {
            Datastore::Sqlite => "sqlite",
            Datastore::Etcd => "etcd",
            Datastore::External => "external",
        }
    }
}

/// `spec.monitoring`: the Prometheus operator homeport's ServiceMonitors are for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringConfig {
    /// `prometheus-operator`.
    pub operator: String,
    /// The `release` label value the operator selects on (the Helm release name).
    pub release: String,
    /// The Prometheus URL (for KEDA prometheus triggers).
    pub prometheus: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Distribution {
    K3s,
    Kubernetes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressConfig {
    pub class_name: String,
    pub tls: TlsMode,
    /// The cert-manager ClusterIssuer when `tls` is `CertManager`.
    pub issuer: Option<String>,
    /// Where the ingress controller's pods run, as written in the inventory
    /// (`ingress.controller`); [`IngressConfig::controller`] derives it from the class when
    /// absent.
    pub controller: Option<IngressController>,
}

/// The ingress controller's pods: the namespace they run in and labels that select them
/// (NetworkPolicies admit them to the exposed ports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressController {
    pub namespace: String,
    /// Empty: every pod of the namespace.
    pub pod_labels: indexmap::IndexMap<String, String>,
}

impl IngressConfig {
    /// The controller's pods: as written in the inventory, else the usual install of the
    /// class: `traefik` -> kube-system (k3s' bundled Traefik), `nginx` -> ingress-nginx; any
    /// other class -> the namespace named after it, every pod.
    pub fn controller(&self) -> IngressController {
        if let Some(c) = &self.controller {
            return c.clone();
        }
        let labelled = |ns: &str, name: &str| IngressController {
            namespace: ns.to_string(),
            pod_labels: [("app.kubernetes.io/name".to_string(), name.to_string())]
                .into_iter()
                .collect(),
        };
        match self.class_name.as_str() {
            "traefik" => labelled("kube-system", "traefik"),
            "nginx" | "ingress-nginx" => labelled("ingress-nginx", "ingress-nginx"),
            other => IngressController {
                namespace: other.to_string(),
                pod_labels: indexmap::IndexMap::new(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    None,
    CertManager,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageClassDef {
    pub name: String,
    pub provisioner: Provisioner,
    /// The class claims get when nothing else is chosen. Exactly one class is the default
    /// after loading.
    pub default: bool,
    /// NFS server (nfs, static-nfs).
    pub server: Option<String>,
    /// Export path (nfs, static-nfs) or directory on the node (static-local).
    pub path: Option<String>,
    /// Size of a static share as written (`4Ti`), for the PersistentVolume's capacity.
    pub capacity: Option<String>,
    /// Host directories (as written in Compose bind mounts) that live on this storage.
    pub host_paths: Vec<String>,
    /// The node a static-local directory is on.
    pub node: Option<String>,
}

impl StorageClassDef {
    /// Static classes are existing shares bound by PersistentVolumes homeport writes; the
    /// others provision volumes on demand.
    pub fn is_static(&self) -> bool {
        matches!(
            self.provisioner,
            Provisioner::StaticNfs | Provisioner::StaticLocal
        )
    }

    /// Whether pods on different nodes can mount it at once (ReadWriteMany).
    pub fn is_shared(&self) -> bool {
        matches!(self.provisioner, Provisioner::Nfs | Provisioner::StaticNfs)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provisioner {
    /// k3s' node-local provisioner (`rancher.io/local-path`), ReadWriteOnce.
    LocalPath,
    /// A dynamic NFS provisioner (nfs-subdir-external-provisioner), ReadWriteMany.
    Nfs,
    /// An existing NFS share, bound through static PersistentVolumes.
    StaticNfs,
    /// An existing directory on one node, bound through local PersistentVolumes.
    StaticLocal,
    /// Any other provisioner name, used as written.
    Other(String),
}

impl Provisioner {
    /// The name as written in `cluster.yaml`.
    pub fn as_str(&self) -> &str {
        match self {
            Provisioner::LocalPath => "local-path",
            Provisioner::Nfs => "nfs",
            Provisioner::StaticNfs => "static-nfs",
            Provisioner::StaticLocal => "static-local",
            Provisioner::Other(name) => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeDef {
    pub name: String,
    pub arch: Arch,
    /// The machine's CPU in millicores, when declared (pods get [`Cluster::allocatable`]).
    pub cpu_millis: Option<u64>,
    /// The machine's memory in bytes, when declared (pods get [`Cluster::allocatable`]).
    pub memory_bytes: Option<u64>,
    pub availability: Availability,
    pub roles: Vec<String>,
    pub labels: IndexMap<String, String>,
    pub gpus: Vec<GpuDef>,
    /// Process names the gaming guard watches (opportunistic nodes only).
    pub gaming_processes: Vec<String>,
    /// `gaming.schedule` windows as written (`Mon-Fri 18:00-23:30`); parsed by the guard.
    pub gaming_schedule: Vec<String>,
    /// `gaming.hold` as written (`2m`); parsed by the guard.
    pub gaming_hold: Option<String>,
}

impl NodeDef {
    /// GPUs of one vendor as schedulable units (count x time-slicing replicas).
    pub fn gpu_slots(&self, vendor: GpuVendor) -> u64 {
        self.gpus
            .iter()
            .filter(|g| g.vendor == vendor)
            .map(|g| u64::from(g.count) * u64::from(g.shared.max(1)))
            .sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    Amd64,
    Arm64,
    Arm,
}

impl Arch {
    /// The value of the `kubernetes.io/arch` node label.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Arm64 => "arm64",
            Arch::Arm => "arm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Availability {
    AlwaysOn,
    /// Someone else's machine first (a gaming PC): tainted
    /// `homeport.dev/opportunistic=true:NoSchedule`, only preemptible work lands here.
    Opportunistic,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GpuDef {
    pub vendor: GpuVendor,
    pub model: Option<String>,
    pub memory_bytes: Option<u64>,
    /// Physical GPUs of this kind on the node (at least 1).
    pub count: u32,
    /// Time-slicing replicas per GPU (1 = exclusive).
    pub shared: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GpuVendor {
    Nvidia,
    Intel,
    Amd,
}

impl GpuVendor {
    /// The extended resource the vendor's device plugin advertises.
    pub fn resource_name(self) -> &'static str {
        match self {
            GpuVendor::Nvidia => "nvidia.com/gpu",
            GpuVendor::Intel => "gpu.intel.com/i915",
            GpuVendor::Amd => "amd.com/gpu",
        }
    }
}

impl Cluster {
    /// The built-in cluster: one k3s node with no declared capacity, `local-path` storage,
    /// Traefik ingress, domain `home.arpa`.
    pub fn default_k3s() -> Cluster {
        Cluster {
            name: "default".to_string(),
            kubernetes_version: load::DEFAULT_KUBERNETES_VERSION.to_string(),
            distribution: Distribution::K3s,
            domain: load::DEFAULT_DOMAIN.to_string(),
            ingress: IngressConfig {
                class_name: "traefik".to_string(),
                tls: TlsMode::None,
                issuer: None,
                controller: None,
            },
            storage: vec![StorageClassDef {
                name: "local-path".to_string(),
                provisioner: Provisioner::LocalPath,
                default: true,
                server: None,
                path: None,
                capacity: None,
                host_paths: Vec::new(),
                node: None,
            }],
            nodes: vec![NodeDef {
                name: "k3s".to_string(),
                arch: Arch::Amd64,
                cpu_millis: None,
                memory_bytes: None,
                availability: Availability::AlwaysOn,
                roles: vec!["control-plane".to_string()],
                labels: IndexMap::new(),
                gpus: Vec::new(),
                gaming_processes: Vec::new(),
                gaming_schedule: Vec::new(),
                gaming_hold: None,
            }],
            datastore: Datastore::Sqlite,
            monitoring: None,
            backup_storage: None,
            is_default: true,
            overcommit_accepted: false,
            rightsize: false,
        }
    }

    /// Read and validate `path`; the file is added to `sources` so diagnostics point into it.
    pub fn load(path: &Path, sources: &mut SourceMap) -> Result<Cluster, Diagnostics> {
        match homeport_diag::input::read_text(path, homeport_diag::input::MAX_INPUT_BYTES) {
            Ok(text) => Cluster::from_str(&path.display().to_string(), &text, sources),
            Err(e) => Err(Diagnostics(vec![Diagnostic::error(
                codes::UNREADABLE,
                format!("cannot read cluster file {}: {e}", path.display()),
            )
            .with_help("pass a regular YAML file with --cluster, or remove the flag to use the built-in single-node k3s cluster")])),
        }
    }

    /// Validate inventory text named `name` (as diagnostics should show it). Every problem
    /// is reported, not only the first.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(
        name: &str,
        text: &str,
        sources: &mut SourceMap,
    ) -> Result<Cluster, Diagnostics> {
        let file = sources.add(name, text);
        load::load(text, file)
    }

    /// The storage class claims get by default.
    pub fn default_storage_class(&self) -> Option<&StorageClassDef> {
        self.storage.iter().find(|s| s.default)
    }

    pub fn node(&self, name: &str) -> Option<&NodeDef> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn storage_class(&self, name: &str) -> Option<&StorageClassDef> {
        self.storage.iter().find(|s| s.name == name)
    }
}
