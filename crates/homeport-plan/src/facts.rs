//! Facts about the outside world, gathered before planning and passed in, so the planner
//! stays pure: what each image's registry config says (`homeport-images` fills
//! [`ImageFacts`], recorded in `homeport.lock`) and what the host's bind-mounted paths hold
//! (`homeport-host` fills [`HostPathFacts`]). Same facts in, same plan out.
//!
//! Empty facts are valid: the planner then decides from Compose and the knowledge base
//! alone, conservatively, and says so.

use serde::Serialize;
use std::collections::BTreeMap;

/// Everything gathered before planning.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Image reference as written in Compose (after interpolation) -> its facts.
    pub images: BTreeMap<String, ImageFacts>,
    /// Resolved absolute host path of a bind mount -> what is there.
    pub host: BTreeMap<String, HostPathFacts>,
}

impl Facts {
    pub fn image(&self, reference: &str) -> Option<&ImageFacts> {
        self.images.get(reference)
    }

    pub fn host_path(&self, path: &str) -> Option<&HostPathFacts> {
        self.host.get(path)
    }
}

/// What an image's own config (in its registry, or pinned in `homeport.lock`) says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageFacts {
    /// Where these facts came from (`lock`, `registry`), for the plan's reasons.
    pub source: String,
}

/// What a bind-mounted host path holds, as seen from the machine running homeport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostPathFacts {
    /// False when the path does not exist (or could not be inspected).
    pub exists: bool,
}
