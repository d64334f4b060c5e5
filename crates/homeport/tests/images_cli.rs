//! Image facts end to end, as a user gets them: a stack whose images sit on a local
//! registry (the real `docker-registry`, started by the test on loopback), rendered through
//! the binary; `homeport.lock` written, the same render from the lock with the registry
//! stopped, `--offline` and `--locked`.

mod support;

use homeport_testkit::registry::{tar_layer, Registry};
use serde_json::{json, Value};
use std::path::Path;
use support::*;

fn config(arch: &str, user: &str, extra: Value) -> Value {
    let mut c = json!({"User": user, "Env": ["PATH=/usr/bin"]});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    json!({"architecture": arch, "os": "linux", "config": c, "rootfs": {"type": "layers", "diff_ids": []}})
}

/// Push `repo:1` for amd64 and arm64 (an index) with `user` and `extra` config.
fn push_both(reg: &Registry, repo: &str, user: &str, extra: Value, layers: &[Vec<u8>]) {
    let amd = reg.push_image(repo, None, &config("amd64", user, extra.clone()), layers);
    let arm = reg.push_image(repo, None, &config("arm64", user, extra), layers);
    reg.push_index(
        repo,
        "1",
        &[
            ("linux/amd64", &amd.0, amd.1),
            ("linux/arm64", &arm.0, arm.1),
        ],
    );
}

fn push_stack_images(reg: &Registry) {
    push_both(reg, "stack/numeric", "1000:1000", json!({}), &[]);
    push_both(reg, "stack/root", "", json!({}), &[]);
    let passwd = tar_layer(&[(
        "etc/passwd",
        b"root:x:0:0::/root:/bin/sh\napp:x:1234:1235::/:/bin/false\n",
    )]);
    push_both(reg, "stack/named", "app", json!({}), &[passwd]);
    reg.push_image(
        "stack/amd64only",
        Some("1"),
        &config("amd64", "1000", json!({})),
        &[],
    );
    push_both(
        reg,
        "stack/exporter",
        "65534",
        json!({
            "ExposedPorts": {"9100/tcp": {}},
            "Healthcheck": {"Test": ["CMD", "wget", "-q", "--spider", "http://localhost:9100/metrics"], "Interval": 20000000000u64}
        }),
        &[],
    );
}

const CLUSTER: &str = "apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata:
  name: mixed
spec:
  nodes:
    - name: nuc
      arch: amd64
      cpu: 8
      memory: 16Gi
    - name: pi
      arch: arm64
      cpu: 4
      memory: 8Gi
";

fn write_stack(dir: &Path, host: &str) -> std::path::PathBuf {
    let compose = format!(
        "name: regstack
services:
  numeric:
    image: {host}/stack/numeric:1
  root:
    image: {host}/stack/root:1
  named:
    image: {host}/stack/named:1
  amd64only:
    image: {host}/stack/amd64only:1
  exporter:
    image: {host}/stack/exporter:1
"
    );
    std::fs::write(dir.join("compose.yaml"), compose).unwrap();
    std::fs::write(dir.join("cluster.yaml"), CLUSTER).unwrap();
    dir.join("compose.yaml")
}

/// `homeport` with registry access (the support default is offline).
fn online() -> std::process::Command {
    let mut cmd = homeport();
    cmd.env_remove("HOMEPORT_OFFLINE");
    cmd
}

fn render_json(
    cmd: &mut std::process::Command,
    compose: &Path,
    extra: &[&str],
) -> (i32, String, String) {
    let out = run(cmd
        .arg("-f")
        .arg(compose)
        .args(extra)
        .args(["render", "--format", "json"]));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn sec<'a>(objects: &'a [Value], name: &str) -> (&'a Value, &'a Value) {
    let w = workload_with_container(objects, name);
    (
        &pod_template(w)["spec"]["securityContext"],
        &container(w, name)["securityContext"],
    )
}

#[test]
fn stack_on_a_local_registry_is_decided_from_image_facts_and_pinned_in_the_lock() {
    let Some(mut reg) = Registry::start() else {
        return;
    };
    push_stack_images(&reg);
    let dir = tempfile::tempdir().unwrap();
    let compose = write_stack(dir.path(), &reg.host());
    let lock = dir.path().join("homeport.lock");

    let (code, first, first_stderr) = render_json(&mut online(), &compose, &[]);
    assert_eq!(code, 0, "{first_stderr}");
    assert!(!first_stderr.contains("HP0560"), "{first_stderr}");
    let doc: Value = serde_json::from_str(&first).unwrap();
    let objects = doc["items"].as_array().unwrap().clone();

    // Numeric non-root user: restricted with explicit ids.
    let (_, c) = sec(&objects, "numeric");
    assert_eq!(c["runAsNonRoot"], true);
    assert_eq!(c["runAsUser"], 1000);
    assert_eq!(c["runAsGroup"], 1000);
    // Root: never runAsNonRoot.
    let (p, c) = sec(&objects, "root");
    assert_ne!(c["runAsNonRoot"], true);
    assert_ne!(p["runAsNonRoot"], true);
    // Named user: its uid from the image's /etc/passwd.
    let (_, c) = sec(&objects, "named");
    assert_eq!(c["runAsNonRoot"], true);
    assert_eq!(c["runAsUser"], 1234);
    assert_eq!(c["runAsGroup"], 1235);
    // amd64-only image in an amd64+arm64 cluster: required affinity on amd64.
    let w = workload_with_container(&objects, "amd64only");
    let terms = &pod_template(w)["spec"]["affinity"]["nodeAffinity"]
        ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    assert!(
        terms
            .to_string()
            .contains(r#"{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}"#),
        "{terms}"
    );
    // Multi-arch images are not pinned.
    let w = workload_with_container(&objects, "numeric");
    assert!(pod_template(w)["spec"]["affinity"]["nodeAffinity"]
        ["requiredDuringSchedulingIgnoredDuringExecution"]
        .is_null());
    // Port and healthcheck only in the image's config: container port, Service, policy, probe.
    let w = workload_with_container(&objects, "exporter");
    let c = container(w, "exporter");
    assert_eq!(c["ports"][0]["containerPort"], 9100);
    assert_eq!(c["readinessProbe"]["httpGet"]["port"], 9100);
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/metrics");
    assert_eq!(c["readinessProbe"]["periodSeconds"], 20);
    let svc = named(&objects, "Service", "exporter").expect("a Service for the exposed port");
    assert_eq!(svc["spec"]["ports"][0]["port"], 9100);
    let policy = kind(&objects, "NetworkPolicy")
        .into_iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .contains("exporter")
        })
        .expect("a NetworkPolicy for exporter");
    assert!(policy.to_string().contains("9100"), "{policy}");
    // No port or probe invented for images that expose none.
    let c = container(workload_with_container(&objects, "numeric"), "numeric");
    assert!(c["ports"].is_null() && c["readinessProbe"].is_null(), "{c}");

    // The lock is written beside the compose file, with pinned digests.
    let lock_text = std::fs::read_to_string(&lock).expect("homeport.lock written");
    assert!(lock_text.contains("\"digest\": \"sha256:"));
    assert!(lock_text.contains(&format!("{}/stack/exporter:1", reg.host())));

    // Registry stopped: the same render, byte for byte, from the lock; the lock unchanged.
    reg.stop();
    let (code, second, stderr) = render_json(&mut online(), &compose, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first, second);
    assert_eq!(stderr, first_stderr, "same diagnostics from the lock");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);
    // --locked with a complete lock is fine.
    let (code, third, _) = render_json(&mut online(), &compose, &["--locked"]);
    assert_eq!((code, third), (0, first.clone()));

    // The plan says where the facts came from; `homeport images` shows each fact's source.
    let out = run(online()
        .arg("-f")
        .arg(&compose)
        .args(["plan", "--format", "json"]));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["images"]["lock"], 5);
    assert_eq!(plan["images"]["registry"], 0);
    let out = run(online()
        .arg("-f")
        .arg(&compose)
        .args(["images", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let images: Value = serde_json::from_slice(&out.stdout).unwrap();
    let named_image = images["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["services"][0] == "named")
        .unwrap();
    assert_eq!(named_image["source"], "lock");
    assert!(
        named_image["facts"].to_string().contains("1234:1235"),
        "{named_image}"
    );

    // An image the lock lacks, on a reachable registry: --locked exits 2 and writes nothing.
    let mut reg2 = Registry::start().unwrap();
    push_both(&reg2, "stack/extra", "1000", json!({}), &[]);
    let text = std::fs::read_to_string(&compose).unwrap()
        + &format!("  extra:\n    image: {}/stack/extra:1\n", reg2.host());
    std::fs::write(&compose, text).unwrap();
    let (code, out, stderr) = render_json(&mut online(), &compose, &["--locked"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(out.is_empty());
    assert!(stderr.contains("HP0562"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);
    // Without --locked the lock gains the new image.
    let (code, _, stderr) = render_json(&mut online(), &compose, &[]);
    assert_eq!(code, 0, "{stderr}");
    let grown = std::fs::read_to_string(&lock).unwrap();
    assert!(grown.contains("stack/extra:1"));
    reg2.stop();
}

#[test]
fn offline_without_a_lock_opens_no_connection_and_writes_no_lock() {
    // The "registry" is a listener of the test's own that must never see a connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let compose = write_stack(dir.path(), &host);
    let (code, out, stderr) = render_json(&mut online(), &compose, &["--offline"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!out.is_empty());
    assert!(!stderr.contains("HP0560"), "{stderr}");
    assert!(
        listener.accept().is_err(),
        "--offline connected to the registry"
    );
    assert!(!dir.path().join("homeport.lock").exists());
    // Unknown images offline: no runAsNonRoot without a numeric runAsUser.
    let doc: Value = serde_json::from_str(&out).unwrap();
    for item in doc["items"].as_array().unwrap() {
        if !WORKLOAD_KINDS.contains(&item["kind"].as_str().unwrap_or("")) {
            continue;
        }
        for c in pod_template(item)["spec"]["containers"].as_array().unwrap() {
            let s = &c["securityContext"];
            assert!(s["runAsNonRoot"] != true || s["runAsUser"].is_u64(), "{c}");
        }
    }
}

#[test]
fn unreachable_registry_is_a_warning_and_the_knowledge_base_is_used() {
    // A port nothing listens on.
    let host = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let compose = write_stack(dir.path(), &host);
    let (code, out, stderr) = render_json(&mut online(), &compose, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!out.is_empty());
    assert_eq!(stderr.matches("warning[HP0560]").count(), 5, "{stderr}");
    assert!(stderr.contains(&format!("registry `{host}`")), "{stderr}");
    assert!(!dir.path().join("homeport.lock").exists());
}

#[test]
fn a_broken_lock_is_an_error_and_nothing_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let compose = write_stack(dir.path(), "127.0.0.1:9");
    std::fs::write(dir.path().join("homeport.lock"), "{ not a lock").unwrap();
    let (code, out, stderr) = render_json(&mut online(), &compose, &["--offline"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(out.is_empty());
    assert!(stderr.contains("error[HP0561]"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("homeport.lock")).unwrap(),
        "{ not a lock"
    );
}

#[test]
fn a_declared_data_directory_without_a_compose_mount_gets_a_claim() {
    let Some(reg) = Registry::start() else {
        return;
    };
    // A PostgreSQL image (the knowledge base knows its data directory) declaring it and a
    // second, unknown volume; Compose mounts neither.
    reg.push_image(
        "library/postgres",
        Some("16"),
        &config(
            "amd64",
            "",
            json!({"Volumes": {"/var/lib/postgresql/data": {}, "/scratch": {}}, "ExposedPorts": {"5432/tcp": {}}}),
        ),
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        format!(
            "name: volstack\nservices:\n  db:\n    image: {}/library/postgres:16\n",
            reg.host()
        ),
    )
    .unwrap();
    let (code, out, stderr) = render_json(&mut online(), &compose, &[]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let objects = doc["items"].as_array().unwrap().clone();
    let w = workload_with_container(&objects, "db");
    let mount = container(w, "db")["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/var/lib/postgresql/data")
        .cloned()
        .expect("the data directory is mounted");
    // Backed by a claim: a volumeClaimTemplate of the StatefulSet or a PersistentVolumeClaim.
    let vol_name = mount["name"].as_str().unwrap();
    let templates = &w["spec"]["volumeClaimTemplates"];
    let from_template = templates
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["metadata"]["name"] == vol_name));
    let from_claim = pod_template(w)["spec"]["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == vol_name))
        .and_then(|v| v["persistentVolumeClaim"]["claimName"].as_str())
        .is_some_and(|claim| named(&objects, "PersistentVolumeClaim", claim).is_some());
    assert!(from_template || from_claim, "{w}");
    // The unknown volume is still only a warning, naming it and not the claimed one.
    let warning = stderr
        .lines()
        .find(|l| l.contains("HP0566"))
        .expect("HP0566 for /scratch");
    assert!(warning.contains("/scratch"), "{warning}");
    assert!(!warning.contains("/var/lib/postgresql/data"), "{warning}");
    // The plan gives the reason.
    let out = run(online()
        .arg("-f")
        .arg(&compose)
        .args(["plan", "--format", "json"]));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let decisions = plan["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "db")
        .unwrap()["decisions"]
        .to_string();
    assert!(
        decisions.contains("image volume /var/lib/postgresql/data")
            && decisions.contains("where postgres keeps its data"),
        "{decisions}"
    );
}
