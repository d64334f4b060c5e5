//! The Pod Security Standards, evaluated the way the upstream `k8s.io/pod-security-admission`
//! `policy` package evaluates them, for every policy version from 1.0 to the newest one
//! modelled here ([`Version::LATEST`]).
//!
//! The crate works on `serde_json::Value` objects (no YAML, no files): [`evaluate`] takes any
//! Kubernetes object, finds its pod spec ([`pod_spec_path`]), runs every control of the
//! requested [`Level`] that exists at the requested [`Version`], and returns one
//! [`Violation`] per offending field, each with an upstream-style message and the JSON path
//! of the field (or of its nearest existing parent when the field is missing).
//!
//! Version semantics follow upstream's check registry: a control applies from its
//! `since` version on, a control may change behaviour at later versions, versions newer than
//! the newest known policy version behave like it (`latest`), and at the restricted level a
//! restricted control replaces the baseline control it overrides.

mod carrier;
mod context;
mod control;
mod controls;
mod level;
mod namespace;
mod path;
mod registry;
mod version;
mod violation;

pub use carrier::pod_spec_path;
pub use control::Control;
pub use controls::capabilities_baseline::BASELINE_CAPABILITIES;
pub use controls::sysctls::is_safe_sysctl;
pub use level::{Level, ParseLevelError};
pub use namespace::{
    namespace_level, namespace_mode_level, Mode, ENFORCE_LABEL, ENFORCE_VERSION_LABEL,
};
pub use path::{JsonPath, PathSegment};
pub use registry::{control_by_code, controls, evaluate};
pub use version::{ParseVersionError, Version};
pub use violation::Violation;
