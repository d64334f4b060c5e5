//! `homeport lint` streams by object (issue 16: an index pass that keeps only what the
//! cross-object rules read, then a check pass over batches of documents whose findings are
//! written before the next batch is parsed). Its reports are byte for byte those of the
//! lint that held every object: the expected files under `tests/lint_stream/` were written
//! by that lint (the commit before streaming) on the same input.
//!
//! The input (`tests/lint_stream/cross/`) has Services, NetworkPolicies,
//! PodDisruptionBudgets, HorizontalPodAutoscalers, an Ingress and RBAC bindings in `a.yaml`
//! that reference workloads, ServiceAccounts and ClusterRoles defined later in `b.yaml`
//! (some inside a `kind: List`), a Namespace with Pod Security labels after the objects it
//! governs, and a block scalar holding a `---` line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_stream")
}

fn lint(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir().join("cross"))
        .env("HOMEPORT_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .args([
            "lint",
            "--no-config",
            "--select",
            "all",
            "--kubernetes-version",
            "1.33",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap()
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn json_report_is_the_one_before_streaming() {
    let out = stdout(&lint(&["--format", "json", "a.yaml", "b.yaml"], None));
    assert_eq!(out, expected("expected.json"));
}

#[test]
fn text_report_is_the_one_before_streaming() {
    let out = stdout(&lint(&["--format", "text", "a.yaml", "b.yaml"], None));
    assert_eq!(out, expected("expected.text"));
    // Files in another order, and stdin (held as text) after them.
    let a = std::fs::read_to_string(dir().join("cross/a.yaml")).unwrap();
    let out = stdout(&lint(
        &["--format", "text", "b.yaml", "a.yaml", "-"],
        Some(&a),
    ));
    assert_eq!(out, expected("expected-stdin.text"));
}

#[test]
fn sarif_results_are_those_before_streaming() {
    let out = stdout(&lint(&["--format", "sarif", "a.yaml", "b.yaml"], None));
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out, serde_json::to_string_pretty(&log).unwrap() + "\n");
    let want: serde_json::Value =
        serde_json::from_str(&expected("expected-results.sarif.json")).unwrap();
    assert_eq!(log["runs"][0]["results"], want);
}

/// Stdin larger than lint holds (16 MiB) is spooled to a temporary file and read in parts of
/// whole documents, twice: a Service at the end still finds the Deployment at the start,
/// and the finding's line is the stream's.
#[test]
fn stdin_too_large_to_hold_is_read_in_parts() {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 17 * 1024 * 1024 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n  namespace: ns\ndata:\n  note: |\n    déjà vu — {i}, a line longer than the scanner's lookahead buffer\n"
        ));
        i += 1;
    }
    text.insert_str(0, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ns}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"nginx:1.27\", ports: [{containerPort: 8080, name: http}]}]\n");
    let service_line = text.lines().count() + 2;
    text.push_str("---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ns}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: metrics}]\n");
    // lint reads all of stdin before it writes: writing first cannot block.
    let out = lint(&["--format", "json", "-"], Some(&text));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect(&stderr);
    let findings = report["findings"].as_array().unwrap();
    let undeclared = findings
        .iter()
        .find(|f| {
            f["object"]["kind"] == "Service" && f["message"].as_str().unwrap().contains("metrics")
        })
        .unwrap_or_else(|| panic!("no finding on the Service's target port: {stderr}"));
    assert_eq!(undeclared["file"], "<stdin>");
    assert_eq!(undeclared["object"]["line"], service_line);
    assert!(report["summary"]["objects"].as_u64().unwrap() > 60_000);
}
