//! One file per rule, by category: each holds the rule's metadata, its documentation
//! (`## What it does`, `## Why is this bad?`, `## Example`, `## Fix`) and its check.
//! The table of all rules is [`crate::registry`].

pub mod api_version;
pub mod meta;
pub mod networking;
pub mod placement;
pub mod rbac;
pub mod reliability;
pub mod schema;
pub mod security;

mod helpers;

/// What every rule file uses.
pub(crate) mod prelude {
    pub use super::helpers::*;
    pub use crate::context::{Context, Emitter};
    pub use crate::rule::{Category, Check, Rule};
    pub use crate::workload::{
        container_security, is_long_running, is_scalable, pod_template, replicas, Container,
        PodTemplate,
    };
    pub use homeport_diag::Severity;
    pub use homeport_manifest::{FieldPath, Object};
    pub use serde_json::Value;
    pub use std::borrow::Cow;
}
