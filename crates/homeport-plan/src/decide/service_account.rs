//! A ServiceAccount per workload, so no two workloads share an identity. Only a workload that
//! talks to the Kubernetes API (a known image from the knowledge base, or an
//! `x-homeport.rbac` hint) gets rules and its token mounted; the rules are the least the
//! image needs: read-only, never `*`, never Secrets unless the hint asks for them.

use crate::codes;
use crate::plan::PodPlan;
use crate::planner::{profile_of, Ctx};
use crate::tenancy::{RbacRule, ServiceAccountPlan};
use homeport_compose::{RbacHint, RbacRuleHint};
use homeport_diag::Diagnostic;

/// What a known image reads from the API, and why.
struct KnownAccess {
    /// Knowledge-base family (`images::ImageProfile::family`).
    family: &'static str,
    /// (apiGroups, resources, verbs); all cluster-wide (the image watches every namespace or
    /// cluster-scoped objects such as nodes).
    rules: &'static [(
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    )],
    reason: &'static str,
}

const READ: &[&str] = &["get", "list", "watch"];

static KNOWN: &[KnownAccess] = &[
    KnownAccess {
        family: "prometheus",
        rules: &[
            (&[""], &["nodes", "nodes/metrics", "services", "endpoints", "pods"], READ),
            (&["discovery.k8s.io"], &["endpointslices"], READ),
            (&["networking.k8s.io"], &["ingresses"], READ),
        ],
        reason: "Prometheus discovers its scrape targets through the API (kubernetes_sd_configs: nodes, services, endpoints, pods, ingresses); nodes are cluster-scoped, so a ClusterRole, read-only",
    },
    KnownAccess {
        family: "promtail",
        rules: &[(&[""], &["pods", "nodes"], READ)],
        reason: "a log shipper (Promtail, Grafana Alloy, Vector, Fluent Bit) discovers the pods whose logs it ships and labels them with their node; nodes are cluster-scoped, so a ClusterRole, read-only",
    },
    KnownAccess {
        family: "homepage",
        rules: &[
            (&[""], &["namespaces", "pods", "nodes"], &["get", "list"]),
            (&["networking.k8s.io"], &["ingresses"], &["get", "list"]),
            (&["metrics.k8s.io"], &["nodes", "pods"], &["get", "list"]),
        ],
        reason: "the Homepage dashboard shows the cluster's nodes, pods and ingresses (its Kubernetes widget and service discovery): read-only get/list, a ClusterRole for the cluster-scoped nodes and namespaces",
    },
];

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

/// The lint rules a hinted rule triggers (kept in step with homeport-lint's rbac rules).
fn sensitive(rule: &RbacRuleHint) -> Vec<(&'static str, &'static str)> {
    let group = |g: &str| rule.api_groups.iter().any(|x| x == g);
    let res = |r: &str| rule.resources.iter().any(|x| x == r);
    let verb = |v: &str| rule.verbs.iter().any(|x| x == v);
    let mut out = Vec::new();
    let named = !rule.resource_names.is_empty();
    if group("") && res("secrets") && (verb("list") || verb("watch") || (verb("get") && !named)) {
        out.push(("rbac-secret-read", "reads Secrets"));
    }
    let workloads = [
        ("", "pods"),
        ("", "replicationcontrollers"),
        ("apps", "deployments"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("apps", "replicasets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
    ];
    if verb("create") && workloads.iter().any(|(g, r)| group(g) && res(r)) {
        out.push(("rbac-workload-create", "creates pods or workloads"));
    }
    if group("") && (res("pods/exec") || res("pods/attach")) && (verb("create") || verb("get")) {
        out.push(("rbac-pod-exec", "can exec into pods"));
    }
    if group("admissionregistration.k8s.io")
        && !named
        && ["create", "update", "patch", "delete"]
            .iter()
            .any(|v| verb(v))
    {
        out.push((
            "rbac-admission-webhook-control",
            "changes admission webhooks",
        ));
    }
    out
}

/// One ServiceAccount per pod, in pod order.
pub fn decide(cx: &mut Ctx, pods: &[PodPlan]) -> Vec<ServiceAccountPlan> {
    let mut out = Vec::with_capacity(pods.len());
    for pod in pods {
        let mut sa = ServiceAccountPlan {
            pod: pod.name.clone(),
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            namespace_rules: Vec::new(),
            cluster_rules: Vec::new(),
            reason: String::new(),
            lint_exceptions: Vec::new(),
        };
        let mut reasons: Vec<String> = Vec::new();
        let mut disabled: Vec<String> = Vec::new();
        // Every service of the pod (a joined container shares the pod's identity).
        let services: Vec<&String> = pod.containers.iter().map(|c| &c.service).collect();
        for name in services {
            let Some(svc) = cx.project.services.get(name) else {
                continue;
            };
            match &svc.hints.rbac {
                Some(RbacHint::Disabled(_)) => {
                    disabled.push(name.clone());
                }
                Some(RbacHint::Rules(rules)) => {
                    for r in rules {
                        let rule = RbacRule {
                            api_groups: r.api_groups.clone(),
                            resources: r.resources.clone(),
                            verbs: r.verbs.clone(),
                            resource_names: r.resource_names.clone(),
                        };
                        for (lint, what) in sensitive(r) {
                            let why =
                                format!("x-homeport.rbac of service `{name}` asks that it {what}");
                            if !sa.lint_exceptions.iter().any(|(l, _)| *l == lint) {
                                sa.lint_exceptions.push((lint, why.clone()));
                            }
                            cx.push(
                                Diagnostic::warning(
                                    codes::RBAC_SENSITIVE,
                                    format!("service `{name}`: its x-homeport.rbac {what}; written as asked"),
                                )
                                .with_span_opt(svc.origin.field("x-homeport"))
                                .with_help("grant the least the service needs (resourceNames for the Secrets it reads)"),
                            );
                        }
                        if r.cluster {
                            sa.cluster_rules.push(rule);
                        } else {
                            sa.namespace_rules.push(rule);
                        }
                    }
                    reasons.push(format!("x-homeport.rbac of service `{name}`"));
                }
                None => {
                    let family = profile_of(svc).family;
                    if let Some(k) = KNOWN.iter().find(|k| k.family == family) {
                        for (groups, resources, verbs) in k.rules {
                            sa.cluster_rules.push(RbacRule {
                                api_groups: strings(groups),
                                resources: strings(resources),
                                verbs: strings(verbs),
                                resource_names: Vec::new(),
                            });
                        }
                        reasons.push(format!("`{name}`: {}", k.reason));
                    }
                }
            }
        }
        sa.reason = if reasons.is_empty() {
            if disabled.is_empty() {
                "its own identity; it does not talk to the Kubernetes API, so no RBAC and no token mounted".to_string()
            } else {
                format!(
                    "its own identity; x-homeport.rbac: false on {}: no RBAC and no token mounted",
                    disabled.join(", ")
                )
            }
        } else {
            format!(
                "talks to the Kubernetes API, token mounted: {}",
                reasons.join("; ")
            )
        };
        out.push(sa);
    }
    out
}
