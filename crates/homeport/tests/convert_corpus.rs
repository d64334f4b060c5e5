//! Every Compose file of the shared real-world corpus converts, or fails with a clear
//! diagnostic (`error[CODE]`) and writes nothing; never a panic or a crash. The outcome of
//! each file is printed (`cargo test --test convert_corpus -- --nocapture`).

mod support;

use homeport_testkit::{require_tool, Tool};
use std::path::{Path, PathBuf};
use support::{homeport, name_of, parse_stream, run, sorted, unwrap_secret_data};

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            compose_files(&path, out);
        } else {
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml")) {
                out.push(path);
            }
        }
    }
}

/// The written tree builds with `kubectl kustomize`; its objects, for validation.
fn build_tree(out: &Path) -> Result<Option<String>, String> {
    if require_tool(Tool::Kubectl).is_none() {
        return Ok(None);
    }
    homeport_testkit::kustomize_build(out.join("overlays/prod")).map(Some)
}

/// Whether `kubectl kustomize` built something else than `homeport render` prints.
fn differs_from_render(file: &Path, built: &str) -> Option<String> {
    let rendered = run(homeport()
        .arg("-f")
        .arg(file)
        .arg("render")
        .env_remove("HOME"));
    if rendered.status.code() != Some(0) {
        return Some("convert succeeded but render did not".into());
    }
    let rendered = sorted(parse_stream(&String::from_utf8_lossy(&rendered.stdout)));
    let built = sorted(
        parse_stream(built)
            .into_iter()
            .map(unwrap_secret_data)
            .collect(),
    );
    if rendered == built {
        return None;
    }
    let names = |v: &[serde_json::Value]| v.iter().map(name_of).collect::<Vec<_>>();
    if names(&rendered) != names(&built) {
        return Some(format!(
            "kustomize built {:?}, render printed {:?}",
            names(&built),
            names(&rendered)
        ));
    }
    let first = rendered
        .iter()
        .zip(&built)
        .find(|(r, b)| r != b)
        .map(|(r, _)| name_of(r));
    Some(format!(
        "{} differs between kustomize and render",
        first.unwrap_or_default()
    ))
}

#[test]
fn every_corpus_file_converts_or_fails_clearly() {
    let Some(corpus) = homeport_testkit::require_corpus() else {
        return;
    };
    let mut files = Vec::new();
    compose_files(&corpus, &mut files);
    assert!(
        !files.is_empty(),
        "no compose files under {}",
        corpus.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    let mut problems = Vec::new();
    let mut built_trees: Vec<(String, String)> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let out = tmp.path().join(format!("out-{i}"));
        let output = run(homeport()
            .arg("-f")
            .arg(file)
            .args(["convert", "--out"])
            .arg(&out)
            .env_remove("HOME"));
        let rel = file
            .strip_prefix(&corpus)
            .unwrap_or(file)
            .display()
            .to_string();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_error = stderr
            .lines()
            .find(|l| l.starts_with("error["))
            .unwrap_or("")
            .to_string();
        match output.status.code() {
            Some(0) => {
                if !out.join("overlays/prod/kustomization.yaml").is_file() {
                    problems.push(format!(
                        "{rel}: exit 0 but no overlays/prod/kustomization.yaml"
                    ));
                } else {
                    match build_tree(&out) {
                        Ok(Some(built)) => {
                            if let Some(problem) = differs_from_render(file, &built) {
                                problems.push(format!("{rel}: {problem}"));
                            }
                            built_trees.push((rel.clone(), built));
                        }
                        Ok(None) => {}
                        Err(e) => problems.push(format!("{rel}: {e}")),
                    }
                }
                report.push(format!("ok       {rel}"));
            }
            Some(code @ (1 | 2)) => {
                if first_error.is_empty() {
                    problems.push(format!(
                        "{rel}: exit {code} without an error diagnostic:\n{stderr}"
                    ));
                }
                if out.exists() {
                    problems.push(format!(
                        "{rel}: exit {code} but {} was written",
                        out.display()
                    ));
                }
                report.push(format!("exit {code}   {rel}: {first_error}"));
            }
            other => problems.push(format!("{rel}: exit {other:?} (crash?)\n{stderr}")),
        }
    }
    eprintln!("{}", report.join("\n"));
    // Every object of every converted file validates for 1.33 (one run for all; on failure,
    // one run per file to say which).
    if !built_trees.is_empty() && require_tool(Tool::KubernetesValidate).is_some() {
        let all: String = built_trees
            .iter()
            .map(|(_, b)| format!("---\n{b}"))
            .collect();
        if homeport_testkit::validate_k8s_objects(&all, "1.33").is_err() {
            for (rel, built) in &built_trees {
                if let Err(e) = homeport_testkit::validate_k8s_objects(built, "1.33") {
                    problems.push(format!("{rel}: {e}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
