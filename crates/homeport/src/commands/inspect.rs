//! `homeport inspect`: the normalized Compose model.

use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::{GlobalArgs, InspectArgs};
use crate::output::Output;

pub fn run(_global: &GlobalArgs, _args: &InspectArgs, _out: &Output) -> u8 {
    // Wired to homeport_compose::load by the Compose loader work.
    let _ = EXIT_OK;
    EXIT_INVALID
}
