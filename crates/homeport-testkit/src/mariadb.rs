//! A MariaDB server for tests: `mariadb-install-db` + `mariadbd` (Debian: mariadb-server,
//! installed by scripts/install-tools) on loopback with a free port and a temporary data
//! directory, killed when dropped.

use crate::shell::{find_program, free_port, is_root};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server's programs.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub install_db: PathBuf,
    pub server: PathBuf,
    pub client: PathBuf,
}

/// The programs, if MariaDB (or MySQL's equivalents) is installed.
pub fn binaries() -> Option<Binaries> {
    Some(Binaries {
        install_db: find_program(&["mariadb-install-db", "mysql_install_db"])?,
        server: find_program(&["mariadbd", "mysqld"])?,
        client: find_program(&["mariadb", "mysql"])?,
    })
}

/// A running MariaDB; `root@localhost` has the password `root_password` (empty at start).
pub struct MariaDb {
    child: Child,
    client: PathBuf,
    socket: PathBuf,
    pub port: u16,
    pub root_password: String,
}

impl MariaDb {
    /// Initialises `dir/data` and starts the server on 127.0.0.1 (socket in `dir`).
    pub fn start(bins: &Binaries, dir: &Path) -> Result<MariaDb, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let root = is_root();
        let data = dir.join("data");
        let mut install = Command::new(&bins.install_db);
        install
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
        if root {
            install.arg("--user=root");
        }
        let out = install
            .output()
            .map_err(|e| format!("{}: {e}", bins.install_db.display()))?;
        if !out.status.success() {
            return Err(format!(
                "mariadb-install-db failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let port = free_port();
        let socket = dir.join("sock");
        let mut cmd = Command::new(&bins.server);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", dir.join("pid").display()))
            .arg(format!("--log-error={}", dir.join("log").display()))
            .arg(format!("--tmpdir={}", dir.display()))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=16M",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if root {
            cmd.arg("--user=root");
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", bins.server.display()))?;
        let server = MariaDb {
            child,
            client: bins.client.clone(),
            socket,
            port,
            root_password: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if server.sql("select 1").is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        Err(format!("mariadbd did not come up: {log}"))
    }

    /// The server's Unix socket (the clients' default inside a container).
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Runs `sql` as root over the socket: its tab-separated output without column names.
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        let out = Command::new(&self.client)
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .args(["--user=root", "--batch", "--skip-column-names", "-e", sql])
            .env("MYSQL_PWD", &self.root_password)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Sets root's password (for every host root may connect from).
    pub fn set_root_password(&mut self, password: &str) -> Result<(), String> {
        self.sql(&format!(
            "alter user root@localhost identified by '{password}'; flush privileges"
        ))?;
        self.root_password = password.to_string();
        Ok(())
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
