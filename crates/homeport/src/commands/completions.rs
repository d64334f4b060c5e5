//! `homeport completions SHELL` and `homeport man`: generated from the clap definitions, so
//! they always list exactly the commands and flags the binary accepts.

use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::{Cli, CompletionsArgs};
use crate::output::Output;
use clap::CommandFactory;

pub fn completions(args: &CompletionsArgs, out: &Output) -> u8 {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "homeport", &mut script);
    print_bytes(&script, out)
}

pub fn man(out: &Output) -> u8 {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        eprintln!("error: cannot render the man page: {e}");
        return EXIT_INVALID;
    }
    print_bytes(&page, out)
}

fn print_bytes(bytes: &[u8], out: &Output) -> u8 {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            out.stdout(text);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: generated text is not UTF-8: {e}");
            EXIT_INVALID
        }
    }
}
