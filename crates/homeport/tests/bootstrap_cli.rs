//! `homeport bootstrap` and the add-ons part of `homeport plan`, as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

fn homeport(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOMEPORT_OFFLINE", "1")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("COMPOSE_PROJECT_NAME")
        .args(args)
        .output()
        .expect("run homeport");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CLUSTER: &str = "apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata:
  name: home
spec:
  nodes:
    - name: nuc
      arch: amd64
      memory: 16Gi
      roles: [control-plane]
    - name: gaming-pc
      arch: amd64
      memory: 32Gi
      availability: opportunistic
      gpus:
        - vendor: nvidia
          shared: 2
";

const COMPOSE: &str = "services:
  llm:
    image: ollama/ollama:0.5.7
    environment:
      API_TOKEN: ${API_TOKEN}
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
  worker:
    image: example/worker:1
    x-homeport:
      queue: {type: redis, name: jobs}
  redis:
    image: redis:7.4
";

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).expect("prefix").display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn inventory_alone_writes_the_tree_all_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("cluster.yaml"), CLUSTER).expect("write");
    let out = homeport(dir.path(), &["bootstrap", "--out", "boot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "files, not stdout");
    let files = files_under(&dir.path().join("boot"));
    assert_eq!(
        files,
        [
            ".homeport-output",
            "README.md",
            "addons/gaming-guard.yaml",
            "addons/nvidia-device-plugin.yaml",
            "nodes/gaming-pc/config.yaml",
            "nodes/gaming-pc/preflight.sh",
            "nodes/nuc/config.yaml",
            "nodes/nuc/preflight.sh",
        ]
    );
    // The opportunistic gaming PC gets the gaming guard: a DaemonSet only on it, running
    // `homeport guard run` with the guard's least-privilege ClusterRole; the README lists it.
    let guard =
        std::fs::read_to_string(dir.path().join("boot/addons/gaming-guard.yaml")).expect("guard");
    assert!(
        guard.contains("kind: DaemonSet") && guard.contains("gaming-pc"),
        "{guard}"
    );
    assert!(
        guard.contains("kind: ClusterRole") && guard.contains("evictions")
            || guard.contains("pods/eviction"),
        "{guard}"
    );
    let readme = std::fs::read_to_string(dir.path().join("boot/README.md")).expect("readme");
    assert!(readme.contains("addons/gaming-guard.yaml"), "{readme}");
    // A second run refuses the non-empty directory and changes nothing; --force replaces it.
    std::fs::write(dir.path().join("boot/mine.txt"), "keep").expect("write");
    let again = homeport(dir.path(), &["bootstrap", "--out", "boot"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));
    assert!(dir.path().join("boot/mine.txt").exists());
    let forced = homeport(dir.path(), &["bootstrap", "--out", "boot", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert!(!dir.path().join("boot/mine.txt").exists());
}

#[test]
fn without_an_inventory_it_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = homeport(dir.path(), &["bootstrap", "--out", "boot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error[HP0901]"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("boot").exists());
}

#[test]
fn a_wrong_inventory_is_reported_at_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = CLUSTER
        .replace("      roles: [control-plane]\n", "")
        .replace(
            "      availability: opportunistic\n",
            "      availability: opportunistic\n      roles: [control-plane]\n",
        );
    std::fs::write(dir.path().join("cluster.yaml"), bad).expect("write");
    let out = homeport(
        dir.path(),
        &["bootstrap", "--cluster", "cluster.yaml", "--out", "boot"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[HP0330]"), "{stderr}");
    assert!(stderr.contains("cluster.yaml:13:"), "{stderr}");
    assert!(!dir.path().join("boot").exists());
}

#[test]
fn the_project_adds_what_its_plan_needs_and_plan_lists_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("cluster.yaml"), CLUSTER).expect("write");
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).expect("write");
    std::fs::write(dir.path().join(".env"), "API_TOKEN=tok-9f8e7d6c5b4a\n").expect("write");

    let plan = homeport(dir.path(), &["plan", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan json");
    let addons = json["addons"].as_array().expect("addons");
    let find = |name: &str| {
        addons
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {addons:?}"))
    };
    assert_eq!(find("nvidia-device-plugin")["provided"], true);
    assert_eq!(
        find("nvidia-device-plugin")["neededBy"],
        serde_json::json!(["llm"])
    );
    assert_eq!(find("keda")["provided"], true);
    assert_eq!(find("keda")["neededBy"], serde_json::json!(["worker"]));
    let table = text(&homeport(dir.path(), &["plan"]).stdout);
    assert!(table.contains("ADD-ONS"), "{table}");

    let out = homeport(dir.path(), &["bootstrap", "--out", "boot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let boot = dir.path().join("boot");
    assert!(boot.join("addons/keda.yaml").is_file());
    assert!(boot.join("addons/nvidia-device-plugin.yaml").is_file());
    let readme = std::fs::read_to_string(boot.join("README.md")).expect("README");
    assert!(readme.contains("from the cluster inventory and the Compose project"));
    for f in files_under(&boot) {
        let body = std::fs::read_to_string(boot.join(&f)).expect("read");
        assert!(
            !body.contains("tok-9f8e7d6c5b4a"),
            "{f} holds the project's secret"
        );
    }
}

#[test]
fn a_missing_add_on_is_flagged_in_plan_and_bootstrap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let no_gpu = "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - {name: nuc, arch: amd64, memory: 16Gi}\n";
    std::fs::write(dir.path().join("cluster.yaml"), no_gpu).expect("write");
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).expect("write");
    std::fs::write(dir.path().join(".env"), "API_TOKEN=x\n").expect("write");
    let plan = homeport(dir.path(), &["plan", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan json");
    let nvidia = json["addons"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == "nvidia-device-plugin"))
        .expect("nvidia add-on");
    assert_eq!(nvidia["provided"], false);
    assert!(text(&homeport(dir.path(), &["plan"]).stdout).contains("MISSING"));
    let out = homeport(dir.path(), &["bootstrap", "--out", "boot"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("warning[HP0905]"),
        "{}",
        text(&out.stderr)
    );
}
