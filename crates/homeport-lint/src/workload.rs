//! Objects that run pods: where their pod template is, and their containers.

use homeport_manifest::{FieldPath, Object, PathSegment};
use serde_json::{Map, Value};

/// The pod template of a workload (or a Pod's own spec).
#[derive(Debug, Clone)]
pub struct PodTemplate<'a> {
    /// Path of the pod spec: `spec.template.spec`.
    pub spec_path: FieldPath,
    /// Path of the pod metadata: `spec.template.metadata` (a Pod's `metadata`).
    pub meta_path: FieldPath,
    pub spec: &'a Value,
    pub metadata: Option<&'a Value>,
    /// Init containers, containers, ephemeral containers, with their paths.
    containers: Vec<Container<'a>>,
}

/// Which list a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// A container with its path.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub path: FieldPath,
    pub value: &'a Value,
    pub name: &'a str,
    pub kind: ContainerKind,
}

impl<'a> Container<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key)
    }

    pub fn image(&self) -> &'a str {
        self.value
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Init containers with `restartPolicy: Always` are sidecars: they run for the pod's
    /// life like regular containers.
    pub fn is_sidecar(&self) -> bool {
        self.kind == ContainerKind::Init
            && self.value.get("restartPolicy").and_then(Value::as_str) == Some("Always")
    }

    /// Runs for the pod's whole life (regular containers and sidecars).
    pub fn is_long_running(&self) -> bool {
        self.kind == ContainerKind::Regular || self.is_sidecar()
    }

    /// `ports[]` entries.
    pub fn ports(&self) -> &'a [Value] {
        self.value
            .get("ports")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether the container declares a port with this name.
    pub fn has_port_named(&self, name: &str) -> bool {
        self.ports()
            .iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// Whether the container declares this port number.
    pub fn has_port_number(&self, number: i64) -> bool {
        self.ports()
            .iter()
            .any(|p| p.get("containerPort").and_then(Value::as_i64) == Some(number))
    }

    /// `container "web"` for messages.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            ContainerKind::Init if self.is_sidecar() => "sidecar container",
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        format!("{what} `{}`", self.name)
    }
}

/// The built-in API groups whose kinds these are (a custom resource named `Deployment` is
/// not a Deployment).
fn is_builtin_workload_group(group: &str) -> bool {
    matches!(group, "" | "apps" | "batch" | "extensions")
}

/// Long-running kinds: probes, replicas and budgets matter for them.
pub fn is_long_running(obj: &Object) -> bool {
    matches!(
        obj.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Pod"
    ) && is_builtin_workload_group(obj.group())
}

/// Kinds with a `spec.replicas` field.
pub fn is_scalable(obj: &Object) -> bool {
    matches!(
        obj.kind.as_str(),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    ) && is_builtin_workload_group(obj.group())
}

fn keys(keys: &[&str]) -> FieldPath {
    FieldPath(
        keys.iter()
            .map(|k| PathSegment::Key((*k).to_string()))
            .collect(),
    )
}

/// The pod template of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// ReplicationController, Job, CronJob or PodTemplate.
pub fn pod_template(obj: &Object) -> Option<PodTemplate<'_>> {
    if !is_builtin_workload_group(obj.group()) {
        return None;
    }
    let (spec, meta): (&[&str], &[&str]) = match obj.kind.as_str() {
        "Pod" => (&["spec"], &["metadata"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => (
            &["spec", "template", "spec"],
            &["spec", "template", "metadata"],
        ),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template", "spec"],
            &["spec", "jobTemplate", "spec", "template", "metadata"],
        ),
        "PodTemplate" => (&["template", "spec"], &["template", "metadata"]),
        _ => return None,
    };
    let spec_path = keys(spec);
    let meta_path = keys(meta);
    let spec_value = spec_path.lookup(&obj.value)?;
    if !spec_value.is_object() {
        return None;
    }
    let metadata = meta_path.lookup(&obj.value);
    let containers = read_containers(&spec_path, spec_value);
    Some(PodTemplate {
        spec_path,
        meta_path,
        spec: spec_value,
        metadata,
        containers,
    })
}

fn read_containers<'a>(spec_path: &FieldPath, spec: &'a Value) -> Vec<Container<'a>> {
    let mut out = Vec::new();
    for (key, kind) in [
        ("initContainers", ContainerKind::Init),
        ("containers", ContainerKind::Regular),
        ("ephemeralContainers", ContainerKind::Ephemeral),
    ] {
        let Some(list) = spec.get(key).and_then(Value::as_array) else {
            continue;
        };
        for (i, c) in list.iter().enumerate() {
            if !c.is_object() {
                continue;
            }
            out.push(Container {
                path: spec_path.key(key).index(i),
                value: c,
                name: c.get("name").and_then(Value::as_str).unwrap_or(""),
                kind,
            });
        }
    }
    out
}

impl<'a> PodTemplate<'a> {
    /// Every container: init containers, containers, ephemeral containers.
    pub fn containers(&self) -> &[Container<'a>] {
        &self.containers
    }

    /// Containers that run for the pod's life (regular containers and sidecars).
    pub fn long_running_containers(&self) -> Vec<&Container<'a>> {
        self.containers
            .iter()
            .filter(|c| c.is_long_running())
            .collect()
    }

    /// Init and regular containers (not ephemeral ones, which debugging adds later).
    pub fn declared_containers(&self) -> Vec<&Container<'a>> {
        self.containers
            .iter()
            .filter(|c| c.kind != ContainerKind::Ephemeral)
            .collect()
    }

    /// Pod labels (`spec.template.metadata.labels`).
    pub fn labels(&self) -> Option<&'a Map<String, Value>> {
        self.metadata?.get("labels")?.as_object()
    }

    pub fn annotations(&self) -> Option<&'a Map<String, Value>> {
        self.metadata?.get("annotations")?.as_object()
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.spec.get(key)
    }

    /// `spec.volumes[]` with their paths.
    pub fn volumes(&self) -> Vec<(FieldPath, &'a Value)> {
        self.spec
            .get("volumes")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .enumerate()
                    .map(|(i, v)| (self.spec_path.key("volumes").index(i), v))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The service account the pods run as (`default` when unset).
    pub fn service_account(&self) -> &'a str {
        self.spec
            .get("serviceAccountName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.spec
                    .get("serviceAccount")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or("default")
    }

    /// A pod-level `securityContext` field.
    pub fn security(&self, key: &str) -> Option<&'a Value> {
        self.spec.get("securityContext")?.get(key)
    }
}

/// A container-level `securityContext` field.
pub fn container_security<'a>(c: &Container<'a>, key: &str) -> Option<&'a Value> {
    c.value.get("securityContext")?.get(key)
}

/// `spec.replicas` of a scalable object: `None` when unset (the API default is 1).
pub fn replicas(obj: &Object) -> Option<i64> {
    obj.value.get("spec")?.get("replicas")?.as_i64()
}
