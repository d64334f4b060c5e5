//! The `homeport-guard` binary as the systemd unit runs it, against the mock API server
//! (kubeconfig pointing at http://127.0.0.1:PORT): a game started and stopped on this machine,
//! NVML found by the dynamic loader (`LD_LIBRARY_PATH` to a stub `libnvidia-ml.so.1`), bad
//! options refused with a diagnostic and exit 2.

mod support;

use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use support::mock_api::{is_tainted, MockApi};
use support::nvml_stub::NvmlStub;

const BIN: &str = env!("CARGO_BIN_EXE_homeport-guard");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_named(dir: &Path, name: &str) -> Killed {
    let path = dir.join(name);
    let sleep = ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("sleep");
    std::fs::copy(sleep, &path).expect("copy sleep");
    Killed(Command::new(&path).arg("60").spawn().expect("spawn"))
}

fn write_cluster(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("cluster.yaml");
    std::fs::write(
        &path,
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: home\nspec:\n  nodes:\n    - name: nas\n      arch: amd64\n    - name: rog\n      arch: amd64\n      availability: opportunistic\n      gaming:\n        processes: [hp-bin-game]\n        hold: 1s\n",
    )
    .expect("write cluster");
    path
}

#[tokio::test(flavor = "current_thread")]
async fn the_lean_binary_taints_evicts_and_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    api.add_pod("media", "web", "rog", false);
    let cluster = write_cluster(d);
    let stub = NvmlStub::build(d);
    let mut cmd = Command::new(BIN);
    cmd.args(["--node", "rog", "--poll", "200ms", "--cluster"])
        .arg(&cluster)
        .arg("--socket")
        .arg(d.join("guard.sock"))
        .env("KUBECONFIG", api.kubeconfig(d))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .stderr(Stdio::piped());
    if let Some(stub) = &stub {
        // The driver's soname, found where the loader looks: as on a host with NVIDIA drivers.
        cmd.env("LD_LIBRARY_PATH", &stub.lib_dir);
    }
    let mut guard = Killed(cmd.spawn().expect("start homeport-guard"));
    api.wait_for("the node watch", |s| s.open_watches() == 1)
        .await;

    let game = start_named(d, "hp-bin-game");
    api.wait_for("the taint", |s| is_tainted(&s.nodes["rog"]))
        .await;
    api.wait_for("the eviction", |s| s.pods.len() == 1).await;
    assert_eq!(
        api.evictions(),
        ["/api/v1/namespaces/media/pods/transcode/eviction"]
    );
    drop(game);
    api.wait_for("the taint removed after hold", |s| {
        !is_tainted(&s.nodes["rog"])
    })
    .await;
    assert_eq!(api.violations(), Vec::<String>::new());

    let pid = guard.0.id();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = guard.0.wait().expect("wait");
    let mut logs = String::new();
    if let Some(mut e) = guard.0.stderr.take() {
        let _ = e.read_to_string(&mut logs);
    }
    assert_eq!(status.code(), Some(0), "{logs}");
    let lines: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let nvml: Vec<&str> = lines
        .iter()
        .filter_map(|v| v["fields"]["message"].as_str())
        .filter(|m| m.starts_with("NVML"))
        .collect();
    if stub.is_some() {
        assert_eq!(
            nvml,
            ["NVML loaded: NVIDIA graphics processes and utilisation are watched"],
            "{logs}"
        );
    }
}

#[test]
fn bad_options_and_nodes_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = write_cluster(dir.path());
    let cluster = cluster.to_str().expect("utf-8");
    for (args, expect) in [
        (
            vec!["--node", "nope", "--cluster", cluster],
            "node `nope` is not in the cluster inventory",
        ),
        (
            vec!["--node", "nas", "--cluster", cluster],
            "node `nas` is always-on",
        ),
        (vec!["--node", "rog", "--poll", "soon"], "--poll"),
        (vec!["--cluster", cluster], "--node is required"),
        (
            vec!["--node", "rog", "--frobnicate"],
            "unexpected argument `--frobnicate`",
        ),
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .env("KUBECONFIG", dir.path().join("absent"))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error[HP1201]") && stderr.contains(expect),
            "{args:?}: {stderr}"
        );
    }
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--node NAME"));
}
