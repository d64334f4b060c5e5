//! The guard's manifests: least RBAC, a DaemonSet only on opportunistic nodes (NVIDIA ones
//! with the NVIDIA runtime), valid for Kubernetes 1.33 (kubernetes-validate --strict), and
//! an inventory the guard itself can read.

use homeport_diag::SourceMap;
use homeport_guard::deploy::{manifests, DeployOptions};
use homeport_guard::settings;
use homeport_plan::cluster::Cluster;
use serde_json::{json, Value};
use std::time::Duration;

const CLUSTER: &str = r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata:
  name: home
spec:
  nodes:
    - name: server
      arch: amd64
      roles: [control-plane]
    - name: nas
      arch: amd64
    - name: rog-strix
      arch: amd64
      availability: opportunistic
      gpus: [{vendor: nvidia, model: RTX 2070 SUPER, count: 1}]
      gaming:
        processes: [steam, gamescope]
        schedule: ["Mon-Fri 18:00-23:30", "Sat-Sun 10:00-02:00"]
        hold: 3m
    - name: laptop
      arch: amd64
      availability: opportunistic
"#;

fn cluster(text: &str) -> Cluster {
    let mut sources = SourceMap::default();
    Cluster::from_str("cluster.yaml", text, &mut sources).unwrap_or_else(|e| panic!("{e:?}"))
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

#[test]
fn manifests_follow_the_issue() {
    let objs = manifests(
        &cluster(CLUSTER),
        &DeployOptions::new("ghcr.io/homeport/homeport:0.1.0"),
    );
    let kinds: Vec<String> = objs
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Namespace/homeport-system",
            "ServiceAccount/homeport-guard",
            "ClusterRole/homeport-guard",
            "ClusterRoleBinding/homeport-guard",
            "ConfigMap/homeport-guard",
            "DaemonSet/homeport-guard",
            "DaemonSet/homeport-guard-nvidia",
        ]
    );
    assert_eq!(
        find(&objs, "ClusterRole", "homeport-guard")["rules"],
        json!([
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "watch", "patch"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
            {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
        ])
    );
    let hosts = |ds: &Value| {
        ds["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
            ["matchExpressions"][0]["values"]
            .clone()
    };
    let plain = find(&objs, "DaemonSet", "homeport-guard");
    let nvidia = find(&objs, "DaemonSet", "homeport-guard-nvidia");
    assert_eq!(hosts(plain), json!(["laptop"]));
    assert_eq!(hosts(nvidia), json!(["rog-strix"]));
    for ds in [plain, nvidia] {
        let spec = &ds["spec"]["template"]["spec"];
        assert_eq!(spec["hostPID"], true);
        let tolerated: Vec<&str> = spec["tolerations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["key"].as_str())
            .collect();
        assert_eq!(
            tolerated,
            ["homeport.dev/opportunistic", "homeport.dev/gaming"]
        );
        assert!(
            spec["containers"][0]["resources"]["limits"]
                .get("nvidia.com/gpu")
                .is_none(),
            "the game keeps the GPU"
        );
    }
    assert_eq!(
        nvidia["spec"]["template"]["spec"]["runtimeClassName"],
        "nvidia"
    );
    assert!(plain["spec"]["template"]["spec"]
        .get("runtimeClassName")
        .is_none());

    // The inventory in the ConfigMap is one the guard reads, with the node's hints.
    let text = find(&objs, "ConfigMap", "homeport-guard")["data"]["cluster.yaml"]
        .as_str()
        .expect("text")
        .to_string();
    let inv = cluster(&text);
    let rog = settings::for_node(&inv, "rog-strix").expect("settings");
    assert_eq!(rog.processes, ["steam", "gamescope"]);
    assert_eq!(rog.hold, Duration::from_secs(180));
    assert!(!rog.schedule.is_empty());
    assert_eq!(
        settings::for_node(&inv, "laptop").expect("settings").hold,
        Duration::from_secs(120)
    );
}

#[test]
fn no_opportunistic_node_no_guard() {
    assert!(manifests(&Cluster::default_k3s(), &DeployOptions::new("x:1")).is_empty());
}

#[test]
fn manifests_validate_against_kubernetes_1_33() {
    let objs = manifests(
        &cluster(CLUSTER),
        &DeployOptions::new("ghcr.io/homeport/homeport:0.1.0"),
    );
    let schema = homeport_k8s_schema::schema_for("1.33").expect("1.33");
    for o in &objs {
        assert_eq!(schema.validate(o), vec![], "{o}");
    }
    if homeport_testkit::require_tool(homeport_testkit::Tool::KubernetesValidate).is_none() {
        return;
    }
    let yaml = homeport_yaml::emit_documents(objs.iter());
    if let Err(e) = homeport_testkit::validate_k8s_objects(&yaml, "1.33") {
        panic!("{e}\n---\n{yaml}");
    }
}
