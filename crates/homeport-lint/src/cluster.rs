//! The part of the cluster inventory (`cluster.yaml`, see the contract) that lint needs:
//! nodes with their architecture, labels, roles, GPUs and availability. Lint does not depend
//! on the planner; it reads only this.

use homeport_diag::{Diagnostic, FileId};
use homeport_yaml::Node as YamlNode;
use std::collections::BTreeMap;

/// A cluster node as the scheduler will see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    /// `amd64`, `arm64` or `arm`.
    pub arch: String,
    /// Every label the node carries: the well-known ones k3s sets plus the inventory's.
    pub labels: BTreeMap<String, String>,
    /// GPU vendors (`nvidia`, `intel`, `amd`) with their schedulable device count.
    pub gpus: Vec<(String, i64)>,
    /// `NoSchedule` taints as (key, value).
    pub taints: Vec<(String, String)>,
}

/// The nodes of a `cluster.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    /// `spec.kubernetesVersion`, if set.
    pub kubernetes_version: Option<String>,
}

/// Diagnostic code for a cluster inventory lint cannot use.
pub const INVALID_CLUSTER: &str = "HP0055";

impl Cluster {
    /// Read the nodes from a cluster inventory's text.
    pub fn parse(text: &str, file: FileId) -> Result<Cluster, Vec<Diagnostic>> {
        let Some(doc) = homeport_yaml::parse_one(text, file)? else {
            return Ok(Cluster::default());
        };
        let mut cluster = Cluster::default();
        let mut problems = Vec::new();
        let spec = doc.get("spec");
        cluster.kubernetes_version = spec
            .and_then(|s| s.get("kubernetesVersion"))
            .and_then(YamlNode::as_str)
            .map(str::to_string);
        let Some(nodes) = spec.and_then(|s| s.get("nodes")) else {
            return Ok(cluster);
        };
        let Some(items) = nodes.as_seq() else {
            return Err(vec![Diagnostic::error(
                INVALID_CLUSTER,
                format!(
                    "`spec.nodes` is {}, expected a list of nodes",
                    nodes.type_name()
                ),
            )
            .with_span(nodes.span)
            .with_help("write `nodes:` as a list: `- name: pi4`")]);
        };
        for item in items {
            let Some(name) = item.get("name").and_then(YamlNode::as_str) else {
                problems.push(
                    Diagnostic::error(INVALID_CLUSTER, "a node has no `name`")
                        .with_span(item.span)
                        .with_help("give every node the name it has in Kubernetes"),
                );
                continue;
            };
            cluster.nodes.push(read_node(name, item));
        }
        if problems.is_empty() {
            Ok(cluster)
        } else {
            Err(problems)
        }
    }
}

fn read_node(name: &str, item: &YamlNode) -> Node {
    let arch = item
        .get("arch")
        .and_then(YamlNode::as_str)
        .unwrap_or("amd64")
        .to_string();
    let mut labels = BTreeMap::new();
    let mut label = |k: &str, v: &str| {
        labels.insert(k.to_string(), v.to_string());
    };
    label("kubernetes.io/hostname", name);
    label("kubernetes.io/arch", &arch);
    label("beta.kubernetes.io/arch", &arch);
    label("kubernetes.io/os", "linux");
    label("beta.kubernetes.io/os", "linux");
    for role in item
        .get("roles")
        .and_then(YamlNode::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(YamlNode::as_str)
    {
        // k3s labels server nodes with both role labels, value "true".
        label(&format!("node-role.kubernetes.io/{role}"), "true");
        if role == "control-plane" {
            label("node-role.kubernetes.io/master", "true");
        }
    }
    if let Some(extra) = item.get("labels").and_then(YamlNode::as_map) {
        for (k, v) in extra.iter() {
            if let Some(v) = v.as_str() {
                label(k, v);
            }
        }
    }
    let mut gpus = Vec::new();
    for gpu in item.get("gpus").and_then(YamlNode::as_seq).unwrap_or(&[]) {
        let vendor = gpu
            .get("vendor")
            .and_then(YamlNode::as_str)
            .unwrap_or("")
            .to_string();
        let count = gpu.get("count").and_then(YamlNode::as_i64).unwrap_or(1);
        let shared = gpu.get("shared").and_then(YamlNode::as_i64).unwrap_or(1);
        gpus.push((vendor, count.saturating_mul(shared.max(1))));
    }
    let mut taints = Vec::new();
    if item.get("availability").and_then(YamlNode::as_str) == Some("opportunistic") {
        taints.push(("homeport.dev/opportunistic".to_string(), "true".to_string()));
    }
    Node {
        name: name.to_string(),
        arch,
        labels,
        gpus,
        taints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_with_well_known_labels() {
        let text = "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  kubernetesVersion: \"1.32\"\n  nodes:\n    - name: pi\n      arch: arm64\n      labels: {disk: ssd}\n    - name: pc\n      roles: [control-plane]\n      availability: opportunistic\n      gpus:\n        - vendor: nvidia\n          count: 1\n          shared: 4\n";
        let c = Cluster::parse(text, FileId(0)).unwrap();
        assert_eq!(c.kubernetes_version.as_deref(), Some("1.32"));
        assert_eq!(c.nodes.len(), 2);
        assert_eq!(c.nodes[0].labels["kubernetes.io/arch"], "arm64");
        assert_eq!(c.nodes[0].labels["disk"], "ssd");
        assert_eq!(c.nodes[1].arch, "amd64");
        assert_eq!(
            c.nodes[1].labels["node-role.kubernetes.io/control-plane"],
            "true"
        );
        assert_eq!(c.nodes[1].gpus, vec![("nvidia".to_string(), 4)]);
        assert_eq!(c.nodes[1].taints.len(), 1);
        assert!(Cluster::parse("spec:\n  nodes:\n    - arch: arm64\n", FileId(0)).is_err());
    }
}
