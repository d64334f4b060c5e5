//! Right-sizing: `x-homeport.rightsize: true` (or `spec.rightsize: true` in the inventory)
//! gives a workload a VerticalPodAutoscaler in recommendation mode (`updateMode: Off`).
//! Off never evicts or resizes a pod, so it cannot fight the workload's
//! HorizontalPodAutoscaler; its recommendations are read with `kubectl describe vpa`.

use crate::plan::PodPlan;
use crate::planner::Ctx;
use crate::rightsize::RightsizePlan;

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) {
    for pod in pods.iter_mut() {
        let Some(svc) = cx.project.services.get(&pod.service) else {
            continue;
        };
        let by_hint = cx.hints(svc).rightsize;
        let on = by_hint.unwrap_or(cx.cluster.rightsize);
        if !on {
            continue;
        }
        let origin = match by_hint {
            Some(_) => "x-homeport.rightsize: true",
            None => "the inventory's `rightsize: true`",
        };
        let beside_hpa = if pod.autoscale.is_some() {
            "; the workload's autoscaler scales the replicas, and Off never changes a pod, so the two do not fight"
        } else {
            ""
        };
        let reason = format!(
            "{origin}: a VerticalPodAutoscaler in recommendation mode (updateMode Off: it never evicts or resizes a pod){beside_hpa}; read it with {}",
            RightsizePlan::how_to_read(&pod.name, &pod.namespace)
        );
        pod.decide("rightsize", "VerticalPodAutoscaler (Off)", reason.clone());
        pod.production.rightsize = Some(RightsizePlan {
            update_mode: "Off",
            controlled_resources: vec!["cpu", "memory"],
            reason,
        });
    }
}
