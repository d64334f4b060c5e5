//! Diagnostic codes of host facts. Stable: users grep for them.

/// A host path is missing on this machine and `homeport.lock` records configuration files
/// there whose contents would go into the output (contents are never in the lock): planned
/// as missing, a warning.
pub const CONTENTS_NOT_LOCKED: &str = "HP0568";
