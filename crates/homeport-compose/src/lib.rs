//! Compose loading, as `docker compose` v2 does it: discovery, merge, interpolation,
//! profiles, extends, include, normalization into a typed [`Project`] with spans.

pub mod hints;
pub mod model;

pub use hints::*;
pub use model::*;
