//! Namespaces as tenants: a ServiceAccount per workload (with least-privilege RBAC only for
//! those that talk to the Kubernetes API), and a ResourceQuota and LimitRange per namespace.
//! Decided in `decide/{service_account, quota}.rs`; rendered by `homeport-render`'s
//! `tenancy` module.

use crate::cluster::{format_cpu_millis, format_memory_bytes};
use serde_json::{json, Value};

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone, PartialEq)]
pub struct RbacRule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
}

impl RbacRule {
    pub fn to_json(&self) -> Value {
        let mut v =
            json!({"apiGroups": self.api_groups, "resources": self.resources, "verbs": self.verbs});
        if !self.resource_names.is_empty() {
            v["resourceNames"] = json!(self.resource_names);
        }
        v
    }
}

/// The identity of one workload: its ServiceAccount and, when it talks to the API, its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAccountPlan {
    /// The pod (and ServiceAccount) name.
    pub pod: String,
    pub namespace: String,
    /// The ServiceAccount's name (the pod's).
    pub name: String,
    /// Rules of a Role in the namespace (with a RoleBinding).
    pub namespace_rules: Vec<RbacRule>,
    /// Rules of a ClusterRole `<namespace>-<name>` (with a ClusterRoleBinding): cluster-scoped
    /// resources such as nodes, or objects of every namespace.
    pub cluster_rules: Vec<RbacRule>,
    /// Why the workload gets these rules, or why none.
    pub reason: String,
    /// Lint rules the rules knowingly trigger (asked for by `x-homeport.rbac`), with why.
    pub lint_exceptions: Vec<(&'static str, String)>,
}

impl ServiceAccountPlan {
    /// Mount the token only when the workload talks to the API.
    pub fn needs_token(&self) -> bool {
        !self.namespace_rules.is_empty() || !self.cluster_rules.is_empty()
    }

    /// The ClusterRole and ClusterRoleBinding name (cluster-wide, so namespaced by prefix).
    pub fn cluster_role_name(&self) -> String {
        format!("{}-{}", self.namespace, self.name)
    }
}

/// Per-resource totals of a namespace's quota.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuotaFigures {
    pub requests_cpu_millis: u64,
    pub limits_cpu_millis: u64,
    pub requests_memory_bytes: u64,
    pub limits_memory_bytes: u64,
    /// Extended resources (GPUs) by name: `nvidia.com/gpu` -> count.
    pub gpus: Vec<(String, u64)>,
    pub pods: u64,
    pub claims: u64,
    pub storage_bytes: u64,
}

impl QuotaFigures {
    pub fn add(&mut self, other: &QuotaFigures) {
        self.requests_cpu_millis += other.requests_cpu_millis;
        self.limits_cpu_millis += other.limits_cpu_millis;
        self.requests_memory_bytes += other.requests_memory_bytes;
        self.limits_memory_bytes += other.limits_memory_bytes;
        for (name, n) in &other.gpus {
            match self.gpus.iter_mut().find(|(g, _)| g == name) {
                Some((_, m)) => *m += n,
                None => self.gpus.push((name.clone(), *n)),
            }
        }
        self.pods += other.pods;
        self.claims += other.claims;
        self.storage_bytes += other.storage_bytes;
    }

    /// These figures times `n` (pods and their resources; claims are counted apart).
    pub fn times(&self, n: u64) -> QuotaFigures {
        QuotaFigures {
            requests_cpu_millis: self.requests_cpu_millis * n,
            limits_cpu_millis: self.limits_cpu_millis * n,
            requests_memory_bytes: self.requests_memory_bytes * n,
            limits_memory_bytes: self.limits_memory_bytes * n,
            gpus: self.gpus.iter().map(|(g, c)| (g.clone(), c * n)).collect(),
            pods: self.pods * n,
            claims: self.claims * n,
            storage_bytes: self.storage_bytes * n,
        }
    }

    /// `cpu 250m/2 memory 256Mi/1Gi pods 1 ...` (requests/limits), zero parts left out.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.requests_cpu_millis + self.limits_cpu_millis > 0 {
            parts.push(format!(
                "cpu {}/{}",
                format_cpu_millis(self.requests_cpu_millis),
                format_cpu_millis(self.limits_cpu_millis)
            ));
        }
        if self.requests_memory_bytes + self.limits_memory_bytes > 0 {
            parts.push(format!(
                "memory {}/{}",
                format_memory_bytes(self.requests_memory_bytes),
                format_memory_bytes(self.limits_memory_bytes)
            ));
        }
        if self.pods > 0 {
            parts.push(format!("pods {}", self.pods));
        }
        for (g, n) in &self.gpus {
            parts.push(format!("{g} {n}"));
        }
        if self.claims > 0 {
            parts.push(format!(
                "claims {} storage {}",
                self.claims,
                format_memory_bytes(self.storage_bytes)
            ));
        }
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// What one workload (or homeport job) adds to its namespace's quota, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaShare {
    /// `web (Deployment)`, `db backup jobs`.
    pub what: String,
    /// At the planned scale.
    pub planned: QuotaFigures,
    /// The headroom on top (surge, autoscaling maximum, backup and restore jobs).
    pub headroom: QuotaFigures,
    pub reason: String,
}

/// A namespace's ResourceQuota (the sum of its shares) and LimitRange defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaPlan {
    pub namespace: String,
    pub shares: Vec<QuotaShare>,
    /// Planned + headroom of every share.
    pub hard: QuotaFigures,
}

/// LimitRange defaults for containers added by hand (homeport's own always set both).
pub const DEFAULT_REQUEST_CPU_MILLIS: u64 = 100;
pub const DEFAULT_REQUEST_MEMORY_BYTES: u64 = 128 * 1024 * 1024;
pub const DEFAULT_LIMIT_CPU_MILLIS: u64 = 500;
pub const DEFAULT_LIMIT_MEMORY_BYTES: u64 = 512 * 1024 * 1024;

/// Plan-wide tenancy decisions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenancyPlan {
    pub service_accounts: Vec<ServiceAccountPlan>,
    pub quotas: Vec<QuotaPlan>,
    /// Why no quota is written (`x-homeport.quota: false`).
    pub quota_note: Option<String>,
}

impl TenancyPlan {
    pub fn account(&self, namespace: &str, pod: &str) -> Option<&ServiceAccountPlan> {
        self.service_accounts
            .iter()
            .find(|a| a.namespace == namespace && a.pod == pod)
    }

    pub fn to_json(&self) -> Value {
        let figures = |f: &QuotaFigures| {
            json!({
                "requests.cpu": format_cpu_millis(f.requests_cpu_millis),
                "limits.cpu": format_cpu_millis(f.limits_cpu_millis),
                "requests.memory": format_memory_bytes(f.requests_memory_bytes),
                "limits.memory": format_memory_bytes(f.limits_memory_bytes),
                "gpus": f.gpus.iter().map(|(g, n)| json!({"resource": g, "count": n})).collect::<Vec<_>>(),
                "pods": f.pods,
                "persistentvolumeclaims": f.claims,
                "requests.storage": format_memory_bytes(f.storage_bytes),
            })
        };
        json!({
            "serviceAccounts": self.service_accounts.iter().map(|a| json!({
                "pod": a.pod, "namespace": a.namespace, "name": a.name,
                "automountToken": a.needs_token(),
                "role": (!a.namespace_rules.is_empty()).then(|| a.namespace_rules.iter().map(RbacRule::to_json).collect::<Vec<_>>()),
                "clusterRole": (!a.cluster_rules.is_empty()).then(|| json!({"name": a.cluster_role_name(), "rules": a.cluster_rules.iter().map(RbacRule::to_json).collect::<Vec<_>>()})),
                "reason": a.reason,
            })).collect::<Vec<_>>(),
            "quotas": self.quotas.iter().map(|q| json!({
                "namespace": q.namespace,
                "hard": figures(&q.hard),
                "shares": q.shares.iter().map(|s| json!({"what": s.what, "planned": figures(&s.planned), "headroom": figures(&s.headroom), "reason": s.reason})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "quotaNote": self.quota_note,
        })
    }

    /// The `homeport plan` table section.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::from("\nSERVICE ACCOUNTS\n");
        for a in &self.service_accounts {
            let access = match (a.namespace_rules.is_empty(), a.cluster_rules.is_empty()) {
                (true, true) => "no API access, token not mounted".to_string(),
                (false, true) => format!("Role ({} rules)", a.namespace_rules.len()),
                (true, false) => format!(
                    "ClusterRole {} ({} rules)",
                    a.cluster_role_name(),
                    a.cluster_rules.len()
                ),
                (false, false) => format!(
                    "Role ({} rules) + ClusterRole {} ({} rules)",
                    a.namespace_rules.len(),
                    a.cluster_role_name(),
                    a.cluster_rules.len()
                ),
            };
            let _ = writeln!(
                out,
                "  {:<32} {access}: {}",
                format!("{}/{}", a.namespace, a.name),
                a.reason
            );
        }
        out.push_str("\nQUOTAS (requests/limits)\n");
        if let Some(n) = &self.quota_note {
            let _ = writeln!(out, "  {n}");
        }
        for q in &self.quotas {
            let _ = writeln!(out, "  {:<20} {}", q.namespace, q.hard.summary());
            for s in &q.shares {
                let headroom = if s.headroom == QuotaFigures::default() {
                    String::new()
                } else {
                    format!(" + headroom {}", s.headroom.summary())
                };
                let _ = writeln!(
                    out,
                    "  {:<20}   {}: {}{headroom} ({})",
                    "",
                    s.what,
                    s.planned.summary(),
                    s.reason
                );
            }
        }
        out
    }
}

/// Resources of each backup, restore and restore-drill Job container (homeport-render's
/// backup module writes them; the quota counts them).
pub const BACKUP_JOB_CPU_REQUEST_MILLIS: u64 = 100;
pub const BACKUP_JOB_MEMORY_REQUEST_BYTES: u64 = 256 * 1024 * 1024;
pub const BACKUP_JOB_CPU_LIMIT_MILLIS: u64 = 500;
pub const BACKUP_JOB_MEMORY_LIMIT_BYTES: u64 = 1024 * 1024 * 1024;
/// Resources of the receiver pod `homeport data` starts for a claim during the move
/// (homeport-data's receiver module writes them; the quota leaves room for one at a time, as
/// the runbook runs them one after another).
pub const DATA_RECEIVER_CPU_REQUEST_MILLIS: u64 = 100;
pub const DATA_RECEIVER_MEMORY_REQUEST_BYTES: u64 = 128 * 1024 * 1024;
pub const DATA_RECEIVER_CPU_LIMIT_MILLIS: u64 = 1000;
pub const DATA_RECEIVER_MEMORY_LIMIT_BYTES: u64 = 512 * 1024 * 1024;
/// Resources of each dependency-wait and seed init container.
pub const INIT_CPU_REQUEST_MILLIS: u64 = 10;
pub const INIT_MEMORY_REQUEST_BYTES: u64 = 16 * 1024 * 1024;
pub const INIT_CPU_LIMIT_MILLIS: u64 = 100;
pub const INIT_MEMORY_LIMIT_BYTES: u64 = 32 * 1024 * 1024;
