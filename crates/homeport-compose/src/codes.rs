//! Stable diagnostic codes of the Compose loader (range HP0101–HP0199).

/// No compose file found, or a compose file could not be read.
pub const NO_COMPOSE_FILE: &str = "HP0101";
/// A key that is not part of the Compose Specification.
pub const UNKNOWN_KEY: &str = "HP0102";
/// A value of the wrong type (a list where a mapping is expected, ...).
pub const WRONG_TYPE: &str = "HP0103";
/// A referenced side file (env_file, extends file, include, secret/config file) is missing.
pub const MISSING_FILE: &str = "HP0104";
/// A reference to a service that is not defined (depends_on, extends, links, network_mode).
pub const UNDEFINED_SERVICE: &str = "HP0105";
/// `extends` chains that loop back on themselves.
pub const EXTENDS_CYCLE: &str = "HP0106";
/// `${VAR:?message}` / `${VAR?message}` with the variable missing.
pub const REQUIRED_VARIABLE: &str = "HP0107";
/// Malformed `${...}` interpolation.
pub const INVALID_INTERPOLATION: &str = "HP0108";
/// A variable used in interpolation is not set (warning; it becomes an empty string).
pub const UNSET_VARIABLE: &str = "HP0109";
/// A value of the right type that does not parse (port, unit, duration, enum ...).
pub const INVALID_VALUE: &str = "HP0110";
/// Two names map to the same Kubernetes (DNS-1123) name.
pub const NAME_COLLISION: &str = "HP0111";
/// A reference to an undefined network, volume, secret or config.
pub const UNDEFINED_RESOURCE: &str = "HP0112";
/// `include` cycles and conflicting definitions between included projects.
pub const INCLUDE_CONFLICT: &str = "HP0113";
/// The obsolete top-level `version` key (warning).
pub const OBSOLETE_VERSION: &str = "HP0114";
/// A service with neither `image` nor `build`.
pub const NO_IMAGE: &str = "HP0115";
/// A dependency on a service that profiles switched off.
pub const INACTIVE_DEPENDENCY: &str = "HP0116";
/// A project name that cannot be used.
pub const INVALID_PROJECT_NAME: &str = "HP0117";
/// A line of an env file that does not parse.
pub const INVALID_ENV_FILE: &str = "HP0118";
/// Settings that contradict each other (`network_mode` with `networks`, `scale` vs `replicas`).
pub const CONFLICTING_SETTINGS: &str = "HP0119";
/// A project with no services (warning).
pub const NO_SERVICES: &str = "HP0120";
/// A secret or config taken from an environment variable that is not set (warning).
pub const UNSET_SOURCE_VARIABLE: &str = "HP0121";
