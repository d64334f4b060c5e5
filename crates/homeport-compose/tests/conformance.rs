//! Conformance suite: each directory under `tests/conformance/` is a small Compose project
//! with the normalized model docker compose would give (`expected.yaml`) and the diagnostics
//! (`diagnostics.txt`, rendered as users see them). An optional `case.yaml` sets the command
//! line and environment:
//!
//! ```yaml
//! files: [compose.yaml, other.yaml]   # -f (default: discovery)
//! profiles: [debug]                   # --profile
//! env_files: [custom.env]             # --env-file
//! project_name: demo                  # -p
//! env: {FOO: bar}                     # the process environment (HOME is always /home/user)
//! ```
//!
//! Set `UPDATE_EXPECT=1` to rewrite the expectations (then review the diff).

use homeport_compose::{load, LoadOptions};
use homeport_diag::{render_human, ColorChoice};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

fn strings(node: Option<&homeport_yaml::Node>) -> Vec<String> {
    node.and_then(|n| n.as_seq())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn options_for(dir: &Path) -> LoadOptions {
    let mut environment: IndexMap<String, String> = IndexMap::new();
    environment.insert("HOME".into(), "/home/user".into());
    let mut options = LoadOptions {
        cwd: dir.to_path_buf(),
        ..LoadOptions::default()
    };
    let case = dir.join("case.yaml");
    if let Ok(text) = std::fs::read_to_string(&case) {
        let node = homeport_yaml::parse_one(&text, homeport_diag::FileId(0))
            .expect("case.yaml parses")
            .expect("case.yaml is not empty");
        options.files = strings(node.get("files"))
            .into_iter()
            .map(PathBuf::from)
            .collect();
        options.profiles = strings(node.get("profiles"));
        options.env_files = strings(node.get("env_files"))
            .into_iter()
            .map(PathBuf::from)
            .collect();
        options.project_name = node
            .get("project_name")
            .and_then(|n| n.as_str())
            .map(str::to_owned);
        options.project_directory = node
            .get("project_directory")
            .and_then(|n| n.as_str())
            .map(PathBuf::from);
        if let Some(env) = node.get("env").and_then(|n| n.as_map()) {
            for (k, v) in env.iter() {
                environment.insert(k.to_string(), v.as_str().unwrap_or_default().to_string());
            }
        }
    }
    options.environment = environment;
    options
}

/// Load one case and render (model, diagnostics) with the case directory shown as `<case>`.
fn run_case(dir: &Path) -> (Option<String>, String) {
    let loaded = load(&options_for(dir));
    let root = dir.display().to_string();
    let model = loaded.project.as_ref().map(|p| {
        let value = serde_json::to_value(p).expect("serializes");
        // The Kubernetes names are not part of the serialized model; show them too.
        let names = serde_json::json!({
            "dns_names": {
                "services": p.services.iter().map(|(k, s)| (k.clone(), s.dns_name.clone().into())).collect::<serde_json::Map<_, _>>(),
                "volumes": p.volumes.iter().map(|(k, s)| (k.clone(), s.dns_name.clone().into())).collect::<serde_json::Map<_, _>>(),
                "networks": p.networks.iter().map(|(k, s)| (k.clone(), s.dns_name.clone().into())).collect::<serde_json::Map<_, _>>(),
                "secrets": p.secrets.iter().map(|(k, s)| (k.clone(), s.dns_name.clone().into())).collect::<serde_json::Map<_, _>>(),
                "configs": p.configs.iter().map(|(k, s)| (k.clone(), s.dns_name.clone().into())).collect::<serde_json::Map<_, _>>(),
            },
            "inactive_services": p.inactive_services,
        });
        homeport_yaml::emit_documents([&value, &names]).replace(&root, "<case>")
    });
    let diagnostics: String = loaded
        .diagnostics
        .iter()
        .map(|d| render_human(d, &loaded.sources, ColorChoice::Never))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&root, "<case>");
    (model, diagnostics)
}

fn check(path: &Path, actual: Option<&str>, update: bool, failures: &mut Vec<String>) {
    let expected = std::fs::read_to_string(path).ok();
    if update {
        match actual {
            Some(text) if !text.is_empty() => {
                std::fs::write(path, text).expect("write expectation")
            }
            _ => {
                let _ = std::fs::remove_file(path);
            }
        }
        return;
    }
    let actual = actual.filter(|t| !t.is_empty());
    if expected.as_deref() != actual {
        failures.push(format!(
            "{}:\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            expected.unwrap_or_else(|| "(none)".into()),
            actual.unwrap_or("(none)")
        ));
    }
}

#[test]
fn conformance_cases() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&base)
        .expect("conformance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected the full conformance suite, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let (model, diagnostics) = run_case(case);
        check(
            &case.join("expected.yaml"),
            model.as_deref(),
            update,
            &mut failures,
        );
        check(
            &case.join("diagnostics.txt"),
            Some(&diagnostics),
            update,
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
