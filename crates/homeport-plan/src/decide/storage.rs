//! Storage: named volumes, bind mounts, tmpfs, secrets/configs files, devices.

use crate::cluster::{Provisioner, StorageClassDef};
use crate::codes;
use crate::decide::file_secrets;
use crate::facts::{is_host_system_path, HostFile, HostPathFacts, HostPathKind};
use crate::images::{ImageProfile, Role};
use crate::plan::*;
use crate::planner::{dns_label, Ctx};
use homeport_compose::{MountType, Service, VolumeMount};
use homeport_diag::Diagnostic;
use std::path::{Path, PathBuf};

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

/// The content of a Compose `secrets:`/`configs:` file, from the host facts.
fn host_file(cx: &Ctx, file: &str) -> Option<FileContent> {
    let path = host_path(cx, file);
    let facts = cx.facts.host_path(&path.to_string_lossy())?;
    if facts.kind != HostPathKind::File {
        return None;
    }
    facts.files.as_ref()?.first().map(|f| f.content.clone())
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
                // An anonymous volume at the image's data directory: Docker keeps it across
                // container restarts and re-creations, an emptyDir would not. A claim.
                None if profile
                    .data_dir
                    .is_some_and(|d| d.trim_end_matches('/') == target.trim_end_matches('/')) =>
                {
                    let volume = image_data_claim(cx, svc, profile, index, pod, claims, &target);
                    pod.decide(
                        "storage",
                        format!("{}: anonymous volume {target} -> volume `{volume}`", svc.name),
                        format!(
                            "{target} is where {} keeps its data; Docker keeps an anonymous volume across container re-creations, an emptyDir would lose it: a claim",
                            profile.family
                        ),
                    );
                }
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
                if crate::planner::is_docker_socket(src) {
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
    data_directory_settings(cx, svc, profile, index, pod);
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

/// A claim for a data directory the image declares as a volume that no Compose mount covers
/// (see `image_volumes`): handled as a named volume `data` of this service alone (another
/// name when the project already has a volume `data`), so it gets the same class, size and
/// workload rules as one written in Compose. Returns the volume's name.
pub(crate) fn image_data_claim(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    target: &str,
) -> String {
    let taken = |cx: &Ctx, n: &str| {
        cx.project.volumes.contains_key(n)
            || cx.volume_users.contains_key(n)
            || pod.volumes.iter().any(|v| v.name == dns_label(n))
            || pod.claim_templates.iter().any(|t| t.name == dns_label(n))
    };
    let mut name = "data".to_string();
    let mut n = 2;
    while taken(cx, &name) {
        name = format!("image-data-{n}");
        n += 1;
    }
    let m = VolumeMount {
        kind: MountType::Volume,
        source: Some(name.clone()),
        target: target.to_string(),
        read_only: false,
        subpath: None,
        options: Vec::new(),
        tmpfs_size_bytes: None,
        span: None,
    };
    named_volume(cx, svc, profile, index, pod, claims, &name, &m);
    name
}

/// A claim name for `origin` (a host path, `volume:<name>`) in `namespace`, from `base`:
/// `base` itself unless another origin already holds that name there (two different host
/// paths never share a claim), else `base-2`, `base-3`, ...
pub(crate) fn claim_name_for(cx: &mut Ctx, namespace: &str, base: &str, origin: &str) -> String {
    let clip = |s: String| -> String {
        s.chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string()
    };
    let mut name = clip(base.to_string());
    let mut n = 2;
    loop {
        match cx.claim_origins.get(&(namespace.to_string(), name.clone())) {
            None => {
                cx.claim_origins
                    .insert((namespace.to_string(), name.clone()), origin.to_string());
                return name;
            }
            Some(o) if o == origin => return name,
            Some(_) => {
                let suffix = format!("-{n}");
                let stem: String = base.chars().take(63 - suffix.len()).collect();
                name = format!("{}{suffix}", stem.trim_end_matches('-'));
                n += 1;
            }
        }
    }
}

/// Mount key `key` of the pod's `<pod>-secrets` Secret read-only at `path`.
fn mount_secret_file(pod: &mut PodPlan, index: usize, key: String, path: String) {
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
            path,
            sub_path: Some(key),
            read_only: true,
        },
    );
}

/// Secret values of the project, to find them inside configuration files: variables from
/// `.env` or the shell with secret-looking names, and secret-looking environment values.
fn known_secrets(cx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = cx
        .project
        .interpolated_secrets
        .iter()
        .map(|(_, v)| v.clone())
        .collect();
    for s in cx.project.services.values() {
        for (k, v) in &s.environment {
            if let Some(v) = &v.value {
                if crate::decide::environment::is_secret(k, v, &[]) && !v.starts_with('/') {
                    out.push(v.clone());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the application writes where this directory is mounted (its data or config
/// directory, or a path the knowledge base knows it writes): then the files seed a claim
/// instead of being mounted read-only.
fn app_writes_to(svc: &Service, profile: &ImageProfile, target: &str) -> bool {
    let target = target.trim_end_matches('/');
    let linuxserver = svc
        .image
        .as_deref()
        .is_some_and(|i| crate::images::repository(i).starts_with("linuxserver/"));
    profile.data_dir == Some(target)
        || profile.writable_paths.contains(&target)
        || (linuxserver && target == "/config")
}

/// Small files from the host (a file, or a directory of a few small files): a ConfigMap, or a
/// Secret when one holds a secret; a writable directory the application writes to becomes a
/// claim seeded from them on first start.
#[allow(clippy::too_many_arguments)]
fn host_files(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    m: &VolumeMount,
    path: &Path,
    facts: &HostPathFacts,
    files: &[HostFile],
) {
    let span = m.span.or(svc.origin.field("volumes"));
    let shown = display_path(cx, path);
    let known = known_secrets(cx);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let is_dir = facts.kind == HostPathKind::Directory;
    let seeded = is_dir && !m.read_only && app_writes_to(svc, profile, &m.target);
    let mut keys: Vec<SeedFile> = Vec::new();
    let mut secret_reasons: Vec<String> = Vec::new();
    for f in files {
        let secret = match &f.content {
            FileContent::Text(t) => file_secrets::secret_in(t, &known),
            FileContent::Binary(_) => None,
        };
        let key = file_key(pod, &f.name);
        let target = if is_dir {
            format!("{}/{}", m.target.trim_end_matches('/'), f.name)
        } else {
            m.target.clone()
        };
        match secret {
            Some(why) if !seeded => {
                let bytes = match &f.content {
                    FileContent::Text(t) => t.clone().into_bytes(),
                    FileContent::Binary(b) => b.clone(),
                };
                pod.secret_files.insert(key.clone(), bytes);
                mount_secret_file(pod, index, key.clone(), target);
                secret_reasons.push(format!("{} ({why})", f.name));
                pod.decide(
                    "storage",
                    format!(
                        "{}: {shown}{} -> Secret key {key}",
                        svc.name,
                        if is_dir {
                            format!("/{}", f.name)
                        } else {
                            String::new()
                        }
                    ),
                    format!("the file holds a secret ({why}): a Secret, never a ConfigMap"),
                );
            }
            Some(why) => {
                // A seeded directory: a Secret holds the file, the init step copies it.
                let bytes = match &f.content {
                    FileContent::Text(t) => t.clone().into_bytes(),
                    FileContent::Binary(b) => b.clone(),
                };
                pod.secret_files.insert(key.clone(), bytes);
                secret_reasons.push(format!("{} ({why})", f.name));
                let volume = add_volume(
                    pod,
                    "secrets".into(),
                    VolumeSource::Secret {
                        name: format!("{}-secrets", pod.name),
                    },
                );
                keys.push(SeedFile {
                    volume,
                    key,
                    name: f.name.clone(),
                });
            }
            None => {
                pod.config_files.insert(key.clone(), f.content.clone());
                if seeded {
                    let name = format!("{}-files", pod.name);
                    let volume = add_volume(
                        pod,
                        name.chars().take(63).collect(),
                        VolumeSource::ConfigMap { name },
                    );
                    keys.push(SeedFile {
                        volume,
                        key,
                        name: f.name.clone(),
                    });
                } else {
                    mount_config_file(pod, index, key.clone(), target);
                    if !is_dir {
                        pod.decide("storage", format!("{}: {shown} -> ConfigMap key {key}", svc.name), "a small configuration file: shipped as a ConfigMap so the pod can run on any node");
                    }
                }
            }
        }
    }
    if !secret_reasons.is_empty() {
        cx.push(
            Diagnostic::info(
                codes::BIND_AS_CONFIGMAP,
                format!(
                    "service `{}`: {shown} holds secrets ({}); it becomes Secret {}-secrets",
                    svc.name,
                    secret_reasons.join(", "),
                    pod.name
                ),
            )
            .with_span_opt(span),
        );
    }
    if seeded {
        let base = path.file_name().map_or_else(
            || "config".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let claim = claim_name_for(
            cx,
            &pod.namespace,
            &format!("{}-{}", pod.name, dns_label(&base)),
            &path.to_string_lossy(),
        );
        let class = class_by(cx, |s| s.default && !s.is_static())
            .or_else(|| class_by(cx, |s| !s.is_static()))
            .unwrap_or_else(|| "local-path".into());
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
                size: "1Gi".into(),
                volume_name: None,
                reason: format!(
                    "{shown}: the application writes there; seeded from its files on first start"
                ),
            });
        }
        pod.recreate = pod.workload == WorkloadKind::Deployment;
        mount_claim(pod, index, claim.clone(), claim.clone(), m, None);
        let volume = pod
            .volumes
            .iter()
            .find(|v| {
                v.source
                    == VolumeSource::Claim {
                        claim: claim.clone(),
                        read_only: false,
                    }
            })
            .map_or(claim.clone(), |v| v.name.clone());
        pod.seeds.push(SeedPlan {
            volume,
            files: keys,
            container: index,
        });
        cx.push(
            Diagnostic::info(
                codes::BIND_AS_CONFIGMAP,
                format!(
                    "service `{}`: {shown} becomes claim {claim}, seeded from its {} files on first start",
                    svc.name,
                    files.len()
                ),
            )
            .with_span_opt(span)
            .with_note("the application writes there, so a read-only ConfigMap would not do; the init step copies the files only into an empty claim, never over its data"),
        );
        pod.decide(
            "storage",
            format!("{}: {shown} -> claim {claim} (seeded, {} files)", svc.name, files.len()),
            "a configuration directory the application writes to: a claim, seeded from the files on first start (only when empty)",
        );
        return;
    }
    let in_configmap = files.len() - secret_reasons.len();
    if in_configmap > 0 {
        let mut d = Diagnostic::info(
            codes::BIND_AS_CONFIGMAP,
            if is_dir {
                format!(
                    "service `{}`: directory {shown} becomes ConfigMap {}-files",
                    svc.name, pod.name
                )
            } else {
                format!(
                    "service `{}`: {shown} becomes ConfigMap {}-files",
                    svc.name, pod.name
                )
            },
        )
        .with_span_opt(span);
        if !m.read_only {
            d = d
                .with_note("ConfigMap mounts are read-only; the service cannot change these files");
        }
        cx.push(d);
    }
    if is_dir && in_configmap > 0 {
        pod.decide(
            "storage",
            format!("{}: {shown} -> ConfigMap ({in_configmap} files)", svc.name),
            if m.read_only {
                "a read-only directory of small configuration files"
            } else {
                "a directory of small configuration files (the mount was writable; the application is not known to write there)"
            },
        );
    }
}

/// A host system path: a read-only hostPath for explained host agents, else left out. Never
/// read from the machine running homeport, never an empty claim.
fn system_path(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    m: &VolumeMount,
    path_str: &str,
) {
    let span = m.span.or(svc.origin.field("volumes"));
    let privileged = cx
        .hints(svc)
        .security
        .as_ref()
        .is_some_and(|h| h.level == homeport_compose::SecurityLevel::Privileged);
    if profile.host_agent || privileged {
        let vol = add_volume(
            pod,
            format!("host-{}", dns_label(path_str)),
            VolumeSource::HostPath {
                path: path_str.to_string(),
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
            Diagnostic::warning(codes::HOST_PATH_USED, format!("service `{}` reads the node's {path_str}: a read-only hostPath volume (privileged namespace)", svc.name))
                .with_span_opt(span)
                .with_help("host agents need host access; keep them in their own namespace"),
        );
        let why = if privileged {
            cx.hints(svc).security.map_or_else(String::new, |h| {
                format!("x-homeport.security: privileged ({})", h.reason)
            })
        } else {
            format!(
                "{} reads the host ({})",
                profile.family, profile.security_reason
            )
        };
        pod.decide(
            "storage",
            format!("{}: hostPath {path_str} (read-only)", svc.name),
            format!("{why}; the node's own file, read-only, in a namespace of its own level"),
        );
    } else {
        cx.push(
            Diagnostic::warning(codes::MOUNT_NOT_TRANSLATED, format!("service `{}` mounts the host's {path_str}; it is left out (a host system path is neither copied from this machine nor an empty claim)", svc.name))
                .with_span_opt(span)
                .with_help("add `x-homeport: {security: {level: privileged, reason: ...}}` if the service must read the node's file (a read-only hostPath), or remove the mount"),
        );
        pod.decide(
            "storage",
            format!("{}: {path_str} (left out)", svc.name),
            "a host system path: the file of the machine running homeport is the wrong file for the node, and an empty claim would hide the image's own",
        );
    }
}

/// A bind mount whose host path lies on a storage entry with `hostPaths` (a static share):
/// the application's own directory becomes its own PersistentVolume and claim (never one
/// disk-wide volume shared by every application: the kubelet applies one pod's `fsGroup` to
/// the whole volume).
#[allow(clippy::too_many_arguments)]
fn static_share(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
    m: &VolumeMount,
    src: &str,
    path_str: &str,
    storage: StorageClassDef,
    rel: String,
) {
    let span = m.span.or(svc.origin.field("volumes"));
    let base = if rel.is_empty() {
        dns_label(&storage.name)
    } else {
        dns_label(&format!("{}-{rel}", storage.name))
    };
    let claim = claim_name_for(cx, &pod.namespace, &base, path_str);
    let pv_name: String = format!("{}-{}", pod.namespace, claim)
        .chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string();
    let under = |root: Option<&String>| -> String {
        let root = root.map_or(String::new(), |r| r.trim_end_matches('/').to_string());
        if rel.is_empty() {
            if root.is_empty() {
                "/".into()
            } else {
                root
            }
        } else {
            format!("{root}/{rel}")
        }
    };
    if !claims
        .iter()
        .any(|c| c.name == claim && c.namespace == pod.namespace)
    {
        let capacity = storage.capacity.clone().unwrap_or_else(|| "100Gi".into());
        let (source, access) = match storage.provisioner {
            Provisioner::StaticLocal => (
                PersistentVolumeSource::Local {
                    path: if storage.path.is_some() {
                        under(storage.path.as_ref())
                    } else {
                        path_str.to_string()
                    },
                    node: storage.node.clone().unwrap_or_default(),
                },
                "ReadWriteOnce",
            ),
            _ => (
                PersistentVolumeSource::Nfs {
                    server: storage.server.clone().unwrap_or_default(),
                    path: under(storage.path.as_ref()),
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
                "{src} lives on the `{}` share ({}): its own PersistentVolume, used in place",
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
                        svc.name, profile.family, storage.name
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
    mount_claim(pod, index, claim.clone(), claim.clone(), m, None);
    pod.decide(
        "storage",
        format!("{}: {src} -> {claim}", svc.name),
        format!(
            "{src} is on the `{}` storage ({}): the directory itself is one PersistentVolume, so no other application's files are touched",
            storage.name,
            storage.provisioner.as_str()
        ),
    );
}

/// Record data already on the host that the container will use, for the security pass
/// (run as its owner, no `fsGroup` on it) and the image settings (no data directory moved).
fn carry_over(
    pod: &mut PodPlan,
    index: usize,
    m: &VolumeMount,
    path_str: &str,
    facts: Option<&HostPathFacts>,
) {
    let Some(f) = facts.filter(|f| f.holds_data() && f.kind == HostPathKind::Directory) else {
        return;
    };
    pod.carried_over.push(CarriedOver {
        container: index,
        target: m.target.trim_end_matches('/').to_string(),
        host_path: path_str.to_string(),
        uid: f.database.as_ref().and_then(|d| d.uid).or(f.uid),
        gid: f.database.as_ref().and_then(|d| d.gid).or(f.gid),
        database: f.database.clone(),
        span: m.span,
    });
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
    let facts = cx.facts.host_path(&path_str).cloned();

    // 1. Host system paths: never read from this machine, never an empty claim.
    if is_host_system_path(&path_str) {
        system_path(cx, svc, profile, index, pod, m, &path_str);
        return;
    }

    // 2. Under a storage entry's hostPaths: the directory's own static PersistentVolume.
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
        // A share is existing data by definition, even when this machine cannot see it
        // (owner unknown: no fsGroup on it).
        let seen = facts.as_ref().filter(|f| f.exists);
        match seen {
            Some(_) => carry_over(pod, index, m, &path_str, seen),
            None => pod.carried_over.push(CarriedOver {
                container: index,
                target: m.target.trim_end_matches('/').to_string(),
                host_path: path_str.clone(),
                uid: None,
                gid: None,
                database: None,
                span: m.span,
            }),
        }
        static_share(
            cx, svc, profile, index, pod, claims, pvs, m, src, &path_str, storage, rel,
        );
        return;
    }

    // 3. Small files (a file, or a directory of a few small files): ConfigMap or Secret.
    if let Some(f) = &facts {
        if let Some(files) = &f.files {
            host_files(cx, svc, profile, index, pod, claims, m, &path, f, files);
            return;
        }
    }

    // A missing file (the target names a file): nothing to ship, and a claim (a directory)
    // cannot be mounted over a file path.
    if facts.as_ref().is_none_or(|f| !f.exists) {
        let target_name = m.target.rsplit('/').next().unwrap_or("");
        let looks_like_file = target_name
            .rfind('.')
            .is_some_and(|i| i > 0 && i + 1 < target_name.len());
        if looks_like_file {
            let why = match &facts {
                None => "was not inspected".to_string(),
                Some(f) => match &f.error {
                    Some(e) => format!("could not be read ({e})"),
                    None => "does not exist".to_string(),
                },
            };
            cx.push(
                Diagnostic::warning(
                    codes::BIND_SOURCE_MISSING,
                    format!(
                        "service `{}`: bind-mounted file {} {why}; the mount is left out",
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
    carry_over(pod, index, m, &path_str, facts.as_ref());
    data_claim(
        cx,
        svc,
        profile,
        index,
        pod,
        claims,
        m,
        &path,
        facts.as_ref(),
    );
}

/// Anything else: a claim the host directory's data is copied into.
#[allow(clippy::too_many_arguments)]
fn data_claim(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
    m: &VolumeMount,
    path: &Path,
    facts: Option<&HostPathFacts>,
) {
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
    let shown = display_path(cx, path);
    let path_str = path.to_string_lossy().to_string();
    let span = m.span.or(svc.origin.field("volumes"));
    let migration = match facts {
        None => format!("{shown} was not inspected: copy its contents into it before starting the service"),
        Some(f) if f.error.is_some() => format!(
            "{shown} could not be inspected ({}): copy its contents into it before starting the service",
            f.error.as_deref().unwrap_or("")
        ),
        Some(f) if !f.holds_data() => format!("{shown} is empty or missing on this machine: the claim starts empty"),
        Some(_) => format!("copy the contents of {shown} into it before starting the service (keep owners: `cp -a`, `rsync -a`)"),
    };
    let bind_users = cx.bind_users.get(&path_str).cloned().unwrap_or_default();
    if bind_users.len() > 1 {
        // The same host directory in several pods: one shared claim, like a named volume.
        let rwx = class_by(cx, |s| s.provisioner == Provisioner::Nfs);
        let claim = claim_name_for(
            cx,
            &pod.namespace,
            &format!("{}-{vol_dns}", dns_label(&cx.project.name)),
            &path_str,
        );
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
        // Claim templates are per pod: names are unique among the pod's templates.
        let scope = format!("{}/{}", pod.namespace, pod.name);
        let name = claim_name_for(cx, &scope, &format!("data-{vol_dns}"), &path_str);
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
        let claim = claim_name_for(
            cx,
            &pod.namespace,
            &format!("{}-{vol_dns}", pod.name),
            &path_str,
        );
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
    let empty = facts.is_some_and(|f| f.error.is_none() && !f.holds_data());
    if empty {
        cx.push(
            Diagnostic::info(codes::BIND_NEEDS_MIGRATION, format!("service `{}`: bind mount {shown} (empty here) becomes an empty PersistentVolumeClaim ({class})", svc.name))
                .with_span_opt(span),
        );
    } else {
        cx.push(
            Diagnostic::warning(codes::BIND_NEEDS_MIGRATION, format!("service `{}`: bind mount {shown} becomes a PersistentVolumeClaim ({class}); its data is not copied", svc.name))
                .with_span_opt(span)
                .with_help(migration.clone()),
        );
    }
    pod.decide(
        "storage",
        format!("{}: {shown} -> claim ({class})", svc.name),
        if empty {
            format!("a host directory without data: {migration}")
        } else {
            format!("host directory with data: {migration}")
        },
    );
}

fn secrets_and_configs(cx: &mut Ctx, svc: &Service, index: usize, pod: &mut PodPlan) {
    for r in &svc.secrets {
        let Some(def) = cx.project.secrets.get(&r.source) else {
            continue;
        };
        let content: Option<Vec<u8>> = if let Some(c) = &def.content {
            Some(c.clone().into_bytes())
        } else if let Some(f) = &def.file {
            host_file(cx, f).map(|c| match c {
                FileContent::Text(t) => t.into_bytes(),
                FileContent::Binary(b) => b,
            })
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
            host_file(cx, f)
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
        // A Compose config holding a secret is a Secret, never a ConfigMap.
        let secret = match &content {
            FileContent::Text(t) => {
                let known = known_secrets(cx);
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                file_secrets::secret_in(t, &known)
            }
            FileContent::Binary(_) => None,
        };
        match secret {
            Some(why) => {
                let bytes = match content {
                    FileContent::Text(t) => t.into_bytes(),
                    FileContent::Binary(b) => b,
                };
                pod.secret_files.insert(key.clone(), bytes);
                mount_secret_file(pod, index, key.clone(), r.target.clone());
                pod.decide(
                    "secrets",
                    format!("{}: config {} -> Secret key {key}", svc.name, r.source),
                    format!("the config holds a secret ({why}): a Secret, never a ConfigMap"),
                );
            }
            None => {
                pod.config_files.insert(key.clone(), content);
                mount_config_file(pod, index, key, r.target.clone());
            }
        }
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

/// The knowledge base's data-directory settings (`PGDATA=/var/lib/postgresql/data/pgdata`)
/// are for new, empty volumes: on a host directory that already holds data they would point
/// the image at a new, empty directory beside the real data. Then the setting follows the
/// data (the sub-directory holding the database files) or is left out.
pub fn data_directory_settings(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
) {
    let Some(data_dir) = profile.data_dir else {
        return;
    };
    for (key, value) in profile.env {
        let Some(rel) = value.strip_prefix(&format!("{data_dir}/")) else {
            continue;
        };
        if svc.environment.contains_key(*key) {
            continue;
        }
        let Some(m) = svc
            .volumes
            .iter()
            .find(|m| m.target.trim_end_matches('/') == data_dir)
        else {
            continue;
        };
        if m.kind != MountType::Bind {
            continue; // a new claim: empty
        }
        let Some(src) = &m.source else { continue };
        let path = host_path(cx, src);
        let facts = cx.facts.host_path(&path.to_string_lossy());
        let shown = display_path(cx, &path);
        let (new_value, why) = match facts {
            Some(f) if f.error.is_none() && !f.holds_data() => continue,
            Some(f) if f.error.is_none() => match &f.database {
                Some(d) if d.at == rel => continue,
                Some(d) if d.at.is_empty() => (
                    None,
                    format!("{shown} already holds a {} data directory at its top", d.engine.as_str()),
                ),
                Some(d) => (
                    Some(format!("{data_dir}/{}", d.at)),
                    format!("{shown} holds its {} data in {}/", d.engine.as_str(), d.at),
                ),
                None => (None, format!("{shown} already holds files")),
            },
            _ => (
                None,
                format!("{shown} was not inspected: it may hold data, so the image keeps its own default"),
            ),
        };
        let Some(c) = pod.containers.get_mut(index) else {
            continue;
        };
        let injected = format!("{}: {key}={value}", svc.name);
        pod.decisions
            .retain(|d| !(d.topic == "environment" && d.value == injected));
        match new_value {
            Some(v) => {
                c.config_env.insert(key.to_string(), v.clone());
                pod.decide(
                    "environment",
                    format!("{}: {key}={v}", svc.name),
                    format!("{why}: the setting points at the existing data, never at a new empty directory"),
                );
            }
            None => {
                c.config_env.shift_remove(*key);
                pod.decide(
                    "environment",
                    format!("{}: {key} not set", svc.name),
                    format!("{why}: `{key}={value}` is only for new, empty volumes (it would start an empty database beside the existing one)"),
                );
            }
        }
    }
}
