//! Diagnostic codes of the output backends (HP07xx).

/// An object the backend cannot place (no kind, no name, a Secret key that is not a file name).
pub const INVALID_OBJECT: &str = "HP0701";
/// The output directory is not empty and `--force` was not given.
pub const OUT_DIR_NOT_EMPTY: &str = "HP0702";
/// The output path exists and is not a directory.
pub const OUT_NOT_A_DIR: &str = "HP0703";
/// Writing failed (permissions, disk full); nothing was left half-written.
pub const WRITE_FAILED: &str = "HP0704";
/// `--force` would delete the inputs or a repository (the output directory holds them).
pub const OUT_DIR_PROTECTED: &str = "HP0705";
/// The requested output format is not implemented yet.
pub const FORMAT_NOT_IMPLEMENTED: &str = "HP0706";
/// `--force` would replace a directory homeport did not write (no marker file in it).
pub const OUT_DIR_FOREIGN: &str = "HP0707";
/// `convert --gitops`/`--secrets` options that do not fit together or are not valid names.
pub const INVALID_OPTION: &str = "HP0720";
