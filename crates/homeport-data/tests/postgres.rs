//! A real PostgreSQL round trip with the scripts `homeport data plan` prints: two instances
//! (initdb + pg_ctl, loopback, free ports, temp dirs) stand for the Compose container and the
//! cluster's database; dump from one, restore into the other, equal row counts.
//!
//! Needs the Debian postgresql packages (`scripts/install-tools`); skipped with a line on a
//! developer machine without them, failing under CI. As root, the servers run as `nobody`
//! (initdb refuses root) through `runuser`.

use homeport_data::db::{one_line, Engine};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn pg_bin(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|d| d.path().join("bin").join(name))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

fn skip_or_fail(why: &str) {
    if homeport_testkit::in_ci() {
        panic!("{why}; CI is set, so this test must not be skipped (scripts/install-tools installs postgresql)");
    }
    eprintln!("skipping PostgreSQL round trip: {why}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    pg_ctl: PathBuf,
    data: PathBuf,
    port: u16,
    as_nobody: bool,
}

impl Server {
    fn command(&self, program: &Path) -> Command {
        if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn start(initdb: &Path, pg_ctl: &Path, dir: &Path, as_nobody: bool) -> Result<Server, String> {
        let server = Server {
            pg_ctl: pg_ctl.to_path_buf(),
            data: dir.join("data"),
            port: free_port(),
            as_nobody,
        };
        let out = server
            .command(initdb)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&server.data)
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off",
            server.port,
            dir.display()
        );
        let out = server
            .command(pg_ctl)
            .args(["-w", "-t", "60", "-l"])
            .arg(dir.join("log"))
            .arg("-D")
            .arg(&server.data)
            .args(["-o", &opts, "start"])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !out.status.success() {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            return Err(format!(
                "pg_ctl start failed: {}{log}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(server)
    }

    /// Run one of homeport's scripts against this server, as `docker exec`/`kubectl exec`
    /// would inside the container (here: PGHOST/PGPORT point at the server).
    fn script(&self, script: &str, stdin: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = Command::new("sh")
            .args(["-c", script])
            .env("PGHOST", "127.0.0.1")
            .env("PGPORT", self.port.to_string())
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

    fn sql(&self, db: &str, sql: &str) {
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
            .arg(self.port.to_string())
            .args(["-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command(&self.pg_ctl.clone())
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn dump_restore_and_equal_row_counts() {
    let (Some(initdb), Some(pg_ctl)) = (pg_bin("initdb"), pg_bin("pg_ctl")) else {
        return skip_or_fail("initdb/pg_ctl not found (apt-get install postgresql)");
    };
    let as_nobody = rustix::process::geteuid().is_root();
    if as_nobody && Command::new("runuser").arg("--help").output().is_err() {
        return skip_or_fail("running as root and `runuser` is missing (initdb refuses root)");
    }
    let tmp = tempfile::tempdir().unwrap();
    let dirs = [tmp.path().join("compose"), tmp.path().join("cluster")];
    for d in &dirs {
        std::fs::create_dir(d).unwrap();
        if as_nobody {
            std::os::unix::fs::chown(d, Some(65534), Some(65534)).unwrap();
        }
    }
    if as_nobody {
        std::os::unix::fs::chown(tmp.path(), Some(65534), Some(65534)).unwrap();
    }
    let source = match Server::start(&initdb, &pg_ctl, &dirs[0], as_nobody) {
        Ok(s) => s,
        Err(e) => return skip_or_fail(&e),
    };
    let target = Server::start(&initdb, &pg_ctl, &dirs[1], as_nobody).unwrap();

    source.sql("postgres", "create database shop");
    source.sql(
        "shop",
        "create table customers (id serial primary key, name text);
         insert into customers (name) select 'c' || g from generate_series(1, 100) g;
         create table orders (id serial primary key, customer int references customers, note text);
         insert into orders (customer, note) select 1 + g % 100, E'line\\nbreak ' || g from generate_series(1, 250) g;
         create schema audit;
         create table audit.\"Log Entries\" (at timestamptz default now(), what text);
         insert into audit.\"Log Entries\" (what) select 'x' from generate_series(1, 7);",
    );
    source.sql("postgres", "create database \"my shop\"");
    source.sql(
        "my shop",
        "create table items (id int); insert into items select generate_series(1, 5);",
    );
    source.sql("postgres", "create table settings (k text primary key, v text); insert into settings values ('a','1'),('b','2'),('c','3');");
    // The cluster's database is freshly initialised, with the app's database already there
    // (as the image's POSTGRES_DB creates it).
    target.sql("postgres", "create database shop");

    let engine = Engine::Postgres;
    let dump = source.script(&one_line(&engine.dump_script()), b"");
    assert!(dump.len() > 1000, "dump of {} bytes", dump.len());
    target.script(&one_line(&engine.restore_script().unwrap()), &dump);

    let counts = one_line(&engine.counts_script());
    let before = String::from_utf8(source.script(&counts, b"")).unwrap();
    let after = String::from_utf8(target.script(&counts, b"")).unwrap();
    assert!(before.contains("shop.public.customers 100"), "{before}");
    assert!(before.contains("shop.public.orders 250"), "{before}");
    assert!(before.contains("shop.audit.Log Entries 7"), "{before}");
    assert!(before.contains("postgres.public.settings 3"), "{before}");
    assert!(before.contains("my shop.public.items 5"), "{before}");
    assert_eq!(before, after, "row counts differ after the restore");
}
