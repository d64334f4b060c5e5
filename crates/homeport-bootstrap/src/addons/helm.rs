//! k3s auto-deploy HelmChart objects (`helm.cattle.io/v1`, applied by k3s' helm-controller
//! from `/var/lib/rancher/k3s/server/manifests/`).

use crate::charts::Chart;
use serde_json::{json, Value};

/// A HelmChart installing `chart` as release `release` into `namespace` (created if
/// missing), with `values` as its `valuesContent` (none when `Value::Null`).
pub fn helm_chart(release: &str, chart: Chart, namespace: &str, values: &Value) -> Value {
    let mut spec = json!({
        "repo": chart.repo,
        "chart": chart.name,
        "version": chart.version,
        "targetNamespace": namespace,
        "createNamespace": true,
    });
    if !values.is_null() {
        spec["valuesContent"] = json!(homeport_yaml::emit(values));
    }
    json!({
        "apiVersion": "helm.cattle.io/v1",
        "kind": "HelmChart",
        "metadata": {"name": release, "namespace": "kube-system"},
        "spec": spec,
    })
}

/// Tolerations that let a node agent (device plugin, exporter) run on opportunistic nodes,
/// also while the gaming guard has tainted them.
pub fn opportunistic_tolerations() -> Vec<Value> {
    vec![
        json!({"key": "homeport.dev/opportunistic", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "homeport.dev/gaming", "operator": "Exists", "effect": "NoSchedule"}),
    ]
}
