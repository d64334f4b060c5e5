//! The cluster side of a homeport migration (`homeport bootstrap`): from the cluster
//! inventory, and the plan when there is a Compose project, the files that set up k3s so the
//! rendered objects find what they assume.
//!
//! * `nodes/<node>/config.yaml`: `/etc/rancher/k3s/config.yaml` of each node (server or
//!   agent, labels, taints, kubelet reservations; join values as placeholders);
//! * `nodes/<node>/preflight.sh`: checks to run on the node before installing k3s;
//! * `addons/*.yaml`: k3s auto-deploy manifests (HelmCharts with pinned chart versions, the
//!   Intel GPU plugin DaemonSet) for the add-ons the inventory and the plan need;
//! * `after-addons/*.yaml`: custom resources of those add-ons (the ClusterIssuer);
//! * `README.md`: the ordered steps, each a command to copy.
//!
//! Pure: inventory and plan in, files out ([`homeport_write::write_tree`] writes them).

// Errors are diagnostics on a cold path; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod addons;
pub mod charts;
pub mod codes;
pub mod labels;
pub mod node_config;
pub mod preflight;
pub mod readme;

use addons::AddonFile;
use homeport_diag::Diagnostic;
use homeport_plan::cluster::{format_memory_bytes, Cluster, Distribution};
use homeport_plan::Plan;
use homeport_write::OutputFile;
use node_config::Role;
use readme::NodeSummary;

/// Below this much memory a server is "small": it works, with little left for pods.
const SMALL_SERVER_BYTES: u64 = 4 << 30;

/// The files of a bootstrap tree and the warnings met making them.
#[derive(Debug)]
pub struct Bootstrap {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Diagnostic>,
}

fn text_file(path: impl Into<String>, contents: String) -> OutputFile {
    OutputFile {
        path: path.into(),
        contents: contents.into_bytes(),
        secret: false,
    }
}

/// The YAML of an add-on file.
fn addon_yaml(file: &AddonFile) -> String {
    let mut out = String::from(if file.path.starts_with("addons/") {
        "# Written by `homeport bootstrap`; see README.md. k3s applies this file from\n# /var/lib/rancher/k3s/server/manifests/.\n"
    } else {
        "# Written by `homeport bootstrap`; see README.md. Apply it with kubectl once the\n# add-ons run (it holds their custom resources).\n"
    });
    out.push_str(&homeport_yaml::emit_documents(&file.objects));
    out
}

/// Advice for a server on a small node.
fn small_server_warning(
    cluster: &Cluster,
    warnings: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) {
    for server in cluster.servers() {
        let Some(memory) = server.memory_bytes else {
            continue;
        };
        if memory >= SMALL_SERVER_BYTES {
            continue;
        }
        let bigger: Vec<&str> = cluster
            .nodes
            .iter()
            .filter(|n| n.can_serve() && n.memory_bytes.unwrap_or(0) > memory)
            .map(|n| n.name.as_str())
            .collect();
        let left = cluster
            .allocatable(server)
            .memory_bytes
            .map_or("?".to_string(), format_memory_bytes);
        let help = if bigger.is_empty() {
            format!("it works (k3s needs 2 GB for a server) and the kubelet keeps the node alive by evicting pods first; when a bigger always-on node joins, make it the control plane and re-join `{}` as an agent (`roles` in cluster.yaml)", server.name)
        } else {
            format!("make `{}` the control plane (`roles: [control-plane]` in cluster.yaml) and keep `{}` an agent: an agent needs 512 MB, a server 2 GB", bigger[0], server.name)
        };
        notes.push(format!(
            "`{}` runs the k3s server on {}: {left} is left for pods. {help}.",
            server.name,
            format_memory_bytes(memory)
        ));
        warnings.push(
            Diagnostic::warning(
                codes::SMALL_SERVER,
                format!(
                    "node `{}` runs the k3s server with {} of memory ({left} left for pods)",
                    server.name,
                    format_memory_bytes(memory)
                ),
            )
            .with_help(help),
        );
    }
}

/// The bootstrap tree for `cluster`; `plan` (of the Compose project, when there is one) adds
/// the add-ons its objects need; `extra` are further add-on files (the gaming guard's, when
/// the caller has them). Errors when there is nothing to bootstrap from.
pub fn bootstrap(
    cluster: &Cluster,
    plan: Option<&Plan>,
    extra: Vec<AddonFile>,
) -> Result<Bootstrap, Diagnostic> {
    if cluster.is_default {
        return Err(Diagnostic::error(
            codes::NO_INVENTORY,
            "bootstrap needs a cluster inventory: the built-in single-node cluster declares nothing to configure",
        )
        .with_help("pass --cluster cluster.yaml (see the cluster.yaml example in the README), or put cluster.yaml next to the compose file"));
    }
    if cluster.distribution != Distribution::K3s {
        return Err(Diagnostic::error(
            codes::NO_INVENTORY,
            "bootstrap writes k3s configuration, but the inventory says `distribution: kubernetes`",
        )
        .with_help("use `distribution: k3s`, or set up the nodes and add-ons of another distribution yourself (`homeport plan` lists the add-ons the stack needs)"));
    }
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    small_server_warning(cluster, &mut warnings, &mut notes);

    let mut files = Vec::new();
    let mut summaries = Vec::new();
    for node in &cluster.nodes {
        let role = Role::of(cluster, node);
        let (node_labels, kubectl_labels) = labels::node_labels(node, &mut warnings);
        files.push(text_file(
            format!("nodes/{}/config.yaml", node.name),
            node_config::config_yaml(cluster, node, &node_labels),
        ));
        files.push(text_file(
            format!("nodes/{}/preflight.sh", node.name),
            preflight::script(cluster, node, role),
        ));
        summaries.push(NodeSummary {
            node,
            role,
            taints: labels::node_taints(node),
            labels: node_labels,
            kubectl_labels,
        });
    }

    let needs = plan.map(|p| p.addons.as_slice()).unwrap_or_default();
    let mut addons = addons::addons(cluster, needs, &mut warnings);
    addons.auto_deploy.extend(extra);
    for f in addons.auto_deploy.iter().chain(addons.after.iter()) {
        files.push(text_file(f.path.clone(), addon_yaml(f)));
    }
    files.push(text_file(
        "README.md",
        readme::readme(
            cluster,
            plan.map(|p| p.project.as_str()),
            &summaries,
            &addons,
            &notes,
        ),
    ));
    // Sharing is looked at per node and per add-on: say each warning once.
    let mut seen = std::collections::BTreeSet::new();
    warnings.retain(|w| seen.insert(w.message.clone()));
    Ok(Bootstrap { files, warnings })
}
