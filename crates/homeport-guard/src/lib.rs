//! The gaming guard (contract: "The gaming guard"): an agent per opportunistic node that
//! gives the GPU back to the player within a second and takes it again after.
//!
//! Detection is pure and testable (`process`, `schedule`, `gpu`, `state`); `nvml` loads the
//! NVIDIA library at run time; `reconcile` and `evict` are the only code that talks to the
//! API server (kube-rs); `agent` wires everything; `deploy` renders the manifests the
//! bootstrap command writes.

pub mod agent;
pub mod client;
pub mod clock;
pub mod command;
pub mod deploy;
pub mod detect;
pub mod duration;
pub mod evict;
pub mod gpu;
pub mod logging;
pub mod metrics;
pub mod mode;
pub mod node;
pub mod node_watch;
pub mod nvml;
pub mod process;
pub mod reconcile;
pub mod schedule;
pub mod settings;
pub mod socket;
pub mod state;

pub use agent::{run, GuardConfig, GuardError};
pub use mode::Mode;
