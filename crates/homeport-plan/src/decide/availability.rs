//! Availability: replicas spread across nodes, update strategies that cannot deadlock, and
//! a graceful shutdown for queue workers. PodDisruptionBudgets (`maxUnavailable: 1`, which
//! never blocks a drain) are decided with the replicas.

use crate::plan::{PodPlan, WorkloadKind};
use crate::planner::Ctx;

/// Termination grace of a queue worker without `stop_grace_period`: time to finish the job
/// in hand after the broker stops handing it work.
pub const QUEUE_WORKER_GRACE_SECONDS: u64 = 120;

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) {
    let snapshot: Vec<PodPlan> = pods.to_vec();
    for pod in pods.iter_mut() {
        let max = pod.autoscale.as_ref().map_or(pod.replicas, |a| a.max);
        if max > 1 && pod.workload.is_long_running() && pod.workload != WorkloadKind::DaemonSet {
            pod.production.spread = true;
            pod.decide(
                "spread",
                "topologySpreadConstraints on kubernetes.io/hostname (maxSkew 1, ScheduleAnyway)",
                "several replicas: one node going down should not take them all; ScheduleAnyway still fits on one node",
            );
        }
        if pod.workload == WorkloadKind::Deployment && pod.recreate {
            // Storage may already have said why (the shared volume of a data service).
            if !pod.decisions.iter().any(|d| d.topic == "strategy") {
                pod.decide(
                    "strategy",
                    "Recreate",
                    "a ReadWriteOnce volume: the new pod cannot mount it until the old one is gone (a rolling update would deadlock)",
                );
            }
        } else if pod.workload == WorkloadKind::Deployment {
            if let Some((free, per_replica)) = super::autoscale::gpu_room(cx, &snapshot, pod) {
                let max = pod.autoscale.as_ref().map_or(pod.replicas, |a| a.max);
                if free < u64::from(max + 1) * per_replica {
                    pod.production.no_surge = true;
                    pod.decide(
                        "strategy",
                        "RollingUpdate maxSurge 0, maxUnavailable 1",
                        "a GPU Deployment without a spare GPU slot: a surge pod would wait for a GPU forever",
                    );
                }
            }
        }
        let queue = cx
            .project
            .services
            .get(&pod.service)
            .is_some_and(|s| cx.hints(s).queue.is_some());
        if queue && pod.workload.is_long_running() {
            let grace = pod
                .termination_grace_seconds
                .unwrap_or(QUEUE_WORKER_GRACE_SECONDS)
                .max(30);
            pod.termination_grace_seconds = Some(grace);
            pod.production.queue_worker_grace = Some(grace);
            pod.decide(
                "shutdown",
                format!("preStop pause 5s, terminationGracePeriodSeconds {grace}"),
                "a queue worker: the pause lets it leave the Service and the broker before SIGTERM, the grace lets it finish the job in hand (unacknowledged messages go back to the queue)",
            );
        }
    }
}
