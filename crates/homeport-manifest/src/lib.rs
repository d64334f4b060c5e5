//! Kubernetes manifests with positions.
//!
//! [`load_text`] turns one file's text (YAML, multi-document YAML, or JSON) into [`Object`]s:
//! each keeps its file, its document index, its JSON value (what rules read) and the spans
//! of its fields, so that any JSON path can be turned into the
//! [`Span`](homeport_diag::Span) of that field — looked up on demand, only when a finding
//! needs a position. `kind: List` (and `*List` kinds with `items`) is expanded into
//! its items. Nothing else of the node tree is kept: the strings move into the JSON value
//! and only spans remain beside it. [`load_paths`] reads files, directories (recursively, `*.yaml`, `*.yml`,
//! `*.json`) and `-` (stdin).
//!
//! The output of `helm template` and `kubectl kustomize` is plain multi-document YAML (the
//! `# Source:` lines are comments), so it needs nothing special.

mod load;
mod object;
pub mod parts;
mod path;
mod spans;
mod walk;

pub use load::{load_each, load_each_at, load_text, Each, Loaded, Part};
pub use object::{Identity, Object, Positions};
pub use path::{FieldPath, PathSegment};
pub use walk::{
    load_paths, read_inputs, read_inputs_holding, Input, LoadOptions, Manifests, Streamed,
    MAX_MANIFEST_BYTES,
};

/// A document that is not a Kubernetes object (no `apiVersion`/`kind`, or not a mapping).
pub const NOT_AN_OBJECT: &str = "HP0050";
/// A path that cannot be read.
pub const UNREADABLE_PATH: &str = "HP0051";
/// A directory in which no manifest file was found.
pub const NO_MANIFESTS: &str = "HP0052";
/// A Helm chart directory (templates cannot be linted before rendering).
pub const HELM_CHART_SKIPPED: &str = "HP0053";
