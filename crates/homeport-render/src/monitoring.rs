//! Objects for the Prometheus operator: a ServiceMonitor per service exposing metrics (with
//! a NetworkPolicy letting Prometheus scrape it), a PrometheusRule and a Grafana dashboard
//! ConfigMap per namespace.

use crate::meta;
use homeport_plan::{MonitoringPlan, Plan, PodPlan};
use serde_json::{json, Value};

pub fn service_monitor(plan: &Plan, m: &MonitoringPlan, pod: &PodPlan) -> Vec<Value> {
    let Some((port, path)) = &pod.production.metrics else {
        return Vec::new();
    };
    let mut md = meta::metadata(plan, pod, &pod.name);
    md["labels"]["release"] = json!(m.release);
    let target = pod
        .ports
        .iter()
        .find(|p| &p.name == port)
        .map_or(0, |p| p.target);
    let mut np_md = meta::metadata(plan, pod, &format!("{}-metrics", pod.name));
    np_md["annotations"]["homeport.dev/reason"] = json!("Prometheus scrapes the metrics port");
    vec![
        json!({
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": md,
            "spec": {
                "selector": {"matchLabels": meta::selector(plan, pod)},
                "endpoints": [{"port": port, "path": path, "interval": "30s", "scrapeTimeout": "10s"}],
            },
        }),
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": np_md,
            "spec": {
                "podSelector": {"matchLabels": meta::selector(plan, pod)},
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": m.prometheus_namespace}}}],
                    "ports": [{"port": target, "protocol": "TCP"}],
                }],
            },
        }),
    ]
}

fn rule(alert: &str, expr: String, duration: &str, severity: &str, summary: &str) -> Value {
    json!({"alert": alert, "expr": expr, "for": duration, "labels": {"severity": severity}, "annotations": {"summary": summary}})
}

fn ns_metadata(plan: &Plan, m: &MonitoringPlan, ns: &str, name: &str) -> Value {
    let mut labels = meta::namespace_labels(plan);
    labels.insert("release".into(), json!(m.release));
    json!({"name": name, "namespace": ns, "labels": labels})
}

/// The alerts a home cluster needs, for the pods of namespace `ns`.
pub fn prometheus_rule(plan: &Plan, m: &MonitoringPlan, ns: &str) -> Value {
    let mut rules = vec![
        rule("HomeportPodCrashLooping", format!("max_over_time(kube_pod_container_status_waiting_reason{{namespace=\"{ns}\",reason=\"CrashLoopBackOff\"}}[5m]) >= 1"), "10m", "warning", "{{ $labels.pod }} is crash-looping"),
        rule("HomeportTargetDown", format!("up{{namespace=\"{ns}\"}} == 0"), "5m", "warning", "{{ $labels.job }} ({{ $labels.instance }}) cannot be scraped"),
        rule("HomeportVolumeNearlyFull", format!("kubelet_volume_stats_available_bytes{{namespace=\"{ns}\"}} / kubelet_volume_stats_capacity_bytes{{namespace=\"{ns}\"}} < 0.10"), "15m", "warning", "volume {{ $labels.persistentvolumeclaim }} has less than 10% free"),
        rule("HomeportNodeMemoryPressure", "kube_node_status_condition{condition=\"MemoryPressure\",status=\"true\"} == 1".into(), "5m", "critical", "node {{ $labels.node }} is under memory pressure"),
    ];
    if plan.production.backups.iter().any(|b| b.namespace == ns) {
        rules.push(rule("HomeportBackupFailed", format!("kube_job_status_failed{{namespace=\"{ns}\",job_name=~\".+-(backup|restore-drill)-.+\"}} > 0"), "0m", "critical", "backup job {{ $labels.job_name }} failed"));
        rules.push(rule("HomeportBackupTooOld", format!("time() - kube_cronjob_status_last_successful_time{{namespace=\"{ns}\",cronjob=~\".+-backup\"}} > 2 * 86400"), "1h", "critical", "{{ $labels.cronjob }} has not succeeded for two days"));
    }
    if m.gpus {
        rules.push(rule(
            "HomeportGpuHot",
            "max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP) > 85".into(),
            "10m",
            "warning",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs above 85 C",
        ));
        rules.push(rule(
            "HomeportGpuSaturated",
            "avg by (Hostname, gpu) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[15m])) > 95".into(),
            "30m",
            "warning",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been saturated for 30 minutes",
        ));
    }
    for pod in plan.pods.iter().filter(|p| p.namespace == ns) {
        if let Some(q) = pod
            .autoscale
            .as_ref()
            .and_then(|a| a.queue.as_ref().map(|q| (q, a.max)))
        {
            let (q, max) = q;
            rules.push(rule(
                "HomeportQueueBacklog",
                format!(
                    "sum(keda_scaler_metrics_value{{namespace=\"{ns}\",scaledObject=\"{}\"}}) > {}",
                    pod.name,
                    u64::from(q.target) * u64::from(max)
                ),
                "15m",
                "warning",
                &format!(
                    "queue {} of {} is above what {max} replicas handle",
                    q.queue, pod.name
                ),
            ));
        }
    }
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": ns_metadata(plan, m, ns, &format!("{}-alerts", meta::instance(plan))),
        "spec": {"groups": [{"name": format!("homeport.{ns}"), "rules": rules}]},
    })
}

/// A Grafana dashboard of the namespace's workloads (picked up by the Grafana sidecar).
pub fn dashboard(plan: &Plan, m: &MonitoringPlan, ns: &str) -> Value {
    let panel = |id: u32, title: &str, expr: String, y: u32| {
        json!({"id": id, "type": "timeseries", "title": title, "gridPos": {"x": 0, "y": y, "w": 24, "h": 8},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "targets": [{"expr": expr, "legendFormat": "{{pod}}"}]})
    };
    let dash = json!({
        "title": format!("{} ({ns})", plan.project),
        "uid": format!("homeport-{}", meta::instance(plan)).chars().take(40).collect::<String>(),
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [
            panel(1, "CPU (cores)", format!("sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace=\"{ns}\",container!=\"\"}}[5m]))"), 0),
            panel(2, "Memory (working set)", format!("sum by (pod) (container_memory_working_set_bytes{{namespace=\"{ns}\",container!=\"\"}})"), 8),
            panel(3, "Restarts (1h)", format!("sum by (pod) (increase(kube_pod_container_status_restarts_total{{namespace=\"{ns}\"}}[1h]))"), 16),
            panel(4, "Ready replicas", format!("kube_deployment_status_replicas_ready{{namespace=\"{ns}\"}} or kube_statefulset_status_replicas_ready{{namespace=\"{ns}\"}}"), 24),
        ],
    });
    let mut md = ns_metadata(plan, m, ns, &format!("{}-dashboard", meta::instance(plan)));
    md["labels"]["grafana_dashboard"] = json!("1");
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": md,
        "data": {format!("{}-{ns}.json", meta::instance(plan)): dash.to_string()}})
}
