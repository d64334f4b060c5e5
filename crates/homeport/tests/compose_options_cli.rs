//! The Compose options (`-f`, `--project-directory`, `-p`, `--env-file`, `--profile`) belong
//! to the commands that read a Compose project: accepted before such a command (the
//! contract's global options) and after it, absent from the help of `lint` and `rule`, and an
//! error (not silently ignored) before a command that reads no project.

use std::process::{Command, Output};

fn homeport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(homeport_testkit::workspace_root())
        .env("NO_COLOR", "1")
        .env("HOMEPORT_OFFLINE", "1")
        .env_remove("COMPOSE_FILE")
        .args(args)
        .output()
        .unwrap()
}

const EXAMPLE: &str = "examples/media-server/compose.yaml";

#[test]
fn before_and_after_the_command_give_the_same_plan() {
    let before = homeport(&["-f", EXAMPLE, "plan", "--format", "json"]);
    let after = homeport(&["plan", "-f", EXAMPLE, "--format", "json"]);
    assert_eq!(before.status.code(), Some(0));
    assert_eq!(before.stdout, after.stdout);
    assert!(!before.stdout.is_empty());
}

#[test]
fn lint_and_rule_help_do_not_offer_compose_options() {
    for command in ["lint", "rule"] {
        let help = String::from_utf8(homeport(&[command, "--help"]).stdout).unwrap();
        for flag in [
            "--file",
            "--project-directory",
            "--project-name",
            "--env-file",
            "--profile",
        ] {
            assert!(!help.contains(flag), "{command} --help offers {flag}");
        }
    }
    let help = String::from_utf8(homeport(&["render", "--help"]).stdout).unwrap();
    assert!(help.contains("Compose options:") && help.contains("--env-file"));
}

#[test]
fn compose_options_before_lint_are_an_error() {
    let out = homeport(&["-f", EXAMPLE, "lint", "examples"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`homeport lint` reads no Compose project"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(homeport(&["lint", "-f", EXAMPLE]).status.code(), Some(2));
}
