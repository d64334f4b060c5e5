//! The production layer of a plan: priorities, backups and what is not backed up, the
//! per-pod availability and autoscaling extras. Decided in `decide/{priority, autoscale,
//! availability, backup}.rs`; rendered by `homeport-render`'s `production` module.

use serde_json::{json, Value};

/// A PriorityClass written once per cluster (cluster-scoped).
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityClassPlan {
    /// `homeport-critical`, `homeport-standard`, `homeport-batch`.
    pub name: String,
    pub value: i32,
    /// `false`: `preemptionPolicy: Never` (waits for room instead of evicting others).
    pub preempting: bool,
    pub description: String,
}

/// The database engine a backup dumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbEngine {
    Postgres,
    MySql,
    Mongo,
    Redis,
}

impl DbEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            DbEngine::Postgres => "postgresql",
            DbEngine::MySql => "mysql",
            DbEngine::Mongo => "mongodb",
            DbEngine::Redis => "redis",
        }
    }

    /// The dump tool named in the plan.
    pub fn tool(self) -> &'static str {
        match self {
            DbEngine::Postgres => "pg_dump (custom format, compressed)",
            DbEngine::MySql => "mysqldump/mariadb-dump | gzip",
            DbEngine::Mongo => "mongodump --archive --gzip",
            DbEngine::Redis => "redis-cli --rdb (snapshot copy) | gzip",
        }
    }
}

/// A database's backup: a CronJob, a suspended restore Job and a restore drill CronJob.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupPlan {
    /// The database pod (its name, namespace, Secret/ConfigMap and image are reused).
    pub pod: String,
    pub namespace: String,
    /// The database's `homeport.dev/source`.
    pub source: String,
    pub engine: DbEngine,
    /// The database container's image.
    pub image: String,
    /// The container whose `<container>-env` ConfigMap/Secret hold the credentials.
    pub container: String,
    pub has_config_env: bool,
    pub has_secret_env: bool,
    /// Host and port the dump connects to (the database's Service).
    pub host: String,
    pub port: u16,
    /// The database container's port (NetworkPolicies admit the backup jobs on it).
    pub target_port: u16,
    /// The user the database image runs as (the jobs run as it: restricted).
    pub run_as_user: u32,
    pub schedule: String,
    /// Days of dumps kept.
    pub retention_days: u32,
    /// The drill runs an hour after the backup.
    pub drill_schedule: String,
    /// The backup claim of the namespace.
    pub claim: String,
}

/// The claim dumps are written to (one per namespace with backups).
#[derive(Debug, Clone, PartialEq)]
pub struct BackupClaimPlan {
    pub name: String,
    pub namespace: String,
    pub storage_class: Option<String>,
    pub access_mode: &'static str,
    pub size: String,
    pub reason: String,
}

/// Something not backed up, with why and what to use instead.
#[derive(Debug, Clone, PartialEq)]
pub struct NotBackedUp {
    pub service: String,
    pub what: String,
    pub reason: String,
}

/// Plan-wide production decisions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductionPlan {
    pub priority_classes: Vec<PriorityClassPlan>,
    pub backups: Vec<BackupPlan>,
    pub backup_claims: Vec<BackupClaimPlan>,
    pub not_backed_up: Vec<NotBackedUp>,
    /// Why no ServiceMonitor/PrometheusRule is written (no `monitoring` in the inventory).
    pub monitoring_note: Option<String>,
    /// ServiceMonitors, a PrometheusRule and a dashboard per namespace, when declared.
    pub monitoring: Option<MonitoringPlan>,
    /// The `kubernetes.io/dockerconfigjson` Secrets homeport writes for private registries.
    pub pull_secrets: Vec<crate::pull_secrets::PullSecretPlan>,
}

impl ProductionPlan {
    pub fn to_json(&self) -> Value {
        json!({
            "priorityClasses": self.priority_classes.iter().map(|p| json!({"name": p.name, "value": p.value, "preempting": p.preempting, "reason": p.description})).collect::<Vec<_>>(),
            "backups": self.backups.iter().map(|b| json!({
                "pod": b.pod, "namespace": b.namespace, "engine": b.engine.as_str(), "tool": b.engine.tool(),
                "schedule": b.schedule, "retentionDays": b.retention_days, "claim": b.claim,
                "restoreJob": format!("{}-restore", b.pod), "drill": {"name": format!("{}-restore-drill", b.pod), "schedule": b.drill_schedule},
            })).collect::<Vec<_>>(),
            "notBackedUp": self.not_backed_up.iter().map(|n| json!({"service": n.service, "what": n.what, "reason": n.reason})).collect::<Vec<_>>(),
            "monitoring": match &self.monitoring {
                Some(m) => json!({"release": m.release, "prometheusNamespace": m.prometheus_namespace, "gpuAlerts": m.gpus}),
                None => json!({"note": self.monitoring_note}),
            },
            "pullSecrets": self.pull_secrets.iter().map(|p| json!({
                "name": p.name, "namespace": p.namespace, "registry": p.registry, "pods": p.pods,
                "data": match &p.origin {
                    crate::pull_secrets::PullSecretOrigin::DockerConfig => "docker-config".to_string(),
                    crate::pull_secrets::PullSecretOrigin::Helper(h) => format!("you supply it (credential helper docker-credential-{h})"),
                },
            })).collect::<Vec<_>>(),
        })
    }

    /// The `homeport plan` table section.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        if !self.priority_classes.is_empty() {
            out.push_str("\nPRIORITY CLASSES\n");
            for p in &self.priority_classes {
                let _ = writeln!(out, "  {:<20} {:>8}  {}", p.name, p.value, p.description);
            }
        }
        out.push_str("\nBACKUPS\n");
        if self.backups.is_empty() {
            out.push_str("  no database detected: no backup CronJob\n");
        }
        for b in &self.backups {
            let _ = writeln!(
                out,
                "  {}/{:<18} {} with {}, schedule \"{}\", keep {} days on claim {}\n  {:<20} restore Job {}-restore (suspended), drill CronJob {}-restore-drill \"{}\"",
                b.namespace, b.pod, b.engine.as_str(), b.engine.tool(), b.schedule, b.retention_days, b.claim,
                "", b.pod, b.pod, b.drill_schedule
            );
        }
        if !self.not_backed_up.is_empty() {
            out.push_str("\nNOT BACKED UP\n");
            for n in &self.not_backed_up {
                let _ = writeln!(out, "  {:<20} {}: {}", n.service, n.what, n.reason);
            }
        }
        if !self.pull_secrets.is_empty() {
            out.push_str("\nPULL SECRETS\n");
            for p in &self.pull_secrets {
                let _ = writeln!(out, "  {}", p.describe());
            }
        }
        if let Some(m) = &self.monitoring_note {
            let _ = writeln!(out, "\nMONITORING\n  {m}");
        }
        if let Some(m) = &self.monitoring {
            let _ = writeln!(
                out,
                "\nMONITORING\n  ServiceMonitors (release={}) for services exposing metrics, a PrometheusRule per namespace (crash loops, targets down, volumes nearly full, node memory pressure, backups failed or too old{}), a Grafana dashboard ConfigMap per namespace (grafana_dashboard=1); Prometheus in namespace {} may scrape",
                m.release,
                if m.gpus { ", GPU hot or saturated" } else { "" },
                m.prometheus_namespace
            );
        }
        out
    }
}

/// Per-pod production extras (priority, spread, update strategy, queue-worker shutdown).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodProduction {
    /// `priorityClassName`.
    pub priority_class: Option<String>,
    /// topologySpreadConstraints on `kubernetes.io/hostname` (several replicas).
    pub spread: bool,
    /// RollingUpdate with `maxSurge: 0` (a GPU Deployment without a spare GPU slot).
    pub no_surge: bool,
    /// A queue worker: a preStop pause so the broker stops handing it work, and a
    /// termination grace long enough to finish the job in hand (seconds).
    pub queue_worker_grace: Option<u64>,
    /// Metrics endpoint (port, path) for a ServiceMonitor.
    pub metrics: Option<(String, String)>,
    /// `imagePullSecrets` of the pod (and of the backup jobs that run its image).
    pub image_pull_secrets: Vec<String>,
    /// A VerticalPodAutoscaler in recommendation mode.
    pub rightsize: Option<crate::rightsize::RightsizePlan>,
}

/// A KEDA queue trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueTrigger {
    /// `rabbitmq` or `redis`.
    pub kind: String,
    pub queue: String,
    /// Messages per replica.
    pub target: u32,
    /// The broker's pod (its Secret holds the password).
    pub broker: String,
    /// Secret and key the TriggerAuthentication reads (`host` for RabbitMQ: an AMQP URL;
    /// `password` for Redis).
    pub secret: String,
    pub secret_key: String,
    /// Redis address `host:port`; for RabbitMQ the AMQP URL (written to the `-keda` Secret).
    pub address: Option<String>,
    /// The broker's namespace and container port (a NetworkPolicy admits KEDA on it).
    pub broker_namespace: String,
    pub broker_port: u16,
}

/// A KEDA prometheus trigger on GPU utilisation.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuTrigger {
    pub server: String,
    pub query: String,
    pub threshold: u32,
}

/// What homeport writes for the Prometheus operator (`monitoring` in the inventory).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringPlan {
    /// The `release` label the operator selects ServiceMonitors and rules on.
    pub release: String,
    /// Namespace Prometheus runs in (from `monitoring.prometheus`), allowed to scrape.
    pub prometheus_namespace: String,
    /// The cluster has GPUs: GPU alerts (DCGM exporter metrics).
    pub gpus: bool,
}
