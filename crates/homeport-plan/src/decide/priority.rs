//! Priorities: `x-homeport.tier` (default from the role) becomes a PriorityClass, written
//! once per cluster, and the pod's `priorityClassName`.

use crate::images::Role;
use crate::plan::{PodPlan, WorkloadKind};
use crate::planner::Ctx;
use crate::production::PriorityClassPlan;
use homeport_compose::Tier;

/// Auth services: losing them locks everyone out of everything else.
const AUTH_FAMILIES: &[&str] = &[
    "authelia",
    "authentik",
    "keycloak",
    "oauth2-proxy",
    "lldap",
    "zitadel",
    "dex",
];

fn class(tier: Tier) -> PriorityClassPlan {
    match tier {
        Tier::Critical => PriorityClassPlan {
            name: "homeport-critical".into(),
            value: 100_000,
            preempting: true,
            description: "databases, ingress-facing and auth services: scheduled first, may preempt lower tiers".into(),
        },
        Tier::Standard => PriorityClassPlan {
            name: "homeport-standard".into(),
            value: 10_000,
            preempting: false,
            description: "ordinary services: above batch work, never preempting (waits for room)".into(),
        },
        Tier::Batch => PriorityClassPlan {
            name: "homeport-batch".into(),
            value: -1_000,
            preempting: false,
            description: "preemptible and run-once work: first to go when a node runs short".into(),
        },
    }
}

fn default_tier(pod: &PodPlan) -> (Tier, String) {
    let image_family = |p: &PodPlan| {
        p.containers
            .iter()
            .map(|c| crate::images::lookup(&c.image).family)
            .collect::<Vec<_>>()
    };
    if pod.placement.preemptible {
        return (Tier::Batch, "preemptible work".into());
    }
    if matches!(pod.workload, WorkloadKind::Job | WorkloadKind::CronJob) {
        return (
            Tier::Batch,
            format!("a {} (run-to-completion work)", pod.workload.as_str()),
        );
    }
    if matches!(pod.role, Role::Database | Role::Queue) {
        return (
            Tier::Critical,
            format!("a {}: other services depend on it", pod.role.as_str()),
        );
    }
    if image_family(pod)
        .iter()
        .any(|f| AUTH_FAMILIES.iter().any(|a| f.contains(a)))
    {
        return (Tier::Critical, "an authentication service".into());
    }
    if !pod.ingresses.is_empty() || !pod.load_balancer.is_empty() {
        return (Tier::Critical, "ingress-facing: what users reach".into());
    }
    (Tier::Standard, "the default tier".into())
}

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) -> Vec<PriorityClassPlan> {
    let mut used: Vec<Tier> = Vec::new();
    for pod in pods.iter_mut() {
        let hint = cx
            .project
            .services
            .get(&pod.service)
            .and_then(|s| cx.hints(s).tier);
        let (tier, reason) = match hint {
            Some(t) => (t, "x-homeport.tier".to_string()),
            None => default_tier(pod),
        };
        let c = class(tier);
        pod.decide("priority", &c.name, reason);
        pod.production.priority_class = Some(c.name.clone());
        if !used.contains(&tier) {
            used.push(tier);
        }
    }
    // Highest first.
    [Tier::Critical, Tier::Standard, Tier::Batch]
        .into_iter()
        .filter(|t| used.contains(t))
        .map(class)
        .collect()
}
