//! What homeport knows about each image of a project, from `homeport.lock` and the image's
//! own config in its registry (OCI distribution API), gathered before planning into
//! [`homeport_plan::facts::ImageFacts`] (the planner stays pure).
//!
//! * [`reference`]: Docker's reference normalisation (`redis` = `docker.io/library/redis:latest`);
//! * [`registry`]: one image's index, platform manifest, config (and `/etc/passwd` for a
//!   named user) through `oci-client`: anonymous Bearer tokens, the user's Docker
//!   credentials, plain HTTP for loopback registries, a timeout on every request;
//! * [`lock`]: `homeport.lock`, deterministic, digests pinned;
//! * [`pull`]: the registries of the images and the Docker config's logins to them (pull
//!   secrets);
//! * [`resolve`]: a project's images, lock first, then every registry concurrently, each
//!   failure a warning naming the image and its registry.

mod capped;
pub mod codes;
pub mod credentials;
mod helper;
pub mod lock;
pub mod passwd;
pub mod project;
pub mod pull;
pub mod reference;
pub mod registry;
pub mod report;
pub mod resolve;

pub use credentials::Credentials;
pub use lock::{Lock, LockError, LOCK_FILE};
pub use project::{gather, lock_path, project_images, Gathered};
pub use resolve::{resolve, Options, Resolution, Source, Warning, DEFAULT_TIMEOUT};
