//! The inventory's claims about its control plane, storage and datastore are checked, each
//! mistake reported at its line; which node is the server, and what pods get of each node.

use homeport_diag::SourceMap;
use homeport_plan::cluster::{reservation, Cluster, Datastore};

const GI: u64 = 1 << 30;
const MI: u64 = 1 << 20;

/// Every diagnostic as (code, line, message).
fn diagnostics(text: &str) -> Vec<(String, usize, String)> {
    let mut sources = SourceMap::new();
    match Cluster::from_str("cluster.yaml", text, &mut sources) {
        Ok(c) => panic!("expected diagnostics, got {c:#?}"),
        Err(diags) => diags
            .iter()
            .map(|d| {
                let line = d
                    .span
                    .and_then(|s| sources.describe(s))
                    .map_or(0, |(_, loc)| loc.line);
                (d.code.to_string(), line, d.message.clone())
            })
            .collect(),
    }
}

fn load(text: &str) -> Cluster {
    let mut sources = SourceMap::new();
    Cluster::from_str("cluster.yaml", text, &mut sources)
        .unwrap_or_else(|d| panic!("unexpected diagnostics: {d:?}"))
}

fn cluster(spec_extra: &str, nodes: &str) -> String {
    format!(
        "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n{spec_extra}  nodes:\n{nodes}"
    )
}

#[test]
fn gpu_without_vendor_is_reported_at_the_gpu() {
    let text = cluster(
        "",
        "    - name: rig\n      arch: amd64\n      gpus:\n        - model: RTX 3090\n          count: 1\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0303", 8));
    assert!(d[0].2.contains("vendor"), "{d:?}");
}

#[test]
fn storage_on_an_unknown_node_is_reported_at_its_node_key() {
    let text = cluster(
        "  storage:\n    - name: hdd\n      provisioner: static-local\n      node: lepotatoe\n      path: /mnt/hdd\n",
        "    - name: lepotato\n      arch: arm64\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0307", 7));
}

#[test]
fn an_opportunistic_control_plane_is_refused() {
    let text = cluster(
        "",
        "    - name: nuc\n      arch: amd64\n    - name: gaming-pc\n      arch: amd64\n      availability: opportunistic\n      roles: [control-plane]\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0330", 9));
    assert!(d[0].2.contains("gaming-pc"));
}

#[test]
fn a_storage_only_control_plane_is_refused() {
    let text = cluster(
        "",
        "    - name: nas\n      arch: amd64\n      roles: [control-plane, storage]\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0330", 7));
    assert!(d[0].2.contains("storage-only"));
}

#[test]
fn a_cluster_with_no_possible_server_is_refused() {
    let text = cluster(
        "",
        "    - name: gaming-pc\n      arch: amd64\n      availability: opportunistic\n    - name: nas\n      arch: amd64\n      roles: [storage]\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0330", 4));
}

const TWO_SERVERS: &str = "    - name: a\n      arch: amd64\n      roles: [control-plane]\n    - name: b\n      arch: amd64\n      roles: [control-plane]\n";
const THREE_SERVERS: &str = "    - name: a\n      arch: amd64\n      roles: [control-plane]\n    - name: b\n      arch: amd64\n      roles: [control-plane]\n    - name: c\n      arch: amd64\n      roles: [control-plane]\n";

#[test]
fn two_servers_need_an_ha_datastore() {
    let d = diagnostics(&cluster("", TWO_SERVERS));
    assert_eq!(d.len(), 1, "{d:?}");
    // At the second server's roles: the one that makes it "more than one".
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0331", 10));

    let d = diagnostics(&cluster("  datastore: etcd\n", TWO_SERVERS));
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0331", 4), "{d:?}");
    assert!(d[0].2.contains("even"));

    assert_eq!(
        load(&cluster("  datastore: etcd\n", THREE_SERVERS)).datastore,
        Datastore::Etcd
    );
    let external = load(&cluster("  datastore: external\n", TWO_SERVERS));
    assert_eq!(external.datastore, Datastore::External);
    assert_eq!(external.servers().len(), 2);
}

#[test]
fn a_node_too_small_for_the_server_is_refused() {
    // Declared control plane on a 1 GiB board.
    let d = diagnostics(&cluster(
        "",
        "    - name: pi\n      arch: arm64\n      memory: 1Gi\n      roles: [control-plane]\n    - name: nuc\n      arch: amd64\n      memory: 16Gi\n",
    ));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0332", 7));
    // The only node, so the server by necessity.
    let d = diagnostics(&cluster(
        "",
        "    - name: pi\n      arch: arm64\n      memory: 1Gi\n",
    ));
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0332", 7), "{d:?}");
    // A 2 GB board alone is the server: k3s' minimum, accepted.
    let board = load(&cluster(
        "",
        "    - name: pi\n      arch: arm64\n      memory: 2G\n",
    ));
    assert_eq!(board.servers()[0].name, "pi");
}

#[test]
fn node_local_storage_on_a_storage_only_node_is_refused() {
    let text = cluster(
        "  storage:\n    - name: hdd\n      provisioner: static-local\n      node: nas\n      path: /mnt/hdd\n",
        "    - name: nuc\n      arch: amd64\n    - name: nas\n      arch: amd64\n      roles: [storage]\n",
    );
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0333", 7));
}

#[test]
fn the_server_is_declared_or_the_biggest_always_on_node() {
    let c = load(&cluster(
        "",
        "    - name: pi\n      arch: arm64\n      memory: 4Gi\n    - name: gaming-pc\n      arch: amd64\n      memory: 64Gi\n      availability: opportunistic\n    - name: nas\n      arch: amd64\n      memory: 32Gi\n      roles: [storage]\n    - name: nuc\n      arch: amd64\n      memory: 16Gi\n",
    ));
    let servers: Vec<&str> = c.servers().iter().map(|n| n.name.as_str()).collect();
    assert_eq!(servers, ["nuc"]);
    let declared = load(&cluster(
        "",
        "    - name: pi\n      arch: arm64\n      memory: 4Gi\n      roles: [control-plane]\n    - name: nuc\n      arch: amd64\n      memory: 16Gi\n",
    ));
    let servers: Vec<&str> = declared.servers().iter().map(|n| n.name.as_str()).collect();
    assert_eq!(servers, ["pi"]);
}

#[test]
fn allocatable_is_the_machine_less_the_reservations() {
    let c = load(&cluster(
        "",
        "    - name: nuc\n      arch: amd64\n      cpu: 8\n      memory: 64Gi\n    - name: rig\n      arch: amd64\n      cpu: 16\n      memory: 64Gi\n",
    ));
    let (nuc, rig) = (&c.nodes[0], &c.nodes[1]);
    assert!(c.is_server(nuc) && !c.is_server(rig));
    let agent = c.allocatable(rig);
    assert_eq!(agent.memory_bytes, Some(62 * GI));
    assert_eq!(agent.cpu_millis, Some(15_200));
    let server = c.allocatable(nuc);
    assert_eq!(server.memory_bytes, Some(62 * GI - 512 * MI));
    // The same figures bootstrap writes into the kubelet's configuration.
    let r = reservation(nuc.cpu_millis, nuc.memory_bytes, true);
    assert_eq!(
        r.allocatable(nuc.cpu_millis, nuc.memory_bytes),
        c.allocatable(nuc)
    );
}

#[test]
fn monitoring_defaults_follow_the_release() {
    let c = load(&cluster(
        "  monitoring:\n    operator: prometheus-operator\n    release: prom\n",
        "    - name: nuc\n      arch: amd64\n",
    ));
    let m = c.monitoring.expect("monitoring");
    assert_eq!(m.release, "prom");
    assert_eq!(m.prometheus, "http://prom-prometheus.monitoring:9090");
    let d = diagnostics(&cluster(
        "  monitoring:\n    operator: victoria\n",
        "    - name: nuc\n      arch: amd64\n",
    ));
    assert_eq!((d[0].0.as_str(), d[0].1), ("HP0304", 5), "{d:?}");
}
