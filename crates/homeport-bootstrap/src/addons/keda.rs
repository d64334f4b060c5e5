//! KEDA, for the ScaledObjects of queue-length and GPU-utilisation autoscaling.

use super::helm::helm_chart;
use crate::charts;
use serde_json::Value;

pub const NAMESPACE: &str = "keda";

/// The KEDA HelmChart (chart defaults).
pub fn chart() -> Value {
    helm_chart("keda", charts::KEDA, NAMESPACE, &Value::Null)
}
