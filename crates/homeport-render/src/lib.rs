//! Plan -> Kubernetes objects (`serde_json::Value`), in a deterministic order: Namespaces
//! first, then cluster-scoped PersistentVolumes, then by namespace, service, kind and name.
//!
//! The renderer decides nothing: every choice is in the [`Plan`] with its reason.

mod backup;
mod base64;
mod meta;
mod middleware;
mod monitoring;
mod network_policy;
mod pod;
mod production;
mod pull_secrets;
mod rightsize;
mod tenancy;

pub use backup::scripts as backup_scripts;

pub use meta::SOURCE_ANNOTATION;
pub use pod::WAIT_IMAGE;
pub use pull_secrets::PullCredentials;

use homeport_compose::Project;
use homeport_plan::*;
use serde_json::{json, Map, Value};

/// Sort key: namespace, namespace-wide (0) or service-owned (1), service, kind rank, name.
type SortKey = (String, u8, String, u8, String);

/// Objects with their sort key.
struct Out {
    items: Vec<(SortKey, Value)>,
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "ConfigMap" => 0,
        "Secret" => 1,
        "PersistentVolumeClaim" => 2,
        "Service" => 3,
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => 4,
        "PodDisruptionBudget" => 5,
        "HorizontalPodAutoscaler" | "ScaledObject" | "TriggerAuthentication" => 5,
        "VerticalPodAutoscaler" => 5,
        "ServiceMonitor" | "PrometheusRule" => 8,
        "ServiceAccount" | "ResourceQuota" | "LimitRange" => 0,
        "Role" | "RoleBinding" => 1,
        "Ingress" | "Middleware" => 6,
        "NetworkPolicy" => 7,
        _ => 9,
    }
}

impl Out {
    fn push(&mut self, namespace: &str, service: &str, obj: Value) {
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let group = if service.is_empty() { 0 } else { 1 };
        self.items.push((
            (
                namespace.to_string(),
                group,
                service.to_string(),
                kind_rank(&kind),
                name,
            ),
            obj,
        ));
    }
}

/// A Job's spec: `base` plus the pod template. A preemptible Job is evicted by the gaming
/// guard; its `podFailurePolicy` ignores the eviction (`DisruptionTarget`) so the pod reruns
/// instead of counting against `backoffLimit` (needs `restartPolicy: Never`; on by default
/// since Kubernetes 1.26).
fn job_spec(plan: &Plan, pod: &PodPlan, mut base: Value) -> Value {
    if pod.placement.preemptible && minor_version(&plan.cluster.kubernetes_version) >= 26 {
        base["podFailurePolicy"] = json!({"rules": [
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        ]});
        base["template"] = pod::template(plan, pod, Some("Never"));
    } else {
        base["template"] = pod::template(plan, pod, Some("OnFailure"));
    }
    base
}

/// `1.33` -> 33 (0 when unreadable: no version-gated field is used).
fn minor_version(version: &str) -> u32 {
    version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// Every Kubernetes object of the plan.
/// The pods that mount the claim `name` of `namespace`.
fn claim_users<'p>(plan: &'p Plan, namespace: &str, name: &str) -> Vec<&'p PodPlan> {
    plan.pods
        .iter()
        .filter(|p| p.namespace == namespace)
        .filter(|p| {
            p.volumes
                .iter()
                .any(|v| matches!(&v.source, VolumeSource::Claim { claim, .. } if claim == name))
        })
        .collect()
}

/// Every Kubernetes object of the plan; pull secrets without credentials (see
/// [`render_with`]).
pub fn render(plan: &Plan, project: &Project) -> Vec<Value> {
    render_with(plan, project, &PullCredentials::default())
}

/// As [`render`], with the pull secrets' credentials (kept out of the plan).
pub fn render_with(plan: &Plan, _project: &Project, credentials: &PullCredentials) -> Vec<Value> {
    let mut out = Out { items: Vec::new() };
    let k8s = format!("v{}", plan.cluster.kubernetes_version);

    let mut namespaces: Vec<Value> = Vec::new();
    for ns in &plan.namespaces {
        let level = level_str(ns.level);
        let mut labels = meta::namespace_labels(plan);
        for mode in ["enforce", "warn", "audit"] {
            labels.insert(format!("pod-security.kubernetes.io/{mode}"), json!(level));
            labels.insert(
                format!("pod-security.kubernetes.io/{mode}-version"),
                json!(k8s),
            );
        }
        namespaces.push(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns.name, "labels": labels, "annotations": {"homeport.dev/pod-security-reason": ns.reason}},
        }));
        for np in network_policy::namespace_policies(plan, &ns.name) {
            out.push(&ns.name, "", np);
        }
    }

    for pv in &plan.persistent_volumes {
        let owner = plan
            .claims
            .iter()
            .find(|c| c.name == pv.claim_name && c.namespace == pv.claim_namespace)
            .and_then(|c| {
                plan.pods
                    .iter()
                    .find(|p| p.name == c.owner && p.namespace == c.namespace)
            });
        let mut spec = Map::new();
        spec.insert("capacity".into(), json!({"storage": pv.capacity}));
        spec.insert("accessModes".into(), json!([pv.access_mode]));
        spec.insert("persistentVolumeReclaimPolicy".into(), json!("Retain"));
        spec.insert("storageClassName".into(), json!(""));
        spec.insert(
            "claimRef".into(),
            json!({"namespace": pv.claim_namespace, "name": pv.claim_name}),
        );
        match &pv.source {
            PersistentVolumeSource::Nfs { server, path } => {
                spec.insert("nfs".into(), json!({"server": server, "path": path}));
            }
            PersistentVolumeSource::Local { path, node } => {
                spec.insert("local".into(), json!({"path": path}));
                spec.insert(
                    "nodeAffinity".into(),
                    json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}),
                );
            }
        }
        let shared = claim_users(plan, &pv.claim_namespace, &pv.claim_name).len() > 1;
        let metadata = match owner {
            Some(p) if !shared => {
                json!({"name": pv.name, "labels": meta::labels(plan, p), "annotations": {SOURCE_ANNOTATION: p.source}})
            }
            _ => json!({"name": pv.name, "labels": meta::namespace_labels(plan)}),
        };
        out.push("", owner.map_or("", |p| p.name.as_str()), json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": metadata, "spec": spec}));
    }

    for claim in &plan.claims {
        let Some(owner) = plan.pods.iter().find(|p| p.name == claim.owner) else {
            continue;
        };
        let md = if claim_users(plan, &claim.namespace, &claim.name).len() > 1 {
            // Shared by several services: labelled as the project's, not as one of them.
            json!({"name": claim.name, "namespace": claim.namespace, "labels": meta::namespace_labels(plan)})
        } else {
            let mut md = meta::metadata(plan, owner, &claim.name);
            md["namespace"] = json!(claim.namespace);
            md
        };
        let mut spec = Map::new();
        spec.insert("accessModes".into(), json!([claim.access_mode]));
        match (&claim.volume_name, &claim.storage_class) {
            (Some(v), _) => {
                spec.insert("storageClassName".into(), json!(""));
                spec.insert("volumeName".into(), json!(v));
            }
            (None, Some(c)) => {
                spec.insert("storageClassName".into(), json!(c));
            }
            (None, None) => {}
        }
        spec.insert(
            "resources".into(),
            json!({"requests": {"storage": claim.size}}),
        );
        out.push(&claim.namespace, &owner.name, json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md, "spec": spec}));
    }

    for alias in &plan.aliases_across_namespaces {
        let Some(owner) = plan.pods.iter().find(|p| p.name == alias.owner) else {
            continue;
        };
        let mut md = meta::metadata(plan, owner, &alias.name);
        md["namespace"] = json!(alias.namespace);
        out.push(
            &alias.namespace,
            &owner.name,
            json!({"apiVersion": "v1", "kind": "Service", "metadata": md, "spec": {"type": "ExternalName", "externalName": alias.target}}),
        );
    }

    for p in &plan.production.pull_secrets {
        out.push(&p.namespace, "", pull_secrets::secret(plan, p, credentials));
    }
    for pod in &plan.pods {
        render_pod(plan, pod, &mut out);
    }
    for c in &plan.production.backup_claims {
        out.push(&c.namespace, "", backup::claim(plan, c));
    }
    for b in &plan.production.backups {
        for o in backup::objects(plan, b) {
            out.push(&b.namespace, &b.pod, o);
        }
    }
    if let Some(m) = &plan.production.monitoring {
        for pod in &plan.pods {
            for o in monitoring::service_monitor(plan, m, pod) {
                out.push(&pod.namespace, &pod.name, o);
            }
        }
        for ns in &plan.namespaces {
            if plan.pods.iter().any(|p| p.namespace == ns.name) {
                out.push(&ns.name, "", monitoring::prometheus_rule(plan, m, &ns.name));
                out.push(&ns.name, "", monitoring::dashboard(plan, m, &ns.name));
            }
        }
    }
    namespaces.extend(production::priority_classes(plan));
    for q in &plan.tenancy.quotas {
        for o in tenancy::quota(plan, q) {
            out.push(&q.namespace, "", o);
        }
    }
    let mut cluster_rbac = Vec::new();
    for pod in &plan.pods {
        if let Some(sa) = plan.tenancy.account(&pod.namespace, &pod.name) {
            let (namespaced, cluster) = tenancy::service_account(plan, pod, sa);
            for o in namespaced {
                out.push(&pod.namespace, &pod.name, o);
            }
            cluster_rbac.extend(cluster);
        }
    }
    namespaces.extend(cluster_rbac);

    out.items.sort_by(|a, b| a.0.cmp(&b.0));
    namespaces.extend(out.items.into_iter().map(|(_, v)| v));
    namespaces
}

/// Under a HorizontalPodAutoscaler the workload carries no `replicas`: the autoscaler owns
/// the scale, and a fixed count would reset it on every apply.
fn without_replicas_under_autoscaler(pod: &PodPlan, spec: &mut Value) {
    if pod.autoscale.is_some() {
        if let Some(m) = spec.as_object_mut() {
            m.remove("replicas");
        }
    }
}

fn render_pod(plan: &Plan, pod: &PodPlan, out: &mut Out) {
    let ns = pod.namespace.as_str();
    let svc = pod.name.as_str();
    // Environment.
    for c in &pod.containers {
        if !c.config_env.is_empty() {
            out.push(ns, svc, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta::metadata(plan, pod, &format!("{}-env", c.name)), "data": c.config_env}));
        }
        if !c.secret_env.is_empty() {
            let data: Map<String, Value> = c
                .secret_env
                .iter()
                .map(|(k, v)| (k.clone(), json!(base64::encode(v.as_bytes()))))
                .collect();
            out.push(ns, svc, json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta::metadata(plan, pod, &format!("{}-env", c.name)), "type": "Opaque", "data": data}));
        }
    }
    if !pod.config_files.is_empty() {
        let mut data = Map::new();
        let mut binary = Map::new();
        for (k, v) in &pod.config_files {
            match v {
                FileContent::Text(t) => {
                    data.insert(k.clone(), json!(t));
                }
                FileContent::Binary(b) => {
                    binary.insert(k.clone(), json!(base64::encode(b)));
                }
            }
        }
        let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta::metadata(plan, pod, &format!("{}-files", pod.name))});
        if !data.is_empty() {
            cm["data"] = Value::Object(data);
        }
        if !binary.is_empty() {
            cm["binaryData"] = Value::Object(binary);
        }
        out.push(ns, svc, cm);
    }
    if !pod.secret_files.is_empty() {
        let data: Map<String, Value> = pod
            .secret_files
            .iter()
            .map(|(k, v)| (k.clone(), json!(base64::encode(v))))
            .collect();
        out.push(ns, svc, json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta::metadata(plan, pod, &format!("{}-secrets", pod.name)), "type": "Opaque", "data": data}));
    }

    // Services.
    let selector = meta::selector(plan, pod);
    let service_ports: Vec<Value> = pod
        .ports
        .iter()
        .map(|p| json!({"name": p.name, "port": p.port, "targetPort": p.target, "protocol": p.protocol}))
        .collect();
    let long_running = pod.workload.is_long_running();
    if !service_ports.is_empty() && long_running {
        let mut spec = json!({"type": "ClusterIP", "selector": selector, "ports": service_ports});
        if pod.workload == WorkloadKind::StatefulSet {
            spec["clusterIP"] = json!("None");
            spec["publishNotReadyAddresses"] = json!(false);
        }
        out.push(ns, svc, json!({"apiVersion": "v1", "kind": "Service", "metadata": meta::metadata(plan, pod, &pod.name), "spec": spec}));
        for alias in &pod.alias_services {
            out.push(ns, svc, json!({"apiVersion": "v1", "kind": "Service", "metadata": meta::metadata(plan, pod, alias), "spec": {"type": "ClusterIP", "selector": selector, "ports": service_ports}}));
        }
    }
    if !pod.load_balancer.is_empty() && long_running {
        let ports: Vec<Value> = pod
            .load_balancer
            .iter()
            .map(|p| json!({"name": p.name, "port": p.port, "targetPort": p.target, "protocol": p.protocol}))
            .collect();
        out.push(ns, svc, json!({"apiVersion": "v1", "kind": "Service", "metadata": meta::metadata(plan, pod, &format!("{}-lb", pod.name)), "spec": {"type": "LoadBalancer", "selector": selector, "ports": ports}}));
    }

    // Workload.
    let mut md = meta::metadata(plan, pod, &pod.name);
    if !pod.lint_exceptions.is_empty() {
        let rules: Vec<&str> = pod.lint_exceptions.iter().map(|(r, _)| *r).collect();
        let reasons: Vec<String> = pod
            .lint_exceptions
            .iter()
            .map(|(r, why)| format!("{r}: {why}"))
            .collect();
        md["annotations"]["homeport.dev/ignore"] = json!(rules.join(","));
        md["annotations"]["homeport.dev/ignore-reason"] = json!(reasons.join("; "));
    }
    let workload = match pod.workload {
        WorkloadKind::Deployment => {
            let mut spec = json!({
                "replicas": pod.replicas,
                "revisionHistoryLimit": 3,
                "selector": {"matchLabels": selector},
                "template": pod::template(plan, pod, None),
            });
            if pod.recreate {
                spec["strategy"] = json!({"type": "Recreate"});
            }
            without_replicas_under_autoscaler(pod, &mut spec);
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md, "spec": spec})
        }
        WorkloadKind::StatefulSet => {
            let templates: Vec<Value> = pod
                .claim_templates
                .iter()
                .map(|t| {
                    json!({
                        "metadata": {"name": t.name, "labels": meta::labels(plan, pod)},
                        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": t.storage_class, "resources": {"requests": {"storage": t.size}}},
                    })
                })
                .collect();
            let mut spec = json!({
                "replicas": pod.replicas,
                "revisionHistoryLimit": 3,
                "serviceName": pod.name,
                "selector": {"matchLabels": selector},
                "template": pod::template(plan, pod, None),
            });
            without_replicas_under_autoscaler(pod, &mut spec);
            if !templates.is_empty() {
                spec["volumeClaimTemplates"] = json!(templates);
                spec["persistentVolumeClaimRetentionPolicy"] =
                    json!({"whenDeleted": "Retain", "whenScaled": "Retain"});
            }
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": md, "spec": spec})
        }
        WorkloadKind::DaemonSet => json!({
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": md,
            "spec": {"revisionHistoryLimit": 3, "selector": {"matchLabels": selector}, "template": pod::template(plan, pod, None)},
        }),
        WorkloadKind::Job => json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": md,
            "spec": job_spec(plan, pod, json!({"backoffLimit": 6, "ttlSecondsAfterFinished": 86400})),
        }),
        WorkloadKind::CronJob => json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": md,
            "spec": {
                "schedule": pod.schedule.clone().unwrap_or_else(|| "0 3 * * *".into()),
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 300,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": job_spec(plan, pod, json!({"backoffLimit": 3}))},
            },
        }),
    };
    let mut workload = workload;
    production::adjust_workload(plan, pod, &mut workload);
    out.push(ns, svc, workload);

    if pod.disruption_budget && long_running {
        out.push(ns, svc, json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta::metadata(plan, pod, &pod.name), "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}}}));
    }

    if let Some(a) = &pod.autoscale {
        for o in production::scaler(plan, pod, a) {
            out.push(ns, svc, o);
        }
    }
    if let Some(r) = &pod.production.rightsize {
        out.push(ns, svc, rightsize::vpa(plan, pod, r));
    }

    if !pod.ingresses.is_empty() && long_running {
        let mut hosts: Vec<(String, Vec<&IngressRoute>)> = Vec::new();
        for r in &pod.ingresses {
            match hosts.iter_mut().find(|(h, _)| h == &r.host) {
                Some((_, rs)) => rs.push(r),
                None => hosts.push((r.host.clone(), vec![r])),
            }
        }
        let rules: Vec<Value> = hosts
            .iter()
            .map(|(host, routes)| {
                let paths: Vec<Value> = routes
                    .iter()
                    .map(|r| json!({"path": r.path, "pathType": "Prefix", "backend": {"service": {"name": pod.name, "port": {"number": r.port}}}}))
                    .collect();
                json!({"host": host, "http": {"paths": paths}})
            })
            .collect();
        let mut md = meta::metadata(plan, pod, &pod.name);
        if !pod.middlewares.is_empty() {
            let (objects, annotations) = middleware::for_ingress(plan, pod);
            for o in objects {
                out.push(ns, svc, o);
            }
            for (k, v) in annotations {
                md["annotations"][k] = v;
            }
        }
        let mut spec = json!({"ingressClassName": plan.cluster.ingress.class_name, "rules": rules});
        if pod.ingresses.iter().any(|r| r.tls) {
            let tls_hosts: Vec<&String> = hosts.iter().map(|(h, _)| h).collect();
            spec["tls"] = json!([{"hosts": tls_hosts, "secretName": format!("{}-tls", pod.name)}]);
            if let Some(issuer) = &plan.cluster.ingress.issuer {
                md["annotations"]["cert-manager.io/cluster-issuer"] = json!(issuer);
            }
        }
        out.push(ns, svc, json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": md, "spec": spec}));
    }

    if let Some(np) = network_policy::pod_policy(plan, pod) {
        out.push(ns, svc, np);
    }
}
