//! Benchmark of the running guard (scripts/bench-guard runs it on a release build):
//! detection-to-taint-request latency against the mock API server, idle CPU and RSS.
//!
//! Usage: bench_guard BINARY [ROUNDS] [IDLE_SECONDS]; BINARY is `homeport-guard` (the lean
//! binary) or `homeport` (run as `homeport guard run`).

#[path = "../tests/support/mock_api.rs"]
#[allow(dead_code)]
mod mock_api;

use mock_api::{is_tainted, MockApi};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat; after the `)` they are at 11 and 12.
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(bin) = args.get(1) else {
        eprintln!("usage: bench_guard BINARY [ROUNDS] [IDLE_SECONDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let idle_secs: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().expect("tempdir");
    let api = MockApi::start().await;
    api.add_node("rog", json!([]), json!({}));
    std::fs::write(
        dir.path().join("cluster.yaml"),
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - name: nas\n      arch: amd64\n    - name: rog\n      arch: amd64\n      availability: opportunistic\n      gaming:\n        processes: [hp-bench-game]\n",
    )
    .expect("cluster");
    let game_bin = dir.path().join("hp-bench-game");
    let sleep = ["/usr/bin/sleep", "/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("sleep");
    std::fs::copy(sleep, &game_bin).expect("copy");
    let mut cmd = Command::new(bin);
    if !bin.ends_with("homeport-guard") {
        cmd.args(["guard", "run"]);
    }
    let guard = Killed(
        cmd.args(["--node", "rog", "--hold", "1s"])
            .arg("--cluster")
            .arg(dir.path().join("cluster.yaml"))
            .arg("--socket")
            .arg(dir.path().join("guard.sock"))
            .env("KUBECONFIG", api.kubeconfig(dir.path()))
            .stderr(Stdio::null())
            .spawn()
            .expect("start guard"),
    );
    let pid = guard.0.id();
    api.wait_for("first read", |s| !s.requests.is_empty()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let processes = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
            })
            .count()
        })
        .unwrap_or(0);
    // Idle: no game, nothing to do but poll every second and resync with the API server.
    let hz = 100.0; // USER_HZ on Linux
    let t0 = Instant::now();
    let c0 = ticks(pid);
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let cpu = (ticks(pid) - c0) as f64 / hz / t0.elapsed().as_secs_f64() * 100.0;
    let rss = status_kb(pid, "VmRSS:");
    let hwm_idle = status_kb(pid, "VmHWM:");
    let (anon, file) = (status_kb(pid, "RssAnon:"), status_kb(pid, "RssFile:"));

    let mut latencies = Vec::new();
    for _ in 0..rounds {
        let before = api.requests().len();
        let start = Instant::now();
        let game = Killed(Command::new(&game_bin).arg("60").spawn().expect("game"));
        api.wait_for("taint", |s| is_tainted(&s.nodes["rog"])).await;
        let patch = api.requests()[before..]
            .iter()
            .find(|r| r.method == "PATCH")
            .map(|r| r.at)
            .expect("a patch");
        latencies.push(patch.duration_since(start));
        drop(game);
        api.wait_for("untaint", |s| !is_tainted(&s.nodes["rog"]))
            .await;
        // Start the next game at a random point of the poll interval.
        tokio::time::sleep(Duration::from_millis(
            137 + (latencies.len() as u64 * 211) % 900,
        ))
        .await;
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = latencies.iter().map(|d| ms(*d)).sum::<f64>() / latencies.len().max(1) as f64;
    println!("binary: {bin}");
    println!("processes on this machine: {processes}");
    println!("idle CPU over {idle_secs}s: {cpu:.3}% of one core");
    println!("RSS idle: {:.1} MiB (anonymous {:.1} MiB, file-backed {:.1} MiB; peak {:.1} MiB); after {rounds} rounds: {:.1} MiB (peak {:.1} MiB)",
        rss as f64 / 1024.0, anon as f64 / 1024.0, file as f64 / 1024.0, hwm_idle as f64 / 1024.0, status_kb(pid, "VmRSS:") as f64 / 1024.0, status_kb(pid, "VmHWM:") as f64 / 1024.0);
    println!(
        "detection-to-taint-request latency over {} rounds (--poll 1s): min {:.0} ms, median {:.0} ms, mean {:.0} ms, max {:.0} ms",
        latencies.len(),
        ms(latencies[0]),
        ms(latencies[latencies.len() / 2]),
        mean,
        ms(latencies[latencies.len() - 1])
    );
    drop(guard);
}
