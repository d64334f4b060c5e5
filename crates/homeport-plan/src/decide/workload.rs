//! Workload kind: Deployment, StatefulSet, DaemonSet, Job or CronJob, and replicas.

use crate::codes;
use crate::images::ImageProfile;
use crate::plan::{PodPlan, WorkloadKind};
use crate::planner::Ctx;
use homeport_compose::{MountType, RestartPolicy, Service, ServiceHints, WorkloadHint};
use homeport_diag::Diagnostic;

pub fn decide(
    cx: &mut Ctx,
    svc: &Service,
    hints: &ServiceHints,
    profile: &ImageProfile,
    pod: &mut PodPlan,
) {
    let replicas = svc.deploy.as_ref().and_then(|d| d.replicas).unwrap_or(1);
    let global = svc.deploy.as_ref().and_then(|d| d.mode.as_deref()) == Some("global");
    let owns_volume = svc.volumes.iter().any(|m| {
        m.kind == MountType::Volume
            && m.source
                .as_ref()
                .is_some_and(|s| cx.volume_users.get(s).is_some_and(|users| users.len() == 1))
    });
    let completed_dependency = cx.project.services.values().any(|other| {
        other
            .depends_on
            .get(&svc.name)
            .is_some_and(|d| d.condition == "service_completed_successfully")
    });
    let no_restart = svc.restart == Some(RestartPolicy::No)
        || svc
            .deploy
            .as_ref()
            .and_then(|d| d.restart_policy.as_ref())
            .and_then(|r| r.condition.as_deref())
            == Some("none");
    let one_shot = no_restart && svc.ports.is_empty() && svc.healthcheck.is_none();
    // The Compose idiom for an init task of a server image (`ollama pull`, migrations): the
    // same image as a service that restarts, its own command, no restart policy, no ports, and
    // nothing depends on it.
    let server_twin = cx.project.services.values().any(|o| {
        o.name != svc.name
            && o.image.is_some()
            && o.image == svc.image
            && matches!(
                o.restart,
                Some(RestartPolicy::Always | RestartPolicy::UnlessStopped)
            )
    });
    let depended_on = cx.project.services.values().any(|o| {
        o.depends_on.contains_key(&svc.name)
            || o.links
                .iter()
                .any(|l| l.split(':').next() == Some(svc.name.as_str()))
    });
    let implicit_one_shot = svc.restart.is_none()
        && svc
            .deploy
            .as_ref()
            .is_none_or(|d| d.restart_policy.is_none())
        && server_twin
        && !depended_on
        && (svc.command.is_some() || svc.entrypoint.is_some())
        && svc.ports.is_empty()
        && svc.expose.is_empty()
        && svc.healthcheck.is_none();

    let (kind, reason) = match hints.workload {
        Some(WorkloadHint::Deployment) => (WorkloadKind::Deployment, "x-homeport.workload".to_string()),
        Some(WorkloadHint::StatefulSet) => (WorkloadKind::StatefulSet, "x-homeport.workload".to_string()),
        Some(WorkloadHint::DaemonSet) => (WorkloadKind::DaemonSet, "x-homeport.workload".to_string()),
        Some(WorkloadHint::Job) => (WorkloadKind::Job, "x-homeport.workload".to_string()),
        Some(WorkloadHint::CronJob) => {
            if hints.schedule.is_some() {
                (WorkloadKind::CronJob, "x-homeport.workload with a schedule".to_string())
            } else {
                cx.push(
                    Diagnostic::error(
                        codes::CRONJOB_WITHOUT_SCHEDULE,
                        format!("service `{}` asks for a CronJob but has no schedule", svc.name),
                    )
                    .with_span_opt(svc.origin.field("x-homeport"))
                    .with_help("add `schedule: \"0 3 * * *\"` to its x-homeport block"),
                );
                (WorkloadKind::Job, "x-homeport.workload: cronjob without a schedule, run once".to_string())
            }
        }
        None if global => (WorkloadKind::DaemonSet, "deploy.mode: global runs one copy per node".to_string()),
        None if profile.host_agent => (
            WorkloadKind::DaemonSet,
            format!("{} is a host agent ({}): one per node", profile.family, profile.role.as_str()),
        ),
        None if completed_dependency => (
            WorkloadKind::Job,
            "other services wait for it to complete (service_completed_successfully): a run-once task".to_string(),
        ),
        None if one_shot => (
            WorkloadKind::Job,
            "restart: \"no\" with no ports and no healthcheck: a run-once task".to_string(),
        ),
        None if implicit_one_shot => (
            WorkloadKind::Job,
            "its own command on the image of a service that restarts, no restart policy, no ports, nothing depends on it: a run-once task".to_string(),
        ),
        None if profile.role.is_data_service() && owns_volume => (
            WorkloadKind::StatefulSet,
            format!(
                "{} is a {} that owns its volume: stable identity and one claim per replica (volumeClaimTemplates)",
                profile.family,
                profile.role.as_str()
            ),
        ),
        None => (WorkloadKind::Deployment, "a long-running stateless or single-volume service".to_string()),
    };
    pod.workload = kind;
    if kind == WorkloadKind::CronJob {
        pod.schedule = hints.schedule.clone();
    }
    pod.decide("workload", kind.as_str(), reason);
    if matches!(kind, WorkloadKind::Deployment | WorkloadKind::StatefulSet) {
        pod.replicas = replicas.max(if replicas == 0 { 0 } else { 1 });
        if replicas != 1 {
            pod.decide("replicas", replicas.to_string(), "deploy.replicas");
        }
        if replicas > 1 {
            pod.disruption_budget = true;
            pod.decide(
                "disruption budget",
                "maxUnavailable: 1",
                "several replicas: keep all but one running during node drains",
            );
        }
    }
    // Autoscaling, backups and queue triggers: decide/production.rs (after placement).
    if let Some(ns) = svc.stop_grace_period_ns {
        pod.termination_grace_seconds = Some(ns.div_ceil(1_000_000_000));
    }
}
