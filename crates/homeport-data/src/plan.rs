//! What `homeport data plan` lists: for every mount of a Compose bind path or named volume
//! that became a claim, where the data is now (source) and where it goes (destination), how
//! to move it, and for databases the dump, restore and row-count commands.
//!
//! Pure: built from the Compose project and the homeport plan only. Sizes, file counts and
//! free space are measured separately ([`measure`]) and shown beside it.

use crate::db::{self, Engine};
use homeport_compose::{MountType, Project};
use homeport_plan::plan::{PersistentVolumeSource, PodPlan, VolumeSource, WorkloadKind};
use homeport_plan::Plan;
use std::path::PathBuf;

/// Where the data is on the Docker host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Bind { path: PathBuf },
    NamedVolume { name: String, path: PathBuf },
}

impl Source {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Source::Bind { path } | Source::NamedVolume { path, .. } => path,
        }
    }
}

/// Where it goes in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A static NFS PersistentVolume: mount the export and copy into it.
    Nfs {
        pv: String,
        server: String,
        path: String,
        sub_path: Option<String>,
    },
    /// A static local PersistentVolume: a directory on `node`.
    Local {
        pv: String,
        node: String,
        path: String,
        sub_path: Option<String>,
    },
    /// A claim from a dynamic provisioner: filled through a receiver pod.
    Claim {
        claim: Claim,
        sub_path: Option<String>,
    },
}

/// A claim to create (when it is a StatefulSet's, the receiver creates it first) or use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub namespace: String,
    pub name: String,
    pub storage_class: Option<String>,
    pub access_mode: String,
    pub size: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The mount's path inside the container.
    pub target: String,
    pub source: Source,
    pub destination: Destination,
    /// The owner the files get in the cluster (`--chown`), when the pod's user is known.
    pub chown: Option<(u32, u32)>,
    /// This mount is the database's data directory: moved by dump and restore.
    pub database_data: bool,
    /// The source path, when it is under a static storage entry's `hostPaths`: on the Docker
    /// host it may already be the share's (or the node's) directory its PersistentVolume holds.
    pub in_place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMoves {
    pub service: String,
    pub namespace: String,
    pub pod: String,
    pub workload: WorkloadKind,
    /// The Compose container (`container_name`, else `<project>-<service>-1`).
    pub container: String,
    pub moves: Vec<Move>,
    pub database: Option<Engine>,
}

impl ServiceMoves {
    /// `kubectl exec` target: `statefulset/NAME`, `deployment/NAME`, ...
    pub fn kubectl_target(&self) -> String {
        format!("{}/{}", self.workload.as_str().to_lowercase(), self.pod)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataPlan {
    pub services: Vec<ServiceMoves>,
}

/// Build the data plan.
pub fn plan(project: &Project, plan: &Plan) -> DataPlan {
    let mut out = DataPlan::default();
    for pod in &plan.pods {
        for container in &pod.containers {
            let Some(svc) = project.services.get(&container.service) else {
                continue;
            };
            let image = svc.image.clone().unwrap_or_default();
            let profile = homeport_plan::images::lookup(&image);
            let engine = db::engine(profile.family);
            let mut moves = Vec::new();
            for m in &container.mounts {
                let Some(destination) = destination(plan, pod, &m.volume, m.sub_path.clone())
                else {
                    continue;
                };
                let Some(source) = source(project, svc, &m.path) else {
                    continue;
                };
                let chown = container.security.run_as_user.map(|u| {
                    (
                        u,
                        pod.fs_group
                            .or(container.security.run_as_group)
                            .unwrap_or(u),
                    )
                });
                let database_data = engine.is_some()
                    && engine != Some(Engine::Redis)
                    && profile.data_dir.is_some_and(|d| {
                        m.path.trim_end_matches('/') == d
                            || d.starts_with(&format!("{}/", m.path.trim_end_matches('/')))
                    });
                let in_place = match (&source, &destination) {
                    (
                        Source::Bind { path },
                        Destination::Nfs { .. } | Destination::Local { .. },
                    ) => plan
                        .cluster
                        .storage
                        .iter()
                        .flat_map(|s| s.host_paths.iter())
                        .any(|hp| path.starts_with(hp.trim_end_matches('/')))
                        // Each host directory is its own PersistentVolume: the bind path
                        // itself is what the export holds.
                        .then(|| path.display().to_string()),
                    _ => None,
                };
                moves.push(Move {
                    in_place,
                    target: m.path.clone(),
                    source,
                    destination,
                    chown,
                    database_data,
                });
            }
            if moves.is_empty() && engine.is_none() {
                continue;
            }
            out.services.push(ServiceMoves {
                service: svc.name.clone(),
                namespace: pod.namespace.clone(),
                pod: pod.name.clone(),
                workload: pod.workload,
                container: svc
                    .container_name
                    .clone()
                    .unwrap_or_else(|| format!("{}-{}-1", project.name, svc.name)),
                moves,
                database: engine,
            });
        }
    }
    out
}

/// The Compose source mounted at `target` in `svc`: a bind path or a named volume.
fn source(project: &Project, svc: &homeport_compose::Service, target: &str) -> Option<Source> {
    let m = svc.volumes.iter().find(|v| v.target == target)?;
    let src = m.source.as_ref()?;
    match m.kind {
        MountType::Bind => Some(Source::Bind {
            path: project.working_dir.join(src),
        }),
        MountType::Volume => {
            let vol = project.volumes.get(src);
            let name = vol.map(|v| v.name.clone()).unwrap_or_else(|| src.clone());
            // A local volume bound to a host directory keeps its data there.
            let device = vol.and_then(|v| {
                let bind = v
                    .driver_opts
                    .get("o")
                    .is_some_and(|o| o.split(',').any(|x| x == "bind"));
                bind.then(|| v.driver_opts.get("device").cloned()).flatten()
            });
            let path = match device {
                Some(d) => PathBuf::from(d),
                None => PathBuf::from(format!("/var/lib/docker/volumes/{name}/_data")),
            };
            Some(Source::NamedVolume { name, path })
        }
        _ => None,
    }
}

/// Where pod volume `volume` keeps its data, when it is a claim (or a claim template).
fn destination(
    plan: &Plan,
    pod: &PodPlan,
    volume: &str,
    sub_path: Option<String>,
) -> Option<Destination> {
    if let Some(t) = pod.claim_templates.iter().find(|t| t.name == volume) {
        return Some(Destination::Claim {
            claim: Claim {
                namespace: pod.namespace.clone(),
                name: format!("{}-{}-0", t.name, pod.name),
                storage_class: Some(t.storage_class.clone()),
                access_mode: "ReadWriteOnce".into(),
                size: t.size.clone(),
            },
            sub_path,
        });
    }
    let claim_name = pod
        .volumes
        .iter()
        .find(|v| v.name == volume)
        .and_then(|v| match &v.source {
            VolumeSource::Claim { claim, .. } => Some(claim.clone()),
            _ => None,
        })?;
    let claim = plan
        .claims
        .iter()
        .find(|c| c.name == claim_name && c.namespace == pod.namespace)?;
    if let Some(pv) = claim
        .volume_name
        .as_ref()
        .and_then(|n| plan.persistent_volumes.iter().find(|p| &p.name == n))
    {
        return Some(match &pv.source {
            PersistentVolumeSource::Nfs { server, path } => Destination::Nfs {
                pv: pv.name.clone(),
                server: server.clone(),
                path: path.clone(),
                sub_path,
            },
            PersistentVolumeSource::Local { path, node } => Destination::Local {
                pv: pv.name.clone(),
                node: node.clone(),
                path: path.clone(),
                sub_path,
            },
        });
    }
    Some(Destination::Claim {
        claim: Claim {
            namespace: claim.namespace.clone(),
            name: claim.name.clone(),
            storage_class: claim.storage_class.clone(),
            access_mode: claim.access_mode.to_string(),
            size: claim.size.clone(),
        },
        sub_path,
    })
}

/// Files and bytes under `path` (symlinks not followed); `None` when it cannot be read.
pub fn measure(path: &std::path::Path) -> Option<(u64, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() {
        return Some((1, meta.len()));
    }
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let Ok(m) = entry.metadata() else { continue };
            if m.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                if m.is_file() {
                    bytes += m.len();
                }
            }
        }
    }
    Some((files, bytes))
}
