//! What the kubelet keeps back on a node, and so what pods can use: the one formula behind
//! both the node's k3s configuration (`homeport bootstrap`: `system-reserved`,
//! `kube-reserved`, `eviction-hard`) and the planner's node budgets.
//!
//! The inventory's `cpu` and `memory` are the machine's; allocatable is what remains after
//!
//! * `system-reserved` (the OS, sshd, journald): 5% of memory, at least 128Mi, at most 1Gi;
//!   2.5% of the CPUs, at least 100m, at most 500m;
//! * `kube-reserved` (kubelet, containerd; on a server also the API server, scheduler,
//!   controllers and datastore, which k3s runs in the same process): 5% of memory, at least
//!   128Mi, at most 512Mi, plus 512Mi on a server; 2.5% of the CPUs, at least 100m, at most
//!   500m, plus 200m on a server;
//! * the hard eviction threshold `memory.available`: 5% of memory, at least 100Mi, at most
//!   512Mi (the kubelet evicts pods before the kernel's OOM killer picks the node's own
//!   processes).
//!
//! A 64Gi agent keeps 62Gi for pods; a 2Gi board keeps 1692Mi as an agent and 1180Mi as
//! the server. Memory shares are rounded down to 64Mi so the figures stay readable.

use super::{Cluster, NodeDef};

const MI: u64 = 1 << 20;

/// The kubelet's reservations for one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub system_cpu_millis: u64,
    pub system_memory_bytes: u64,
    pub kube_cpu_millis: u64,
    pub kube_memory_bytes: u64,
    /// `eviction-hard` `memory.available`.
    pub eviction_memory_bytes: u64,
}

/// What pods can request on a node; `None` where the inventory does not declare the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocatable {
    pub cpu_millis: Option<u64>,
    pub memory_bytes: Option<u64>,
}

/// `per_mille` of `total`, rounded down to a multiple of `unit` (64Mi for memory, so the
/// figures stay readable; 1 millicore for CPU), then clamped to `[min, max]`.
fn share(total: u64, per_mille: u64, min: u64, max: u64, unit: u64) -> u64 {
    let raw = (u128::from(total) * u128::from(per_mille) / 1000) as u64;
    (raw / unit * unit).clamp(min, max)
}

/// The reservations for a node with `cpu_millis` and `memory_bytes` (the minimums where a
/// figure is not declared); `server` adds the control plane's share.
pub fn reservation(
    cpu_millis: Option<u64>,
    memory_bytes: Option<u64>,
    server: bool,
) -> Reservation {
    let cpu = cpu_millis.unwrap_or(0);
    let mem = memory_bytes.unwrap_or(0);
    let server_cpu = if server { 200 } else { 0 };
    let server_mem = if server { 512 * MI } else { 0 };
    Reservation {
        system_cpu_millis: share(cpu, 25, 100, 500, 1),
        system_memory_bytes: share(mem, 50, 128 * MI, 1024 * MI, 64 * MI),
        kube_cpu_millis: share(cpu, 25, 100, 500, 1) + server_cpu,
        kube_memory_bytes: share(mem, 50, 128 * MI, 512 * MI, 64 * MI) + server_mem,
        eviction_memory_bytes: share(mem, 50, 100 * MI, 512 * MI, 64 * MI),
    }
}

impl Reservation {
    /// What remains for pods of the declared totals.
    pub fn allocatable(&self, cpu_millis: Option<u64>, memory_bytes: Option<u64>) -> Allocatable {
        Allocatable {
            cpu_millis: cpu_millis
                .map(|c| c.saturating_sub(self.system_cpu_millis + self.kube_cpu_millis)),
            memory_bytes: memory_bytes.map(|m| {
                m.saturating_sub(
                    self.system_memory_bytes + self.kube_memory_bytes + self.eviction_memory_bytes,
                )
            }),
        }
    }
}

impl Cluster {
    /// The kubelet reservations of `node` in this cluster (server or agent).
    pub fn reservation(&self, node: &NodeDef) -> Reservation {
        reservation(node.cpu_millis, node.memory_bytes, self.is_server(node))
    }

    /// What pods can request on `node`: the inventory's totals less [`Cluster::reservation`].
    /// The built-in default cluster declares nothing, so nothing is allocatable-limited.
    pub fn allocatable(&self, node: &NodeDef) -> Allocatable {
        self.reservation(node)
            .allocatable(node.cpu_millis, node.memory_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GI: u64 = 1 << 30;

    #[test]
    fn a_big_agent_keeps_all_but_two_gibibytes() {
        let r = reservation(Some(16_000), Some(64 * GI), false);
        assert_eq!(r.system_memory_bytes, GI);
        assert_eq!(r.kube_memory_bytes, 512 * MI);
        assert_eq!(r.eviction_memory_bytes, 512 * MI);
        let a = r.allocatable(Some(16_000), Some(64 * GI));
        assert_eq!(a.memory_bytes, Some(62 * GI));
        assert_eq!(a.cpu_millis, Some(15_200));
    }

    #[test]
    fn a_two_gibibyte_board_keeps_room_for_itself() {
        let agent = reservation(Some(4_000), Some(2 * GI), false);
        let server = reservation(Some(4_000), Some(2 * GI), true);
        assert_eq!(agent.system_memory_bytes, 128 * MI);
        assert_eq!(agent.eviction_memory_bytes, 100 * MI);
        let a = agent.allocatable(Some(4_000), Some(2 * GI)).memory_bytes;
        let s = server.allocatable(Some(4_000), Some(2 * GI)).memory_bytes;
        assert_eq!(a, Some(2 * GI - (128 + 128 + 100) * MI));
        assert_eq!(s, Some(2 * GI - (128 + 640 + 100) * MI));
        assert!(
            s.unwrap_or(0) > GI,
            "the server still leaves a gibibyte for pods"
        );
    }

    #[test]
    fn undeclared_totals_stay_undeclared() {
        let r = reservation(None, None, true);
        assert_eq!(r.system_memory_bytes, 128 * MI);
        assert_eq!(r.kube_cpu_millis, 300);
        assert_eq!(
            r.allocatable(None, None),
            Allocatable {
                cpu_millis: None,
                memory_bytes: None
            }
        );
    }
}
