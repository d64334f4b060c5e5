//! Monitoring: which services expose Prometheus metrics (`x-homeport.metrics`,
//! `prometheus.io/*` labels, a port named `metrics`, known exporters), for ServiceMonitors;
//! only with `monitoring` in the inventory.

use crate::images::Role;
use crate::plan::{PodPlan, PortPlan};
use crate::planner::Ctx;
use crate::production::MonitoringPlan;
use homeport_compose::MetricsHint;

/// The namespace of `http://name.namespace[.svc...]:port`; `monitoring` when not given.
fn url_namespace(url: &str) -> String {
    let host = url.split("://").nth(1).unwrap_or(url);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    host.split('.')
        .nth(1)
        .filter(|n| !n.is_empty() && *n != "svc")
        .unwrap_or("monitoring")
        .to_string()
}

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) -> Option<MonitoringPlan> {
    let m = cx.cluster.monitoring.as_ref()?;
    for pod in pods.iter_mut() {
        if !pod.workload.is_long_running() {
            continue;
        }
        let Some(svc) = cx.project.services.get(&pod.service) else {
            continue;
        };
        let hint = cx.hints(svc).metrics;
        let label = |k: &str| svc.labels.get(&format!("prometheus.io/{k}")).cloned();
        let found: Option<(u16, String, String)> = match &hint {
            Some(MetricsHint::Disabled(_)) => None,
            Some(MetricsHint::Endpoint { port, path }) => port
                .or_else(|| {
                    pod.ports
                        .iter()
                        .find(|p| p.name == "metrics")
                        .map(|p| p.port)
                })
                .or_else(|| pod.ports.first().map(|p| p.port))
                .map(|p| {
                    (
                        p,
                        path.clone().unwrap_or_else(|| "/metrics".into()),
                        "x-homeport.metrics".into(),
                    )
                }),
            None if label("scrape").as_deref() == Some("true") => label("port")
                .and_then(|p| p.parse::<u16>().ok())
                .or_else(|| pod.ports.first().map(|p| p.port))
                .map(|p| {
                    (
                        p,
                        label("path").unwrap_or_else(|| "/metrics".into()),
                        "the prometheus.io/* labels".into(),
                    )
                }),
            None => match pod.ports.iter().find(|p| p.name == "metrics") {
                Some(p) => Some((p.port, "/metrics".into(), "a port named `metrics`".into())),
                None if pod.role == Role::MetricsExporter => pod.ports.first().map(|p| {
                    (
                        p.port,
                        "/metrics".into(),
                        "a known Prometheus exporter".into(),
                    )
                }),
                None => None,
            },
        };
        let Some((port, path, why)) = found else {
            continue;
        };
        let name = match pod.ports.iter().find(|p| p.port == port) {
            Some(p) => p.name.clone(),
            None => {
                pod.ports.push(PortPlan {
                    name: "metrics".into(),
                    port,
                    target: port,
                    protocol: "TCP".into(),
                });
                "metrics".into()
            }
        };
        pod.decide(
            "metrics",
            format!("ServiceMonitor on port {name} ({port}) {path}"),
            format!(
                "{why}; labelled release={} for the operator; Prometheus may reach the port",
                m.release
            ),
        );
        pod.production.metrics = Some((name, path));
    }
    Some(MonitoringPlan {
        release: m.release.clone(),
        prometheus_namespace: url_namespace(&m.prometheus),
        gpus: cx.cluster.nodes.iter().any(|n| !n.gpus.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn prometheus_namespace() {
        assert_eq!(
            super::url_namespace("http://kube-prometheus-stack-prometheus.monitoring:9090"),
            "monitoring"
        );
        assert_eq!(
            super::url_namespace("http://prom.obs.svc.cluster.local:9090/"),
            "obs"
        );
        assert_eq!(super::url_namespace("http://prometheus:9090"), "monitoring");
    }
}
