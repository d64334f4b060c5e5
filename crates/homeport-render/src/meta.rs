//! Object metadata: the app.kubernetes.io labels and the homeport.dev/source annotation.

use homeport_plan::{Plan, PodPlan};
use serde_json::{json, Map, Value};

pub const SOURCE_ANNOTATION: &str = "homeport.dev/source";

/// Labels of every object a pod owns.
pub fn labels(plan: &Plan, pod: &PodPlan) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("app.kubernetes.io/name".into(), json!(pod.name));
    m.insert("app.kubernetes.io/instance".into(), json!(instance(plan)));
    m.insert(
        "app.kubernetes.io/component".into(),
        json!(pod.role.as_str()),
    );
    m.insert("app.kubernetes.io/part-of".into(), json!(instance(plan)));
    m.insert("app.kubernetes.io/managed-by".into(), json!("homeport"));
    m
}

/// Labels of namespace-wide objects (no `app.kubernetes.io/name`).
pub fn namespace_labels(plan: &Plan) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("app.kubernetes.io/part-of".into(), json!(instance(plan)));
    m.insert("app.kubernetes.io/managed-by".into(), json!("homeport"));
    m
}

/// The selector labels of a pod.
pub fn selector(plan: &Plan, pod: &PodPlan) -> Value {
    json!({"app.kubernetes.io/name": pod.name, "app.kubernetes.io/instance": instance(plan)})
}

pub fn instance(plan: &Plan) -> String {
    homeport_plan::dns_label(&plan.project)
}

/// `metadata` of a namespaced object owned by `pod`.
pub fn metadata(plan: &Plan, pod: &PodPlan, name: &str) -> Value {
    json!({
        "name": name,
        "namespace": pod.namespace,
        "labels": labels(plan, pod),
        "annotations": {SOURCE_ANNOTATION: pod.source},
    })
}
