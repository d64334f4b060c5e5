//! `README.md` of the bootstrap tree: the nodes, the add-ons, and the ordered steps, each a
//! command to copy.

use crate::addons::{AddonFile, Addons, EMAIL_PLACEHOLDER};
use crate::node_config::Role;
use homeport_plan::cluster::{
    format_cpu_millis, format_memory_bytes, Cluster, Datastore, NodeDef, Provisioner,
};
use std::fmt::Write;

/// What the README describes of one node.
pub struct NodeSummary<'a> {
    pub node: &'a NodeDef,
    pub role: Role,
    pub labels: Vec<String>,
    pub taints: Vec<String>,
    /// Labels only `kubectl label` may set.
    pub kubectl_labels: Vec<String>,
}

fn channel(cluster: &Cluster) -> String {
    format!("v{}", cluster.kubernetes_version)
}

fn install(cluster: &Cluster, node: &str, role: Role) -> String {
    format!(
        "ssh -t {node} 'sudo install -D -m 600 homeport-node/config.yaml /etc/rancher/k3s/config.yaml && curl -sfL https://get.k3s.io | INSTALL_K3S_CHANNEL={} sh -s - {}'",
        channel(cluster),
        role.k3s_command()
    )
}

/// `sed` filling the join placeholders of `node`'s config, into the node's copy (0600).
fn fill(node: &str, with_server: bool, datastore: bool) -> String {
    let mut sed = String::from("sed");
    if with_server {
        sed.push_str(" -e \"s|<SERVER_ADDRESS>|$SERVER_ADDRESS|\"");
    }
    sed.push_str(" -e \"s|<K3S_TOKEN>|$K3S_TOKEN|\"");
    if datastore {
        sed.push_str(" -e \"s|<DATASTORE_ENDPOINT>|$DATASTORE_ENDPOINT|\"");
    }
    format!(
        "{sed} nodes/{node}/config.yaml | ssh {node} 'umask 077 && cat > homeport-node/config.yaml'"
    )
}

fn wait_for(out: &mut String, file: &AddonFile) {
    for release in file.helm_releases() {
        let _ = writeln!(
            out,
            "until kubectl -n kube-system get job/helm-install-{release} >/dev/null 2>&1; do sleep 5; done\nkubectl -n kube-system wait --for=condition=complete job/helm-install-{release} --timeout=15m"
        );
    }
    for o in file.objects.iter().filter(|o| o["kind"] == "DaemonSet") {
        let _ = writeln!(
            out,
            "kubectl -n {} rollout status daemonset/{} --timeout=10m",
            o["metadata"]["namespace"].as_str().unwrap_or("kube-system"),
            o["metadata"]["name"].as_str().unwrap_or_default()
        );
    }
}

/// The README's text.
pub fn readme(
    cluster: &Cluster,
    project: Option<&str>,
    nodes: &[NodeSummary],
    addons: &Addons,
    notes: &[String],
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Bootstrap of cluster `{}`\n", cluster.name);
    let _ = writeln!(
        o,
        "Written by `homeport bootstrap` from the cluster inventory{}. Regenerate it rather than editing it.\nNo secret is in these files: the join token{} is filled in on the way to each node (step 2).\n",
        project.map(|p| format!(" and the Compose project `{p}`")).unwrap_or_default(),
        if cluster.datastore == Datastore::External { " and the datastore endpoint" } else { "" }
    );

    o.push_str("## Nodes\n\n| node | k3s | arch | cpu / memory | for pods (allocatable) | taints |\n|---|---|---|---|---|---|\n");
    for n in nodes {
        let a = cluster.allocatable(n.node);
        let total = format!(
            "{} / {}",
            n.node.cpu_millis.map_or("?".into(), format_cpu_millis),
            n.node.memory_bytes.map_or("?".into(), format_memory_bytes)
        );
        let alloc = format!(
            "{} / {}",
            a.cpu_millis.map_or("?".into(), format_cpu_millis),
            a.memory_bytes.map_or("?".into(), format_memory_bytes)
        );
        let _ = writeln!(
            o,
            "| {} | {} | {} | {total} | {alloc} | {} |",
            n.node.name,
            n.role.k3s_command(),
            n.node.arch.as_str(),
            if n.taints.is_empty() {
                "-".to_string()
            } else {
                n.taints.join(", ")
            }
        );
    }
    o.push_str("\nEach node's `nodes/<node>/config.yaml` becomes its `/etc/rancher/k3s/config.yaml`: labels, taints, and kubelet reservations sized to the node (`homeport plan` budgets use the same allocatable figures). `nodes/<node>/preflight.sh` checks the machine first.\n");
    if !notes.is_empty() {
        o.push_str("\n**Notes**\n\n");
        for n in notes {
            let _ = writeln!(o, "* {n}");
        }
    }

    o.push_str("\n## Add-ons\n\n");
    if addons.auto_deploy.is_empty() {
        o.push_str(
            "None needed beyond what k3s ships (Traefik, CoreDNS, local-path, metrics-server).\n",
        );
    }
    for f in addons.auto_deploy.iter().chain(addons.after.iter()) {
        let _ = writeln!(o, "* `{}`: {}", f.path, f.summary);
    }
    o.push_str("* The `nvidia` RuntimeClass comes with k3s (its packaged `runtimes` manifest); k3s configures the matching containerd runtime when it finds the NVIDIA container toolkit at start.\n");

    let servers: Vec<&NodeSummary> = nodes.iter().filter(|n| n.role.is_server()).collect();
    let first = servers.first().map_or("server", |n| n.node.name.as_str());
    let ha = servers.len() > 1;
    let external = cluster.datastore == Datastore::External;

    o.push_str("\n## 1. Preflight, on every node\n\nCopy each node's directory to it and run its checks (the commands use the node names as SSH hosts: adjust them if yours differ). Fix every `FAIL` and run it again.\n\n```sh\n");
    for n in nodes {
        let _ = writeln!(
            o,
            "scp -r nodes/{0} {0}:homeport-node && ssh -t {0} sh homeport-node/preflight.sh",
            n.node.name
        );
    }
    o.push_str("```\n");

    let _ = writeln!(
        o,
        "\n## 2. Install the server{}\n",
        if ha { "s" } else { "" }
    );
    if ha || external {
        o.push_str("Several servers share one token, which you choose:\n\n```sh\nexport K3S_TOKEN=$(openssl rand -hex 32)   # keep it in your password manager, never in git\n");
        if external {
            o.push_str("export DATASTORE_ENDPOINT='postgres://k3s:PASSWORD@db.example:5432/k3s'   # your database (it holds a password)\n");
        }
        let _ = writeln!(o, "{}", fill(first, false, external));
        o.push_str("```\n\n");
    }
    let _ = writeln!(
        o,
        "On `{first}`{}:\n\n```sh\n{}\n```\n",
        if ha { ", the first server" } else { "" },
        install(cluster, first, Role::FirstServer)
    );
    if !ha && !external {
        let _ = writeln!(
            o,
            "Its join token, for the other nodes: `ssh -t {first} sudo cat /var/lib/rancher/k3s/server/token`.\n"
        );
    }

    let joining: Vec<&NodeSummary> = nodes
        .iter()
        .filter(|n| n.role != Role::FirstServer)
        .collect();
    if !joining.is_empty() {
        o.push_str("## 3. Join the other nodes\n\n");
        let _ = writeln!(
            o,
            "Fill in the join values on the way to each node (the config then holds the token: it stays 0600 there), then install:\n\n```sh\nexport SERVER_ADDRESS={first}   # how the nodes reach {first} (a name or an IP)\n{}",
            if ha || external { "# K3S_TOKEN as chosen in step 2\n" } else { "export K3S_TOKEN='<token from step 2>'\n" }
        );
        for n in &joining {
            let _ = writeln!(
                o,
                "{}\n{}",
                fill(&n.node.name, true, external && n.role.is_server()),
                install(cluster, &n.node.name, n.role)
            );
        }
        o.push_str("```\n\n");
    } else {
        o.push_str("## 3. Join the other nodes\n\nThis cluster has one node: nothing to join.\n\n");
    }

    o.push_str("Check the nodes, their labels and taints (run `kubectl` on the server as `sudo k3s kubectl`, or copy its `/etc/rancher/k3s/k3s.yaml` to `~/.kube/config` and set the server address in it):\n\n```sh\nkubectl get nodes -L homeport.dev/availability,homeport.dev/storage,kubernetes.io/arch\nkubectl get nodes -o custom-columns='NAME:.metadata.name,TAINTS:.spec.taints[*].key,CPU:.status.allocatable.cpu,MEMORY:.status.allocatable.memory'   # about the table above (the kubelet counts the memory the kernel reports)\n");
    for n in nodes {
        for l in &n.kubectl_labels {
            let _ = writeln!(o, "kubectl label node {} {l}", n.node.name);
        }
    }
    let default_class = cluster.default_storage_class();
    if default_class.is_some_and(|c| c.provisioner != Provisioner::LocalPath)
        && cluster
            .storage
            .iter()
            .any(|c| c.provisioner == Provisioner::LocalPath)
    {
        o.push_str("# the inventory's default storage class is not local-path: take the default from k3s' class\nkubectl patch storageclass local-path -p '{\"metadata\":{\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"false\"}}}'\n");
    }
    o.push_str("```\n");

    o.push_str("\n## 4. Install the add-ons and wait for them\n\n");
    if addons.auto_deploy.is_empty() {
        o.push_str("Nothing to install.\n");
    } else {
        let _ = writeln!(
            o,
            "k3s installs every manifest in `/var/lib/rancher/k3s/server/manifests/` (and keeps it installed):\n\n```sh\nscp -r addons {first}:homeport-addons\nssh -t {first} 'sudo install -m 600 -t /var/lib/rancher/k3s/server/manifests homeport-addons/*.yaml'\n```\n\nThen wait until each is ready:\n\n```sh"
        );
        for f in &addons.auto_deploy {
            wait_for(&mut o, f);
        }
        let gpu_plugins = addons
            .auto_deploy
            .iter()
            .any(|f| f.path.contains("gpu-plugin") || f.path.contains("device-plugin"));
        if gpu_plugins {
            o.push_str("# GPU slots per node: GPUs x `shared`, as `homeport plan` counts them\nkubectl get nodes -o custom-columns='NAME:.metadata.name,NVIDIA:.status.allocatable.nvidia\\.com/gpu,INTEL:.status.allocatable.gpu\\.intel\\.com/i915'\n");
        }
        o.push_str("```\n");
    }
    if !addons.after.is_empty() {
        o.push_str("\nThen the objects that need the add-ons' custom resources:\n\n```sh\n");
        for f in &addons.after {
            if f.objects
                .iter()
                .any(|ob| ob["spec"]["acme"]["email"] == EMAIL_PLACEHOLDER)
            {
                let _ = writeln!(
                    o,
                    "sed -e 's|{EMAIL_PLACEHOLDER}|you@example.org|' {} | kubectl apply -f -   # your e-mail for Let's Encrypt",
                    f.path
                );
            } else {
                let _ = writeln!(o, "kubectl apply -f {}", f.path);
            }
        }
        if addons
            .after
            .iter()
            .any(|f| f.objects.iter().any(|ob| ob["kind"] == "Certificate"))
        {
            let _ = writeln!(
                o,
                "kubectl -n cert-manager wait --for=condition=Ready certificate/{ca} --timeout=5m\nkubectl -n cert-manager get secret {ca} -o jsonpath='{{.data.ca\\.crt}}' | base64 -d > {ca}.crt   # import into your browsers and devices",
                ca = crate::addons::CA_SECRET
            );
        }
        o.push_str("```\n");
    }

    o.push_str("\n## 5. Apply the converted stack\n\n```sh\n");
    match project {
        Some(_) => o.push_str("homeport convert --out k8s   # beside the compose file, with the same --cluster\nkubectl apply -k k8s\n"),
        None => o.push_str("homeport convert --cluster cluster.yaml --out k8s   # in the Compose project's directory\nkubectl apply -k k8s\n"),
    }
    o.push_str("```\n");
    o
}
