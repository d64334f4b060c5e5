//! Compose loading, as `docker compose` v2 does it: discovery, merge, interpolation,
//! profiles, extends, include, normalization into a typed [`Project`] with spans.
//!
//! Entry point: [`load`] (or [`load_with`] over any [`FileSystem`]).

pub mod codes;
mod cron;
pub mod dotenv;
mod extends;
pub mod fs;
pub mod hints;
mod include;
pub mod interpolate;
mod load;
mod merge;
pub mod model;
pub mod names;
mod normalize;
mod paths;
mod schema;

pub mod units;
mod yaml_compat;

pub use fs::{FileSystem, MemoryFs, RealFs};
pub use hints::*;
pub use homeport_secrets::looks_secret;
pub use load::{load, load_with, LoadOptions, Loaded};
pub use model::*;
