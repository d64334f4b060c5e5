//! Backups: every detected database (PostgreSQL, MySQL/MariaDB, MongoDB, Redis) gets a
//! dump CronJob, a suspended restore Job and a restore drill; file volumes are listed as not
//! backed up, with what to use.

use crate::codes;
use crate::plan::{PodPlan, VolumeSource};
use crate::planner::Ctx;
use crate::production::{BackupClaimPlan, BackupPlan, DbEngine, NotBackedUp};
use homeport_compose::BackupHint;
use homeport_diag::Diagnostic;

pub const DEFAULT_SCHEDULE: &str = "0 2 * * *";
pub const DEFAULT_RETENTION_DAYS: u32 = 14;
/// Weekly, after the night's backup.
pub const DRILL_SCHEDULE: &str = "0 4 * * 0";
pub const CLAIM_NAME: &str = "backups";
pub const CLAIM_SIZE: &str = "20Gi";

/// The engine of an image family of the knowledge base.
pub fn engine_of(family: &str) -> Option<DbEngine> {
    let f = family.to_ascii_lowercase();
    if f.contains("postgres") {
        Some(DbEngine::Postgres)
    } else if f.contains("mysql") || f.contains("mariadb") {
        Some(DbEngine::MySql)
    } else if f.contains("mongo") {
        Some(DbEngine::Mongo)
    } else if f == "redis" {
        Some(DbEngine::Redis)
    } else {
        None
    }
}

pub struct Backups {
    pub backups: Vec<BackupPlan>,
    pub claims: Vec<BackupClaimPlan>,
    pub not_backed_up: Vec<NotBackedUp>,
}

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) -> Backups {
    let mut out = Backups {
        backups: Vec::new(),
        claims: Vec::new(),
        not_backed_up: Vec::new(),
    };
    let class = backup_class(cx);
    for pod in pods.iter_mut() {
        let Some(svc) = cx.project.services.get(&pod.service) else {
            continue;
        };
        let hint = cx.hints(svc).backup;
        let db = pod
            .containers
            .iter()
            .find_map(|c| engine_of(crate::images::lookup(&c.image).family).map(|e| (e, c)));
        let Some((engine, container)) = db else {
            if matches!(hint, Some(BackupHint::Schedule { .. })) {
                cx.push(
                    Diagnostic::warning(
                        codes::BACKUP_NOT_A_DATABASE,
                        format!("service `{}`: `x-homeport.backup` is set but it is not a database homeport can dump (PostgreSQL, MySQL/MariaDB, MongoDB, Redis)", svc.name),
                    )
                    .with_span_opt(svc.origin.field("x-homeport"))
                    .with_help("back its volumes up with Velero or k8up (restic), or storage snapshots"),
                );
            }
            let claims: Vec<String> = pod
                .volumes
                .iter()
                .filter_map(|v| match &v.source {
                    VolumeSource::Claim {
                        claim,
                        read_only: false,
                    } => Some(claim.clone()),
                    _ => None,
                })
                .chain(pod.claim_templates.iter().map(|t| t.name.clone()))
                .collect();
            for claim in claims {
                out.not_backed_up.push(NotBackedUp {
                    service: pod.service.clone(),
                    what: format!("volume {claim}"),
                    reason: "file data, not a database homeport can dump: back it up with Velero or k8up (restic), or the storage's snapshots".into(),
                });
            }
            continue;
        };
        let (schedule, retention) = match &hint {
            Some(BackupHint::Disabled(false)) => {
                pod.decide("backup", "none", "x-homeport.backup: false");
                out.not_backed_up.push(NotBackedUp {
                    service: pod.service.clone(),
                    what: format!("{} database", engine.as_str()),
                    reason: "x-homeport.backup: false".into(),
                });
                continue;
            }
            Some(BackupHint::Schedule {
                schedule,
                retention,
            }) => (
                schedule.clone().unwrap_or_else(|| DEFAULT_SCHEDULE.into()),
                retention.unwrap_or(DEFAULT_RETENTION_DAYS).max(1),
            ),
            _ => (DEFAULT_SCHEDULE.into(), DEFAULT_RETENTION_DAYS),
        };
        let port = pod
            .ports
            .first()
            .or_else(|| container.ports.first())
            .map_or(default_port(engine), |p| p.port);
        let target_port = pod
            .ports
            .iter()
            .find(|p| p.port == port)
            .map_or(port, |p| p.target);
        let plan = BackupPlan {
            target_port,
            pod: pod.name.clone(),
            namespace: pod.namespace.clone(),
            source: pod.source.clone(),
            engine,
            image: container.image.clone(),
            container: container.name.clone(),
            has_config_env: !container.config_env.is_empty(),
            has_secret_env: !container.secret_env.is_empty(),
            host: format!("{}.{}.svc", pod.name, pod.namespace),
            port,
            run_as_user: container
                .security
                .run_as_user
                .filter(|u| *u != 0)
                .unwrap_or(999),
            schedule: schedule.clone(),
            retention_days: retention,
            drill_schedule: DRILL_SCHEDULE.into(),
            claim: CLAIM_NAME.into(),
        };
        pod.decide(
            "backup",
            format!("{} daily dumps \"{schedule}\", {retention} days kept", engine.tool()),
            format!(
                "a {} database: CronJob {}-backup writes compressed dated dumps to claim `{CLAIM_NAME}`; Job {}-restore (suspended) restores the latest; CronJob {}-restore-drill {}",
                engine.as_str(), pod.name, pod.name, pod.name,
                match engine {
                    DbEngine::Postgres => "restores it weekly into a throw-away PostgreSQL in its own pod and checks it loads",
                    DbEngine::MySql => "restores it weekly into a throw-away MariaDB/MySQL in its own pod and checks it loads",
                    DbEngine::Redis => "loads it weekly in a throw-away Redis in its own pod",
                    // No throw-away mongod is started, and no test runs these scripts
                    // against a real MongoDB (it has no Debian package): say so.
                    DbEngine::Mongo => "only checks weekly that the latest archive decompresses completely and is not empty (no throw-away MongoDB: test a restore by hand)",
                }
            ),
        );
        if !out.claims.iter().any(|c| c.namespace == pod.namespace) {
            let (storage_class, shared) = class.clone();
            out.claims.push(BackupClaimPlan {
                name: CLAIM_NAME.into(),
                namespace: pod.namespace.clone(),
                access_mode: if shared {
                    "ReadWriteMany"
                } else {
                    "ReadWriteOnce"
                },
                reason: match &storage_class {
                    Some(c) => format!("backups.storage: class `{c}`"),
                    None => {
                        "the default storage class (no `backups.storage` in the inventory)".into()
                    }
                },
                storage_class,
                size: CLAIM_SIZE.into(),
            });
        }
        out.backups.push(plan);
    }
    out
}

fn default_port(engine: DbEngine) -> u16 {
    match engine {
        DbEngine::Postgres => 5432,
        DbEngine::MySql => 3306,
        DbEngine::Mongo => 27017,
        DbEngine::Redis => 6379,
    }
}

/// The class backup claims use and whether it is ReadWriteMany.
fn backup_class(cx: &mut Ctx) -> (Option<String>, bool) {
    let cluster = cx.cluster;
    match &cluster.backup_storage {
        Some(name) => match cluster.storage.iter().find(|s| &s.name == name) {
            Some(s) => (Some(s.name.clone()), s.is_shared()),
            None => {
                let names: Vec<&str> = cluster.storage.iter().map(|s| s.name.as_str()).collect();
                cx.push(
                    Diagnostic::warning(
                        codes::BACKUP_STORAGE_UNKNOWN,
                        format!("`backups.storage` names `{name}`, which is not a storage class of the inventory: backups use the default class"),
                    )
                    .with_help(format!("use one of: {}", names.join(", "))),
                );
                default_class(cluster)
            }
        },
        None => default_class(cluster),
    }
}

fn default_class(cluster: &crate::cluster::Cluster) -> (Option<String>, bool) {
    cluster
        .storage
        .iter()
        .find(|s| s.default)
        .map_or((None, false), |s| (Some(s.name.clone()), s.is_shared()))
}
