//! The runAsNonRoot invariant, shared by the tests that check it on `render`, on the
//! Kustomize tree and on the Helm chart: every container written with `runAsNonRoot: true`
//! has a numeric non-root `runAsUser` (its own or the pod's).

use super::{name_of, pod_template, WORKLOAD_KINDS};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Every compose file under `dir` (names containing `compose`, `.yml`/`.yaml`), sorted.
pub fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
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

/// Every container with `runAsNonRoot: true` (its own or the pod's) and no numeric non-root
/// `runAsUser`, in the workloads of one object list: containers and init containers.
pub fn violations(file: &str, objects: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for o in objects {
        if !WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")) {
            continue;
        }
        let spec = &pod_template(o)["spec"];
        let pod = &spec["securityContext"];
        let containers = spec["containers"]
            .as_array()
            .into_iter()
            .chain(spec["initContainers"].as_array())
            .flatten();
        for c in containers {
            let s = &c["securityContext"];
            let non_root = match &s["runAsNonRoot"] {
                Value::Bool(b) => *b,
                _ => pod["runAsNonRoot"] == true,
            };
            let uid = s["runAsUser"].as_u64().or(pod["runAsUser"].as_u64());
            if non_root && uid.is_none_or(|u| u == 0) {
                out.push(format!(
                    "{file}: {} container {}: runAsNonRoot without a numeric non-root runAsUser",
                    name_of(o),
                    c["name"]
                ));
            }
        }
    }
    out
}

/// How many containers (init containers included) of the workloads run with
/// `runAsNonRoot: true`: the checks above must have something to check.
pub fn non_root_containers(objects: &[Value]) -> usize {
    objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
        .map(|o| {
            let spec = &pod_template(o)["spec"];
            let pod = spec["securityContext"]["runAsNonRoot"] == true;
            spec["containers"]
                .as_array()
                .into_iter()
                .chain(spec["initContainers"].as_array())
                .flatten()
                .filter(|c| match &c["securityContext"]["runAsNonRoot"] {
                    Value::Bool(b) => *b,
                    _ => pod,
                })
                .count()
        })
        .sum()
}
