//! The node as the API server shows it, followed with a watch (`?watch=true`), not polled:
//! a `kubectl annotate node … homeport.dev/gaming-mode=on` reaches the guard as soon as the
//! API server stores it. The node is read once, then watched from that resourceVersion; a
//! watch that ends (its `timeoutSeconds`, shorter than the client's read timeout so a dead
//! connection is noticed) is resumed from the last version seen, an expired version (410)
//! starts over with a read, and API errors back off. This task is the only source of what the
//! detection loop learns about the node, so what it sees arrives in the server's order.

use crate::metrics::Metrics;
use crate::node::Observed;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, WatchEvent, WatchParams};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long the API server keeps one watch open (below the client's 15 s read timeout).
pub const WATCH_TIMEOUT_S: u32 = 10;

#[derive(Debug, Clone)]
pub struct NodeWatchConfig {
    pub node: String,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("{op}: {source}")]
struct WatchError {
    op: &'static str,
    source: kube::Error,
}

/// Follow the node until the receiver of `observed` goes away.
pub async fn run(
    config: NodeWatchConfig,
    client: kube::Client,
    metrics: Arc<Metrics>,
    observed: watch::Sender<Option<Observed>>,
) {
    let nodes: Api<Node> = Api::all(client);
    let mut backoff = config.min_backoff;
    while !observed.is_closed() {
        match follow(&nodes, &config.node, &observed, &mut backoff, &config).await {
            Ok(()) => {}
            Err(e) => {
                metrics.api_error(e.op);
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "cannot watch the node; state kept, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(config.max_backoff);
            }
        }
    }
}

/// Read the node, then watch it until its version expires (Ok) or a request fails (Err).
async fn follow(
    nodes: &Api<Node>,
    name: &str,
    observed: &watch::Sender<Option<Observed>>,
    backoff: &mut Duration,
    config: &NodeWatchConfig,
) -> Result<(), WatchError> {
    let node = nodes.get(name).await.map_err(|source| WatchError {
        op: "get_node",
        source,
    })?;
    let mut version = node.metadata.resource_version.clone().unwrap_or_default();
    observed.send_replace(Some(Observed::of(&node)));
    *backoff = config.min_backoff;
    let params = WatchParams::default()
        .fields(&format!("metadata.name={name}"))
        .timeout(WATCH_TIMEOUT_S);
    loop {
        let started = Instant::now();
        let stream = nodes
            .watch(&params, &version)
            .await
            .map_err(|source| WatchError {
                op: "watch_node",
                source,
            })?;
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            let event = event.map_err(|source| WatchError {
                op: "watch_node",
                source,
            })?;
            match event {
                WatchEvent::Added(node) | WatchEvent::Modified(node) => {
                    if let Some(v) = &node.metadata.resource_version {
                        version.clone_from(v);
                    }
                    observed.send_replace(Some(Observed::of(&node)));
                }
                WatchEvent::Bookmark(b) => version = b.metadata.resource_version,
                WatchEvent::Deleted(_) => {
                    tracing::warn!(node = %name, "the node was deleted; the guard keeps its state and waits for it");
                }
                WatchEvent::Error(status) if status.code == 410 => {
                    tracing::debug!("node watch version expired; reading the node again");
                    return Ok(());
                }
                WatchEvent::Error(status) => {
                    return Err(WatchError {
                        op: "watch_node",
                        source: kube::Error::Api(status),
                    })
                }
            }
        }
        if observed.is_closed() {
            return Ok(());
        }
        // A server that ends watches at once must not make this a busy loop.
        if started.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(config.min_backoff).await;
        }
    }
}
