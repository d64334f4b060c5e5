//! The normalized Compose model: what `docker compose config` prints, typed, with the spans
//! later stages need to point diagnostics back at the user's file.
//!
//! Everything here is already interpolated, merged, extended, included and profile-filtered.
//! Short syntaxes are expanded to their long forms; units are parsed (bytes, nanoseconds,
//! CPUs as f64). Maps are `IndexMap`s sorted by key so output is deterministic.

use homeport_diag::Span;
use indexmap::IndexMap;
use serde::Serialize;
use std::path::PathBuf;

use crate::hints::{ProjectHints, ServiceHints};

#[derive(Debug, Clone, Serialize, Default)]
pub struct Project {
    pub name: String,
    /// Project directory (absolute): the base for relative paths.
    pub working_dir: PathBuf,
    /// Compose files that were read, in merge order (display names as the user gave them).
    pub files: Vec<String>,
    pub services: IndexMap<String, Service>,
    pub networks: IndexMap<String, Network>,
    pub volumes: IndexMap<String, Volume>,
    pub secrets: IndexMap<String, FileObject>,
    pub configs: IndexMap<String, FileObject>,
    /// Top-level `x-*` fields other than `x-homeport`, kept verbatim.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub extensions: IndexMap<String, serde_json::Value>,
    #[serde(rename = "x-homeport", skip_serializing_if = "ProjectHints::is_empty")]
    pub hints: ProjectHints,
    /// Valid top-level Compose keys that are not translated (e.g. `models`), kept verbatim.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
    /// Services that exist but were switched off by profiles (kept so references can be told
    /// apart from typos, and so `plan` can mention them).
    #[serde(skip)]
    pub inactive_services: Vec<String>,
    /// Secret-looking variables (by name, e.g. `REDIS_PASSWORD`) interpolated anywhere in the
    /// Compose files, with their values, sorted by name. A value interpolated into a command
    /// or probe must be kept out of the workload's plain spec even when no environment entry
    /// carries it.
    #[serde(skip)]
    pub interpolated_secrets: Vec<(String, String)>,
}

/// Where a model element was written. `key` is the span of its name (e.g. the service key),
/// `fields` holds the span of each top-level key's value as written (after merging, the
/// file that provided the winning value).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub key: Option<Span>,
    pub fields: IndexMap<String, Span>,
}

impl Origin {
    pub fn field(&self, name: &str) -> Option<Span> {
        self.fields.get(name).copied().or(self.key)
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Service {
    pub name: String,
    /// DNS-1123 label derived from `name` (unique within the project).
    #[serde(skip)]
    pub dns_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `None` = image default; `Some(vec![])` = explicitly empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Command>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Final environment: `env_file` entries first, then `environment`, by name.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, EnvValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeMount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub depends_on: IndexMap<String, Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    /// GPUs from `gpus:` (`all` = count -1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gpus: Vec<DeviceRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceMapping>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub privileged: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sysctls: IndexMap<String, String>,
    /// `host`, `none`, `bridge`, `service:NAME`, `container:NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    /// Networks the service joins (default network included when none is given).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, ServiceNetwork>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<FileReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size_bytes: Option<u64>,
    /// `mem_limit` (bytes); `deploy.resources.limits.memory` is in `deploy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_limit_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_reservation_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub ulimits: IndexMap<String, Ulimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,
    /// Keys that are valid Compose but have no meaning after translation are still kept here
    /// verbatim (e.g. `logging`, `stdin_open`), so `inspect` shows them and later stages can
    /// report them as not translated.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
    /// Service-level `x-*` fields other than `x-homeport`.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub extensions: IndexMap<String, serde_json::Value>,
    #[serde(rename = "x-homeport", skip_serializing_if = "ServiceHints::is_empty")]
    pub hints: ServiceHints,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Build {
    pub context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, Option<String>>,
    /// Other build keys (`cache_from`, `ssh`, `platforms`, ...), kept verbatim.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
}

/// A command or entrypoint: exec form, or a string that Compose splits shell-style.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Command {
    Exec(Vec<String>),
    /// Written as one string: docker compose splits it with shell-word rules, no shell runs.
    String(String),
}

/// One environment entry after interpolation. Serialized as its value alone (a string, or
/// `null` when unset).
#[derive(Debug, Clone, Default)]
pub struct EnvValue {
    /// `None`: declared without a value and absent from the process environment (unset).
    pub value: Option<String>,
    /// Variables interpolated into this value (`${DB_PASSWORD}` → `DB_PASSWORD`), which tells
    /// the planner a value came from `.env` or the shell rather than the file itself. An
    /// entry written without a value (`- DB_PASSWORD`) that took the environment's value
    /// lists its own name.
    pub interpolated: Vec<String>,
    /// Came from an `env_file` (its path, resolved against the project directory) rather
    /// than `environment:`. `span` then points at the line in that env file.
    pub env_file: Option<String>,
    pub span: Option<Span>,
}

impl Serialize for EnvValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Port {
    /// Container port (first of a range is expanded: one `Port` per container port).
    pub target: u16,
    /// Host port, if published (`None` = random or not published).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// `tcp` (default), `udp`, `sctp`.
    pub protocol: String,
    /// `ingress` (default) or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    #[serde(skip)]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Volume,
    Bind,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VolumeMount {
    #[serde(rename = "type")]
    pub kind: MountType,
    /// Named volume, or host path for binds (resolved against the project directory when
    /// relative; `~` expanded), `None` for anonymous volumes and tmpfs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub target: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
    /// SELinux relabel `z` / `Z`, propagation, `nocopy` and other flags as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmpfs_size_bytes: Option<u64>,
    /// Where the mount was written (the list item).
    #[serde(skip)]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Healthcheck {
    /// `CMD` exec form, or `CMD-SHELL` (kept as a shell string). `None` when disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<HealthTest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval_ns: Option<u64>,
    /// `disable: true` or `test: ["NONE"]`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "form", content = "command", rename_all = "kebab-case")]
pub enum HealthTest {
    /// `["CMD", "curl", "-f", "http://localhost"]`
    Cmd(Vec<String>),
    /// `["CMD-SHELL", "pg_isready"]` or a plain string.
    CmdShell(String),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dependency {
    /// `service_started` (default), `service_healthy`, `service_completed_successfully`.
    pub condition: String,
    pub required: bool,
    pub restart: bool,
    #[serde(skip)]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    No,
    Always,
    OnFailure,
    UnlessStopped,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Deploy {
    /// `replicated` (default) or `global`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Placement constraints as written, e.g. `node.labels.gpu == true`, `node.platform.arch == aarch64`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_preferences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_replicas_per_node: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<DeployRestart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_config: Option<UpdateConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_config: Option<UpdateConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_mode: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Resources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<ResourceSpec>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct ResourceSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids: Option<i64>,
    /// GPU and other device reservations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceRequest>,
    /// Swarm generic resources (`discrete_resource_spec`), e.g. `{kind: gpu, value: 1}`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generic_resources: Vec<GenericResource>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct GenericResource {
    pub kind: String,
    pub value: i64,
}

/// A device request (`deploy.resources.reservations.devices[]` or `gpus:`).
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DeviceRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `-1` = all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_ids: Vec<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DeployRestart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_ns: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct UpdateConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failure_ratio: Option<f64>,
    /// `stop-first` (default) or `start-first`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceMapping {
    pub source: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct ServiceNetwork {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Other per-network keys (`mac_address`, `link_local_ips`, `driver_opts`, ...), verbatim.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ulimit {
    pub soft: i64,
    pub hard: i64,
}

/// A service's reference to a top-level secret or config.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct FileReference {
    pub source: String,
    /// Mount path in the container (secrets default to `/run/secrets/<source>`, configs to `/<source>`).
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    #[serde(skip)]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Network {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
    #[serde(skip)]
    pub dns_name: String,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Volume {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip)]
    pub dns_name: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// A top-level secret or config definition.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FileObject {
    pub name: String,
    /// Exactly one of file / environment / content is set unless external.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Inline content. For secrets this is a secret value: never print it (inspect redacts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// The value of the `environment:` variable, taken from the project environment (shell
    /// and `.env`) as Compose does. A secret value: never print it.
    #[serde(skip)]
    pub environment_value: Option<String>,
    /// Other keys (`labels`, `driver`, `template_driver`, ...), verbatim.
    #[serde(skip_serializing_if = "IndexMap::is_empty", flatten)]
    pub other: IndexMap<String, serde_json::Value>,
    #[serde(skip)]
    pub dns_name: String,
    #[serde(skip)]
    pub origin: Origin,
}
