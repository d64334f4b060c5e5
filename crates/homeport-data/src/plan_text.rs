//! `homeport data plan` as text: per service, each source and destination with its size,
//! file count and free space, and the exact commands that move and verify it.

use crate::db::{one_line, sh_quote};
use crate::plan::{DataPlan, Destination, Move, ServiceMoves, Source};
use crate::progress::human_bytes;
use crate::receiver;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;

/// What was measured outside the plan: (files, bytes) per source path; free bytes per
/// destination path reachable from here.
#[derive(Debug, Default)]
pub struct Measured {
    pub sources: HashMap<PathBuf, (u64, u64)>,
    pub free: HashMap<String, u64>,
}

/// Measure every source (files, bytes) and the free space of every destination path that
/// exists on this host.
pub fn measure(plan: &DataPlan) -> Measured {
    let mut measured = Measured::default();
    for m in plan.services.iter().flat_map(|s| s.moves.iter()) {
        let src = m.source.path().to_path_buf();
        if let std::collections::hash_map::Entry::Vacant(slot) = measured.sources.entry(src) {
            if let Some(found) = crate::plan::measure(slot.key()) {
                slot.insert(found);
            }
        }
        if let Some(p) = destination_path(&m.destination) {
            if std::path::Path::new(&p).is_dir() {
                if let Some(free) = crate::preflight::free_bytes(std::path::Path::new(&p)) {
                    measured.free.insert(p, free);
                }
            }
        }
    }
    measured
}

/// A receiver manifest to write: file name (under `receivers/`) and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverFile {
    pub name: String,
    pub content: String,
}

/// The receivers the plan needs (one per claim).
pub fn receivers(plan: &DataPlan) -> Vec<ReceiverFile> {
    let mut out: Vec<ReceiverFile> = Vec::new();
    for s in &plan.services {
        for m in &s.moves {
            if let Destination::Claim { claim, .. } = &m.destination {
                let name = format!("{}-{}.yaml", claim.namespace, claim.name);
                if out.iter().any(|r| r.name == name) {
                    continue;
                }
                // The claim comes with the receiver (the tree's apply later finds it in place,
                // and a StatefulSet adopts its claim by name).
                out.push(ReceiverFile {
                    name,
                    content: receiver::manifest(claim, receiver::owner(m)),
                });
            }
        }
    }
    out
}

/// A file-name-safe label for a mount.
fn label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

pub fn manifest_name(s: &ServiceMoves, m: &Move) -> String {
    format!("{}-{}.manifest", s.service, label(&m.target))
}

fn dest_path(base: &str, sub: &Option<String>) -> String {
    match sub {
        Some(sub) => format!("{}/{}", base.trim_end_matches('/'), sub),
        None => base.to_string(),
    }
}

/// The local path of a destination, when it has one (for the free-space check).
pub fn destination_path(d: &Destination) -> Option<String> {
    match d {
        Destination::Local { path, sub_path, .. } => Some(dest_path(path, sub_path)),
        Destination::Nfs { path, .. } => Some(path.clone()),
        Destination::Claim { .. } => None,
    }
}

/// Shell commands that move one mount's data and verify it.
pub fn copy_commands(s: &ServiceMoves, m: &Move, receivers_dir: &str) -> Vec<String> {
    let src = sh_quote(&m.source.path().to_string_lossy());
    let manifest = manifest_name(s, m);
    let chown = m
        .chown
        .map(|(u, g)| format!(" --chown {u}:{g}"))
        .unwrap_or_default();
    match &m.destination {
        Destination::Local {
            node,
            path,
            sub_path,
            ..
        } => vec![format!(
            "homeport data send {src} --manifest {manifest} | ssh {node} homeport data receive {} --manifest {manifest}{chown}",
            sh_quote(&dest_path(path, sub_path))
        )],
        Destination::Nfs {
            pv,
            server,
            path,
            sub_path,
        } => {
            let mnt = format!("/mnt/homeport/{pv}");
            vec![
                format!("mkdir -p {mnt} && mount -t nfs {server}:{path} {mnt}"),
                format!(
                    "homeport data copy {src} {} --manifest {manifest}{chown}",
                    sh_quote(&dest_path(&mnt, sub_path))
                ),
                format!("umount {mnt}"),
            ]
        }
        Destination::Claim { claim, sub_path } => {
            let pod = receiver::pod_name(claim);
            let ns = &claim.namespace;
            let (u, g) = receiver::owner(m);
            let dst = dest_path("/data", sub_path);
            vec![
                format!("kubectl apply -f {receivers_dir}/{ns}-{}.yaml", claim.name),
                format!("kubectl -n {ns} wait --for=condition=Ready pod/{pod} --timeout=10m"),
                format!("kubectl -n {ns} cp \"$(command -v homeport)\" {pod}:{}", receiver::BINARY),
                format!(
                    "homeport data send {src} --manifest {manifest} | kubectl -n {ns} exec -i {pod} -- {} data receive {} --manifest /tmp/{manifest} --chown {u}:{g}",
                    receiver::BINARY,
                    sh_quote(&dst)
                ),
                format!("kubectl -n {ns} delete pod {pod}"),
            ]
        }
    }
}

fn describe_source(src: &Source, measured: &Measured) -> String {
    let size = match measured.sources.get(src.path()) {
        Some((files, bytes)) => format!("{files} files, {}", human_bytes(*bytes)),
        None => "not readable from here".to_string(),
    };
    match src {
        Source::Bind { path } => format!("bind {}  ({size})", path.display()),
        Source::NamedVolume { name, path } => {
            format!("volume {name} at {}  ({size})", path.display())
        }
    }
}

fn describe_destination(d: &Destination, measured: &Measured) -> String {
    let free = |p: &str| match measured.free.get(p) {
        Some(f) => format!("{} free", human_bytes(*f)),
        None => "free space: not reachable from here".to_string(),
    };
    match d {
        Destination::Local { pv, node, path, sub_path } => format!(
            "PersistentVolume {pv}: local {} on node {node}  ({})",
            dest_path(path, sub_path),
            free(&dest_path(path, sub_path))
        ),
        Destination::Nfs { pv, server, path, sub_path } => format!(
            "PersistentVolume {pv}: NFS {server}:{}  ({})",
            dest_path(path, sub_path),
            free(path)
        ),
        Destination::Claim { claim, sub_path } => format!(
            "claim {}/{}{} ({}, {}, {}), filled by a receiver pod  (free space: `df -h /data` in the receiver)",
            claim.namespace,
            claim.name,
            sub_path.as_ref().map(|s| format!(" subPath {s}")).unwrap_or_default(),
            claim.storage_class.as_deref().unwrap_or("default class"),
            claim.access_mode,
            claim.size
        ),
    }
}

/// `docker exec` and `kubectl exec` command lines for one database step.
pub fn db_commands(s: &ServiceMoves) -> Option<Vec<(String, String)>> {
    let engine = s.database?;
    let docker = |script: &str| {
        format!(
            "docker exec -i {} sh -c {}",
            s.container,
            sh_quote(&one_line(script))
        )
    };
    let kube = |script: &str| {
        format!(
            "kubectl -n {} exec -i {} -- sh -c {}",
            s.namespace,
            s.kubectl_target(),
            sh_quote(&one_line(script))
        )
    };
    let file = engine.dump_file(&s.service);
    let mut steps = Vec::new();
    match engine.restore_script() {
        Some(restore) => {
            steps.push(("dump".into(), format!("{} > {file}", docker(&engine.dump_script()))));
            steps.push(("restore".into(), format!("{} < {file}", kube(&restore))));
        }
        None => steps.push((
            "save".into(),
            format!(
                "{}   # then stop the service: its data directory (with the RDB file) is copied below",
                docker(&engine.dump_script())
            ),
        )),
    }
    let counts = engine.counts_script();
    steps.push((
        "verify".into(),
        format!(
            "diff <({}) <({}) && echo \"{}: row counts match\"",
            docker(&counts),
            kube(&counts),
            s.service
        ),
    ));
    Some(steps)
}

/// The whole plan as text.
pub fn render(plan: &DataPlan, measured: &Measured, receivers_dir: &str) -> String {
    let mut out = String::new();
    if plan.services.is_empty() {
        out.push_str("no bind mounts, volumes or databases to move\n");
        return out;
    }
    let mut seen: HashMap<(PathBuf, String), String> = HashMap::new();
    for s in &plan.services {
        let _ = writeln!(
            out,
            "service {}  (namespace {}, {}, Compose container {})",
            s.service,
            s.namespace,
            s.kubectl_target(),
            s.container
        );
        if let (Some(engine), Some(steps)) = (s.database, db_commands(s)) {
            let how = if engine.restore_script().is_some() {
                "logical dump from the running Compose container, restore into the cluster's, then per-table row counts on both sides"
            } else {
                "SAVE in the running Compose container, the data directory moves as files, then keys per database on both sides"
            };
            let _ = writeln!(out, "  database: {} - {how}", engine.name());
            for (step, cmd) in steps {
                let _ = writeln!(out, "    {step:<8} {cmd}");
            }
        }
        for m in &s.moves {
            let _ = writeln!(out, "  {}", m.target);
            let _ = writeln!(out, "    from  {}", describe_source(&m.source, measured));
            let _ = writeln!(
                out,
                "    to    {}",
                describe_destination(&m.destination, measured)
            );
            let key = (
                m.source.path().to_path_buf(),
                describe_destination(&m.destination, &Measured::default()),
            );
            if let Some(first) = seen.get(&key) {
                let _ = writeln!(out, "    same data as service {first} above: copied once");
                continue;
            }
            seen.insert(key, s.service.clone());
            if let Some(host_path) = &m.in_place {
                let hint = match &m.destination {
                    Destination::Local { node, path, .. } => format!(
                        "already in place when this Docker host is node {node} ({host_path} is {path} there): nothing to copy; otherwise stream it to the node:"
                    ),
                    Destination::Nfs { server, path, .. } => format!(
                        "already on the share when {host_path} is this host's mount of {server}:{path}: nothing to copy; if it is a local disk, copy it onto the share:"
                    ),
                    Destination::Claim { .. } => String::new(),
                };
                let _ = writeln!(out, "    how   {hint}");
            } else if m.database_data {
                let _ = writeln!(
                    out,
                    "    how   by the dump and restore above; only with the Compose service stopped and the same major version in the cluster, copy the data directory instead:"
                );
            } else if m.chown.is_none() && matches!(m.destination, Destination::Claim { .. }) {
                let (u, g) = receiver::DEFAULT_OWNER;
                let _ = writeln!(
                    out,
                    "    note  the workload's user is unknown: the receiver writes the files as {u}:{g}; if the image runs as another user (`docker exec {} id`), use its uid:gid in --chown and in the receiver's runAsUser, runAsGroup and fsGroup",
                    s.container
                );
            }
            for cmd in copy_commands(s, m, receivers_dir) {
                let _ = writeln!(out, "      {cmd}");
            }
        }
        out.push('\n');
    }
    out
}
