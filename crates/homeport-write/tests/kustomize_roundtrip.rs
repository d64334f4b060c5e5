//! The Kustomize backend against the real `kubectl kustomize`: the tree it writes builds to
//! exactly the objects it was given, Secrets included (multi-line and binary values, empty
//! values, dotted keys, typed and immutable Secrets), and the written files are 0600 where
//! they hold secret values.

use homeport_testkit::{require_tool, Tool};
use homeport_write::{kustomize, manifests, write_tree, WriteOptions};
use serde_json::{json, Value};

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

fn objects() -> Vec<Value> {
    let labels = |svc: &str| json!({"app.kubernetes.io/name": svc, "app.kubernetes.io/managed-by": "homeport"});
    let long = "x".repeat(200);
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api-env", "namespace": "shop", "labels": labels("api")}, "data": {"LOG_LEVEL": "info"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "api-env", "namespace": "shop", "labels": labels("api"), "annotations": {"homeport.dev/source": "compose.yaml:4 (service api)"}}, "type": "Opaque",
               "data": {"DB_PASSWORD": b64(b"hunter2"), "TLS_KEY": b64(b"-----BEGIN KEY-----\nabc\n-----END KEY-----\n"), "EMPTY": "", "BINARY": b64(&[0, 255, 10, 13, 128]), "LONG": b64(long.as_bytes()), "app.conf": b64(b"a=b\n")}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "registry", "namespace": "shop"}, "type": "kubernetes.io/dockerconfigjson", "immutable": true,
               "data": {".dockerconfigjson": b64(br#"{"auths":{}}"#)}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop", "labels": labels("api")},
               "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "api"}}, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "api"}}, "spec": {"containers": [{"name": "api", "image": "api:1", "envFrom": [{"secretRef": {"name": "api-env"}}]}]}}}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "media"}, "spec": {"capacity": {"storage": "1Ti"}, "accessModes": ["ReadWriteMany"], "nfs": {"server": "nas", "path": "/export"}}}),
    ]
}

/// Parse a YAML stream; Secret data without the line breaks kustomize wraps long values with.
fn parse(text: &str) -> Vec<Value> {
    let docs = homeport_yaml::parse(
        text,
        homeport_diag::FileId(0),
        homeport_yaml::Limits::default(),
    )
    .unwrap();
    let mut objects: Vec<Value> = docs
        .iter()
        .map(|d| d.to_json())
        .filter(|v| !v.is_null())
        .collect();
    for o in &mut objects {
        if let Some(data) = o.get_mut("data").and_then(Value::as_object_mut) {
            for v in data.values_mut() {
                if let Some(s) = v.as_str() {
                    *v = Value::from(s.replace('\n', ""));
                }
            }
        }
    }
    objects.sort_by_key(|o| {
        format!(
            "{}/{}/{}",
            o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]
        )
    });
    objects
}

#[test]
fn kubectl_kustomize_builds_exactly_the_objects() {
    let Some(_) = require_tool(Tool::Kubectl) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    let files = kustomize(&objects(), false).unwrap();
    write_tree(&out, &files, &WriteOptions::default()).unwrap();
    let mut expected = objects();
    expected.sort_by_key(|o| {
        format!(
            "{}/{}/{}",
            o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]
        )
    });
    for dir in ["base", "overlays/prod"] {
        let built = homeport_testkit::kustomize_build(out.join(dir)).unwrap();
        assert_eq!(parse(&built), expected, "{dir}");
    }
}

fn scaled_objects() -> Vec<Value> {
    let labels = |svc: &str, component: &str| json!({"app.kubernetes.io/name": svc, "app.kubernetes.io/component": component});
    let pod = |name: &str, cpu: &str, memory: &str| {
        json!({"containers": [{"name": name, "image": "x:1",
        "resources": {"requests": {"cpu": cpu, "memory": memory, "nvidia.com/gpu": "1"}, "limits": {"memory": "1Gi", "nvidia.com/gpu": "1"}}}]})
    };
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tx"}}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "critical"}, "value": 1000}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "tx", "labels": labels("api", "web-server")},
               "spec": {"replicas": 3, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": pod("api", "500m", "512Mi")}}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "tx", "labels": labels("db", "database")},
               "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"c": "d"}}, "template": {"metadata": {"labels": {"c": "d"}}, "spec": pod("db", "1", "1Gi")}}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "db-backup", "namespace": "tx", "labels": labels("db", "database")},
               "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": pod("dump", "100m", "128Mi")}}}}}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "tx", "labels": labels("api", "web-server")},
               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, "minReplicas": 2, "maxReplicas": 5}}),
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "worker", "namespace": "tx"}, "spec": {"scaleTargetRef": {"name": "worker"}, "triggers": []}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "api", "namespace": "tx"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"a": "b"}}}}),
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication", "metadata": {"name": "worker", "namespace": "tx"}, "spec": {}}),
    ]
}

fn by_name<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

#[test]
fn dev_overlay_runs_one_small_replica_without_autoscalers() {
    let Some(_) = require_tool(Tool::Kubectl) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    write_tree(
        &out,
        &kustomize(&scaled_objects(), false).unwrap(),
        &WriteOptions::default(),
    )
    .unwrap();
    let prod = parse(&homeport_testkit::kustomize_build(out.join("overlays/prod")).unwrap());
    assert_eq!(prod.len(), scaled_objects().len());
    let dev = parse(&homeport_testkit::kustomize_build(out.join("overlays/dev")).unwrap());
    for kind in [
        "HorizontalPodAutoscaler",
        "ScaledObject",
        "TriggerAuthentication",
    ] {
        assert!(!dev.iter().any(|o| o["kind"] == kind), "{kind} in dev");
    }
    assert_eq!(dev.len(), 5);
    let api = by_name(&dev, "Deployment", "api").unwrap();
    assert_eq!(api["spec"]["replicas"], 1);
    let resources = &api["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(
        resources["requests"],
        json!({"cpu": "250m", "memory": "256Mi", "nvidia.com/gpu": "1"})
    );
    assert_eq!(
        resources["limits"],
        json!({"memory": "1Gi", "nvidia.com/gpu": "1"})
    );
    let db = by_name(&dev, "StatefulSet", "db").unwrap();
    assert_eq!(
        db["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"],
        "500m"
    );
    let dump = by_name(&dev, "CronJob", "db-backup").unwrap();
    assert_eq!(
        dump["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["resources"]
            ["requests"]["memory"],
        "64Mi"
    );
}

#[test]
fn prod_overlay_orders_argo_cd_sync_waves() {
    let Some(_) = require_tool(Tool::Kubectl) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    write_tree(
        &out,
        &kustomize(&scaled_objects(), true).unwrap(),
        &WriteOptions::default(),
    )
    .unwrap();
    let prod = parse(&homeport_testkit::kustomize_build(out.join("overlays/prod")).unwrap());
    let wave = |kind: &str, name: &str| {
        by_name(&prod, kind, name).unwrap()["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .clone()
    };
    assert_eq!(wave("Namespace", "tx"), "-2");
    assert_eq!(wave("PriorityClass", "critical"), "-2");
    assert_eq!(wave("StatefulSet", "db"), "-1");
    assert_eq!(wave("CronJob", "db-backup"), "-1");
    assert_eq!(wave("Deployment", "api"), Value::Null);
    // Nothing else changes.
    let mut api = by_name(&prod, "Deployment", "api").unwrap().clone();
    let mut want = by_name(&scaled_objects(), "Deployment", "api")
        .unwrap()
        .clone();
    api["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    want["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    assert_eq!(api, want);
}

#[test]
fn plain_manifests_hold_the_same_objects() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plain");
    let files = manifests(&objects()).unwrap();
    write_tree(&out, &files, &WriteOptions::default()).unwrap();
    let mut text = String::new();
    for f in files.iter().filter(|f| f.path.ends_with(".yaml")) {
        text.push_str(&std::fs::read_to_string(out.join(&f.path)).unwrap());
    }
    let mut expected = objects();
    expected.sort_by_key(|o| {
        format!(
            "{}/{}/{}",
            o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]
        )
    });
    assert_eq!(parse(&text), expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("shop/api/secret.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
