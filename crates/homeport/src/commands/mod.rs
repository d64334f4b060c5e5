//! One file per command; each parses nothing, calls library code, prints, returns an exit code.

mod convert;
mod guard;
mod inspect;
mod lint;
mod plan;
mod project;
mod render;
mod rule;

use crate::cli::{Cli, Command};
use crate::output::Output;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INVALID: u8 = 2;

pub fn run(cli: &Cli, out: &Output) -> u8 {
    match &cli.command {
        Command::Inspect(args) => inspect::run(&cli.global, args, out),
        Command::Plan(args) => plan::run(&cli.global, args, out),
        Command::Render(args) => render::run(&cli.global, args, out),
        Command::Convert(args) => convert::run(&cli.global, args, out),
        Command::Lint(args) => lint::run(&cli.global, args, out),
        Command::Rule(args) => rule::run(args, out),
        Command::Guard(args) => guard::run(&cli.global, args, out),
    }
}
