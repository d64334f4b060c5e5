//! The guard's settings for one node from the inventory (`gaming:` of the node), with the
//! command line's overrides.

use crate::duration::parse_duration;
use crate::schedule::{Schedule, ScheduleError};
use homeport_plan::cluster::{Availability, Cluster};
use std::time::Duration;

/// The inventory's default when `gaming.hold` is absent.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, PartialEq)]
pub struct NodeSettings {
    pub processes: Vec<String>,
    pub schedule: Schedule,
    pub hold: Duration,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("node `{node}` is not in the cluster inventory (nodes: {known})")]
    UnknownNode { node: String, known: String },
    #[error("node `{0}` is always-on: the gaming guard only watches `availability: opportunistic` nodes")]
    AlwaysOn(String),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("gaming.hold of node `{node}`: {reason}")]
    Hold { node: String, reason: String },
}

/// The settings of `node`. Without an inventory (the built-in cluster) a node has no
/// configured processes: the built-in markers, NVML and the manual mode still work.
pub fn for_node(cluster: &Cluster, node: &str) -> Result<NodeSettings, SettingsError> {
    if cluster.is_default {
        return Ok(NodeSettings {
            processes: Vec::new(),
            schedule: Schedule::default(),
            hold: DEFAULT_HOLD,
        });
    }
    let Some(def) = cluster.node(node) else {
        return Err(SettingsError::UnknownNode {
            node: node.to_string(),
            known: cluster
                .nodes
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    if def.availability != Availability::Opportunistic {
        return Err(SettingsError::AlwaysOn(node.to_string()));
    }
    let hold = match &def.gaming_hold {
        Some(h) => parse_duration(h).map_err(|reason| SettingsError::Hold {
            node: node.to_string(),
            reason,
        })?,
        None => DEFAULT_HOLD,
    };
    Ok(NodeSettings {
        processes: def.gaming_processes.clone(),
        schedule: Schedule::parse(&def.gaming_schedule)?,
        hold,
    })
}
