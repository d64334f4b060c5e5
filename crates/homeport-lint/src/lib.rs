//! Lint Kubernetes manifests: the Pod Security Standards, best practices (the union of what
//! kube-score and kube-linter check by default, plus rules for heterogeneous home clusters)
//! and the Kubernetes OpenAPI schema of the target version.
//!
//! * [`registry`]: the single table of rules; every rule has a stable code, a name, a
//!   category, a default severity and documentation (`homeport rule CODE`).
//! * [`rules`]: one file per rule, holding its documentation and its check.
//! * [`check`]: runs the selected rules over loaded objects
//!   ([`homeport_manifest::Object`]) and returns a [`Report`]; rules that follow references
//!   between objects use an [`Index`](index::Index) built once per run over what
//!   [`narrow`] keeps of each object, and positions are looked up only for the findings that
//!   are reported, as soon as their object is checked ([`check_releasing_positions`] then
//!   frees that object's positions).
//! * [`stream`] and [`Checker`]: the same run without holding the objects: an index pass,
//!   then a check pass over batches of whole documents parsed again, each batch's findings
//!   sorted as in the whole report; `homeport lint` writes them with a
//!   [`ReportWriter`](report::ReportWriter) before parsing the next batch.
//! * [`report`]: text (grouped by file, with source excerpts), JSON and SARIF 2.1.0.
//! * [`kustomize`]: Kustomize patch files are recognised and left out (lint the build).
//! * [`suppression`]: the `homeport.dev/ignore` / `homeport.dev/ignore-reason` annotations.

pub mod baseline;
pub mod checker;
pub mod cluster;
pub mod config;
pub mod context;
pub mod docs;
pub mod engines;
pub mod finding;
pub mod index;
pub mod kustomize;
pub mod narrow;
pub mod options;
pub mod registry;
pub mod report;
pub mod rule;
pub mod rules;
pub mod selection;
pub mod selector;
pub mod stream;
pub mod suppression;
pub mod workload;

pub use checker::{
    check, check_releasing_positions, check_with, Checked, Checker, Pass, Report, UsageError,
};
pub use cluster::Cluster;
pub use finding::{Finding, ObjectRef};
pub use options::{Options, DEFAULT_KUBERNETES_VERSION};
pub use registry::{all_rules, rule_by_code};
pub use rule::{Category, Check, Rule};
pub use selection::Selection;
