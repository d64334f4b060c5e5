//! One failed control on one field.

use crate::{Control, JsonPath, PathSegment};

/// A control that an object fails, at one field.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The control that failed.
    pub control: &'static Control,
    /// Upstream-style `forbidden reason (detail)`, e.g.
    /// `allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)`.
    pub message: String,
    /// From the object's root to the offending field; when the field is missing (for example
    /// `runAsNonRoot` unset), to its nearest existing parent.
    pub path: Vec<PathSegment>,
}

impl Violation {
    /// The path as text, e.g. `spec.template.spec.containers[0].securityContext`.
    pub fn path_string(&self) -> String {
        JsonPath(&self.path).to_string()
    }
}
