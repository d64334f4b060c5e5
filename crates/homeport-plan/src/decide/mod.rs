//! The decision passes, one concept per file.

pub mod environment;
pub mod exposure;
pub mod file_secrets;
pub mod network;
pub mod placement;
pub mod probes;
pub mod resources;
pub mod security;
pub mod storage;
pub mod traefik;
pub mod untranslated;
pub mod vpn;
pub mod workload;
