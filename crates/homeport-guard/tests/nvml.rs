//! NVML through a stub `libnvidia-ml.so.1` built by the test (`cc -shared`): the guard loads
//! it at run time like the driver's library, reads utilisation and graphics processes, and
//! the state machine reacts; a library that is absent leaves the other signals working.

mod support;

use homeport_guard::evict::RetryPolicy;
use homeport_guard::nvml::Nvml;
use homeport_guard::socket::{self, Command as SocketCommand};
use homeport_guard::GuardConfig;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;
use support::mock_api::{is_tainted, MockApi};
use support::nvml_stub::NvmlStub;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `sleep` copied to `name`: a process whose comm is `name`.
fn start_named(dir: &Path, name: &str) -> Proc {
    let path = dir.join(name);
    let sleep = ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("sleep");
    std::fs::copy(sleep, &path).expect("copy sleep");
    Proc(Command::new(&path).arg("60").spawn().expect("spawn"))
}

fn config(dir: &Path, nvml_library: &Path) -> GuardConfig {
    let mut c = GuardConfig::new("rog");
    // No configured process: only NVML can see the game.
    c.processes = Vec::new();
    c.poll = Duration::from_millis(100);
    c.hold = Duration::from_secs(1);
    c.nvml = true;
    c.nvml_library = nvml_library.to_str().expect("utf-8").to_string();
    c.socket = Some(dir.join("guard.sock"));
    c.retry = RetryPolicy {
        attempts: 2,
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(100),
    };
    c
}

async fn status(dir: &Path) -> Value {
    let sock = dir.join("guard.sock");
    tokio::task::spawn_blocking(move || socket::send(&sock, SocketCommand::Status))
        .await
        .expect("join")
        .expect("socket")
        .expect("a guard answers")
}

#[test]
fn the_stub_reads_like_the_driver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(stub) = NvmlStub::build(dir.path()) else {
        return;
    };
    let nvml = Nvml::load_from(stub.library.to_str().expect("utf-8")).expect("load the stub");
    assert_eq!(nvml.device_count(), 1);
    assert_eq!(nvml.read().expect("read").utilization, 0);
    // More graphics processes than the guard's first buffer holds (16): it asks again.
    let pids: Vec<u32> = (100..120).rev().collect();
    stub.set(73, &pids);
    let reading = nvml.read().expect("read");
    assert_eq!(reading.utilization, 73);
    assert_eq!(reading.graphics_pids, (100..120).collect::<Vec<u32>>());
    stub.set(5, &[]);
    let reading = nvml.read().expect("read");
    assert_eq!((reading.utilization, reading.graphics_pids.len()), (5, 0));
}

#[tokio::test]
async fn a_game_seen_only_by_nvml_taints_the_node_and_its_end_releases_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(stub) = NvmlStub::build(dir.path()) else {
        return;
    };
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    api.add_pod("media", "transcode", "rog", true);
    api.add_pod("media", "web", "rog", false);
    homeport_guard::logging::init();
    let client = homeport_guard::client::connect_kubeconfig(&api.kubeconfig(dir.path()))
        .await
        .expect("client");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let guard = homeport_guard::run(config(dir.path(), &stub.library), client, async {
        let _ = stop_rx.await;
    });
    let d = dir.path();
    let test = async {
        api.wait_for("the node watch", |s| s.open_watches() == 1)
            .await;
        let s = status(d).await;
        assert_eq!(
            (s["nvml"].as_bool(), s["state"].as_str()),
            (Some(true), Some("idle")),
            "{s}"
        );

        // The desktop alone at full load is not a game.
        let desktop = start_named(d, "Xorg");
        stub.set(95, &[desktop.0.id()]);
        tokio::time::sleep(Duration::from_millis(3800)).await;
        assert!(!is_tainted(&api.node("rog")), "a desktop is not a game");

        // A game holding a graphics context while the GPU is busy (sustained 3 s).
        let game = start_named(d, "hp-nvml-game");
        stub.set(92, &[desktop.0.id(), game.0.id()]);
        api.wait_for("the taint from NVML", |s| is_tainted(&s.nodes["rog"]))
            .await;
        api.wait_for("the eviction", |s| s.pods.len() == 1).await;
        let s = status(d).await;
        assert_eq!(s["state"], "gaming", "{s}");
        assert!(
            s["reason"]
                .as_str()
                .is_some_and(|r| r.contains("hp-nvml-game") && r.contains("92%")),
            "{s}"
        );

        // The game ends: utilisation drops below the low mark; after hold the taint goes.
        drop(game);
        stub.set(3, &[desktop.0.id()]);
        api.wait_for("the taint removed", |s| !is_tainted(&s.nodes["rog"]))
            .await;
        assert_eq!(
            api.evictions(),
            ["/api/v1/namespaces/media/pods/transcode/eviction"]
        );
        assert_eq!(api.violations(), Vec::<String>::new());
        let _ = stop_tx.send(());
    };
    let (result, ()) = tokio::join!(guard, test);
    result.expect("guard ran");
}

#[tokio::test]
async fn without_the_library_the_other_signals_still_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    let client = homeport_guard::client::connect_kubeconfig(&api.kubeconfig(dir.path()))
        .await
        .expect("client");
    let mut c = config(dir.path(), &dir.path().join("absent/libnvidia-ml.so.1"));
    c.processes = vec!["hp-nvml-absent".into()];
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let guard = homeport_guard::run(c, client, async {
        let _ = stop_rx.await;
    });
    let d = dir.path();
    let test = async {
        api.wait_for("the node watch", |s| s.open_watches() == 1)
            .await;
        assert_eq!(status(d).await["nvml"], false);
        let _game = start_named(d, "hp-nvml-absent");
        api.wait_for("the taint from the process", |s| {
            is_tainted(&s.nodes["rog"])
        })
        .await;
        let _ = stop_tx.send(());
    };
    let (result, ()) = tokio::join!(guard, test);
    result.expect("guard ran");
}
