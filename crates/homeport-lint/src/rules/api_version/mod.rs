//! `api-version`: API versions that the target Kubernetes version removed, deprecates, or
//! serves only as a pre-release while a stable version exists.

pub mod deprecated_api;
pub mod removed_api;
pub mod unstable_api_version;

/// Parse `"1.25"` into `(1, 25)`.
pub(crate) fn version_tuple(text: &str) -> (u32, u32) {
    let mut parts = text.split('.');
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}
