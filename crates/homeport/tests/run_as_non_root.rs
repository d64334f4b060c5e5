//! Every container homeport writes with `runAsNonRoot: true` has a numeric non-root
//! `runAsUser` (its own or the pod's): the kubelet refuses `runAsNonRoot` for an image whose
//! user is root or a name (CreateContainerConfigError), so homeport must never write it on a
//! guess. Checked on every stack of the repository (tests/stacks, examples) and of the shared
//! corpus, offline (no registry facts: the strictest case; the registry-facts case is in
//! images_cli.rs).

mod support;

use serde_json::Value;
use support::non_root::{compose_files, non_root_containers, violations};
use support::*;

#[test]
fn run_as_non_root_always_comes_with_a_numeric_run_as_user() {
    let root = workspace_root();
    let mut files = Vec::new();
    compose_files(&root.join("crates/homeport/tests/stacks"), &mut files);
    compose_files(&root.join("examples"), &mut files);
    compose_files(&homeport_testkit::corpus_dir(), &mut files);
    assert!(files.len() >= 7, "found only {files:?}");
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let out = run(homeport()
            .arg("-f")
            .arg(file)
            .args(["render", "--format", "json"])
            .env_remove("HOME"));
        if out.status.code() != Some(0) {
            continue; // refused with a diagnostic: convert_corpus checks that
        }
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let objects = doc["items"].as_array().cloned().unwrap_or_default();
        checked += 1;
        problems.extend(violations(&file.display().to_string(), &objects));
    }
    assert!(checked >= 7, "rendered only {checked} stacks");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_a_bare_run_as_non_root() {
    let bad = serde_json::json!({
        "kind": "Deployment",
        "metadata": {"name": "x", "namespace": "n"},
        "spec": {"template": {"spec": {
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "a", "securityContext": {}}, {"name": "b", "securityContext": {"runAsUser": 1000}}]
        }}}
    });
    let found = violations("f", &[bad]);
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("\"a\""));
}

/// The same invariant on what a user applies from the written tree: `kubectl kustomize` of
/// overlays/prod and overlays/dev, for the repository's stacks and every eighth corpus file
/// (pod and container level, init containers included).
#[test]
fn run_as_non_root_holds_in_the_kustomize_tree() {
    use homeport_testkit::{require_tool, Tool};
    if require_tool(Tool::Kubectl).is_none() {
        return;
    }
    let root = workspace_root();
    let mut files = Vec::new();
    compose_files(&root.join("crates/homeport/tests/stacks"), &mut files);
    compose_files(&root.join("examples"), &mut files);
    let mut corpus = Vec::new();
    compose_files(&homeport_testkit::corpus_dir(), &mut corpus);
    files.extend(corpus.into_iter().step_by(8));
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut seen = 0;
    for (i, file) in files.iter().enumerate() {
        let tree = tmp.path().join(format!("k{i}"));
        let out = run(homeport()
            .arg("-f")
            .arg(file)
            .arg("convert")
            .arg("--out")
            .arg(&tree)
            .env_remove("HOME"));
        if out.status.code() != Some(0) {
            continue; // refused with a diagnostic: convert_corpus checks that
        }
        checked += 1;
        let shown = file.display().to_string();
        for overlay in ["overlays/prod", "overlays/dev"] {
            let built = homeport_testkit::kustomize_build(tree.join(overlay))
                .unwrap_or_else(|e| panic!("{shown} {overlay}: {e}"));
            let objects = parse_stream(&built);
            seen += non_root_containers(&objects);
            problems.extend(violations(&format!("{shown} ({overlay})"), &objects));
        }
    }
    assert!(checked >= 7, "converted only {checked} stacks");
    assert!(
        seen > 0,
        "no container with runAsNonRoot: nothing was checked"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
