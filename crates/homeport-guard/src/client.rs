//! Reaching the API server the standard way (contract): the in-cluster service account,
//! else `KUBECONFIG` / `~/.kube/config` (`http://` servers allowed, for `kubectl proxy`);
//! plus the two one-shot requests of `homeport guard on|off|auto|status` when no guard runs.

use crate::mode::{Mode, MODE_ANNOTATION};
use crate::node::{Observed, FIELD_MANAGER};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no Kubernetes API configuration (no in-cluster service account, no KUBECONFIG or ~/.kube/config): {0}")]
    Config(String),
    #[error("Kubernetes client: {0}")]
    Client(#[from] kube::Error),
}

fn with_timeouts(mut config: kube::Config) -> kube::Config {
    // Requests fail fast when the server is unreachable; the guard retries with backoff.
    config.connect_timeout = Some(Duration::from_secs(5));
    config.read_timeout = Some(Duration::from_secs(15));
    config.write_timeout = Some(Duration::from_secs(15));
    // The guard's own bounded, reported retries apply (a 429 from a PodDisruptionBudget is
    // counted and logged), not the client's silent ones.
    config.default_retry = false;
    config
}

/// In-cluster first (the DaemonSet), else the kubeconfig.
pub async fn connect() -> Result<kube::Client, ClientError> {
    let config = match kube::Config::incluster() {
        Ok(c) => c,
        Err(_) => kube::Config::from_kubeconfig(&KubeConfigOptions::default())
            .await
            .map_err(|e| ClientError::Config(e.to_string()))?,
    };
    Ok(kube::Client::try_from(with_timeouts(config))?)
}

/// A client for one kubeconfig file (tests, tools).
pub async fn connect_kubeconfig(path: &Path) -> Result<kube::Client, ClientError> {
    let kc = Kubeconfig::read_from(path).map_err(|e| ClientError::Config(e.to_string()))?;
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| ClientError::Config(e.to_string()))?;
    Ok(kube::Client::try_from(with_timeouts(config))?)
}

/// Set `homeport.dev/gaming-mode` on `node` (no guard runs here to ask).
pub async fn set_mode(client: kube::Client, node: &str, mode: Mode) -> Result<(), ClientError> {
    let nodes: Api<Node> = Api::all(client);
    let patch = json!({"metadata": {"annotations": {MODE_ANNOTATION: mode.as_str()}}});
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    };
    nodes.patch(node, &params, &Patch::Merge(&patch)).await?;
    Ok(())
}

/// What the node's taint and annotations say.
pub async fn node_status(client: kube::Client, node: &str) -> Result<Observed, ClientError> {
    let nodes: Api<Node> = Api::all(client);
    Ok(Observed::of(&nodes.get(node).await?))
}
