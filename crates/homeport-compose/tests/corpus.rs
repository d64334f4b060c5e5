//! Every compose file of the shared real-world corpus (../shared/corpus) loads without a
//! panic, into a model or into diagnostics that name the real problem (a side file that was
//! not copied, a variable the project requires, a secret defined elsewhere ...). The table of
//! outcomes is printed, and the set of files that load is pinned so a regression is noticed.

use homeport_compose::{load, LoadOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn is_compose_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    yaml && (name.contains("compose")
        || (name.contains("stack") && name.ends_with(".yml"))
        || rel.contains("kompose/script/test/fixtures/"))
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if is_compose_file(&rel) {
                out.push(rel);
            }
        }
    }
}

/// The outcome of loading one corpus file: `ok` or the sorted, distinct error codes.
fn outcome(root: &Path, rel: &str) -> (String, String) {
    let path = root.join(rel);
    let dir: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let options = LoadOptions {
        files: vec![path.clone()],
        project_directory: Some(dir),
        cwd: root.to_path_buf(),
        // A fixed environment, so the outcome does not depend on who runs the test.
        environment: [("HOME".to_string(), "/home/user".to_string())]
            .into_iter()
            .collect(),
        ..LoadOptions::default()
    };
    let loaded = std::panic::catch_unwind(|| load(&options))
        .unwrap_or_else(|_| panic!("the loader panicked on {rel}"));
    match loaded.project {
        Some(_) => {
            assert!(!loaded.diagnostics.has_errors());
            ("ok".to_string(), String::new())
        }
        None => {
            let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(!errors.is_empty(), "{rel}: no project and no error");
            for d in &errors {
                assert!(
                    d.code.starts_with("HP0"),
                    "{rel}: unexpected code {}",
                    d.code
                );
                assert!(!d.message.is_empty() && d.help.is_some(), "{rel}: {d:?}");
            }
            let mut codes: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
            codes.sort();
            codes.dedup();
            (codes.join(","), errors[0].message.clone())
        }
    }
}

/// Files that do not load, with the error codes that explain why (all real problems of the
/// copied files: side files that were not copied, required variables from a missing .env,
/// secrets defined in an override example, services completed by another -f file).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // Services without an image: this override is meant to be used with docker-compose.yml.
    (
        "coleam00/local-ai-packaged/docker-compose.override.public.yml",
        "HP0115",
    ),
    // Includes supabase/docker/docker-compose.yml, which is not in the corpus.
    ("coleam00/local-ai-packaged/docker-compose.yml", "HP0104"),
    // PG_PASS / AUTHENTIK_SECRET_KEY are required (`:?`) and .env was not copied.
    ("goauthentik/authentik/docker-compose.yml", "HP0104,HP0107"),
    // UPLOAD_LOCATION comes from the .env that was not copied (example.env only).
    (
        "immich-app/immich/docker/docker-compose.yml",
        "HP0104,HP0110",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/compose-v3.3-test/compose-config-long.yaml",
        "HP0104",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/configmap-pod/compose.yaml",
        "HP0104",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/env-dotenv/compose.yaml",
        "HP0104",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/env/compose.yaml",
        "HP0104",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/envfile-interpolation/compose.yaml",
        "HP0104",
    ),
    // Completes first.yaml; alone its service has no image.
    (
        "kubernetes/kompose/script/test/fixtures/multiple-files/second.yaml",
        "HP0115",
    ),
    (
        "kubernetes/kompose/script/test/fixtures/secrets/docker-compose-secrets-long.yml",
        "HP0104",
    ),
    // A fragment: depends on and links to services and networks it does not define, and
    // sets `network_mode: container:...` together with `networks`.
    (
        "kubernetes/kompose/script/test/fixtures/unused/v3/docker-compose-full-example.yaml",
        "HP0105,HP0112,HP0119",
    ),
    (
        "n8n-io/self-hosted-ai-starter-kit/docker-compose.yml",
        "HP0104",
    ),
    // Secrets are defined in compose.override.yaml.example only.
    ("zulip/docker-zulip/compose.yaml", "HP0112"),
];

#[test]
fn every_corpus_file_loads_or_names_its_problem() {
    let Some(root) = homeport_testkit::require_corpus() else {
        return;
    };
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    assert!(files.len() > 60, "found only {} corpus files", files.len());

    let mut table = String::new();
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    for rel in &files {
        let (result, why) = outcome(&root, rel);
        table.push_str(&format!("{:<8} {rel}  {why}\n", result));
        if result != "ok" {
            failures.insert(rel.clone(), result);
        }
    }
    println!("{table}");
    let loaded = files.len() - failures.len();
    println!("{loaded} of {} corpus files load", files.len());

    let expected: BTreeMap<String, String> = EXPECTED_FAILURES
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(
        failures, expected,
        "the set of corpus files that do not load (or why) changed; see the table above"
    );
}
