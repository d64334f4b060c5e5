//! `homeport convert` as a user drives it: which cluster inventory it picks, what it refuses
//! and with which exit code, and that a refusal writes nothing.

mod support;

use std::fs;
use std::path::Path;
use support::*;

const WEB: &str = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n";

fn project(dir: &Path, compose: &str) -> std::path::PathBuf {
    fs::create_dir_all(dir).unwrap();
    let file = dir.join("compose.yaml");
    fs::write(&file, compose).unwrap();
    file
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ingress_hosts(dir: &Path) -> Vec<String> {
    let mut hosts = Vec::new();
    for f in files_under(dir) {
        if f.ends_with("ingress.yaml") {
            for o in parse_stream(&fs::read_to_string(dir.join(&f)).unwrap()) {
                for r in o["spec"]["rules"].as_array().into_iter().flatten() {
                    hosts.push(r["host"].as_str().unwrap_or("").to_string());
                }
            }
        }
    }
    hosts
}

#[test]
fn cluster_yaml_beside_the_compose_file_is_used_and_cluster_flag_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = project(&tmp.path().join("app"), WEB);
    fs::write(
        tmp.path().join("app/cluster.yaml"),
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  domain: lab.example\n  nodes: [{name: a, arch: amd64}]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    convert(&compose, &out, &[]);
    assert_eq!(ingress_hosts(&out), vec!["web.lab.example"]);

    let other = tmp.path().join("other.yaml");
    fs::write(
        &other,
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  domain: other.example\n  nodes: [{name: a, arch: amd64}]\n",
    )
    .unwrap();
    let out2 = tmp.path().join("out2");
    let o = run(homeport()
        .arg("-f")
        .arg(&compose)
        .arg("--cluster")
        .arg(&other)
        .args(["convert", "--out"])
        .arg(&out2));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ingress_hosts(&out2), vec!["web.other.example"]);
}

#[test]
fn without_inventory_the_builtin_k3s_cluster_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = project(&tmp.path().join("app"), WEB);
    let out = tmp.path().join("out");
    convert(&compose, &out, &[]);
    assert_eq!(ingress_hosts(&out), vec!["web.home.arpa"]);
}

#[test]
fn invalid_inventory_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = project(&tmp.path().join("app"), WEB);
    fs::write(
        tmp.path().join("app/cluster.yaml"),
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - name: pi\n      arch: aarch64\n      memroy: 4Gi\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["--color", "never", "convert", "--out"])
        .arg(&out));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error[HP0304]: unknown architecture `aarch64`"),
        "{err}"
    );
    assert!(
        err.contains("error[HP0301]: unknown key `memroy` in a node"),
        "{err}"
    );
    assert!(err.contains("did you mean `memory`?"), "{err}");
    assert!(!out.exists());
}

#[test]
fn plan_errors_exit_1_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = project(
        &tmp.path().join("app"),
        "services:\n  builder:\n    image: example/builder:1\n    privileged: true\n",
    );
    let out = tmp.path().join("out");
    let o = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["convert", "--out"])
        .arg(&out));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error["));
    assert!(!out.exists());
}

#[test]
fn force_never_replaces_the_project_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    let compose = project(&dir, WEB);
    let o = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["--color", "never", "convert", "--force", "--out"])
        .arg(&dir));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[HP0705]"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&compose).unwrap(), WEB);
}

#[test]
fn non_empty_directory_is_refused_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = project(&tmp.path().join("app"), WEB);
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["--color", "never", "convert", "--out"])
        .arg(&out));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o).replace(&out.display().to_string(), "<out>");
    let refusal = err
        .lines()
        .skip_while(|l| !l.contains("HP0702"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(refusal, @r"
    error[HP0702]: <out> is not empty
      = help: pass --force to replace its whole content, or choose an empty or new directory
    ");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}
