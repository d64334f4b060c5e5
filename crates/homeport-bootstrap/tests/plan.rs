//! What the plan of a Compose project says about the cluster side: the add-ons it needs
//! (and whether the inventory provides them), and no ordinary pod on a storage-only node.

mod common;

use common::*;
use homeport_plan::addons::Addon;
use homeport_plan::Plan;

fn plan(compose: &str, inventory: &str) -> Plan {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("compose.yaml"), compose).expect("write compose");
    let loaded = homeport_compose::load(&homeport_compose::LoadOptions {
        files: vec![dir.path().join("compose.yaml")],
        cwd: dir.path().to_path_buf(),
        ..Default::default()
    });
    let project = loaded
        .project
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
    homeport_plan::plan(&project, &cluster(inventory))
}

const MEDIA: &str = "services:
  jellyfin:
    image: jellyfin/jellyfin:10.10.3
    volumes:
      - config:/config
    x-homeport:
      expose: tv.home.arpa
  sonarr:
    image: lscr.io/linuxserver/sonarr:4.0.11
    volumes:
      - sonarr:/config
  transcoder:
    image: example/transcoder:1
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
volumes:
  config:
  sonarr:
";

#[test]
fn the_media_stack_needs_what_the_media_inventory_provides() {
    let plan = plan(MEDIA, "media");
    let names: Vec<String> = plan.addons.iter().map(|a| a.addon.name()).collect();
    let nvidia = plan
        .addons
        .iter()
        .find(|a| a.addon == Addon::NvidiaDevicePlugin)
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(nvidia.needed_by, ["transcoder"]);
    assert!(nvidia.provided);
    if plan.pods.iter().any(|p| p.ingresses.iter().any(|r| r.tls)) {
        let cm = plan
            .addons
            .iter()
            .find(|a| a.addon == Addon::CertManager)
            .expect("cert-manager");
        assert!(cm.provided, "tls: cert-manager in the inventory");
    }
    assert!(plan.addons.iter().all(|a| a.provided), "{:?}", plan.addons);
    // The same plan, rendered as a table and JSON, shows them.
    assert!(plan.to_table().contains("nvidia-device-plugin"));
    assert_eq!(plan.to_json()["addons"][0]["provided"], true);
}

#[test]
fn claims_on_a_dynamic_nfs_class_need_its_provisioner() {
    let inventory = inventory_text("media")
        .replace(
            "      provisioner: local-path\n      default: true\n",
            "      provisioner: local-path\n",
        )
        .replace(
            "      provisioner: nfs\n      server: nas.home.arpa\n",
            "      provisioner: nfs\n      default: true\n      server: nas.home.arpa\n",
        );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("compose.yaml"), "services:\n  app:\n    image: example/app:1\n    volumes:\n      - data:/data\nvolumes:\n  data:\n").expect("write");
    let loaded = homeport_compose::load(&homeport_compose::LoadOptions {
        files: vec![dir.path().join("compose.yaml")],
        cwd: dir.path().to_path_buf(),
        ..Default::default()
    });
    let project = loaded.project.expect("project");
    let plan = homeport_plan::plan(&project, &cluster_from(&inventory));
    let nfs = plan
        .addons
        .iter()
        .find(|a| a.addon == Addon::NfsProvisioner("nfs".into()))
        .unwrap_or_else(|| panic!("{:?}", plan.addons));
    assert_eq!(nfs.needed_by, ["app"]);
    assert!(nfs.provided);
}

#[test]
fn no_ordinary_pod_is_planned_on_a_storage_only_node() {
    // The NAS has by far the most free memory: only its taint keeps the pods off it.
    let inventory = "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - {name: nuc, arch: amd64, cpu: 4, memory: 8Gi}\n    - {name: nas, arch: amd64, cpu: 8, memory: 64Gi, roles: [storage]}\n";
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("compose.yaml"), MEDIA).expect("write");
    let loaded = homeport_compose::load(&homeport_compose::LoadOptions {
        files: vec![dir.path().join("compose.yaml")],
        cwd: dir.path().to_path_buf(),
        ..Default::default()
    });
    let project = loaded.project.expect("project");
    let plan = homeport_plan::plan(&project, &cluster_from(inventory));
    let placed: Vec<&String> = plan
        .pods
        .iter()
        .flat_map(|p| p.placement.nodes.iter())
        .collect();
    assert!(!placed.is_empty());
    assert!(placed.iter().all(|n| *n == "nuc"), "{placed:?}");
    let nas = plan
        .nodes
        .iter()
        .find(|b| b.name == "nas")
        .expect("nas budget");
    assert!(nas.pods.is_empty(), "{:?}", nas.pods);
}

#[test]
fn gpu_utilisation_autoscaling_needs_keda_and_prometheus() {
    let compose = "services:\n  llm:\n    image: example/llm:1\n    x-homeport:\n      autoscale: {min: 1, max: 3, gpu: 70}\n";
    // The AI lab declares monitoring: both provided.
    let lab = plan(compose, "ai-lab");
    for addon in [Addon::Keda, Addon::PrometheusOperator] {
        let need = lab
            .addons
            .iter()
            .find(|a| a.addon == addon)
            .unwrap_or_else(|| panic!("{addon:?}: {:?}", lab.addons));
        assert!(need.provided, "{need:?}");
        assert_eq!(need.needed_by, ["llm"]);
    }
    let tree = tree_of(&cluster("ai-lab"), Some(&lab));
    assert!(tree.helm_chart("keda").is_some());
    // The board declares no monitoring: no GPU trigger is written (the plan warns), so
    // neither KEDA nor Prometheus is needed and bootstrap installs no KEDA.
    let board = plan(compose, "board");
    assert!(
        !board
            .addons
            .iter()
            .any(|a| matches!(a.addon, Addon::Keda | Addon::PrometheusOperator)),
        "{:?}",
        board.addons
    );
    let tree = tree_of(&cluster("board"), Some(&board));
    assert!(tree.helm_chart("keda").is_none());
}

/// KEDA follows the ScaledObjects the plan writes: a queue hint asks for it; the same
/// stack without the hint, or with the scaler refused (a ReadWriteOnce volume), does not.
#[test]
fn keda_follows_the_written_scaled_objects() {
    let queue = "services:\n  broker:\n    image: rabbitmq:3\n  worker:\n    image: example/worker:1\n    environment: {AMQP_URL: \"amqp://jobs:s3cret@broker:5672/\"}\n    x-homeport:\n      queue: {type: rabbitmq, name: jobs, target: 5}\n      autoscale: {min: 1, max: 4}\n";
    let with = plan(queue, "board");
    let keda = with
        .addons
        .iter()
        .find(|a| a.addon == Addon::Keda)
        .unwrap_or_else(|| panic!("{:?}", with.addons));
    assert_eq!(keda.needed_by, ["worker"]);
    assert!(tree_of(&cluster("board"), Some(&with))
        .helm_chart("keda")
        .is_some());

    let plain = "services:\n  broker:\n    image: rabbitmq:3\n  worker:\n    image: example/worker:1\n    environment: {AMQP_URL: \"amqp://jobs:s3cret@broker:5672/\"}\n    x-homeport:\n      autoscale: {min: 1, max: 4}\n";
    let refused = "services:\n  broker:\n    image: rabbitmq:3\n  worker:\n    image: example/worker:1\n    environment: {AMQP_URL: \"amqp://jobs:s3cret@broker:5672/\"}\n    volumes: [state:/state]\n    x-homeport:\n      queue: {type: rabbitmq, name: jobs, target: 5}\n      autoscale: {min: 1, max: 4}\nvolumes:\n  state: {}\n";
    for compose in [plain, refused] {
        let p = plan(compose, "board");
        assert!(
            !p.addons.iter().any(|a| a.addon == Addon::Keda),
            "{compose}: {:?}",
            p.addons
        );
        assert!(tree_of(&cluster("board"), Some(&p))
            .helm_chart("keda")
            .is_none());
    }
}
