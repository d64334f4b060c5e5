//! VPN pods (gluetun, WireGuard) whose other containers route through the tunnel: the VPN
//! runs as a native sidecar so the others start after it, and its outbound firewall lets the
//! pod reach the cluster (pod and service ranges) besides the tunnel.

use crate::cluster::Distribution;
use crate::images::Role;
use crate::plan::PodPlan;
use crate::planner::{profile_of, Ctx};
use homeport_compose::Service;

/// Native sidecars (`restartPolicy: Always` on an init container) are on by default since
/// Kubernetes 1.29.
const NATIVE_SIDECAR_SINCE: homeport_pss::Version = homeport_pss::Version::new(1, 29);

/// The pod and service ranges of a k3s cluster (its defaults).
const K3S_CLUSTER_CIDRS: &[&str] = &["10.42.0.0/16", "10.43.0.0/16"];

/// gluetun's allow list of subnets reachable outside the tunnel.
const GLUETUN_OUTBOUND: &str = "FIREWALL_OUTBOUND_SUBNETS";

pub fn decide(cx: &mut Ctx, members: &[&Service], pod: &mut PodPlan) {
    let Some(primary) = members.first() else {
        return;
    };
    let profile = profile_of(primary);
    if profile.role != Role::Vpn || members.len() < 2 {
        return;
    }
    let version = homeport_pss::Version::parse(&cx.cluster.kubernetes_version)
        .unwrap_or(homeport_pss::Version::new(1, 33));
    if version >= NATIVE_SIDECAR_SINCE {
        pod.native_sidecar = Some(0);
        pod.decide(
            "sidecar",
            format!("{}: native sidecar", primary.name),
            "the other containers route through the VPN: as an init container with restartPolicy Always it starts before them and stops after them (Kubernetes 1.29+)",
        );
    } else {
        pod.notes.push(format!(
            "{}: Kubernetes {} has no native sidecars; the containers start together and may reach the network before the tunnel is up",
            primary.name, cx.cluster.kubernetes_version
        ));
    }
    if profile.family != "gluetun" {
        return;
    }
    let cidrs: Vec<&str> = match cx.cluster.distribution {
        Distribution::K3s => K3S_CLUSTER_CIDRS.to_vec(),
        Distribution::Kubernetes => {
            pod.notes.push(format!(
                "{}: add the cluster's pod and service ranges to {GLUETUN_OUTBOUND} so the pod can reach cluster services outside the tunnel",
                primary.name
            ));
            return;
        }
    };
    let Some(c) = pod.containers.first_mut() else {
        return;
    };
    let existing = primary
        .environment
        .get(GLUETUN_OUTBOUND)
        .and_then(|v| v.value.clone())
        .unwrap_or_default();
    let mut subnets: Vec<String> = existing
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for cidr in &cidrs {
        if !subnets.iter().any(|s| s == cidr) {
            subnets.push(cidr.to_string());
        }
    }
    let value = subnets.join(",");
    if value == existing {
        return;
    }
    c.secret_env.shift_remove(GLUETUN_OUTBOUND);
    c.config_env
        .insert(GLUETUN_OUTBOUND.to_string(), value.clone());
    c.config_env.sort_keys();
    pod.decide(
        "environment",
        format!("{}: {GLUETUN_OUTBOUND}={value}", primary.name),
        "gluetun's firewall blocks everything outside the tunnel: the cluster's pod and service ranges (k3s) are allowed so the pod reaches cluster DNS and services and answers the ingress",
    );
}
