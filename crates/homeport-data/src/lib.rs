//! Moving the data of a Compose project into the cluster's storage, with proof that nothing
//! was lost.
//!
//! * [`copy()`]: a parallel, hole-aware, resumable copy that keeps modes, owners (or maps
//!   them), nanosecond timestamps, symlinks, hard links, xattrs/ACLs, special files and any
//!   file-name bytes, writes a manifest (one line per entry with its BLAKE3) and verifies the
//!   destination against it.
//! * [`verify()`]: compare a tree with a manifest, listing every difference.
//! * [`stream`]: the same tree as a byte stream (`data send | data receive`), for claims that
//!   are only reachable through a pod.

mod apply;
mod content;
mod copy;
pub mod db;
mod entry;
mod error;
mod escape;
mod journal;
mod manifest;
pub mod plan;
pub mod plan_text;
pub mod preflight;
mod progress;
pub mod receiver;
pub mod runbook;
mod scan;
pub mod stream;
mod verify;

pub use copy::{copy, journal_path, CopyOptions, CopyReport};
pub use entry::{Entry, Kind};
pub use error::{codes, DataError};
pub use manifest::{read as read_manifest, write as write_manifest};
pub use progress::human_bytes;
pub use verify::{verify, Difference};
