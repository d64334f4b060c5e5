//! How a run is configured (the binary resolves flags into this).

use crate::cluster::Cluster;
use homeport_pss::Level;

/// The Kubernetes version checked against when neither `--kubernetes-version` nor the
/// cluster inventory names one (the contract's default `kubernetesVersion`).
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.33";

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--level`: when set, every pod is checked at this level; otherwise at its namespace's
    /// `pod-security.kubernetes.io/enforce` label (from a Namespace object in the input),
    /// otherwise at `restricted`.
    pub level: Option<Level>,
    /// `--kubernetes-version`; default: the cluster's `kubernetesVersion`, else
    /// [`DEFAULT_KUBERNETES_VERSION`].
    pub kubernetes_version: Option<String>,
    /// `--select`: codes, code prefixes, names, categories, `best-practice` or `all`.
    /// Empty: the rules enabled by default.
    pub select: Vec<String>,
    /// `--ignore`: same forms as `select`, applied after it.
    pub ignore: Vec<String>,
    /// `--cluster`: enables the placement rules that need nodes.
    pub cluster: Option<Cluster>,
    /// Check objects on this many threads (0: as many as the machine has).
    pub threads: usize,
}

impl Options {
    /// The target version text: explicit, else the cluster's, else the default.
    pub fn target_version(&self) -> &str {
        self.kubernetes_version
            .as_deref()
            .or_else(|| {
                self.cluster
                    .as_ref()
                    .and_then(|c| c.kubernetes_version.as_deref())
            })
            .unwrap_or(DEFAULT_KUBERNETES_VERSION)
    }
}
