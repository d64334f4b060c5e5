//! The API side of the guard, in its own task so detection never waits on the network:
//! it makes the node match the wanted state (one merge patch: taint and annotations), then,
//! while gaming, evicts the preemptible pods on the node. Level-based: after an API error it
//! backs off and tries again with the latest wanted state, so actions missed while the API
//! server was down are replayed when it returns. What the node shows (manual mode
//! annotation, restart reconciliation) comes to the detection loop from `node_watch`.

use crate::evict::{self, RetryPolicy};
use crate::metrics::{EvictionOutcome, Metrics};
use crate::node::{patch_for, Observed, Wanted, FIELD_MANAGER, PREEMPTIBLE_LABEL};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The wanted state as the detection loop publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// 0 until detection has seen the node once (nothing is written before: a restart must
    /// not untaint a node that is legitimately tainted); bumped on every change.
    pub generation: u64,
    pub wanted: Wanted,
    /// Counts gaming sessions: pods are evicted once per session.
    pub session: u64,
    /// When the current state was detected (latency metric).
    pub detected_at: Instant,
}

impl Desired {
    pub fn initial() -> Desired {
        Desired {
            generation: 0,
            wanted: Wanted {
                gaming: false,
                since: String::new(),
                mode: None,
            },
            session: 0,
            detected_at: Instant::now(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReconcilerConfig {
    pub node: String,
    pub dry_run: bool,
    /// How often the wanted state is applied again when nothing changes (pods that came
    /// while gaming, a taint someone removed).
    pub resync: Duration,
    pub retry: RetryPolicy,
    /// Backoff bounds after API errors.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

#[derive(Debug, Default)]
struct PodBook {
    session: u64,
    /// Pods (by uid) handled in this session: evicted, in flight, or given up.
    handled: HashSet<String>,
}

pub struct Reconciler {
    config: ReconcilerConfig,
    nodes: Api<Node>,
    client: kube::Client,
    metrics: Arc<Metrics>,
    desired: watch::Receiver<Desired>,
    pods: Arc<Mutex<PodBook>>,
    /// The latency of this generation was recorded already.
    tainted_generation: u64,
    /// `--dry-run`: the last patch logged (not logged again while unchanged).
    dry_run_patch: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
#[error("{op}: {source}")]
struct SyncError {
    op: &'static str,
    source: kube::Error,
}

impl Reconciler {
    pub fn new(
        config: ReconcilerConfig,
        client: kube::Client,
        metrics: Arc<Metrics>,
        desired: watch::Receiver<Desired>,
    ) -> Reconciler {
        Reconciler {
            nodes: Api::all(client.clone()),
            client,
            config,
            metrics,
            desired,
            pods: Arc::default(),
            tainted_generation: 0,
            dry_run_patch: None,
        }
    }

    /// Run until the detection loop goes away.
    pub async fn run(mut self) {
        let mut backoff = self.config.min_backoff;
        loop {
            let desired = self.desired.borrow_and_update().clone();
            let wait = match self.sync(&desired).await {
                Ok(()) => {
                    backoff = self.config.min_backoff;
                    self.config.resync
                }
                Err(e) => {
                    self.metrics.api_error(e.op);
                    let conflict = matches!(&e.source, kube::Error::Api(s) if s.code == 409);
                    let wait = if conflict { Duration::ZERO } else { backoff };
                    tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "API request failed; state kept, retrying");
                    backoff = (backoff * 2).min(self.config.max_backoff);
                    wait
                }
            };
            tokio::select! {
                changed = self.desired.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn sync(&mut self, desired: &Desired) -> Result<(), SyncError> {
        if desired.generation == 0 {
            return Ok(());
        }
        let node = self
            .nodes
            .get(&self.config.node)
            .await
            .map_err(|source| SyncError {
                op: "get_node",
                source,
            })?;
        let observed = Observed::of(&node);
        if let Some(patch) = patch_for(&node, &desired.wanted) {
            self.patch_node(patch).await?;
            if desired.wanted.gaming
                && !observed.tainted
                && self.tainted_generation != desired.generation
            {
                self.tainted_generation = desired.generation;
                let latency = desired.detected_at.elapsed();
                self.metrics.taint_latency(latency);
                tracing::info!(node = %self.config.node, latency_ms = latency.as_millis() as u64, dry_run = self.config.dry_run, "tainted homeport.dev/gaming=true:NoSchedule");
            } else if !desired.wanted.gaming && observed.tainted {
                tracing::info!(node = %self.config.node, dry_run = self.config.dry_run, "gaming taint removed: work may come back");
            }
        }
        if desired.wanted.gaming {
            self.evict_preemptible(desired.session).await?;
        }
        Ok(())
    }

    async fn patch_node(&mut self, patch: serde_json::Value) -> Result<(), SyncError> {
        let path = format!(
            "/api/v1/nodes/{}?fieldManager={FIELD_MANAGER}",
            self.config.node
        );
        if self.config.dry_run {
            // The resourceVersion changes with every read; compare the rest.
            let mut key = patch.clone();
            if let Some(md) = key.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                md.remove("resourceVersion");
            }
            if self.dry_run_patch.as_ref() != Some(&key) {
                tracing::info!(dry_run = true, method = "PATCH", path = %path, content_type = "application/merge-patch+json", body = %patch, "request not sent");
                self.dry_run_patch = Some(key);
            }
            return Ok(());
        }
        tracing::debug!(method = "PATCH", path = %path, body = %patch, "request");
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PatchParams::default()
        };
        self.nodes
            .patch(&self.config.node, &params, &Patch::Merge(&patch))
            .await
            .map_err(|source| SyncError {
                op: "patch_node",
                source,
            })?;
        Ok(())
    }

    /// Start an eviction for every preemptible pod on this node not handled in this session.
    async fn evict_preemptible(&mut self, session: u64) -> Result<(), SyncError> {
        let pods: Api<Pod> = Api::all(self.client.clone());
        let params = ListParams::default()
            .fields(&format!("spec.nodeName={}", self.config.node))
            .labels(&format!("{PREEMPTIBLE_LABEL}=true"));
        let list = pods.list(&params).await.map_err(|source| SyncError {
            op: "list_pods",
            source,
        })?;
        for pod in list.items {
            let md = &pod.metadata;
            let (Some(ns), Some(name), Some(uid)) = (&md.namespace, &md.name, &md.uid) else {
                continue;
            };
            // The server filtered already; checked again so no other pod is ever touched.
            let on_node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref())
                == Some(self.config.node.as_str());
            let preemptible = md
                .labels
                .as_ref()
                .and_then(|l| l.get(PREEMPTIBLE_LABEL))
                .map(String::as_str)
                == Some("true");
            if !on_node || !preemptible || md.deletion_timestamp.is_some() {
                continue;
            }
            {
                let Ok(mut book) = self.pods.lock() else {
                    return Ok(());
                };
                if book.session != session {
                    book.session = session;
                    book.handled.clear();
                }
                if !book.handled.insert(uid.clone()) {
                    continue;
                }
            }
            if self.config.dry_run {
                tracing::info!(dry_run = true, method = "POST", path = %format!("/api/v1/namespaces/{ns}/pods/{name}/eviction?fieldManager={FIELD_MANAGER}"), body = %serde_json::to_string(&evict::eviction_body(ns, name)).unwrap_or_default(), "request not sent");
                self.metrics.eviction(EvictionOutcome::DryRun);
                continue;
            }
            let api: Api<Pod> = Api::namespaced(self.client.clone(), ns);
            let (ns, name) = (ns.clone(), name.clone());
            let metrics = self.metrics.clone();
            let desired = self.desired.clone();
            let retry = self.config.retry;
            let book = self.pods.clone();
            let uid = uid.clone();
            tokio::spawn(async move {
                let still_wanted = || {
                    let d = desired.borrow();
                    d.wanted.gaming && d.session == session
                };
                let errors = metrics.clone();
                let outcome = evict::evict(&api, &ns, &name, retry, still_wanted, || {
                    errors.api_error("evict")
                })
                .await;
                metrics.eviction(outcome);
                if outcome == EvictionOutcome::Failed {
                    // Not refused, failed (API trouble): the next sync tries again.
                    if let Ok(mut book) = book.lock() {
                        book.handled.remove(&uid);
                    }
                }
            });
        }
        Ok(())
    }
}
