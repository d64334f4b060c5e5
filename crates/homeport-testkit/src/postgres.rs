//! A PostgreSQL server for tests: `initdb` + `pg_ctl` (Debian: postgresql, installed by
//! scripts/install-tools) on loopback with a free port and a temporary data directory, trust
//! authentication, stopped when dropped.

use crate::shell::{free_port, Shell};
use std::path::{Path, PathBuf};

/// The directory holding `initdb`, `pg_ctl` and `pg_dump`, if PostgreSQL is installed
/// (on `PATH`, or the newest `/usr/lib/postgresql/<version>/bin`).
pub fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        dirs.extend(versions.into_iter().rev());
    }
    dirs.into_iter().find(|d| {
        ["initdb", "pg_ctl", "pg_dump", "psql"]
            .iter()
            .all(|b| d.join(b).is_file())
    })
}

/// A running PostgreSQL with one database owned by one (superuser) role.
pub struct Postgres {
    shell: Shell,
    dir: PathBuf,
    pub port: u16,
    pub user: String,
    pub db: String,
}

impl Postgres {
    /// Initialises a cluster in `dir/data` and starts it on 127.0.0.1 (its socket in `dir`),
    /// with the superuser `user` and the database `db` (created unless it is `postgres`,
    /// which every cluster has). `shell` runs the server's programs (as `nobody` under root);
    /// its `PATH` must hold [`bin_dir`].
    pub fn start(shell: &Shell, dir: &Path, user: &str, db: &str) -> Postgres {
        let dir = shell.writable_dir(dir);
        let port = free_port();
        let d = dir.display();
        let create = if db == "postgres" {
            String::new()
        } else {
            format!(" && createdb --host=127.0.0.1 --port={port} --username={user} {db}")
        };
        shell.ok(
            &format!("initdb --pgdata={d}/data --username={user} --auth=trust --no-sync >/dev/null && pg_ctl --pgdata={d}/data --log={d}/log --wait --options=\"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={d} -c fsync=off\" start >/dev/null{create}"),
            &[],
        );
        Postgres {
            shell: shell.clone(),
            dir,
            port,
            user: user.into(),
            db: db.into(),
        }
    }

    /// Runs `sql` with psql (unaligned, tuples only): its output, trimmed.
    pub fn psql(&self, sql: &str) -> String {
        self.shell
            .ok(
                &format!(
                    "psql --host=127.0.0.1 --port={} --username={} --dbname={} -v ON_ERROR_STOP=1 -Atc \"$SQL\"",
                    self.port, self.user, self.db
                ),
                &[("SQL".into(), sql.into())],
            )
            .trim()
            .to_string()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.shell.sh(
            &format!(
                "pg_ctl --pgdata={}/data --mode=immediate stop",
                self.dir.display()
            ),
            &[],
        );
    }
}
