//! Shared helpers for the integration tests: fixture pods and compact result lines.
#![allow(dead_code)]

use homeport_pss::{evaluate, Level, Version};
use serde_json::{json, Value};

/// The smallest pod that passes the restricted level at every version, shaped like upstream's
/// fixture base: pod-level runAsNonRoot and seccomp, containers that drop ALL and disable
/// privilege escalation, one init container and one container.
pub fn restricted_pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "fixture"},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [{
                "name": "init",
                "image": "registry.k8s.io/pause",
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }],
            "containers": [{
                "name": "app",
                "image": "registry.k8s.io/pause",
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    })
}

/// The default pod configuration: passes baseline, fails restricted.
pub fn baseline_pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "fixture"},
        "spec": {
            "initContainers": [{"name": "init", "image": "registry.k8s.io/pause"}],
            "containers": [{"name": "app", "image": "registry.k8s.io/pause"}]
        }
    })
}

/// Sets the JSON-pointer `pointer` to `value`, creating missing objects on the way.
pub fn set(object: &mut Value, pointer: &str, value: Value) {
    let mut current = object;
    let tokens: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        if let Ok(index) = token.parse::<usize>() {
            let array = current.as_array_mut().expect("array on the way");
            if last {
                if index == array.len() {
                    array.push(value);
                } else {
                    array[index] = value;
                }
                return;
            }
            current = &mut array[index];
        } else {
            if current.is_null() {
                *current = json!({});
            }
            let map = current.as_object_mut().expect("object on the way");
            if last {
                map.insert((*token).to_string(), value);
                return;
            }
            current = map.entry(*token).or_insert(Value::Null);
        }
    }
}

/// `base` with each `(pointer, value)` applied.
pub fn with(base: Value, changes: &[(&str, Value)]) -> Value {
    let mut object = base;
    for (pointer, value) in changes {
        set(&mut object, pointer, value.clone());
    }
    object
}

/// Removes the field at `pointer` (its parent must exist).
pub fn without(base: Value, pointer: &str) -> Value {
    let mut object = base;
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    if let Some(map) = object.pointer_mut(parent).and_then(Value::as_object_mut) {
        map.remove(key);
    }
    object
}

pub fn level(text: &str) -> Level {
    text.parse().expect("level")
}

pub fn version(text: &str) -> Version {
    text.parse().expect("version")
}

/// `CODE path: message` for each violation.
pub fn lines(object: &Value, level_text: &str, version_text: &str) -> Vec<String> {
    evaluate(object, level(level_text), version(version_text))
        .iter()
        .map(|v| format!("{} {}: {}", v.control.code, v.path_string(), v.message))
        .collect()
}

/// The codes of the violations, in order.
pub fn codes(object: &Value, level_text: &str, version_text: &str) -> Vec<&'static str> {
    evaluate(object, level(level_text), version(version_text))
        .iter()
        .map(|v| v.control.code)
        .collect()
}

/// Asserts that `object` fails exactly `expected` (codes, order-insensitive duplicates kept).
#[track_caller]
pub fn assert_codes(object: &Value, level_text: &str, version_text: &str, expected: &[&str]) {
    let mut got = codes(object, level_text, version_text);
    got.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(
        got,
        want,
        "at {level_text} {version_text}: {:#?}",
        lines(object, level_text, version_text)
    );
}

#[track_caller]
pub fn assert_passes(object: &Value, level_text: &str, version_text: &str) {
    assert_codes(object, level_text, version_text, &[]);
}
