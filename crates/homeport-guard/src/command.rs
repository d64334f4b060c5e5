//! Blocking entry points for the `homeport guard` command (the binary stays thin and has no
//! async runtime of its own).

use crate::agent::{self, GuardConfig};
use crate::client;
use crate::mode::Mode;
use crate::socket::{self, Command};
use serde_json::{json, Value};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Client(#[from] client::ClientError),
    #[error(transparent)]
    Guard(#[from] agent::GuardError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("control socket {path}: {source}")]
    Socket {
        path: String,
        source: std::io::Error,
    },
    #[error("the guard refused: {0}")]
    Refused(String),
}

/// With transparent huge pages set to `always`, the allocator's few small arenas were backed
/// by 2 MiB pages: 10 of the idle guard's 19 MiB RSS. A long-running idle agent wants small
/// pages; this only affects this process.
fn disable_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CommandError::Runtime)
}

/// `homeport guard run`: until SIGINT or SIGTERM.
pub fn run(config: GuardConfig) -> Result<(), CommandError> {
    disable_transparent_huge_pages();
    crate::logging::init();
    runtime()?.block_on(async {
        let client = client::connect().await?;
        agent::run(config, client, shutdown_signal()).await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `homeport guard on|off|auto`: the running guard's socket, else the node annotation.
/// Returns a line for the user.
pub fn set_mode(socket_path: &Path, node: &str, mode: Mode) -> Result<String, CommandError> {
    if ask(socket_path, Command::SetMode(mode))?.is_some() {
        return Ok(format!(
            "gaming mode {mode} (set on the running guard, {})",
            socket_path.display()
        ));
    }
    runtime()?.block_on(async {
        let client = client::connect().await?;
        client::set_mode(client, node, mode).await?;
        Ok::<_, CommandError>(())
    })?;
    Ok(format!("gaming mode {mode} (annotation homeport.dev/gaming-mode on node {node}; no guard runs here)"))
}

/// `homeport guard status`: the running guard's answer, else what the node shows.
pub fn status(socket_path: &Path, node: &str) -> Result<Value, CommandError> {
    if let Some(answer) = ask(socket_path, Command::Status)? {
        return Ok(answer);
    }
    let observed = runtime()?.block_on(async {
        let client = client::connect().await?;
        Ok::<_, CommandError>(client::node_status(client, node).await?)
    })?;
    Ok(json!({
        "ok": true,
        "node": node,
        "guard": "not running here",
        "state": observed.state.as_deref().unwrap_or(if observed.tainted { "gaming" } else { "idle" }),
        "since": observed.since,
        "tainted": observed.tainted,
        "mode": observed.mode.unwrap_or_default().as_str(),
    }))
}

fn ask(path: &Path, command: Command) -> Result<Option<Value>, CommandError> {
    match socket::send(path, command) {
        Ok(Some(answer)) if answer["ok"] == true => Ok(Some(answer)),
        Ok(Some(answer)) => Err(CommandError::Refused(
            answer["error"]
                .as_str()
                .unwrap_or("unknown error")
                .to_string(),
        )),
        Ok(None) => Ok(None),
        Err(source) => Err(CommandError::Socket {
            path: path.display().to_string(),
            source,
        }),
    }
}
