//! `homeport completions SHELL` and `homeport man`: generated from the clap definitions, they
//! name every command the binary has.

use std::process::Command;

fn homeport(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .args(args)
        .output()
        .expect("run homeport");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The subcommands `homeport --help` lists.
fn subcommands() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .arg("--help")
        .output()
        .expect("run homeport");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let commands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 8, "{help}");
    commands
}

#[test]
fn completions_name_every_command_in_each_shell() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let (code, script) = homeport(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        for command in &commands {
            assert!(script.contains(command.as_str()), "{shell} lacks {command}");
        }
        assert!(
            script.contains("cluster") && script.contains("project-directory"),
            "{shell} lacks the global options"
        );
    }
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let (_, script) = homeport(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("homeport.bash");
    std::fs::write(&file, script).unwrap();
    let status = Command::new("bash").arg("-n").arg(&file).status().unwrap();
    assert!(status.success());
}

#[test]
fn man_page_is_roff_listing_every_command() {
    let (code, page) = homeport(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH homeport 1"), "{page}");
    for command in subcommands() {
        assert!(page.contains(&command), "man page lacks {command}");
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
