//! Output backends: turn rendered Kubernetes objects into a deployable tree.
//!
//! The backends are pure functions from objects to a list of [`OutputFile`]s (path, bytes,
//! whether it holds secret values); [`write_tree`] is the one function that touches disk,
//! and it writes all or nothing.
//!
//! * [`kustomize`]: a Kustomize tree: `base/`, `overlays/prod` (the same objects, plus Argo CD
//!   sync waves when deployed by Argo CD) and `overlays/dev` (one replica, no autoscalers,
//!   halved requests). The base: One file per object kind per service
//!   (`<namespace>/<service>/deployment.yaml`), namespace-wide objects beside them
//!   (`<namespace>/namespace.yaml`, `<namespace>/networkpolicy.yaml`), cluster-scoped objects
//!   under `_cluster/`, and a `kustomization.yaml` listing them. Secrets are not written as
//!   objects: each becomes a `secretGenerator` entry reading one file per key under
//!   `secrets/<namespace>/<name>/`, so `kubectl kustomize` produces exactly the Secret the
//!   renderer made, and secret values stay in git-ignored 0600 files.
//! * [`manifests`]: the same layout without a kustomization; Secret objects go to their own
//!   git-ignored 0600 files.

// Errors are diagnostics on a cold path; boxing them would only add noise.
#![allow(clippy::result_large_err)]

mod base64;
mod codes;
mod disk;
mod external_secrets;
mod gitops;
mod layout;
mod overlays;
mod quantity;
mod readme;
mod staging;
mod tree;

pub use codes::*;
pub use disk::{recover_interrupted, write_tree, WriteOptions, MARKER};
pub use external_secrets::{external_secrets, StoreEntry};
pub use gitops::{flux_stage_files, gitops, gitops_file, GitOps, GitOpsTool};
pub use overlays::SYNC_WAVE;
pub use readme::{readme, required_addons, TreeFacts, TreeKind, BACKUP_LABEL, RESTORE_LABEL};
pub use staging::STAGING_DIR;
pub use tree::{kustomize, manifests, OutputFile, BASE_DIR};
