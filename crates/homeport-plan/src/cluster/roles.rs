//! Node roles: which nodes run the k3s server (control plane), which are storage-only.
//!
//! `roles: [control-plane]` makes a node a server. Without any, exactly one node is chosen:
//! the always-on, not storage-only node with the most memory (the first listed on a tie).
//! `roles: [storage]` marks a storage-only node (a NAS): it is tainted
//! `homeport.dev/storage=true:NoSchedule` so only work that tolerates it lands there.

use super::{Availability, Cluster, NodeDef};

/// The role that makes a node a k3s server.
pub const CONTROL_PLANE_ROLE: &str = "control-plane";
/// The role of a storage-only node.
pub const STORAGE_ROLE: &str = "storage";
/// k3s' documented minimum memory for a server (2 GB).
pub const SERVER_MIN_MEMORY_BYTES: u64 = 2_000_000_000;

impl NodeDef {
    /// Declared a control-plane node (`control-plane`, or the older `master`).
    pub fn is_declared_control_plane(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r == CONTROL_PLANE_ROLE || r == "master")
    }

    /// `roles: [storage]`: a storage node, tainted so ordinary work stays off it.
    pub fn is_storage_only(&self) -> bool {
        self.roles.iter().any(|r| r == STORAGE_ROLE)
    }

    /// Could run the control plane: always on and not storage-only.
    pub fn can_serve(&self) -> bool {
        self.availability == Availability::AlwaysOn && !self.is_storage_only()
    }
}

impl Cluster {
    /// The nodes that run the k3s server: those declared `control-plane`, else one chosen
    /// node (see the module documentation). Never empty for a cluster with nodes.
    pub fn servers(&self) -> Vec<&NodeDef> {
        let declared: Vec<&NodeDef> = self
            .nodes
            .iter()
            .filter(|n| n.is_declared_control_plane())
            .collect();
        if !declared.is_empty() {
            return declared;
        }
        let mut best: Option<&NodeDef> = None;
        for node in self.nodes.iter().filter(|n| n.can_serve()) {
            if best.is_none_or(|b| node.memory_bytes.unwrap_or(0) > b.memory_bytes.unwrap_or(0)) {
                best = Some(node);
            }
        }
        best.or(self.nodes.first()).into_iter().collect()
    }

    /// Whether `node` runs the k3s server.
    pub fn is_server(&self, node: &NodeDef) -> bool {
        self.servers().iter().any(|s| s.name == node.name)
    }
}
