//! Shared helpers of the end-to-end tests: run the real binary, read what it wrote, find
//! objects by service.
#![allow(dead_code)]

pub mod check;
pub mod netpol;
pub mod non_root;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const WORKLOAD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

pub fn homeport() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeport"));
    cmd.env("NO_COLOR", "1")
        // No registry is reachable from tests: homeport.lock and the knowledge base only.
        .env("HOMEPORT_OFFLINE", "1")
        // Stacks in the repository and the shared corpus get no homeport.lock beside them;
        // tests of host facts in the lock remove this.
        .env("HOMEPORT_LOCK_HOST", "0")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES");
    // The developer's own Docker logins would add pull secrets: none unless a test says so.
    if std::env::var_os("DOCKER_CONFIG").is_none() {
        cmd.env(
            "DOCKER_CONFIG",
            workspace_root().join("target/no-docker-config"),
        );
    }
    cmd
}

pub fn workspace_root() -> PathBuf {
    homeport_testkit::workspace_root()
}

/// `tests/stacks/<name>/compose.yaml`, or the bundled example for `media-server`.
pub fn stack_compose(name: &str) -> PathBuf {
    if name == "media-server" {
        return workspace_root().join("examples/media-server/compose.yaml");
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/stacks")
        .join(name)
        .join("compose.yaml")
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run homeport");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "homeport panicked: {stderr}"
    );
    out
}

/// `homeport -f <compose> convert --out <out> [extra...]`, asserting success.
pub fn convert(compose: &Path, out: &Path, extra: &[&str]) -> Output {
    let output = run(homeport()
        .arg("-f")
        .arg(compose)
        .arg("convert")
        .arg("--out")
        .arg(out)
        .args(extra));
    assert_eq!(
        output.status.code(),
        Some(0),
        "convert {} failed:\n{}",
        compose.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `homeport -f <compose> render` as parsed objects.
pub fn render(compose: &Path) -> (String, Vec<Value>) {
    let output = run(homeport().arg("-f").arg(compose).arg("render"));
    assert_eq!(
        output.status.code(),
        Some(0),
        "render failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let objects = parse_stream(&text);
    (text, objects)
}

/// Every document of a YAML stream as JSON (empty documents dropped).
pub fn parse_stream(text: &str) -> Vec<Value> {
    let docs = homeport_yaml::parse(
        text,
        homeport_diag::FileId(0),
        homeport_yaml::Limits::default(),
    )
    .unwrap_or_else(|e| panic!("not YAML: {e:?}\n{text}"));
    docs.iter()
        .map(|d| d.to_json())
        .filter(|v| !v.is_null())
        .collect()
}

/// All files under `dir`, relative paths with `/`, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub fn kind<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["kind"] == kind).collect()
}

pub fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// The pod template of a workload object.
pub fn pod_template(workload: &Value) -> &Value {
    if workload["kind"] == "CronJob" {
        &workload["spec"]["jobTemplate"]["spec"]["template"]
    } else {
        &workload["spec"]["template"]
    }
}

/// The long-running containers of a pod spec: its containers and its native sidecars (init
/// containers with `restartPolicy: Always`).
pub fn running_containers(spec: &Value) -> impl Iterator<Item = &Value> {
    let sidecars = spec["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"] == "Always");
    spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(sidecars)
}

/// The workload running the container named `container` (a Compose service).
pub fn workload_with_container<'a>(objects: &'a [Value], container: &str) -> &'a Value {
    objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
        .find(|o| running_containers(&pod_template(o)["spec"]).any(|c| c["name"] == container))
        .unwrap_or_else(|| panic!("no workload runs a container named {container}"))
}

pub fn container<'a>(workload: &'a Value, name: &str) -> &'a Value {
    running_containers(&pod_template(workload)["spec"])
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

pub fn name_of(o: &Value) -> String {
    format!(
        "{}/{}/{}",
        o["kind"].as_str().unwrap_or(""),
        o["metadata"]["namespace"].as_str().unwrap_or(""),
        o["metadata"]["name"].as_str().unwrap_or("")
    )
}

/// A Secret with its base64 `data` values without line breaks.
pub fn unwrap_secret_data(mut o: Value) -> Value {
    if o["kind"] == "Secret" {
        if let Some(data) = o["data"].as_object_mut() {
            for v in data.values_mut() {
                if let Some(s) = v.as_str() {
                    *v = Value::from(s.replace(['\n', '\r'], ""));
                }
            }
        }
    }
    o
}

/// Objects sorted by identity, for order-independent comparison.
pub fn sorted(mut objects: Vec<Value>) -> Vec<Value> {
    objects.sort_by_key(name_of);
    objects
}

/// `kubectl kustomize OUT` builds exactly `objects` (what `render` printed), when kubectl is
/// available. kustomize wraps long base64 values over several lines; the API server ignores
/// the line breaks (Go's base64 decoder skips \r and \n), so Secrets compare without them.
///
/// The tree's `overlays/prod` must build the rendered objects, and `overlays/dev` the same
/// objects less the autoscalers, with one replica each and requests no larger.
pub fn assert_kustomize_matches(out: &Path, objects: &[Value], context: &str) {
    if homeport_testkit::require_tool(homeport_testkit::Tool::Kubectl).is_none() {
        return;
    }
    assert_dev_overlay(out, objects, context);
    let built = homeport_testkit::kustomize_build(out.join("overlays/prod")).unwrap();
    let built = sorted(
        parse_stream(&built)
            .into_iter()
            .map(unwrap_secret_data)
            .collect(),
    );
    let rendered = sorted(objects.to_vec());
    let names = |v: &[Value]| v.iter().map(name_of).collect::<Vec<_>>();
    assert_eq!(
        names(&built),
        names(&rendered),
        "{context}: object sets differ"
    );
    for (b, r) in built.iter().zip(&rendered) {
        assert_eq!(
            b,
            r,
            "{context}: {} differs between kustomize and render",
            name_of(r)
        );
    }
}

/// What overlays/dev leaves out: autoscalers, and disruption budgets (one replica).
const AUTOSCALERS: &[&str] = &[
    "HorizontalPodAutoscaler",
    "ScaledObject",
    "ScaledJob",
    "TriggerAuthentication",
    "PodDisruptionBudget",
];

/// `kubectl kustomize OUT/overlays/dev`: the rendered objects less autoscalers, one replica,
/// every cpu/memory request halved or unchanged (when not readable), limits untouched.
pub fn assert_dev_overlay(out: &Path, objects: &[Value], context: &str) {
    let built = homeport_testkit::kustomize_build(out.join("overlays/dev"))
        .unwrap_or_else(|e| panic!("{context}: overlays/dev does not build: {e}"));
    let built = sorted(
        parse_stream(&built)
            .into_iter()
            .map(unwrap_secret_data)
            .collect(),
    );
    let expected = sorted(
        objects
            .iter()
            .filter(|o| !AUTOSCALERS.contains(&o["kind"].as_str().unwrap_or("")))
            .cloned()
            .collect(),
    );
    let names = |v: &[Value]| v.iter().map(name_of).collect::<Vec<_>>();
    assert_eq!(names(&built), names(&expected), "{context}: dev object set");
    for (dev, prod) in built.iter().zip(&expected) {
        if let Some(r) = dev.pointer("/spec/replicas") {
            assert_eq!(r, 1, "{context}: {} replicas in dev", name_of(dev));
        }
        let (mut d, mut p) = (dev.clone(), prod.clone());
        for o in [&mut d, &mut p] {
            if let Some(spec) = o.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("replicas");
            }
            strip_requests(o);
        }
        assert_eq!(
            d,
            p,
            "{context}: {} differs in dev beyond replicas and requests",
            name_of(dev)
        );
        let requests = |o: &Value| {
            let mut v = Vec::new();
            collect_requests(o, "", &mut v);
            v.sort();
            v
        };
        let (dr, pr) = (requests(dev), requests(prod));
        assert_eq!(dr.len(), pr.len(), "{context}: {}", name_of(dev));
        for ((key, small), (prod_key, big)) in dr.iter().zip(&pr) {
            assert_eq!(key, prod_key, "{context}: {}", name_of(dev));
            if key.ends_with(":cpu") || key.ends_with(":memory") {
                assert!(
                    small != big || small.ends_with("1m"),
                    "{context}: {} {key} request {small} not halved",
                    name_of(dev)
                );
            } else {
                assert_eq!(small, big, "{context}: {} {key}", name_of(dev));
            }
        }
    }
}

fn strip_requests(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get_mut("resources").and_then(Value::as_object_mut) {
                r.remove("requests");
            }
            m.values_mut().for_each(strip_requests);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_requests),
        _ => {}
    }
}

/// (path:resource, quantity) of every resources.requests entry.
fn collect_requests(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m
                .get("resources")
                .and_then(|r| r.get("requests"))
                .and_then(Value::as_object)
            {
                for (k, q) in r {
                    out.push((format!("{path}:{k}"), q.to_string()));
                }
            }
            for (k, x) in m {
                if k != "resources" {
                    collect_requests(x, &format!("{path}/{k}"), out);
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| collect_requests(x, &format!("{path}/{i}"), out)),
        _ => {}
    }
}
