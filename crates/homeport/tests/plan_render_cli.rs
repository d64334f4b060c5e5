//! `homeport plan` and `homeport render` as a user drives them: formats, exit codes, and
//! that a refusal prints no objects.

mod support;

use serde_json::Value;
use std::fs;
use support::*;

fn stack(dir: &std::path::Path, compose: &str) -> std::path::PathBuf {
    let file = dir.join("compose.yaml");
    fs::write(&file, compose).unwrap();
    file
}

const STACK: &str = "name: shop\nservices:\n  web:\n    image: ghcr.io/example/web:1.0\n    ports: [\"8080:8080\"]\n    depends_on: [db]\n    environment:\n      DATABASE_URL: postgres://web:s3cret-pw@db:5432/web\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: s3cret-pw\n    volumes: [pgdata:/var/lib/postgresql/data]\nvolumes:\n  pgdata: {}\n";

#[test]
fn render_prints_every_object_and_no_secret_outside_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = stack(dir.path(), STACK);
    let out = run(homeport().arg("-f").arg(&file).arg("render"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let objects = parse_stream(&text);
    assert_eq!(objects[0]["kind"], "Namespace");
    assert!(named(&objects, "StatefulSet", "db").is_some());
    assert!(named(&objects, "Ingress", "web").is_some());
    for o in &objects {
        if o["kind"] != "Secret" {
            assert!(!o.to_string().contains("s3cret-pw"), "{o}");
        }
    }
    // Deterministic: the same input gives byte-identical output.
    let again = run(homeport().arg("-f").arg(&file).arg("render"));
    assert_eq!(String::from_utf8(again.stdout).unwrap(), text);
}

#[test]
fn render_json_is_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let file = stack(dir.path(), STACK);
    let out = run(homeport()
        .arg("-f")
        .arg(&file)
        .args(["render", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "List");
    assert!(v["items"].as_array().unwrap().len() > 5);
}

#[test]
fn plan_json_has_the_contract_shape() {
    let dir = tempfile::tempdir().unwrap();
    let file = stack(dir.path(), STACK);
    let out = run(homeport()
        .arg("-f")
        .arg(&file)
        .args(["plan", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let db = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "db")
        .unwrap();
    assert_eq!(db["workload"], "StatefulSet");
    assert_eq!(db["namespace"], "shop");
    assert_eq!(db["security"], "restricted");
    assert!(db["nodes"].is_array() && db["exposed"].is_array() && db["notes"].is_array());
    assert!(v["nodes"][0]["cpu"]["requested"].is_string());
    for d in v["diagnostics"].as_array().unwrap() {
        assert!(d["code"].as_str().unwrap().starts_with("HP"));
        assert!(d["file"].is_string() || d["file"].is_null());
    }
    let web_decisions = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "web")
        .unwrap()["decisions"]
        .to_string();
    assert!(web_decisions.contains("because") || web_decisions.contains("reason"));
}

#[test]
fn plan_table_explains_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let file = stack(dir.path(), STACK);
    let out = run(homeport().arg("-f").arg(&file).arg("plan"));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("SERVICE"));
    assert!(text.contains("StatefulSet") && text.contains("because"));
}

#[test]
fn host_couplings_refuse_render_with_exit_1_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = stack(
        dir.path(),
        "services:\n  tool:\n    image: example/tool:1\n    privileged: true\n",
    );
    let out = run(homeport()
        .arg("-f")
        .arg(&file)
        .args(["--color", "never", "render"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[HP0410]") && err.contains("compose.yaml:4"),
        "{err}"
    );
    assert!(err.contains("x-homeport"), "{err}");
    // plan still prints the plan, and exits 1 because of the error.
    let out = run(homeport().arg("-f").arg(&file).arg("plan"));
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.is_empty());
}
