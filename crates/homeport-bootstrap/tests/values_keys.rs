//! Every HelmChart bootstrap writes pins a chart version whose default values are vendored
//! under charts/, its `valuesContent` parses as YAML, and every key it sets exists in those
//! defaults (recursively), so a misspelt or renamed value cannot silently do nothing.

mod common;

use common::*;
use homeport_bootstrap::charts;
use serde_json::Value;
use std::collections::BTreeSet;

/// The keys of `values` the chart's `defaults` do not define. A default that is an empty
/// mapping or not a mapping (null, a list) takes any keys below it (`nodeSelector: {}`,
/// `config.map: {}`, `tolerations: []`).
fn unknown_keys(values: &Value, defaults: &Value, path: &str, out: &mut Vec<String>) {
    let (Value::Object(vals), Value::Object(defs)) = (values, defaults) else {
        return;
    };
    if defs.is_empty() {
        return;
    }
    for (key, value) in vals {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match defs.get(key) {
            Some(default) => unknown_keys(value, default, &here, out),
            None => out.push(here),
        }
    }
}

fn defaults(chart: charts::Chart) -> Value {
    let path = crate_dir().join(chart.defaults_file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.contains(&format!("version {}", chart.version))
            && text.contains("Source: https://github.com/"),
        "{}: the header names the chart version and its source",
        path.display()
    );
    yaml(&text)
}

/// The inventories of the tests plus one whose plan needs KEDA, so every chart is covered.
fn trees() -> Vec<(String, Tree)> {
    let mut trees: Vec<(String, Tree)> = INVENTORIES
        .iter()
        .map(|n| (n.to_string(), tree(n)))
        .collect();
    trees.push(("keda".into(), keda_tree()));
    trees
}

/// A tree for an inventory whose plan needs a ScaledObject.
fn keda_tree() -> Tree {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("compose.yaml"),
        // A queue worker and its broker: the plan writes a ScaledObject, so it needs KEDA.
        "services:\n  worker:\n    image: example/worker:1\n    x-homeport:\n      queue: {type: redis, name: jobs}\n  redis:\n    image: redis:7.4\n",
    )
    .expect("write compose");
    let loaded = homeport_compose::load(&homeport_compose::LoadOptions {
        files: vec![dir.path().join("compose.yaml")],
        cwd: dir.path().to_path_buf(),
        ..Default::default()
    });
    let project = loaded.project.expect("project loads");
    let cluster = cluster("board");
    let plan = homeport_plan::plan(&project, &cluster);
    tree_of(&cluster, Some(&plan))
}

#[test]
fn every_values_content_uses_only_keys_the_pinned_chart_defines() {
    let mut covered = BTreeSet::new();
    for (name, tree) in trees() {
        for (path, object) in tree.objects() {
            if object["kind"] != "HelmChart" {
                continue;
            }
            let spec = &object["spec"];
            let chart_name = spec["chart"].as_str().expect("spec.chart");
            let chart = charts::by_name(chart_name).unwrap_or_else(|| {
                panic!("{name} {path}: chart {chart_name} is not pinned in charts.rs")
            });
            assert_eq!(spec["version"], chart.version, "{name} {path}");
            assert_eq!(spec["repo"], chart.repo, "{name} {path}");
            covered.insert(chart.name);
            let Some(content) = spec["valuesContent"].as_str() else {
                continue;
            };
            let values = yaml(content);
            assert!(
                values.is_object(),
                "{name} {path}: valuesContent is a mapping"
            );
            let mut unknown = Vec::new();
            unknown_keys(&values, &defaults(chart), "", &mut unknown);
            assert!(
                unknown.is_empty(),
                "{name} {path}: {} {} does not define {unknown:?}",
                chart.name,
                chart.version
            );
        }
    }
    let all: BTreeSet<&str> = charts::ALL.iter().map(|c| c.name).collect();
    assert_eq!(
        covered, all,
        "every pinned chart is exercised by a test inventory"
    );
}

#[test]
fn the_key_check_catches_a_misspelt_value() {
    let defaults = defaults(charts::NVIDIA_DEVICE_PLUGIN);
    let mut unknown = Vec::new();
    let values = serde_json::json!({"runtimeClassNam": "nvidia", "gfd": {"enable": true}, "nodeSelector": {"any": "x"}});
    unknown_keys(&values, &defaults, "", &mut unknown);
    assert_eq!(unknown, ["runtimeClassNam", "gfd.enable"]);
}

#[test]
fn the_keda_chart_comes_with_a_plan_that_needs_it() {
    let tree = keda_tree();
    let keda = tree.helm_chart("keda").expect("keda HelmChart");
    assert_eq!(keda["spec"]["targetNamespace"], "keda");
    assert!(tree
        .text("README.md")
        .contains("KEDA, for the ScaledObjects of worker"));
    // Without the plan, no KEDA.
    assert!(tree_of(&cluster("board"), None)
        .helm_chart("keda")
        .is_none());
}
