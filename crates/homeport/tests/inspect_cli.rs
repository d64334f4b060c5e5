//! `homeport inspect` as a user runs it: the normalized model on stdout (YAML or JSON),
//! secrets redacted unless asked, diagnostics on stderr, exit 2 on errors and 0 otherwise.

use std::path::Path;
use std::process::{Command, Output};

fn homeport(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("COMPOSE_PROJECT_NAME")
        .args(args)
        .output()
        .expect("run homeport");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const COMPOSE: &str = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n      POSTGRES_DB: app\n  debug:\n    image: busybox\n    profiles: [debug]\nsecrets:\n  token:\n    content: s3cr3t\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.path().join(".env"), "DB_PASSWORD=hunter2\n").unwrap();
    dir
}

#[test]
fn prints_the_model_with_secrets_redacted() {
    let dir = project();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("POSTGRES_DB: app"), "{stdout}");
    assert!(stdout.contains("POSTGRES_PASSWORD: <redacted>"), "{stdout}");
    assert!(
        !stdout.contains("hunter2") && !stdout.contains("s3cr3t"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("debug:"),
        "profile-disabled service shown: {stdout}"
    );

    let revealed = homeport(
        dir.path(),
        &["inspect", "--reveal-secrets", "--profile", "debug"],
    );
    let stdout = text(&revealed.stdout);
    assert!(stdout.contains("POSTGRES_PASSWORD: hunter2"), "{stdout}");
    assert!(stdout.contains("content: s3cr3t"), "{stdout}");
    assert!(stdout.contains("  debug:"), "{stdout}");
}

#[test]
fn json_format_and_global_options() {
    let dir = project();
    std::fs::write(dir.path().join("other.env"), "DB_PASSWORD=other\n").unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let out = homeport(
        &sub,
        &[
            "-f",
            "../compose.yaml",
            "-p",
            "demo",
            "--env-file",
            "../other.env",
            "inspect",
            "--format",
            "json",
            "--reveal-secrets",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["name"], "demo");
    assert_eq!(
        v["services"]["db"]["environment"]["POSTGRES_PASSWORD"],
        "other"
    );
    assert!(v["files"][0].as_str().unwrap().ends_with("compose.yaml"));
}

#[test]
fn errors_exit_2_with_rendered_diagnostics_and_no_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    imagee: nginx\n    depends_on: [db]\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[HP0102]: unknown key `imagee` in service `web`"),
        "{stderr}"
    );
    assert!(stderr.contains(" --> compose.yaml:3:5"), "{stderr}");
    assert!(stderr.contains("^^^^^^ not a Compose key"), "{stderr}");
    assert!(stderr.contains("= help: did you mean `image`?"), "{stderr}");
    assert!(
        stderr.contains("error[HP0105]: service `web` depends on undefined service `db`"),
        "{stderr}"
    );
}

#[test]
fn warnings_alone_still_print_the_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "version: '3'\nservices:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[HP0114]"));
    assert!(text(&out.stdout).contains("image: nginx"));
}
