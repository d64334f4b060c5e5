//! No field is decided twice: the plan never states two decisions for a field that has one
//! value (a pod's namespace, workload kind, priority, rollout strategy, replicas, runtime
//! class, shutdown; each container's probes and resources). Two decide modules writing the
//! same field would show up here as two decisions with the same topic and subject. Checked
//! on every stack of the repository and of the shared corpus.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;

/// Topics with one value per pod.
const PER_POD: &[&str] = &[
    "namespace",
    "workload",
    "priority",
    "strategy",
    "replicas",
    "runtime",
    "shutdown",
];
/// Topics with one value per container (`<container>: ...`).
const PER_CONTAINER: &[&str] = &["probes", "resources"];

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            compose_files(&path, out);
        } else {
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml")) {
                out.push(path);
            }
        }
    }
}

/// Fields of `plan` decided more than once.
fn decided_twice(file: &Path, plan: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for svc in plan["services"].as_array().into_iter().flatten() {
        let mut seen: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for d in svc["decisions"].as_array().into_iter().flatten() {
            let topic = d["topic"].as_str().unwrap_or("").to_string();
            let value = d["value"].as_str().unwrap_or("").to_string();
            let subject = if PER_POD.contains(&topic.as_str()) {
                String::new()
            } else if PER_CONTAINER.contains(&topic.as_str()) {
                value
                    .split_once(':')
                    .map(|(c, _)| c.to_string())
                    .unwrap_or_default()
            } else {
                continue;
            };
            seen.entry((topic, subject)).or_default().push(value);
        }
        for ((topic, subject), values) in seen {
            if values.len() > 1 {
                out.push(format!(
                    "{}: service {}: {topic} {subject} decided {} times: {values:?}",
                    file.display(),
                    svc["name"],
                    values.len()
                ));
            }
        }
    }
    out
}

#[test]
fn no_field_is_decided_twice() {
    let root = workspace_root();
    let mut files = Vec::new();
    compose_files(&root.join("crates/homeport/tests/stacks"), &mut files);
    compose_files(&root.join("examples"), &mut files);
    compose_files(&homeport_testkit::corpus_dir(), &mut files);
    let mut problems = Vec::new();
    let mut pods = 0;
    for file in &files {
        let out = run(homeport()
            .arg("-f")
            .arg(file)
            .args(["plan", "--format", "json"]));
        let Ok(plan) = serde_json::from_slice::<Value>(&out.stdout) else {
            continue;
        };
        pods += plan["services"].as_array().map_or(0, |s| s.len());
        problems.extend(decided_twice(file, &plan));
    }
    assert!(pods >= 100, "only {pods} pods checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_a_namespace_decided_twice() {
    let plan = serde_json::json!({"services": [{"name": "web", "decisions": [
        {"topic": "namespace", "value": "shop", "reason": "project"},
        {"topic": "namespace", "value": "web", "reason": "hint"},
        {"topic": "probes", "value": "web: httpGet / :80", "reason": "a"},
        {"topic": "probes", "value": "sidecar: none", "reason": "b"},
        {"topic": "storage", "value": "web: a -> claim", "reason": "c"},
        {"topic": "storage", "value": "web: b -> claim", "reason": "d"}
    ]}]});
    let found = decided_twice(Path::new("f"), &plan);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("namespace"));
}
