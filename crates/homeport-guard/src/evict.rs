//! Evicting one preemptible pod through the Eviction API (policy/v1): the API server checks
//! the pod's PodDisruptionBudgets and answers 429 when an eviction would break one; the guard
//! retries with exponential backoff a bounded number of times, then reports. The pod's own
//! termination grace period applies (no delete options are sent).

use crate::metrics::EvictionOutcome;
use crate::node::FIELD_MANAGER;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::Eviction;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, PostParams};
use std::time::Duration;

/// Bounded retries for evictions refused by a PodDisruptionBudget (or failing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(16),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `n + 1` (n counts from 0).
    pub fn delay(&self, n: u32) -> Duration {
        self.first_delay
            .saturating_mul(1u32 << n.min(16))
            .min(self.max_delay)
    }
}

/// The Eviction object the guard posts for `namespace/name`.
pub fn eviction_body(namespace: &str, name: &str) -> Eviction {
    Eviction {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(namespace.to_string()),
            ..ObjectMeta::default()
        },
        delete_options: None,
    }
}

/// Evict `namespace/name`; `still_wanted` is asked before every retry (gaming may end
/// while a PodDisruptionBudget holds the pod).
pub async fn evict(
    pods: &Api<Pod>,
    namespace: &str,
    name: &str,
    policy: RetryPolicy,
    still_wanted: impl Fn() -> bool,
    on_api_error: impl Fn(),
) -> EvictionOutcome {
    let body = eviction_body(namespace, name);
    let params = PostParams {
        dry_run: false,
        field_manager: Some(FIELD_MANAGER.to_string()),
    };
    let mut last = EvictionOutcome::Failed;
    for attempt in 0..policy.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(policy.delay(attempt - 1)).await;
            if !still_wanted() {
                tracing::info!(pod = %format!("{namespace}/{name}"), "gaming ended: eviction retries stopped");
                return last;
            }
        }
        match pods
            .create_subresource::<Eviction, serde_json::Value>("eviction", name, &params, &body)
            .await
        {
            Ok(_) => {
                tracing::info!(pod = %format!("{namespace}/{name}"), "evicted");
                return EvictionOutcome::Evicted;
            }
            Err(kube::Error::Api(s)) if s.code == 404 => return EvictionOutcome::Gone,
            Err(kube::Error::Api(s)) if s.code == 429 => {
                tracing::info!(pod = %format!("{namespace}/{name}"), attempt = attempt + 1, message = %s.message, "eviction refused (PodDisruptionBudget); retrying");
                last = EvictionOutcome::Refused;
            }
            Err(e) => {
                on_api_error();
                tracing::warn!(pod = %format!("{namespace}/{name}"), attempt = attempt + 1, error = %e, "eviction failed; retrying");
                last = EvictionOutcome::Failed;
            }
        }
    }
    tracing::warn!(
        pod = %format!("{namespace}/{name}"),
        attempts = policy.attempts,
        outcome = last.as_str(),
        "eviction given up: the pod keeps running on this node while someone is gaming"
    );
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        let d: Vec<u64> = (0..6).map(|n| p.delay(n).as_secs()).collect();
        assert_eq!(d, [1, 2, 4, 8, 16, 16]);
    }
}
