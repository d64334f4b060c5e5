//! The local control socket: `homeport guard on|off|auto|status` talk to the running guard
//! with one line each way (the command; a JSON answer).

use crate::mode::Mode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};

/// Where the guard listens unless told otherwise.
pub const DEFAULT_SOCKET: &str = "/run/homeport/guard.sock";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    SetMode(Mode),
    Status,
}

impl Command {
    pub fn parse(line: &str) -> Result<Command, String> {
        match line.trim() {
            "status" => Ok(Command::Status),
            other => other.parse().map(Command::SetMode),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Command::SetMode(m) => m.as_str(),
            Command::Status => "status",
        }
    }
}

/// A command from the socket and where its answer goes.
#[derive(Debug)]
pub struct Request {
    pub command: Command,
    pub reply: oneshot::Sender<Value>,
}

/// Listen on `path` (a stale socket file is replaced); requests go to `tx`.
pub fn listen(path: &Path, tx: mpsc::Sender<Request>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("another guard is listening on {}", path.display()),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    // The player (any local user) may switch the mode of this node.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                let mut reader = tokio::io::BufReader::new(read).take(256);
                if reader.read_line(&mut line).await.is_err() {
                    return;
                }
                let answer = match Command::parse(&line) {
                    Ok(command) => {
                        let (reply, rx) = oneshot::channel();
                        if tx.send(Request { command, reply }).await.is_err() {
                            return;
                        }
                        rx.await
                            .unwrap_or_else(|_| json!({"ok": false, "error": "guard stopping"}))
                    }
                    Err(e) => json!({"ok": false, "error": e}),
                };
                let _ = write.write_all(format!("{answer}\n").as_bytes()).await;
            });
        }
    });
    Ok(())
}

/// Client side: send `command` to the guard on `path`; `Ok(None)` when no guard listens.
pub fn send(path: &Path, command: Command) -> std::io::Result<Option<Value>> {
    let mut stream = match std::os::unix::net::UnixStream::connect(path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{}\n", command.as_str()).as_bytes())?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    serde_json::from_str(&line)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The socket path: `HOMEPORT_GUARD_SOCKET`, else [`DEFAULT_SOCKET`].
pub fn default_path() -> PathBuf {
    std::env::var_os("HOMEPORT_GUARD_SOCKET")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET))
}
