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
pub mod probes;
pub mod production;
pub mod pull_secrets;
pub mod quota;
pub mod resources;
pub mod rightsize;
pub mod security;
pub mod service_account;
pub mod storage;
pub mod traefik;
pub mod untranslated;
pub mod vpn;
pub mod workload;
