//! Input errors point at their cause, as a new user meets them: a tab in the YAML, a memory
//! size without a unit, a wrong type in the inventory, a node pin without an inventory, a
//! misspelt `x-homeport` hint.

use std::path::Path;
use std::process::{Command, Output};

fn homeport(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOMEPORT_OFFLINE", "1")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .args(args)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

fn project(compose: &str, cluster: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    if let Some(cluster) = cluster {
        std::fs::write(dir.path().join("cluster.yaml"), cluster).unwrap();
    }
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const WEB: &str = "services:\n  web:\n    image: nginx:1.27\n";

fn inventory(node: &str) -> String {
    format!("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: home\nspec:\n  nodes:\n    - name: rog\n      arch: amd64\n{node}")
}

#[test]
fn a_tab_is_reported_at_the_tab_with_indent_with_spaces() {
    let dir = project("services:\n  web:\n\timage: nginx:1.27\n", None);
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.contains(
            "error[HP0001]: invalid YAML: a tab in the indentation\n --> compose.yaml:3:1\n"
        ),
        "{text}"
    );
    assert!(text.contains("= help: indent with spaces"), "{text}");
}

#[test]
fn memory_without_a_unit_is_an_error_with_the_likely_meaning() {
    let dir = project(WEB, Some(&inventory("      memory: 16\n")));
    let out = homeport(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.contains("`memory` of node `rog` is 16 bytes\n --> cluster.yaml:9:15"),
        "{text}"
    );
    assert!(text.contains("did you mean `16Gi`?"), "{text}");
    // A real size in bytes is still a size.
    let dir = project(WEB, Some(&inventory("      memory: 17179869184\n")));
    assert_eq!(homeport(dir.path(), &["plan"]).status.code(), Some(0));
}

#[test]
fn inventory_type_errors_put_the_caret_under_the_value_with_help() {
    let dir = project(WEB, Some(&inventory("      roles: control-plane\n")));
    let out = homeport(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.contains(
            "9 |       roles: control-plane\n  |              ^^^^^^^^^^^^^ expected a list"
        ),
        "{text}"
    );
    assert!(text.contains("= help: write `[a, b]`"), "{text}");
}

#[test]
fn a_node_pin_without_an_inventory_is_a_warning() {
    let dir = project(
        "services:\n  web:\n    image: nginx:1.27\n    x-homeport:\n      node: rog\n",
        None,
    );
    let out = homeport(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stderr(&out);
    assert!(text.contains("warning[HP0480]: service `web` is pinned to node `rog`, but no cluster inventory is given"), "{text}");
}

#[test]
fn a_misspelt_hint_is_not_called_a_compose_key() {
    let dir = project(
        "services:\n  web:\n    image: nginx:1.27\n    x-homeport:\n      nodee: rog\n",
        None,
    );
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("^^^^^ not an x-homeport hint"), "{text}");
    assert!(!text.contains("not a Compose key"), "{text}");
    assert!(text.contains("did you mean `node`?"), "{text}");
}
