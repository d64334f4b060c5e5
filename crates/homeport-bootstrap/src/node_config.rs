//! `nodes/<node>/config.yaml`: the content of `/etc/rancher/k3s/config.yaml` on one node.
//!
//! Join values are placeholders the user fills in (README step 2): `<SERVER_ADDRESS>` (the
//! first server's address) and `<K3S_TOKEN>` (its `/var/lib/rancher/k3s/server/token`, or
//! one the user generates for several servers); with `datastore: external` also
//! `<DATASTORE_ENDPOINT>` (it holds the database password). No secret is ever written.

use crate::labels;
use homeport_plan::cluster::{
    format_cpu_millis, format_memory_bytes, Cluster, Datastore, NodeDef, Provisioner,
};
use serde_json::{json, Map, Value};

pub const SERVER_PLACEHOLDER: &str = "https://<SERVER_ADDRESS>:6443";
pub const TOKEN_PLACEHOLDER: &str = "<K3S_TOKEN>";
pub const DATASTORE_PLACEHOLDER: &str = "<DATASTORE_ENDPOINT>";

/// What a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The first (or only) k3s server: installed first, initialises the datastore.
    FirstServer,
    /// Another server joining the first (HA).
    JoiningServer,
    Agent,
}

impl Role {
    pub fn of(cluster: &Cluster, node: &NodeDef) -> Role {
        let servers = cluster.servers();
        match servers.iter().position(|s| s.name == node.name) {
            Some(0) => Role::FirstServer,
            Some(_) => Role::JoiningServer,
            None => Role::Agent,
        }
    }

    pub fn is_server(self) -> bool {
        self != Role::Agent
    }

    /// The k3s subcommand.
    pub fn k3s_command(self) -> &'static str {
        if self.is_server() {
            "server"
        } else {
            "agent"
        }
    }
}

/// The kubelet arguments that size the node (see `homeport_plan::cluster::reservation`).
pub fn kubelet_args(cluster: &Cluster, node: &NodeDef) -> Vec<String> {
    let r = cluster.reservation(node);
    vec![
        format!(
            "system-reserved=cpu={},memory={}",
            format_cpu_millis(r.system_cpu_millis),
            format_memory_bytes(r.system_memory_bytes)
        ),
        format!(
            "kube-reserved=cpu={},memory={}",
            format_cpu_millis(r.kube_cpu_millis),
            format_memory_bytes(r.kube_memory_bytes)
        ),
        // Setting eviction-hard replaces the kubelet's whole default map: keep its disk
        // thresholds.
        format!(
            "eviction-hard=memory.available<{},nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%",
            format_memory_bytes(r.eviction_memory_bytes)
        ),
    ]
}

/// Packaged k3s components the inventory replaces (the same list on every server).
pub fn disabled_components(cluster: &Cluster) -> Vec<&'static str> {
    let mut disable = Vec::new();
    if cluster.ingress.class_name != "traefik" {
        disable.push("traefik");
    }
    if !cluster
        .storage
        .iter()
        .any(|s| s.provisioner == Provisioner::LocalPath)
    {
        disable.push("local-storage");
    }
    disable
}

/// The config file's text; `labels`/`taints` as computed by [`crate::labels`].
pub fn config_yaml(cluster: &Cluster, node: &NodeDef, node_labels: &[String]) -> String {
    let role = Role::of(cluster, node);
    let ha = cluster.servers().len() > 1;
    let mut m = Map::new();
    m.insert("node-name".into(), json!(node.name));
    match role {
        Role::FirstServer => {
            if ha {
                m.insert("token".into(), json!(TOKEN_PLACEHOLDER));
            }
            if cluster.datastore == Datastore::Etcd {
                m.insert("cluster-init".into(), json!(true));
            }
        }
        Role::JoiningServer | Role::Agent => {
            m.insert("server".into(), json!(SERVER_PLACEHOLDER));
            m.insert("token".into(), json!(TOKEN_PLACEHOLDER));
        }
    }
    if role.is_server() {
        if cluster.datastore == Datastore::External {
            m.insert("datastore-endpoint".into(), json!(DATASTORE_PLACEHOLDER));
        }
        m.insert("write-kubeconfig-mode".into(), json!("0600"));
        let disable = disabled_components(cluster);
        if !disable.is_empty() {
            m.insert("disable".into(), json!(disable));
        }
    }
    m.insert("node-label".into(), json!(node_labels));
    let taints = labels::node_taints(node);
    if !taints.is_empty() {
        m.insert("node-taint".into(), json!(taints));
    }
    m.insert("kubelet-arg".into(), json!(kubelet_args(cluster, node)));

    let mut out = format!(
        "# /etc/rancher/k3s/config.yaml of node {} (k3s {}), written by `homeport bootstrap`.\n",
        node.name,
        role.k3s_command()
    );
    let mut fill = Vec::new();
    if m.contains_key("server") {
        fill.push("<SERVER_ADDRESS>");
    }
    if m.contains_key("token") {
        fill.push("<K3S_TOKEN>");
    }
    if m.contains_key("datastore-endpoint") {
        fill.push("<DATASTORE_ENDPOINT>");
    }
    if !fill.is_empty() {
        out.push_str(&format!(
            "# Fill in {} before installing (README.md, step 2); this file then holds a secret: keep it 0600.\n",
            fill.join(", ")
        ));
    }
    out.push_str("# node-label and node-taint apply when the node first registers; change them later with kubectl.\n");
    out.push_str(&homeport_yaml::emit(&Value::Object(m)));
    out
}
