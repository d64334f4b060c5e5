//! The written files pass the tools that would reject them in real use: built-in kinds
//! validate with `kubernetes-validate --strict`, preflight scripts pass `shellcheck` (and
//! run), config files are the YAML k3s reads.

mod common;

use common::*;
use homeport_testkit::{in_ci, require_tool, Tool};
use std::path::PathBuf;
use std::process::Command;

/// Custom resources (their CRDs come with the add-ons): checked by the semantic tests.
fn is_custom(object: &serde_json::Value) -> bool {
    let api = object["apiVersion"].as_str().unwrap_or_default();
    api.starts_with("helm.cattle.io/") || api.starts_with("cert-manager.io/")
}

#[test]
fn built_in_kinds_validate_strictly() {
    if require_tool(Tool::KubernetesValidate).is_none() {
        return;
    }
    let mut checked = 0;
    for name in INVENTORIES {
        let tree = tree(name);
        let cluster = cluster(name);
        let built_in: Vec<serde_json::Value> = tree
            .objects()
            .into_iter()
            .map(|(_, o)| o)
            .filter(|o| !is_custom(o))
            .collect();
        if built_in.is_empty() {
            continue;
        }
        checked += built_in.len();
        let stream = homeport_yaml::emit_documents(&built_in);
        homeport_testkit::validate_k8s_objects(&stream, &cluster.kubernetes_version)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(
        checked > 0,
        "the Intel plugin DaemonSet at least is a built-in kind"
    );
}

/// shellcheck, from PATH (Debian package `shellcheck`, installed by scripts/install-tools).
fn shellcheck() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("shellcheck"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if in_ci() {
            panic!("shellcheck not found on PATH; CI is set, so this test must not be skipped (scripts/install-tools installs it)");
        }
        eprintln!("skipping: shellcheck not found on PATH (apt-get install shellcheck)");
    }
    found
}

#[test]
fn preflight_scripts_pass_shellcheck() {
    let Some(shellcheck) = shellcheck() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths = Vec::new();
    for name in INVENTORIES {
        let tree = tree(name);
        for (path, text) in tree.preflights() {
            let file = dir
                .path()
                .join(format!("{name}-{}", path.replace('/', "-")));
            std::fs::write(&file, text).expect("write");
            paths.push(file);
        }
    }
    let out = Command::new(shellcheck)
        .arg("--shell=sh")
        .arg("--severity=style")
        .args(&paths)
        .output()
        .expect("run shellcheck");
    assert!(
        out.status.success(),
        "shellcheck:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The script runs to its end on this machine (whatever it finds) and reports with its
/// exit status: 0 or 1, never a shell error.
#[test]
fn preflight_scripts_run() {
    let tree = tree("media");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("preflight.sh");
    std::fs::write(&file, tree.text("nodes/gaming-pc/preflight.sh")).expect("write");
    let out = Command::new("sh").arg(&file).output().expect("run sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(stdout.contains("preflight: "), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).trim().is_empty(),
        "{out:?}"
    );
    // This test machine has no NVIDIA GPU declared for it: that check fails, with its fix.
    assert!(
        stdout.contains("nvidia") || stdout.contains("NVIDIA"),
        "{stdout}"
    );
}
