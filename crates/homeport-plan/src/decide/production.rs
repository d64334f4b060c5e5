//! The production layer, decided after placement: autoscaling (needs the volumes and the GPU
//! slots), priorities, availability, backups, and the monitoring note.

use crate::plan::{ClaimPlan, PodPlan};
use crate::planner::Ctx;
use crate::production::ProductionPlan;

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan], claims: &[ClaimPlan]) -> ProductionPlan {
    super::autoscale::decide(cx, pods, claims);
    let priority_classes = super::priority::decide(cx, pods);
    super::availability::decide(cx, pods);
    let backups = super::backup::decide(cx, pods);
    let monitoring = super::monitoring::decide(cx, pods);
    let pull_secrets = super::pull_secrets::decide(cx, pods);
    super::rightsize::decide(cx, pods);
    let monitoring_note = cx.cluster.monitoring.is_none().then(|| {
        "the inventory declares no `monitoring`: no ServiceMonitor, PrometheusRule or dashboard is written (add `monitoring: {operator: prometheus-operator, release: ...}` to cluster.yaml)".to_string()
    });
    ProductionPlan {
        priority_classes,
        backups: backups.backups,
        backup_claims: backups.claims,
        not_backed_up: backups.not_backed_up,
        monitoring_note,
        monitoring,
        pull_secrets,
    }
}
