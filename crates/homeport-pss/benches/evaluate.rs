//! Times `evaluate` over 10,000 generated pod-carrying objects, half compliant with the
//! restricted level and half violating several controls. Run with
//! `cargo bench -p homeport-pss`; prints the time per pass, never asserts it.

use std::hint::black_box;
use std::time::Instant;

use homeport_pss::{evaluate, Level, Version};
use serde_json::{json, Value};

fn restricted_deployment(i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": format!("app-{i}"), "namespace": "media"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": format!("app-{i}")}},
            "template": {
                "metadata": {"labels": {"app": format!("app-{i}")}},
                "spec": {
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "app",
                        "image": format!("ghcr.io/example/app:{i}"),
                        "ports": [{"containerPort": 8080}],
                        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
                        "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}},
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}
                    }],
                    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
                }
            }
        }
    })
}

fn bad_pod(i: usize) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": format!("bad-{i}")},
        "spec": {
            "hostNetwork": true,
            "containers": [{
                "name": "app",
                "image": "nginx",
                "ports": [{"containerPort": 80, "hostPort": 80}],
                "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN"]}}
            }],
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]
        }
    })
}

fn main() {
    let objects: Vec<Value> = (0..10_000)
        .map(|i| {
            if i % 2 == 0 {
                restricted_deployment(i)
            } else {
                bad_pod(i)
            }
        })
        .collect();
    for (label, level) in [
        ("baseline", Level::Baseline),
        ("restricted", Level::Restricted),
    ] {
        let mut best = f64::MAX;
        let mut findings = 0;
        for _ in 0..5 {
            let start = Instant::now();
            findings = objects
                .iter()
                .map(|o| black_box(evaluate(black_box(o), level, Version::LATEST)).len())
                .sum::<usize>();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "evaluate {label:>10}: 10000 objects in {:.2} ms (best of 5), {findings} violations",
            best * 1000.0
        );
    }
    let clean: Vec<&Value> = objects.iter().step_by(2).collect();
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..5 {
        let start = Instant::now();
        findings = clean
            .iter()
            .map(|o| black_box(evaluate(black_box(o), Level::Restricted, Version::LATEST)).len())
            .sum::<usize>();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "evaluate restricted, compliant only: {} objects in {:.2} ms (best of 5), {findings} violations",
        clean.len(),
        best * 1000.0
    );
}
