//! Diagnostic codes of `homeport bootstrap` (HP09xx).

/// No cluster inventory, or one for a distribution bootstrap does not configure.
pub const NO_INVENTORY: &str = "HP0901";
/// The server runs on a small node: it fits, with little room for pods.
pub const SMALL_SERVER: &str = "HP0902";
/// A node label the kubelet may not set on itself (left to `kubectl label`).
pub const RESTRICTED_LABEL: &str = "HP0903";
/// GPUs of one vendor on one node with different `shared` values.
pub const MIXED_SHARING: &str = "HP0904";
/// A plan needs an add-on the inventory does not provide.
pub const ADDON_MISSING: &str = "HP0905";
