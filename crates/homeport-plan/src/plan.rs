//! The `Plan`: every decision the planner made, each with the reason `homeport plan` shows.
//! The renderer only translates a `Plan` into Kubernetes objects.

use crate::cluster::Cluster;
use crate::images::Role;
use homeport_compose::SecurityLevel;
use homeport_diag::Diagnostics;
use indexmap::IndexMap;

/// One decision and why it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What was decided: `workload`, `namespace`, `security`, `storage`, `exposure`, ...
    pub topic: &'static str,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// Long-running workloads get probes, Services and PodDisruptionBudgets.
    pub fn is_long_running(self) -> bool {
        !matches!(self, WorkloadKind::Job | WorkloadKind::CronJob)
    }
}

pub fn level_str(level: SecurityLevel) -> &'static str {
    match level {
        SecurityLevel::Restricted => "restricted",
        SecurityLevel::Baseline => "baseline",
        SecurityLevel::Privileged => "privileged",
    }
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub project: String,
    pub cluster: Cluster,
    pub namespaces: Vec<NamespacePlan>,
    pub pods: Vec<PodPlan>,
    /// Services not deployed, with why.
    pub skipped: Vec<SkippedService>,
    /// Claims shared by several pods or bound to static volumes (not volumeClaimTemplates).
    pub claims: Vec<ClaimPlan>,
    pub persistent_volumes: Vec<PersistentVolumePlan>,
    /// ExternalName Services that keep Compose short names working across namespaces.
    pub aliases_across_namespaces: Vec<ExternalNamePlan>,
    pub nodes: Vec<NodeBudget>,
    /// Cluster add-ons the objects rely on, and whether the inventory provides them.
    pub addons: Vec<crate::addons::AddonNeed>,
    /// Where the facts about the project's images came from.
    pub images: ImageSummary,
    /// The facts about each bind-mounted host path and where they came from, by path as
    /// shown (relative to the project directory when inside it).
    pub host_paths: Vec<HostPathSummary>,
    /// Priorities, backups, monitoring (the production layer).
    pub production: crate::production::ProductionPlan,
    /// ServiceAccounts and RBAC per workload, quotas per namespace.
    pub tenancy: crate::tenancy::TenancyPlan,
    pub diagnostics: Diagnostics,
}

/// How many of the project's images had their facts from `homeport.lock`, from their
/// registry, or from the knowledge base alone, and what network access that took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageSummary {
    pub from_lock: usize,
    pub from_registry: usize,
    pub from_knowledge_base: usize,
    /// Built locally (`build:`): nothing to look up.
    pub built: usize,
    /// What network access resolution took (`Facts::registry_access`).
    pub network: String,
}

/// One bind-mounted host path's facts, for the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostPathSummary {
    pub path: String,
    /// `host` (read on this machine) or `lock` (`homeport.lock`).
    pub source: String,
    /// What it holds, in words (`directory, owner 999:999, mode 0700, PostgreSQL data`).
    pub facts: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamespacePlan {
    pub name: String,
    /// Pod Security level enforced: the strictest level all its pods meet.
    pub level: SecurityLevel,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkippedService {
    pub service: String,
    pub reason: String,
}

/// One pod template (one workload): a Compose service plus any services that joined its
/// network namespace (`network_mode: service:X`).
#[derive(Debug, Clone)]
pub struct PodPlan {
    /// Object name (the primary service's DNS name).
    pub name: String,
    /// The primary Compose service.
    pub service: String,
    pub namespace: String,
    /// `homeport.dev/source` annotation: `compose.yaml:12 (service web)`.
    pub source: String,
    pub role: Role,
    pub workload: WorkloadKind,
    pub replicas: u32,
    pub schedule: Option<String>,
    /// Deployments with a ReadWriteOnce claim are replaced, not rolled.
    pub recreate: bool,
    pub containers: Vec<ContainerPlan>,
    pub init_waits: Vec<WaitFor>,
    pub level: SecurityLevel,
    pub fs_group: Option<u32>,
    /// Numeric `group_add` entries (e.g. the host's `render` group for /dev/dri).
    pub supplemental_groups: Vec<u32>,
    pub host_network: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub sysctls: Vec<(String, String)>,
    pub runtime_class: Option<String>,
    pub host_aliases: Vec<(String, Vec<String>)>,
    pub termination_grace_seconds: Option<u64>,
    /// Service ports (union of the containers' ports).
    pub ports: Vec<PortPlan>,
    /// Extra ClusterIP Services selecting this pod (network aliases, container_name).
    pub alias_services: Vec<String>,
    pub ingresses: Vec<IngressRoute>,
    /// The Traefik middlewares its Compose routers name, as written (`auth`, `auth@docker`,
    /// `auth@file`); translated into [`Self::middlewares`].
    pub traefik_middleware_refs: Vec<String>,
    /// Traefik Middleware objects in its namespace that its Ingress uses, in order.
    pub middlewares: Vec<IngressMiddleware>,
    /// Ports on which the ingress controller calls this pod to authenticate requests for
    /// other pods (Traefik `forwardAuth`): its NetworkPolicy admits the controller there.
    pub forward_auth_ports: Vec<u16>,
    /// Published non-HTTP ports: a LoadBalancer Service `<name>-lb`.
    pub load_balancer: Vec<PortPlan>,
    pub placement: Placement,
    pub volumes: Vec<PodVolume>,
    pub claim_templates: Vec<ClaimTemplate>,
    /// ConfigMap `<name>-files`: small bind-mounted files (key -> content).
    pub config_files: IndexMap<String, FileContent>,
    /// Secret `<name>-files`: Compose `secrets:` (key -> content).
    pub secret_files: IndexMap<String, Vec<u8>>,
    pub network: NetworkAccess,
    /// A PodDisruptionBudget (several replicas).
    pub disruption_budget: bool,
    /// A HorizontalPodAutoscaler (`x-homeport.autoscale`).
    pub autoscale: Option<AutoscalePlan>,
    /// Priority, spread, update strategy, queue-worker shutdown.
    pub production: crate::production::PodProduction,
    pub decisions: Vec<Decision>,
    pub notes: Vec<String>,
    /// Lint rules (by name) whose findings this pod knowingly triggers, with why: written as
    /// `homeport.dev/ignore` + `homeport.dev/ignore-reason` so the exception is explained.
    pub lint_exceptions: Vec<(&'static str, String)>,
    /// Ports serving Prometheus metrics (an exporter's ports, `prometheus.io/port`): the
    /// monitoring namespace may scrape them.
    pub metrics_ports: Vec<u16>,
    /// Existing data on the host this pod's containers use (bind mounts that hold data).
    pub carried_over: Vec<CarriedOver>,
    /// The container (index) that runs as a native sidecar (an init container with
    /// `restartPolicy: Always`, Kubernetes 1.29+): a VPN the other containers route through
    /// starts before them and stops after them.
    pub native_sidecar: Option<usize>,
    /// Claims seeded on first start from the pod's `-files` ConfigMap: an init container
    /// copies the files in only when the claim is empty.
    pub seeds: Vec<SeedPlan>,
}

impl PodPlan {
    pub fn except(&mut self, rule: &'static str, reason: impl Into<String>) {
        if !self.lint_exceptions.iter().any(|(r, _)| *r == rule) {
            self.lint_exceptions.push((rule, reason.into()));
        }
    }

    /// Every container port of the pod (before Service ports are computed).
    pub fn ports_declared(&self) -> Vec<PortPlan> {
        self.containers
            .iter()
            .flat_map(|c| c.ports.iter().cloned())
            .collect()
    }

    pub fn decide(
        &mut self,
        topic: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.decisions.push(Decision {
            topic,
            value: value.into(),
            reason: reason.into(),
        });
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileContent {
    Text(String),
    Binary(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct ContainerPlan {
    pub name: String,
    pub service: String,
    pub image: String,
    pub image_pull_policy: Option<String>,
    /// Kubernetes `command` (Compose entrypoint) and `args` (Compose command).
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub working_dir: Option<String>,
    /// ConfigMap `<container>-env`.
    pub config_env: IndexMap<String, String>,
    /// Secret `<container>-env`.
    pub secret_env: IndexMap<String, String>,
    pub ports: Vec<PortPlan>,
    pub mounts: Vec<MountPlan>,
    pub probes: Probes,
    pub resources: ResourcePlan,
    pub security: ContainerSecurity,
    pub tty: bool,
    pub stdin: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortPlan {
    pub name: String,
    pub port: u16,
    pub target: u16,
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MountPlan {
    pub volume: String,
    pub path: String,
    pub sub_path: Option<String>,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodVolume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VolumeSource {
    EmptyDir {
        memory: bool,
        size_limit: Option<u64>,
    },
    Claim {
        claim: String,
        read_only: bool,
    },
    ConfigMap {
        name: String,
    },
    Secret {
        name: String,
    },
    HostPath {
        path: String,
        kind: Option<&'static str>,
    },
}

/// A volumeClaimTemplate (StatefulSets).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimTemplate {
    pub name: String,
    pub storage_class: String,
    pub size: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClaimPlan {
    pub name: String,
    pub namespace: String,
    /// The pod whose labels the claim carries (first consumer).
    pub owner: String,
    pub storage_class: Option<String>,
    pub access_mode: &'static str,
    pub size: String,
    /// Bound to this static PersistentVolume.
    pub volume_name: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersistentVolumePlan {
    pub name: String,
    pub capacity: String,
    pub access_mode: &'static str,
    pub source: PersistentVolumeSource,
    pub claim_namespace: String,
    pub claim_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PersistentVolumeSource {
    Nfs { server: String, path: String },
    Local { path: String, node: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExternalNamePlan {
    pub name: String,
    pub namespace: String,
    pub target: String,
    pub owner: String,
}

/// Data already on the host that a container mounts (used in place or copied into a claim).
#[derive(Debug, Clone, PartialEq)]
pub struct CarriedOver {
    /// Index of the container in the pod.
    pub container: usize,
    /// Mount path in the container.
    pub target: String,
    /// Host path (resolved).
    pub host_path: String,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Database files found there.
    pub database: Option<crate::facts::DataMarker>,
    /// The Compose mount, for diagnostics.
    pub span: Option<homeport_diag::Span>,
}

/// Seed the claim volume `volume` (a configuration directory the application writes to)
/// with `files` on first start: an init container copies them only into an empty claim.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPlan {
    pub volume: String,
    pub files: Vec<SeedFile>,
    /// Index of the container whose user the copy runs as.
    pub container: usize,
}

/// One file of a seed: key `key` of the pod volume `volume` (the pod's `-files` ConfigMap or
/// `-secrets` Secret), written as `name`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedFile {
    pub volume: String,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitFor {
    pub service: String,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probes {
    pub readiness: Option<ProbePlan>,
    pub liveness: Option<ProbePlan>,
    pub startup: Option<ProbePlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProbePlan {
    pub action: ProbeAction,
    pub period_seconds: u64,
    pub timeout_seconds: u64,
    pub failure_threshold: u64,
    pub initial_delay_seconds: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProbeAction {
    Exec(Vec<String>),
    Http { port: u16, path: String },
    Tcp { port: u16 },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourcePlan {
    pub cpu_request_millis: u64,
    pub memory_request_bytes: u64,
    pub cpu_limit_millis: Option<u64>,
    pub memory_limit_bytes: u64,
    /// Extended resource (GPU) name and count.
    pub gpu: Option<(String, u32)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerSecurity {
    pub run_as_user: Option<u32>,
    pub run_as_group: Option<u32>,
    pub run_as_non_root: bool,
    pub read_only_root: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
}

/// A Traefik `Middleware` (traefik.io/v1alpha1) translated from Compose labels
/// (`traefik.http.middlewares.<name>.<type>.<option>`).
#[derive(Debug, Clone, PartialEq)]
pub struct IngressMiddleware {
    /// Object name (DNS-1123), in the pod's namespace.
    pub name: String,
    /// The middleware's name in the labels.
    pub label_name: String,
    pub spec: MiddlewareSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MiddlewareSpec {
    /// HTTP basic authentication; the htpasswd lines go to Secret `<name>-users` (key
    /// `users`), never into the Middleware itself.
    BasicAuth {
        users: Vec<String>,
        realm: Option<String>,
        remove_header: bool,
        header_field: Option<String>,
    },
    /// Authentication delegated to a service (Authelia, Authentik, oauth2-proxy): `address`
    /// already names it by its in-cluster DNS name.
    ForwardAuth {
        address: String,
        trust_forward_header: bool,
        auth_response_headers: Vec<String>,
        auth_request_headers: Vec<String>,
        auth_response_headers_regex: Option<String>,
    },
    /// A protection homeport cannot write (defined by Traefik's file provider, a type it does
    /// not translate): the Ingress names it anyway, so Traefik keeps the route closed until
    /// the user creates it.
    External,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngressRoute {
    pub host: String,
    pub path: String,
    pub port: u16,
    pub tls: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    /// `kubernetes.io/arch` values required.
    pub arch: Option<String>,
    /// Required node names (hostname affinity); empty = anywhere.
    pub required_nodes: Vec<String>,
    /// Further required node-label expressions (from `deploy.placement.constraints`).
    pub expressions: Vec<NodeExpression>,
    /// Needs a node with a GPU of this vendor.
    pub gpu_vendor: Option<crate::cluster::GpuVendor>,
    /// Preferred node names.
    pub preferred_nodes: Vec<String>,
    /// Preferred `kubernetes.io/arch` (images of unknown architecture in mixed clusters).
    pub preferred_arch: Option<String>,
    pub preemptible: bool,
    /// Co-locate with this pod (shared ReadWriteOnce volume).
    pub colocate_with: Option<String>,
    /// Nodes the pod is expected to run on (budgets).
    pub nodes: Vec<String>,
}

/// `key operator values` for a required node affinity term.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeExpression {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: &'static str,
    pub values: Vec<String>,
}

/// Which peers may talk to a pod and where it may talk to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkAccess {
    /// Compose networks the pod joins (pod label `net.homeport.dev/<net>: "true"`).
    pub networks: Vec<String>,
    /// Accept traffic from every pod sharing one of `networks` (non-data services).
    pub from_networks: bool,
    /// Pods (namespace, name) allowed in regardless of networks.
    pub from_pods: Vec<(String, String)>,
    pub from_ingress_controller: bool,
    /// Published through a LoadBalancer: accept from anywhere on these ports.
    pub from_anywhere_ports: Vec<PortPlan>,
    /// Pods this one may reach, with their ports.
    pub to_pods: Vec<(String, String, Vec<PortPlan>)>,
    pub to_networks: bool,
    pub internet_egress: bool,
}

/// Per-node totals after placement.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBudget {
    pub name: String,
    pub cpu_allocatable_millis: Option<u64>,
    pub cpu_requested_millis: u64,
    pub memory_allocatable_bytes: Option<u64>,
    pub memory_requested_bytes: u64,
    pub gpu_allocatable: u64,
    pub gpu_requested: u64,
    pub pods: Vec<String>,
}

/// HorizontalPodAutoscaler bounds and utilisation targets (percent of requests).
#[derive(Debug, Clone, PartialEq)]
pub struct AutoscalePlan {
    pub min: u32,
    pub max: u32,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    /// KEDA queue trigger (then a ScaledObject, not an HPA).
    pub queue: Option<crate::production::QueueTrigger>,
    /// KEDA prometheus trigger on GPU utilisation.
    pub gpu: Option<crate::production::GpuTrigger>,
}
