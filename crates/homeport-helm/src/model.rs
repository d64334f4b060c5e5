//! What the chart needs to know about the objects: which Compose service owns each object,
//! which services use each claim, and where each Secret's values come from.

use homeport_plan::Plan;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// The values key of settings shared by every service.
pub const GLOBAL: &str = "global";

/// A pod of the plan, as the chart sees it.
#[derive(Debug, Clone)]
pub struct Pod {
    /// The primary Compose service (values key).
    pub service: String,
    pub replicas: u32,
    /// Container name → Compose service.
    pub containers: BTreeMap<String, String>,
    /// Container ports the ingress controller calls to authenticate requests for other
    /// pods (forwardAuth): their NetworkPolicy rule does not go with this pod's Ingress.
    pub auth_targets: BTreeSet<u16>,
}

/// A claim: the values key that holds its settings and the services that mount it.
#[derive(Debug, Clone)]
pub struct Claim {
    pub service: String,
    pub key: String,
    pub users: BTreeSet<String>,
    pub static_volume: bool,
}

#[derive(Debug, Default)]
pub struct Model {
    pub project: String,
    /// Pod (object) name → pod.
    pub pods: BTreeMap<String, Pod>,
    /// Compose services in values order: each pod's service, then its joined services.
    pub services: Vec<String>,
    /// (namespace, claim name) → claim.
    pub claims: BTreeMap<(String, String), Claim>,
    /// (namespace, Secret name) → the service whose values hold it (or `global`).
    pub secrets: BTreeMap<(String, String), String>,
    /// Services with a HorizontalPodAutoscaler.
    pub autoscaled: BTreeSet<String>,
}

/// The pod template of a workload object (`spec.template` or a CronJob's job template).
pub fn pod_template_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => Some(&["spec", "template"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

impl Model {
    pub fn new(plan: &Plan, objects: &[Value]) -> Model {
        let mut m = Model {
            project: homeport_plan::dns_label(&plan.project),
            ..Model::default()
        };
        for p in &plan.pods {
            let containers: BTreeMap<String, String> = p
                .containers
                .iter()
                .map(|c| (c.name.clone(), c.service.clone()))
                .collect();
            for s in std::iter::once(&p.service).chain(p.containers.iter().map(|c| &c.service)) {
                if !m.services.contains(s) {
                    m.services.push(s.clone());
                }
            }
            m.pods.insert(
                p.name.clone(),
                Pod {
                    service: p.service.clone(),
                    replicas: p.replicas,
                    containers,
                    auth_targets: p
                        .ports
                        .iter()
                        .filter(|port| p.forward_auth_ports.contains(&port.port))
                        .map(|port| port.target)
                        .collect(),
                },
            );
        }
        // Claims: who mounts them, and under which volume name their owner mounts them.
        let mut users: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        let mut volume_names: BTreeMap<(String, String, String), String> = BTreeMap::new();
        for o in objects {
            let Some(path) = o["kind"].as_str().and_then(pod_template_path) else {
                continue;
            };
            let ns = str_at(o, &["metadata", "namespace"])
                .unwrap_or("")
                .to_string();
            let Some(svc) = m.owner(o).map(|p| p.service.clone()) else {
                continue;
            };
            let vols = at(o, path)
                .and_then(|t| at(t, &["spec", "volumes"]))
                .and_then(Value::as_array);
            for v in vols.into_iter().flatten() {
                if let Some(claim) = str_at(v, &["persistentVolumeClaim", "claimName"]) {
                    users
                        .entry((ns.clone(), claim.to_string()))
                        .or_default()
                        .insert(svc.clone());
                    let name = v["name"].as_str().unwrap_or(claim).to_string();
                    volume_names.insert((ns.clone(), claim.to_string(), svc.clone()), name);
                }
            }
        }
        for o in objects {
            let (ns, name) = ident(o);
            match o["kind"].as_str() {
                Some("PersistentVolumeClaim") => {
                    let Some(svc) = m.owner(o).map(|p| p.service.clone()) else {
                        continue;
                    };
                    let key = volume_names
                        .get(&(ns.clone(), name.clone(), svc.clone()))
                        .cloned()
                        .unwrap_or_else(|| name.clone());
                    let mut u = users
                        .get(&(ns.clone(), name.clone()))
                        .cloned()
                        .unwrap_or_default();
                    u.insert(svc.clone());
                    let static_volume = at(o, &["spec", "volumeName"]).is_some();
                    m.claims.insert(
                        (ns, name),
                        Claim {
                            service: svc,
                            key,
                            users: u,
                            static_volume,
                        },
                    );
                }
                Some("HorizontalPodAutoscaler") => {
                    if let Some(p) = m.owner(o) {
                        m.autoscaled.insert(p.service.clone());
                    }
                }
                Some("Secret") => {
                    // A Secret no service owns (a pull secret, say) has its values under `global`.
                    let Some(pod) = m.owner(o) else {
                        m.secrets.insert((ns, name), GLOBAL.to_string());
                        continue;
                    };
                    // `<container>-env` of a joined container belongs to that container's service.
                    let svc = name
                        .strip_suffix("-env")
                        .and_then(|c| pod.containers.get(c))
                        .unwrap_or(&pod.service)
                        .clone();
                    m.secrets.insert((ns, name), svc);
                }
                _ => {}
            }
        }
        m
    }

    /// The pod that owns an object (its `app.kubernetes.io/name` label).
    pub fn owner(&self, o: &Value) -> Option<&Pod> {
        str_at(o, &["metadata", "labels", NAME_LABEL]).and_then(|n| self.pods.get(n))
    }

    /// The service of the pod named `name` (a NetworkPolicy peer, a dependency wait).
    pub fn service_of_pod(&self, name: &str) -> Option<&str> {
        self.pods.get(name).map(|p| p.service.as_str())
    }
}

/// (namespace, name) of an object.
pub fn ident(o: &Value) -> (String, String) {
    (
        str_at(o, &["metadata", "namespace"])
            .unwrap_or("")
            .to_string(),
        str_at(o, &["metadata", "name"]).unwrap_or("").to_string(),
    )
}

/// The keys of a Secret (`data` and `stringData`).
pub fn secret_keys(o: &Value) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for field in ["data", "stringData"] {
        for k in o
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|d| d.keys())
        {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}
