//! One file per command; each parses nothing, calls library code, prints, returns an exit code.

mod bootstrap;
mod completions;
mod convert;
pub mod data;
mod guard;
mod host_facts;
mod image_facts;
mod images;
mod inspect;
mod lint;
mod plan;
mod project;
mod render;
mod rule;

use crate::cli::{Command, GlobalArgs};
use crate::output::Output;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INVALID: u8 = 2;

pub fn run(command: &Command, global: &GlobalArgs, out: &Output) -> u8 {
    match command {
        Command::Inspect(args) => inspect::run(global, args, out),
        Command::Plan(args) => plan::run(global, args, out),
        Command::Render(args) => render::run(global, args, out),
        Command::Convert(args) => convert::run(global, args, out),
        Command::Lint(args) => lint::run(global, args, out),
        Command::Rule(args) => rule::run(args, out),
        Command::Completions(args) => completions::completions(args, out),
        Command::Man => completions::man(out),
        Command::Bootstrap(args) => bootstrap::run(global, args, out),
        Command::Data(args) => data::run(global, args, out),
        Command::Images(args) => images::run(global, args, out),
        Command::Guard(args) => guard::run(global, args, out),
    }
}
