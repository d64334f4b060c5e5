//! Backup objects: per database a dump CronJob, a suspended restore Job and a restore drill
//! CronJob, all on the database's image with its credentials (its `<container>-env`
//! ConfigMap and Secret), and the namespace's backup claim.
//!
//! The shell scripts read everything from the environment (`DB_HOST`, `DB_PORT`,
//! `BACKUP_DIR`, `RETENTION_DAYS` and the image's own variables such as `POSTGRES_USER`), so
//! they run unchanged against any server (tests run them against a real PostgreSQL).

use crate::meta;
use homeport_plan::cluster::{format_cpu_millis, format_memory_bytes};
use homeport_plan::{
    BackupClaimPlan, BackupPlan, DbEngine, MountPlan, Plan, VolumeSource,
    BACKUP_JOB_CPU_LIMIT_MILLIS, BACKUP_JOB_CPU_REQUEST_MILLIS, BACKUP_JOB_MEMORY_LIMIT_BYTES,
    BACKUP_JOB_MEMORY_REQUEST_BYTES,
};
use serde_json::{json, Value};

/// Where the backup claim is mounted in the jobs.
pub const MOUNT: &str = "/backup";

const PG_BACKUP: &str = r#"set -eu
umask 077
mkdir -p "$BACKUP_DIR"
if [ -z "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"; fi
export PGPASSWORD="${POSTGRES_PASSWORD:-}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
pg_dump --host="$DB_HOST" --port="$DB_PORT" --username="$user" --dbname="$db" --format=custom --compress=6 --file="$BACKUP_DIR/.partial.dump"
mv "$BACKUP_DIR/.partial.dump" "$BACKUP_DIR/$db-$stamp.dump"
find "$BACKUP_DIR" -maxdepth 1 -type f -name '*.dump' -mtime +"$RETENTION_DAYS" -exec rm -f {} +
echo "backed up $db to $BACKUP_DIR/$db-$stamp.dump"
"#;

const PG_RESTORE: &str = r#"set -eu
latest="${RESTORE_FILE:-$(ls -1 "$BACKUP_DIR"/*.dump 2>/dev/null | sort | tail -n 1)}"
[ -n "$latest" ] && [ -f "$latest" ] || { echo "no dump in $BACKUP_DIR" >&2; exit 1; }
if [ -z "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"; fi
export PGPASSWORD="${POSTGRES_PASSWORD:-}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
pg_restore --host="$DB_HOST" --port="$DB_PORT" --username="$user" --dbname="$db" --clean --if-exists --no-owner --exit-on-error "$latest"
echo "restored $latest into $db"
"#;

/// Restores the latest dump into a PostgreSQL started in this pod, on a scratch directory,
/// and checks that it loads and has tables.
const PG_DRILL: &str = r#"set -eu
latest="$(ls -1 "$BACKUP_DIR"/*.dump 2>/dev/null | sort | tail -n 1)"
[ -n "$latest" ] || { echo "restore drill: no dump in $BACKUP_DIR" >&2; exit 1; }
work="$DRILL_DIR/drill-$$"
mkdir -p "$work"
initdb --pgdata="$work/data" --username=drill --auth=trust >/dev/null
pg_ctl --pgdata="$work/data" --log="$work/log" --wait --options="-c listen_addresses='' -c unix_socket_directories=$work -c port=$DRILL_PORT" start >/dev/null
trap 'pg_ctl --pgdata="$work/data" --mode=immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
createdb --host="$work" --port="$DRILL_PORT" --username=drill drill
pg_restore --host="$work" --port="$DRILL_PORT" --username=drill --dbname=drill --no-owner --no-privileges --exit-on-error "$latest"
tables="$(psql --host="$work" --port="$DRILL_PORT" --username=drill --dbname=drill -Atc "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")"
[ "$tables" -gt 0 ] || { echo "restore drill: $latest restored no tables" >&2; exit 1; }
echo "restore drill: $latest loads ($tables tables)"
"#;

/// The image's credentials, from the variables or their `*_FILE` variants (a Compose secret
/// mounted as a file: the jobs mount the database's secret files at the same paths).
const MYSQL_CREDENTIALS: &str = r#"for v in MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD MARIADB_PASSWORD MYSQL_PASSWORD MARIADB_USER MYSQL_USER MARIADB_DATABASE MYSQL_DATABASE; do
  eval "value=\${$v:-} file=\${${v}_FILE:-}"
  if [ -z "$value" ] && [ -n "$file" ]; then value="$(cat "$file")"; eval "$v=\$value"; fi
done
root_pw="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"
if [ -n "$root_pw" ]; then user=root; export MYSQL_PWD="$root_pw"; else user="${MARIADB_USER:-${MYSQL_USER:-root}}"; export MYSQL_PWD="${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}"; fi
db="${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}"
"#;

const MYSQL_BACKUP: &str = r#"dump="$(command -v mariadb-dump || command -v mysqldump)"
if [ "$user" = root ] || [ -z "$db" ]; then what=--all-databases; else what="--databases $db"; fi
"$dump" --host="$DB_HOST" --port="$DB_PORT" --user="$user" --single-transaction --routines --events $what --result-file="$BACKUP_DIR/.partial.sql"
gzip -f "$BACKUP_DIR/.partial.sql"
mv "$BACKUP_DIR/.partial.sql.gz" "$BACKUP_DIR/mysql-$stamp.sql.gz"
find "$BACKUP_DIR" -maxdepth 1 -type f -name '*.sql.gz' -mtime +"$RETENTION_DAYS" -exec rm -f {} +
"#;

const MYSQL_RESTORE: &str = r#"echo "restoring $latest (${db:-all databases}: the dump names its databases)"
client="$(command -v mariadb || command -v mysql)"
gunzip -c "$latest" | "$client" --host="$DB_HOST" --port="$DB_PORT" --user="$user"
"#;

const MONGO_BACKUP: &str = r#"if [ -z "${MONGO_INITDB_ROOT_USERNAME:-}" ] && [ -n "${MONGO_INITDB_ROOT_USERNAME_FILE:-}" ]; then MONGO_INITDB_ROOT_USERNAME="$(cat "$MONGO_INITDB_ROOT_USERNAME_FILE")"; fi
if [ -z "${MONGO_INITDB_ROOT_PASSWORD:-}" ] && [ -n "${MONGO_INITDB_ROOT_PASSWORD_FILE:-}" ]; then MONGO_INITDB_ROOT_PASSWORD="$(cat "$MONGO_INITDB_ROOT_PASSWORD_FILE")"; fi
auth=""
[ -n "${MONGO_INITDB_ROOT_USERNAME:-}" ] && auth="--username=$MONGO_INITDB_ROOT_USERNAME --password=$MONGO_INITDB_ROOT_PASSWORD --authenticationDatabase=admin"
mongodump --host="$DB_HOST" --port="$DB_PORT" $auth --archive="$BACKUP_DIR/.partial.archive.gz" --gzip
mv "$BACKUP_DIR/.partial.archive.gz" "$BACKUP_DIR/mongo-$stamp.archive.gz"
find "$BACKUP_DIR" -maxdepth 1 -type f -name '*.archive.gz' -mtime +"$RETENTION_DAYS" -exec rm -f {} +
"#;

const MONGO_RESTORE: &str = r#"if [ -z "${MONGO_INITDB_ROOT_USERNAME:-}" ] && [ -n "${MONGO_INITDB_ROOT_USERNAME_FILE:-}" ]; then MONGO_INITDB_ROOT_USERNAME="$(cat "$MONGO_INITDB_ROOT_USERNAME_FILE")"; fi
if [ -z "${MONGO_INITDB_ROOT_PASSWORD:-}" ] && [ -n "${MONGO_INITDB_ROOT_PASSWORD_FILE:-}" ]; then MONGO_INITDB_ROOT_PASSWORD="$(cat "$MONGO_INITDB_ROOT_PASSWORD_FILE")"; fi
auth=""
[ -n "${MONGO_INITDB_ROOT_USERNAME:-}" ] && auth="--username=$MONGO_INITDB_ROOT_USERNAME --password=$MONGO_INITDB_ROOT_PASSWORD --authenticationDatabase=admin"
mongorestore --host="$DB_HOST" --port="$DB_PORT" $auth --drop --archive="$latest" --gzip
"#;

const REDIS_BACKUP: &str = r#"[ -n "${REDIS_PASSWORD:-}" ] && export REDISCLI_AUTH="$REDIS_PASSWORD"
redis-cli -h "$DB_HOST" -p "$DB_PORT" --rdb "$BACKUP_DIR/.partial.rdb"
gzip -f "$BACKUP_DIR/.partial.rdb"
mv "$BACKUP_DIR/.partial.rdb.gz" "$BACKUP_DIR/redis-$stamp.rdb.gz"
find "$BACKUP_DIR" -maxdepth 1 -type f -name '*.rdb.gz' -mtime +"$RETENTION_DAYS" -exec rm -f {} +
"#;

/// Restores the latest dump into a MariaDB/MySQL started in this pod (no network: a socket
/// in a scratch directory) and checks that it loads and has tables.
const MYSQL_DRILL: &str = r#"set -eu
latest="$(ls -1 "$BACKUP_DIR"/*.sql.gz 2>/dev/null | sort | tail -n 1)"
[ -n "$latest" ] || { echo "restore drill: no dump in $BACKUP_DIR" >&2; exit 1; }
gunzip -t "$latest" || { echo "restore drill: $latest is damaged" >&2; exit 1; }
work="$DRILL_DIR/drill-$$"
mkdir -p "$work/data"
server="$(command -v mariadbd || command -v mysqld)"
client="$(command -v mariadb || command -v mysql)"
if install="$(command -v mariadb-install-db || command -v mysql_install_db)"; then
  "$install" --no-defaults --datadir="$work/data" --auth-root-authentication-method=normal --skip-test-db >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
else
  "$server" --no-defaults --initialize-insecure --datadir="$work/data" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
fi
"$server" --no-defaults --datadir="$work/data" --socket="$work/sock" --pid-file="$work/pid" --log-error="$work/log" --tmpdir="$work" --skip-networking --skip-log-bin --innodb-buffer-pool-size=64M >"$work/server.out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
tries=0
until "$client" --no-defaults --socket="$work/sock" --user=root -e "select 1" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ] || ! kill -0 "$pid" 2>/dev/null; then echo "restore drill: the throw-away server did not start" >&2; cat "$work/server.out" "$work/log" >&2 || true; exit 1; fi
  sleep 1
done
gunzip -c "$latest" | "$client" --no-defaults --socket="$work/sock" --user=root
tables="$("$client" --no-defaults --socket="$work/sock" --user=root --batch --skip-column-names -e "select count(*) from information_schema.tables where table_schema not in ('mysql', 'information_schema', 'performance_schema', 'sys')")"
[ "$tables" -gt 0 ] || { echo "restore drill: $latest restored no tables" >&2; exit 1; }
echo "restore drill: $latest loads ($tables tables)"
"#;

/// Redis loads a snapshot only at start: the restore Job puts the latest one beside the
/// dumps; the server is scaled to 0 and the file moved over its `dump.rdb` by hand.
const REDIS_RESTORE: &str = r#"gunzip -c "$latest" > "$RESTORE_TARGET/dump.rdb.restored"
echo "wrote $RESTORE_TARGET/dump.rdb.restored from $latest: scale redis to 0, move it over dump.rdb in its data volume (and remove appendonly.aof/appendonlydir, which Redis would load instead), then scale redis back"
"#;

/// Starts a throw-away Redis in this pod (no network: a socket in a scratch directory) on
/// the latest snapshot: Redis refuses to start on a damaged one.
const REDIS_DRILL: &str = r#"set -eu
latest="$(ls -1 "$BACKUP_DIR"/*.rdb.gz 2>/dev/null | sort | tail -n 1)"
[ -n "$latest" ] || { echo "restore drill: no snapshot in $BACKUP_DIR" >&2; exit 1; }
gunzip -t "$latest" || { echo "restore drill: $latest is damaged" >&2; exit 1; }
work="$DRILL_DIR/drill-$$"
mkdir -p "$work"
gunzip -c "$latest" > "$work/dump.rdb"
redis-server --port 0 --unixsocket "$work/sock" --dir "$work" --dbfilename dump.rdb --save "" --appendonly no --logfile "$work/log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
tries=0
until [ "$(redis-cli -s "$work/sock" ping 2>/dev/null)" = PONG ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ] || ! kill -0 "$pid" 2>/dev/null; then echo "restore drill: Redis did not load $latest" >&2; cat "$work/log" >&2 || true; exit 1; fi
  sleep 1
done
keys="$(redis-cli -s "$work/sock" info keyspace | sed -n 's/^db[0-9]*:keys=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')"
echo "restore drill: $latest loads ($keys keys)"
"#;

/// MongoDB's drill (no throw-away server is started: its images differ too much across
/// versions) checks that the latest dump decompresses completely and is not empty.
const ARCHIVE_DRILL: &str = r#"set -eu
latest="$(ls -1 "$BACKUP_DIR"/*.gz 2>/dev/null | sort | tail -n 1)"
[ -n "$latest" ] || { echo "restore drill: no dump in $BACKUP_DIR" >&2; exit 1; }
size="$(gunzip -c "$latest" | wc -c)"
[ "$size" -gt 0 ] || { echo "restore drill: $latest is empty" >&2; exit 1; }
echo "restore drill: $latest decompresses ($size bytes)"
"#;

const COMMON_HEAD: &str =
    "set -eu\numask 077\nmkdir -p \"$BACKUP_DIR\"\nstamp=\"$(date -u +%Y%m%dT%H%M%SZ)\"\n";
/// Picks the latest dump (or `RESTORE_FILE`) and checks it decompresses completely before
/// anything is restored (`sh` has no pipefail: a truncated dump would load halfway).
const LATEST_GZ: &str = "set -eu\nlatest=\"${RESTORE_FILE:-$(ls -1 \"$BACKUP_DIR\"/*.gz 2>/dev/null | sort | tail -n 1)}\"\n[ -n \"$latest\" ] || { echo \"no dump in $BACKUP_DIR\" >&2; exit 1; }\ngunzip -t \"$latest\" || { echo \"$latest is damaged\" >&2; exit 1; }\n";

/// The (backup, restore, drill) shell scripts of an engine.
pub fn scripts(engine: DbEngine) -> (String, String, String) {
    match engine {
        DbEngine::Postgres => (PG_BACKUP.into(), PG_RESTORE.into(), PG_DRILL.into()),
        DbEngine::MySql => (
            format!("{COMMON_HEAD}{MYSQL_CREDENTIALS}{MYSQL_BACKUP}"),
            format!("{LATEST_GZ}{MYSQL_CREDENTIALS}{MYSQL_RESTORE}"),
            MYSQL_DRILL.into(),
        ),
        DbEngine::Mongo => (
            format!("{COMMON_HEAD}{MONGO_BACKUP}"),
            format!("{LATEST_GZ}{MONGO_RESTORE}"),
            ARCHIVE_DRILL.into(),
        ),
        DbEngine::Redis => (
            format!("{COMMON_HEAD}{REDIS_BACKUP}"),
            format!("{LATEST_GZ}{REDIS_RESTORE}"),
            REDIS_DRILL.into(),
        ),
    }
}

fn security_context(uid: u32) -> Value {
    json!({
        "runAsNonRoot": true, "runAsUser": uid, "runAsGroup": uid,
        "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
        "capabilities": {"drop": ["ALL"]},
    })
}

fn labels(plan: &Plan, b: &BackupPlan, component: &str) -> Value {
    json!({
        "app.kubernetes.io/name": format!("{}-{component}", b.pod),
        "app.kubernetes.io/instance": meta::instance(plan),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": meta::instance(plan),
        "app.kubernetes.io/managed-by": "homeport",
    })
}

/// The secret-file mounts of the database's container: (volume, Secret, mount).
fn secret_files(plan: &Plan, b: &BackupPlan) -> Vec<(String, String, MountPlan)> {
    let Some(pod) = plan
        .pods
        .iter()
        .find(|p| p.name == b.pod && p.namespace == b.namespace)
    else {
        return Vec::new();
    };
    let Some(container) = pod.containers.iter().find(|c| c.name == b.container) else {
        return Vec::new();
    };
    container
        .mounts
        .iter()
        .filter_map(|m| {
            let v = pod.volumes.iter().find(|v| v.name == m.volume)?;
            match &v.source {
                VolumeSource::Secret { name } => {
                    Some((format!("db-{}", v.name), name.clone(), m.clone()))
                }
                _ => None,
            }
        })
        .collect()
}

fn pod_spec(plan: &Plan, b: &BackupPlan, component: &str, script: &str, drill: bool) -> Value {
    let mut env_from = Vec::new();
    if b.has_config_env {
        env_from.push(json!({"configMapRef": {"name": format!("{}-env", b.container)}}));
    }
    if b.has_secret_env {
        env_from.push(json!({"secretRef": {"name": format!("{}-env", b.container)}}));
    }
    let mut env = vec![
        json!({"name": "DB_HOST", "value": b.host}),
        json!({"name": "DB_PORT", "value": b.port.to_string()}),
        json!({"name": "BACKUP_DIR", "value": format!("{MOUNT}/{}", b.pod)}),
        json!({"name": "RETENTION_DAYS", "value": b.retention_days.to_string()}),
    ];
    let mut mounts = vec![json!({"name": "backup", "mountPath": MOUNT})];
    let mut volumes =
        vec![json!({"name": "backup", "persistentVolumeClaim": {"claimName": b.claim}})];
    // Scratch space (the root filesystem is read-only): /tmp, and the drill's instance.
    mounts.push(json!({"name": "scratch", "mountPath": "/tmp"}));
    volumes.push(json!({"name": "scratch", "emptyDir": {"sizeLimit": "2Gi"}}));
    if drill {
        env.push(json!({"name": "DRILL_DIR", "value": "/tmp"}));
        if b.engine == DbEngine::Postgres {
            env.push(json!({"name": "DRILL_PORT", "value": "5432"}));
            mounts.push(json!({"name": "run", "mountPath": "/var/run/postgresql"}));
            volumes.push(json!({"name": "run", "emptyDir": {}}));
        }
    }
    // The database's secret files (`*_FILE` variables name them) at the same paths.
    for (volume, secret, mount) in secret_files(plan, b) {
        if !volumes.iter().any(|v| v["name"] == volume.as_str()) {
            volumes.push(json!({"name": volume, "secret": {"secretName": secret}}));
        }
        let mut m = json!({"name": volume, "mountPath": mount.path, "readOnly": true});
        if let Some(sub) = &mount.sub_path {
            m["subPath"] = json!(sub);
        }
        mounts.push(m);
    }
    if b.engine == DbEngine::Redis && component == "restore" {
        env.push(json!({"name": "RESTORE_TARGET", "value": MOUNT}));
    }
    let mut container = json!({
        "name": component,
        "image": b.image,
        "command": ["/bin/sh", "-c", script],
        "env": env,
        "volumeMounts": mounts,
        "securityContext": security_context(b.run_as_user),
        "resources": {
            "requests": {"cpu": format_cpu_millis(BACKUP_JOB_CPU_REQUEST_MILLIS), "memory": format_memory_bytes(BACKUP_JOB_MEMORY_REQUEST_BYTES)},
            "limits": {"cpu": format_cpu_millis(BACKUP_JOB_CPU_LIMIT_MILLIS), "memory": format_memory_bytes(BACKUP_JOB_MEMORY_LIMIT_BYTES)},
        },
    });
    if !env_from.is_empty() {
        container["envFrom"] = json!(env_from);
    }
    // The jobs run the database's image: they pull it as the database does.
    let pull = plan
        .pods
        .iter()
        .find(|p| p.name == b.pod && p.namespace == b.namespace)
        .and_then(|p| crate::pull_secrets::references(&p.production.image_pull_secrets));
    let mut pod = json!({
        "metadata": {"labels": labels(plan, b, component), "annotations": {meta::SOURCE_ANNOTATION: b.source}},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "priorityClassName": "homeport-batch",
            "securityContext": {"runAsNonRoot": true, "fsGroup": b.run_as_user, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container],
            "volumes": volumes,
        },
    });
    if let Some(refs) = pull {
        pod["spec"]["imagePullSecrets"] = refs;
    }
    // The database's own identity (it has no API access: no token).
    if let Some(sa) = plan.tenancy.account(&b.namespace, &b.pod) {
        pod["spec"]["serviceAccountName"] = json!(sa.name);
    }
    pod
}

fn metadata(plan: &Plan, b: &BackupPlan, name: &str, component: &str, doc: &str) -> Value {
    json!({
        "name": name,
        "namespace": b.namespace,
        "labels": labels(plan, b, component),
        "annotations": {meta::SOURCE_ANNOTATION: b.source, "homeport.dev/backup-of": b.pod, "homeport.dev/description": doc},
    })
}

/// The CronJob, restore Job and drill CronJob of one database.
pub fn objects(plan: &Plan, b: &BackupPlan) -> Vec<Value> {
    let (backup, restore, drill) = scripts(b.engine);
    let drill_doc = match b.engine {
        DbEngine::Postgres => "restores the latest dump into a throw-away PostgreSQL in its own pod and checks it loads",
        DbEngine::MySql => "restores the latest dump into a throw-away MariaDB/MySQL in its own pod and checks it loads",
        DbEngine::Redis => "starts a throw-away Redis in its own pod on the latest snapshot and checks it loads",
        DbEngine::Mongo => "checks the latest archive decompresses completely and is not empty (no throw-away MongoDB is started)",
    };
    let job = |component: &str, script: &str, drill: bool| json!({"backoffLimit": 2, "ttlSecondsAfterFinished": 604800, "template": pod_spec(plan, b, component, script, drill)});
    let cron = |schedule: &str, spec: Value| json!({"schedule": schedule, "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 3600, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 3, "jobTemplate": {"spec": spec}});
    let mut restore_spec = job("restore", &restore, false);
    restore_spec["suspend"] = json!(true);
    let mut out = vec![
        json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": metadata(plan, b, &format!("{}-backup", b.pod), "backup", &format!("{} dump of {} to claim {} every \"{}\", {} days kept", b.engine.as_str(), b.pod, b.claim, b.schedule, b.retention_days)),
            "spec": cron(&b.schedule, job("backup", &backup, false))}),
        json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": metadata(plan, b, &format!("{}-restore", b.pod), "restore", &format!("restores the latest dump (or RESTORE_FILE) into {}: kubectl -n {} patch job {}-restore -p '{{\"spec\":{{\"suspend\":false}}}}'", b.pod, b.namespace, b.pod)),
            "spec": restore_spec}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": metadata(plan, b, &format!("{}-restore-drill", b.pod), "restore-drill", drill_doc),
            "spec": cron(&b.drill_schedule, job("restore-drill", &drill, true))}),
    ];
    out.extend(network_policies(plan, b));
    out
}

/// The namespace denies all traffic by default: the dump and restore jobs may reach the
/// database's port, and the database admits them there. (The drill needs no network.)
pub fn network_policies(plan: &Plan, b: &BackupPlan) -> Vec<Value> {
    let jobs = json!({"matchExpressions": [
        {"key": "app.kubernetes.io/name", "operator": "In", "values": [format!("{}-backup", b.pod), format!("{}-restore", b.pod)]},
        {"key": "app.kubernetes.io/instance", "operator": "In", "values": [meta::instance(plan)]},
    ]});
    let db = json!({"matchLabels": {"app.kubernetes.io/name": b.pod, "app.kubernetes.io/instance": meta::instance(plan)}});
    let port = json!([{"port": b.target_port, "protocol": "TCP"}]);
    let md = |name: String, why: &str| {
        let mut m = metadata(plan, b, &name, "backup", why);
        m["annotations"]["homeport.dev/reason"] = json!(why);
        m
    };
    vec![
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": md(format!("{}-backup-egress", b.pod), "the backup and restore jobs reach the database"),
            "spec": {"podSelector": jobs, "policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": db}], "ports": port}]}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": md(format!("{}-backup-ingress", b.pod), "the database admits the backup and restore jobs"),
            "spec": {"podSelector": db, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": jobs}], "ports": port}]}}),
    ]
}

pub fn claim(plan: &Plan, c: &BackupClaimPlan) -> Value {
    let mut spec =
        json!({"accessModes": [c.access_mode], "resources": {"requests": {"storage": c.size}}});
    if let Some(class) = &c.storage_class {
        spec["storageClassName"] = json!(class);
    }
    let mut labels = meta::namespace_labels(plan);
    labels.insert("app.kubernetes.io/component".into(), json!("backup"));
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": c.name, "namespace": c.namespace, "labels": labels, "annotations": {"homeport.dev/reason": c.reason}},
        "spec": spec})
}
