//! What a rule sees while it runs, and how it reports.

use crate::cluster::Cluster;
use crate::finding::RawFinding;
use crate::index::Index;
use crate::rule::Rule;
use crate::workload::PodTemplate;
use homeport_manifest::FieldPath;

/// The whole input, indexed once, the object being checked, and the run's settings.
pub struct Context<'a> {
    /// What the index keeps of every object ([`narrow`](crate::narrow)): the object being
    /// checked is the one a rule is given, whole.
    pub index: &'a Index<'a>,
    /// The pod template of the object being checked, if it runs pods.
    pub template: Option<&'a PodTemplate<'a>>,
    /// Target Kubernetes version, `(major, minor)`.
    pub version: (u32, u32),
    /// The cluster inventory given with `--cluster`, if any.
    pub cluster: Option<&'a Cluster>,
}

impl Context<'_> {
    /// Whether the target version is at least `major.minor`.
    pub fn version_at_least(&self, major: u32, minor: u32) -> bool {
        self.version >= (major, minor)
    }
}

/// Collects one rule's findings on one object.
pub struct Emitter<'a> {
    pub(crate) rule: &'static Rule,
    pub(crate) object: usize,
    pub(crate) out: &'a mut Vec<RawFinding>,
}

impl Emitter<'_> {
    /// The number of the object being checked, in input order (what the
    /// [`Index`] methods take).
    pub fn object_index(&self) -> usize {
        self.object
    }

    /// Report a problem at `path` (the field, or the object that lacks it).
    pub fn report(&mut self, path: FieldPath, message: impl Into<String>) -> &mut RawFinding {
        self.out.push(RawFinding {
            rule: self.rule,
            severity: self.rule.severity,
            object: self.object,
            path,
            message: message.into(),
            help: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}
