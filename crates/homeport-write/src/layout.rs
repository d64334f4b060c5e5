//! Where each object goes: `<namespace>/<service>/<kind>.yaml` for objects a service owns
//! (label `app.kubernetes.io/name`), `<namespace>/<kind>.yaml` for namespace-wide ones,
//! `_cluster/<kind>.yaml` for cluster-scoped ones. `_` cannot start a namespace name, so
//! `_cluster` never collides with one, and it sorts before them (`kubectl apply -R` walks
//! files in lexical order, so cluster-scoped objects are created first).

use crate::codes::INVALID_OBJECT;
use homeport_diag::Diagnostic;
use serde_json::Value;

pub const CLUSTER_DIR: &str = "_cluster";
const SERVICE_LABEL: &str = "app.kubernetes.io/name";

/// An object's identity and the file it belongs in.
#[derive(Debug, Clone)]
pub struct Placement {
    pub kind: String,
    pub name: String,
    /// `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The owning service, from `app.kubernetes.io/name`.
    pub service: Option<String>,
}

impl Placement {
    pub fn of(object: &Value, index: usize) -> Result<Placement, Diagnostic> {
        let kind = object.get("kind").and_then(Value::as_str);
        let meta = object.get("metadata");
        let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str);
        let (Some(kind), Some(name)) = (kind, name) else {
            return Err(Diagnostic::error(
                INVALID_OBJECT,
                format!("object #{} has no kind or no metadata.name", index + 1),
            )
            .with_help("this is a bug in homeport's renderer; please report it"));
        };
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let service = meta
            .and_then(|m| m.get("labels"))
            .and_then(|l| l.get(SERVICE_LABEL))
            .and_then(Value::as_str)
            .map(str::to_string);
        for part in [
            Some(kind),
            Some(name),
            namespace.as_deref(),
            service.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if !is_path_segment(part) {
                return Err(Diagnostic::error(
                    INVALID_OBJECT,
                    format!("{kind} `{name}`: `{part}` cannot be used as a file name"),
                )
                .with_help("names of Kubernetes objects are DNS names; this is a bug in homeport's renderer"));
            }
        }
        Ok(Placement {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace,
            service,
        })
    }

    /// The directory: `_cluster`, `<ns>` or `<ns>/<service>`. A Namespace object lives in
    /// its own directory unless `namespaces_in_cluster_dir` is set.
    pub fn dir(&self, namespaces_in_cluster_dir: bool) -> String {
        if self.kind == "Namespace" && !namespaces_in_cluster_dir {
            return self.name.clone();
        }
        let Some(ns) = &self.namespace else {
            return CLUSTER_DIR.to_string();
        };
        match &self.service {
            Some(service) => format!("{ns}/{service}"),
            None => ns.clone(),
        }
    }

    /// `deployment.yaml`, `networkpolicy.yaml`, ...
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.kind.to_ascii_lowercase())
    }
}

/// Rank of a kind in a directory listing: the order a person reads (and applies) them.
pub fn kind_rank(kind: &str) -> usize {
    const ORDER: &[&str] = &[
        "Namespace",
        "StorageClass",
        "RuntimeClass",
        "PersistentVolume",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "Service",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A Secret data key usable as a file name (Kubernetes allows `[-._a-zA-Z0-9]+`).
pub fn is_secret_key_file_name(key: &str) -> bool {
    is_path_segment(key)
}
