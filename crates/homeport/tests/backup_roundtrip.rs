//! Backup and restore round trips with real database servers (homeport-testkit starts them
//! on loopback with free ports and temporary directories): the scripts of the rendered
//! `<db>-backup` CronJob, `<db>-restore` Job and `<db>-restore-drill` CronJob, run as written
//! (extracted from the rendered objects; only the host, port and directories substituted
//! through their environment), restore the same rows or keys.
//!
//! * PostgreSQL (transcode stack): `pg_dump` / `pg_restore`, the drill on its own server.
//! * MariaDB (hardened-extras stack, root password from a secret file): `mariadb-dump` /
//!   `mariadb`, the drill on its own server.
//! * Redis (transcode stack): `redis-cli --rdb` snapshot, restored file loaded by a
//!   throw-away server, the drill on its own server.
//!
//! MongoDB has no Debian package: its scripts are only checked by shellcheck here.
//!
//! Needs the Debian packages postgresql, mariadb-server and redis-server (installed by
//! scripts/install-tools): skipped with a line on a developer machine without them, failed
//! under CI.

mod support;

use homeport_testkit::shell::{free_port, require_package, Shell};
use homeport_testkit::{mariadb, postgres, redis};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::*;
/// The shell script and the literal environment of the first container of a workload.
fn script_and_env(
    objects: &[Value],
    kind: &str,
    name: &str,
) -> (String, Vec<(String, String)>, Value) {
    let o = named(objects, kind, name).unwrap_or_else(|| panic!("no {kind} {name}"));
    let spec = if kind == "CronJob" {
        &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        &o["spec"]["template"]["spec"]
    };
    let c = &spec["containers"][0];
    let cmd = c["command"].as_array().unwrap();
    assert_eq!(cmd[0], "/bin/sh");
    assert_eq!(cmd[1], "-c");
    let env = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (cmd[2].as_str().unwrap().to_string(), env, c.clone())
}

/// The restricted security context every backup container has.
fn assert_restricted(c: &Value) {
    assert_eq!(c["securityContext"]["runAsNonRoot"], true, "{c}");
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
}

/// The names of the files in `dir`.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn with(env: &[(String, String)], overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
        .cloned()
        .collect();
    out.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.clone())));
    out
}

#[test]
fn postgres_backup_restore_and_drill_round_trip() {
    let Some(bin) = require_package(postgres::bin_dir(), "PostgreSQL (initdb, pg_ctl)") else {
        return;
    };
    let sh = Shell::new(&[bin]);
    let (_, objects) = render(&stack_compose("transcode-service"));

    let (backup, backup_env, backup_c) = script_and_env(&objects, "CronJob", "postgres-backup");
    let (restore, restore_env, _) = script_and_env(&objects, "Job", "postgres-restore");
    let (drill, drill_env, drill_c) = script_and_env(&objects, "CronJob", "postgres-restore-drill");
    // Same image as the database, credentials from its Secret and ConfigMap, restricted.
    let db = named(&objects, "StatefulSet", "postgres").expect("postgres StatefulSet");
    assert_eq!(backup_c["image"], container(db, "postgres")["image"]);
    assert_eq!(drill_c["image"], backup_c["image"]);
    let refs: Vec<String> = backup_c["envFrom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        refs.iter()
            .any(|r| r.contains("secretRef") && r.contains("postgres-env")),
        "{refs:?}"
    );
    assert_restricted(&backup_c);
    assert_eq!(
        named(&objects, "Job", "postgres-restore").unwrap()["spec"]["suspend"],
        true
    );

    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    let source = postgres::Postgres::start(&sh, &base.join("source"), "transcode", "transcode");
    let target = postgres::Postgres::start(&sh, &base.join("target"), "transcode", "transcode");
    let backup_dir = sh.writable_dir(&base.join("backup")).display().to_string();
    let drill_dir = sh.writable_dir(&base.join("drill")).display().to_string();
    source.psql("create table jobs (id serial primary key, name text not null); insert into jobs (name) select 'job-' || g from generate_series(1, 1234) g; create table results (job int references jobs(id), ok boolean); insert into results select id, id % 2 = 0 from jobs where id <= 321;");
    // The credentials the database's Secret/ConfigMap give the job (envFrom).
    let creds = [
        ("POSTGRES_USER", "transcode".to_string()),
        ("POSTGRES_DB", "transcode".to_string()),
        ("POSTGRES_PASSWORD", "not-used-trust-auth".to_string()),
    ];
    let mut o: Vec<(&str, String)> = vec![
        ("DB_HOST", "127.0.0.1".into()),
        ("DB_PORT", source.port.to_string()),
        ("BACKUP_DIR", backup_dir.clone()),
    ];
    o.extend(creds.iter().cloned());
    let out = sh.ok(&backup, &with(&backup_env, &o));
    assert!(out.contains("backed up transcode"), "{out}");
    let dumps = files_in(Path::new(&backup_dir));
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    assert!(
        dumps[0].starts_with("transcode-") && dumps[0].ends_with(".dump"),
        "{dumps:?}"
    );

    let mut o: Vec<(&str, String)> = vec![
        ("DB_HOST", "127.0.0.1".into()),
        ("DB_PORT", target.port.to_string()),
        ("BACKUP_DIR", backup_dir.clone()),
    ];
    o.extend(creds.iter().cloned());
    sh.ok(&restore, &with(&restore_env, &o));
    for table in ["jobs", "results"] {
        let q = format!("select count(*) from {table}");
        assert_eq!(
            source.psql(&q),
            target.psql(&q),
            "{table} row counts differ"
        );
    }
    assert_eq!(target.psql("select count(*) from jobs"), "1234");
    assert_eq!(target.psql("select count(*) from results where ok"), "160");

    let o: Vec<(&str, String)> = vec![
        ("BACKUP_DIR", backup_dir.clone()),
        ("DRILL_DIR", drill_dir.clone()),
        ("DRILL_PORT", free_port().to_string()),
    ];
    let out = sh.ok(&drill, &with(&drill_env, &o));
    assert!(out.contains("loads (2 tables)"), "{out}");

    // A drill without any dump fails.
    let failed = sh.sh(
        &drill,
        &with(
            &drill_env,
            &[
                ("BACKUP_DIR", drill_dir.clone()),
                ("DRILL_DIR", drill_dir),
                ("DRILL_PORT", free_port().to_string()),
            ],
        ),
    );
    assert!(!failed.status.success());
}

/// MariaDB: the hardened stack's database takes its root password from a Compose secret
/// (`MARIADB_ROOT_PASSWORD_FILE`); the jobs mount that secret at the same path and read it.
#[test]
fn mariadb_backup_restore_and_drill_round_trip() {
    let Some(bins) = require_package(
        mariadb::binaries(),
        "MariaDB (mariadb-install-db, mariadbd)",
    ) else {
        return;
    };
    let sh = Shell::new(&[]);
    let (_, objects) = render(&stack_compose("hardened-extras"));
    let (backup, backup_env, backup_c) = script_and_env(&objects, "CronJob", "db-backup");
    let (restore, restore_env, restore_c) = script_and_env(&objects, "Job", "db-restore");
    let (drill, drill_env, drill_c) = script_and_env(&objects, "CronJob", "db-restore-drill");
    let db = named(&objects, "StatefulSet", "db").expect("db StatefulSet");
    let db_c = container(db, "db");
    assert_eq!(backup_c["image"], db_c["image"]);
    assert_eq!(drill_c["image"], db_c["image"]);
    for c in [&backup_c, &restore_c, &drill_c] {
        assert_restricted(c);
    }
    // The database reads its root password from a secret file; so do the dump and restore.
    let secret_mount = db_c["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/run/secrets/db_root_password")
        .expect("the database's secret file");
    for (what, c, o) in [
        (
            "backup",
            &backup_c,
            named(&objects, "CronJob", "db-backup").unwrap(),
        ),
        (
            "restore",
            &restore_c,
            named(&objects, "Job", "db-restore").unwrap(),
        ),
    ] {
        let m = c["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["mountPath"] == "/run/secrets/db_root_password")
            .unwrap_or_else(|| panic!("{what} lacks the secret file: {c}"));
        assert_eq!(m["subPath"], secret_mount["subPath"]);
        let volumes = pod_template(o)["spec"]["volumes"].as_array().unwrap();
        let db_volumes = pod_template(db)["spec"]["volumes"].as_array().unwrap();
        let secret_of = |vs: &[Value], name: &Value| {
            vs.iter().find(|v| &v["name"] == name).unwrap()["secret"]["secretName"].clone()
        };
        assert_eq!(
            secret_of(volumes, &m["name"]),
            secret_of(db_volumes, &secret_mount["name"])
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    let mut source = mariadb::MariaDb::start(&bins, &base.join("source")).unwrap();
    let mut target = mariadb::MariaDb::start(&bins, &base.join("target")).unwrap();
    source.set_root_password("s3cret-root").unwrap();
    target.set_root_password("s3cret-root").unwrap();
    source
        .sql("create database app; use app; create table app.posts (id int primary key auto_increment, title varchar(200) not null, body text); insert into app.posts (title, body) select concat('post ', seq), repeat('x', seq) from seq_1_to_777; create table app.tags (post int, tag varchar(20)); insert into app.tags select id, if(id % 3 = 0, 'three', 'other') from app.posts where id <= 400; create database other; create table other.t (n int); insert into other.t select seq from seq_1_to_55;")
        .unwrap();
    // The job's environment names the mounted file, as the database's does.
    let env = named(&objects, "ConfigMap", "db-env").expect("db-env ConfigMap");
    assert_eq!(
        env["data"]["MARIADB_ROOT_PASSWORD_FILE"],
        "/run/secrets/db_root_password"
    );
    // The mounted secret file, as the kubelet writes it (a Compose secret file usually ends
    // with a newline, which the image's entrypoint and the scripts both drop).
    let secrets = sh.writable_dir(&base.join("secrets"));
    std::fs::write(secrets.join("db_root_password"), "s3cret-root\n").unwrap();
    let backup_dir = sh.writable_dir(&base.join("backup")).display().to_string();
    let drill_dir = sh.writable_dir(&base.join("drill")).display().to_string();
    let creds = [
        (
            "MARIADB_ROOT_PASSWORD_FILE",
            secrets.join("db_root_password").display().to_string(),
        ),
        ("MARIADB_DATABASE", "app".to_string()),
    ];
    let at = |port: u16| {
        let mut o: Vec<(&str, String)> = vec![
            ("DB_HOST", "127.0.0.1".into()),
            ("DB_PORT", port.to_string()),
            ("BACKUP_DIR", backup_dir.clone()),
        ];
        o.extend(creds.iter().cloned());
        o
    };
    sh.ok(&backup, &with(&backup_env, &at(source.port)));
    let dumps = files_in(Path::new(&backup_dir));
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    assert!(
        dumps[0].starts_with("mysql-") && dumps[0].ends_with(".sql.gz"),
        "{dumps:?}"
    );

    let out = sh.ok(&restore, &with(&restore_env, &at(target.port)));
    assert!(out.contains("restoring"), "{out}");
    for q in [
        "select count(*) from app.posts",
        "select count(*) from app.tags where tag = 'three'",
        "select sum(length(body)) from app.posts",
        "select count(*) from other.t",
    ] {
        assert_eq!(source.sql(q).unwrap(), target.sql(q).unwrap(), "{q}");
    }
    assert_eq!(target.sql("select count(*) from app.posts").unwrap(), "777");

    let o: Vec<(&str, String)> = vec![
        ("BACKUP_DIR", backup_dir.clone()),
        ("DRILL_DIR", drill_dir.clone()),
    ];
    let out = sh.ok(&drill, &with(&drill_env, &o));
    assert!(out.contains("loads (3 tables)"), "{out}");
    assert!(
        files_in(Path::new(&drill_dir)).is_empty(),
        "the drill cleans up"
    );

    // A drill on a truncated dump fails.
    let broken = sh.writable_dir(&base.join("broken"));
    let dump = std::fs::read(Path::new(&backup_dir).join(&dumps[0])).unwrap();
    std::fs::write(broken.join(&dumps[0]), &dump[..dump.len() / 2]).unwrap();
    let failed = sh.sh(
        &drill,
        &with(
            &drill_env,
            &[
                ("BACKUP_DIR", broken.display().to_string()),
                ("DRILL_DIR", drill_dir),
            ],
        ),
    );
    assert!(!failed.status.success());
}

/// Redis: a snapshot copy (`redis-cli --rdb`), the restore Job's file loaded by a throw-away
/// server holds the same keys and values, the drill loads it.
#[test]
fn redis_snapshot_restore_and_drill_round_trip() {
    let Some(bins) = require_package(redis::binaries(), "Redis (redis-server, redis-cli)") else {
        return;
    };
    let sh = Shell::new(&[]);
    let (_, objects) = render(&stack_compose("transcode-service"));
    let (backup, backup_env, backup_c) = script_and_env(&objects, "CronJob", "redis-backup");
    let (restore, restore_env, restore_c) = script_and_env(&objects, "Job", "redis-restore");
    let (drill, drill_env, drill_c) = script_and_env(&objects, "CronJob", "redis-restore-drill");
    let db = workload_with_container(&objects, "redis");
    assert_eq!(backup_c["image"], container(db, "redis")["image"]);
    assert_eq!(drill_c["image"], backup_c["image"]);
    for c in [&backup_c, &restore_c, &drill_c] {
        assert_restricted(c);
    }

    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    let source = redis::Redis::start(&bins, &base.join("source"), None).unwrap();
    for i in 0..300 {
        source
            .cli(&["set", &format!("job:{i}"), &format!("state-{}", i % 7)])
            .unwrap();
    }
    source
        .cli(&["rpush", "queue:transcode", "a", "b", "c"])
        .unwrap();
    source
        .cli(&["hset", "user:1", "name", "ada", "plan", "pro"])
        .unwrap();
    source.cli(&["sadd", "tags", "x", "y", "z"]).unwrap();
    source
        .cli(&["zadd", "scores", "1", "one", "2.5", "two"])
        .unwrap();
    source.cli(&["-n", "3", "set", "other-db", "kept"]).unwrap();

    let backup_dir = sh.writable_dir(&base.join("backup")).display().to_string();
    let drill_dir = sh.writable_dir(&base.join("drill")).display().to_string();
    let at = |port: u16| -> Vec<(&str, String)> {
        vec![
            ("DB_HOST", "127.0.0.1".into()),
            ("DB_PORT", port.to_string()),
            ("BACKUP_DIR", backup_dir.clone()),
        ]
    };
    sh.ok(&backup, &with(&backup_env, &at(source.port)));
    let dumps = files_in(Path::new(&backup_dir));
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    assert!(
        dumps[0].starts_with("redis-") && dumps[0].ends_with(".rdb.gz"),
        "{dumps:?}"
    );

    // The restore Job writes the snapshot for the server's data volume.
    let restored = sh.writable_dir(&base.join("restored"));
    let mut o = at(source.port);
    o.push(("RESTORE_TARGET", restored.display().to_string()));
    let out = sh.ok(&restore, &with(&restore_env, &o));
    assert!(out.contains("dump.rdb.restored"), "{out}");
    let target = redis::Redis::start(
        &bins,
        &base.join("target"),
        Some(&restored.join("dump.rdb.restored")),
    )
    .unwrap();
    for db in [0, 3] {
        let (s, t) = (source.contents(db), target.contents(db));
        assert!(!s.is_empty());
        assert_eq!(s, t, "database {db} differs");
    }
    assert_eq!(target.cli(&["dbsize"]).unwrap(), "304");

    let o: Vec<(&str, String)> = vec![
        ("BACKUP_DIR", backup_dir.clone()),
        ("DRILL_DIR", drill_dir.clone()),
    ];
    let out = sh.ok(&drill, &with(&drill_env, &o));
    assert!(out.contains("loads (305 keys)"), "{out}");
    assert!(
        files_in(Path::new(&drill_dir)).is_empty(),
        "the drill cleans up"
    );

    // A drill on a truncated snapshot fails: Redis refuses to load it.
    let broken = sh.writable_dir(&base.join("broken"));
    let snapshot = std::fs::read(Path::new(&backup_dir).join(&dumps[0])).unwrap();
    let mut gz = Vec::new();
    {
        let out = Command::new("gunzip")
            .arg("-c")
            .arg(Path::new(&backup_dir).join(&dumps[0]))
            .output()
            .unwrap();
        let half = &out.stdout[..out.stdout.len() / 2];
        let mut child = Command::new("gzip")
            .arg("-c")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(half).unwrap();
        gz.extend(child.wait_with_output().unwrap().stdout);
    }
    assert!(!snapshot.is_empty());
    std::fs::write(broken.join(&dumps[0]), gz).unwrap();
    let failed = sh.sh(
        &drill,
        &with(
            &drill_env,
            &[
                ("BACKUP_DIR", broken.display().to_string()),
                ("DRILL_DIR", drill_dir),
            ],
        ),
    );
    assert!(
        !failed.status.success(),
        "{}",
        String::from_utf8_lossy(&failed.stdout)
    );
}

/// Every backup, restore and drill script of every engine passes shellcheck as a POSIX sh
/// script (the images run them with /bin/sh: dash or busybox).
#[test]
fn every_backup_script_passes_shellcheck() {
    let found = Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let why = "shellcheck not found: run scripts/install-tools";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping: {why}");
        return;
    }
    use homeport_plan::DbEngine;
    for engine in [
        DbEngine::Postgres,
        DbEngine::MySql,
        DbEngine::Mongo,
        DbEngine::Redis,
    ] {
        let (backup, restore, drill) = homeport_render::backup_scripts(engine);
        for (what, script) in [("backup", backup), ("restore", restore), ("drill", drill)] {
            let mut child = Command::new("shellcheck")
                // SC2086: `$what`/`$auth` hold several options on purpose (word splitting).
                .args(["--shell=sh", "--severity=warning", "--exclude=SC2086", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(script.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{} {what} script:\n{script}\n{}",
                engine.as_str(),
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
