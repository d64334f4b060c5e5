//! The decision passes, one concept per file.

pub mod autoscale;
pub mod availability;
pub mod backup;
pub mod environment;
pub mod exposure;
pub mod file_secrets;
pub mod image_ports;
pub mod image_source;
pub mod image_volumes;
pub mod monitoring;
pub mod network;
pub mod placement;
pub mod priority;
pub mod probe_targets;
pub mod probes;
pub mod production;
pub mod resources;
pub mod security;
pub mod storage;
pub mod traefik;
pub mod untranslated;
pub mod vpn;
pub mod workload;
