//! Backup and restore round trip with a real PostgreSQL: the scripts of the rendered
//! `postgres-backup` CronJob, `postgres-restore` Job and `postgres-restore-drill` CronJob of
//! the transcode stack, run as written (only the host, port and directories substituted)
//! against two PostgreSQL servers started here on loopback, restore the same row counts.
//!
//! Needs the PostgreSQL server binaries (`initdb`, `pg_ctl`; Debian: postgresql, installed by
//! scripts/install-tools): skipped with a line on a developer machine without them, failed
//! under CI=true.

mod support;

use serde_json::Value;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

/// The directory holding `initdb` and `pg_ctl`, if PostgreSQL is installed.
fn postgres_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        dirs.extend(versions.into_iter().rev());
    }
    dirs.into_iter().find(|d| {
        d.join("initdb").is_file() && d.join("pg_ctl").is_file() && d.join("pg_dump").is_file()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `script` with `sh -c` as an unprivileged user (PostgreSQL refuses root).
struct Runner {
    bin: PathBuf,
    root: bool,
}

impl Runner {
    fn sh(&self, script: &str, env: &[(String, String)]) -> std::process::Output {
        let mut cmd = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "/bin/sh", "-c", script]);
            c
        } else {
            let mut c = Command::new("/bin/sh");
            c.args(["-c", script]);
            c
        };
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn ok(&self, script: &str, env: &[(String, String)]) -> String {
        let out = self.sh(script, env);
        assert!(
            out.status.success(),
            "script failed:\n{script}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A PostgreSQL server on loopback in `dir`.
struct Server {
    dir: PathBuf,
    port: u16,
}

impl Server {
    fn start(r: &Runner, dir: &Path) -> Server {
        let port = free_port();
        let d = dir.display();
        r.ok(
            &format!("initdb --pgdata={d}/data --username=transcode --auth=trust >/dev/null && pg_ctl --pgdata={d}/data --log={d}/log --wait --options=\"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={d}\" start >/dev/null && createdb --host=127.0.0.1 --port={port} --username=transcode transcode"),
            &[],
        );
        Server {
            dir: dir.to_path_buf(),
            port,
        }
    }

    fn psql(&self, r: &Runner, sql: &str) -> String {
        r.ok(
            &format!("psql --host=127.0.0.1 --port={} --username=transcode --dbname=transcode -Atc \"$SQL\"", self.port),
            &[("SQL".into(), sql.into())],
        )
        .trim()
        .to_string()
    }

    fn stop(&self, r: &Runner) {
        let _ = r.sh(
            &format!(
                "pg_ctl --pgdata={}/data --mode=fast stop",
                self.dir.display()
            ),
            &[],
        );
    }
}

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
    let Some(bin) = postgres_bin() else {
        let why =
            "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/install-tools";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping: {why}");
        return;
    };
    let root = is_root();
    let r = Runner { bin, root };
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
    assert_eq!(backup_c["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        backup_c["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert_eq!(
        backup_c["securityContext"]["capabilities"]["drop"][0],
        "ALL"
    );
    assert_eq!(
        named(&objects, "Job", "postgres-restore").unwrap()["spec"]["suspend"],
        true
    );

    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    if root {
        std::fs::set_permissions(base, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
    }
    for d in ["source", "target", "backup", "drill"] {
        std::fs::create_dir(base.join(d)).unwrap();
        if root {
            std::fs::set_permissions(
                base.join(d),
                std::os::unix::fs::PermissionsExt::from_mode(0o777),
            )
            .unwrap();
        }
    }
    let source = Server::start(&r, &base.join("source"));
    let target = Server::start(&r, &base.join("target"));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        source.psql(&r, "create table jobs (id serial primary key, name text not null); insert into jobs (name) select 'job-' || g from generate_series(1, 1234) g; create table results (job int references jobs(id), ok boolean); insert into results select id, id % 2 = 0 from jobs where id <= 321;");
        // The credentials the database's Secret/ConfigMap give the job (envFrom).
        let creds = [
            ("POSTGRES_USER", "transcode".to_string()),
            ("POSTGRES_DB", "transcode".to_string()),
            ("POSTGRES_PASSWORD", "not-used-trust-auth".to_string()),
        ];
        let backup_dir = base.join("backup").display().to_string();
        let mut o: Vec<(&str, String)> = vec![
            ("DB_HOST", "127.0.0.1".into()),
            ("DB_PORT", source.port.to_string()),
            ("BACKUP_DIR", backup_dir.clone()),
        ];
        o.extend(creds.iter().cloned());
        let out = r.ok(&backup, &with(&backup_env, &o));
        assert!(out.contains("backed up transcode"), "{out}");
        let dumps: Vec<_> = std::fs::read_dir(base.join("backup"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
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
        r.ok(&restore, &with(&restore_env, &o));
        for table in ["jobs", "results"] {
            let q = format!("select count(*) from {table}");
            assert_eq!(
                source.psql(&r, &q),
                target.psql(&r, &q),
                "{table} row counts differ"
            );
        }
        assert_eq!(target.psql(&r, "select count(*) from jobs"), "1234");
        assert_eq!(
            target.psql(&r, "select count(*) from results where ok"),
            "160"
        );

        let o: Vec<(&str, String)> = vec![
            ("BACKUP_DIR", backup_dir.clone()),
            ("DRILL_DIR", base.join("drill").display().to_string()),
            ("DRILL_PORT", free_port().to_string()),
        ];
        let out = r.ok(&drill, &with(&drill_env, &o));
        assert!(out.contains("loads (2 tables)"), "{out}");

        // A drill without any dump fails.
        let empty = base.join("drill").display().to_string();
        let failed = r.sh(
            &drill,
            &with(
                &drill_env,
                &[
                    ("BACKUP_DIR", empty.clone()),
                    ("DRILL_DIR", empty),
                    ("DRILL_PORT", free_port().to_string()),
                ],
            ),
        );
        assert!(!failed.status.success());
    }));
    source.stop(&r);
    target.stop(&r);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
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
