//! Pull secrets: `kubernetes.io/dockerconfigjson` Secrets for the plan's private registries,
//! with the credentials handed to the renderer apart from the plan (which names the registry
//! only). Like every Secret they are written to git-ignored 0600 files, or become
//! ExternalSecrets / required chart values.

use crate::{base64, meta};
use homeport_plan::{Plan, PullSecretPlan};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Registry -> `.dockerconfigjson` (from the user's Docker config). `Debug` shows the
/// registries only.
#[derive(Clone, Default)]
pub struct PullCredentials {
    by_registry: BTreeMap<String, Vec<u8>>,
}

impl PullCredentials {
    pub fn new(by_registry: BTreeMap<String, Vec<u8>>) -> Self {
        PullCredentials { by_registry }
    }

    fn get(&self, registry: &str) -> Option<&[u8]> {
        self.by_registry.get(registry).map(Vec::as_slice)
    }
}

impl std::fmt::Debug for PullCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_registry.keys()).finish()
    }
}

/// The Secret of `p`. Without a credential (a credential helper holds it, or none was
/// handed in) its `.dockerconfigjson` names the registry with no login, for the user to
/// replace: the kubelet then pulls anonymously rather than failing on a malformed Secret.
pub fn secret(plan: &Plan, p: &PullSecretPlan, credentials: &PullCredentials) -> Value {
    let data = match credentials.get(&p.registry) {
        Some(json) => json.to_vec(),
        None => json!({"auths": {p.registry.clone(): {}}})
            .to_string()
            .into_bytes(),
    };
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": p.name,
            "namespace": p.namespace,
            "labels": meta::namespace_labels(plan),
            "annotations": {"homeport.dev/registry": p.registry},
        },
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64::encode(&data)},
    })
}

/// `imagePullSecrets` of a pod spec, if it has any.
pub fn references(names: &[String]) -> Option<Value> {
    (!names.is_empty()).then(|| Value::Array(names.iter().map(|n| json!({"name": n})).collect()))
}
