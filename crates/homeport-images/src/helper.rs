//! Docker credential helpers (`docker-credential-<name> get`): the program reads the
//! registry's server URL on stdin and prints `{"ServerURL","Username","Secret"}`. A helper
//! is an outside program, so it is bounded: it gets `timeout` to answer and is killed past
//! it, so a helper waiting on a locked keychain never hangs homeport. The secret is never
//! part of an error message.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a helper answered.
#[derive(PartialEq, Eq)]
pub enum HelperAnswer {
    /// User name and secret (`Username` `<token>` is an identity token, not usable here).
    Found(String, String),
    /// The helper has nothing stored for this registry (it exits non-zero and says
    /// `credentials not found`).
    NotFound,
}

impl std::fmt::Debug for HelperAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HelperAnswer::Found(user, _) => write!(f, "Found({user:?}, <secret>)"),
            HelperAnswer::NotFound => write!(f, "NotFound"),
        }
    }
}

/// `docker-credential-<name>` found in the directories of `search_path` (a `PATH` value).
pub fn program(name: &str, search_path: Option<&OsString>) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) {
        return None;
    }
    let file = format!("docker-credential-{name}");
    std::env::split_paths(search_path?)
        .map(|d| d.join(&file))
        .find(|p| p.is_file())
}

/// Run `program get` with `server` on stdin; the answer, or why there is none (no secret in
/// it).
pub fn get(program: &PathBuf, server: &str, timeout: Duration) -> Result<HelperAnswer, String> {
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("credential helper `{name}` could not be started: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input is not an error here.
        let _ = stdin.write_all(server.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    // Read the output on a thread so a full pipe never blocks the helper, and wait with a
    // deadline; a grandchild holding the pipe open cannot block us either.
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.take(1 << 20).read_to_end(&mut out);
            let _ = tx.send(out);
        });
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "credential helper `{name}` gave no answer within {} s and was stopped",
                    timeout.as_secs().max(1)
                ));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("credential helper `{name}`: {e}"));
            }
        }
    };
    let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(200);
    let out = rx.recv_timeout(left).unwrap_or_default();
    let text = String::from_utf8_lossy(&out);
    if !status.success() {
        if text.to_ascii_lowercase().contains("credentials not found") {
            return Ok(HelperAnswer::NotFound);
        }
        return Err(format!("credential helper `{name}` failed ({status})"));
    }
    let doc: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|_| format!("credential helper `{name}` did not answer with JSON"))?;
    let field = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match (field("Username"), field("Secret")) {
        (Some(user), Some(secret)) if !secret.is_empty() => {
            if user == "<token>" {
                return Err(format!(
                    "credential helper `{name}` holds an identity token, which homeport cannot use"
                ));
            }
            Ok(HelperAnswer::Found(user, secret))
        }
        _ => Err(format!(
            "credential helper `{name}` answered without `Username` and `Secret`"
        )),
    }
}
