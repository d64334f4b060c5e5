//! Benchmark helper for `scripts/bench-images`: starts the real registry (docker-registry)
//! on loopback, pushes 50 multi-platform images, measures cold resolution of all 50 (no
//! lock, a new client each run), and writes a 50-service project with its complete
//! `homeport.lock` into DIR for the render benchmark.
//!
//!   cargo run --release -p homeport-images --example bench_images -- DIR [RUNS]

use homeport_images::{resolve, Lock, Options};
use homeport_testkit::registry::Registry;
use serde_json::json;
use std::time::{Duration, Instant};

const IMAGES: usize = 50;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: bench_images DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let Some(reg) = Registry::start() else {
        eprintln!("docker-registry is not installed");
        std::process::exit(2);
    };
    let host = reg.host();
    let mut images = Vec::new();
    for i in 0..IMAGES {
        let repo = format!("bench/app-{i:02}");
        let config = |arch: &str| {
            json!({"architecture": arch, "os": "linux", "config": {
                "User": if i % 3 == 0 { String::new() } else { format!("{}", 1000 + i) },
                "ExposedPorts": {format!("{}/tcp", 8000 + i): {}},
                "Env": ["PATH=/usr/bin"],
                "Healthcheck": {"Test": ["CMD-SHELL", format!("wget -q http://localhost:{}/", 8000 + i)]}
            }, "rootfs": {"type": "layers", "diff_ids": []}})
        };
        let amd = reg.push_image(&repo, None, &config("amd64"), &[]);
        let arm = reg.push_image(&repo, None, &config("arm64"), &[]);
        reg.push_index(
            &repo,
            "1",
            &[
                ("linux/amd64", &amd.0, amd.1),
                ("linux/arm64", &arm.0, arm.1),
            ],
        );
        images.push(format!("{host}/{repo}:1"));
    }
    let options = Options::default();
    let mut times = Vec::new();
    let mut last = None;
    let before = reg.requests().len();
    for _ in 0..runs {
        let start = Instant::now();
        let r = resolve(&images, &Lock::default(), &options);
        times.push(start.elapsed());
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(r.facts.len(), IMAGES);
        last = Some(r);
    }
    // The registry logs each request as its answer completes; let the last lines land.
    std::thread::sleep(Duration::from_millis(200));
    let requests = &reg.requests()[before..];
    let probes = requests.iter().filter(|r| *r == "GET /v2/").count();
    times.sort();
    let mean = times.iter().sum::<Duration>() / runs.max(1);
    println!(
        "resolve_50_cold          {:8.2} ms  (mean of {runs} runs; min {:.2} ms, max {:.2} ms)",
        mean.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
    println!(
        "requests per resolution  {:8.1}     ({:.1} of them GET /v2/ probes)",
        requests.len() as f64 / f64::from(runs.max(1)),
        probes as f64 / f64::from(runs.max(1))
    );
    // The project and its complete lock.
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).expect("create DIR");
    let mut compose = String::from("name: bench50\nservices:\n");
    for (i, image) in images.iter().enumerate() {
        compose.push_str(&format!("  app-{i:02}:\n    image: {image}\n"));
    }
    std::fs::write(dir.join("compose.yaml"), compose).expect("write compose.yaml");
    if let Some(r) = last {
        r.lock
            .write_if_changed(&dir.join(homeport_images::LOCK_FILE))
            .expect("write homeport.lock");
    }
}
