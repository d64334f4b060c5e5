//! Security context per container (restricted by default, the image knowledge base for
//! images that need more, `x-homeport.security` for explained host couplings) and the
//! namespaces with their Pod Security level.

use crate::codes;
use crate::facts::UserFact;
use crate::images::{ImageProfile, ImageUser};
use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::{SecurityLevel, Service};
use homeport_diag::Diagnostic;

/// Capabilities the Pod Security baseline level allows adding: the same table the linter's
/// PSS004 control checks. It is also Docker's default set minus NET_RAW, so a root container
/// keeps what it had under Docker.
pub use homeport_pss::BASELINE_CAPABILITIES as BASELINE_CAPS;

fn normalize_cap(cap: &str) -> String {
    let up = cap.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// uid/gid from Compose `user:` (`1000`, `1000:1000`, well-known names); `None` for names
/// that cannot be resolved offline.
fn parse_user(user: &str, profile: &ImageProfile) -> Option<(u32, Option<u32>)> {
    let (u, g) = user
        .split_once(':')
        .map_or((user, None), |(u, g)| (u, Some(g)));
    let uid = match u.parse::<u32>() {
        Ok(n) => n,
        Err(_) => match u {
            "root" => 0,
            "nobody" => 65534,
            "www-data" => 33,
            "node" => 1000,
            "nginx" => 101,
            _ => match profile.user {
                ImageUser::NonRoot { uid, .. } => uid,
                _ => return None,
            },
        },
    };
    let gid = g.and_then(|g| {
        g.parse::<u32>()
            .ok()
            .or(if g == "root" { Some(0) } else { None })
    });
    Some((uid, gid))
}

/// Who the container runs as, from (in this order) Compose `user:`, the knowledge base, the
/// image's own config (registry facts); never `runAsNonRoot: true` without a numeric uid
/// (the kubelet refuses a root or named image user then: CreateContainerConfigError).
fn decide_user(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    sec: &mut ContainerSecurity,
    level: &mut SecurityLevel,
    reasons: &mut Vec<String>,
    pod: &mut PodPlan,
) {
    let hints = cx.hints(svc);
    let hinted = hints.security.as_ref();
    let facts = crate::planner::image_facts(cx, svc);
    let image = svc.image.as_deref().unwrap_or("(built locally)");
    let compose_user = svc.user.as_deref().map(|u| (u, parse_user(u, profile)));
    // A Compose user name the image's /etc/passwd gives a uid to.
    let compose_named = compose_user.and_then(|(u, parsed)| {
        if parsed.is_some() {
            return None;
        }
        let name = u.split(':').next().unwrap_or(u);
        let ids = facts
            .filter(|f| f.user_fact() == UserFact::Named(name))
            .and_then(|f| f.user_ids);
        Some((u, ids))
    });
    match (compose_user, compose_named) {
        (Some((_, Some((0, _)))), _) => {
            *level = (*level).max(SecurityLevel::Baseline);
            reasons.push("Compose sets `user: root`".into());
            return;
        }
        (Some((u, Some((uid, gid)))), _) => {
            sec.run_as_user = Some(uid);
            sec.run_as_group = gid;
            sec.run_as_non_root = true;
            reasons.push(format!("Compose sets `user: {u}`"));
            return;
        }
        (_, Some((u, Some((uid, gid))))) if uid != 0 => {
            sec.run_as_user = Some(uid);
            sec.run_as_group = Some(gid);
            sec.run_as_non_root = true;
            reasons.push(format!(
                "Compose sets `user: {u}`, uid {uid} gid {gid} in the image's /etc/passwd"
            ));
            return;
        }
        (_, Some((u, Some(_)))) => {
            root_as_docker(sec, level);
            reasons.push(format!(
                "Compose sets `user: {u}`, uid 0 in the image's /etc/passwd: Docker's default capabilities minus NET_RAW (baseline)"
            ));
            return;
        }
        (_, Some((u, None))) => {
            named_user_unresolved(cx, svc, level, reasons, u, "Compose `user:`");
            return;
        }
        _ => {}
    }
    match profile.user {
        ImageUser::NonRoot { uid, gid } => {
            sec.run_as_user = Some(uid);
            sec.run_as_group = Some(gid);
            sec.run_as_non_root = true;
            reasons.push(profile.security_reason.to_string());
            if let Some(g) = profile.fs_group {
                pod.fs_group.get_or_insert(g);
            }
            return;
        }
        ImageUser::Root { caps } => {
            *level = (*level).max(SecurityLevel::Baseline);
            for c in caps {
                if !sec.cap_add.iter().any(|x| x == c) {
                    sec.cap_add.push(c.to_string());
                }
            }
            reasons.push(profile.security_reason.to_string());
            if let Some(g) = profile.fs_group {
                pod.fs_group.get_or_insert(g);
            }
            return;
        }
        ImageUser::Unknown => {}
    }
    if hinted.is_some_and(|h| h.level > SecurityLevel::Restricted) {
        *level = (*level).max(SecurityLevel::Baseline);
        for c in BASELINE_CAPS {
            sec.cap_add.push(c.to_string());
        }
        reasons.push(format!(
            "x-homeport.security allows root: Docker's default capabilities (without NET_RAW) are kept ({})",
            hinted.map_or("", |h| h.reason.as_str())
        ));
        return;
    }
    let Some(facts) = facts else {
        // Nothing states the user: it may be root or a name, so runAsNonRoot would stop the
        // container from starting. Keep the image's own user, as under Docker.
        root_as_docker(sec, level);
        reasons.push(format!(
            "the user of image `{image}` is unknown (not in the knowledge base, no registry facts): it runs as the image's own user with Docker's default capabilities minus NET_RAW (baseline); runAsNonRoot is not set because the kubelet refuses it for a root or named user"
        ));
        cx.push(
            Diagnostic::info(
                codes::UNKNOWN_IMAGE_NON_ROOT,
                format!(
                    "service `{}`: the user of image `{image}` is unknown; it runs as the image's own user (baseline, not restricted)",
                    svc.name
                ),
            )
            .with_span_opt(svc.origin.field("image"))
            .with_help("run `homeport images` to read the image's config from its registry, or set `user: \"UID:GID\"` for restricted"),
        );
        return;
    };
    match facts.user_fact() {
        UserFact::Numeric { uid, gid } => {
            let (gid, gid_why) = match gid {
                Some(g) => (g, String::new()),
                None => match facts.user_ids {
                    Some((_, g)) => (g, " (its group from the image's /etc/passwd)".to_string()),
                    None => (
                        uid,
                        " (no group stated and none in its /etc/passwd: the same number)"
                            .to_string(),
                    ),
                },
            };
            sec.run_as_user = Some(uid);
            sec.run_as_group = Some(gid);
            sec.run_as_non_root = true;
            reasons.push(format!(
                "the image's config runs as uid {uid}{gid_why}: restricted with runAsUser {uid}, runAsGroup {gid}"
            ));
        }
        UserFact::Named(name) => match facts.user_ids {
            Some((uid, gid)) if uid != 0 => {
                sec.run_as_user = Some(uid);
                sec.run_as_group = Some(gid);
                sec.run_as_non_root = true;
                reasons.push(format!(
                    "the image's config runs as `{name}`, uid {uid} gid {gid} in its /etc/passwd: restricted with runAsUser {uid}"
                ));
            }
            Some(_) => image_root(cx, svc, sec, level, reasons),
            None => {
                let name = name.to_string();
                named_user_unresolved(cx, svc, level, reasons, &name, "the image's config");
            }
        },
        UserFact::Root => image_root(cx, svc, sec, level, reasons),
    }
}

/// A root container kept as under Docker: Docker's default capabilities minus NET_RAW, the
/// baseline level.
fn root_as_docker(sec: &mut ContainerSecurity, level: &mut SecurityLevel) {
    *level = (*level).max(SecurityLevel::Baseline);
    for c in BASELINE_CAPS {
        if !sec.cap_add.iter().any(|x| x == c) {
            sec.cap_add.push(c.to_string());
        }
    }
}

fn image_root(
    cx: &mut Ctx,
    svc: &Service,
    sec: &mut ContainerSecurity,
    level: &mut SecurityLevel,
    reasons: &mut Vec<String>,
) {
    root_as_docker(sec, level);
    reasons.push(
        "the image's config runs as root and the knowledge base knows no other uid it works as: it keeps its own user with Docker's default capabilities minus NET_RAW (baseline); runAsNonRoot would stop it from starting"
        .to_string(),
    );
    cx.push(
        Diagnostic::info(
            codes::IMAGE_RUNS_AS_ROOT,
            format!(
                "service `{}`: image `{}` runs as root; it keeps its user (baseline, not restricted)",
                svc.name,
                svc.image.as_deref().unwrap_or("")
            ),
        )
        .with_span_opt(svc.origin.field("image"))
        .with_help("if it works as another user, set `user: \"UID:GID\"` for restricted"),
    );
}

fn named_user_unresolved(
    cx: &mut Ctx,
    svc: &Service,
    level: &mut SecurityLevel,
    reasons: &mut Vec<String>,
    name: &str,
    from: &str,
) {
    // Not root, so no capability is needed; but without a number the kubelet cannot check
    // runAsNonRoot, and restricted requires it.
    *level = (*level).max(SecurityLevel::Baseline);
    reasons.push(format!(
        "{from} names the user `{name}`, whose uid could not be read (not in the knowledge base or the image's /etc/passwd): runAsNonRoot is not set because the kubelet refuses it for a named user (baseline)"
    ));
    cx.push(
        Diagnostic::info(
            codes::IMAGE_NAMED_USER,
            format!(
                "service `{}`: user `{name}` has no known uid; runAsNonRoot is not set (baseline, not restricted)",
                svc.name
            ),
        )
        .with_span_opt(svc.origin.field("user").or(svc.origin.field("image")))
        .with_help(format!("set `user: \"UID:GID\"` with `{name}`'s numbers for restricted")),
    );
}

/// `ipc: host` on an image that only needs a large /dev/shm (knowledge base), without an
/// explicit privileged hint: the storage pass mounts a memory emptyDir at /dev/shm instead.
pub fn ipc_host_replaced_by_shm(cx: &Ctx, svc: &Service, profile: &ImageProfile) -> bool {
    svc.ipc.as_deref() == Some("host")
        && profile.host_ipc_optional.is_some()
        && cx.hints(svc).security.as_ref().map(|h| h.level) != Some(SecurityLevel::Privileged)
}

/// Decide one container's security context and raise the pod's level as needed.
pub fn container(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
) {
    let hints = cx.hints(svc);
    let hinted = hints.security.as_ref();
    let hint_level = hinted.map(|h| h.level);
    let mut sec = ContainerSecurity::default();
    let mut level = SecurityLevel::Restricted;
    let mut reasons: Vec<String> = Vec::new();
    // Couplings the user wrote that need an explained level (KB-explained ones excepted).
    let mut unexplained: Vec<String> = Vec::new();

    // --- user ---
    decide_user(cx, svc, profile, &mut sec, &mut level, &mut reasons, pod);

    // --- capabilities from Compose ---
    for cap in &svc.cap_add {
        let cap = normalize_cap(cap);
        if let Some((_, why)) = profile.optional_caps.iter().find(|(c, _)| *c == cap) {
            cx.push(
                Diagnostic::info(codes::CAPABILITY_DROPPED, format!("service `{}`: `cap_add: {cap}` is dropped", svc.name))
                    .with_span_opt(svc.origin.field("cap_add"))
                    .with_note(*why)
                    .with_help("to keep it, add `x-homeport: {security: {level: privileged, reason: ...}}` and the capability stays"),
            );
            if hint_level != Some(SecurityLevel::Privileged) {
                continue;
            }
        }
        if cap == "ALL" {
            unexplained.push("cap_add: ALL".into());
            continue;
        }
        let explained_by_kb =
            matches!(profile.user, ImageUser::Root { caps } if caps.contains(&cap.as_str()));
        if !BASELINE_CAPS.contains(&cap.as_str()) {
            level = level.max(SecurityLevel::Privileged);
            if !explained_by_kb {
                unexplained.push(format!("cap_add: {cap}"));
            }
        } else if cap != "NET_BIND_SERVICE" {
            level = level.max(SecurityLevel::Baseline);
        }
        if !sec.cap_add.contains(&cap) {
            sec.cap_add.push(cap);
        }
    }
    if sec
        .cap_add
        .iter()
        .any(|c| !BASELINE_CAPS.contains(&c.as_str()))
    {
        level = level.max(SecurityLevel::Privileged);
    }
    // Ports below 1024 need NET_BIND_SERVICE once every capability is dropped.
    let binds_low = pod
        .containers
        .get(index)
        .is_some_and(|c| c.ports.iter().any(|p| p.target < 1024));
    if binds_low
        && !sec.cap_add.iter().any(|c| c == "NET_BIND_SERVICE")
        && (sec.run_as_user.is_none() || !sec.run_as_non_root)
    {
        sec.cap_add.push("NET_BIND_SERVICE".into());
        reasons.push("listens on a port below 1024: NET_BIND_SERVICE".into());
    }
    sec.cap_add.sort();
    sec.cap_add.dedup();

    // --- supplementary groups (`group_add`) ---
    // Numbers become the pod's supplementalGroups (the host's `render` or `video` group for
    // /dev/dri, a NAS share's group); names mean nothing outside the image's /etc/group.
    if let Some(groups) = svc.other.get("group_add").and_then(|v| v.as_array()) {
        let mut names = Vec::new();
        for g in groups {
            let text = match g {
                serde_json::Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            };
            match text.parse::<u32>() {
                Ok(gid) => {
                    if !pod.supplemental_groups.contains(&gid) {
                        pod.supplemental_groups.push(gid);
                    }
                }
                Err(_) => names.push(text),
            }
        }
        pod.supplemental_groups.sort_unstable();
        if !pod.supplemental_groups.is_empty() {
            reasons.push(format!(
                "group_add: supplementalGroups {:?}",
                pod.supplemental_groups
            ));
        }
        if !names.is_empty() {
            cx.push(
                Diagnostic::warning(
                    codes::KEY_NOT_TRANSLATED,
                    format!(
                        "service `{}`: `group_add` names {} are not translated: Kubernetes takes numeric group ids only",
                        svc.name,
                        names.join(", ")
                    ),
                )
                .with_span_opt(svc.origin.field("group_add"))
                .with_help("use the group's number on the node (`getent group render` prints it)"),
            );
        }
    }

    // --- privileged and host namespaces ---
    if svc.privileged {
        level = SecurityLevel::Privileged;
        sec.privileged = true;
        unexplained.push("privileged: true".into());
    }
    // Host device nodes (the storage pass mounted them, explained) other than those every
    // container may open are refused by the runtime's device rules unless the container is
    // privileged: Compose's `devices:` grants that access, so the translation must too.
    let host_devices: Vec<String> = pod
        .containers
        .get(index)
        .into_iter()
        .flat_map(|c| c.mounts.iter())
        .filter_map(|m| pod.volumes.iter().find(|v| v.name == m.volume))
        .filter_map(|v| match &v.source {
            VolumeSource::HostPath { path, .. }
                if path.starts_with("/dev/")
                    && !crate::decide::storage::RUNTIME_ALLOWED_DEVICES
                        .contains(&path.as_str()) =>
            {
                Some(path.clone())
            }
            _ => None,
        })
        .collect();
    if !host_devices.is_empty() && !sec.privileged {
        level = SecurityLevel::Privileged;
        sec.privileged = true;
        reasons.push(format!(
            "host device {} is only usable by a privileged container (the runtime's device rules refuse it otherwise; a device plugin would avoid this)",
            host_devices.join(", ")
        ));
    }
    match svc.network_mode.as_deref() {
        Some("host")
            if profile.host_network_optional.is_some()
                && hint_level != Some(SecurityLevel::Privileged) =>
        {
            let why = profile.host_network_optional.unwrap_or("");
            cx.push(
                Diagnostic::info(codes::HOST_NETWORK_DROPPED, format!("service `{}`: `network_mode: host` is dropped; the pod uses the cluster network", svc.name))
                    .with_span_opt(svc.origin.field("network_mode"))
                    .with_note(why)
                    .with_help("to keep the host network, add `x-homeport: {security: {level: privileged, reason: ...}}`"),
            );
            reasons.push(why.to_string());
        }
        Some("host") => {
            level = SecurityLevel::Privileged;
            pod.host_network = true;
            if !profile.host_agent {
                unexplained.push("network_mode: host".into());
            }
        }
        Some("none") | Some("bridge") | Some("default") | None => {}
        Some(m) if m.starts_with("service:") || m.starts_with("container:") => {}
        Some(other) => {
            cx.push(
                Diagnostic::info(codes::NETWORK_MODE_OTHER, format!("service `{}`: `network_mode: {other}` is not translated; the pod uses the cluster network", svc.name))
                    .with_span_opt(svc.origin.field("network_mode")),
            );
        }
    }
    if svc.pid.as_deref() == Some("host") {
        level = SecurityLevel::Privileged;
        pod.host_pid = true;
        if !profile.host_agent {
            unexplained.push("pid: host".into());
        }
    }
    if svc.ipc.as_deref() == Some("host") && ipc_host_replaced_by_shm(cx, svc, profile) {
        let why = profile.host_ipc_optional.unwrap_or("");
        cx.push(
            Diagnostic::info(codes::HOST_IPC_DROPPED, format!("service `{}`: `ipc: host` is dropped; /dev/shm is a memory-backed emptyDir", svc.name))
                .with_span_opt(svc.origin.field("ipc"))
                .with_note(why)
                .with_help("to keep the host IPC namespace, add `x-homeport: {security: {level: privileged, reason: ...}}`"),
        );
        reasons.push(why.to_string());
    } else if svc.ipc.as_deref() == Some("host") {
        level = SecurityLevel::Privileged;
        pod.host_ipc = true;
        unexplained.push("ipc: host".into());
    }
    // Devices that became hostPath volumes (storage pass) need privileged.
    let has_host_path = pod
        .volumes
        .iter()
        .any(|v| matches!(v.source, VolumeSource::HostPath { .. }));
    if has_host_path {
        level = SecurityLevel::Privileged;
    }

    // --- sysctls ---
    for (k, v) in &svc.sysctls {
        // The target version decides: newer releases allow more sysctls (the linter's table).
        let version = homeport_pss::Version::parse(&cx.cluster.kubernetes_version)
            .unwrap_or(homeport_pss::Version::new(1, 33));
        if homeport_pss::is_safe_sysctl(k, version) {
            if !pod.sysctls.iter().any(|(x, _)| x == k) {
                pod.sysctls.push((k.clone(), v.clone()));
            }
        } else if level == SecurityLevel::Privileged && is_namespaced_sysctl(k) {
            // The privileged level allows any sysctl; a namespaced one only needs the kubelet
            // to allow it (a VPN's net.ipv4.conf.all.src_valid_mark).
            if !pod.sysctls.iter().any(|(x, _)| x == k) {
                pod.sysctls.push((k.clone(), v.clone()));
            }
            cx.push(
                Diagnostic::warning(codes::UNSAFE_SYSCTL, format!("service `{}`: sysctl `{k}` is kept (namespaced, privileged namespace); the kubelet must allow it or the pod is rejected", svc.name))
                    .with_span_opt(svc.origin.field("sysctls"))
                    .with_help(format!("start the kubelet with `--allowed-unsafe-sysctls={k}` (k3s: `--kubelet-arg=allowed-unsafe-sysctls={k}`) on the nodes that run it")),
            );
            pod.decide(
                "sysctls",
                format!("{}: {k}={v}", svc.name),
                "a namespaced sysctl, allowed at the privileged level; the kubelet's allowed-unsafe-sysctls list must name it",
            );
        } else {
            cx.push(
                Diagnostic::warning(codes::UNSAFE_SYSCTL, format!("service `{}`: sysctl `{k}` is not safe in Kubernetes and is left out", svc.name))
                    .with_span_opt(svc.origin.field("sysctls"))
                    .with_help("allow it on the node with the kubelet's --allowed-unsafe-sysctls and add it to the pod by hand, or set it on the host"),
            );
        }
    }

    // --- explained? ---
    if !unexplained.is_empty() {
        match hint_level {
            Some(SecurityLevel::Privileged) => {
                reasons.push(format!(
                    "x-homeport.security: privileged ({})",
                    hinted.map_or("", |h| h.reason.as_str())
                ));
            }
            Some(l) => {
                cx.push(
                    Diagnostic::error(
                        codes::SECURITY_HINT_TOO_LOW,
                        format!(
                            "service `{}` needs the privileged Pod Security level ({}) but x-homeport.security says {}",
                            svc.name,
                            unexplained.join(", "),
                            level_str(l)
                        ),
                    )
                    .with_span_opt(svc.origin.field("x-homeport"))
                    .with_help("set `level: privileged` with a reason, or remove the host coupling"),
                );
            }
            None => {
                cx.push(
                    Diagnostic::error(
                        codes::HOST_COUPLING_UNEXPLAINED,
                        format!(
                            "service `{}` couples to the host ({}), which is only translated with an explicit security level",
                            svc.name,
                            unexplained.join(", ")
                        ),
                    )
                    .with_span_opt(
                        ["privileged", "network_mode", "pid", "ipc", "cap_add"]
                            .iter()
                            .find_map(|f| svc.origin.fields.get(*f).copied())
                            .or(svc.origin.key),
                    )
                    .with_label("host coupling")
                    .with_help(format!(
                        "remove it, or add `x-homeport: {{security: {{level: privileged, reason: \"why {} needs the host\"}}}}`; the service then gets its own privileged namespace",
                        svc.name
                    )),
                );
            }
        }
    } else if let Some(l) = hint_level {
        if l > level {
            reasons.push(format!(
                "x-homeport.security raises the level to {}",
                level_str(l)
            ));
            level = l;
        }
    }

    // --- read-only root filesystem ---
    if svc.read_only {
        sec.read_only_root = true;
        reasons.push("read_only: true in Compose".into());
    } else if profile.read_only_root {
        sec.read_only_root = true;
        reasons.push(format!(
            "{} copes with a read-only root filesystem given writable emptyDirs for {}",
            profile.family,
            if profile.writable_paths.is_empty() {
                "nothing".to_string()
            } else {
                profile.writable_paths.join(", ")
            }
        ));
    } else {
        pod.notes.push(format!(
            "{}: root filesystem left writable: {} is not known to cope with a read-only one",
            svc.name,
            family_label(profile)
        ));
    }
    if sec.read_only_root {
        let existing: Vec<String> = pod.containers.get(index).map_or(Vec::new(), |c| {
            c.mounts.iter().map(|m| m.path.clone()).collect()
        });
        for (i, path) in profile.writable_paths.iter().enumerate() {
            if existing.iter().any(|p| p == path) {
                continue;
            }
            let vol = format!(
                "{}-writable-{i}",
                pod.containers.get(index).map_or("c", |c| c.name.as_str())
            );
            let vol: String = vol.chars().take(63).collect();
            pod.volumes.push(PodVolume {
                name: vol.clone(),
                source: VolumeSource::EmptyDir {
                    memory: false,
                    size_limit: None,
                },
            });
            if let Some(c) = pod.containers.get_mut(index) {
                c.mounts.push(MountPlan {
                    volume: vol,
                    path: path.to_string(),
                    sub_path: None,
                    read_only: false,
                });
            }
        }
    }

    // Explained exceptions to the linters' defaults.
    if !sec.run_as_non_root {
        pod.except(
            "run-as-root-allowed",
            format!(
                "{}: {}",
                svc.name,
                reasons.first().cloned().unwrap_or_default()
            ),
        );
    }
    if !sec.read_only_root {
        pod.except(
            "writable-root-filesystem",
            format!(
                "{}: {} is not known to cope with a read-only root filesystem",
                svc.name,
                family_label(profile)
            ),
        );
    }
    // Why this container needs the host: the user's explained hint, else the knowledge base.
    let host_reason =
        hinted.map_or_else(|| profile.security_reason.to_string(), |h| h.reason.clone());
    if sec.privileged {
        // A privileged container has every capability and may escalate: the three findings
        // are one decision.
        for rule in [
            "privileged-mode",
            "privilege-escalation-enabled",
            "net-raw-not-dropped",
        ] {
            pod.except(rule, format!("{}: privileged ({host_reason})", svc.name));
        }
    }
    if pod.host_network {
        pod.except("host-network", format!("{}: {host_reason}", svc.name));
    }
    if pod.host_pid {
        pod.except(
            "host-pid",
            format!("{}: a host agent ({})", svc.name, profile.security_reason),
        );
    }
    if pod
        .volumes
        .iter()
        .any(|v| matches!(v.source, VolumeSource::HostPath { .. }))
    {
        pod.except(
            "sensitive-host-mount",
            format!("{}: {host_reason}", svc.name),
        );
    }
    if let Some(p) = pod
        .containers
        .get(index)
        .and_then(|c| c.ports.iter().find(|p| p.target < 1024))
    {
        pod.except(
            "privileged-port",
            format!("{}: the image listens on port {}", svc.name, p.target),
        );
    }

    carried_over_ownership(cx, svc, profile, index, pod, &mut sec, &mut reasons);

    let summary = if sec.privileged {
        "privileged".to_string()
    } else if sec.run_as_non_root {
        match sec.run_as_user {
            Some(u) => format!("non-root uid {u}, drop ALL{}", caps_suffix(&sec.cap_add)),
            None => format!(
                "non-root (image user), drop ALL{}",
                caps_suffix(&sec.cap_add)
            ),
        }
    } else {
        format!("root, drop ALL{}", caps_suffix(&sec.cap_add))
    };
    pod.decide(
        "security",
        format!("{}: {} ({})", svc.name, level_str(level), summary),
        reasons.join("; "),
    );
    pod.level = pod.level.max(level);
    if let Some(c) = pod.containers.get_mut(index) {
        c.security = sec;
    }
}

/// How reasons name an image family (`the image` when it is not in the knowledge base).
fn family_label(profile: &ImageProfile) -> &'static str {
    if profile.role == crate::images::Role::Unknown {
        "the image"
    } else {
        profile.family
    }
}

fn caps_suffix(caps: &[String]) -> String {
    if caps.is_empty() {
        String::new()
    } else {
        format!(", add {}", caps.join(","))
    }
}

/// Namespaces and their Pod Security level; privileged pods get their own namespace.
pub fn assign_namespaces(
    cx: &mut Ctx,
    pods: &mut [PodPlan],
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
) -> Vec<NamespacePlan> {
    // Move privileged pods out of shared default namespaces.
    let default_ns = crate::planner::dns_label(&cx.project.name);
    let shared_count = pods.iter().filter(|p| p.namespace == default_ns).count();
    for pod in pods.iter_mut() {
        let hinted_ns = cx
            .project
            .services
            .get(&pod.service)
            .is_some_and(|s| cx.hints(s).namespace.is_some());
        if pod.level == SecurityLevel::Privileged
            && pod.namespace == default_ns
            && shared_count > 1
            && !hinted_ns
        {
            let ns: String = format!("{}-{}", default_ns, pod.name)
                .chars()
                .take(63)
                .collect();
            let ns = ns.trim_end_matches('-').to_string();
            let span = cx
                .project
                .services
                .get(&pod.service)
                .and_then(|s| s.origin.key);
            cx.push(
                Diagnostic::info(
                    codes::PRIVILEGED_NAMESPACE,
                    format!("service `{}` needs the privileged Pod Security level; it gets its own namespace `{ns}` so the others stay restricted/baseline", pod.service),
                )
                .with_span_opt(span),
            );
            // One decision per field: the namespace decided here replaces the default.
            pod.decisions.retain(|d| d.topic != "namespace");
            pod.decide("namespace", &ns, "privileged pods get their own namespace rather than lowering everyone else's Pod Security level");
            pod.namespace = ns;
        }
    }
    reconcile_claims(cx, pods, claims, pvs);
    let mut out: Vec<NamespacePlan> = Vec::new();
    for pod in pods.iter() {
        match out.iter_mut().find(|n| n.name == pod.namespace) {
            Some(ns) => {
                if pod.level > ns.level {
                    ns.level = pod.level;
                    ns.reason = format!("`{}` needs {}", pod.service, level_str(pod.level));
                }
            }
            None => out.push(NamespacePlan {
                name: pod.namespace.clone(),
                level: pod.level,
                reason: if pod.level == SecurityLevel::Restricted {
                    "every pod meets restricted".to_string()
                } else {
                    format!("`{}` needs {}", pod.service, level_str(pod.level))
                },
            }),
        }
    }
    for ns in &mut out {
        if ns.level == SecurityLevel::Restricted {
            ns.reason = "every pod meets restricted".to_string();
        } else {
            ns.reason = format!("the strictest level all its pods meet: {}", ns.reason);
        }
    }
    if out.is_empty() {
        out.push(NamespacePlan {
            name: default_ns,
            level: SecurityLevel::Restricted,
            reason: "no pods".into(),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// After namespaces are final: one claim per (namespace, claim name) its pods use. Static
/// shares get one PersistentVolume per namespace; a dynamic claim used from two namespaces
/// cannot be shared and is reported.
fn reconcile_claims(
    cx: &mut Ctx,
    pods: &[PodPlan],
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
) {
    let mut used: Vec<(&str, &str, &str)> = Vec::new();
    for pod in pods {
        for v in &pod.volumes {
            if let VolumeSource::Claim { claim, .. } = &v.source {
                if !used
                    .iter()
                    .any(|(n, c, _)| *n == pod.namespace && c == claim)
                {
                    used.push((pod.namespace.as_str(), claim.as_str(), pod.name.as_str()));
                }
            }
        }
    }
    let mut out: Vec<ClaimPlan> = Vec::new();
    let mut new_pvs: Vec<PersistentVolumePlan> = Vec::new();
    for (ns, claim, pod) in &used {
        let template = claims
            .iter()
            .find(|c| c.name == *claim && c.namespace == *ns)
            .or_else(|| claims.iter().find(|c| c.name == *claim));
        let Some(template) = template else { continue };
        let mut c = template.clone();
        if c.namespace != *ns {
            if let Some(volume) = &template.volume_name {
                let name: String = format!("{ns}-{claim}").chars().take(63).collect();
                let name = name.trim_end_matches('-').to_string();
                if let Some(pv) = pvs.iter().find(|p| &p.name == volume) {
                    let mut pv = pv.clone();
                    pv.name = name.clone();
                    pv.claim_namespace = ns.to_string();
                    pv.claim_name = claim.to_string();
                    new_pvs.push(pv);
                }
                c.volume_name = Some(name);
            } else if used.iter().any(|(n, c2, _)| n != ns && c2 == claim) {
                cx.push(
                    Diagnostic::warning(
                        codes::MOUNT_NOT_TRANSLATED,
                        format!(
                            "volume claim `{claim}` is used from namespaces {} and {ns}: a claim cannot be shared across namespaces, so each gets its own (empty) claim",
                            template.namespace
                        ),
                    )
                    .with_help("keep the services in one namespace (x-homeport.namespace), or put the data on a static NFS share (cluster.yaml storage hostPaths)"),
                );
            }
            c.namespace = ns.to_string();
        }
        if !pods
            .iter()
            .any(|p| p.name == c.owner && p.namespace == c.namespace)
        {
            c.owner = pod.to_string();
        }
        out.push(c);
    }
    let mut kept: Vec<PersistentVolumePlan> = pvs
        .iter()
        .filter(|p| {
            out.iter().any(|c| {
                c.volume_name.as_deref() == Some(p.name.as_str())
                    && c.namespace == p.claim_namespace
            })
        })
        .cloned()
        .collect();
    for pv in new_pvs {
        if !kept.iter().any(|p| p.name == pv.name) {
            kept.push(pv);
        }
    }
    *claims = out;
    *pvs = kept;
}

/// Data carried over from the host keeps its owner: the container runs as that owner when the
/// image can (a non-root image, not pinned by Compose `user:`; the owner of a database's
/// data directory is authoritative), and `fsGroup` is never set on data whose group it is
/// not (the kubelet would change the group and mode of every file on mount).
fn carried_over_ownership(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
    sec: &mut ContainerSecurity,
    reasons: &mut Vec<String>,
) {
    let mine: Vec<&CarriedOver> = pod
        .carried_over
        .iter()
        .filter(|c| c.container == index)
        .collect();
    let owner = mine
        .iter()
        .find(|c| c.database.is_some())
        .or_else(|| mine.first())
        .and_then(|c| c.uid.map(|u| (u, c.gid, c.host_path.clone(), c.span)));
    let image_can = svc.user.is_none()
        && sec.run_as_non_root
        && !sec.privileged
        && !matches!(profile.user, ImageUser::Root { .. });
    if let (Some((uid, gid, host, _)), true) = (owner.clone(), image_can) {
        if uid != 0 && sec.run_as_user != Some(uid) {
            sec.run_as_user = Some(uid);
            sec.run_as_group = gid.or(sec.run_as_group);
            reasons.push(format!(
                "runs as uid {uid}{}: the owner of the existing data in {host}",
                gid.map_or(String::new(), |g| format!(" gid {g}"))
            ));
        }
    }
    if let (Some((0, _, host, span)), Some(user)) =
        (owner, sec.run_as_user.filter(|_| sec.run_as_non_root))
    {
        let group = sec.run_as_group.unwrap_or(user);
        cx.push(
            Diagnostic::warning(
                codes::DATA_OWNER_MISMATCH,
                format!(
                    "service `{}`: the existing data in {host} is owned by root, but the container runs as uid {user}",
                    svc.name
                ),
            )
            .with_span_opt(span.or(svc.origin.field("volumes")))
            .with_note("fsGroup is not used on existing data: it would change the group and mode of every file")
            .with_help(format!("hand the data to the container's user before starting it: `chown -R {user}:{group} {host}`")),
        );
    }
    let Some(group) = pod.fs_group else {
        return;
    };
    let foreign: Vec<String> = pod
        .carried_over
        .iter()
        .filter(|c| c.gid != Some(group))
        .map(|c| {
            format!(
                "{} (group {})",
                c.host_path,
                c.gid.map_or("unknown".to_string(), |g| g.to_string())
            )
        })
        .collect();
    if !foreign.is_empty() {
        pod.fs_group = None;
        pod.decide(
            "security",
            format!("{}: no fsGroup", svc.name),
            format!(
                "fsGroup {group} would make the kubelet change the group and mode of every file of the existing data in {}; the files keep their owner",
                foreign.join(", ")
            ),
        );
    }
}

/// Sysctls the kernel keeps per network/IPC namespace (settable for one pod); others are
/// node-wide and never set from a pod.
fn is_namespaced_sysctl(name: &str) -> bool {
    name.starts_with("net.")
        || name.starts_with("kernel.shm")
        || name.starts_with("kernel.msg")
        || name == "kernel.sem"
        || name.starts_with("fs.mqueue.")
}
