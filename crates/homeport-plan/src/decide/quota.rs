//! A ResourceQuota per namespace: what its workloads request and limit at their planned
//! scale, plus the headroom homeport's own operations need, so the quota never blocks them:
//!
//! * a Deployment's rolling-update surge: `ceil(maxSurge% × replicas)` at its largest scale
//!   (25%, Kubernetes' default; none with `Recreate` or `maxSurge: 0`);
//! * an autoscaler's maximum (HPA or KEDA `maxReplicas`) above the planned replicas, with
//!   the claims a StatefulSet's new replicas create;
//! * per database, its backup CronJob, restore Job and restore-drill CronJob running at once;
//! * per namespace with claims, one receiver pod of `homeport data` (the runbook fills the
//!   claims one at a time, possibly while the services moved before are running).
//!
//! A pod counts as Kubernetes charges it: the larger of its containers' sum (native sidecars
//! included) and its largest init container (plus the sidecars started before it).
//! docs/tenancy.md has the formula; tests recompute it from the rendered objects.

use crate::cluster::parse_memory_bytes;
use crate::plan::{ClaimPlan, PodPlan, WorkloadKind};
use crate::planner::Ctx;
use crate::production::ProductionPlan;
use crate::tenancy::*;

/// Per-mille of replicas a rolling update may add (Kubernetes' default `maxSurge: 25%`).
const SURGE_PERCENT: u64 = 25;

/// What one replica of `pod` is charged.
pub fn pod_figures(pod: &PodPlan) -> QuotaFigures {
    let mut f = QuotaFigures {
        pods: 1,
        ..QuotaFigures::default()
    };
    for c in &pod.containers {
        let r = &c.resources;
        f.requests_cpu_millis += r.cpu_request_millis.max(1);
        f.requests_memory_bytes += r.memory_request_bytes.max(1);
        f.limits_cpu_millis += r
            .cpu_limit_millis
            .unwrap_or(DEFAULT_LIMIT_CPU_MILLIS)
            .max(1);
        f.limits_memory_bytes += r.memory_limit_bytes.max(1);
        if let Some((name, n)) = &r.gpu {
            f.add(&QuotaFigures {
                gpus: vec![(name.clone(), u64::from(*n))],
                ..QuotaFigures::default()
            });
        }
    }
    // Init containers (dependency waits, seeds) run one at a time, next to the sidecar.
    let inits = pod.init_waits.len() + pod.seeds.len();
    if inits > 0 {
        let sidecar = pod.native_sidecar.and_then(|i| pod.containers.get(i));
        let side =
            |get: fn(&crate::plan::ResourcePlan) -> u64| sidecar.map_or(0, |c| get(&c.resources));
        f.requests_cpu_millis = f
            .requests_cpu_millis
            .max(INIT_CPU_REQUEST_MILLIS + side(|r| r.cpu_request_millis.max(1)));
        f.requests_memory_bytes = f
            .requests_memory_bytes
            .max(INIT_MEMORY_REQUEST_BYTES + side(|r| r.memory_request_bytes.max(1)));
        f.limits_cpu_millis = f.limits_cpu_millis.max(
            INIT_CPU_LIMIT_MILLIS
                + side(|r| {
                    r.cpu_limit_millis
                        .unwrap_or(DEFAULT_LIMIT_CPU_MILLIS)
                        .max(1)
                }),
        );
        f.limits_memory_bytes = f
            .limits_memory_bytes
            .max(INIT_MEMORY_LIMIT_BYTES + side(|r| r.memory_limit_bytes.max(1)));
    }
    f
}

/// The replicas a workload runs at most (its autoscaler's maximum), and its surge.
pub fn scale(pod: &PodPlan, nodes: u64) -> (u64, u64, u64) {
    match pod.workload {
        WorkloadKind::Deployment | WorkloadKind::StatefulSet => {
            let planned = u64::from(pod.replicas);
            let max = pod
                .autoscale
                .as_ref()
                .map_or(planned, |a| u64::from(a.max).max(planned));
            let surge = if pod.workload == WorkloadKind::Deployment
                && !pod.recreate
                && !pod.production.no_surge
            {
                (max * SURGE_PERCENT).div_ceil(100)
            } else {
                0
            };
            (planned, max, surge)
        }
        // One pod per node (an upper bound: placement may exclude some); no surge.
        WorkloadKind::DaemonSet => (nodes, nodes, 0),
        // One pod at a time (parallelism 1, CronJobs `concurrencyPolicy: Forbid`).
        WorkloadKind::Job | WorkloadKind::CronJob => (1, 1, 0),
    }
}

fn storage(size: &str) -> u64 {
    parse_memory_bytes(size).unwrap_or(0)
}

/// A quota per namespace with workloads, or none under `x-homeport.quota: false`.
pub fn decide(
    cx: &Ctx,
    pods: &[PodPlan],
    claims: &[ClaimPlan],
    production: &ProductionPlan,
) -> (Vec<QuotaPlan>, Option<String>) {
    if cx.project.hints.quota == Some(false) {
        return (
            Vec::new(),
            Some("x-homeport.quota: false: no ResourceQuota nor LimitRange is written".into()),
        );
    }
    let nodes = (cx.cluster.nodes.len() as u64).max(1);
    let mut namespaces: Vec<String> = Vec::new();
    for ns in pods
        .iter()
        .map(|p| &p.namespace)
        .chain(production.backups.iter().map(|b| &b.namespace))
    {
        if !namespaces.contains(ns) {
            namespaces.push(ns.clone());
        }
    }
    let mut out = Vec::new();
    for ns in namespaces {
        let mut shares = Vec::new();
        for pod in pods.iter().filter(|p| p.namespace == ns) {
            let one = pod_figures(pod);
            let (planned, max, surge) = scale(pod, nodes);
            let mut p = one.times(planned);
            let mut h = one.times(max - planned + surge);
            let per_replica: u64 = pod.claim_templates.iter().map(|t| storage(&t.size)).sum();
            let templates = pod.claim_templates.len() as u64;
            p.claims = templates * planned;
            p.storage_bytes = per_replica * planned;
            h.claims = templates * (max - planned);
            h.storage_bytes = per_replica * (max - planned);
            let mut why = vec![format!("{planned} × ({}) per pod", one.summary())];
            if max > planned {
                why.push(format!("autoscaling to {max} replicas"));
            }
            if surge > 0 {
                why.push(format!(
                    "rolling-update surge of {surge} (maxSurge {SURGE_PERCENT}%)"
                ));
            }
            if pod.workload == WorkloadKind::DaemonSet {
                why.push(format!("one pod on each of the {nodes} node(s)"));
            }
            shares.push(QuotaShare {
                what: format!("{} ({})", pod.name, pod.workload.as_str()),
                planned: p,
                headroom: h,
                reason: why.join(", "),
            });
        }
        let ns_claims: Vec<&ClaimPlan> = claims.iter().filter(|c| c.namespace == ns).collect();
        let backup_claims: Vec<_> = production
            .backup_claims
            .iter()
            .filter(|c| c.namespace == ns)
            .collect();
        if !ns_claims.is_empty() || !backup_claims.is_empty() {
            let count = (ns_claims.len() + backup_claims.len()) as u64;
            let bytes = ns_claims.iter().map(|c| storage(&c.size)).sum::<u64>()
                + backup_claims.iter().map(|c| storage(&c.size)).sum::<u64>();
            shares.push(QuotaShare {
                what: "claims".into(),
                planned: QuotaFigures {
                    claims: count,
                    storage_bytes: bytes,
                    ..QuotaFigures::default()
                },
                headroom: QuotaFigures::default(),
                reason: format!("{count} PersistentVolumeClaim(s) of the namespace"),
            });
        }
        let templated = pods
            .iter()
            .any(|p| p.namespace == ns && !p.claim_templates.is_empty());
        if !ns_claims.is_empty() || !backup_claims.is_empty() || templated {
            shares.push(QuotaShare {
                what: "data receiver".into(),
                planned: QuotaFigures::default(),
                headroom: QuotaFigures {
                    requests_cpu_millis: DATA_RECEIVER_CPU_REQUEST_MILLIS,
                    limits_cpu_millis: DATA_RECEIVER_CPU_LIMIT_MILLIS,
                    requests_memory_bytes: DATA_RECEIVER_MEMORY_REQUEST_BYTES,
                    limits_memory_bytes: DATA_RECEIVER_MEMORY_LIMIT_BYTES,
                    pods: 1,
                    ..QuotaFigures::default()
                },
                reason: "the receiver pod `homeport data` starts to fill claims, one at a time"
                    .into(),
            });
        }
        for b in production.backups.iter().filter(|b| b.namespace == ns) {
            let job = QuotaFigures {
                requests_cpu_millis: BACKUP_JOB_CPU_REQUEST_MILLIS,
                limits_cpu_millis: BACKUP_JOB_CPU_LIMIT_MILLIS,
                requests_memory_bytes: BACKUP_JOB_MEMORY_REQUEST_BYTES,
                limits_memory_bytes: BACKUP_JOB_MEMORY_LIMIT_BYTES,
                pods: 1,
                ..QuotaFigures::default()
            };
            shares.push(QuotaShare {
                what: format!("{} backup jobs", b.pod),
                planned: QuotaFigures::default(),
                headroom: job.times(3),
                reason: "the backup CronJob, the restore Job and the restore drill may run at once"
                    .into(),
            });
        }
        let mut hard = QuotaFigures::default();
        for s in &shares {
            hard.add(&s.planned);
            hard.add(&s.headroom);
        }
        out.push(QuotaPlan {
            namespace: ns,
            shares,
            hard,
        });
    }
    (out, None)
}
