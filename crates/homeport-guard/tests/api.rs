//! The guard against a mock API server at the HTTP level (kubeconfig pointing at
//! http://127.0.0.1:PORT), with game processes started on this machine.

mod support;

use homeport_guard::evict::RetryPolicy;
use homeport_guard::socket::{self, Command as SocketCommand};
use homeport_guard::{GuardConfig, Mode};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;
use support::mock_api::{is_tainted, MockApi};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_game(dir: &Path, name: &str) -> Proc {
    let path = dir.join(name);
    if !path.exists() {
        let sleep = ["/usr/bin/sleep", "/bin/sleep"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("sleep");
        std::fs::copy(sleep, &path).expect("copy sleep");
    }
    Proc(Command::new(&path).arg("60").spawn().expect("spawn game"))
}

fn opportunistic_taint() -> Value {
    json!([{"key": "homeport.dev/opportunistic", "value": "true", "effect": "NoSchedule"}])
}

fn config(game: &str, socket: Option<std::path::PathBuf>) -> GuardConfig {
    let mut c = GuardConfig::new("rog");
    c.processes = vec![game.to_string()];
    c.poll = Duration::from_millis(100);
    c.hold = Duration::from_secs(1);
    c.resync = Duration::from_millis(200);
    c.nvml = false;
    c.socket = socket;
    c.retry = RetryPolicy {
        attempts: 4,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    };
    c
}

/// Run the guard next to `body`; the guard stops when `body` ends.
async fn with_guard<F: std::future::Future<Output = ()>>(
    api: &MockApi,
    dir: &Path,
    config: GuardConfig,
    body: F,
) {
    homeport_guard::logging::init();
    let client = homeport_guard::client::connect_kubeconfig(&api.kubeconfig(dir))
        .await
        .expect("client");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let guard = homeport_guard::run(config, client, async {
        let _ = stop_rx.await;
    });
    let test = async {
        body.await;
        let _ = stop_tx.send(());
    };
    let (result, ()) = tokio::join!(guard, test);
    result.expect("guard ran");
}

#[tokio::test]
async fn taints_then_evicts_exactly_the_preemptible_pods_of_this_node_and_untaints_after_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", opportunistic_taint(), json!({}));
    api.add_node("nas", json!([]), json!({}));
    api.add_pod("media", "transcode-1", "rog", true);
    api.add_pod("media", "transcode-2", "rog", true);
    api.add_pod("media", "web", "rog", false);
    api.add_pod("media", "transcode-nas", "nas", true);
    with_guard(&api, dir.path(), config("hp-api-game-a", None), async {
        // The guard read the node and wrote nothing while idle.
        api.wait_for("the first node read", |s| {
            s.requests.iter().any(|r| r.method == "GET")
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = api.writes().len();
        let game = start_game(dir.path(), "hp-api-game-a");
        api.wait_for("the taint", |s| is_tainted(&s.nodes["rog"]))
            .await;
        api.wait_for("two evictions", |s| s.pods.len() == 2).await;
        let writes = api.writes();
        let taint = &writes[before];
        assert_eq!(
            (taint.method.as_str(), taint.path.as_str()),
            ("PATCH", "/api/v1/nodes/rog")
        );
        assert_eq!(taint.content_type, "application/merge-patch+json");
        let body = taint.body.clone().expect("body");
        assert_eq!(
            body["spec"]["taints"],
            json!([
            {"key": "homeport.dev/opportunistic", "value": "true", "effect": "NoSchedule"},
            {"key": "homeport.dev/gaming", "value": "true", "effect": "NoSchedule"}])
        );
        assert_eq!(
            body["metadata"]["annotations"]["homeport.dev/gaming-state"],
            "gaming"
        );
        assert!(body["metadata"]["annotations"]["homeport.dev/gaming-since"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z')));
        let mut evicted = api.evictions();
        evicted.sort();
        assert_eq!(
            evicted,
            [
                "/api/v1/namespaces/media/pods/transcode-1/eviction",
                "/api/v1/namespaces/media/pods/transcode-2/eviction",
            ]
        );
        // Taint first, then the evictions; the list asked for exactly this node's preemptible pods.
        assert!(
            writes[before + 1..]
                .iter()
                .all(|w| w.path.ends_with("/eviction")),
            "{writes:#?}"
        );
        let list = api
            .requests()
            .into_iter()
            .find(|r| r.path == "/api/v1/pods")
            .expect("a pod list");
        assert!(
            list.query.contains("fieldSelector=spec.nodeName%3Drog"),
            "{}",
            list.query
        );
        assert!(
            list.query
                .contains("labelSelector=homeport.dev%2Fpreemptible%3Dtrue"),
            "{}",
            list.query
        );
        let node = api.node("nas");
        assert!(!is_tainted(&node), "the other node is untouched");

        drop(game);
        api.wait_for("the taint removed", |s| !is_tainted(&s.nodes["rog"]))
            .await;
        let node = api.node("rog");
        assert_eq!(
            node["spec"]["taints"],
            opportunistic_taint(),
            "only the gaming taint went"
        );
        assert_eq!(
            node["metadata"]["annotations"]["homeport.dev/gaming-state"],
            "idle"
        );
        for w in api.writes() {
            assert!(
                w.query.contains("fieldManager=homeport-guard"),
                "every write has the field manager: {} {}?{}",
                w.method,
                w.path,
                w.query
            );
        }
        assert_eq!(api.violations(), Vec::<String>::new());
        let pods: Vec<String> = api
            .state
            .lock()
            .expect("lock")
            .pods
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(pods, ["web", "transcode-nas"]);
    })
    .await;
}

#[tokio::test]
async fn pdb_refused_evictions_are_retried_with_a_bound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", opportunistic_taint(), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    api.add_pod("media", "stubborn", "rog", true);
    {
        let mut s = api.state.lock().expect("lock");
        s.refuse_evictions.insert("media/transcode".into(), 2);
        s.refuse_evictions.insert("media/stubborn".into(), 100);
    }
    with_guard(&api, dir.path(), config("hp-api-game-b", None), async {
        let _game = start_game(dir.path(), "hp-api-game-b");
        api.wait_for("transcode evicted after two refusals", |s| {
            s.pods.len() == 1
        })
        .await;
        let count = |name: &str| {
            api.evictions()
                .iter()
                .filter(|p| p.contains(&format!("/{name}/")))
                .count()
        };
        assert_eq!(count("transcode"), 3);
        // The stubborn pod: 4 attempts (the policy's bound), then the guard reports and stops.
        let attempts = |s: &support::mock_api::ApiState| {
            s.requests
                .iter()
                .filter(|r| r.path.ends_with("/stubborn/eviction"))
                .count()
        };
        api.wait_for("four attempts", |s| attempts(s) >= 4).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(count("stubborn"), 4, "bounded");
        assert_eq!(api.violations(), Vec::<String>::new());
    })
    .await;
}

#[tokio::test]
async fn api_server_down_then_back_replays_the_actions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut api = MockApi::start().await;
    api.add_node("rog", opportunistic_taint(), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    let kubeconfig_dir = dir.path().to_path_buf();
    let client = homeport_guard::client::connect_kubeconfig(&api.kubeconfig(&kubeconfig_dir))
        .await
        .expect("client");
    api.down().await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let guard = homeport_guard::run(config("hp-api-game-c", None), client, async {
        let _ = stop_rx.await;
    });
    let test = async {
        let _game = start_game(dir.path(), "hp-api-game-c");
        // Gaming is detected while the API server is down; the guard keeps running.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(api.requests().is_empty());
        api.up().await;
        api.wait_for("the taint after the API server returned", |s| {
            is_tainted(&s.nodes["rog"])
        })
        .await;
        api.wait_for("the eviction", |s| s.pods.is_empty()).await;
        assert_eq!(api.violations(), Vec::<String>::new());
        let _ = stop_tx.send(());
    };
    let (result, ()) = tokio::join!(guard, test);
    result.expect("guard ran");
}

#[tokio::test]
async fn restart_reconciles_from_the_node() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    let mut taints = opportunistic_taint();
    taints
        .as_array_mut()
        .expect("array")
        .push(json!({"key": "homeport.dev/gaming", "value": "true", "effect": "NoSchedule"}));
    api.add_node("rog", taints, json!({"homeport.dev/gaming-state": "gaming", "homeport.dev/gaming-since": "2026-12-04T17:00:00Z"}));
    api.add_pod("media", "transcode", "rog", true);
    with_guard(&api, dir.path(), config("hp-api-game-d", None), async {
        // A guard restarted mid-game keeps the taint (no game is running here: it holds
        // for `hold` from the restart) and finishes the evictions.
        api.wait_for("the eviction", |s| s.pods.is_empty()).await;
        assert!(is_tainted(&api.node("rog")), "not untainted at once");
        api.wait_for("the taint removed after hold", |s| {
            !is_tainted(&s.nodes["rog"])
        })
        .await;
        let patches: Vec<_> = api
            .writes()
            .into_iter()
            .filter(|w| w.method == "PATCH")
            .collect();
        assert_eq!(
            patches.len(),
            1,
            "one patch: untaint and annotate idle: {patches:#?}"
        );
        assert_eq!(
            api.node("rog")["metadata"]["annotations"]["homeport.dev/gaming-state"],
            "idle"
        );
    })
    .await;
}

#[tokio::test]
async fn manual_mode_from_the_annotation_and_the_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node(
        "rog",
        opportunistic_taint(),
        json!({"homeport.dev/gaming-mode": "on"}),
    );
    let sock = dir.path().join("guard.sock");
    let sock2 = sock.clone();
    let sock3 = sock.clone();
    let api = &api;
    with_guard(
        api,
        dir.path(),
        config("hp-api-game-e", Some(sock3)),
        async move {
            api.wait_for("taint from the annotation", |s| is_tainted(&s.nodes["rog"]))
                .await;
            // `homeport guard auto` on the socket: detection decides (nothing runs), the
            // annotation follows, the taint goes after hold.
            let answer = tokio::task::spawn_blocking(move || {
                socket::send(&sock2, SocketCommand::SetMode(Mode::Auto))
            })
            .await
            .expect("join")
            .expect("socket")
            .expect("a guard answers");
            assert_eq!(answer["ok"], true);
            api.wait_for("annotation auto", |s| {
                s.nodes["rog"]["metadata"]["annotations"]["homeport.dev/gaming-mode"] == "auto"
            })
            .await;
            api.wait_for("untainted", |s| !is_tainted(&s.nodes["rog"]))
                .await;
            let status =
                tokio::task::spawn_blocking(move || socket::send(&sock, SocketCommand::Status))
                    .await
                    .expect("join")
                    .expect("socket")
                    .expect("a guard answers");
            assert_eq!(
                (status["state"].as_str(), status["mode"].as_str()),
                (Some("idle"), Some("auto")),
                "{status}"
            );
            // kubectl annotate ... gaming-mode=on: adopted at the next read.
            api.update_node("rog", |node| {
                node["metadata"]["annotations"]["homeport.dev/gaming-mode"] = json!("on");
            });
            api.wait_for("taint again", |s| is_tainted(&s.nodes["rog"]))
                .await;
            assert_eq!(api.violations(), Vec::<String>::new());
        },
    )
    .await;
}

#[tokio::test]
async fn the_mode_annotation_arrives_through_a_watch_not_a_poll() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", opportunistic_taint(), json!({}));
    let mut c = config("hp-api-game-f", None);
    // Nothing is re-read on a timer during this test: a change can only come by the watch.
    c.resync = Duration::from_secs(600);
    let watches = |s: &support::mock_api::ApiState| {
        s.requests
            .iter()
            .filter(|r| r.path == "/api/v1/nodes" && r.query.contains("watch=true"))
            .count()
    };
    with_guard(&api, dir.path(), c, async {
        api.wait_for("the node watch", |s| s.open_watches() == 1)
            .await;
        let watch = api
            .requests()
            .into_iter()
            .find(|r| r.query.contains("watch=true"))
            .expect("a watch request");
        assert!(
            watch.query.contains("fieldSelector=metadata.name%3Drog"),
            "{}",
            watch.query
        );
        assert!(watch.query.contains("resourceVersion="), "{}", watch.query);
        let node_reads = |s: &support::mock_api::ApiState| {
            s.requests
                .iter()
                .filter(|r| r.method == "GET" && r.path == "/api/v1/nodes/rog")
                .count()
        };
        let reads_before = node_reads(&api.state.lock().expect("lock"));

        // kubectl annotate node rog homeport.dev/gaming-mode=on --overwrite
        let set = std::time::Instant::now();
        api.update_node("rog", |n| {
            n["metadata"]["annotations"]["homeport.dev/gaming-mode"] = json!("on");
        });
        api.wait_for("the taint from the annotation", |s| {
            is_tainted(&s.nodes["rog"])
        })
        .await;
        let took = set.elapsed();
        // The watch delivered it: well before the watch would have been renewed (10 s) and
        // with no read of the node other than the one the taint patch is based on.
        assert!(took < Duration::from_secs(5), "{took:?}");
        let (watch_count, reads) = {
            let s = api.state.lock().expect("lock");
            (watches(&s), node_reads(&s))
        };
        assert_eq!(watch_count, 1, "the same watch");
        assert_eq!(reads - reads_before, 1, "one read, for the patch");

        api.update_node("rog", |n| {
            n["metadata"]["annotations"]["homeport.dev/gaming-mode"] = json!("auto");
        });
        api.wait_for("untainted after hold", |s| !is_tainted(&s.nodes["rog"]))
            .await;
        assert_eq!(api.violations(), Vec::<String>::new());
    })
    .await;
}

#[tokio::test]
async fn the_mock_server_rejects_what_the_schema_rejects() {
    // The schema check the tests above rely on has teeth: a taint without its required
    // `effect` and an eviction of the wrong shape are recorded as violations.
    use k8s_openapi::api::core::v1::{Node, Pod};
    use kube::api::{Api, Patch, PatchParams, PostParams};
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    let client = homeport_guard::client::connect_kubeconfig(&api.kubeconfig(dir.path()))
        .await
        .expect("client");
    let nodes: Api<Node> = Api::all(client.clone());
    let _ = nodes
        .patch(
            "rog",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"spec": {"taints": [{"key": "homeport.dev/gaming", "value": "true"}]}}),
            ),
        )
        .await;
    let pods: Api<Pod> = Api::namespaced(client, "media");
    let _ = pods
        .create_subresource::<Value, Value>(
            "eviction",
            "transcode",
            &PostParams::default(),
            &json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "transcode"}, "deleteOptions": {"gracePeriodSeconds": "soon"}}),
        )
        .await;
    let violations = api.violations();
    assert!(
        violations.iter().any(|v| v.starts_with("patched Node")),
        "{violations:?}"
    );
    assert!(
        violations.iter().any(|v| v.starts_with("Eviction")),
        "{violations:?}"
    );
}
