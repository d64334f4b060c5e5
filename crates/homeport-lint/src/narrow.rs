//! What the index keeps of each object once the object itself is dropped: the part that
//! the rules read when they look at *other* objects (a Service's selector and ports, a
//! workload's pod labels and containers, a binding's subjects, a Namespace's labels).
//!
//! A streamed run ([`Checker`](crate::checker::Checker)) indexes every object first and
//! checks them afterwards one by one, so what a rule finds through the index must be here.
//! Kinds that rules look up as whole objects are kept whole (they are small and few); a
//! workload keeps `spec.replicas`, the names of its `volumeClaimTemplates`,
//! its pod labels, and of its pod spec only the containers' names, images, ports, volume
//! mounts and restart policies and the volumes' names and claims; any other object keeps
//! its identity only. The identity (kind, name, namespace, API version) is kept in the
//! object's fields, not again in its value.

use crate::workload::pod_template;
use homeport_manifest::Object;
use serde_json::{Map, Value};

/// Kinds the rules read whole when they follow a reference to them.
const KEPT_WHOLE: &[&str] = &[
    "Namespace",
    "Service",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
];

/// The fields of a container that rules read on other workloads.
const CONTAINER_KEYS: &[&str] = &["name", "image", "ports", "volumeMounts", "restartPolicy"];

/// The fields of a volume that rules read on other workloads.
const VOLUME_KEYS: &[&str] = &["name", "persistentVolumeClaim"];

/// The part of `obj` the index keeps (see the module documentation).
pub fn narrow(obj: &Object) -> Object {
    if KEPT_WHOLE.contains(&obj.kind.as_str()) {
        return obj.narrowed(compact(&obj.value));
    }
    // The identity (kind, name, namespace, API version) is in the object's fields, which
    // is where the rules read it.
    let mut narrowed = Value::Object(Map::new());
    if let Some(t) = pod_template(obj) {
        copy(&obj.value, &mut narrowed, &["spec", "replicas"]);
        let claims = obj
            .value
            .get("spec")
            .and_then(|s| s.get("volumeClaimTemplates"))
            .and_then(Value::as_array);
        if let Some(claims) = claims {
            let names: Vec<Value> = claims
                .iter()
                .map(|c| match c.get("metadata").and_then(|m| m.get("name")) {
                    Some(name) => serde_json::json!({"metadata": {"name": name}}),
                    None => Value::Null,
                })
                .collect();
            put(
                &mut narrowed,
                &["spec", "volumeClaimTemplates"],
                Value::Array(names),
            );
        }
        // The template's paths are plain keys (see `pod_template`).
        let meta_keys = keys_of(&t.meta_path);
        let spec_keys = keys_of(&t.spec_path);
        let mut labels_path: Vec<&str> = meta_keys.iter().map(String::as_str).collect();
        labels_path.push("labels");
        copy(&obj.value, &mut narrowed, &labels_path);
        let mut spec = Map::new();
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(items) = t.spec.get(list).and_then(Value::as_array) {
                let kept = items.iter().map(|c| only(c, CONTAINER_KEYS)).collect();
                spec.insert(list.to_string(), Value::Array(kept));
            }
        }
        if let Some(items) = t.spec.get("volumes").and_then(Value::as_array) {
            let kept = items.iter().map(|v| only(v, VOLUME_KEYS)).collect();
            spec.insert("volumes".to_string(), Value::Array(kept));
        }
        let spec_path: Vec<&str> = spec_keys.iter().map(String::as_str).collect();
        put(&mut narrowed, &spec_path, Value::Object(spec));
    }
    obj.narrowed(compact(&narrowed))
}

/// A copy of `value` whose mappings and sequences have no room to spare: a mapping grown
/// entry by entry holds room for four (about 450 bytes even with one entry), and a large
/// input's index holds hundreds of thousands of small ones.
fn compact(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), compact(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            out.extend(items.iter().map(compact));
            Value::Array(out)
        }
        other => other.clone(),
    }
}

/// The keys of a path made of keys only.
fn keys_of(path: &homeport_manifest::FieldPath) -> Vec<String> {
    path.segments()
        .iter()
        .filter_map(|s| match s {
            homeport_manifest::PathSegment::Key(k) => Some(k.clone()),
            homeport_manifest::PathSegment::Index(_) => None,
        })
        .collect()
}

/// A mapping with only `keys`; anything else as it is.
fn only(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Copy the value at `path` of `from`, if there is one, to the same path of `to`.
fn copy(from: &Value, to: &mut Value, path: &[&str]) {
    let mut at = from;
    for key in path {
        match at.get(key) {
            Some(next) => at = next,
            None => return,
        }
    }
    put(to, path, at.clone());
}

/// Set `path` of `to` to `value`, making the mappings on the way (`to` and the values on
/// the way are mappings: only [`narrow`] builds them).
fn put(to: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = to;
    for key in parents {
        let Value::Object(map) = at else { return };
        at = map
            .entry((*key).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = at {
        map.insert((*last).to_string(), value);
    }
}
