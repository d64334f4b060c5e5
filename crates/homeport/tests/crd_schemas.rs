//! The operator objects homeport writes (KEDA ScaledObject and TriggerAuthentication,
//! Prometheus operator ServiceMonitor and PrometheusRule, VerticalPodAutoscaler) validate against the operators'
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
        "autoscaling.k8s.io_verticalpodautoscalers.yaml",
    ]
    .iter()
    .map(|f| load_crd(f))
    .collect();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for o in objects {
        let api = o["apiVersion"].as_str().unwrap_or("");
        if !(api.starts_with("keda.sh/")
            || api.starts_with("monitoring.coreos.com/")
            || api.starts_with("autoscaling.k8s.io/"))
        {
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

/// `x-homeport.rightsize` and the inventory's `rightsize`: a VPA per workload, every kind,
/// valid against the published CRD, always `Off` (never a mode that fights the HPA scaling
/// the same workload), targeting the workload it is named after.
#[test]
fn right_sizing_vpas_match_the_crd_and_never_fight_an_autoscaler() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = tmp.path().join("compose.yaml");
    std::fs::write(
        &compose,
        r#"services:
  api:
    image: ghcr.io/example/api:1.4
    ports: ["8080:8080"]
    x-homeport: {autoscale: {min: 2, max: 6, cpu: 70, memory: 80}}
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: example-password}
    volumes: ["pg:/var/lib/postgresql/data"]
  agent:
    image: ghcr.io/example/agent:2
    x-homeport: {workload: daemonset}
  report:
    image: ghcr.io/example/report:3
    x-homeport: {workload: cronjob, schedule: "0 4 * * *"}
  migrate:
    image: ghcr.io/example/migrate:3
    x-homeport: {workload: job}
  legacy:
    image: ghcr.io/example/legacy:1
    x-homeport: {rightsize: false}
volumes:
  pg: {}
"#,
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("cluster.yaml"),
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: lab\nspec:\n  rightsize: true\n  nodes:\n    - name: box\n      arch: amd64\n      cpu: 8\n      memory: 32Gi\n",
    )
    .unwrap();
    let (_, objects) = render(&compose);
    let counts = validate(&objects, "rightsize");
    let vpas: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "VerticalPodAutoscaler")
        .collect();
    assert!(
        counts
            .iter()
            .any(|(k, n)| k == "VerticalPodAutoscaler" && *n == vpas.len()),
        "{counts:?}"
    );
    let mut targets: Vec<String> = Vec::new();
    for vpa in &vpas {
        let target = &vpa["spec"]["targetRef"];
        let kind = target["kind"].as_str().unwrap();
        let name = target["name"].as_str().unwrap();
        assert_eq!(vpa["metadata"]["name"], name);
        let workload = objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("VPA {name} targets no {kind}"));
        assert_eq!(target["apiVersion"], workload["apiVersion"]);
        assert_eq!(vpa["spec"]["updatePolicy"]["updateMode"], "Off", "{name}");
        targets.push(format!("{kind}/{name}"));
    }
    targets.sort();
    // Every workload but the one that opted out (backups are homeport's own jobs).
    assert_eq!(
        targets,
        [
            "CronJob/report",
            "DaemonSet/agent",
            "Deployment/api",
            "Job/migrate",
            "StatefulSet/db"
        ]
    );
    let hpa = objects
        .iter()
        .find(|o| o["kind"] == "HorizontalPodAutoscaler")
        .expect("api's HPA");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "api");
    // The plan says how to read the recommendations.
    let plan = run(homeport().arg("-f").arg(&compose).arg("plan"));
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(text.contains("kubectl describe vpa api -n"), "{text}");
}
