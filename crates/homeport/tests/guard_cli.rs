//! `homeport guard` as a user drives it: the binary started exactly as the contract says,
//! against a mock API server (kubeconfig pointing at http://127.0.0.1:PORT), with a game
//! process started and stopped on this machine.

#[path = "../../homeport-guard/tests/support/mock_api.rs"]
#[allow(dead_code)]
mod mock_api;

use mock_api::{is_tainted, MockApi};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_homeport");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn game(dir: &Path, name: &str) -> Killed {
    let path = dir.join(name);
    let sleep = ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("sleep");
    std::fs::copy(sleep, &path).expect("copy sleep");
    Killed(Command::new(&path).arg("60").spawn().expect("spawn game"))
}

/// A game as Steam starts it: argv carries `reaper SteamLaunch AppId=123` (no configured name).
fn steam_game() -> Killed {
    Killed(
        Command::new("sh")
            .args([
                "-c",
                "sleep 60; :",
                "/home/player/.steam/ubuntu12_32/reaper",
                "SteamLaunch",
                "AppId=123",
                "--",
                "/games/proton",
            ])
            .spawn()
            .expect("spawn sh"),
    )
}

async fn cli_async(dir: &Path, args: &'static [&'static str]) -> (i32, String, String) {
    let d = dir.to_path_buf();
    tokio::task::spawn_blocking(move || cli(&d, args))
        .await
        .expect("join")
}

fn cluster_file(dir: &Path, game: &str) -> PathBuf {
    let path = dir.join("cluster.yaml");
    std::fs::write(
        &path,
        format!("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: home\nspec:\n  nodes:\n    - name: nas\n      arch: amd64\n    - name: rog\n      arch: amd64\n      availability: opportunistic\n      gaming:\n        processes: [{game}]\n        hold: 2s\n"),
    )
    .expect("write cluster");
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect metrics");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn guard(dir: &Path, api: &MockApi, extra: &[&str]) -> Killed {
    let kubeconfig = api.kubeconfig(dir);
    let cluster = dir.join("cluster.yaml");
    let socket = dir.join("guard.sock");
    let mut args = vec!["guard", "run", "--node", "rog", "--cluster"];
    args.push(cluster.to_str().expect("utf-8"));
    args.extend(["--socket", socket.to_str().expect("utf-8")]);
    args.extend(extra);
    Killed(
        Command::new(BIN)
            .args(&args)
            .env("KUBECONFIG", kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stderr(Stdio::piped())
            .spawn()
            .expect("start guard"),
    )
}

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let socket = dir.join("guard.sock");
    let out = Command::new(BIN)
        .args(args)
        .args(["--socket", socket.to_str().expect("utf-8")])
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .output()
        .expect("run homeport");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Stop the guard with SIGTERM (as systemd and the kubelet do) and return its exit code and logs.
fn stop(mut g: Killed) -> (i32, String) {
    let pid = g.0.id();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = g.0.wait().expect("wait");
    let mut logs = String::new();
    if let Some(mut e) = g.0.stderr.take() {
        let _ = e.read_to_string(&mut logs);
    }
    (status.code().unwrap_or(-1), logs)
}

#[tokio::test(flavor = "current_thread")]
async fn guard_run_taints_evicts_and_releases_as_a_user_runs_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node(
        "rog",
        json!([{"key": "homeport.dev/opportunistic", "value": "true", "effect": "NoSchedule"}]),
        json!({}),
    );
    api.add_pod("media", "transcode", "rog", true);
    api.add_pod("media", "jellyfin", "rog", false);
    api.add_pod("media", "other-node", "nas", true);
    cluster_file(dir.path(), "hp-e2e-game");
    let metrics = format!("127.0.0.1:{}", free_port());
    let g = guard(dir.path(), &api, &["--metrics", &metrics]);
    api.wait_for("the guard's first node read", |s| !s.requests.is_empty())
        .await;

    let player = game(dir.path(), "hp-e2e-game");
    api.wait_for("the gaming taint", |s| is_tainted(&s.nodes["rog"]))
        .await;
    api.wait_for("the eviction", |s| s.pods.len() == 2).await;
    assert_eq!(
        api.evictions(),
        ["/api/v1/namespaces/media/pods/transcode/eviction"]
    );

    let d = dir.path().to_path_buf();
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || cli(&d, &["guard", "status"]))
        .await
        .expect("join");
    assert_eq!(code, 0, "{stderr}");
    let status: Value = serde_json::from_str(&stdout).expect("status is JSON");
    assert_eq!(
        (status["state"].as_str(), status["node"].as_str()),
        (Some("gaming"), Some("rog")),
        "{status}"
    );

    let m = metrics.clone();
    let text = tokio::task::spawn_blocking(move || http_get(&m, "/metrics"))
        .await
        .expect("join");
    assert!(text.contains("homeport_guard_gaming 1"), "{text}");
    assert!(
        text.contains("homeport_guard_evictions_total{outcome=\"evicted\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("homeport_guard_detection_to_taint_seconds_count 1"),
        "{text}"
    );
    assert!(
        text.contains("homeport_guard_transitions_total{to=\"gaming\"} 1"),
        "{text}"
    );

    drop(player);
    api.wait_for("the taint removed after hold", |s| {
        !is_tainted(&s.nodes["rog"])
    })
    .await;
    assert_eq!(
        api.node("rog")["metadata"]["annotations"]["homeport.dev/gaming-state"],
        "idle"
    );

    // A Steam game (Steam's reaper marker, nothing configured): gaming again.
    let steam = steam_game();
    api.wait_for("the taint for the Steam game", |s| {
        is_tainted(&s.nodes["rog"])
    })
    .await;
    let (code, stdout, stderr) = cli_async(dir.path(), &["guard", "status"]).await;
    assert_eq!(code, 0, "{stderr}");
    let status: Value = serde_json::from_str(&stdout).expect("status is JSON");
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains("AppId=123") || r.contains("Steam")),
        "{status}"
    );

    // `homeport guard off`: the player shares the GPU anyway; the taint goes at once.
    let (code, stdout, stderr) = cli_async(dir.path(), &["guard", "off"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("gaming mode off"), "{stdout}");
    api.wait_for("untainted by `homeport guard off`", |s| {
        !is_tainted(&s.nodes["rog"])
            && s.nodes["rog"]["metadata"]["annotations"]["homeport.dev/gaming-mode"] == "off"
    })
    .await;

    // `homeport guard auto`: detection decides again and still sees the Steam game.
    let (code, stdout, stderr) = cli_async(dir.path(), &["guard", "auto"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("gaming mode auto"), "{stdout}");
    api.wait_for("tainted again by detection", |s| {
        is_tainted(&s.nodes["rog"])
            && s.nodes["rog"]["metadata"]["annotations"]["homeport.dev/gaming-mode"] == "auto"
    })
    .await;
    drop(steam);
    api.wait_for("the taint removed after the Steam game", |s| {
        !is_tainted(&s.nodes["rog"])
    })
    .await;

    let (code, stdout, _) = cli_async(dir.path(), &["guard", "on"]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("gaming mode on"), "{stdout}");
    api.wait_for("tainted by `homeport guard on`", |s| {
        is_tainted(&s.nodes["rog"])
            && s.nodes["rog"]["metadata"]["annotations"]["homeport.dev/gaming-mode"] == "on"
    })
    .await;

    let (code, logs) = tokio::task::spawn_blocking(move || stop(g))
        .await
        .expect("join");
    assert_eq!(code, 0, "{logs}");
    for line in logs.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(
            v["level"].is_string() && v["fields"]["message"].is_string(),
            "{line}"
        );
    }
    assert!(
        logs.contains("tainted homeport.dev/gaming=true:NoSchedule"),
        "{logs}"
    );
    // No NVIDIA driver here: the guard said so once and worked on the other signals.
    if homeport_guard::nvml::Nvml::load().is_err() {
        let said = logs
            .lines()
            .filter(|l| l.contains("NVML not available"))
            .count();
        assert_eq!(said, 1, "{logs}");
    }
    // Only the preemptible pod of this node was ever evicted, over the whole session.
    assert_eq!(
        api.evictions(),
        ["/api/v1/namespaces/media/pods/transcode/eviction"]
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "current_thread")]
async fn dry_run_logs_every_request_and_sends_no_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    cluster_file(dir.path(), "hp-e2e-dry");
    let g = guard(dir.path(), &api, &["--dry-run"]);
    let _player = game(dir.path(), "hp-e2e-dry");
    api.wait_for("the pod list", |s| {
        s.requests.iter().any(|r| r.path == "/api/v1/pods")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (code, logs) = tokio::task::spawn_blocking(move || stop(g))
        .await
        .expect("join");
    assert_eq!(code, 0, "{logs}");
    assert!(api.writes().is_empty(), "{:?}", api.writes());
    let logged: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &Value| {
            v["fields"]["dry_run"] == true && v["fields"]["message"] == "request not sent"
        })
        .collect();
    let requests: Vec<String> = logged
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["fields"]["method"].as_str().unwrap_or(""),
                v["fields"]["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    // The node patches (an `idle` annotation at start when the game is not seen yet, then
    // the taint), then exactly the one eviction: nothing else, nothing for other pods.
    const PATCH: &str = "PATCH /api/v1/nodes/rog?fieldManager=homeport-guard";
    const EVICT: &str =
        "POST /api/v1/namespaces/media/pods/transcode/eviction?fieldManager=homeport-guard";
    assert!(
        requests.iter().all(|r| r == PATCH || r == EVICT),
        "{requests:?}\n{logs}"
    );
    assert_eq!(requests.last().map(String::as_str), Some(EVICT), "{logs}");
    assert_eq!(requests.iter().filter(|r| *r == EVICT).count(), 1, "{logs}");
    assert!(
        logged.iter().any(|v| v["fields"]["body"]
            .as_str()
            .is_some_and(|b| b.contains("\"key\":\"homeport.dev/gaming\""))),
        "the taint patch is logged: {logs}"
    );
}

#[test]
fn an_unknown_or_always_on_node_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = cluster_file(dir.path(), "x");
    for (node, expect) in [
        ("nope", "node `nope` is not in the cluster inventory"),
        ("nas", "node `nas` is always-on"),
    ] {
        let out = Command::new(BIN)
            .args([
                "guard",
                "run",
                "--node",
                node,
                "--cluster",
                cluster.to_str().expect("utf-8"),
            ])
            .env("KUBECONFIG", dir.path().join("absent"))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("error[HP1201]") && stderr.contains(expect),
            "{stderr}"
        );
    }
    let out = Command::new(BIN)
        .args(["guard", "run", "--node", "rog", "--poll", "soon"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
