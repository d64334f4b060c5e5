//! `homeport guard run`: the detection loop (every `poll`), the reconciler task (API writes),
//! the node watch (API reads), the control socket and the metrics server, wired together.

use crate::clock::{Clock, SystemClock};
use crate::detect::Detector;
use crate::evict::RetryPolicy;
use crate::metrics::{self, Metrics};
use crate::mode::Mode;
use crate::node::{Observed, Wanted};
use crate::node_watch::{self, NodeWatchConfig};
use crate::nvml::Nvml;
use crate::process::{ProcessMatcher, ProcessScanner};
use crate::reconcile::{Desired, Reconciler, ReconcilerConfig};
use crate::schedule::Schedule;
use crate::socket::{self, Command, Request};
use crate::state::{Machine, State};
use serde_json::json;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone)]
pub struct GuardConfig {
    pub node: String,
    /// The node's `gaming.processes`.
    pub processes: Vec<String>,
    pub schedule: Schedule,
    pub poll: Duration,
    pub hold: Duration,
    pub dry_run: bool,
    pub metrics: Option<SocketAddr>,
    /// The control socket (`None`: no socket).
    pub socket: Option<PathBuf>,
    /// Try to load NVML.
    pub nvml: bool,
    /// What `dlopen` is asked for: the driver's soname (found by the dynamic loader's
    /// search path, as the NVIDIA container runtime mounts it), or a path.
    pub nvml_library: String,
    /// The process table (`/proc`).
    pub proc_root: PathBuf,
    pub resync: Duration,
    pub retry: RetryPolicy,
}

impl GuardConfig {
    /// The contract's defaults: poll 1s, hold 2m.
    pub fn new(node: &str) -> GuardConfig {
        GuardConfig {
            node: node.to_string(),
            processes: Vec::new(),
            schedule: Schedule::default(),
            poll: Duration::from_secs(1),
            hold: Duration::from_secs(120),
            dry_run: false,
            metrics: None,
            socket: Some(socket::default_path()),
            nvml: true,
            nvml_library: crate::nvml::LIBRARY.to_string(),
            proc_root: PathBuf::from("/proc"),
            // Node changes arrive through the watch; this only re-applies the wanted state.
            resync: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("cannot serve metrics on {addr}: {source}")]
    Metrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Run the guard until `shutdown` completes. API trouble is logged and retried, never fatal.
pub async fn run(
    config: GuardConfig,
    client: kube::Client,
    shutdown: impl Future<Output = ()>,
) -> Result<(), GuardError> {
    run_with_clock(config, client, shutdown, Box::new(SystemClock)).await
}

pub async fn run_with_clock(
    config: GuardConfig,
    client: kube::Client,
    shutdown: impl Future<Output = ()>,
    clock: Box<dyn Clock>,
) -> Result<(), GuardError> {
    let metrics = Arc::new(Metrics::new());
    if let Some(addr) = config.metrics {
        let local = metrics::spawn_server(addr, metrics.clone())
            .await
            .map_err(|source| GuardError::Metrics { addr, source })?;
        tracing::info!(addr = %local, "serving metrics on /metrics");
    }
    let nvml = if config.nvml {
        match Nvml::load_from(&config.nvml_library) {
            Ok(n) => {
                tracing::info!(
                    gpus = n.device_count(),
                    "NVML loaded: NVIDIA graphics processes and utilisation are watched"
                );
                Some(n)
            }
            Err(e) => {
                tracing::info!(reason = %e, "NVML not available: detection uses processes, the schedule and the manual mode");
                None
            }
        }
    } else {
        None
    };
    metrics.set_nvml(nvml.is_some());
    let scanner =
        ProcessScanner::with_root(ProcessMatcher::new(&config.processes), &config.proc_root);
    let mut detector = Detector::new(scanner, config.schedule.clone(), nvml);

    let (desired_tx, desired_rx) = watch::channel(Desired::initial());
    let (observed_tx, mut observed_rx) = watch::channel::<Option<Observed>>(None);
    let reconciler = Reconciler::new(
        ReconcilerConfig {
            node: config.node.clone(),
            dry_run: config.dry_run,
            resync: config.resync,
            retry: config.retry,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        },
        client.clone(),
        metrics.clone(),
        desired_rx,
    );
    let reconciler = tokio::spawn(reconciler.run());
    let watcher = tokio::spawn(node_watch::run(
        NodeWatchConfig {
            node: config.node.clone(),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        },
        client,
        metrics.clone(),
        observed_tx,
    ));

    let (socket_tx, mut socket_rx) = mpsc::channel::<Request>(8);
    if let Some(path) = &config.socket {
        match socket::listen(path, socket_tx) {
            Ok(()) => tracing::info!(path = %path.display(), "control socket ready"),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "no control socket: `homeport guard on|off|auto` will set the node annotation instead")
            }
        }
    }

    tracing::info!(
        node = %config.node,
        poll_ms = config.poll.as_millis() as u64,
        hold_s = config.hold.as_secs(),
        processes = ?config.processes,
        schedule = %config.schedule,
        dry_run = config.dry_run,
        "gaming guard started"
    );

    let mut loop_state = Loop {
        machine: Machine::new(config.hold),
        mode: Mode::Auto,
        seen_mode: None,
        initialized: false,
        desired: Desired::initial(),
        since: String::new(),
    };
    let mut interval = tokio::time::interval(config.poll);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let now = clock.now();
                let signals = detector.poll(now, clock.as_ref(), loop_state.mode);
                if let Some(t) = loop_state.machine.step(now, &signals) {
                    tracing::info!(to = t.to.as_str(), reason = %t.reason, "gaming state changed");
                    metrics.transition(t.to.as_str());
                    metrics.set_gaming(t.to == State::Gaming);
                    loop_state.since = clock.rfc3339();
                    loop_state.publish(&desired_tx, Some(t.detected_at));
                }
            }
            Some(req) = socket_rx.recv() => {
                let answer = match req.command {
                    Command::SetMode(mode) => {
                        tracing::info!(mode = %mode, "manual mode set on the control socket");
                        loop_state.mode = mode;
                        loop_state.desired.wanted.mode = Some(mode);
                        loop_state.publish(&desired_tx, None);
                        // The next tick applies the mode; answer with it.
                        json!({"ok": true, "mode": mode.as_str()})
                    }
                    Command::Status => json!({
                        "ok": true,
                        "node": config.node,
                        "state": loop_state.machine.state().as_str(),
                        "since": loop_state.since,
                        "reason": loop_state.machine.reason(),
                        "mode": loop_state.mode.as_str(),
                        "nvml": detector.has_nvml(),
                        "dryRun": config.dry_run,
                    }),
                };
                let _ = req.reply.send(answer);
                interval.reset_immediately();
            }
            changed = observed_rx.changed() => {
                if changed.is_err() { break; }
                let observed = observed_rx.borrow_and_update().clone();
                if let Some(observed) = observed {
                    loop_state.observe(&observed, clock.as_ref(), &metrics, &desired_tx);
                    interval.reset_immediately();
                }
            }
            () = &mut shutdown => break,
        }
    }
    reconciler.abort();
    watcher.abort();
    if let Some(path) = &config.socket {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("gaming guard stopped");
    Ok(())
}

struct Loop {
    machine: Machine,
    mode: Mode,
    /// The mode annotation as last read from the node.
    seen_mode: Option<Mode>,
    /// The node was read once (restart reconciliation done).
    initialized: bool,
    desired: Desired,
    since: String,
}

impl Loop {
    /// Publish the machine's state to the reconciler. Before the node was read once only
    /// gaming is published (tainting is always safe; untainting is not).
    fn publish(&mut self, tx: &watch::Sender<Desired>, detected_at: Option<std::time::Instant>) {
        let gaming = self.machine.state() == State::Gaming;
        if !self.initialized && !gaming {
            return;
        }
        if gaming && !self.desired.wanted.gaming {
            self.desired.session += 1;
        }
        self.desired.generation += 1;
        self.desired.wanted = Wanted {
            gaming,
            since: self.since.clone(),
            mode: self.desired.wanted.mode,
        };
        if let Some(t) = detected_at {
            self.desired.detected_at = t;
        }
        tx.send_replace(self.desired.clone());
    }

    fn observe(
        &mut self,
        observed: &Observed,
        clock: &dyn Clock,
        metrics: &Metrics,
        tx: &watch::Sender<Desired>,
    ) {
        // A mode annotation changed by someone else (kubectl) is adopted; a value we wrote
        // ourselves and not yet seen does not undo a socket command.
        let mode = observed.mode.unwrap_or_default();
        if self.seen_mode != Some(mode) {
            if self.seen_mode.is_some() || self.desired.wanted.mode.is_none() {
                if mode != self.mode {
                    tracing::info!(mode = %mode, "manual mode from the node annotation homeport.dev/gaming-mode");
                }
                self.mode = mode;
                self.desired.wanted.mode = None;
            }
            self.seen_mode = Some(mode);
        }
        if self.initialized {
            return;
        }
        self.initialized = true;
        if observed.is_gaming() && self.machine.state() == State::Idle {
            let now = clock.now();
            self.machine.resume_gaming(
                now,
                "the node was in the gaming state when the guard started",
            );
            self.since = observed.since.clone().unwrap_or_else(|| clock.rfc3339());
            metrics.set_gaming(true);
            tracing::info!(since = %self.since, "resuming: the node is tainted/annotated as gaming; work stays away until nothing is detected for hold");
        } else if self.since.is_empty() {
            self.since = observed
                .since
                .clone()
                .filter(|_| !observed.is_gaming())
                .unwrap_or_else(|| clock.rfc3339());
        }
        self.publish(tx, None);
    }
}
