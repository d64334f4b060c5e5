//! `evaluate` and the parsers never panic, whatever the JSON.

use homeport_pss::{evaluate, namespace_level, pod_spec_path, Level, Version};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Field names the checks look at, so random objects reach deep into the code.
const KEYS: &[&str] = &[
    "securityContext",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "volumes",
    "hostPath",
    "nfs",
    "image",
    "name",
    "ports",
    "hostPort",
    "capabilities",
    "add",
    "drop",
    "privileged",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "seccompProfile",
    "type",
    "appArmorProfile",
    "seLinuxOptions",
    "user",
    "role",
    "procMount",
    "sysctls",
    "windowsOptions",
    "hostProcess",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostUsers",
    "os",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "postStart",
    "preStop",
    "httpGet",
    "tcpSocket",
    "host",
    "annotations",
    "metadata",
    "spec",
    "template",
    "jobTemplate",
    "kind",
    "apiVersion",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "",
            "ALL",
            "Unconfined",
            "RuntimeDefault",
            "Unmasked",
            "windows",
            "0",
            "x"
        ])
        .prop_map(|s| json!(s)),
        ".{0,8}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                let mut map = Map::new();
                for (k, v) in pairs {
                    map.insert(k.to_string(), v);
                }
                Value::Object(map)
            }),
        ]
    })
}

fn carrier(kind_index: usize, spec: Value, metadata: Value) -> Value {
    match kind_index % 4 {
        0 => json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}),
        1 => {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"metadata": metadata, "spec": spec}}})
        }
        2 => {
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": metadata, "spec": spec}}}}})
        }
        _ => {
            json!({"apiVersion": "v1", "kind": "PodTemplate", "template": {"metadata": metadata, "spec": spec}})
        }
    }
}

fn all_levels_and_versions(object: &Value) {
    for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
        for version in [
            Version::new(1, 0),
            Version::new(1, 18),
            Version::new(1, 24),
            Version::new(1, 34),
            Version::LATEST,
            Version::new(7, 0),
        ] {
            for violation in evaluate(object, level, version) {
                assert!(!violation.message.is_empty());
                let _ = violation.path_string();
            }
        }
    }
    let _ = pod_spec_path(object);
    let _ = namespace_level(object);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn evaluate_never_panics_on_arbitrary_json(value in json_value()) {
        all_levels_and_versions(&value);
    }

    #[test]
    fn evaluate_never_panics_on_arbitrary_pod_specs(
        kind in 0usize..4,
        spec in json_value(),
        metadata in json_value(),
        containers in prop::collection::vec(json_value(), 0..3),
    ) {
        let mut spec = spec;
        if let Some(map) = spec.as_object_mut() {
            map.insert("containers".into(), Value::Array(containers));
        }
        all_levels_and_versions(&carrier(kind, spec, metadata));
    }

    #[test]
    fn version_parsing_never_panics(text in ".{0,16}") {
        let _ = Version::parse(&text);
        let _ = text.parse::<Level>();
    }
}
