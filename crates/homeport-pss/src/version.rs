//! Pod Security policy versions (`v1.33`, `latest`).

use std::fmt;
use std::str::FromStr;

/// A Pod Security policy version: a Kubernetes `major.minor`.
///
/// Ordered by (major, minor). `latest` parses to [`Version::LATEST`], the newest policy version
/// this crate models; like upstream, any newer version evaluates exactly as the newest known
/// one (upstream clamps to the highest `MinimumVersion` of its registered checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    major: u32,
    minor: u32,
}

impl Version {
    /// The newest policy version with a change modelled here (1.37 added two safe sysctls).
    pub const LATEST: Version = Version::new(1, 37);

    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Version {
        Version { major, minor }
    }

    /// The major version (1 for every Kubernetes release so far).
    pub const fn major(self) -> u32 {
        self.major
    }

    /// The minor version.
    pub const fn minor(self) -> u32 {
        self.minor
    }

    /// The version the checks actually run at: versions newer than [`Version::LATEST`]
    /// behave like it.
    pub(crate) fn effective(self) -> Version {
        if self > Version::LATEST {
            Version::LATEST
        } else {
            self
        }
    }

    /// Parses a `pod-security.kubernetes.io/*-version` label value exactly like upstream's
    /// `api.ParseVersion`: only `latest` and `v1.<minor>` (no leading zeros, no patch, no
    /// surrounding spaces). Upstream evaluates an invalid label at the latest version.
    pub fn parse_label(text: &str) -> Result<Version, ParseVersionError> {
        if text == "latest" {
            return Ok(Version::LATEST);
        }
        let minor = text
            .strip_prefix("v1.")
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            .filter(|m| *m == "0" || !m.starts_with('0'))
            .and_then(|m| m.parse().ok());
        match minor {
            Some(minor) => Ok(Version::new(1, minor)),
            None => Err(ParseVersionError {
                input: text.to_string(),
            }),
        }
    }

    /// Accepts `1.33`, `v1.33`, `1.33.2`, `v1.33.2-rc.1` and `latest` (a lenient form for
    /// command-line flags and `cluster.yaml`; namespace labels use [`Version::parse_label`]).
    pub fn parse(text: &str) -> Result<Version, ParseVersionError> {
        let err = || ParseVersionError {
            input: text.to_string(),
        };
        let trimmed = text.trim();
        if trimmed == "latest" {
            return Ok(Version::LATEST);
        }
        let body = trimmed.strip_prefix('v').unwrap_or(trimmed);
        // A pre-release or build suffix may only follow a patch number.
        let mut parts = body.splitn(3, '.');
        let major = parse_number(parts.next()).ok_or_else(err)?;
        let minor = parse_number(parts.next()).ok_or_else(err)?;
        if let Some(patch) = parts.next() {
            let digits_end = patch
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(patch.len());
            let (digits, suffix) = patch.split_at(digits_end);
            let suffix_ok = suffix.is_empty() || suffix.starts_with('-') || suffix.starts_with('+');
            if digits.is_empty() || !suffix_ok {
                return Err(err());
            }
        }
        Ok(Version::new(major, minor))
    }
}

fn parse_number(part: Option<&str>) -> Option<u32> {
    let part = part?;
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}.{}", self.major, self.minor))
    }
}

/// The text is not a Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Kubernetes version {input:?}: expected MAJOR.MINOR (for example 1.33 or v1.33), MAJOR.MINOR.PATCH, or latest")]
pub struct ParseVersionError {
    /// The rejected text.
    pub input: String,
}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_forms() {
        for (text, want) in [
            ("1.33", Version::new(1, 33)),
            ("v1.33", Version::new(1, 33)),
            ("1.33.2", Version::new(1, 33)),
            ("v1.8.0", Version::new(1, 8)),
            ("1.35.0-rc.1", Version::new(1, 35)),
            (" 1.22 ", Version::new(1, 22)),
            ("latest", Version::LATEST),
        ] {
            assert_eq!(Version::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_versions() {
        for text in [
            "",
            "1",
            "v",
            "1.",
            ".1",
            "1.x",
            "one.two",
            "1.33.",
            "1.33.x",
            "1.-3",
            "v1.33.2.1",
            "99999999999.1",
        ] {
            assert!(Version::parse(text).is_err(), "{text:?} should not parse");
        }
        assert_eq!(
            Version::parse("1.x").unwrap_err().to_string(),
            "invalid Kubernetes version \"1.x\": expected MAJOR.MINOR (for example 1.33 or v1.33), MAJOR.MINOR.PATCH, or latest"
        );
    }

    #[test]
    fn label_form_matches_upstream_parse_version() {
        for (text, want) in [
            ("latest", Version::LATEST),
            ("v1.0", Version::new(1, 0)),
            ("v1.8", Version::new(1, 8)),
            ("v1.25", Version::new(1, 25)),
            ("v1.99", Version::new(1, 99)),
        ] {
            assert_eq!(Version::parse_label(text), Ok(want), "{text}");
        }
        for text in [
            "",
            "1.25",
            "v1",
            "v1.",
            "v1.025",
            "v1.25.0",
            "v2.0",
            " v1.25",
            "V1.25",
            "Latest",
            "v1.-1",
            "v1.99999999999",
        ] {
            assert!(
                Version::parse_label(text).is_err(),
                "{text:?} should not parse"
            );
        }
    }

    #[test]
    fn orders_numerically_and_clamps_future_versions() {
        assert!(Version::new(1, 9) < Version::new(1, 10));
        assert!(Version::new(1, 99) < Version::new(2, 0));
        assert_eq!(Version::new(1, 40).effective(), Version::LATEST);
        assert_eq!(Version::new(1, 25).effective(), Version::new(1, 25));
        assert_eq!(Version::new(1, 33).to_string(), "1.33");
    }
}
