//! Tenancy objects: a ServiceAccount per workload (Role/ClusterRole and bindings for those
//! that talk to the API), and per namespace a ResourceQuota and a LimitRange.

use crate::meta;
use homeport_plan::cluster::{format_cpu_millis, format_memory_bytes};
use homeport_plan::*;
use serde_json::{json, Map, Value};

fn with_exceptions(mut md: Value, sa: &ServiceAccountPlan) -> Value {
    if !sa.lint_exceptions.is_empty() {
        let rules: Vec<&str> = sa.lint_exceptions.iter().map(|(r, _)| *r).collect();
        let reasons: Vec<String> = sa
            .lint_exceptions
            .iter()
            .map(|(r, why)| format!("{r}: {why}"))
            .collect();
        md["annotations"]["homeport.dev/ignore"] = json!(rules.join(","));
        md["annotations"]["homeport.dev/ignore-reason"] = json!(reasons.join("; "));
    }
    md
}

/// The ServiceAccount of `pod` and, when it talks to the API, its Role/ClusterRole and
/// bindings. Namespaced objects first, then the cluster-scoped ones.
pub fn service_account(
    plan: &Plan,
    pod: &PodPlan,
    sa: &ServiceAccountPlan,
) -> (Vec<Value>, Vec<Value>) {
    let mut md = meta::metadata(plan, pod, &sa.name);
    md["annotations"]["homeport.dev/rbac-reason"] = json!(sa.reason);
    let mut namespaced = vec![json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": md,
        "automountServiceAccountToken": sa.needs_token(),
    })];
    let subject = json!([{"kind": "ServiceAccount", "name": sa.name, "namespace": sa.namespace}]);
    if !sa.namespace_rules.is_empty() {
        let rules: Vec<Value> = sa.namespace_rules.iter().map(RbacRule::to_json).collect();
        namespaced.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": with_exceptions(meta::metadata(plan, pod, &sa.name), sa),
            "rules": rules,
        }));
        namespaced.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta::metadata(plan, pod, &sa.name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": sa.name},
            "subjects": subject,
        }));
    }
    let mut cluster = Vec::new();
    if !sa.cluster_rules.is_empty() {
        let name = sa.cluster_role_name();
        let md = |name: &str| {
            let mut md = meta::metadata(plan, pod, name);
            if let Some(m) = md.as_object_mut() {
                m.remove("namespace");
            }
            md
        };
        let rules: Vec<Value> = sa.cluster_rules.iter().map(RbacRule::to_json).collect();
        cluster.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": with_exceptions(md(&name), sa),
            "rules": rules,
        }));
        cluster.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": md(&name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": subject,
        }));
    }
    (namespaced, cluster)
}

fn namespace_metadata(plan: &Plan, ns: &str, name: &str) -> Value {
    json!({"name": name, "namespace": ns, "labels": meta::namespace_labels(plan)})
}

/// The namespace's ResourceQuota (`hard` = the plan's figures plus headroom) and LimitRange.
pub fn quota(plan: &Plan, q: &QuotaPlan) -> Vec<Value> {
    let f = &q.hard;
    let mut hard = Map::new();
    hard.insert(
        "requests.cpu".into(),
        json!(format_cpu_millis(f.requests_cpu_millis)),
    );
    hard.insert(
        "limits.cpu".into(),
        json!(format_cpu_millis(f.limits_cpu_millis)),
    );
    hard.insert(
        "requests.memory".into(),
        json!(format_memory_bytes(f.requests_memory_bytes)),
    );
    hard.insert(
        "limits.memory".into(),
        json!(format_memory_bytes(f.limits_memory_bytes)),
    );
    for (gpu, n) in &f.gpus {
        hard.insert(format!("requests.{gpu}"), json!(n.to_string()));
    }
    hard.insert("pods".into(), json!(f.pods.to_string()));
    hard.insert("persistentvolumeclaims".into(), json!(f.claims.to_string()));
    hard.insert(
        "requests.storage".into(),
        json!(format_memory_bytes(f.storage_bytes)),
    );
    let mut md = namespace_metadata(plan, &q.namespace, "homeport");
    let why: Vec<String> = q
        .shares
        .iter()
        .map(|s| format!("{}: {}", s.what, s.reason))
        .collect();
    md["annotations"] = json!({"homeport.dev/quota-reason": format!("the plan's requests and limits plus headroom (docs/quota.md): {}", why.join("; "))});
    let limit_range = json!({
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {
            "name": "homeport-defaults",
            "namespace": q.namespace,
            "labels": meta::namespace_labels(plan),
            "annotations": {"homeport.dev/description": "defaults for containers added by hand without requests or limits; homeport's own containers set both"},
        },
        "spec": {"limits": [{
            "type": "Container",
            "defaultRequest": {"cpu": format_cpu_millis(DEFAULT_REQUEST_CPU_MILLIS), "memory": format_memory_bytes(DEFAULT_REQUEST_MEMORY_BYTES)},
            "default": {"cpu": format_cpu_millis(DEFAULT_LIMIT_CPU_MILLIS), "memory": format_memory_bytes(DEFAULT_LIMIT_MEMORY_BYTES)},
        }]},
    });
    vec![
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": md, "spec": {"hard": hard}}),
        limit_range,
    ]
}
