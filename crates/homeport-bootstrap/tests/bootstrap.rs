//! What `homeport bootstrap` writes for the inventories in tests/inventories, asserted on
//! meaning: each node's k3s configuration, preflight checks, the add-ons and the README.

mod common;

use common::*;
use homeport_plan::cluster::{format_memory_bytes, parse_cpu_millis, parse_memory_bytes, Cluster};
use serde_json::Value;

/// `system-reserved=cpu=100m,memory=1Gi` -> (cpu millis, memory bytes).
fn reserved(args: &[String], which: &str) -> (u64, u64) {
    let arg = args
        .iter()
        .find_map(|a| a.strip_prefix(&format!("{which}=")))
        .unwrap_or_else(|| panic!("no {which} in {args:?}"));
    let mut cpu = 0;
    let mut mem = 0;
    for part in arg.split(',') {
        match part.split_once('=') {
            Some(("cpu", v)) => cpu = parse_cpu_millis(v).expect("cpu"),
            Some(("memory", v)) => mem = parse_memory_bytes(v).expect("memory"),
            _ => panic!("unexpected {part} in {arg}"),
        }
    }
    (cpu, mem)
}

fn eviction_memory(args: &[String]) -> u64 {
    let arg = args
        .iter()
        .find_map(|a| a.strip_prefix("eviction-hard="))
        .expect("eviction-hard");
    assert!(
        arg.contains("nodefs.available<") && arg.contains("imagefs.available<"),
        "the kubelet's disk thresholds are kept: {arg}"
    );
    let mem = arg
        .split(',')
        .find_map(|p| p.strip_prefix("memory.available<"))
        .expect("memory.available");
    parse_memory_bytes(mem).expect("quantity")
}

/// The kubelet arguments of every node reserve exactly what the plan's budgets take off.
fn assert_reservations_match_allocatable(tree: &Tree, cluster: &Cluster) {
    for node in &cluster.nodes {
        let args = tree.strings(&node.name, "kubelet-arg");
        let (sc, sm) = reserved(&args, "system-reserved");
        let (kc, km) = reserved(&args, "kube-reserved");
        let ev = eviction_memory(&args);
        let a = cluster.allocatable(node);
        if let Some(mem) = node.memory_bytes {
            assert_eq!(Some(mem - sm - km - ev), a.memory_bytes, "{}", node.name);
        }
        if let Some(cpu) = node.cpu_millis {
            assert_eq!(Some(cpu - sc - kc), a.cpu_millis, "{}", node.name);
        }
    }
}

fn servers(tree: &Tree, cluster: &Cluster) -> Vec<String> {
    cluster
        .nodes
        .iter()
        .filter(|n| tree.config(&n.name).get("server").is_none())
        .map(|n| n.name.clone())
        .collect()
}

fn assert_steps_in_order(readme: &str) {
    let steps = [
        "## 1. Preflight",
        "## 2. Install the server",
        "## 3. Join the other nodes",
        "## 4. Install the add-ons",
        "## 5. Apply the converted stack",
    ];
    let positions: Vec<usize> = steps
        .iter()
        .map(|s| readme.find(s).unwrap_or_else(|| panic!("README lacks {s}")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "steps out of order"
    );
}

#[test]
fn media_cluster_nodes() {
    let cluster = cluster("media");
    let tree = tree("media");

    // Exactly one server, the declared control plane; every other node joins it.
    assert_eq!(servers(&tree, &cluster), ["nuc"]);
    let nuc = tree.config("nuc");
    assert_eq!(nuc["node-name"], "nuc");
    assert!(
        nuc.get("token").is_none(),
        "a single server makes its own token"
    );
    for agent in ["gaming-pc", "pi", "nas"] {
        let c = tree.config(agent);
        assert_eq!(c["server"], "https://<SERVER_ADDRESS>:6443", "{agent}");
        assert_eq!(
            c["token"], "<K3S_TOKEN>",
            "{agent}: the token is a placeholder"
        );
        assert!(c.get("write-kubeconfig-mode").is_none() && c.get("disable").is_none());
    }

    // Labels and taints, the same keys for servers and agents.
    assert_eq!(
        tree.strings("nuc", "node-label"),
        ["homeport.dev/availability=always-on"]
    );
    assert!(tree.config("nuc").get("node-taint").is_none());
    let gaming = tree.strings("gaming-pc", "node-label");
    for l in [
        "homeport.dev/availability=opportunistic",
        "homeport.dev/gpu.nvidia=true",
        "homeport.dev/gpu.nvidia.model=RTX-3080",
        "nvidia.com/gpu.present=true",
        "nvidia.com/device-plugin.config=exclusive",
    ] {
        assert!(
            gaming.contains(&l.to_string()),
            "gaming-pc lacks {l}: {gaming:?}"
        );
    }
    assert_eq!(
        tree.strings("gaming-pc", "node-taint"),
        ["homeport.dev/opportunistic=true:NoSchedule"]
    );
    assert_eq!(
        tree.strings("nas", "node-taint"),
        ["homeport.dev/storage=true:NoSchedule"]
    );
    assert!(tree
        .strings("nas", "node-label")
        .contains(&"homeport.dev/storage=true".to_string()));
    // The inventory's own labels; a kubernetes.io one the kubelet may not set goes to kubectl.
    let pi = tree.strings("pi", "node-label");
    assert!(pi.contains(&"example.com/room=attic".to_string()));
    assert!(!pi.iter().any(|l| l.starts_with("node-role.kubernetes.io/")));
    assert!(tree
        .text("README.md")
        .contains("kubectl label node pi node-role.kubernetes.io/worker=true"));
    assert!(tree.result.warnings.iter().any(|w| w.code == "HP0903"));

    assert_reservations_match_allocatable(&tree, &cluster);
    // The server keeps more for the control plane than an agent of the same size would.
    let (_, server_kube) = reserved(&tree.strings("nuc", "kubelet-arg"), "kube-reserved");
    let (_, pi_kube) = reserved(&tree.strings("pi", "kubelet-arg"), "kube-reserved");
    assert!(server_kube > pi_kube);
}

#[test]
fn media_cluster_preflight() {
    let tree = tree("media");
    let pre = |n: &str| tree.text(&format!("nodes/{n}/preflight.sh")).to_string();
    for n in ["nuc", "gaming-pc", "pi", "nas"] {
        let s = pre(n);
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains("memory cgroup controller"), "{n}");
        assert!(s.contains("/proc/swaps"), "{n}");
        assert!(s.contains("fix:"), "{n}: every check says how to fix it");
    }
    assert!(pre("pi").contains("if [ \"$arch\" = 'arm64' ]"));
    // The NVIDIA toolkit only where there is an NVIDIA GPU.
    assert!(pre("gaming-pc").contains("nvidia-container-runtime"));
    assert!(!pre("nuc").contains("nvidia"));
    // The NFS client on every node that runs pods; the storage-only NAS runs none.
    for n in ["nuc", "gaming-pc", "pi"] {
        assert!(pre(n).contains("mount.nfs"), "{n}");
    }
    assert!(!pre("nas").contains("mount.nfs"));
}

#[test]
fn media_cluster_addons() {
    let tree = tree("media");
    let mut names = tree.helm_chart_names();
    names.sort();
    assert_eq!(names, ["cert-manager", "nfs-nfs", "nvidia-device-plugin"]);

    let plugin = tree.helm_chart("nvidia-device-plugin").expect("plugin");
    assert_eq!(plugin["apiVersion"], "helm.cattle.io/v1");
    assert_eq!(plugin["metadata"]["namespace"], "kube-system");
    assert_eq!(plugin["spec"]["version"], "0.19.3");
    assert_eq!(
        plugin["spec"]["repo"],
        "https://nvidia.github.io/k8s-device-plugin"
    );
    assert_eq!(plugin["spec"]["createNamespace"], true);
    let v = tree.values("nvidia-device-plugin");
    assert_eq!(v["runtimeClassName"], "nvidia");
    assert_eq!(v["nodeSelector"]["nvidia.com/gpu.present"], "true");
    assert_eq!(v["gfd"]["enabled"], true);
    let tolerates = |v: &Value, key: &str| {
        v["tolerations"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["key"] == key))
    };
    assert!(
        tolerates(&v, "homeport.dev/opportunistic"),
        "the gaming PC's GPU must be advertised"
    );
    assert!(tolerates(&v["nfd"]["worker"], "homeport.dev/opportunistic"));
    assert_eq!(v["config"]["default"], "exclusive");

    let nfs = tree.values("nfs-nfs");
    assert_eq!(nfs["nfs"]["server"], "nas.home.arpa");
    assert_eq!(nfs["nfs"]["path"], "/export/k8s");
    assert_eq!(
        nfs["storageClass"]["name"], "nfs",
        "the inventory's StorageClass name"
    );
    assert_eq!(nfs["storageClass"]["defaultClass"], false);
    assert_eq!(tree.values("cert-manager")["crds"]["enabled"], true);

    // home.arpa is private: the issuer named in the inventory is a cluster CA.
    let issuer = yaml_docs(tree.text("after-addons/cluster-issuer.yaml"));
    let named = issuer
        .iter()
        .find(|o| o["kind"] == "ClusterIssuer" && o["metadata"]["name"] == "home-ca")
        .expect("ClusterIssuer home-ca");
    assert_eq!(named["spec"]["ca"]["secretName"], "homeport-ca");
    assert!(issuer
        .iter()
        .any(|o| o["kind"] == "Certificate" && o["spec"]["isCA"] == true));

    // Only what is needed: no static share gets a provisioner, no KEDA without a plan.
    assert!(!tree.files.contains_key("addons/nfs-media.yaml"));
    assert!(!tree.files.contains_key("addons/keda.yaml"));
    assert!(!tree
        .files
        .keys()
        .any(|p| p.contains("prometheus") || p.contains("intel")));

    let readme = tree.text("README.md");
    assert_steps_in_order(readme);
    assert!(readme.contains("job/helm-install-nvidia-device-plugin"));
    assert!(readme.contains("kubectl apply -f after-addons/cluster-issuer.yaml"));
}

#[test]
fn single_two_gigabyte_board() {
    let cluster = cluster("board");
    let tree = tree("board");
    assert_eq!(servers(&tree, &cluster), ["rock"]);
    let c = tree.config("rock");
    assert!(c.get("server").is_none() && c.get("token").is_none());
    assert_reservations_match_allocatable(&tree, &cluster);
    let args = tree.strings("rock", "kubelet-arg");
    let (_, sm) = reserved(&args, "system-reserved");
    let (_, km) = reserved(&args, "kube-reserved");
    let ev = eviction_memory(&args);
    // The board stays alive: the OS, k3s' server and an eviction margin are kept back, and
    // a gibibyte is still left for pods.
    assert!(
        sm >= 128 << 20 && km >= 512 << 20 && ev >= 100 << 20,
        "{args:?}"
    );
    let left = cluster
        .allocatable(&cluster.nodes[0])
        .memory_bytes
        .expect("declared");
    assert!(left > 1 << 30, "{}", format_memory_bytes(left));
    // Agent-only advice: it is the server by necessity, with the way out.
    let w = tree
        .result
        .warnings
        .iter()
        .find(|w| w.code == "HP0902")
        .expect("small-server warning");
    assert!(w.help.as_deref().unwrap_or_default().contains("agent"));
    assert!(tree
        .text("README.md")
        .contains("re-join `rock` as an agent"));
    assert!(tree.objects().is_empty(), "no add-on for a bare board");
    assert!(tree.text("README.md").contains("This cluster has one node"));
}

#[test]
fn small_server_with_a_bigger_node_gets_agent_only_advice() {
    let cluster = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - name: pi\n      arch: arm64\n      memory: 2Gi\n      roles: [control-plane]\n    - name: nuc\n      arch: amd64\n      memory: 32Gi\n");
    let tree = tree_of(&cluster, None);
    let w = tree
        .result
        .warnings
        .iter()
        .find(|w| w.code == "HP0902")
        .expect("warning");
    assert!(
        w.help
            .as_deref()
            .unwrap_or_default()
            .contains("make `nuc` the control plane"),
        "{w:?}"
    );
}

#[test]
fn ai_lab_time_slicing_and_monitoring() {
    let cluster = cluster("ai-lab");
    let tree = tree("ai-lab");
    assert_eq!(servers(&tree, &cluster), ["control"]);
    assert!(tree
        .strings("rig", "node-label")
        .contains(&"nvidia.com/device-plugin.config=time-slicing-4".to_string()));
    let v = tree.values("nvidia-device-plugin");
    assert_eq!(v["config"]["default"], "time-slicing-4");
    let config = yaml(
        v["config"]["map"]["time-slicing-4"]
            .as_str()
            .expect("config text"),
    );
    let resources = &config["sharing"]["timeSlicing"]["resources"];
    assert_eq!(resources[0]["name"], "nvidia.com/gpu");
    assert_eq!(resources[0]["replicas"], 4);
    // The plan's GPU budget counts the same slots the plugin advertises: 2 GPUs x 4.
    assert_eq!(
        cluster.nodes[1].gpu_slots(homeport_plan::cluster::GpuVendor::Nvidia),
        8
    );

    let kps = tree
        .helm_chart("kube-prometheus-stack")
        .expect("kube-prometheus-stack");
    assert_eq!(kps["spec"]["targetNamespace"], "monitoring");
    assert_eq!(
        tree.values("kube-prometheus-stack")["fullnameOverride"],
        "kube-prometheus-stack"
    );
    let dcgm = tree.values("dcgm-exporter");
    assert_eq!(dcgm["runtimeClassName"], "nvidia");
    assert_eq!(
        dcgm["serviceMonitor"]["additionalLabels"]["release"],
        "kube-prometheus-stack"
    );
    assert_eq!(dcgm["nodeSelector"]["nvidia.com/gpu.present"], "true");

    // A public domain: Let's Encrypt, with the e-mail left for the user.
    let issuer = yaml(tree.text("after-addons/cluster-issuer.yaml"));
    assert_eq!(issuer["metadata"]["name"], "letsencrypt");
    assert_eq!(issuer["spec"]["acme"]["email"], "<ACME_EMAIL>");
    assert_eq!(
        issuer["spec"]["acme"]["solvers"][0]["http01"]["ingress"]["ingressClassName"],
        "traefik"
    );
    assert!(tree.text("README.md").contains("s|<ACME_EMAIL>|"));

    // `rightsize: true`: the VPA recommender alone (every VPA homeport writes is `Off`).
    let vpa = tree
        .helm_chart("vertical-pod-autoscaler")
        .expect("the inventory's rightsize installs the VPA");
    assert_eq!(
        vpa["spec"]["repo"],
        "https://kubernetes.github.io/autoscaler"
    );
    let v = tree.values("vertical-pod-autoscaler");
    assert_eq!(v["admissionController"]["enabled"], false);
    assert_eq!(v["updater"]["enabled"], false);
    assert_eq!(v["recommender"]["enabled"], true);
    assert!(tree.text("README.md").contains("kubectl describe vpa"));
    // Without it no VPA is installed.
    assert!(self::tree("media")
        .helm_chart("vertical-pod-autoscaler")
        .is_none());
}

#[test]
fn intel_igpu_mini_pc() {
    let tree = tree("intel-mini");
    let labels = tree.strings("n100", "node-label");
    for l in [
        "homeport.dev/gpu.intel=true",
        "homeport.dev/gpu.intel.model=UHD-Graphics-N100",
        "homeport.dev/gpu.intel.shared=2",
    ] {
        assert!(labels.contains(&l.to_string()), "{l}: {labels:?}");
    }
    assert!(tree.helm_chart_names().is_empty());
    let objects = tree.objects();
    assert_eq!(objects.len(), 1);
    let ds = &objects[0].1;
    assert_eq!(ds["kind"], "DaemonSet");
    let spec = &ds["spec"]["template"]["spec"];
    assert_eq!(spec["nodeSelector"]["homeport.dev/gpu.intel"], "true");
    assert_eq!(spec["nodeSelector"]["homeport.dev/gpu.intel.shared"], "2");
    assert_eq!(spec["containers"][0]["args"][0], "-shared-dev-num=2");
    assert!(tree.text("nodes/n100/preflight.sh").contains("renderD"));
    assert!(!tree.text("nodes/n100/preflight.sh").contains("nvidia"));
    assert!(tree
        .text("README.md")
        .contains("rollout status daemonset/intel-gpu-plugin"));
}

#[test]
fn several_servers_share_a_datastore() {
    let etcd = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  datastore: etcd\n  nodes:\n    - {name: a, arch: amd64, memory: 8Gi, roles: [control-plane]}\n    - {name: b, arch: amd64, memory: 8Gi, roles: [control-plane]}\n    - {name: c, arch: amd64, memory: 8Gi, roles: [control-plane]}\n    - {name: d, arch: amd64, memory: 8Gi}\n");
    let tree = tree_of(&etcd, None);
    let a = tree.config("a");
    assert_eq!(a["cluster-init"], true);
    assert_eq!(
        a["token"], "<K3S_TOKEN>",
        "HA servers share a token the user chooses"
    );
    for joining in ["b", "c"] {
        let c = tree.config(joining);
        assert_eq!(c["server"], "https://<SERVER_ADDRESS>:6443");
        assert!(c.get("cluster-init").is_none());
        assert_eq!(c["write-kubeconfig-mode"], "0600", "{joining} is a server");
    }
    assert!(tree.config("d").get("write-kubeconfig-mode").is_none());
    assert!(tree.text("README.md").contains("openssl rand -hex 32"));
    assert!(tree.text("nodes/b/preflight.sh").contains("k3s server"));

    let external = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  datastore: external\n  nodes:\n    - {name: a, arch: amd64, roles: [control-plane]}\n    - {name: b, arch: amd64, roles: [control-plane]}\n    - {name: d, arch: amd64}\n");
    let tree = tree_of(&external, None);
    for server in ["a", "b"] {
        assert_eq!(
            tree.config(server)["datastore-endpoint"],
            "<DATASTORE_ENDPOINT>"
        );
    }
    assert!(tree.config("d").get("datastore-endpoint").is_none());
}

#[test]
fn packaged_components_the_inventory_replaces_are_disabled() {
    let c = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  ingress: {className: nginx}\n  storage:\n    - {name: nfs, provisioner: nfs, server: nas, path: /k8s, default: true}\n  nodes:\n    - {name: a, arch: amd64}\n");
    let tree = tree_of(&c, None);
    assert_eq!(
        tree.config("a")["disable"],
        serde_json::json!(["traefik", "local-storage"])
    );
    assert_eq!(tree.values("nfs-nfs")["storageClass"]["defaultClass"], true);
}

#[test]
fn nothing_to_bootstrap_without_an_inventory() {
    let err = homeport_bootstrap::bootstrap(&Cluster::default_k3s(), None, Vec::new())
        .expect_err("no inventory");
    assert_eq!(err.code, "HP0901");
    let k8s = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  distribution: kubernetes\n  nodes:\n    - {name: a, arch: amd64}\n");
    assert_eq!(
        homeport_bootstrap::bootstrap(&k8s, None, Vec::new())
            .expect_err("not k3s")
            .code,
        "HP0901"
    );
}

#[test]
fn same_inventory_same_bytes_and_no_secret() {
    for name in INVENTORIES {
        let a = tree(name);
        let b = tree(name);
        assert_eq!(a.files, b.files, "{name}");
        for (path, text) in a.files.iter().filter(|(p, _)| p.ends_with("config.yaml")) {
            for line in text.lines().filter(|l| l.starts_with("token:")) {
                assert!(line.contains("<K3S_TOKEN>"), "{name} {path}: {line}");
            }
        }
    }
}

#[test]
fn the_inventory_label_wins_over_a_computed_one() {
    let c = cluster_from("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - {name: a, arch: amd64}\n    - {name: nas, arch: arm64, roles: [storage], labels: {homeport.dev/storage: nas}}\n");
    let tree = tree_of(&c, None);
    let labels = tree.strings("nas", "node-label");
    let storage: Vec<&String> = labels
        .iter()
        .filter(|l| l.starts_with("homeport.dev/storage="))
        .collect();
    assert_eq!(
        storage,
        ["homeport.dev/storage=nas"],
        "one value per key: {labels:?}"
    );
}
