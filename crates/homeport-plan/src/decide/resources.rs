//! Requests and limits (Compose values, else knowledge-base defaults, stated as such) and GPUs.

use crate::cluster::GpuVendor;
use crate::codes;
use crate::images::ImageProfile;
use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::Service;
use homeport_diag::Diagnostic;

const MIB: u64 = 1024 * 1024;

/// The memory limit of an image nothing is known about (without Compose limits).
const UNKNOWN_IMAGE_MEMORY_LIMIT: u64 = 2048 * MIB;

/// Sizes of the memory-backed emptyDirs (tmpfs, /dev/shm) mounted in container `index`.
fn memory_tmpfs_bytes(pod: &PodPlan, index: usize) -> u64 {
    let Some(c) = pod.containers.get(index) else {
        return 0;
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut total = 0;
    for m in &c.mounts {
        if seen.contains(&m.volume.as_str()) {
            continue;
        }
        seen.push(&m.volume);
        if let Some(PodVolume {
            source:
                VolumeSource::EmptyDir {
                    memory: true,
                    size_limit: Some(size),
                },
            ..
        }) = pod.volumes.iter().find(|v| v.name == m.volume)
        {
            total += size;
        }
    }
    total
}

fn nvidia_count(svc: &Service) -> Option<(i64, &'static str)> {
    let is_gpu = |d: &homeport_compose::DeviceRequest| {
        d.capabilities.iter().any(|c| c == "gpu") || d.driver.as_deref() == Some("nvidia")
    };
    let reserved = svc
        .deploy
        .as_ref()
        .and_then(|d| d.resources.as_ref())
        .and_then(|r| r.reservations.as_ref())
        .map(|r| r.devices.iter().filter(|d| is_gpu(d)).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(d) = reserved.first() {
        let n = if d.device_ids.is_empty() {
            d.count.unwrap_or(-1)
        } else {
            d.device_ids.len() as i64
        };
        return Some((n, "deploy.resources.reservations.devices"));
    }
    if let Some(d) = svc.gpus.first() {
        let n = if d.device_ids.is_empty() {
            d.count.unwrap_or(-1)
        } else {
            d.device_ids.len() as i64
        };
        return Some((n, "gpus"));
    }
    if svc.runtime.as_deref() == Some("nvidia") {
        return Some((-1, "runtime: nvidia"));
    }
    if let Some(v) = svc
        .environment
        .get("NVIDIA_VISIBLE_DEVICES")
        .and_then(|v| v.value.as_deref())
    {
        if !matches!(v, "none" | "void" | "") {
            let n = if v == "all" {
                -1
            } else {
                v.split(',').count() as i64
            };
            return Some((n, "NVIDIA_VISIBLE_DEVICES"));
        }
    }
    None
}

pub fn decide(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
) {
    let res = svc.deploy.as_ref().and_then(|d| d.resources.as_ref());
    let limits = res.and_then(|r| r.limits.as_ref());
    let reservations = res.and_then(|r| r.reservations.as_ref());
    let cpu_limit = limits
        .and_then(|l| l.cpus)
        .or(svc.cpus)
        .map(|c| (c * 1000.0).round().max(1.0) as u64);
    let mem_limit = limits.and_then(|l| l.memory_bytes).or(svc.mem_limit_bytes);
    let cpu_req = reservations
        .and_then(|r| r.cpus)
        .map(|c| (c * 1000.0).round().max(1.0) as u64);
    let mem_req = reservations
        .and_then(|r| r.memory_bytes)
        .or(svc.mem_reservation_bytes);
    let from_compose =
        cpu_limit.is_some() || mem_limit.is_some() || cpu_req.is_some() || mem_req.is_some();

    let (kb_cpu_req, kb_mem_req) = profile.requests;
    let (kb_cpu_lim, kb_mem_lim) = profile.limits;
    let mut plan = ResourcePlan {
        cpu_request_millis: cpu_req
            .unwrap_or_else(|| cpu_limit.map_or(kb_cpu_req, |l| l.min(kb_cpu_req))),
        memory_request_bytes: mem_req
            .unwrap_or_else(|| mem_limit.map_or(kb_mem_req * MIB, |l| l.min(kb_mem_req * MIB))),
        cpu_limit_millis: Some(cpu_limit.unwrap_or(kb_cpu_lim)),
        memory_limit_bytes: mem_limit.unwrap_or(kb_mem_lim * MIB),
        gpu: None,
    };
    let unknown = profile.role == crate::images::Role::Unknown;
    if unknown && mem_limit.is_none() {
        // Nothing is known about the image: a limit that kills a normal workload is worse
        // than a loose one. The request stays small (it is what the scheduler reserves).
        plan.memory_limit_bytes = plan.memory_limit_bytes.max(UNKNOWN_IMAGE_MEMORY_LIMIT);
    }
    // Memory-backed tmpfs (emptyDir medium Memory) is charged to the container's memory: a
    // default limit grows by the sizes mounted in this container.
    let tmpfs = if mem_limit.is_none() {
        memory_tmpfs_bytes(pod, index)
    } else {
        0
    };
    plan.memory_limit_bytes += tmpfs;
    if mem_limit.is_none() {
        // A reservation from Compose is never cut by a default limit.
        plan.memory_limit_bytes = plan.memory_limit_bytes.max(plan.memory_request_bytes);
    }
    if let Some(l) = plan.cpu_limit_millis {
        plan.cpu_request_millis = plan.cpu_request_millis.min(l);
    }
    plan.memory_request_bytes = plan.memory_request_bytes.min(plan.memory_limit_bytes);
    let reason = if from_compose {
        "Compose deploy.resources / mem_limit / cpus (missing values from the knowledge base)"
            .to_string()
    } else {
        if unknown {
            format!("no limits in Compose and the image is not in the knowledge base: a generous memory limit of {}Mi (room for a typical web app or a JVM/Node runtime; the small request is what the scheduler reserves), adjust it to the real usage", UNKNOWN_IMAGE_MEMORY_LIMIT / MIB)
        } else {
            format!("no limits in Compose: {} defaults from the knowledge base, adjust them to the real usage", profile.family)
        }
    };
    let reason = if tmpfs > 0 {
        format!(
            "{reason}; the limit includes {}Mi of memory-backed tmpfs",
            tmpfs / MIB
        )
    } else {
        reason
    };
    pod.decide(
        "resources",
        format!(
            "{}: requests {}m/{}Mi, limits {}m/{}Mi",
            svc.name,
            plan.cpu_request_millis,
            plan.memory_request_bytes / MIB,
            plan.cpu_limit_millis.unwrap_or(0),
            plan.memory_limit_bytes / MIB
        ),
        reason,
    );

    // GPUs.
    if let Some((count, form)) = nvidia_count(svc) {
        let max_on_node = cx
            .cluster
            .nodes
            .iter()
            .map(|n| {
                n.gpus
                    .iter()
                    .filter(|g| g.vendor == GpuVendor::Nvidia)
                    .map(|g| g.count)
                    .sum::<u32>()
            })
            .max()
            .unwrap_or(0);
        let n = if count < 0 {
            max_on_node.max(1)
        } else {
            u32::try_from(count).unwrap_or(1).max(1)
        };
        plan.gpu = Some((GpuVendor::Nvidia.resource_name().to_string(), n));
        pod.runtime_class = Some("nvidia".into());
        if let Some(c) = pod.containers.get_mut(index) {
            c.config_env.shift_remove("NVIDIA_VISIBLE_DEVICES");
        }
        pod.decide(
            "gpu",
            format!("{}: nvidia.com/gpu {n}", svc.name),
            format!("{form}: the NVIDIA device plugin's resource and runtimeClassName nvidia (NVIDIA_VISIBLE_DEVICES is set by the plugin; NVIDIA_DRIVER_CAPABILITIES is kept){}", if count < 0 { "; `all` means every GPU of the largest GPU node" } else { "" }),
        );
        if !cx.cluster.is_default && max_on_node == 0 {
            cx.push(
                Diagnostic::warning(
                    codes::GPU_NO_NODE,
                    format!(
                        "service `{}` asks for an NVIDIA GPU but no node in the inventory has one",
                        svc.name
                    ),
                )
                .with_span_opt(
                    svc.origin
                        .field("deploy")
                        .or(svc.origin.field("gpus"))
                        .or(svc.origin.key),
                )
                .with_help("declare the GPU under the node's `gpus:` in cluster.yaml"),
            );
        }
    } else if svc.devices.iter().any(|d| d.source.starts_with("/dev/dri")) {
        let vendor = cx
            .cluster
            .nodes
            .iter()
            .flat_map(|n| n.gpus.iter())
            .map(|g| g.vendor)
            .find(|v| matches!(v, GpuVendor::Intel | GpuVendor::Amd));
        match vendor {
            Some(v) => {
                plan.gpu = Some((v.resource_name().to_string(), 1));
                pod.decide("gpu", format!("{}: {} 1", svc.name, v.resource_name()), "/dev/dri (hardware video acceleration): the GPU device plugin's resource instead of a host device");
            }
            None => cx.push(
                Diagnostic::warning(codes::DRI_WITHOUT_GPU, format!("service `{}` maps /dev/dri but no node declares an Intel or AMD GPU; hardware acceleration is dropped", svc.name))
                    .with_span_opt(svc.origin.field("devices"))
                    .with_help("declare the GPU (vendor: intel or amd) under the node's `gpus:` in cluster.yaml and install its device plugin"),
            ),
        }
    }
    if let Some(c) = pod.containers.get_mut(index) {
        c.resources = plan;
    }
}
