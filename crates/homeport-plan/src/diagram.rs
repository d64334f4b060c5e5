//! A picture of the plan (`homeport plan --format mermaid|dot`, and the Mermaid block in the
//! README that `convert` writes): cluster nodes with the pods placed on them (GPU,
//! opportunistic and storage nodes marked), each pod's namespace and workload, the exposed
//! hosts and LoadBalancer ports, and the network paths the NetworkPolicies allow.
//!
//! [`Picture`] is built once from the plan; the two printers only spell it.

use crate::cluster::{Availability, NodeDef};
use crate::plan::{Plan, PodPlan, PortPlan};
use std::collections::BTreeSet;
use std::fmt::Write;

/// What the diagram shows, independent of the drawing language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Cluster nodes, in inventory order, each with the pods placed on it.
    pub nodes: Vec<NodeBox>,
    /// Pods the plan does not place on a declared node (the built-in inventory, or no capacity).
    pub unplaced: Vec<PodBox>,
    /// Entry points from outside: Ingress hosts and LoadBalancer ports.
    pub entries: Vec<Entry>,
    /// Allowed pod-to-pod paths (from the NetworkPolicies' egress rules).
    pub paths: Vec<PathEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBox {
    pub id: String,
    pub title: String,
    pub pods: Vec<PodBox>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodBox {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub pod_id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PathEdge {
    pub from: String,
    pub to: String,
    pub label: String,
}

impl Plan {
    /// The plan as a [`Picture`].
    pub fn picture(&self) -> Picture {
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut nodes = Vec::new();
        if !self.cluster.is_default {
            for node in &self.cluster.nodes {
                let pods: Vec<PodBox> = self
                    .pods
                    .iter()
                    .filter(|p| p.placement.nodes.iter().any(|n| n == &node.name))
                    .map(|p| {
                        placed.insert(p.name.as_str());
                        pod_box(p, &node.name)
                    })
                    .collect();
                nodes.push(NodeBox {
                    id: format!("node_{}", ident(&node.name)),
                    title: node_title(node),
                    pods,
                });
            }
        }
        // A pod that may run on several nodes is drawn on each; the rest float.
        let unplaced = self
            .pods
            .iter()
            .filter(|p| !placed.contains(p.name.as_str()))
            .map(|p| pod_box(p, ""))
            .collect();

        let mut entries = Vec::new();
        for pod in &self.pods {
            for route in &pod.ingresses {
                let scheme = if route.tls { "https" } else { "http" };
                let path = if route.path == "/" { "" } else { &route.path };
                entries.push(Entry {
                    id: format!("in_{}", ident(&format!("{}{}", route.host, route.path))),
                    title: format!("{scheme}://{}{path}", route.host),
                    pod_id: pod_anchor(self, pod),
                    label: format!("Ingress :{}", route.port),
                });
            }
            for port in &pod.load_balancer {
                entries.push(Entry {
                    id: format!("lb_{}_{}", ident(&pod.name), port.port),
                    title: format!("LoadBalancer :{}", port.port),
                    pod_id: pod_anchor(self, pod),
                    label: port_label(port),
                });
            }
        }

        let mut paths: Vec<PathEdge> = Vec::new();
        for pod in &self.pods {
            for (namespace, name, ports) in &pod.network.to_pods {
                let Some(target) = self
                    .pods
                    .iter()
                    .find(|p| &p.namespace == namespace && &p.name == name)
                else {
                    continue;
                };
                let label = ports.iter().map(port_label).collect::<Vec<_>>().join(", ");
                paths.push(PathEdge {
                    from: pod_anchor(self, pod),
                    to: pod_anchor(self, target),
                    label,
                });
            }
        }
        paths.sort();
        paths.dedup();
        Picture {
            nodes,
            unplaced,
            entries,
            paths,
        }
    }

    /// A Mermaid `flowchart` of the [`Picture`].
    pub fn to_mermaid(&self) -> String {
        let picture = self.picture();
        let mut out = String::from("flowchart LR\n");
        for node in &picture.nodes {
            let _ = writeln!(
                out,
                "  subgraph {}[\"{}\"]",
                node.id,
                mermaid_text(&node.title)
            );
            for pod in &node.pods {
                let _ = writeln!(out, "    {}[\"{}\"]", pod.id, mermaid_text(&pod.title));
            }
            if node.pods.is_empty() {
                let _ = writeln!(out, "    {}_empty[\"no pods\"]", node.id);
            }
            out.push_str("  end\n");
        }
        for pod in &picture.unplaced {
            let _ = writeln!(out, "  {}[\"{}\"]", pod.id, mermaid_text(&pod.title));
        }
        for entry in &picture.entries {
            let _ = writeln!(
                out,
                "  {}([\"{}\"]) -->|\"{}\"| {}",
                entry.id,
                mermaid_text(&entry.title),
                mermaid_text(&entry.label),
                entry.pod_id
            );
        }
        for path in &picture.paths {
            let _ = writeln!(
                out,
                "  {} -.->|\"{}\"| {}",
                path.from,
                mermaid_text(&path.label),
                path.to
            );
        }
        out
    }

    /// A Graphviz `digraph` of the [`Picture`].
    pub fn to_dot(&self) -> String {
        let picture = self.picture();
        let mut out = String::from("digraph homeport {\n  rankdir=LR;\n  node [shape=box];\n");
        for node in &picture.nodes {
            let _ = writeln!(out, "  subgraph cluster_{} {{", node.id);
            let _ = writeln!(out, "    label={};", dot_text(&node.title));
            for pod in &node.pods {
                let _ = writeln!(out, "    {} [label={}];", pod.id, dot_text(&pod.title));
            }
            if node.pods.is_empty() {
                let _ = writeln!(
                    out,
                    "    {}_empty [label=\"no pods\", style=dotted];",
                    node.id
                );
            }
            out.push_str("  }\n");
        }
        for pod in &picture.unplaced {
            let _ = writeln!(out, "  {} [label={}];", pod.id, dot_text(&pod.title));
        }
        for entry in &picture.entries {
            let _ = writeln!(
                out,
                "  {} [label={}, shape=ellipse];",
                entry.id,
                dot_text(&entry.title)
            );
            let _ = writeln!(
                out,
                "  {} -> {} [label={}];",
                entry.id,
                entry.pod_id,
                dot_text(&entry.label)
            );
        }
        for path in &picture.paths {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, style=dashed];",
                path.from,
                path.to,
                dot_text(&path.label)
            );
        }
        out.push_str("}\n");
        out
    }
}

fn node_title(node: &NodeDef) -> String {
    let mut marks = vec![node.arch.as_str().to_string()];
    for gpu in &node.gpus {
        let model = gpu.model.as_deref().unwrap_or("GPU");
        let vendor = format!("{:?}", gpu.vendor).to_lowercase();
        let mut mark = format!("GPU {vendor} {model}");
        if gpu.count > 1 {
            let _ = write!(mark, " x{}", gpu.count);
        }
        if gpu.shared > 1 {
            let _ = write!(mark, " (shared by {})", gpu.shared);
        }
        marks.push(mark);
    }
    if node.availability == Availability::Opportunistic {
        marks.push("opportunistic".into());
    }
    for role in &node.roles {
        marks.push(role.clone());
    }
    format!("{} ({})", node.name, marks.join(", "))
}

fn pod_box(pod: &PodPlan, node: &str) -> PodBox {
    let mut title = format!(
        "{}\n{} · {}",
        pod.name,
        pod.namespace,
        pod.workload.as_str()
    );
    if pod.containers.iter().any(|c| c.resources.gpu.is_some()) {
        title.push_str(" · GPU");
    }
    if pod.placement.preemptible {
        title.push_str(" · preemptible");
    }
    let id = if node.is_empty() {
        format!("pod_{}_{}", ident(&pod.namespace), ident(&pod.name))
    } else {
        format!(
            "pod_{}_{}_on_{}",
            ident(&pod.namespace),
            ident(&pod.name),
            ident(node)
        )
    };
    PodBox { id, title }
}

/// The box an edge to `pod` points at: its first placement, else its floating box.
fn pod_anchor(plan: &Plan, pod: &PodPlan) -> String {
    let node = if plan.cluster.is_default {
        None
    } else {
        plan.cluster
            .nodes
            .iter()
            .find(|n| pod.placement.nodes.iter().any(|p| p == &n.name))
    };
    pod_box(pod, node.map(|n| n.name.as_str()).unwrap_or("")).id
}

fn port_label(port: &PortPlan) -> String {
    if port.protocol.eq_ignore_ascii_case("TCP") {
        format!(":{}", port.port)
    } else {
        format!(":{}/{}", port.port, port.protocol.to_ascii_lowercase())
    }
}

/// An identifier both languages accept: ASCII letters, digits and `_`.
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Text inside a Mermaid `"..."` label: quotes as entities, newlines as `<br/>`.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>")
}

/// A DOT quoted string.
fn dot_text(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_labels_are_escaped() {
        assert_eq!(ident("my-app.v2"), "my_app_v2");
        assert_eq!(
            mermaid_text("a \"b\"\nc<d>"),
            "a #quot;b#quot;<br/>c#lt;d#gt;"
        );
        assert_eq!(dot_text("a \"b\"\nc\\"), "\"a \\\"b\\\"\\nc\\\\\"");
    }
}
