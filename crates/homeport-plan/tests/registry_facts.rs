//! Pull secrets from registry facts (what the Docker config logs in to, gathered before
//! planning) and right-sizing, on hand-built projects: the plan names Secrets and
//! registries, never a credential.

use homeport_compose::*;
use homeport_plan::cluster::Cluster;
use homeport_plan::facts::{Facts, RegistryLogin};
use homeport_plan::*;

mod common;
use common::project;

fn svc(name: &str, image: &str, hints: ServiceHints) -> Service {
    Service {
        hints,
        ..common::svc(name, image)
    }
}

fn in_namespace(ns: &str) -> ServiceHints {
    ServiceHints {
        namespace: Some(ns.into()),
        ..Default::default()
    }
}

fn pod<'p>(plan: &'p Plan, name: &str) -> &'p PodPlan {
    plan.pods.iter().find(|p| p.name == name).unwrap()
}

#[test]
fn one_secret_per_registry_and_namespace_named_not_holding_the_login() {
    let services = vec![
        svc("a", "ghcr.io/me/a:1", in_namespace("one")),
        svc("b", "ghcr.io/me/b:1", in_namespace("one")),
        svc("c", "ghcr.io/me/c:1", in_namespace("two")),
        svc("d", "quay.io/pub/d:1", in_namespace("two")),
    ];
    let mut facts = Facts::default();
    for s in &services {
        let image = s.image.clone().unwrap();
        let registry = image.split('/').next().unwrap().to_string();
        facts.image_registries.insert(image, registry);
    }
    facts
        .registry_logins
        .insert("ghcr.io".into(), RegistryLogin::Auths);
    let plan = plan_with_facts(&project(services), &Cluster::default_k3s(), None, &facts);
    let secrets: Vec<(&str, &str, &str, usize)> = plan
        .production
        .pull_secrets
        .iter()
        .map(|s| {
            (
                s.namespace.as_str(),
                s.name.as_str(),
                s.registry.as_str(),
                s.pods.len(),
            )
        })
        .collect();
    assert_eq!(
        secrets,
        [
            ("one", "pull-ghcr-io", "ghcr.io", 2),
            ("two", "pull-ghcr-io", "ghcr.io", 1)
        ]
    );
    for p in ["a", "b", "c"] {
        assert_eq!(
            pod(&plan, p).production.image_pull_secrets,
            ["pull-ghcr-io"]
        );
    }
    assert!(pod(&plan, "d").production.image_pull_secrets.is_empty());
    assert!(plan
        .production
        .pull_secrets
        .iter()
        .all(|s| s.origin == PullSecretOrigin::DockerConfig));
}

#[test]
fn rightsize_is_recommendation_only_even_beside_an_autoscaler() {
    let hints = ServiceHints {
        rightsize: Some(true),
        autoscale: Some(AutoscaleHint {
            min: Some(2),
            max: Some(5),
            cpu: Some(70),
            memory: Some(80),
            gpu: None,
        }),
        ..Default::default()
    };
    let plan = plan_with_facts(
        &project(vec![
            svc("api", "ghcr.io/me/api:1", hints),
            svc("web", "nginx:1.27", ServiceHints::default()),
        ]),
        &Cluster::default_k3s(),
        None,
        &Facts::default(),
    );
    let api = pod(&plan, "api");
    assert!(api.autoscale.is_some(), "{:?}", plan.diagnostics);
    let r = api.production.rightsize.as_ref().expect("a VPA");
    assert_eq!(r.update_mode, "Off");
    assert!(
        r.reason.contains("kubectl describe vpa api -n stack"),
        "{}",
        r.reason
    );
    assert!(pod(&plan, "web").production.rightsize.is_none());
    let vpa = plan
        .addons
        .iter()
        .find(|a| a.addon == addons::Addon::VerticalPodAutoscaler)
        .expect("the VPA add-on is needed");
    assert_eq!(vpa.needed_by, ["api"]);
}
