//! The CustomResources homeport writes (Argo CD Application, Flux GitRepository and
//! Kustomization, ExternalSecret) validate against the operators' published CRD schemas,
//! vendored in `tests/crds/` (sources and versions in `tests/crds/SOURCES.md`).
//!
//! The API server prunes fields a structural schema does not declare (and `kubectl apply
//! --validate=strict` rejects them), so every object schema without
//! `x-kubernetes-preserve-unknown-fields` or `additionalProperties` is closed here
//! (`additionalProperties: false`): a misspelt field fails the test.

use homeport_write::{external_secrets, gitops, GitOps, GitOpsTool};
use serde_json::{json, Value};
use std::path::Path;

fn crd_schema(file: &str, version: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/crds")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let docs = homeport_yaml::parse(
        &text,
        homeport_diag::FileId(0),
        homeport_yaml::Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{file}: {e:?}"));
    let crd = docs[0].to_json();
    let versions = crd["spec"]["versions"].as_array().unwrap();
    let v = versions
        .iter()
        .find(|v| v["name"] == version)
        .unwrap_or_else(|| panic!("{file}: no version {version}"));
    let mut schema = v["schema"]["openAPIV3Schema"].clone();
    close(&mut schema);
    schema
}

fn close(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !map.contains_key("x-kubernetes-preserve-unknown-fields")
        && map.get("type").and_then(Value::as_str) == Some("object")
    {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    // metadata is validated by the API server itself, not by the CRD schema.
    for value in map.values_mut() {
        match value {
            Value::Array(items) => items.iter_mut().for_each(close),
            other => close(other),
        }
    }
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        props.values_mut().for_each(close);
    }
}

fn assert_valid(file: &str, version: &str, object: &Value) {
    let schema = crd_schema(file, version);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(object)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{file}: {object:#}\n{}",
        errors.join("\n")
    );
}

fn gitops_for(tool: GitOpsTool, revision: Option<&str>) -> GitOps {
    GitOps {
        tool,
        repo: "https://git.example/home/cluster.git".into(),
        path: "clusters/home".into(),
        revision: revision.map(str::to_string),
    }
}

#[test]
fn argo_cd_application_matches_its_crd() {
    let objects = gitops("media", &gitops_for(GitOpsTool::ArgoCd, Some("v1.2")), &[]);
    assert_eq!(objects.len(), 1);
    assert_valid("argoproj.io_applications.yaml", "v1alpha1", &objects[0]);
}

#[test]
fn flux_objects_match_their_crds() {
    for revision in [None, Some("0123456789abcdef0123456789abcdef01234567")] {
        let tree = [
            json!({"kind": "Namespace", "metadata": {"name": "m"}}),
            json!({"kind": "StatefulSet", "metadata": {"name": "db", "labels": {"app.kubernetes.io/component": "database"}}}),
            json!({"kind": "Deployment", "metadata": {"name": "web"}}),
        ];
        let objects = gitops("media", &gitops_for(GitOpsTool::Flux, revision), &tree);
        assert_eq!(objects[0]["kind"], "GitRepository");
        assert_valid(
            "source.toolkit.fluxcd.io_gitrepositories.yaml",
            "v1",
            &objects[0],
        );
        assert_eq!(objects.len(), 4);
        for k in &objects[1..] {
            assert_eq!(k["kind"], "Kustomization");
            assert_valid("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1", k);
        }
        assert_eq!(objects[3]["spec"]["dependsOn"][0]["name"], "media-data");
    }
}

#[test]
fn external_secret_matches_its_crd() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db-env", "namespace": "app", "labels": {"app.kubernetes.io/name": "db"}, "annotations": {"homeport.dev/source": "compose.yaml:4"}},
        "data": {"POSTGRES_PASSWORD": "aHVudGVyMg==", "POSTGRES_USER": "YXBw"}});
    let (objects, _) = external_secrets(&[secret], "vault").unwrap();
    assert_valid(
        "external-secrets.io_externalsecrets.yaml",
        "v1",
        &objects[0],
    );
}

#[test]
fn the_check_catches_a_wrong_field() {
    let mut app = gitops("media", &gitops_for(GitOpsTool::ArgoCd, None), &[]).remove(0);
    app["spec"]["source"]["repoUrl"] = json!("https://x");
    let schema = crd_schema("argoproj.io_applications.yaml", "v1alpha1");
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&app));
}
