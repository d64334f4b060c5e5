//! The manual override: `homeport.dev/gaming-mode: on|off|auto`.

use std::fmt;
use std::str::FromStr;

/// The node annotation people set (`kubectl annotate` or `homeport guard on|off|auto`).
pub const MODE_ANNOTATION: &str = "homeport.dev/gaming-mode";

/// `on`: gaming regardless of detection; `off`: never gaming; `auto` (or absent): detection decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    On,
    Off,
    #[default]
    Auto,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::On => "on",
            Mode::Off => "off",
            Mode::Auto => "auto",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s.trim() {
            "on" => Ok(Mode::On),
            "off" => Ok(Mode::Off),
            "auto" | "" => Ok(Mode::Auto),
            other => Err(format!("`{other}` is not a gaming mode (on, off or auto)")),
        }
    }
}
