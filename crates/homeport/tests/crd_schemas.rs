//! The operator objects homeport writes (KEDA ScaledObject and TriggerAuthentication,
//! Prometheus operator ServiceMonitor and PrometheusRule) validate against the operators'
//! published CRD schemas, vendored in tests/crds (see SOURCE.md there).
//!
//! The check is the structural part of what the API server does with a CRD's
//! `openAPIV3Schema`: types, required fields, enums, int-or-string, and unknown fields
//! (rejected unless the schema preserves them).

mod support;

use serde_json::Value;
use support::*;

fn load_crd(file: &str) -> Value {
    let path = workspace_root()
        .join("crates/homeport/tests/crds")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let node = homeport_yaml::parse_one(&text, homeport_diag::FileId(0))
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
        .expect("a document");
    node.to_json()
}

/// The `openAPIV3Schema` of `apiVersion` in a CRD.
fn schema_of<'a>(crd: &'a Value, api_version: &str) -> Option<&'a Value> {
    let group = crd["spec"]["group"].as_str()?;
    crd["spec"]["versions"].as_array()?.iter().find_map(|v| {
        (format!("{group}/{}", v["name"].as_str()?) == api_version)
            .then(|| &v["schema"]["openAPIV3Schema"])
    })
}

fn check(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if schema["x-kubernetes-int-or-string"] == Value::Bool(true) {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            errors.push(format!("{path}: {v} is neither an integer nor a string"));
        }
        return;
    }
    if let Some(options) = schema["enum"].as_array() {
        if !options.contains(v) {
            errors.push(format!("{path}: {v} is not one of {options:?}"));
        }
    }
    match schema["type"].as_str() {
        Some("object") => {
            let Some(obj) = v.as_object() else {
                errors.push(format!("{path}: expected an object, got {v}"));
                return;
            };
            for r in schema["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap_or("");
                if !obj.contains_key(r) {
                    errors.push(format!("{path}: missing required field `{r}`"));
                }
            }
            // The root `metadata` is ObjectMeta, which the API server checks itself.
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true)
                || path == ".metadata";
            for (k, child) in obj {
                let p = format!("{path}.{k}");
                if let Some(s) = schema["properties"].get(k) {
                    check(s, child, &p, errors);
                } else if schema["additionalProperties"].is_object() {
                    check(&schema["additionalProperties"], child, &p, errors);
                } else if !(preserve || schema["additionalProperties"] == Value::Bool(true)) {
                    errors.push(format!("{p}: unknown field"));
                }
            }
        }
        Some("array") => match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(&schema["items"], item, &format!("{path}[{i}]"), errors);
                }
            }
            None => errors.push(format!("{path}: expected an array, got {v}")),
        },
        Some("string") if !v.is_string() => {
            errors.push(format!("{path}: expected a string, got {v}"))
        }
        Some("integer") if !(v.is_i64() || v.is_u64()) => {
            errors.push(format!("{path}: expected an integer, got {v}"))
        }
        Some("number") if !v.is_number() => {
            errors.push(format!("{path}: expected a number, got {v}"))
        }
        Some("boolean") if !v.is_boolean() => {
            errors.push(format!("{path}: expected a boolean, got {v}"))
        }
        _ => {}
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_i64(), v.as_i64()) {
        if n < min {
            errors.push(format!("{path}: {n} is below the minimum {min}"));
        }
    }
}

/// Validates every operator object of `objects`; returns how many were checked per kind.
fn validate(objects: &[Value], context: &str) -> Vec<(String, usize)> {
    let crds: Vec<Value> = [
        "keda.sh_scaledobjects.yaml",
        "keda.sh_triggerauthentications.yaml",
        "monitoring.coreos.com_servicemonitors.yaml",
        "monitoring.coreos.com_prometheusrules.yaml",
    ]
    .iter()
    .map(|f| load_crd(f))
    .collect();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for o in objects {
        let api = o["apiVersion"].as_str().unwrap_or("");
        if !(api.starts_with("keda.sh/") || api.starts_with("monitoring.coreos.com/")) {
            continue;
        }
        let kind = o["kind"].as_str().unwrap_or("");
        let crd = crds
            .iter()
            .find(|c| c["spec"]["names"]["kind"] == kind)
            .unwrap_or_else(|| panic!("{context}: no vendored CRD for {kind}"));
        let schema =
            schema_of(crd, api).unwrap_or_else(|| panic!("{context}: {kind} has no version {api}"));
        let mut errors = Vec::new();
        check(schema, o, "", &mut errors);
        assert!(
            errors.is_empty(),
            "{context}: {kind}/{}: {errors:#?}",
            name_of(o)
        );
        match counts.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind.to_string(), 1)),
        }
    }
    counts
}

#[test]
fn the_validator_rejects_what_the_api_server_would() {
    let crd = load_crd("keda.sh_scaledobjects.yaml");
    let schema = schema_of(&crd, "keda.sh/v1alpha1").unwrap();
    let bad = serde_json::json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "x"},
        "spec": {"scaleTargetRef": {"name": "x"}, "minReplicaCount": "2", "triggers": [{"type": "cpu", "metadata": {"value": 70}, "bogus": 1}]},
    });
    let mut errors = Vec::new();
    check(schema, &bad, "", &mut errors);
    let text = errors.join("\n");
    assert!(
        text.contains(".spec.minReplicaCount: expected an integer"),
        "{text}"
    );
    assert!(
        text.contains(".spec.triggers[0].bogus: unknown field"),
        "{text}"
    );
    assert!(
        text.contains(".spec.triggers[0].metadata.value: expected a string"),
        "{text}"
    );
}

#[test]
fn keda_objects_of_the_transcode_stack_match_the_crds() {
    let (_, objects) = render(&stack_compose("transcode-service"));
    let counts = validate(&objects, "transcode-service");
    assert!(
        counts.iter().any(|(k, n)| k == "ScaledObject" && *n >= 1),
        "{counts:?}"
    );
    assert!(
        counts
            .iter()
            .any(|(k, n)| k == "TriggerAuthentication" && *n >= 1),
        "{counts:?}"
    );
}

#[test]
fn gpu_scaling_and_monitoring_objects_match_the_crds() {
    let (_, objects) = render(&stack_compose("gpu-autoscale"));
    let counts = validate(&objects, "gpu-autoscale");
    for k in ["ScaledObject", "ServiceMonitor", "PrometheusRule"] {
        assert!(
            counts.iter().any(|(kind, _)| kind == k),
            "{k} missing: {counts:?}"
        );
    }
}
