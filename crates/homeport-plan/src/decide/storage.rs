//! Storage: named volumes, bind mounts, tmpfs, secrets/configs files, devices.

use crate::cluster::{Provisioner, StorageClassDef};
use crate::codes;
use crate::images::{ImageProfile, Role};
use crate::plan::*;
use crate::planner::{dns_label, Ctx};
use homeport_compose::{MountType, Service, VolumeMount};
use homeport_diag::Diagnostic;
use std::path::{Path, PathBuf};

/// Files up to this size become ConfigMap entries.
const CONFIGMAP_FILE_LIMIT: u64 = 1024 * 1024;

const DOCKER_SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock"];
const HOST_SYSTEM_PATHS: &[&str] = &[
    "/proc",
    "/sys",
    "/",
    "/var/log",
    "/run/udev",
    // The system bus (Bluetooth and network managers for Home Assistant and friends): a host
    // socket, not data, so never a claim.
    "/run/dbus",
    "/var/run/dbus",
    "/dev",
    "/etc/machine-id",
    "/var/lib/docker/containers",
];

fn default_size(role: Role) -> &'static str {
    if role.is_data_service() || role == Role::MediaServer || role == Role::AiInference {
        "10Gi"
    } else {
        "5Gi"
    }
}

/// Resolve a bind source against the project directory.
fn host_path(cx: &Ctx, source: &str) -> PathBuf {
    let p = Path::new(source);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cx.project.working_dir.join(p)
    }
}

fn display_path(cx: &Ctx, p: &Path) -> String {
    p.strip_prefix(&cx.project.working_dir)
        .map(|r| format!("./{}", r.display()))
        .unwrap_or_else(|_| p.display().to_string())
}

/// A ConfigMap key from a file name (unique within the map).
fn file_key(pod: &PodPlan, name: &str) -> String {
    let mut base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if base.is_empty() || base == "." || base == ".." {
        base = "file".into();
    }
    let mut key = base.clone();
    let mut n = 2;
    while pod.config_files.contains_key(&key) || pod.secret_files.contains_key(&key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

fn read_file(path: &Path) -> Option<FileContent> {
    let bytes =
        homeport_diag::input::read_bytes(path, homeport_diag::input::MAX_INPUT_BYTES).ok()?;
    Some(match String::from_utf8(bytes) {
        Ok(s) => FileContent::Text(s),
        Err(e) => FileContent::Binary(e.into_bytes()),
    })
}

fn class_by(cx: &Ctx, pred: impl Fn(&StorageClassDef) -> bool) -> Option<String> {
    cx.cluster
        .storage
        .iter()
        .find(|s| pred(s))
        .map(|s| s.name.clone())
}

fn add_volume(pod: &mut PodPlan, name: String, source: VolumeSource) -> String {
    // The same claim, ConfigMap or Secret is one volume however often it is mounted; every
    // emptyDir (a tmpfs, /dev/shm) is its own scratch space.
    let shareable = !matches!(source, VolumeSource::EmptyDir { .. });
    if let Some(v) = pod.volumes.iter().find(|v| shareable && v.source == source) {
        return v.name.clone();
    }
    let mut unique = name.clone();
    let mut n = 2;
    while pod.volumes.iter().any(|v| v.name == unique) {
        unique = format!("{name}-{n}");
        n += 1;
    }
    pod.volumes.push(PodVolume {
        name: unique.clone(),
        source,
    });
    unique
}

/// Mount claim `claim` (one pod volume however often it is mounted, named after `volume`) at
/// the Compose mount's target, `sub_path` inside the claim.
fn mount_claim(
    pod: &mut PodPlan,
    index: usize,
    volume: String,
    claim: String,
    m: &VolumeMount,
    sub_path: Option<String>,
) {
    let source = VolumeSource::Claim {
        claim,
        read_only: false,
    };
    let vol = add_volume(pod, volume, source);
    let plan = MountPlan {
        volume: vol,
        path: m.target.clone(),
        sub_path,
        read_only: m.read_only,
    };
    mount(pod, index, plan);
}

/// Mount key `key` of the pod's `<pod>-files` ConfigMap (small bind-mounted files and Compose
/// configs) read-only at `path`.
fn mount_config_file(pod: &mut PodPlan, index: usize, key: String, path: String) {
    let name = format!("{}-files", pod.name);
    let source = VolumeSource::ConfigMap { name: name.clone() };
    let vol = add_volume(pod, name.chars().take(63).collect(), source);
    let plan = MountPlan {
        volume: vol,
        path,
        sub_path: Some(key),
        read_only: true,
    };
    mount(pod, index, plan);
}

fn mount(pod: &mut PodPlan, index: usize, m: MountPlan) {
    if let Some(c) = pod.containers.get_mut(index) {
        if !c.mounts.iter().any(|x| x.path == m.path) {
            c.mounts.push(m);
        }
    }
}

pub fn mounts(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
) {
    let span = svc.origin.field("volumes");
    let mut tz_from_host = false;
    for m in &svc.volumes {
        let target = m.target.clone();
        match m.kind {
            MountType::Tmpfs => {
                let vol = add_volume(
                    pod,
                    format!("tmpfs-{}", dns_label(&target)),
                    VolumeSource::EmptyDir {
                        memory: true,
                        size_limit: m.tmpfs_size_bytes,
                    },
                );
                mount(
                    pod,
                    index,
                    MountPlan {
                        volume: vol,
                        path: target,
                        sub_path: None,
                        read_only: false,
                    },
                );
            }
            MountType::Volume => match &m.source {
                None => {
                    let vol = add_volume(
                        pod,
                        format!("anon-{}", dns_label(&target)),
                        VolumeSource::EmptyDir {
                            memory: false,
                            size_limit: None,
                        },
                    );
                    pod.notes.push(format!("{}: anonymous volume at {target} is an emptyDir (lost when the pod is replaced)", svc.name));
                    mount(
                        pod,
                        index,
                        MountPlan {
                            volume: vol,
                            path: target,
                            sub_path: m.subpath.clone(),
                            read_only: m.read_only,
                        },
                    );
                }
                Some(name) => named_volume(cx, svc, profile, index, pod, claims, name, m),
            },
            MountType::Bind => {
                let Some(src) = &m.source else { continue };
                if DOCKER_SOCKETS.contains(&src.as_str()) {
                    cx.push(
                        Diagnostic::warning(codes::DOCKER_SOCKET_DROPPED, format!("service `{}` mounts the Docker socket; the mount is dropped (there is no Docker on Kubernetes)", svc.name))
                            .with_span_opt(m.span.or(span))
                            .with_help("if the service needs the container API, use a Kubernetes-native tool with a ServiceAccount and RBAC instead"),
                    );
                    continue;
                }
                if src == "/etc/localtime" || src == "/etc/timezone" {
                    tz_from_host = true;
                    continue;
                }
                bind_mount(cx, svc, profile, index, pod, claims, pvs, src, m);
            }
            MountType::Npipe | MountType::Cluster | MountType::Image => {
                cx.push(
                    Diagnostic::warning(
                        codes::MOUNT_NOT_TRANSLATED,
                        format!(
                            "service `{}`: mount of type {:?} at {target} is not translated",
                            svc.name, m.kind
                        ),
                    )
                    .with_span_opt(m.span.or(span)),
                );
            }
        }
    }
    for t in &svc.tmpfs {
        let (path, options) = t.split_once(':').unwrap_or((t, ""));
        let path = path.to_string();
        // `/run:size=64m,mode=1777`: the size bounds the emptyDir; the mode has no equivalent
        // (emptyDirs are world-writable).
        let size_limit = options
            .split(',')
            .find_map(|o| o.trim().strip_prefix("size="))
            .and_then(homeport_compose::units::parse_bytes);
        let vol = add_volume(
            pod,
            format!("tmpfs-{}", dns_label(&path)),
            VolumeSource::EmptyDir {
                memory: true,
                size_limit,
            },
        );
        mount(
            pod,
            index,
            MountPlan {
                volume: vol,
                path,
                sub_path: None,
                read_only: false,
            },
        );
    }
    let shm_for_ipc = svc.shm_size_bytes.is_none()
        && crate::decide::security::ipc_host_replaced_by_shm(cx, svc, profile);
    if svc.shm_size_bytes.is_some() || shm_for_ipc {
        let vol = add_volume(
            pod,
            "dshm".into(),
            VolumeSource::EmptyDir {
                memory: true,
                size_limit: svc.shm_size_bytes,
            },
        );
        mount(
            pod,
            index,
            MountPlan {
                volume: vol,
                path: "/dev/shm".into(),
                sub_path: None,
                read_only: false,
            },
        );
        pod.decide(
            "storage",
            format!("{}: /dev/shm", svc.name),
            if shm_for_ipc {
                "ipc: host (only for a large /dev/shm): a memory-backed emptyDir at /dev/shm, bounded by the container's memory limit"
            } else {
                "shm_size: a memory-backed emptyDir at /dev/shm"
            },
        );
    }
    if tz_from_host {
        let tz = cx
            .project
            .services
            .values()
            .find_map(|s| s.environment.get("TZ").and_then(|v| v.value.clone()))
            .unwrap_or_else(|| "Etc/UTC".to_string());
        if let Some(c) = pod.containers.get_mut(index) {
            c.config_env.entry("TZ".to_string()).or_insert(tz.clone());
            c.config_env.sort_keys();
        }
        cx.push(
            Diagnostic::info(
                codes::TIMEZONE_AS_ENV,
                format!(
                    "service `{}`: /etc/localtime from the host becomes TZ={tz}",
                    svc.name
                ),
            )
            .with_span_opt(span)
            .with_help("set TZ in the service's environment to choose another zone"),
        );
        pod.decide(
            "storage",
            format!("{}: TZ={tz}", svc.name),
            "the host's /etc/localtime is not mounted on Kubernetes; the TZ variable sets the zone",
        );
    }
    secrets_and_configs(cx, svc, index, pod);
    devices(cx, svc, profile, index, pod);
}

#[allow(clippy::too_many_arguments)]
fn named_volume(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    name: &str,
    m: &VolumeMount,
) {
    let vol_dns = cx
        .project
        .volumes
        .get(name)
        .map(|v| {
            if v.dns_name.is_empty() {
                dns_label(name)
            } else {
                v.dns_name.clone()
            }
        })
        .unwrap_or_else(|| dns_label(name));
    let users = cx.volume_users.get(name).cloned().unwrap_or_default();
    let shared = users.len() > 1 || pod.replicas > 1 && pod.workload != WorkloadKind::StatefulSet;
    let local_class = class_by(cx, |s| s.provisioner == Provisioner::LocalPath)
        .or_else(|| class_by(cx, |s| s.default));
    let rwx_class = class_by(cx, |s| {
        s.provisioner == Provisioner::Nfs
            || matches!(s.provisioner, Provisioner::Other(_)) && s.is_shared()
    });
    let default_class =
        class_by(cx, |s| s.default && !s.is_static()).or_else(|| local_class.clone());
    let external = cx.project.volumes.get(name).is_some_and(|v| v.external);
    if external {
        pod.notes.push(format!(
            "{}: volume `{name}` is external in Compose: copy its data into the claim",
            svc.name
        ));
    }

    if pod.workload == WorkloadKind::StatefulSet && !shared {
        let class = if profile.role.is_data_service() {
            local_class.clone()
        } else {
            default_class.clone()
        };
        let class = class.unwrap_or_else(|| "local-path".into());
        if !pod.claim_templates.iter().any(|t| t.name == vol_dns) {
            pod.claim_templates.push(ClaimTemplate {
                name: vol_dns.clone(),
                storage_class: class.clone(),
                size: default_size(profile.role).into(),
            });
            pod.decide(
                "storage",
                format!("{}: {name} -> volumeClaimTemplate {vol_dns} ({class}, {})", svc.name, default_size(profile.role)),
                if profile.role.is_data_service() {
                    format!("a {} wants fast node-local storage: class {class}; size is a default, adjust it", profile.role.as_str())
                } else {
                    "one claim per replica; size is a default, adjust it".to_string()
                },
            );
        }
        mount(
            pod,
            index,
            MountPlan {
                volume: vol_dns,
                path: m.target.clone(),
                sub_path: m.subpath.clone(),
                read_only: m.read_only,
            },
        );
        return;
    }

    let (claim_name, class, access, reason) = if shared {
        match &rwx_class {
            Some(rwx) => (
                vol_dns.clone(),
                Some(rwx.clone()),
                "ReadWriteMany",
                format!("shared by {} on a ReadWriteMany class ({rwx}) so they can run on different nodes", users.join(", ")),
            ),
            None => {
                if users.first().is_some_and(|first| first != &pod.name) {
                    pod.placement.colocate_with = users.first().cloned();
                } else if users.len() <= 1 {
                    // Replicas of one Deployment sharing a ReadWriteOnce claim: one node.
                    pod.placement.colocate_with = Some(pod.name.clone());
                }
                if users.first() == Some(&pod.name) {
                    cx.push(
                        Diagnostic::info(codes::SHARED_VOLUME_COLOCATED, format!("volume `{name}` is shared by {} and the cluster has no ReadWriteMany storage class: the pods are placed on the same node", users.join(", ")))
                            .with_span_opt(m.span.or(svc.origin.field("volumes")))
                            .with_help("add an `nfs` storage class to cluster.yaml to let them run on different nodes"),
                    );
                }
                (
                    vol_dns.clone(),
                    default_class.clone(),
                    "ReadWriteOnce",
                    format!("shared by {}; no ReadWriteMany class, so the pods are co-located on one node", users.join(", ")),
                )
            }
        }
    } else {
        let class = if profile.role.is_data_service() {
            local_class.clone()
        } else {
            default_class.clone()
        };
        pod.recreate = pod.workload == WorkloadKind::Deployment;
        (
            format!("{}-{}", pod.name, vol_dns)
                .chars()
                .take(63)
                .collect::<String>()
                .trim_end_matches('-')
                .to_string(),
            class.clone(),
            "ReadWriteOnce",
            if profile.role.is_data_service() {
                format!(
                    "a {} wants fast node-local storage: class {}",
                    profile.role.as_str(),
                    class.as_deref().unwrap_or("default")
                )
            } else {
                format!("one pod uses it: class {} (ReadWriteOnce, the Deployment is replaced rather than rolled)", class.as_deref().unwrap_or("default"))
            },
        )
    };
    if !claims
        .iter()
        .any(|c| c.name == claim_name && c.namespace == pod.namespace)
    {
        claims.push(ClaimPlan {
            name: claim_name.clone(),
            namespace: pod.namespace.clone(),
            owner: pod.name.clone(),
            storage_class: class,
            access_mode: access,
            size: default_size(profile.role).into(),
            volume_name: None,
            reason: reason.clone(),
        });
        pod.decide(
            "storage",
            format!("{}: {name} -> claim {claim_name}", svc.name),
            format!(
                "{reason}; size {} is a default, adjust it",
                default_size(profile.role)
            ),
        );
    }
    mount_claim(pod, index, vol_dns, claim_name, m, m.subpath.clone());
}

#[allow(clippy::too_many_arguments)]
fn bind_mount(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
    src: &str,
    m: &VolumeMount,
) {
    let span = m.span.or(svc.origin.field("volumes"));
    let path = host_path(cx, src);
    let path_str = path.to_string_lossy().to_string();

    // 1. Under a storage entry's hostPaths: a static PersistentVolume shared by all consumers.
    let storage_hit = cx
        .cluster
        .storage
        .iter()
        .filter(|s| s.is_static())
        .find_map(|s| {
            s.host_paths.iter().find_map(|hp| {
                let hp_trim = hp.trim_end_matches('/');
                if path_str == hp_trim || path_str.starts_with(&format!("{hp_trim}/")) {
                    Some((
                        s.clone(),
                        path_str[hp_trim.len()..]
                            .trim_start_matches('/')
                            .to_string(),
                    ))
                } else {
                    None
                }
            })
        });
    if let Some((storage, rel)) = storage_hit {
        let claim = dns_label(&storage.name);
        let pv_name: String = format!("{}-{}", pod.namespace, claim)
            .chars()
            .take(63)
            .collect();
        if !claims
            .iter()
            .any(|c| c.name == claim && c.namespace == pod.namespace)
        {
            let capacity = storage.capacity.clone().unwrap_or_else(|| "100Gi".into());
            let (source, access) = match storage.provisioner {
                Provisioner::StaticLocal => (
                    PersistentVolumeSource::Local {
                        path: storage.path.clone().unwrap_or_else(|| path_str.clone()),
                        node: storage.node.clone().unwrap_or_default(),
                    },
                    "ReadWriteOnce",
                ),
                _ => (
                    PersistentVolumeSource::Nfs {
                        server: storage.server.clone().unwrap_or_default(),
                        path: storage.path.clone().unwrap_or_default(),
                    },
                    "ReadWriteMany",
                ),
            };
            pvs.push(PersistentVolumePlan {
                name: pv_name.clone(),
                capacity: capacity.clone(),
                access_mode: access,
                source,
                claim_namespace: pod.namespace.clone(),
                claim_name: claim.clone(),
            });
            claims.push(ClaimPlan {
                name: claim.clone(),
                namespace: pod.namespace.clone(),
                owner: pod.name.clone(),
                storage_class: None,
                access_mode: access,
                size: capacity,
                volume_name: Some(pv_name),
                reason: format!(
                    "bind mounts under {} live on the `{}` share ({})",
                    storage.host_paths.join(", "),
                    storage.name,
                    storage.provisioner.as_str()
                ),
            });
        }
        if profile.role.is_data_service() {
            // Never two copies of a database on the same files, even for a moment.
            if pod.workload == WorkloadKind::Deployment && !pod.recreate {
                pod.recreate = true;
                pod.decide(
                    "strategy",
                    "Recreate",
                    format!("{} data on a shared volume: the old pod stops before the new one starts, so two copies never open the same files", profile.family),
                );
            }
            if storage.provisioner != Provisioner::StaticLocal {
                cx.push(
                    Diagnostic::warning(
                        codes::DATA_SERVICE_ON_SHARED_STORAGE,
                        format!(
                            "service `{}` ({}) keeps its data in {src}, on the NFS share `{}`",
                            svc.name,
                            profile.family,
                            storage.name
                        ),
                    )
                    .with_span_opt(span)
                    .with_note("databases on NFS risk file-locking and fsync problems; the Deployment is replaced (Recreate), never rolled, so two copies never open the same files")
                    .with_help("prefer a named volume (a node-local claim) and move the data with a dump and restore"),
                );
            }
        }
        if storage.provisioner == Provisioner::StaticLocal {
            if let Some(node) = &storage.node {
                if !pod.placement.required_nodes.contains(node) {
                    pod.placement.required_nodes.push(node.clone());
                }
            }
        }
        mount_claim(
            pod,
            index,
            claim.clone(),
            claim.clone(),
            m,
            if rel.is_empty() {
                None
            } else {
                Some(rel.clone())
            },
        );
        pod.decide(
            "storage",
            format!("{}: {src} -> {claim}{}", svc.name, if rel.is_empty() { String::new() } else { format!(" subPath {rel}") }),
            format!("{src} is on the `{}` storage ({}): one static PersistentVolume and one claim shared by every consumer", storage.name, storage.provisioner.as_str()),
        );
        return;
    }

    // 2. Host agents read host system paths (privileged namespace, explained by the KB).
    let is_system = HOST_SYSTEM_PATHS
        .iter()
        .any(|p| path_str == *p || (*p != "/" && path_str.starts_with(&format!("{p}/"))));
    if is_system {
        if profile.host_agent
            || cx
                .hints(svc)
                .security
                .as_ref()
                .is_some_and(|h| h.level == homeport_compose::SecurityLevel::Privileged)
        {
            let vol = add_volume(
                pod,
                format!("host-{}", dns_label(&path_str)),
                VolumeSource::HostPath {
                    path: path_str.clone(),
                    kind: None,
                },
            );
            mount(
                pod,
                index,
                MountPlan {
                    volume: vol,
                    path: m.target.clone(),
                    sub_path: None,
                    read_only: true,
                },
            );
            cx.push(
                Diagnostic::warning(codes::HOST_PATH_USED, format!("service `{}` reads the host's {path_str}: a read-only hostPath volume (privileged namespace)", svc.name))
                    .with_span_opt(span)
                    .with_help("host agents need host access; keep them in their own namespace"),
            );
            pod.decide(
                "storage",
                format!("{}: hostPath {path_str} (read-only)", svc.name),
                format!(
                    "{} reads the host ({})",
                    profile.family, profile.security_reason
                ),
            );
        } else {
            cx.push(
                Diagnostic::warning(codes::MOUNT_NOT_TRANSLATED, format!("service `{}` mounts the host's {path_str}; hostPath volumes are not written without a privileged security level", svc.name))
                    .with_span_opt(span)
                    .with_help("add `x-homeport: {security: {level: privileged, reason: ...}}` if the service must read the host"),
            );
        }
        return;
    }

    // 3. Small existing files (and read-only directories of small files): a ConfigMap.
    let meta = std::fs::metadata(&path).ok();
    if let Some(meta) = &meta {
        if meta.is_file() && meta.len() <= CONFIGMAP_FILE_LIMIT {
            if let Some(content) = read_file(&path) {
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "file".into());
                let key = file_key(pod, &file_name);
                pod.config_files.insert(key.clone(), content);
                mount_config_file(pod, index, key.clone(), m.target.clone());
                let mut d = Diagnostic::info(
                    codes::BIND_AS_CONFIGMAP,
                    format!(
                        "service `{}`: {} becomes ConfigMap {}-files key `{key}`",
                        svc.name,
                        display_path(cx, &path),
                        pod.name
                    ),
                )
                .with_span_opt(span);
                if !m.read_only {
                    d = d.with_note(
                        "ConfigMap mounts are read-only; the service cannot change this file",
                    );
                }
                cx.push(d);
                pod.decide("storage", format!("{}: {} -> ConfigMap key {key}", svc.name, display_path(cx, &path)), "a small configuration file: shipped as a ConfigMap so the pod can run on any node");
                return;
            }
        }
        if meta.is_dir() && m.read_only {
            if let Some(files) = small_dir(&path) {
                let mut keys = Vec::new();
                for (name, content) in files {
                    let key = file_key(pod, &name);
                    pod.config_files.insert(key.clone(), content);
                    keys.push((key, name));
                }
                for (key, name) in &keys {
                    mount_config_file(
                        pod,
                        index,
                        key.clone(),
                        format!("{}/{}", m.target.trim_end_matches('/'), name),
                    );
                }
                cx.push(
                    Diagnostic::info(
                        codes::BIND_AS_CONFIGMAP,
                        format!(
                            "service `{}`: read-only directory {} becomes ConfigMap {}-files",
                            svc.name,
                            display_path(cx, &path),
                            pod.name
                        ),
                    )
                    .with_span_opt(span),
                );
                pod.decide(
                    "storage",
                    format!(
                        "{}: {} -> ConfigMap ({} files)",
                        svc.name,
                        display_path(cx, &path),
                        keys.len()
                    ),
                    "a read-only directory of small configuration files",
                );
                return;
            }
        }
    }

    // A missing file (the target names a file): nothing to ship, and a claim (a directory)
    // cannot be mounted over a file path.
    if meta.is_none() {
        let target_name = m.target.rsplit('/').next().unwrap_or("");
        let looks_like_file = target_name
            .rfind('.')
            .is_some_and(|i| i > 0 && i + 1 < target_name.len());
        if looks_like_file {
            cx.push(
                Diagnostic::warning(
                    codes::BIND_SOURCE_MISSING,
                    format!(
                        "service `{}`: bind-mounted file {} does not exist; the mount is left out",
                        svc.name,
                        display_path(cx, &path)
                    ),
                )
                .with_span_opt(span)
                .with_help(
                    "create the file and convert again: small files are shipped as a ConfigMap",
                ),
            );
            return;
        }
    }

    // 4. Anything else: a claim the data must be copied into.
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "data".into());
    let vol_dns = dns_label(&base);
    let role_class = if profile.role.is_data_service() {
        class_by(cx, |s| s.provisioner == Provisioner::LocalPath)
            .or_else(|| class_by(cx, |s| s.default && !s.is_static()))
    } else {
        class_by(cx, |s| s.default && !s.is_static()).or_else(|| class_by(cx, |s| !s.is_static()))
    };
    let class = role_class.unwrap_or_else(|| "local-path".into());
    let shown = display_path(cx, &path);
    let migration = format!("copy the contents of {shown} into it before starting the service");
    let bind_users = cx.bind_users.get(&path_str).cloned().unwrap_or_default();
    if bind_users.len() > 1 {
        // The same host directory in several pods: one shared claim, like a named volume.
        let rwx = class_by(cx, |s| s.provisioner == Provisioner::Nfs);
        let claim: String = format!("{}-{vol_dns}", dns_label(&cx.project.name))
            .chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
        let (class, access) = match &rwx {
            Some(c) => (c.clone(), "ReadWriteMany"),
            None => {
                if bind_users.first().is_some_and(|f| f != &pod.name) {
                    pod.placement.colocate_with = bind_users.first().cloned();
                }
                (class.clone(), "ReadWriteOnce")
            }
        };
        if !claims
            .iter()
            .any(|c| c.name == claim && c.namespace == pod.namespace)
        {
            claims.push(ClaimPlan {
                name: claim.clone(),
                namespace: pod.namespace.clone(),
                owner: pod.name.clone(),
                storage_class: Some(class.clone()),
                access_mode: access,
                size: default_size(profile.role).into(),
                volume_name: None,
                reason: format!(
                    "bind mount {shown} shared by {}: {migration}",
                    bind_users.join(", ")
                ),
            });
            cx.push(
                Diagnostic::warning(codes::BIND_NEEDS_MIGRATION, format!("bind mount {shown} (used by {}) becomes one shared PersistentVolumeClaim ({class}, {access}); its data is not copied", bind_users.join(", ")))
                    .with_span_opt(span)
                    .with_help(migration.clone()),
            );
        }
        mount_claim(pod, index, claim.clone(), claim, m, m.subpath.clone());
        pod.decide(
            "storage",
            format!("{}: {shown} -> shared claim ({class}, {access})", svc.name),
            if access == "ReadWriteMany" {
                format!("the host directory is used by {}: one ReadWriteMany claim", bind_users.join(", "))
            } else {
                format!("the host directory is used by {}: one claim, the pods co-located (no ReadWriteMany class)", bind_users.join(", "))
            },
        );
        return;
    }
    if pod.workload == WorkloadKind::StatefulSet {
        let name = format!("data-{vol_dns}")
            .chars()
            .take(63)
            .collect::<String>();
        if !pod.claim_templates.iter().any(|t| t.name == name) {
            pod.claim_templates.push(ClaimTemplate {
                name: name.clone(),
                storage_class: class.clone(),
                size: default_size(profile.role).into(),
            });
        }
        mount(
            pod,
            index,
            MountPlan {
                volume: name.clone(),
                path: m.target.clone(),
                sub_path: m.subpath.clone(),
                read_only: m.read_only,
            },
        );
    } else {
        let claim: String = format!("{}-{vol_dns}", pod.name)
            .chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
        if !claims
            .iter()
            .any(|c| c.name == claim && c.namespace == pod.namespace)
        {
            claims.push(ClaimPlan {
                name: claim.clone(),
                namespace: pod.namespace.clone(),
                owner: pod.name.clone(),
                storage_class: Some(class.clone()),
                access_mode: "ReadWriteOnce",
                size: default_size(profile.role).into(),
                volume_name: None,
                reason: format!("bind mount {shown}: {migration}"),
            });
        }
        pod.recreate = pod.workload == WorkloadKind::Deployment;
        mount_claim(pod, index, claim.clone(), claim, m, m.subpath.clone());
    }
    cx.push(
        Diagnostic::warning(codes::BIND_NEEDS_MIGRATION, format!("service `{}`: bind mount {shown} becomes a PersistentVolumeClaim ({class}); its data is not copied", svc.name))
            .with_span_opt(span)
            .with_help(migration.clone()),
    );
    pod.decide(
        "storage",
        format!("{}: {shown} -> claim ({class})", svc.name),
        format!("host directory with data: {migration}"),
    );
}

/// The files of a directory when it holds only a few small regular files.
fn small_dir(path: &Path) -> Option<Vec<(String, FileContent)>> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let entries = std::fs::read_dir(path).ok()?;
    for e in entries {
        let e = e.ok()?;
        let meta = e.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        total += meta.len();
        if total > CONFIGMAP_FILE_LIMIT || out.len() >= 64 {
            return None;
        }
        let name = e.file_name().to_string_lossy().to_string();
        out.push((name, read_file(&e.path())?));
    }
    if out.is_empty() {
        return None;
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out)
}

fn secrets_and_configs(cx: &mut Ctx, svc: &Service, index: usize, pod: &mut PodPlan) {
    for r in &svc.secrets {
        let Some(def) = cx.project.secrets.get(&r.source) else {
            continue;
        };
        let content: Option<Vec<u8>> = if let Some(c) = &def.content {
            Some(c.clone().into_bytes())
        } else if let Some(f) = &def.file {
            homeport_diag::input::read_bytes(
                &host_path(cx, f),
                homeport_diag::input::MAX_INPUT_BYTES,
            )
            .ok()
        } else if let Some(var) = &def.environment {
            def.environment_value
                .clone()
                .or_else(|| svc.environment.get(var).and_then(|v| v.value.clone()))
                .map(String::into_bytes)
        } else {
            None
        };
        let Some(content) = content else {
            cx.push(
                Diagnostic::warning(codes::SECRET_UNREADABLE, format!("service `{}`: the content of secret `{}` is not available; the Secret is written empty", svc.name, r.source))
                    .with_span_opt(def.origin.key.or(svc.origin.field("secrets")))
                    .with_help("make the secret's file readable (or create the Secret in the cluster yourself)"),
            );
            let key = file_key(pod, &r.source);
            pod.secret_files.insert(key.clone(), Vec::new());
            let vol = add_volume(
                pod,
                "secrets".into(),
                VolumeSource::Secret {
                    name: format!("{}-secrets", pod.name),
                },
            );
            mount(
                pod,
                index,
                MountPlan {
                    volume: vol,
                    path: r.target.clone(),
                    sub_path: Some(key),
                    read_only: true,
                },
            );
            continue;
        };
        let key = file_key(pod, &r.source);
        pod.secret_files.insert(key.clone(), content);
        let vol = add_volume(
            pod,
            "secrets".into(),
            VolumeSource::Secret {
                name: format!("{}-secrets", pod.name),
            },
        );
        mount(
            pod,
            index,
            MountPlan {
                volume: vol,
                path: r.target.clone(),
                sub_path: Some(key.clone()),
                read_only: true,
            },
        );
        pod.decide(
            "secrets",
            format!("{}: secret {} -> {}", svc.name, r.source, r.target),
            "Compose `secrets:` become a Secret mounted at the same path",
        );
    }
    for r in &svc.configs {
        let Some(def) = cx.project.configs.get(&r.source) else {
            continue;
        };
        let content = if let Some(c) = &def.content {
            Some(FileContent::Text(c.clone()))
        } else if let Some(f) = &def.file {
            read_file(&host_path(cx, f))
        } else {
            def.environment_value.clone().map(FileContent::Text)
        };
        let Some(content) = content else {
            cx.push(
                Diagnostic::warning(
                    codes::SECRET_UNREADABLE,
                    format!(
                        "service `{}`: the content of config `{}` is not available",
                        svc.name, r.source
                    ),
                )
                .with_span_opt(def.origin.key.or(svc.origin.field("configs"))),
            );
            continue;
        };
        let key = file_key(pod, &r.source);
        pod.config_files.insert(key.clone(), content);
        mount_config_file(pod, index, key, r.target.clone());
    }
}

/// The hostPath `type` for a device: checked only where the kind of node is certain. Device
/// directories (`/dev/bus/usb`, `/dev/snd`) and udev symlink paths (`/dev/serial/by-id/...`)
/// would fail a `CharDevice` check, so they get none.
fn device_path_type(path: &str) -> Option<&'static str> {
    const CHAR_PREFIXES: &[&str] = &[
        "/dev/net/tun",
        "/dev/tty",
        "/dev/video",
        "/dev/kmsg",
        "/dev/fuse",
        "/dev/apex_",
        "/dev/dri/",
        "/dev/hidraw",
        "/dev/ppp",
        "/dev/mem",
        "/dev/i2c-",
    ];
    CHAR_PREFIXES
        .iter()
        .any(|p| path.starts_with(p))
        .then_some("CharDevice")
}

/// Devices the container runtime lets every container open (runc's default device rules):
/// anything else mounted from the host needs a privileged container or a device plugin.
pub const RUNTIME_ALLOWED_DEVICES: &[&str] = &["/dev/net/tun"];

fn devices(cx: &mut Ctx, svc: &Service, profile: &ImageProfile, index: usize, pod: &mut PodPlan) {
    for d in &svc.devices {
        let src = d.source.as_str();
        if src.starts_with("/dev/dri") {
            continue; // GPU pass
        }
        let explained = profile.devices.contains(&src)
            || cx
                .hints(svc)
                .security
                .as_ref()
                .is_some_and(|h| h.level == homeport_compose::SecurityLevel::Privileged);
        if explained {
            let vol = add_volume(
                pod,
                format!("dev-{}", dns_label(src)),
                VolumeSource::HostPath {
                    path: src.to_string(),
                    kind: device_path_type(src),
                },
            );
            mount(
                pod,
                index,
                MountPlan {
                    volume: vol,
                    path: d.target.clone(),
                    sub_path: None,
                    read_only: false,
                },
            );
            pod.decide(
                "storage",
                format!("{}: device {src}", svc.name),
                if profile.devices.contains(&src) {
                    profile.security_reason.to_string()
                } else {
                    "x-homeport.security: privileged".to_string()
                },
            );
        } else {
            cx.push(
                Diagnostic::warning(codes::DEVICE_NOT_TRANSLATED, format!("service `{}`: device {src} is not passed through", svc.name))
                    .with_span_opt(svc.origin.field("devices"))
                    .with_help("use a device plugin for it, or add `x-homeport: {security: {level: privileged, reason: ...}}` to mount it as a hostPath"),
            );
        }
    }
    // Devices a known image needs even when Compose does not list them.
    for dev in profile.devices {
        if !svc.devices.iter().any(|d| d.source == *dev) {
            let vol = add_volume(
                pod,
                format!("dev-{}", dns_label(dev)),
                VolumeSource::HostPath {
                    path: dev.to_string(),
                    kind: device_path_type(dev),
                },
            );
            mount(
                pod,
                index,
                MountPlan {
                    volume: vol,
                    path: dev.to_string(),
                    sub_path: None,
                    read_only: false,
                },
            );
            pod.decide(
                "storage",
                format!("{}: device {dev}", svc.name),
                profile.security_reason,
            );
        }
    }
}
