//! Where an object keeps its pod spec: Pods directly, workloads in a pod template.

use serde_json::Value;

use crate::context::At;
use crate::PathSegment;

/// A kind that carries a pod spec, and the paths to that spec and its metadata.
#[derive(Debug)]
pub(crate) struct Carrier {
    kind: &'static str,
    /// API groups the kind is served from (`""` is the core group).
    groups: &'static [&'static str],
    pub(crate) spec: &'static [&'static str],
    pub(crate) metadata: &'static [&'static str],
}

const TEMPLATE_SPEC: &[&str] = &["spec", "template", "spec"];
const TEMPLATE_METADATA: &[&str] = &["spec", "template", "metadata"];
const APPS: &[&str] = &["apps", "extensions"];

const CARRIERS: &[Carrier] = &[
    Carrier {
        kind: "Pod",
        groups: &[""],
        spec: &["spec"],
        metadata: &["metadata"],
    },
    Carrier {
        kind: "Deployment",
        groups: APPS,
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "StatefulSet",
        groups: APPS,
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "DaemonSet",
        groups: APPS,
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "ReplicaSet",
        groups: APPS,
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "ReplicationController",
        groups: &[""],
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "Job",
        groups: &["batch"],
        spec: TEMPLATE_SPEC,
        metadata: TEMPLATE_METADATA,
    },
    Carrier {
        kind: "CronJob",
        groups: &["batch"],
        spec: &["spec", "jobTemplate", "spec", "template", "spec"],
        metadata: &["spec", "jobTemplate", "spec", "template", "metadata"],
    },
    Carrier {
        kind: "PodTemplate",
        groups: &[""],
        spec: &["template", "spec"],
        metadata: &["template", "metadata"],
    },
];

static NULL: Value = Value::Null;

/// The pod spec of an object with its carrier, metadata (`Null` when absent) and spec.
pub(crate) struct Located<'a> {
    pub(crate) carrier: &'static Carrier,
    pub(crate) metadata: &'a Value,
    pub(crate) spec: &'a serde_json::Map<String, Value>,
}

/// Finds the pod spec without allocating. `None` for objects that carry no pod spec, for a
/// kind served from an unrelated API group (a CRD named `Deployment`), or when the spec is
/// missing or not an object.
pub(crate) fn locate(object: &Value) -> Option<Located<'_>> {
    let kind = object.at("kind")?.as_str()?;
    let carrier = CARRIERS.iter().find(|c| c.kind == kind)?;
    if let Some(api_version) = object.at("apiVersion").and_then(Value::as_str) {
        let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
        if !carrier.groups.contains(&group) {
            return None;
        }
    }
    let spec = walk(object, carrier.spec)?.as_object()?;
    let metadata = walk(object, carrier.metadata).unwrap_or(&NULL);
    Some(Located {
        carrier,
        metadata,
        spec,
    })
}

fn walk<'a>(mut value: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    for key in keys {
        value = value.at(key)?;
    }
    Some(value)
}

pub(crate) fn static_path(keys: &'static [&'static str]) -> Vec<PathSegment> {
    keys.iter().map(|k| PathSegment::key(k)).collect()
}

/// The path to the pod spec inside `object`, the pod metadata (`Null` when the object has
/// none) and the pod spec. Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
/// ReplicationControllers, Jobs, CronJobs (`spec.jobTemplate.spec.template`) and
/// PodTemplates; `None` for anything else.
pub fn pod_spec_path(object: &Value) -> Option<(Vec<PathSegment>, &Value, &Value)> {
    let located = locate(object)?;
    let spec = walk(object, located.carrier.spec)?;
    Some((static_path(located.carrier.spec), located.metadata, spec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JsonPath;
    use serde_json::json;

    #[test]
    fn finds_the_pod_spec_of_every_carrier() {
        let pod_spec = json!({"containers": [{"name": "a"}]});
        let template = json!({"metadata": {"labels": {"a": "b"}}, "spec": pod_spec});
        let cases = [
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec}),
                "spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "v1", "kind": "ReplicationController", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
                "spec.jobTemplate.spec.template.spec",
            ),
            (
                json!({"apiVersion": "v1", "kind": "PodTemplate", "template": template}),
                "template.spec",
            ),
            (
                json!({"apiVersion": "extensions/v1beta1", "kind": "Deployment", "spec": {"template": template}}),
                "spec.template.spec",
            ),
        ];
        for (object, want) in cases {
            let (path, _, spec) = pod_spec_path(&object).expect("carrier");
            assert_eq!(JsonPath(&path).to_string(), want);
            assert_eq!(spec, &pod_spec);
        }
    }

    #[test]
    fn ignores_other_objects() {
        for object in [
            json!({"apiVersion": "v1", "kind": "Service", "spec": {}}),
            json!({"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": {"spec": {}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {}}),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": "nope"}),
            json!({"kind": 3}),
            json!([1, 2]),
            json!(null),
        ] {
            assert!(pod_spec_path(&object).is_none(), "{object}");
        }
    }

    #[test]
    fn metadata_defaults_to_null() {
        let object = json!({"apiVersion": "v1", "kind": "Pod", "spec": {}});
        let (_, metadata, _) = pod_spec_path(&object).expect("pod");
        assert!(metadata.is_null());
    }
}
