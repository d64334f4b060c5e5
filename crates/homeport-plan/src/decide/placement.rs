//! Placement (hard constraints as required node affinity, opportunistic nodes for
//! preemptible work) and per-node budgets after placement.

use crate::cluster::{Availability, Cluster, GpuVendor, NodeDef};
use crate::codes;
use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::{Service, ServiceHints, Tier};
use homeport_diag::Diagnostic;

fn arch_of_platform(platform: &str) -> Option<&'static str> {
    let arch = platform.split('/').nth(1).unwrap_or(platform);
    match arch {
        "amd64" | "x86_64" => Some("amd64"),
        "arm64" | "aarch64" => Some("arm64"),
        "arm" | "armv7" | "armhf" => Some("arm"),
        _ => None,
    }
}

/// One `deploy.placement.constraints` entry as a node expression.
fn constraint(c: &str) -> Option<NodeExpression> {
    let (lhs, op, rhs) = if let Some((l, r)) = c.split_once("==") {
        (l.trim(), "In", r.trim())
    } else if let Some((l, r)) = c.split_once("!=") {
        (l.trim(), "NotIn", r.trim())
    } else {
        return None;
    };
    let value = rhs.trim_matches(|c| c == '"' || c == '\'').to_string();
    let (key, value) = match lhs {
        "node.hostname" => ("kubernetes.io/hostname".to_string(), value),
        "node.platform.arch" => (
            "kubernetes.io/arch".to_string(),
            arch_of_platform(&value)?.to_string(),
        ),
        "node.platform.os" => ("kubernetes.io/os".to_string(), value),
        "node.role" => {
            let exists = (value == "manager") == (op == "In");
            return Some(NodeExpression {
                key: "node-role.kubernetes.io/control-plane".into(),
                operator: if exists { "Exists" } else { "DoesNotExist" },
                values: Vec::new(),
            });
        }
        l if l.starts_with("node.labels.") => (l["node.labels.".len()..].to_string(), value),
        _ => return None,
    };
    Some(NodeExpression {
        key,
        operator: op,
        values: vec![value],
    })
}

fn node_matches(node: &NodeDef, e: &NodeExpression) -> bool {
    let actual: Option<String> = match e.key.as_str() {
        "kubernetes.io/hostname" => Some(node.name.clone()),
        "kubernetes.io/arch" => Some(node.arch.as_str().to_string()),
        "kubernetes.io/os" => Some("linux".to_string()),
        "node-role.kubernetes.io/control-plane" => node
            .roles
            .iter()
            .any(|r| r == "control-plane" || r == "master")
            .then(String::new),
        k => node.labels.get(k).cloned(),
    };
    match e.operator {
        "In" => actual.is_some_and(|a| e.values.contains(&a)),
        "NotIn" => !actual.is_some_and(|a| e.values.contains(&a)),
        "Exists" => actual.is_some(),
        "DoesNotExist" => actual.is_none(),
        _ => true,
    }
}

pub fn constraints(cx: &mut Ctx, members: &[&Service], hints: &ServiceHints, pod: &mut PodPlan) {
    let cluster = cx.cluster;
    let Some(primary) = members.first().copied() else {
        return;
    };
    for svc in members {
        if let Some(arch) = svc.platform.as_deref().and_then(arch_of_platform) {
            pod.placement.arch = Some(arch.to_string());
        }
        for c in svc
            .deploy
            .iter()
            .flat_map(|d| d.placement_constraints.iter())
        {
            match constraint(c) {
                Some(e) => pod.placement.expressions.push(e),
                None => cx.push(
                    Diagnostic::warning(
                        codes::PLACEMENT_NOT_TRANSLATED,
                        format!(
                            "service `{}`: placement constraint `{c}` is not translated",
                            svc.name
                        ),
                    )
                    .with_span_opt(svc.origin.field("deploy")),
                ),
            }
        }
    }
    if let Some(node) = &hints.node {
        if !cluster.is_default && cluster.node(node).is_none() {
            let known: Vec<&str> = cluster.nodes.iter().map(|n| n.name.as_str()).collect();
            cx.push(
                Diagnostic::error(codes::UNKNOWN_NODE, format!("service `{}` is pinned to node `{node}`, which is not in the cluster inventory", primary.name))
                    .with_span_opt(primary.origin.field("x-homeport"))
                    .with_help(format!("known nodes: {}", known.join(", "))),
            );
        } else {
            if cluster.is_default {
                // The pin is kept (the real cluster may have that node), but nothing checked it.
                cx.push(
                    Diagnostic::warning(codes::UNKNOWN_NODE, format!("service `{}` is pinned to node `{node}`, but no cluster inventory is given: the built-in one has no such node", primary.name))
                        .with_span_opt(primary.origin.field("x-homeport"))
                        .with_help("describe your nodes in cluster.yaml (or pass --cluster FILE) so placement, architecture and budgets are checked"),
                );
            }
            pod.placement.required_nodes = vec![node.clone()];
            pod.decide("placement", format!("node {node}"), "x-homeport.node");
        }
    }
    // Mixed architectures: an image the knowledge base does not know (or one built locally)
    // may exist for amd64 only; prefer amd64 nodes unless `platform:` says otherwise.
    let mixed = {
        let mut archs: Vec<&str> = cluster.nodes.iter().map(|n| n.arch.as_str()).collect();
        archs.sort_unstable();
        archs.dedup();
        archs.len() > 1
    };
    let image_archs = require_image_architectures(cx, members, mixed, pod);
    if mixed && pod.placement.arch.is_none() && !image_archs {
        let unknown: Vec<&str> = members
            .iter()
            .filter(|s| crate::planner::profile_of(s).role == crate::images::Role::Unknown)
            .filter(|s| {
                crate::planner::image_facts(cx, s).is_none_or(|f| f.architectures().is_empty())
            })
            .map(|s| s.name.as_str())
            .collect();
        if !unknown.is_empty() && cluster.nodes.iter().any(|n| n.arch.as_str() == "amd64") {
            pod.placement.preferred_arch = Some("amd64".into());
            pod.decide(
                "placement",
                "prefers amd64 nodes",
                format!(
                    "mixed-architecture cluster and the architectures of {} are unknown (most images exist for amd64); set `platform:` to pin one",
                    unknown.join(", ")
                ),
            );
        }
    }
    let gpu = pod.containers.iter().find_map(|c| c.resources.gpu.clone());
    if let Some((resource, _)) = &gpu {
        pod.placement.gpu_vendor = [GpuVendor::Nvidia, GpuVendor::Intel, GpuVendor::Amd]
            .into_iter()
            .find(|v| v.resource_name() == resource);
    }
    let stateful = pod.workload == crate::plan::WorkloadKind::StatefulSet
        || pod
            .volumes
            .iter()
            .any(|v| matches!(v.source, VolumeSource::Claim { .. }));
    let critical = hints.tier == Some(Tier::Critical);
    let gpu_batch = gpu.is_some() && pod.ports.is_empty() && !stateful;
    let preemptible = match hints.preemptible {
        Some(p) => p,
        None => hints.tier == Some(Tier::Batch) || gpu_batch,
    };
    if preemptible && (stateful || critical) && hints.preemptible == Some(true) {
        pod.notes.push(format!("{}: marked preemptible although it keeps state; it may be evicted when the gaming guard runs", pod.service));
    }
    pod.placement.preemptible = preemptible;
    if preemptible {
        let why = if hints.preemptible == Some(true) {
            "x-homeport.preemptible"
        } else if hints.tier == Some(Tier::Batch) {
            "x-homeport.tier: batch"
        } else {
            "a GPU batch worker (no ports, no state)"
        };
        let opportunistic: Vec<String> = cluster
            .nodes
            .iter()
            .filter(|n| n.availability == Availability::Opportunistic)
            .filter(|n| pod.placement.gpu_vendor.is_none_or(|v| n.gpu_slots(v) > 0))
            .map(|n| n.name.clone())
            .collect();
        pod.placement.preferred_nodes = opportunistic.clone();
        pod.decide(
            "placement",
            "preemptible",
            format!("{why}: tolerates homeport.dev/opportunistic, prefers {}, falls back to always-on nodes; may be evicted while someone is gaming", if opportunistic.is_empty() { "opportunistic nodes".to_string() } else { opportunistic.join(", ") }),
        );
    } else if !cluster.is_default
        && cluster
            .nodes
            .iter()
            .any(|n| n.availability == Availability::Opportunistic)
    {
        pod.decide(
            "placement",
            "always-on nodes",
            if stateful || critical { "stateful or critical: never on opportunistic nodes (they are tainted homeport.dev/opportunistic)" } else { "not preemptible: opportunistic nodes are tainted homeport.dev/opportunistic" },
        );
    }
}

/// The architectures the pod's images exist for (registry facts): in a mixed cluster, a
/// required node affinity on them when they are not all of the cluster's; an error when no
/// node of the cluster has one. True when the images' architectures decided placement.
fn require_image_architectures(
    cx: &mut Ctx,
    members: &[&Service],
    mixed: bool,
    pod: &mut PodPlan,
) -> bool {
    let cluster = cx.cluster;
    let mut allowed: Option<Vec<String>> = None;
    let mut why: Vec<String> = Vec::new();
    for svc in members {
        let Some(facts) = crate::planner::image_facts(cx, svc) else {
            continue;
        };
        let archs = facts.architectures();
        if archs.is_empty() {
            continue;
        }
        why.push(format!(
            "{} exists for {} ({})",
            svc.image.as_deref().unwrap_or(&svc.name),
            archs.join(", "),
            facts.source
        ));
        allowed = Some(match allowed {
            None => archs,
            Some(prev) => prev.into_iter().filter(|a| archs.contains(a)).collect(),
        });
    }
    let Some(allowed) = allowed else {
        return false;
    };
    // Compose `platform:` chose one: the image must exist for it.
    if let Some(arch) = pod.placement.arch.clone() {
        if !allowed.contains(&arch) {
            cx.push(
                Diagnostic::error(
                    codes::IMAGE_NO_PLATFORM_NODE,
                    format!(
                        "service `{}`: `platform:` asks for {arch} but {}",
                        pod.service,
                        why.join("; ")
                    ),
                )
                .with_help("use an image built for that platform, or change `platform:`"),
            );
        }
        return true;
    }
    let mut cluster_archs: Vec<&str> = cluster.nodes.iter().map(|n| n.arch.as_str()).collect();
    cluster_archs.sort_unstable();
    cluster_archs.dedup();
    let usable: Vec<String> = cluster_archs
        .iter()
        .filter(|a| allowed.iter().any(|x| x == *a))
        .map(|a| a.to_string())
        .collect();
    if usable.is_empty() {
        if !cluster.is_default {
            cx.push(
                Diagnostic::error(
                    codes::IMAGE_NO_PLATFORM_NODE,
                    format!(
                        "service `{}`: no node of the cluster can run its image ({}); the cluster's nodes are {}",
                        pod.service,
                        why.join("; "),
                        cluster_archs.join(", ")
                    ),
                )
                .with_help("use an image built for one of the cluster's architectures, or add a node of the image's"),
            );
        }
        return true;
    }
    if mixed && usable.len() < cluster_archs.len() {
        pod.placement.expressions.push(NodeExpression {
            key: "kubernetes.io/arch".into(),
            operator: "In",
            values: usable.clone(),
        });
        pod.decide(
            "placement",
            format!("requires {} nodes", usable.join(" or ")),
            format!(
                "mixed-architecture cluster and {}: a required node affinity on kubernetes.io/arch",
                why.join("; ")
            ),
        );
    }
    true
}

/// What ServiceLB's pods use on a k3s node, one per LoadBalancer Service: (cpu millis,
/// memory bytes). The k3s server and agent themselves are in the kubelet's reservations that
/// [`Cluster::allocatable`] subtracts (the same figures `homeport bootstrap` writes).
fn service_lb_use(cluster: &Cluster, lb_services: u64) -> (u64, u64) {
    const MIB: u64 = 1024 * 1024;
    if cluster.distribution != crate::cluster::Distribution::K3s {
        return (0, 0);
    }
    (lb_services * 10, lb_services * 16 * MIB)
}

fn candidates<'c>(cluster: &'c Cluster, pod: &PodPlan, gpu_units: u64) -> Vec<&'c NodeDef> {
    cluster
        .nodes
        .iter()
        .filter(|n| pod.placement.preemptible || n.availability == Availability::AlwaysOn)
        // Tainted homeport.dev/storage=true:NoSchedule by bootstrap: no ordinary work.
        .filter(|n| !n.is_storage_only())
        .filter(|n| {
            pod.placement
                .arch
                .as_deref()
                .is_none_or(|a| a == n.arch.as_str())
        })
        .filter(|n| {
            pod.placement.required_nodes.is_empty()
                || pod.placement.required_nodes.contains(&n.name)
        })
        .filter(|n| pod.placement.expressions.iter().all(|e| node_matches(n, e)))
        .filter(|n| {
            cluster.is_default
                || gpu_units == 0
                || pod.placement.gpu_vendor.is_none_or(|v| n.gpu_slots(v) > 0)
        })
        .collect()
}

/// Place pods on nodes (for budgets and to pin hard constraints) and compute node budgets.
pub fn place(cx: &mut Ctx, pods: &mut [PodPlan], claims: &[ClaimPlan]) -> Vec<NodeBudget> {
    let cluster = cx.cluster;
    let lb_services = pods.iter().filter(|p| !p.load_balancer.is_empty()).count() as u64;
    let (lb_cpu, lb_mem) = service_lb_use(cluster, lb_services);
    let mut budgets: Vec<NodeBudget> = cluster
        .nodes
        .iter()
        .map(|n| NodeBudget {
            name: n.name.clone(),
            cpu_allocatable_millis: cluster
                .allocatable(n)
                .cpu_millis
                .map(|c| c.saturating_sub(lb_cpu)),
            cpu_requested_millis: 0,
            memory_allocatable_bytes: cluster
                .allocatable(n)
                .memory_bytes
                .map(|m| m.saturating_sub(lb_mem)),
            memory_requested_bytes: 0,
            gpu_allocatable: [GpuVendor::Nvidia, GpuVendor::Intel, GpuVendor::Amd]
                .iter()
                .map(|v| n.gpu_slots(*v))
                .sum(),
            gpu_requested: 0,
            pods: Vec::new(),
        })
        .collect();
    let mut placed: Vec<(String, String)> = Vec::new(); // (pod, node)
    for pod in pods.iter_mut() {
        let cpu: u64 = pod
            .containers
            .iter()
            .map(|c| c.resources.cpu_request_millis)
            .sum();
        let mem: u64 = pod
            .containers
            .iter()
            .map(|c| c.resources.memory_request_bytes)
            .sum();
        let gpu: u64 = pod
            .containers
            .iter()
            .filter_map(|c| c.resources.gpu.as_ref())
            .map(|(_, n)| u64::from(*n))
            .sum();
        let mut nodes = candidates(cluster, pod, gpu);
        if let Some(arch) = &pod.placement.preferred_arch {
            if nodes.iter().any(|n| n.arch.as_str() == arch) {
                nodes.retain(|n| n.arch.as_str() == arch);
            }
        }
        if let Some(target) = &pod.placement.colocate_with {
            if let Some((_, node)) = placed.iter().find(|(p, _)| p == target) {
                nodes.retain(|n| &n.name == node);
            }
        }
        if nodes.is_empty() {
            if !cluster.is_default {
                cx.push(
                    Diagnostic::error(codes::NO_NODE_FITS, format!("no node satisfies the placement of service `{}`", pod.service))
                        .with_help("check its platform, GPU, x-homeport.node and deploy.placement constraints against cluster.yaml"),
                );
            }
            continue;
        }
        // Hard constraints become required node affinity when they exclude some nodes.
        if !cluster.is_default {
            let all_eligible = cluster
                .nodes
                .iter()
                .filter(|n| pod.placement.preemptible || n.availability == Availability::AlwaysOn)
                .count();
            let restricted = pod.placement.gpu_vendor.is_some() && gpu > 0
                || !pod.placement.required_nodes.is_empty();
            if restricted && nodes.len() <= all_eligible {
                pod.placement.required_nodes = nodes.iter().map(|n| n.name.clone()).collect();
            }
        }
        let chosen: Vec<String> = if pod.workload == WorkloadKind::DaemonSet {
            nodes.iter().map(|n| n.name.clone()).collect()
        } else {
            let mut out = Vec::new();
            let replicas = pod.replicas.max(1) as usize;
            for r in 0..replicas {
                // Preferred nodes first, then the node with the most free memory (stable).
                let pick = nodes
                    .iter()
                    .filter(|n| pod.placement.preferred_nodes.contains(&n.name))
                    .find(|n| !out.contains(&n.name) || r >= nodes.len())
                    .or_else(|| {
                        nodes
                            .iter()
                            .filter(|n| !out.contains(&n.name) || r >= nodes.len())
                            .max_by_key(|n| {
                                let b = budgets.iter().find(|b| b.name == n.name);
                                let free = b.map_or(0i128, |b| {
                                    i128::from(b.memory_allocatable_bytes.unwrap_or(0))
                                        - i128::from(b.memory_requested_bytes)
                                });
                                (
                                    free,
                                    std::cmp::Reverse(
                                        cluster
                                            .nodes
                                            .iter()
                                            .position(|x| x.name == n.name)
                                            .unwrap_or(0),
                                    ),
                                )
                            })
                    });
                if let Some(n) = pick {
                    out.push(n.name.clone());
                }
            }
            out
        };
        let chosen: Vec<String> =
            if pod.placement.colocate_with.as_deref() == Some(pod.name.as_str()) {
                // Replicas pinned together (a shared ReadWriteOnce claim): all on the first node.
                chosen
                    .first()
                    .map(|n| vec![n.clone(); chosen.len()])
                    .unwrap_or_default()
            } else {
                chosen
            };
        for node in &chosen {
            if let Some(b) = budgets.iter_mut().find(|b| &b.name == node) {
                b.cpu_requested_millis += cpu;
                b.memory_requested_bytes += mem;
                b.gpu_requested += gpu;
                if !b.pods.contains(&pod.name) {
                    b.pods.push(pod.name.clone());
                }
            }
            placed.push((pod.name.clone(), node.clone()));
        }
        if !cluster.is_default && !chosen.is_empty() {
            pod.decide(
                "placement",
                format!("expected on {}", chosen.join(", ")),
                "the eligible node(s) with the most free memory, for the budget",
            );
            pin_node_local_data(cluster, claims, pod, &chosen, nodes.len());
        }
        pod.placement.nodes = chosen;
    }
    if !cluster.is_default {
        for b in &budgets {
            if let Some(a) = b.cpu_allocatable_millis {
                if b.cpu_requested_millis > a {
                    cx.push(
                        Diagnostic::warning(
                            codes::NODE_OVERCOMMITTED,
                            format!(
                                "node `{}` is over-committed on CPU: {}m requested of {}m",
                                b.name, b.cpu_requested_millis, a
                            ),
                        )
                        .with_help(
                            "lower requests, add nodes, or move services with x-homeport.node",
                        ),
                    );
                }
            }
            if let Some(a) = b.memory_allocatable_bytes {
                if b.memory_requested_bytes > a {
                    memory_overcommitted(cx, pods, b, a);
                }
            }
            if b.gpu_requested > b.gpu_allocatable && b.gpu_allocatable > 0 {
                cx.push(Diagnostic::warning(codes::GPU_OVERSUBSCRIBED, format!("node `{}` has {} GPU slot(s) (GPUs x sharing) but {} are requested", b.name, b.gpu_allocatable, b.gpu_requested)).with_help("raise `shared:` (time-slicing) for the GPU in cluster.yaml, or run fewer GPU services at once"));
            }
        }
        let total_slots: u64 = cluster
            .nodes
            .iter()
            .map(|n| n.gpu_slots(GpuVendor::Nvidia))
            .sum();
        let wanted: u64 = pods
            .iter()
            .map(|p| {
                p.containers
                    .iter()
                    .filter_map(|c| c.resources.gpu.as_ref())
                    .filter(|(r, _)| r == "nvidia.com/gpu")
                    .map(|(_, n)| u64::from(*n))
                    .sum::<u64>()
                    * u64::from(p.replicas.max(1))
            })
            .sum();
        if total_slots > 0 && wanted > total_slots {
            cx.push(Diagnostic::warning(codes::GPU_OVERSUBSCRIBED, format!("{wanted} NVIDIA GPU(s) requested but the cluster has {total_slots} slot(s) (GPUs x sharing)")).with_help("raise `shared:` for time-slicing, or mark some GPU services preemptible"));
        }
    }
    budgets
}

/// A node's memory requests exceed what it has left after the distribution's own use: an
/// error (pods would be Pending or killed) with the pods ranked by what moving them frees,
/// unless the inventory accepts over-commitment (`spec.overcommit: accept`).
fn memory_overcommitted(cx: &mut Ctx, pods: &[PodPlan], b: &NodeBudget, allocatable: u64) {
    const MIB: u64 = 1024 * 1024;
    let over = b.memory_requested_bytes - allocatable;
    let mut on_node: Vec<(u64, &str)> = pods
        .iter()
        .filter(|p| p.placement.nodes.contains(&b.name))
        .map(|p| {
            let mem: u64 = p
                .containers
                .iter()
                .map(|c| c.resources.memory_request_bytes)
                .sum();
            (mem, p.service.as_str())
        })
        .collect();
    on_node.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut freed = 0;
    let mut ranked: Vec<String> = Vec::new();
    for (mem, name) in &on_node {
        if freed >= over {
            break;
        }
        freed += mem;
        ranked.push(format!("{name} ({}Mi)", mem / MIB));
    }
    let message = format!(
        "node `{}` is over-committed on memory: {}Mi requested of {}Mi left after the distribution's own use",
        b.name,
        b.memory_requested_bytes / MIB,
        allocatable / MIB
    );
    let help = format!(
        "move or leave out, largest first: {} (x-homeport.node, x-homeport.skip), lower their requests, add a node, or accept it with `spec.overcommit: accept` in cluster.yaml",
        ranked.join(", ")
    );
    let d = if cx.cluster.overcommit_accepted {
        Diagnostic::warning(codes::NODE_OVERCOMMITTED, message)
            .with_note("accepted by `spec.overcommit: accept`: pods may be evicted or killed under memory pressure")
    } else {
        Diagnostic::error(codes::NODE_OVERCOMMITTED, message)
    };
    cx.push(d.with_help(help));
}

/// A pod whose data is on node-local storage (local-path claims, static local volumes) is
/// pinned to the node it is planned on, so pod and data stay together.
fn pin_node_local_data(
    cluster: &Cluster,
    claims: &[ClaimPlan],
    pod: &mut PodPlan,
    chosen: &[String],
    eligible: usize,
) {
    if pod.workload == WorkloadKind::DaemonSet || !pod.placement.required_nodes.is_empty() {
        return;
    }
    let local_class = |name: &str| {
        cluster
            .storage
            .iter()
            .any(|s| s.name == name && s.provisioner == crate::cluster::Provisioner::LocalPath)
    };
    let local = pod
        .claim_templates
        .iter()
        .any(|t| local_class(&t.storage_class))
        || pod.volumes.iter().any(|v| match &v.source {
            VolumeSource::Claim { claim, .. } => claims.iter().any(|c| {
                &c.name == claim
                    && c.namespace == pod.namespace
                    && c.storage_class.as_deref().is_some_and(local_class)
            }),
            _ => false,
        });
    let mut nodes: Vec<String> = chosen.to_vec();
    nodes.dedup();
    if !local || nodes.len() != 1 || eligible < 2 {
        return;
    }
    pod.placement.required_nodes = nodes.clone();
    pod.decide(
        "placement",
        format!("pinned to {}", nodes[0]),
        "its data is on node-local storage: pod and data stay on one node",
    );
}
