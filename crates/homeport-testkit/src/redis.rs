//! A Redis server for tests: `redis-server` (Debian: redis-server, installed by
//! scripts/install-tools) on loopback with a free port and a temporary directory (optionally
//! on a given snapshot), killed when dropped.

use crate::shell::{find_program, free_port};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `redis-server` and `redis-cli`, if installed.
pub fn binaries() -> Option<(PathBuf, PathBuf)> {
    Some((
        find_program(&["redis-server"])?,
        find_program(&["redis-cli"])?,
    ))
}

/// A running Redis without persistence of its own.
pub struct Redis {
    child: Child,
    cli: PathBuf,
    pub port: u16,
}

impl Redis {
    /// Starts Redis in `dir`; with `snapshot`, on a copy of that RDB file (`dir/dump.rdb`).
    pub fn start(
        (server, cli): &(PathBuf, PathBuf),
        dir: &Path,
        snapshot: Option<&Path>,
    ) -> Result<Redis, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        if let Some(rdb) = snapshot {
            std::fs::copy(rdb, dir.join("dump.rdb")).map_err(|e| e.to_string())?;
        }
        let port = free_port();
        let child = Command::new(server)
            .arg("--port")
            .arg(port.to_string())
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .args(["--dbfilename", "dump.rdb"])
            .arg("--logfile")
            .arg(dir.join("log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", server.display()))?;
        let mut redis = Redis {
            child,
            cli: cli.clone(),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if redis.cli(&["ping"]).is_ok_and(|r| r == "PONG") {
                return Ok(redis);
            }
            if let Ok(Some(status)) = redis.child.try_wait() {
                let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                return Err(format!("redis-server exited ({status}): {log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        Err(format!("redis-server did not come up: {log}"))
    }

    /// Runs `redis-cli` against this server: its output, trimmed.
    pub fn cli(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.cli)
            .args(["-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Every key of database `db`: (key, type, value as its type's read command prints
    /// it), sorted.
    pub fn contents(&self, db: u32) -> Vec<(String, String, String)> {
        let n = db.to_string();
        let keys = self
            .cli(&["-n", &n, "--raw", "keys", "*"])
            .unwrap_or_default();
        let mut out: Vec<(String, String, String)> = keys
            .lines()
            .filter(|k| !k.is_empty())
            .map(|k| {
                let t = self.cli(&["-n", &n, "type", k]).unwrap_or_default();
                let v = match t.as_str() {
                    "string" => self.cli(&["-n", &n, "--raw", "get", k]),
                    "list" => self.cli(&["-n", &n, "--raw", "lrange", k, "0", "-1"]),
                    "hash" => self.cli(&["-n", &n, "--raw", "hgetall", k]),
                    "set" => self.cli(&["-n", &n, "--raw", "smembers", k]).map(|s| {
                        let mut m: Vec<&str> = s.lines().collect();
                        m.sort();
                        m.join("\n")
                    }),
                    "zset" => self.cli(&["-n", &n, "--raw", "zrange", k, "0", "-1", "withscores"]),
                    _ => Ok(String::new()),
                }
                .unwrap_or_default();
                (k.to_string(), t, v)
            })
            .collect();
        out.sort();
        out
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
