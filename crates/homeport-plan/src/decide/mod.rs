//! The decision passes, one concept per file.

pub mod autoscale;
pub mod availability;
pub mod backup;
pub mod environment;
pub mod exposure;
pub mod monitoring;
pub mod network;
pub mod placement;
pub mod priority;
pub mod probes;
pub mod production;
pub mod resources;
pub mod security;
pub mod storage;
pub mod untranslated;
pub mod workload;
