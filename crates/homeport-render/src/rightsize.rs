//! VerticalPodAutoscalers (`autoscaling.k8s.io/v1`) in recommendation mode: `updateMode: Off`
//! never evicts or resizes a pod, so it does not fight a HorizontalPodAutoscaler on the same
//! workload.

use crate::meta;
use homeport_plan::{Plan, PodPlan, RightsizePlan};
use serde_json::{json, Value};

pub fn vpa(plan: &Plan, pod: &PodPlan, r: &RightsizePlan) -> Value {
    let mut md = meta::metadata(plan, pod, &pod.name);
    md["annotations"]["homeport.dev/read-recommendations"] =
        json!(RightsizePlan::how_to_read(&pod.name, &pod.namespace));
    json!({
        "apiVersion": "autoscaling.k8s.io/v1",
        "kind": "VerticalPodAutoscaler",
        "metadata": md,
        "spec": {
            "targetRef": {"apiVersion": workload_api(pod), "kind": pod.workload.as_str(), "name": pod.name},
            "updatePolicy": {"updateMode": r.update_mode},
            "resourcePolicy": {"containerPolicies": [{
                "containerName": "*",
                "controlledResources": r.controlled_resources,
            }]},
        },
    })
}

fn workload_api(pod: &PodPlan) -> &'static str {
    if pod.workload.is_long_running() {
        "apps/v1"
    } else {
        "batch/v1"
    }
}
