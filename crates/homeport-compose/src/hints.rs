//! `x-homeport` hints (contract: shared/docs/contract.md), parsed into typed form.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadHint {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Critical,
    Standard,
    Batch,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum SecurityLevel {
    Restricted,
    Baseline,
    Privileged,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ExposeHint {
    /// `expose: false`: never create an Ingress.
    Disabled(bool),
    /// `expose: tv.home.arpa` or `{host, path, port}`.
    Route {
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        port: Option<u16>,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct AutoscaleHint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Target utilisation percentages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<u32>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueHint {
    /// `rabbitmq` or `redis`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<u32>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecurityHint {
    pub level: SecurityLevel,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum BackupHint {
    Disabled(bool),
    Schedule {
        #[serde(skip_serializing_if = "Option::is_none")]
        schedule: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        retention: Option<u32>,
    },
}

/// `x-homeport.metrics`: where the service exposes Prometheus metrics, or `false`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum MetricsHint {
    Disabled(bool),
    Endpoint {
        #[serde(skip_serializing_if = "Option::is_none")]
        port: Option<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
}

/// `x-homeport.pullSecret`: which `kubernetes.io/dockerconfigjson` Secret the pods pull with.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum PullSecretHint {
    /// `true`: homeport writes the Secret from the Docker config's login for the image's
    /// registry (an error when there is none); `false`: no pull secret, even when the
    /// Docker config has a login for that registry.
    FromDockerConfig(bool),
    /// `pullSecret: NAME`: an existing Secret in the pod's namespace; homeport writes none.
    Existing(String),
}

/// `x-homeport.rbac`: the Kubernetes API access a service needs (its rules replace what the
/// knowledge base would grant), or `false` for none at all.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum RbacHint {
    Disabled(bool),
    Rules(Vec<RbacRuleHint>),
}

/// One rule of `x-homeport.rbac`: validated at load (no `*`, no escalation verbs).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RbacRuleHint {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `scope: cluster`: a ClusterRole (cluster-scoped resources, or every namespace).
    pub cluster: bool,
}

/// Hints on one service; every field optional.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ServiceHints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preemptible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expose: Option<ExposeHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<AutoscaleHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<SecurityHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsHint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<bool>,
    #[serde(rename = "pullSecret", skip_serializing_if = "Option::is_none")]
    pub pull_secret: Option<PullSecretHint>,
    /// A VerticalPodAutoscaler in recommendation mode (`Off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rightsize: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rbac: Option<RbacHint>,
}

impl ServiceHints {
    pub fn is_empty(&self) -> bool {
        self == &ServiceHints::default()
    }

    /// These hints with unset fields taken from `defaults` (the top-level block).
    pub fn or(&self, defaults: &ServiceHints) -> ServiceHints {
        ServiceHints {
            namespace: self
                .namespace
                .clone()
                .or_else(|| defaults.namespace.clone()),
            workload: self.workload.or(defaults.workload),
            schedule: self.schedule.clone().or_else(|| defaults.schedule.clone()),
            tier: self.tier.or(defaults.tier),
            preemptible: self.preemptible.or(defaults.preemptible),
            node: self.node.clone().or_else(|| defaults.node.clone()),
            expose: self.expose.clone().or_else(|| defaults.expose.clone()),
            autoscale: self
                .autoscale
                .clone()
                .or_else(|| defaults.autoscale.clone()),
            queue: self.queue.clone().or_else(|| defaults.queue.clone()),
            security: self.security.clone().or_else(|| defaults.security.clone()),
            backup: self.backup.clone().or_else(|| defaults.backup.clone()),
            metrics: self.metrics.clone().or_else(|| defaults.metrics.clone()),
            skip: self.skip.or(defaults.skip),
            pull_secret: self
                .pull_secret
                .clone()
                .or_else(|| defaults.pull_secret.clone()),
            rightsize: self.rightsize.or(defaults.rightsize),
            // Service-level only: API access is never a project-wide default.
            rbac: self.rbac.clone(),
        }
    }
}

/// The top-level `x-homeport` block: project-wide defaults for every service's hints.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ProjectHints {
    #[serde(flatten)]
    pub defaults: ServiceHints,
    /// `quota: false`: no ResourceQuota nor LimitRange per namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<bool>,
}

impl ProjectHints {
    pub fn is_empty(&self) -> bool {
        self.defaults.is_empty() && self.quota.is_none()
    }
}
