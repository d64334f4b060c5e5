//! Honest exit codes for `homeport lint` input: nothing to check is exit 2 with "no
//! Kubernetes objects in the input" (never "no findings"), a missing path is not also a pass,
//! and a Compose project or homeport's own inventory is recognised and explained.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn lint(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("lint")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_nothing_to_check(out: &Output) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error[HP0052]: no Kubernetes objects in the input"));
    assert!(
        !text(&out.stdout).contains("no findings"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn empty_stdin_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_nothing_to_check(&lint(dir.path(), &["-"], ""));
}

#[test]
fn a_directory_without_manifests_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_nothing_to_check(&lint(dir.path(), &["."], ""));
}

#[test]
fn only_non_kubernetes_documents_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = lint(dir.path(), &["-"], "foo: bar\n---\n- 1\n");
    assert_nothing_to_check(&out);
    assert!(text(&out.stderr).contains("warning[HP0050]"));
}

#[test]
fn json_output_stays_a_document_with_the_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let out = lint(dir.path(), &["-", "--format", "json"], "");
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["objects"], 0);
    assert_eq!(doc["diagnostics"][0]["code"], "HP0052");
}

#[test]
fn a_missing_path_is_not_also_reported_as_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let out = lint(dir.path(), &["does-not-exist.yaml"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[HP0051]"));
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
}

#[test]
fn a_compose_project_is_recognised_and_the_right_command_suggested() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cluster.yaml"),
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: home\nspec: {}\n",
    )
    .unwrap();
    let out = lint(dir.path(), &[], "");
    assert_nothing_to_check(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is a Compose file, not Kubernetes manifests"),
        "{stderr}"
    );
    assert!(
        stderr.contains("homeport render | homeport lint -"),
        "{stderr}"
    );
    assert!(
        stderr.contains("homeport's `Cluster` file (the cluster inventory)"),
        "{stderr}"
    );
}

#[test]
fn manifests_beside_a_compose_file_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: apps\ndata:\n  a: b\n",
    )
    .unwrap();
    let out = lint(dir.path(), &[], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 object checked"));
}
