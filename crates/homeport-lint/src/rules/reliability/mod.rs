//! `reliability`: what keeps a workload up and operable: resources, probes, images,
//! replicas, disruption budgets, autoscalers, jobs, and objects the API server would reject.

pub mod cronjob_concurrency_policy;
pub mod cronjob_missing_deadline;
pub mod duplicate_env_var;
pub mod hpa_invalid_range;
pub mod hpa_replicas_conflict;
pub mod hpa_target_missing;
pub mod identical_probes;
pub mod image_pull_policy;
pub mod image_tag_latest;
pub mod invalid_label;
pub mod invalid_object_name;
pub mod invalid_port_name;
pub mod invalid_quantity;
pub mod invalid_restart_policy;
pub mod job_missing_ttl;
pub mod missing_cpu_limit;
pub mod missing_cpu_request;
pub mod missing_ephemeral_storage;
pub mod missing_liveness_probe;
pub mod missing_memory_limit;
pub mod missing_memory_request;
pub mod missing_pdb;
pub mod missing_readiness_probe;
pub mod no_pod_anti_affinity;
pub mod pdb_blocks_eviction;
pub mod pdb_selects_nothing;
pub mod pdb_without_policy;
pub mod probe_port_not_declared;
pub mod selector_mismatch;
pub mod service_type_nodeport;
pub mod statefulset_service_name;
pub mod topology_spread_selects_nothing;

use crate::rules::prelude::*;

/// Report declared containers (init containers, sidecars and regular containers; not
/// ephemeral ones, which debugging adds later) that lack `resources.<kind>.<name>`. Init
/// containers count: one that copies or migrates gigabytes runs with the same node
/// resources, and the pod's effective request is the larger of the init containers' and
/// the sum of the others'.
pub(crate) fn missing_resource(cx: &Context<'_>, out: &mut Emitter<'_>, kind: &str, name: &str) {
    let Some(t) = template(cx, out) else { return };
    for c in t.declared_containers() {
        if !quantity_set(resource(c, kind, name)) {
            let path = match c.get("resources") {
                Some(_) => c.path.key("resources"),
                None => c.path.clone(),
            };
            let what = match kind {
                "requests" => "request",
                _ => "limit",
            };
            out.report(path, format!("{} has no {name} {what}", c.describe()));
        }
    }
}
