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
    let out = tmp.path().join("base");
    let files = kustomize(&objects()).unwrap();
    write_tree(&out, &files, &WriteOptions::default()).unwrap();
    let built = homeport_testkit::kustomize_build(&out).unwrap();
    let mut expected = objects();
    expected.sort_by_key(|o| {
        format!(
            "{}/{}/{}",
            o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]
        )
    });
    assert_eq!(parse(&built), expected);
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
