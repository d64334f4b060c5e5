//! The Kustomize overlays over `base/`: `prod` (every object as rendered, plus Argo CD sync
//! waves when the tree is deployed by Argo CD) and `dev` (one replica, no autoscalers nor
//! disruption budgets, halved resource requests), each a `kustomization.yaml` of patches, so a person can read in one
//! file what differs from the base.

use crate::quantity;
use serde_json::{json, Map, Value};

/// The Argo CD annotation that orders a sync.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// The label homeport puts on every object a pod owns, with the pod's role.
const COMPONENT_LABEL: &str = "app.kubernetes.io/component";

/// Sync waves: cluster-wide prerequisites, then the stateful services others wait for,
/// then everything else (wave 0, Argo CD's default).
pub const FIRST_WAVE_KINDS: &[&str] = &["Namespace", "PriorityClass", "StorageClass"];
const FIRST_WAVE: &str = "-2";
const DATA_WAVE: &str = "-1";
/// The components (label `app.kubernetes.io/component`) others wait for.
const DATA_COMPONENTS: &[&str] = &["database", "cache", "queue"];
/// [`DATA_COMPONENTS`] as a label-selector set.
pub const DATA_SELECTOR: &str = "database,cache,queue";

/// Whether an object belongs to a database, cache or queue.
pub fn is_data_component(object: &Value) -> bool {
    object
        .pointer("/metadata/labels")
        .and_then(|l| l.get(COMPONENT_LABEL))
        .and_then(Value::as_str)
        .is_some_and(|c| DATA_COMPONENTS.contains(&c))
}

/// Kinds the dev overlay leaves out: autoscalers (dev runs one replica), and
/// PodDisruptionBudgets (with one replica, a budget would block every node drain).
const DEV_DROPPED_KINDS: &[&str] = &[
    "HorizontalPodAutoscaler",
    "ScaledObject",
    "ScaledJob",
    "TriggerAuthentication",
    "PodDisruptionBudget",
];

fn kustomization(patches: Vec<Value>) -> Value {
    let mut k = Map::new();
    k.insert(
        "apiVersion".into(),
        "kustomize.config.k8s.io/v1beta1".into(),
    );
    k.insert("kind".into(), "Kustomization".into());
    k.insert("resources".into(), json!(["../../base"]));
    if !patches.is_empty() {
        k.insert("patches".into(), Value::Array(patches));
    }
    Value::Object(k)
}

/// `overlays/prod`: the base unchanged, or with `argocd.argoproj.io/sync-wave` annotations.
pub fn prod(sync_waves: bool) -> Value {
    let mut patches = Vec::new();
    if sync_waves {
        // A strategic-merge patch needs an identity; with a target, kustomize applies it to
        // every matching object under that object's own kind and name.
        let annotate = |wave: &str| {
            homeport_yaml::emit(
                &json!({"apiVersion": "v1", "kind": "Any", "metadata": {"name": "any", "annotations": {SYNC_WAVE: wave}}}),
            )
        };
        for kind in FIRST_WAVE_KINDS {
            patches.push(json!({"patch": annotate(FIRST_WAVE), "target": {"kind": kind}}));
        }
        patches.push(json!({
            "patch": annotate(DATA_WAVE),
            "target": {"labelSelector": format!("{COMPONENT_LABEL} in ({DATA_SELECTOR})")},
        }));
    }
    kustomization(patches)
}

/// `overlays/dev`: one JSON 6902 patch per workload (replicas 1, halved cpu and memory
/// requests) and a delete patch per autoscaler.
pub fn dev(objects: &[Value]) -> Value {
    let mut patches = Vec::new();
    for object in objects {
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
        let meta = object.get("metadata");
        let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str);
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str);
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        let (Some(name), Some(api_version)) = (name, api_version) else {
            continue;
        };
        let mut id = Map::new();
        id.insert("name".into(), name.into());
        if let Some(ns) = namespace {
            id.insert("namespace".into(), ns.into());
        }
        if DEV_DROPPED_KINDS.contains(&kind) {
            let delete = json!({"$patch": "delete", "apiVersion": api_version, "kind": kind, "metadata": id});
            patches.push(json!({"patch": homeport_yaml::emit(&delete)}));
            continue;
        }
        let ops = workload_ops(kind, object);
        if ops.is_empty() {
            continue;
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let mut target = id;
        target.insert("kind".into(), kind.into());
        target.insert("version".into(), version.into());
        if !group.is_empty() {
            target.insert("group".into(), group.into());
        }
        patches.push(json!({"patch": homeport_yaml::emit(&Value::Array(ops)), "target": target}));
    }
    kustomization(patches)
}

/// JSON 6902 operations that shrink one workload for dev.
fn workload_ops(kind: &str, object: &Value) -> Vec<Value> {
    let mut ops = Vec::new();
    let template = match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => {
            if object
                .pointer("/spec/replicas")
                .and_then(Value::as_u64)
                .is_some_and(|r| r != 1)
            {
                ops.push(json!({"op": "replace", "path": "/spec/replicas", "value": 1}));
            }
            "/spec/template/spec"
        }
        "DaemonSet" | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => return ops,
    };
    for list in ["initContainers", "containers"] {
        let Some(containers) = object
            .pointer(&format!("{template}/{list}"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (i, container) in containers.iter().enumerate() {
            for (resource, halve) in [
                ("cpu", quantity::halve_cpu as fn(&str) -> Option<String>),
                ("memory", quantity::halve_memory),
            ] {
                let Some(request) = container
                    .pointer(&format!("/resources/requests/{resource}"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                if let Some(smaller) = halve(request) {
                    ops.push(json!({
                        "op": "replace",
                        "path": format!("{template}/{list}/{i}/resources/requests/{resource}"),
                        "value": smaller,
                    }));
                }
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &Value) -> Value {
        homeport_yaml::parse_one(text.as_str().unwrap(), homeport_diag::FileId(0))
            .unwrap()
            .unwrap()
            .to_json()
    }

    #[test]
    fn dev_shrinks_workloads_and_drops_autoscalers() {
        let objects = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
                "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "api", "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}}]}}}}),
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "app"}}),
        ];
        let k = dev(&objects);
        let patches = k["patches"].as_array().unwrap();
        assert_eq!(patches.len(), 2);
        assert_eq!(
            patches[0]["target"],
            json!({"name": "api", "namespace": "app", "kind": "Deployment", "version": "v1", "group": "apps"})
        );
        let ops = yaml(&patches[0]["patch"]);
        assert_eq!(
            ops,
            json!([
                {"op": "replace", "path": "/spec/replicas", "value": 1},
                {"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/cpu", "value": "250m"},
                {"op": "replace", "path": "/spec/template/spec/containers/0/resources/requests/memory", "value": "128Mi"},
            ])
        );
        let delete = yaml(&patches[1]["patch"]);
        assert_eq!(delete["$patch"], "delete");
        assert_eq!(delete["kind"], "HorizontalPodAutoscaler");
        assert_eq!(k["resources"], json!(["../../base"]));
    }

    #[test]
    fn prod_is_the_base_unless_synced_by_argo_cd() {
        assert!(prod(false).get("patches").is_none());
        let waves = prod(true);
        let patches = waves["patches"].as_array().unwrap();
        assert!(patches.iter().any(|p| p["target"]["kind"] == "Namespace"
            && yaml(&p["patch"])["metadata"]["annotations"][SYNC_WAVE] == "-2"));
        assert!(patches.iter().any(|p| p["target"]["labelSelector"]
            == "app.kubernetes.io/component in (database,cache,queue)"));
    }
}
