//! The cluster inventory loader: the contract's example loads, and every kind of mistake gets
//! a diagnostic pointing at the line (snapshots of exactly what users see).

use homeport_diag::{render_human, ColorChoice, SourceMap};
use homeport_plan::cluster::{
    Arch, Availability, Cluster, Distribution, GpuVendor, Provisioner, TlsMode,
};

fn errors(text: &str) -> String {
    let mut sources = SourceMap::new();
    match Cluster::from_str("cluster.yaml", text, &mut sources) {
        Ok(c) => panic!("expected diagnostics, got {c:#?}"),
        Err(diags) => diags
            .iter()
            .map(|d| render_human(d, &sources, ColorChoice::Never))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn load(text: &str) -> Cluster {
    let mut sources = SourceMap::new();
    match Cluster::from_str("cluster.yaml", text, &mut sources) {
        Ok(c) => c,
        Err(diags) => panic!(
            "{}",
            diags
                .iter()
                .map(|d| render_human(d, &sources, ColorChoice::Never))
                .collect::<String>()
        ),
    }
}

const CONTRACT_EXAMPLE: &str = r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata:
  name: home
spec:
  kubernetesVersion: "1.33"
  distribution: k3s
  domain: home.arpa
  ingress:
    className: traefik
    tls: cert-manager
    issuer: letsencrypt
  storage:
    - name: local-path
      provisioner: local-path
      default: true
    - name: nfs
      provisioner: nfs
      server: nas.home.arpa
      path: /export/k8s
    - name: media
      provisioner: static-nfs
      server: nas.home.arpa
      path: /export/media
      capacity: 4Ti
      hostPaths: [/mnt/media]
    - name: hdd
      provisioner: static-local
      node: lepotato
      path: /mnt/hdd
      hostPaths: [/mnt/hdd]
  nodes:
    - name: rog-strix
      arch: amd64
      cpu: 16
      memory: 64Gi
      availability: always-on
      roles: [control-plane]
      labels: {}
      gpus:
        - vendor: nvidia
          model: RTX 2070 SUPER
          memory: 8Gi
          count: 1
          shared: 1
    - name: aorus
      arch: amd64
      cpu: 24
      memory: 32Gi
      availability: opportunistic
      gpus:
        - vendor: nvidia
          model: RTX 5070 Ti
          memory: 16Gi
      gaming:
        processes: [steam, gamescope]
        schedule: ["Mon-Fri 18:00-23:30", "Sat-Sun 10:00-02:00"]
        hold: 2m
    - name: lepotato
      arch: arm64
      cpu: 500m
      memory: 2Gi
      labels: {disk: hdd}
"#;

#[test]
fn contract_example_loads() {
    let c = load(CONTRACT_EXAMPLE);
    assert_eq!(c.name, "home");
    assert_eq!(c.kubernetes_version, "1.33");
    assert_eq!(c.distribution, Distribution::K3s);
    assert!(!c.is_default);
    assert_eq!(c.ingress.class_name, "traefik");
    assert_eq!(c.ingress.tls, TlsMode::CertManager);
    assert_eq!(c.ingress.issuer.as_deref(), Some("letsencrypt"));
    assert_eq!(c.storage.len(), 4);
    assert_eq!(
        c.default_storage_class().map(|s| s.name.as_str()),
        Some("local-path")
    );
    let media = c.storage_class("media").unwrap();
    assert_eq!(media.provisioner, Provisioner::StaticNfs);
    assert_eq!(media.host_paths, vec!["/mnt/media"]);
    assert_eq!(media.capacity.as_deref(), Some("4Ti"));
    assert!(media.is_shared() && media.is_static());
    assert_eq!(
        c.storage_class("hdd").unwrap().node.as_deref(),
        Some("lepotato")
    );

    let rog = c.node("rog-strix").unwrap();
    assert_eq!(rog.cpu_millis, Some(16_000));
    assert_eq!(rog.memory_bytes, Some(64 << 30));
    assert_eq!(rog.roles, vec!["control-plane"]);
    assert_eq!(rog.gpus[0].vendor, GpuVendor::Nvidia);
    assert_eq!(rog.gpus[0].model.as_deref(), Some("RTX 2070 SUPER"));
    assert_eq!(rog.gpus[0].memory_bytes, Some(8 << 30));
    assert_eq!(rog.gpu_slots(GpuVendor::Nvidia), 1);
    let aorus = c.node("aorus").unwrap();
    assert_eq!(aorus.availability, Availability::Opportunistic);
    assert_eq!(aorus.gaming_processes, vec!["steam", "gamescope"]);
    assert_eq!(
        aorus.gaming_schedule,
        vec!["Mon-Fri 18:00-23:30", "Sat-Sun 10:00-02:00"]
    );
    assert_eq!(aorus.gaming_hold.as_deref(), Some("2m"));
    assert_eq!((aorus.gpus[0].count, aorus.gpus[0].shared), (1, 1));
    let pi = c.node("lepotato").unwrap();
    assert_eq!(pi.arch, Arch::Arm64);
    assert_eq!(pi.cpu_millis, Some(500));
    assert_eq!(pi.labels.get("disk").map(String::as_str), Some("hdd"));
}

#[test]
fn minimal_inventory_gets_defaults() {
    let c = load(
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - name: pi\n      arch: arm64\n",
    );
    assert_eq!(c.kubernetes_version, "1.33");
    assert_eq!(c.domain, "home.arpa");
    assert_eq!(c.ingress.class_name, "traefik");
    assert_eq!(c.storage.len(), 1);
    assert_eq!(c.storage[0].name, "local-path");
    assert!(c.storage[0].default);
    assert_eq!(c.nodes[0].availability, Availability::AlwaysOn);
}

#[test]
fn a_lone_dynamic_class_becomes_the_default() {
    let c = load(
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  storage:\n    - {name: media, provisioner: static-nfs, server: nas, path: /export/media, hostPaths: [/mnt/media]}\n    - {name: longhorn, provisioner: driver.longhorn.io}\n  nodes:\n    - {name: a, arch: amd64}\n",
    );
    assert_eq!(
        c.default_storage_class().map(|s| s.name.as_str()),
        Some("longhorn")
    );
    assert_eq!(
        c.storage_class("longhorn").unwrap().provisioner,
        Provisioner::Other("driver.longhorn.io".into())
    );
}

#[test]
fn builtin_default_is_single_k3s_node_without_capacity() {
    let c = Cluster::default_k3s();
    assert!(c.is_default);
    assert_eq!(c.nodes.len(), 1);
    assert_eq!(c.nodes[0].cpu_millis, None);
    assert_eq!(
        c.default_storage_class().map(|s| s.name.as_str()),
        Some("local-path")
    );
    assert_eq!(
        (c.domain.as_str(), c.ingress.class_name.as_str()),
        ("home.arpa", "traefik")
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    insta::assert_snapshot!(errors(
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  nodes:\n    - name: rog\n      arch: amd64\n      memroy: 64Gi\n      gpu: []\n"
    ), @r"
    error[HP0301]: unknown key `memroy` in a node
     --> cluster.yaml:7:7
      |
    7 |       memroy: 64Gi
      |       ^^^^^^ not a cluster inventory key
      |
      = help: did you mean `memory`?

    error[HP0301]: unknown key `gpu` in a node
     --> cluster.yaml:8:7
      |
    8 |       gpu: []
      |       ^^^ not a cluster inventory key
      |
      = help: did you mean `gpus`?
    ");
}

#[test]
fn bad_values_and_quantities() {
    insta::assert_snapshot!(errors(
        r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
spec:
  nodes:
    - name: pi
      arch: aarch64
      cpu: four
      memory: 2GB
      availability: sometimes
      gpus:
        - vendor: nvidea
          count: 0
"#
    ));
}

#[test]
fn wrong_types() {
    insta::assert_snapshot!(errors(
        r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
spec:
  storage: local-path
  nodes:
    - name: [a, b]
      arch: amd64
      roles: control-plane
    - just-a-string
"#
    ));
}

#[test]
fn storage_and_node_references() {
    insta::assert_snapshot!(errors(
        r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
spec:
  storage:
    - name: local-path
      provisioner: local-path
      default: true
    - name: nfs
      provisioner: nfs
      default: true
    - name: media
      provisioner: static-nfs
      hostPaths: [/mnt/media]
    - name: hdd
      provisioner: static-local
      path: /mnt/hdd
      hostPaths: [/mnt/media/hdd]
    - name: disk
      provisioner: static-local
      node: lepotaot
      path: /srv
    - name: fast
      provisioner: zfs
  nodes:
    - name: lepotato
      arch: arm64
    - name: lepotato
      arch: arm64
"#
    ));
}

#[test]
fn gaming_hints_need_an_opportunistic_node() {
    insta::assert_snapshot!(errors(
        r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
spec:
  nodes:
    - name: aorus
      arch: amd64
      gaming:
        processes: [steam]
"#
    ), @r"
    error[HP0310]: gaming hints on node `aorus`, which is always-on
     --> cluster.yaml:7:7
      |
    7 |       gaming:
      |       ^^^^^^ only opportunistic nodes are watched by the gaming guard
      |
      = help: add `availability: opportunistic` to this node (someone games on it, so only preemptible work may run there), or remove `gaming`
    ");
}

#[test]
fn not_a_cluster_file() {
    insta::assert_snapshot!(errors(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 1\n"
    ));
    insta::assert_snapshot!(errors(""), @r"
    error[HP0311]: the cluster file is empty
     --> cluster.yaml:1:1
      |
    1 | 
      | ^
      |
      = help: start with `apiVersion: homeport.dev/v1alpha1`, `kind: Cluster` and a `spec:` with `nodes:`
    ");
}

#[test]
fn ingress_tls_needs_issuer() {
    insta::assert_snapshot!(errors(
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  kubernetesVersion: 1.3x\n  ingress: {tls: cert-manager}\n  nodes: [{name: a, arch: amd64}]\n"
    ));
}

#[test]
fn invalid_yaml_is_reported_not_panicked() {
    let out = errors("apiVersion: [\n");
    assert!(out.contains("error[HP0001]"), "{out}");
}

#[test]
fn missing_file_is_a_diagnostic() {
    let mut sources = SourceMap::new();
    let err = Cluster::load(
        std::path::Path::new("/nonexistent/cluster.yaml"),
        &mut sources,
    )
    .unwrap_err();
    assert_eq!(err.0[0].code, "HP0300");
}

/// Damaged inventories (each line deleted, each value replaced by odd scalars or
/// collections) give diagnostics or a cluster, never a panic; errors always have a span.
#[test]
fn damaged_inventories_never_panic() {
    let lines: Vec<&str> = CONTRACT_EXAMPLE.lines().collect();
    let odd = [
        "", "~", "[]", "{}", "-1", "0", "1e999", "\"\"", "[a, [b]]", "{x: 1}", "ü",
    ];
    let mut variants = Vec::new();
    for i in 0..lines.len() {
        let mut v = lines.clone();
        v.remove(i);
        variants.push(v.join("\n"));
        if let Some((key, _)) = lines[i].split_once(": ") {
            for o in odd {
                let mut v = lines.clone();
                let replaced = format!("{key}: {o}");
                v[i] = &replaced;
                variants.push(v.join("\n"));
            }
        }
    }
    for text in &variants {
        let mut sources = SourceMap::new();
        if let Err(diags) = Cluster::from_str("cluster.yaml", text, &mut sources) {
            assert!(!diags.is_empty());
            for d in diags.iter() {
                assert!(d.code.starts_with("HP03") || d.code == "HP0001", "{d:?}");
                assert!(d.span.is_some(), "no span: {d:?}\n{text}");
            }
        }
    }
}
