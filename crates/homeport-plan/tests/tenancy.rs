//! Tenancy decisions on hand-built projects: accounts and RBAC, quota figures and headroom.

use homeport_compose::*;
use homeport_plan::cluster::*;
use homeport_plan::*;

mod common;
use common::{project, svc};

#[test]
fn every_pod_gets_its_own_account_and_only_api_clients_get_rules() {
    let mut hinted = svc("sync", "ghcr.io/example/sync:1.0");
    hinted.hints.rbac = Some(RbacHint::Rules(vec![RbacRuleHint {
        api_groups: vec!["".into()],
        resources: vec!["configmaps".into()],
        verbs: vec!["get".into()],
        resource_names: vec![],
        cluster: false,
    }]));
    let mut quiet = svc("prom2", "prom/prometheus:v2.55.1");
    quiet.hints.rbac = Some(RbacHint::Disabled(false));
    let p = project(vec![
        svc("web", "nginx:1.27"),
        svc("prom", "prom/prometheus:v2.55.1"),
        hinted,
        quiet,
    ]);
    let plan = plan(&p, &Cluster::default_k3s());
    let t = &plan.tenancy;
    assert_eq!(t.service_accounts.len(), plan.pods.len());
    let web = t.account("stack", "web").unwrap();
    assert!(!web.needs_token());
    let prom = t.account("stack", "prom").unwrap();
    assert!(prom.namespace_rules.is_empty());
    assert!(prom
        .cluster_rules
        .iter()
        .all(|r| r.verbs == ["get", "list", "watch"]));
    assert_eq!(prom.cluster_role_name(), "stack-prom");
    let sync = t.account("stack", "sync").unwrap();
    assert_eq!(sync.namespace_rules.len(), 1);
    assert!(sync.cluster_rules.is_empty());
    assert!(sync.lint_exceptions.is_empty());
    let prom2 = t.account("stack", "prom2").unwrap();
    assert!(
        !prom2.needs_token(),
        "rbac: false takes the knowledge base's rules away"
    );
}

#[test]
fn quota_is_the_sum_plus_surge_and_autoscaling_headroom() {
    let mut api = svc("api", "ghcr.io/example/api:1.0");
    api.hints.autoscale = Some(AutoscaleHint {
        min: Some(2),
        max: Some(7),
        cpu: Some(70),
        ..Default::default()
    });
    let p = project(vec![api]);
    let plan = plan(&p, &Cluster::default_k3s());
    let pod = &plan.pods[0];
    assert_eq!(pod.autoscale.as_ref().map(|a| a.max), Some(7));
    let q = &plan.tenancy.quotas[0];
    let share = &q.shares[0];
    let c = &pod.containers[0].resources;
    // 7 replicas at most, surge ceil(25% × 7) = 2: 9 pods.
    assert_eq!(q.hard.pods, 9);
    assert_eq!(q.hard.requests_cpu_millis, 9 * c.cpu_request_millis);
    assert_eq!(q.hard.limits_memory_bytes, 9 * c.memory_limit_bytes);
    assert_eq!(share.planned.pods, u64::from(pod.replicas));
    assert!(
        share.reason.contains("autoscaling to 7 replicas"),
        "{}",
        share.reason
    );
}

#[test]
fn quota_false_turns_quotas_off() {
    let mut p = project(vec![svc("web", "nginx:1.27")]);
    p.hints.quota = Some(false);
    let plan = plan(&p, &Cluster::default_k3s());
    assert!(plan.tenancy.quotas.is_empty());
    assert!(plan.tenancy.quota_note.is_some());
    assert_eq!(plan.tenancy.service_accounts.len(), 1);
}
