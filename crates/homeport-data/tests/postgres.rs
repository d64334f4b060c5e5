//! A real PostgreSQL round trip with the scripts `homeport data plan` prints: two instances
//! (initdb + pg_ctl, loopback, free ports, temp dirs) stand for the Compose container and the
//! cluster's database; dump from one, restore into the other, equal row counts.
//!
//! Needs the Debian postgresql packages (`scripts/install-tools`); skipped with a line on a
//! developer machine without them, failing under CI. The servers are homeport-testkit's
//! (as root they run as `nobody`: initdb refuses root).

use homeport_data::db::{one_line, Engine};
use homeport_testkit::postgres::{self, Postgres};
use homeport_testkit::shell::{require_package, Shell};
use std::process::{Command, Stdio};

/// Run one of homeport's scripts against `server`, as `docker exec`/`kubectl exec` would
/// inside the container (here: PGHOST/PGPORT point at the server).
fn script(server: &Postgres, script: &str, stdin: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("sh")
        .args(["-c", script])
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", server.port.to_string())
        .env("POSTGRES_USER", "postgres")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "script failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `sql` in database `db` of `server`.
fn sql(server: &Postgres, db: &str, sql: &str) {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
        ])
        .arg("-p")
        .arg(server.port.to_string())
        .args(["-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dump_restore_and_equal_row_counts() {
    let Some(bin) = require_package(postgres::bin_dir(), "PostgreSQL (initdb, pg_ctl)") else {
        return;
    };
    let shell = Shell::new(&[bin]);
    let tmp = tempfile::tempdir().unwrap();
    let source = Postgres::start(&shell, &tmp.path().join("compose"), "postgres", "postgres");
    let target = Postgres::start(&shell, &tmp.path().join("cluster"), "postgres", "postgres");

    sql(&source, "postgres", "create database shop");
    sql(&source,
        "shop",
        "create table customers (id serial primary key, name text);
         insert into customers (name) select 'c' || g from generate_series(1, 100) g;
         create table orders (id serial primary key, customer int references customers, note text);
         insert into orders (customer, note) select 1 + g % 100, E'line\\nbreak ' || g from generate_series(1, 250) g;
         create schema audit;
         create table audit.\"Log Entries\" (at timestamptz default now(), what text);
         insert into audit.\"Log Entries\" (what) select 'x' from generate_series(1, 7);",
    );
    sql(&source, "postgres", "create database \"my shop\"");
    sql(
        &source,
        "my shop",
        "create table items (id int); insert into items select generate_series(1, 5);",
    );
    sql(&source, "postgres", "create table settings (k text primary key, v text); insert into settings values ('a','1'),('b','2'),('c','3');");
    // The cluster's database is freshly initialised, with the app's database already there
    // (as the image's POSTGRES_DB creates it).
    sql(&target, "postgres", "create database shop");

    let engine = Engine::Postgres;
    let dump = script(&source, &one_line(&engine.dump_script()), b"");
    assert!(dump.len() > 1000, "dump of {} bytes", dump.len());
    script(&target, &one_line(&engine.restore_script().unwrap()), &dump);

    let counts = one_line(&engine.counts_script());
    let before = String::from_utf8(script(&source, &counts, b"")).unwrap();
    let after = String::from_utf8(script(&target, &counts, b"")).unwrap();
    assert!(before.contains("shop.public.customers 100"), "{before}");
    assert!(before.contains("shop.public.orders 250"), "{before}");
    assert!(before.contains("shop.audit.Log Entries 7"), "{before}");
    assert!(before.contains("postgres.public.settings 3"), "{before}");
    assert!(before.contains("my shop.public.items 5"), "{before}");
    assert_eq!(before, after, "row counts differ after the restore");
}
