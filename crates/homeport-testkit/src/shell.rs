//! Running shell scripts as the containers of the rendered objects would: `/bin/sh -c`,
//! with a given environment, as an unprivileged user (database servers refuse root; when the
//! tests run as root the scripts run as `nobody` through `runuser`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A free TCP port on loopback (bound, read, released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The first of `names` found on `PATH` or in `/usr/sbin` and `/usr/local/sbin` (where Debian
/// puts server binaries).
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin".into(), "/usr/local/sbin".into()]);
    names
        .iter()
        .find_map(|n| dirs.iter().map(|d| d.join(n)).find(|p| p.is_file()))
}

/// `Some(found)`, or, when a Debian package the test needs is missing: under CI a panic (CI
/// installs it with scripts/install-tools and never skips), elsewhere a line and `None`.
pub fn require_package<T>(found: Option<T>, what: &str) -> Option<T> {
    if found.is_none() {
        let why = format!("{what} not found: run scripts/install-tools");
        if crate::in_ci() {
            panic!("{why}; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping: {why}");
    }
    found
}

/// Runs scripts with `/bin/sh -c`, as `nobody` when the tests run as root.
#[derive(Clone, Debug)]
pub struct Shell {
    as_nobody: bool,
    path: OsString,
}

impl Shell {
    /// A shell whose `PATH` starts with `bin_dirs`, then `/usr/sbin` and the test's `PATH`.
    pub fn new(bin_dirs: &[PathBuf]) -> Shell {
        let mut dirs: Vec<PathBuf> = bin_dirs.to_vec();
        dirs.push("/usr/sbin".into());
        dirs.extend(
            std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        Shell {
            as_nobody: is_root(),
            path: std::env::join_paths(dirs).expect("PATH entries without ':'"),
        }
    }

    /// A command running `program` as the shell's user, with its `PATH`.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(program.as_ref());
            c
        } else {
            Command::new(program.as_ref())
        };
        cmd.env("PATH", &self.path);
        cmd
    }

    /// Creates `dir` (and its parents) so that the shell's user may write in it.
    pub fn writable_dir(&self, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("create a scratch directory");
        if self.as_nobody {
            use std::os::unix::fs::PermissionsExt;
            let mut d = Some(dir);
            // Each component under the temporary directory must be reachable.
            while let Some(p) = d {
                if p == std::env::temp_dir() || p.parent().is_none() {
                    break;
                }
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777));
                d = p.parent();
            }
        }
        dir.to_path_buf()
    }

    /// Runs `script` with `env` added to the environment.
    pub fn sh(&self, script: &str, env: &[(String, String)]) -> Output {
        let mut cmd = self.command("/bin/sh");
        cmd.arg("-c").arg(script);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run /bin/sh")
    }

    /// Runs `script`; its stdout, or a panic with the script and its output when it fails.
    pub fn ok(&self, script: &str, env: &[(String, String)]) -> String {
        let out = self.sh(script, env);
        assert!(
            out.status.success(),
            "script failed ({}):\n{script}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
