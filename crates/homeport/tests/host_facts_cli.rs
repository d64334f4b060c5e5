//! Host facts in `homeport.lock`, end to end through the binary: a stack with real
//! bind-mounted directories (a PostgreSQL data directory, an upload directory, a
//! configuration file) is converted; the lock records what the directories hold; with the
//! directories gone (planning away from the server's data) the output is byte-identical from
//! the lock; a changed directory under `--locked` exits 2 naming the path; runs are
//! deterministic.

mod support;

use serde_json::Value;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use support::*;

const COMPOSE: &str = "name: hoststack
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example-password
    volumes:
      - ./pg:/var/lib/postgresql/data
  app:
    image: nginx:1.27
    volumes:
      - ./uploads:/usr/share/nginx/html/uploads
      - ./app.conf:/etc/nginx/conf.d/app.conf:ro
";

fn write_stack(dir: &Path) {
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.join("app.conf"), "server { listen 80; }\n").unwrap();
    let pg = dir.join("pg");
    std::fs::create_dir_all(pg.join("base/1")).unwrap();
    std::fs::write(pg.join("PG_VERSION"), "16\n").unwrap();
    std::fs::write(pg.join("base/1/112"), vec![0u8; 8192]).unwrap();
    std::fs::set_permissions(&pg, std::fs::Permissions::from_mode(0o700)).unwrap();
    // As root (CI containers), hand the data to the Debian postgres uid as a server has it.
    if std::fs::metadata(&pg).unwrap().uid() == 0 {
        std::os::unix::fs::chown(&pg, Some(999), Some(999)).unwrap();
    }
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(uploads.join("2024")).unwrap();
    std::fs::write(uploads.join("2024/photo.jpg"), vec![7u8; 4096]).unwrap();
    std::fs::write(uploads.join("index.txt"), "photo.jpg\n").unwrap();
}

fn homeport_in(dir: &Path) -> std::process::Command {
    let mut cmd = homeport();
    cmd.env_remove("HOMEPORT_LOCK_HOST");
    cmd.current_dir(dir).arg("-f").arg(dir.join("compose.yaml"));
    cmd
}

/// `convert --out <out>` with the lock's host table in use, asserting success.
fn convert_in(dir: &Path, out: &Path, extra: &[&str]) {
    let output = run(homeport_in(dir)
        .arg("convert")
        .arg("--out")
        .arg(out)
        .args(extra));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn render_text(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = run(homeport_in(dir).args(extra).arg("render"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file of a written tree with its contents.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn plan_json(dir: &Path) -> Value {
    let out = run(homeport_in(dir).args(["plan", "--format", "json"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn host_source(plan: &Value, path: &str) -> String {
    plan["hostPaths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"] == path)
        .unwrap_or_else(|| panic!("no host path {path} in {}", plan["hostPaths"]))["source"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn host_facts_are_locked_and_replayed_when_the_paths_are_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("project");
    std::fs::create_dir(&dir).unwrap();
    write_stack(&dir);
    let lock = dir.join("homeport.lock");

    // Convert with the data on this machine: the lock records the host facts.
    let out1 = tmp.path().join("out1");
    convert_in(&dir, &out1, &[]);
    let lock_text = std::fs::read_to_string(&lock).expect("homeport.lock written");
    let parsed: Value = serde_json::from_str(&lock_text).unwrap();
    let host = &parsed["host"];
    let keys: Vec<&String> = host.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["app.conf", "pg", "uploads"], "{lock_text}");
    let me = std::fs::metadata(dir.join("pg")).unwrap();
    assert_eq!(host["pg"]["kind"], "directory");
    assert_eq!(host["pg"]["uid"], me.uid());
    assert_eq!(host["pg"]["gid"], me.gid());
    assert_eq!(host["pg"]["mode"], "0700");
    assert_eq!(host["pg"]["empty"], false);
    assert_eq!(host["pg"]["database"]["engine"], "postgres");
    assert_eq!(host["uploads"]["empty"], false);
    assert!(
        host["uploads"].get("size").is_none(),
        "sizes change with live data: not recorded"
    );
    assert_eq!(host["app.conf"]["kind"], "file");
    assert_eq!(host["app.conf"]["files"][0], "app.conf");
    assert!(
        !lock_text.contains("listen 80") && !lock_text.contains("example-password"),
        "contents are never in the lock: {lock_text}"
    );
    assert!(
        !lock_text.contains(&dir.to_string_lossy().to_string()),
        "keys are relative to the project: {lock_text}"
    );
    let (code, render1, stderr1) = render_text(&dir, &[]);
    assert_eq!(code, 0, "{stderr1}");
    // The carried-over PostgreSQL data decided the output: run as its owner, no new empty
    // data directory beside it.
    assert!(
        render1.contains(&format!("runAsUser: {}", me.uid())),
        "{render1}"
    );
    assert!(!render1.contains("postgresql/data/pgdata"), "{render1}");
    let plan = plan_json(&dir);
    assert_eq!(host_source(&plan, "pg"), "host");

    // Live data grows: the lock does not change (sizes are not facts the plan uses).
    std::fs::write(dir.join("uploads/new.jpg"), vec![1u8; 2048]).unwrap();
    let (code, _, stderr) = render_text(&dir, &["--locked"]);
    assert_eq!(code, 0, "{stderr}");

    // Determinism: a second run changes nothing.
    let out2 = tmp.path().join("out2");
    convert_in(&dir, &out2, &[]);
    assert_eq!(tree(&out1), tree(&out2));
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);

    // The data directories gone (a laptop without the server's data): byte-identical output
    // from the lock, the lock unchanged, even with --locked.
    std::fs::rename(dir.join("pg"), tmp.path().join("pg.away")).unwrap();
    std::fs::rename(dir.join("uploads"), tmp.path().join("uploads.away")).unwrap();
    let out3 = tmp.path().join("out3");
    convert_in(&dir, &out3, &["--locked"]);
    assert_eq!(tree(&out1), tree(&out3));
    let (code, render2, stderr2) = render_text(&dir, &["--locked"]);
    assert_eq!(code, 0, "{stderr2}");
    assert_eq!(render1, render2);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);
    let plan = plan_json(&dir);
    assert_eq!(host_source(&plan, "pg"), "lock");
    assert_eq!(host_source(&plan, "uploads"), "lock");
    assert_eq!(host_source(&plan, "app.conf"), "host");
    let table = run(homeport_in(&dir).arg("plan"));
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("HOST PATHS"), "{table}");
    assert!(
        table.lines().any(|l| l.contains("pg")
            && l.contains("PostgreSQL data")
            && l.contains("from homeport.lock")),
        "{table}"
    );

    // Without the lock the same run decides differently: the lock is what kept it.
    let saved = tmp.path().join("lock.saved");
    std::fs::rename(&lock, &saved).unwrap();
    let (code, bare, _) = render_text(&dir, &[]);
    assert_eq!(code, 0);
    assert_ne!(bare, render1);
    std::fs::rename(&saved, &lock).unwrap();

    // The data back, but changed (another mode): --locked exits 2 naming the path and leaves
    // the lock alone; without --locked the lock follows the host.
    std::fs::rename(tmp.path().join("pg.away"), dir.join("pg")).unwrap();
    std::fs::rename(tmp.path().join("uploads.away"), dir.join("uploads")).unwrap();
    std::fs::set_permissions(dir.join("pg"), std::fs::Permissions::from_mode(0o750)).unwrap();
    let (code, out, stderr) = render_text(&dir, &["--locked"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(out.is_empty(), "nothing written under --locked: {out}");
    assert!(
        stderr.contains("HP0562") && stderr.contains("`pg`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("`uploads`"),
        "only the changed path: {stderr}"
    );
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);
    let (code, _, stderr) = render_text(&dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let updated: Value = serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
    assert_eq!(updated["host"]["pg"]["mode"], "0750");
    assert_eq!(updated["host"]["uploads"], host["uploads"]);
}

#[test]
fn a_missing_configuration_file_known_only_to_the_lock_is_planned_as_missing_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_stack(dir);
    let (code, with_file, stderr) = render_text(dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        with_file.contains("listen 80"),
        "the file is shipped: {with_file}"
    );
    let lock = dir.join("homeport.lock");
    let lock_text = std::fs::read_to_string(&lock).unwrap();
    std::fs::remove_file(dir.join("app.conf")).unwrap();
    let (code, out, stderr) = render_text(dir, &["--locked"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("HP0568") && stderr.contains("`app.conf`"),
        "{stderr}"
    );
    assert!(!out.contains("listen 80"));
    assert_ne!(out, with_file, "contents are not in the lock");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), lock_text);
}
