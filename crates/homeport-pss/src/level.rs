//! Pod Security Standards levels.

use std::fmt;
use std::str::FromStr;

/// A Pod Security Standards level. Ordered from the most permissive to the most restrictive,
/// so `level >= Level::Baseline` means "enforces at least the baseline controls".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No restrictions at all.
    Privileged,
    /// Prevents known privilege escalations; the default pod configuration passes.
    Baseline,
    /// Current pod hardening best practice; includes every baseline control.
    Restricted,
}

impl Level {
    /// The lowercase name used by the `pod-security.kubernetes.io/*` labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The text was not one of `privileged`, `baseline`, `restricted`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Pod Security level {input:?}: expected privileged, baseline or restricted")]
pub struct ParseLevelError {
    /// The rejected text.
    pub input: String,
}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Parses the exact lowercase names, as the namespace labels require.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(ParseLevelError {
                input: s.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_levels_and_orders_them() {
        assert_eq!("baseline".parse(), Ok(Level::Baseline));
        assert_eq!("restricted".parse(), Ok(Level::Restricted));
        assert_eq!("privileged".parse(), Ok(Level::Privileged));
        assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
        assert_eq!(Level::Restricted.to_string(), "restricted");
    }

    #[test]
    fn rejects_other_text() {
        let err = "Baseline".parse::<Level>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Pod Security level \"Baseline\": expected privileged, baseline or restricted"
        );
        assert!("".parse::<Level>().is_err());
    }
}
