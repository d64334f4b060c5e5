//! The production layer's objects: PriorityClasses, the scaler of each workload
//! (HorizontalPodAutoscaler, or KEDA ScaledObject + TriggerAuthentication), availability
//! settings on the workloads, backups.

use crate::{base64, meta};
use homeport_plan::{AutoscalePlan, Plan, PodPlan, WorkloadKind};
use serde_json::{json, Value};

/// Scale up at once, scale down one pod a minute after five calm minutes.
fn behavior() -> Value {
    json!({
        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}, {"type": "Pods", "value": 4, "periodSeconds": 30}]},
        "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Min", "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
    })
}

/// PriorityClasses (cluster-scoped), written once.
pub fn priority_classes(plan: &Plan) -> Vec<Value> {
    plan.production
        .priority_classes
        .iter()
        .map(|p| {
            json!({
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": p.name, "labels": {"app.kubernetes.io/managed-by": "homeport"}},
                "value": p.value,
                "globalDefault": false,
                "preemptionPolicy": if p.preempting { "PreemptLowerPriority" } else { "Never" },
                "description": p.description,
            })
        })
        .collect()
}

/// Priority, spread, update strategy and queue-worker shutdown on a rendered workload.
pub fn adjust_workload(plan: &Plan, pod: &PodPlan, workload: &mut Value) {
    let template_spec = match pod.workload {
        WorkloadKind::CronJob => &mut workload["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &mut workload["spec"]["template"]["spec"],
    };
    if let Some(class) = &pod.production.priority_class {
        template_spec["priorityClassName"] = json!(class);
    }
    if pod.production.spread {
        template_spec["topologySpreadConstraints"] = json!([{
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": meta::selector(plan, pod)},
        }]);
    }
    if pod.production.queue_worker_grace.is_some() {
        if let Some(containers) = template_spec["containers"].as_array_mut() {
            if let Some(first) = containers.first_mut() {
                first["lifecycle"] = json!({"preStop": {"sleep": {"seconds": 5}}});
            }
        }
    }
    if pod.production.no_surge && pod.workload == WorkloadKind::Deployment && !pod.recreate {
        workload["spec"]["strategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}});
    }
}

/// The one scaler of a workload.
pub fn scaler(plan: &Plan, pod: &PodPlan, a: &AutoscalePlan) -> Vec<Value> {
    let target = json!({"apiVersion": "apps/v1", "kind": pod.workload.as_str(), "name": pod.name});
    if a.queue.is_none() && a.gpu.is_none() {
        let mut metrics = Vec::new();
        for (name, t) in [("cpu", a.cpu), ("memory", a.memory)] {
            if let Some(t) = t {
                metrics.push(json!({"type": "Resource", "resource": {"name": name, "target": {"type": "Utilization", "averageUtilization": t}}}));
            }
        }
        return vec![json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta::metadata(plan, pod, &pod.name),
            "spec": {"scaleTargetRef": target, "minReplicas": a.min.max(1), "maxReplicas": a.max, "metrics": metrics, "behavior": behavior()},
        })];
    }
    let mut out = Vec::new();
    let mut triggers = Vec::new();
    for (name, t) in [("cpu", a.cpu), ("memory", a.memory)] {
        if let Some(t) = t {
            triggers.push(json!({"type": name, "metricType": "Utilization", "metadata": {"value": t.to_string()}}));
        }
    }
    if let Some(q) = &a.queue {
        let auth_name = format!("{}-{}", pod.name, q.kind);
        // KEDA's operator (namespace `keda`) reads the queue length from the broker.
        let mut np_md = meta::metadata(plan, pod, &format!("{}-keda", pod.name));
        np_md["namespace"] = json!(q.broker_namespace);
        np_md["annotations"]["homeport.dev/reason"] = json!(format!(
            "KEDA reads the length of queue {} for {}",
            q.queue, pod.name
        ));
        out.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": np_md,
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": q.broker, "app.kubernetes.io/instance": meta::instance(plan)}},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}}], "ports": [{"port": q.broker_port, "protocol": "TCP"}]}],
            }}));
        if q.kind == "rabbitmq" {
            let url = q.address.clone().unwrap_or_default();
            out.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta::metadata(plan, pod, &q.secret), "type": "Opaque", "data": {"host": base64::encode(url.as_bytes())}}));
            out.push(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication", "metadata": meta::metadata(plan, pod, &auth_name),
                "spec": {"secretTargetRef": [{"parameter": "host", "name": q.secret, "key": q.secret_key}]}}));
            triggers.push(json!({"type": "rabbitmq", "name": "queue", "metadata": {"protocol": "amqp", "queueName": q.queue, "mode": "QueueLength", "value": q.target.to_string()}, "authenticationRef": {"name": auth_name}}));
        } else {
            let mut t = json!({"type": "redis", "name": "queue", "metadata": {"address": q.address.clone().unwrap_or_default(), "listName": q.queue, "listLength": q.target.to_string()}});
            if !q.secret.is_empty() {
                out.push(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication", "metadata": meta::metadata(plan, pod, &auth_name),
                    "spec": {"secretTargetRef": [{"parameter": "password", "name": q.secret, "key": q.secret_key}]}}));
                t["authenticationRef"] = json!({"name": auth_name});
            }
            triggers.push(t);
        }
    }
    if let Some(g) = &a.gpu {
        triggers.push(json!({"type": "prometheus", "name": "gpu", "metadata": {"serverAddress": g.server, "query": g.query, "threshold": g.threshold.to_string()}}));
    }
    out.push(json!({
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": meta::metadata(plan, pod, &pod.name),
        "spec": {
            "scaleTargetRef": target,
            "minReplicaCount": a.min,
            "maxReplicaCount": a.max,
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            "advanced": {"horizontalPodAutoscalerConfig": {"behavior": behavior()}},
            "triggers": triggers,
        },
    }));
    out
}
