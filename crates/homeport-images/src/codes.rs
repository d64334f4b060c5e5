//! Diagnostic codes of image resolution (HP056x). Stable: users grep for them.

/// An image's registry could not tell its facts (down, slow, refused, broken answer); the
/// knowledge base is used instead.
pub const REGISTRY_UNAVAILABLE: &str = "HP0560";
/// `homeport.lock` cannot be read or is not a lock this homeport understands.
pub const LOCK_INVALID: &str = "HP0561";
/// `--locked` and the lock would change.
pub const LOCK_OUT_OF_DATE: &str = "HP0562";
/// `homeport.lock` could not be written.
pub const LOCK_WRITE_FAILED: &str = "HP0563";
