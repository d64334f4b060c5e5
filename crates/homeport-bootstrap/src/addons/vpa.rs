//! The VerticalPodAutoscaler, for the right-sizing VPAs homeport writes. They are all in
//! recommendation mode (`updateMode: Off`), so only the recommender runs: no updater to
//! evict pods, no admission controller (and its webhook certificate) to resize them, one
//! replica on a home cluster.

use super::helm::helm_chart;
use crate::charts;
use serde_json::{json, Value};

pub const NAMESPACE: &str = "kube-system";

pub fn chart() -> Value {
    let values = json!({
        "admissionController": {"enabled": false},
        "updater": {"enabled": false},
        "recommender": {"enabled": true, "replicas": 1},
    });
    helm_chart(
        "vertical-pod-autoscaler",
        charts::VERTICAL_POD_AUTOSCALER,
        NAMESPACE,
        &values,
    )
}
