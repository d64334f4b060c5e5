//! Timing harness (no timed assertions): run it with
//!
//! ```text
//! cargo test --release -p homeport-k8s-schema --test timing -- --ignored --nocapture
//! ```
//!
//! It validates 10,000 typical objects (a third each Deployments, Services and ConfigMaps)
//! against Kubernetes 1.33, counting the one-time decompression and compilation of the
//! schema, and then loads every other embedded version.

mod common;

use std::time::Instant;

use common::{config_map, deployment, service};
use homeport_k8s_schema::{schema_for, supported_versions};
use serde_json::Value;

#[test]
#[ignore = "timing harness; run with --release -- --ignored --nocapture"]
fn validate_10k_typical_objects() {
    let objects: Vec<Value> = (0..10_000)
        .map(|i| match i % 3 {
            0 => deployment(&format!("app-{i}")),
            1 => service(&format!("app-{i}")),
            _ => config_map(&format!("app-{i}")),
        })
        .collect();

    let start = Instant::now();
    let schema = schema_for("1.33").expect("1.33 is embedded");
    let loaded = start.elapsed();
    let mut violations = 0;
    for object in &objects {
        violations += schema.validate(object).len();
    }
    let total = start.elapsed();
    assert_eq!(violations, 0);

    let start = Instant::now();
    for v in supported_versions() {
        schema_for(v).expect("embedded");
    }
    let others = start.elapsed();

    println!(
        "load+compile 1.33: {:.2} ms; validate 10,000 objects: {:.2} ms ({:.2} us/object); \
         total {:.2} ms; load the other {} versions: {:.2} ms",
        loaded.as_secs_f64() * 1e3,
        (total - loaded).as_secs_f64() * 1e3,
        (total - loaded).as_secs_f64() * 1e6 / objects.len() as f64,
        total.as_secs_f64() * 1e3,
        supported_versions().len() - 1,
        others.as_secs_f64() * 1e3,
    );
}
