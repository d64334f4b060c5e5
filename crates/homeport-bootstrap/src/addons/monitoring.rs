//! kube-prometheus-stack: Prometheus, its operator (ServiceMonitors, PrometheusRules),
//! Grafana and Alertmanager, installed as the release the inventory's `monitoring.release`
//! names so the `release` label homeport's ServiceMonitors carry matches.

use super::helm::helm_chart;
use crate::charts;
use homeport_plan::cluster::MonitoringConfig;
use serde_json::{json, Value};

pub const NAMESPACE: &str = "monitoring";

pub fn chart(monitoring: &MonitoringConfig) -> Value {
    let values = json!({
        // Object names `<release>-prometheus`, as `monitoring.prometheus` assumes.
        "fullnameOverride": monitoring.release,
        // k3s runs these inside its own process, where Prometheus cannot scrape them.
        "kubeControllerManager": {"enabled": false},
        "kubeScheduler": {"enabled": false},
        "kubeProxy": {"enabled": false},
        "kubeEtcd": {"enabled": false},
        "prometheus": {"prometheusSpec": {"retention": "15d"}},
    });
    helm_chart(
        &monitoring.release,
        charts::KUBE_PROMETHEUS_STACK,
        NAMESPACE,
        &values,
    )
}
