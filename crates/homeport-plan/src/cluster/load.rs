//! Reading `cluster.yaml` into a [`Cluster`], collecting every problem as a diagnostic.

use super::codes;
use super::quantity::{parse_cpu_millis, parse_memory_bytes};
use super::suggest::did_you_mean;
use super::{
    Arch, Availability, Cluster, Datastore, Distribution, GpuDef, GpuVendor, IngressConfig,
    IngressController, MonitoringConfig, NodeDef, Provisioner, StorageClassDef, TlsMode,
    SERVER_MIN_MEMORY_BYTES,
};
use homeport_diag::{Diagnostic, Diagnostics, FileId, Span};
use homeport_yaml::{Map, Node};
use indexmap::IndexMap;
use std::collections::BTreeMap;

pub const DEFAULT_KUBERNETES_VERSION: &str = "1.33";
pub const DEFAULT_DOMAIN: &str = "home.arpa";
const API_VERSION: &str = "homeport.dev/v1alpha1";

const TOP_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const METADATA_KEYS: &[&str] = &["name"];
const SPEC_KEYS: &[&str] = &[
    "kubernetesVersion",
    "distribution",
    "domain",
    "ingress",
    "storage",
    "nodes",
    "datastore",
    "overcommit",
    "monitoring",
    "backups",
    "rightsize",
];
const BACKUPS_KEYS: &[&str] = &["storage"];
const MONITORING_KEYS: &[&str] = &["operator", "release", "prometheus"];
/// The Helm release of kube-prometheus-stack when `monitoring.release` is not given.
pub const DEFAULT_MONITORING_RELEASE: &str = "kube-prometheus-stack";
const INGRESS_KEYS: &[&str] = &["className", "tls", "issuer", "controller"];
const INGRESS_CONTROLLER_KEYS: &[&str] = &["namespace", "podLabels"];
const STORAGE_KEYS: &[&str] = &[
    "name",
    "provisioner",
    "default",
    "server",
    "path",
    "capacity",
    "hostPaths",
    "node",
];
const NODE_KEYS: &[&str] = &[
    "name",
    "arch",
    "cpu",
    "memory",
    "availability",
    "roles",
    "labels",
    "gpus",
    "gaming",
];
const GPU_KEYS: &[&str] = &["vendor", "model", "memory", "count", "shared"];
const GAMING_KEYS: &[&str] = &["processes", "schedule", "hold"];

/// The type a key of the inventory must have.
#[derive(Clone, Copy)]
enum Expected {
    Mapping,
    List,
    Text,
    Boolean,
    WholeNumber,
}

/// Parse and validate the inventory text of `file`.
pub fn load(text: &str, file: FileId) -> Result<Cluster, Diagnostics> {
    let root = match homeport_yaml::parse_one(text, file) {
        // A document that is only `~` or `&anchor` holds nothing either (found by fuzzing:
        // it exited 2 without a word).
        Ok(Some(root)) if !root.is_null() => root,
        Ok(_) => {
            return Err(Diagnostics(vec![Diagnostic::error(
                codes::NOT_A_CLUSTER,
                "the cluster file is empty",
            )
            .with_span(Span::new(file, 0, 0))
            .with_help(format!(
            "start with `apiVersion: {API_VERSION}`, `kind: Cluster` and a `spec:` with `nodes:`"
        ))]))
        }
        Err(errors) => return Err(Diagnostics(errors)),
    };
    let mut reader = Reader {
        file,
        diags: Diagnostics::new(),
    };
    let cluster = reader.cluster(&root);
    if reader.diags.is_empty() {
        if let Some(cluster) = cluster {
            return Ok(cluster);
        }
    }
    if !reader.diags.has_errors() {
        // Never fail without saying why.
        reader.diags.push(
            Diagnostic::error(codes::NOT_A_CLUSTER, "the cluster file describes no cluster")
                .with_span(Span::new(file, 0, 0))
                .with_help(format!(
                    "start with `apiVersion: {API_VERSION}`, `kind: Cluster` and a `spec:` with `nodes:`"
                )),
        );
    }
    reader.diags.sort();
    Err(reader.diags)
}

struct Reader {
    file: FileId,
    diags: Diagnostics,
}

impl Reader {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The node as a mapping, or a wrong-type diagnostic.
    /// `what` has the wrong type: the caret under the value, and how to write it.
    fn wrong_type(&mut self, node: &Node, what: &str, expected: Expected) {
        let (noun, help) = match expected {
            Expected::Mapping => ("a mapping", "write `key: value` entries indented under it, or `{key: value}`"),
            Expected::List => ("a list", "write `[a, b]`, or one `- item` per line indented under it (a single item is `[item]`)"),
            Expected::Text => ("a string", "write a single value on the same line (quote it if it contains `:` or `#`)"),
            Expected::Boolean => ("true or false", "write `true` or `false`"),
            Expected::WholeNumber => ("a whole number", "write a number without quotes or a unit, such as `1`"),
        };
        self.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!("{what} must be {noun}, found {}", node.type_name()),
            )
            .with_span(node.span)
            .with_label(format!("expected {noun}"))
            .with_help(help),
        );
    }

    fn map<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a Map> {
        if node.is_null() {
            return None;
        }
        match node.as_map() {
            Some(m) => Some(m),
            None => {
                self.wrong_type(node, what, Expected::Mapping);
                None
            }
        }
    }

    /// Like [`Self::map`], but an empty (null) value is reported too: a list item must say
    /// something (`nodes: [~]` is an error, not a node silently left out).
    fn item_map<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a Map> {
        if node.is_null() {
            self.wrong_type(node, what, Expected::Mapping);
            return None;
        }
        self.map(node, what)
    }

    fn seq<'a>(&mut self, node: &'a Node, what: &str) -> &'a [Node] {
        if node.is_null() {
            return &[];
        }
        match node.as_seq() {
            Some(s) => s,
            None => {
                self.wrong_type(node, what, Expected::List);
                &[]
            }
        }
    }

    /// A scalar as text (numbers and booleans too), or a wrong-type diagnostic.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        if node.is_null() {
            return None;
        }
        match &node.value {
            homeport_yaml::Value::Scalar(s, _) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, Expected::Text);
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        self.seq(node, what)
            .iter()
            .filter_map(|item| self.text(item, &format!("each entry of {what}")))
            .collect()
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(node, what, Expected::Boolean);
                None
            }
        }
    }

    fn unsigned(&mut self, node: &Node, what: &str) -> Option<u32> {
        match node.as_i64().map(u32::try_from) {
            Some(Ok(n)) => Some(n),
            _ => {
                self.wrong_type(node, what, Expected::WholeNumber);
                None
            }
        }
    }

    /// Report keys of `map` that are not in `allowed`, with a suggestion.
    fn check_keys(&mut self, map: &Map, allowed: &[&str], context: &str) {
        for entry in &map.entries {
            let key = entry.key_str();
            if allowed.contains(&key) {
                continue;
            }
            let mut d = Diagnostic::error(
                codes::UNKNOWN_KEY,
                format!("unknown key `{key}` in {context}"),
            )
            .with_span(entry.key.span)
            .with_label("not a cluster inventory key");
            d = match did_you_mean(key, allowed) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("known keys here: {}", allowed.join(", "))),
            };
            self.push(d);
        }
    }

    /// A value from a fixed set; `aliases` maps common other spellings to the right word.
    fn choice<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[(&str, T)],
        aliases: &[(&str, &str)],
    ) -> Option<T> {
        let text = self.text(node, what)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == text) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let lower = text.to_ascii_lowercase();
        let help = match aliases.iter().find(|(alias, _)| *alias == lower) {
            Some((_, right)) => format!("write `{right}` (the Kubernetes name for `{text}`)"),
            None => match did_you_mean(&text, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", names.join(", ")),
            },
        };
        self.push(
            Diagnostic::error(codes::UNKNOWN_VALUE, format!("unknown {what} `{text}`"))
                .with_span(node.span)
                .with_label(format!("not a known {what}"))
                .with_help(help),
        );
        None
    }

    fn missing(&mut self, span: Span, what: &str, help: &str) {
        self.push(
            Diagnostic::error(codes::MISSING_FIELD, format!("missing {what}"))
                .with_span(span)
                .with_help(help.to_string()),
        );
    }

    fn cluster(&mut self, root: &Node) -> Option<Cluster> {
        let top = self.map(root, "the cluster file")?;
        self.check_keys(top, TOP_KEYS, "the cluster file");
        self.header(root, top);

        let mut cluster = Cluster::default_k3s();
        cluster.is_default = false;
        cluster.nodes.clear();
        if let Some(meta) = top.get("metadata").and_then(|m| self.map(m, "`metadata`")) {
            self.check_keys(meta, METADATA_KEYS, "`metadata`");
            if let Some(name) = meta
                .get("name")
                .and_then(|n| self.text(n, "`metadata.name`"))
            {
                cluster.name = name;
            }
        }
        // `spec:` with nothing under it (found by fuzzing: it exited 2 without a word).
        let Some(spec_node) = top.get("spec").filter(|n| !n.is_null()) else {
            self.missing(
                Span::new(self.file, 0, 0),
                "`spec`",
                "add a `spec:` with at least `nodes:` (see the cluster.yaml example in the README)",
            );
            return None;
        };
        let spec = self.map(spec_node, "`spec`")?;
        self.check_keys(spec, SPEC_KEYS, "`spec`");

        if let Some(v) = spec.get("kubernetesVersion") {
            if let Some(text) = self.text(v, "`kubernetesVersion`") {
                if is_minor_version(&text) {
                    cluster.kubernetes_version = text.trim_start_matches('v').to_string();
                } else {
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_VALUE,
                            format!("`{text}` is not a Kubernetes version"),
                        )
                        .with_span(v.span)
                        .with_label("expected MAJOR.MINOR")
                        .with_help(
                            "quote it so YAML keeps it a string: kubernetesVersion: \"1.33\"",
                        ),
                    );
                }
            }
        }
        if let Some(v) = spec.get("overcommit") {
            if let Some(accept) =
                self.choice(v, "overcommit", &[("refuse", false), ("accept", true)], &[])
            {
                cluster.overcommit_accepted = accept;
            }
        }
        if let Some(v) = spec.get("distribution") {
            if let Some(d) = self.choice(
                v,
                "distribution",
                &[
                    ("k3s", Distribution::K3s),
                    ("kubernetes", Distribution::Kubernetes),
                ],
                &[("k8s", "kubernetes"), ("kubeadm", "kubernetes")],
            ) {
                cluster.distribution = d;
            }
        }
        if let Some(v) = spec.get("domain") {
            if let Some(domain) = self.text(v, "`domain`") {
                if is_dns_subdomain(&domain) {
                    cluster.domain = domain;
                } else {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_NAME,
                            format!("`{domain}` is not a DNS domain"),
                        )
                        .with_span(v.span)
                        .with_help("use lower-case labels separated by dots, e.g. home.arpa"),
                    );
                }
            }
        }
        if cluster.distribution == Distribution::Kubernetes {
            // Only k3s ships Traefik; elsewhere the class must be named or is the common one.
            cluster.ingress.class_name = "nginx".to_string();
        }
        if let Some(v) = spec.get("ingress") {
            if let Some(ingress) = self.ingress(v, &cluster.ingress) {
                cluster.ingress = ingress;
            }
        }

        if let Some(v) = spec.get("datastore") {
            if let Some(d) = self.choice(
                v,
                "datastore",
                &[
                    ("sqlite", Datastore::Sqlite),
                    ("etcd", Datastore::Etcd),
                    ("external", Datastore::External),
                ],
                &[
                    ("embedded-etcd", "etcd"),
                    ("kine", "external"),
                    ("mysql", "external"),
                    ("postgres", "external"),
                    ("postgresql", "external"),
                ],
            ) {
                cluster.datastore = d;
            }
        }
        if let Some(v) = spec.get("rightsize") {
            cluster.rightsize = self.boolean(v, "`rightsize`").unwrap_or(false);
        }
        if let Some(v) = spec.get("monitoring") {
            cluster.monitoring = self.monitoring(v);
        }
        if let Some(v) = spec.get("backups") {
            if let Some(map) = self.map(v, "`backups`") {
                self.check_keys(map, BACKUPS_KEYS, "`backups`");
                if let Some(s) = map.get("storage") {
                    cluster.backup_storage = self.text(s, "`backups.storage`");
                }
            }
        }

        let mut nodes: Vec<(NodeDef, Span)> = Vec::new();
        let mut node_items: Vec<&Node> = Vec::new();
        match spec.get("nodes") {
            Some(v) => {
                for item in self.seq(v, "`nodes`") {
                    if let Some(node) = self.node(item) {
                        nodes.push((node, item.span));
                        node_items.push(item);
                    }
                }
                if nodes.is_empty() && v.as_seq().is_some_and(<[Node]>::is_empty) {
                    self.push(
                        Diagnostic::error(codes::MISSING_FIELD, "`nodes` is empty")
                            .with_span(v.span)
                            .with_help("list at least one node, or delete the cluster file to use the built-in single-node k3s cluster"),
                    );
                }
            }
            None => self.missing(
                top.entry("spec").map_or(spec_node.span, |e| e.key.span),
                "`spec.nodes`",
                "list the cluster's nodes, e.g. `nodes: [{name: server, arch: amd64}]`",
            ),
        }
        self.check_unique(nodes.iter().map(|(n, s)| (n.name.as_str(), *s)), "node");

        let mut storage: Vec<(StorageClassDef, &Node)> = Vec::new();
        if let Some(v) = spec.get("storage") {
            for item in self.seq(v, "`storage`") {
                if let Some(class) = self.storage(item, &nodes) {
                    storage.push((class, item));
                }
            }
        }
        self.check_unique(
            storage.iter().map(|(c, n)| (c.name.as_str(), n.span)),
            "storage class",
        );
        self.check_defaults(&storage);
        self.check_host_paths(&storage);

        self.check_storage_nodes(&storage, &nodes);

        cluster.nodes = nodes.into_iter().map(|(n, _)| n).collect();
        if !storage.is_empty() {
            cluster.storage = storage.into_iter().map(|(c, _)| c).collect();
            mark_default(&mut cluster.storage);
        }
        if !cluster.nodes.is_empty() {
            self.check_control_plane(&cluster, &node_items, spec);
        }
        Some(cluster)
    }

    fn monitoring(&mut self, node: &Node) -> Option<MonitoringConfig> {
        let map = self.map(node, "`monitoring`")?;
        self.check_keys(map, MONITORING_KEYS, "`monitoring`");
        if let Some(v) = map.get("operator") {
            if let Some(op) = self.text(v, "`monitoring.operator`") {
                if op != "prometheus-operator" {
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_VALUE,
                            format!("unknown monitoring operator `{op}`"),
                        )
                        .with_span(v.span)
                        .with_label("not a known operator")
                        .with_help("write `operator: prometheus-operator` (kube-prometheus-stack)"),
                    );
                }
            }
        }
        let release = match map.get("release") {
            Some(v) => {
                let r = self.text(v, "`monitoring.release`")?;
                if !is_label_value(&r) || !is_dns_label(&r) {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_NAME,
                            format!("`{r}` is not a valid Helm release name"),
                        )
                        .with_span(v.span)
                        .with_help(
                            "lower-case letters, digits and `-`, e.g. kube-prometheus-stack",
                        ),
                    );
                    return None;
                }
                r
            }
            None => DEFAULT_MONITORING_RELEASE.to_string(),
        };
        let prometheus = match map.get("prometheus") {
            Some(v) => self.text(v, "`monitoring.prometheus`")?,
            None => format!("http://{release}-prometheus.monitoring:9090"),
        };
        Some(MonitoringConfig {
            operator: "prometheus-operator".to_string(),
            release,
            prometheus,
        })
    }

    /// The control plane the inventory asks for must be one k3s can run: on always-on,
    /// not storage-only nodes with memory for a server, and with a datastore several
    /// servers can share.
    fn check_control_plane(&mut self, cluster: &Cluster, items: &[&Node], spec: &Map) {
        let item_of = |name: &str| -> Option<&Node> {
            cluster
                .nodes
                .iter()
                .position(|n| n.name == name)
                .and_then(|i| items.get(i).copied())
        };
        let field_span = |name: &str, field: &str| -> Option<Span> {
            let item = item_of(name)?;
            let entry = item.as_map()?.entry(field)?;
            Some(entry.key.span.to(entry.value.span))
        };
        let declared: Vec<&NodeDef> = cluster
            .nodes
            .iter()
            .filter(|n| n.is_declared_control_plane())
            .collect();
        for node in &declared {
            let roles =
                field_span(&node.name, "roles").or_else(|| item_of(&node.name).map(|i| i.span));
            if node.availability == Availability::Opportunistic {
                self.push(
                    Diagnostic::error(
                        codes::CONTROL_PLANE,
                        format!("node `{}` is opportunistic but runs the control plane", node.name),
                    )
                    .with_span_opt(field_span(&node.name, "availability").or(roles))
                    .with_label("the cluster stops whenever this machine is off or someone games on it")
                    .with_help("move `control-plane` to an always-on node (this one can stay an opportunistic agent)"),
                );
            }
            if node.is_storage_only() {
                self.push(
                    Diagnostic::error(
                        codes::CONTROL_PLANE,
                        format!("node `{}` is storage-only (`storage`) and `control-plane`", node.name),
                    )
                    .with_span_opt(roles)
                    .with_label("a storage-only node is tainted homeport.dev/storage=true:NoSchedule")
                    .with_help("keep the control plane on a general node, or drop `storage` so this node also takes ordinary work"),
                );
            }
        }
        let servers = cluster.servers();
        if declared.is_empty() && !servers.iter().any(|s| s.can_serve()) {
            let span = spec.entry("nodes").map(|e| e.key.span);
            self.push(
                Diagnostic::error(
                    codes::CONTROL_PLANE,
                    "no node can run the control plane: every node is opportunistic or storage-only",
                )
                .with_span_opt(span)
                .with_help("add an always-on node, or mark one always-on node `roles: [control-plane]`"),
            );
        }
        for server in &servers {
            let Some(memory) = server.memory_bytes else {
                continue;
            };
            if memory < SERVER_MIN_MEMORY_BYTES {
                let why = if server.is_declared_control_plane() {
                    "declared `control-plane`"
                } else {
                    "the only node that can be the server"
                };
                self.push(
                    Diagnostic::error(
                        codes::SERVER_TOO_SMALL,
                        format!(
                            "node `{}` has {} of memory, too little for the k3s server ({why})",
                            server.name,
                            super::format_memory_bytes(memory)
                        ),
                    )
                    .with_span_opt(field_span(&server.name, "memory"))
                    .with_label("a k3s server needs at least 2 GB")
                    .with_help("run the server on a node with 2 GB or more and keep this one an agent (512 MB is enough for an agent)"),
                );
            }
        }
        if declared.len() > 1 {
            let span = spec
                .entry("datastore")
                .map(|e| e.key.span.to(e.value.span))
                .or_else(|| field_span(&declared[1].name, "roles"));
            let names: Vec<&str> = declared.iter().map(|n| n.name.as_str()).collect();
            match cluster.datastore {
                Datastore::Sqlite => self.push(
                    Diagnostic::error(
                        codes::HA_DATASTORE,
                        format!("{} servers ({}) but no HA datastore", declared.len(), names.join(", ")),
                    )
                    .with_span_opt(span)
                    .with_label("SQLite serves one server only")
                    .with_help("add `datastore: etcd` to `spec` (embedded etcd, three or more servers) or `datastore: external` (a shared SQL database), or keep one `control-plane`"),
                ),
                Datastore::Etcd if declared.len().is_multiple_of(2) => self.push(
                    Diagnostic::error(
                        codes::HA_DATASTORE,
                        format!("{} servers with embedded etcd: an even number tolerates no more failures than one fewer", declared.len()),
                    )
                    .with_span_opt(span)
                    .with_label("etcd needs a majority of its members")
                    .with_help("use an odd number of `control-plane` nodes (3 survives one failure), or `datastore: external`"),
                ),
                _ => {}
            }
        }
    }

    /// A `static-local` directory on a storage-only node: its consumers are pinned to that
    /// node, whose taint keeps them off.
    fn check_storage_nodes(
        &mut self,
        storage: &[(StorageClassDef, &Node)],
        nodes: &[(NodeDef, Span)],
    ) {
        for (class, item) in storage {
            let Some(node_name) = &class.node else {
                continue;
            };
            let Some((node, _)) = nodes.iter().find(|(n, _)| &n.name == node_name) else {
                continue;
            };
            if class.provisioner == Provisioner::StaticLocal && node.is_storage_only() {
                let span = item
                    .as_map()
                    .and_then(|m| m.entry("node"))
                    .map_or(item.span, |e| e.key.span.to(e.value.span));
                self.push(
                    Diagnostic::error(
                        codes::STORAGE_NODE_TAINTED,
                        format!("storage class `{}` is a directory on storage-only node `{node_name}`", class.name),
                    )
                    .with_span(span)
                    .with_label("pods using it must run there, but the node is tainted homeport.dev/storage=true:NoSchedule")
                    .with_help(format!("export the directory over NFS and use `provisioner: static-nfs`, or drop `storage` from the roles of `{node_name}`")),
                );
            }
        }
    }

    fn header(&mut self, root: &Node, top: &Map) {
        match top.get("apiVersion") {
            Some(v) => {
                if let Some(text) = self.text(v, "`apiVersion`") {
                    if text != API_VERSION {
                        self.push(
                            Diagnostic::error(
                                codes::NOT_A_CLUSTER,
                                format!("unsupported apiVersion `{text}`"),
                            )
                            .with_span(v.span)
                            .with_help(format!("write `apiVersion: {API_VERSION}`")),
                        );
                    }
                }
            }
            None => self.missing(
                Span::new(
                    self.file,
                    root.span.start as usize,
                    root.span.start as usize,
                ),
                "`apiVersion`",
                &format!("start the file with `apiVersion: {API_VERSION}` and `kind: Cluster`"),
            ),
        }
        match top.get("kind") {
            Some(v) => {
                if let Some(text) = self.text(v, "`kind`") {
                    if text != "Cluster" {
                        self.push(
                            Diagnostic::error(
                                codes::NOT_A_CLUSTER,
                                format!("expected `kind: Cluster`, found `{text}`"),
                            )
                            .with_span(v.span)
                            .with_help("--cluster takes a homeport cluster inventory, not a Kubernetes manifest"),
                        );
                    }
                }
            }
            None => self.missing(
                Span::new(
                    self.file,
                    root.span.start as usize,
                    root.span.start as usize,
                ),
                "`kind`",
                "add `kind: Cluster`",
            ),
        }
    }

    fn ingress(&mut self, node: &Node, defaults: &IngressConfig) -> Option<IngressConfig> {
        let map = self.map(node, "`ingress`")?;
        self.check_keys(map, INGRESS_KEYS, "`ingress`");
        let mut ingress = defaults.clone();
        if let Some(v) = map.get("className") {
            if let Some(name) = self.text(v, "`ingress.className`") {
                if self.dns_name(&name, v.span, "ingress class") {
                    ingress.class_name = name;
                }
            }
        }
        if let Some(v) = map.get("controller") {
            ingress.controller = self.ingress_controller(v);
        }
        if let Some(v) = map.get("tls") {
            if let Some(tls) = self.choice(
                v,
                "TLS mode",
                &[
                    ("none", TlsMode::None),
                    ("cert-manager", TlsMode::CertManager),
                ],
                &[("certmanager", "cert-manager"), ("false", "none")],
            ) {
                ingress.tls = tls;
            }
        }
        if let Some(v) = map.get("issuer") {
            ingress.issuer = self.text(v, "`ingress.issuer`");
            if ingress.tls != TlsMode::CertManager {
                self.push(
                    Diagnostic::error(
                        codes::INGRESS_TLS,
                        "`issuer` is set but `tls` is not `cert-manager`",
                    )
                    .with_span(v.span)
                    .with_help("add `tls: cert-manager`, or remove `issuer`"),
                );
            }
        } else if ingress.tls == TlsMode::CertManager {
            self.push(
                Diagnostic::error(
                    codes::INGRESS_TLS,
                    "`tls: cert-manager` needs the name of a ClusterIssuer",
                )
                .with_span(node.span)
                .with_help(
                    "add `issuer: letsencrypt` (the name of your cert-manager ClusterIssuer)",
                ),
            );
        }
        Some(ingress)
    }

    /// `ingress.controller: {namespace, podLabels}`.
    fn ingress_controller(&mut self, node: &Node) -> Option<IngressController> {
        let map = self.map(node, "`ingress.controller`")?;
        self.check_keys(map, INGRESS_CONTROLLER_KEYS, "`ingress.controller`");
        let namespace = match map.get("namespace") {
            Some(v) => {
                let ns = self.text(v, "`ingress.controller.namespace`")?;
                if !self.dns_name(&ns, v.span, "namespace") {
                    return None;
                }
                ns
            }
            None => {
                self.missing(
                    node.span,
                    "`namespace`",
                    "add `namespace:` (where the ingress controller's pods run)",
                );
                return None;
            }
        };
        let pod_labels = match map.get("podLabels") {
            Some(v) => self.labels(v, "`ingress.controller.podLabels`"),
            None => IndexMap::new(),
        };
        Some(IngressController {
            namespace,
            pod_labels,
        })
    }

    fn dns_name(&mut self, name: &str, span: Span, what: &str) -> bool {
        if is_dns_subdomain(name) {
            return true;
        }
        self.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!("`{name}` is not a valid {what} name"),
            )
            .with_span(span)
            .with_help("Kubernetes names are lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit"),
        );
        false
    }

    fn node(&mut self, item: &Node) -> Option<NodeDef> {
        let map = self.item_map(item, "each node")?;
        self.check_keys(map, NODE_KEYS, "a node");
        let name = match map.get("name") {
            Some(v) => self.text(v, "the node's `name`").unwrap_or_default(),
            None => {
                self.missing(
                    item.span,
                    "node `name`",
                    "give every node the name Kubernetes knows it by (`kubectl get nodes`)",
                );
                String::new()
            }
        };
        if let Some(v) = map.get("name") {
            if !name.is_empty() {
                self.dns_name(&name, v.span, "node");
            }
        }
        let what = if name.is_empty() {
            "this node".to_string()
        } else {
            format!("node `{name}`")
        };
        let mut node = NodeDef {
            name: name.clone(),
            arch: Arch::Amd64,
            cpu_millis: None,
            memory_bytes: None,
            availability: Availability::AlwaysOn,
            roles: Vec::new(),
            labels: IndexMap::new(),
            gpus: Vec::new(),
            gaming_processes: Vec::new(),
            gaming_schedule: Vec::new(),
            gaming_hold: None,
        };
        match map.get("arch") {
            Some(v) => {
                if let Some(arch) = self.choice(
                    v,
                    "architecture",
                    &[
                        ("amd64", Arch::Amd64),
                        ("arm64", Arch::Arm64),
                        ("arm", Arch::Arm),
                    ],
                    &[
                        ("x86_64", "amd64"),
                        ("x86-64", "amd64"),
                        ("x64", "amd64"),
                        ("aarch64", "arm64"),
                        ("armv8", "arm64"),
                        ("armv7", "arm"),
                        ("armv7l", "arm"),
                        ("armhf", "arm"),
                    ],
                ) {
                    node.arch = arch;
                }
            }
            None => self.missing(
                item.span,
                &format!("`arch` on {what}"),
                "add `arch: amd64` (or arm64 for a Raspberry Pi 4/5, arm for older boards)",
            ),
        }
        if let Some(v) = map.get("cpu") {
            if let Some(text) = self.text(v, &format!("`cpu` of {what}")) {
                match parse_cpu_millis(&text) {
                    Ok(m) if m > 0 => node.cpu_millis = Some(m),
                    Ok(_) => self.bad_quantity(
                        v.span,
                        &format!("`cpu` of {what} is zero"),
                        "write the number of cores, e.g. `cpu: 4`",
                    ),
                    Err(e) => self.bad_quantity(
                        v.span,
                        &e,
                        "write cores (`16`, `0.5`) or millicores (`500m`)",
                    ),
                }
            }
        }
        if let Some(v) = map.get("memory") {
            node.memory_bytes = self.memory(v, &format!("`memory` of {what}"));
        }
        if let Some(v) = map.get("availability") {
            if let Some(a) = self.choice(
                v,
                "availability",
                &[
                    ("always-on", Availability::AlwaysOn),
                    ("opportunistic", Availability::Opportunistic),
                ],
                &[("always_on", "always-on"), ("alwayson", "always-on")],
            ) {
                node.availability = a;
            }
        }
        if let Some(v) = map.get("roles") {
            node.roles = self.strings(v, &format!("`roles` of {what}"));
        }
        if let Some(v) = map.get("labels") {
            node.labels = self.labels(v, &what);
        }
        if let Some(v) = map.get("gpus") {
            for gpu in self.seq(v, &format!("`gpus` of {what}")) {
                if let Some(g) = self.gpu(gpu, &what) {
                    node.gpus.push(g);
                }
            }
        }
        if let Some(v) = map.get("gaming") {
            if let Some(gaming) = self.map(v, &format!("`gaming` of {what}")) {
                self.check_keys(gaming, GAMING_KEYS, &format!("`gaming` of {what}"));
                if let Some(p) = gaming.get("processes") {
                    node.gaming_processes = self.strings(p, "`gaming.processes`");
                }
                if let Some(s) = gaming.get("schedule") {
                    node.gaming_schedule = self.strings(s, "`gaming.schedule`");
                }
                if let Some(h) = gaming.get("hold") {
                    node.gaming_hold = self.text(h, "`gaming.hold`");
                }
            }
            if node.availability != Availability::Opportunistic {
                let key_span = map.entry("gaming").map_or(v.span, |e| e.key.span);
                self.push(
                    Diagnostic::error(
                        codes::GAMING_ON_ALWAYS_ON,
                        format!("gaming hints on {what}, which is always-on"),
                    )
                    .with_span(key_span)
                    .with_label("only opportunistic nodes are watched by the gaming guard")
                    .with_help("add `availability: opportunistic` to this node (someone games on it, so only preemptible work may run there), or remove `gaming`"),
                );
            }
        }
        (!node.name.is_empty()).then_some(node)
    }

    fn memory(&mut self, v: &Node, what: &str) -> Option<u64> {
        let text = self.text(v, what)?;
        match parse_memory_bytes(&text) {
            // A bare number is bytes in Kubernetes; under a mebibyte it is a missing unit.
            Ok(b) if b < 1 << 20 && text.trim().bytes().all(|c| c.is_ascii_digit()) => {
                self.bad_quantity(
                    v.span,
                    &format!("{what} is {b} bytes"),
                    &format!(
                        "did you mean `{}Gi`? a size without a unit is bytes",
                        text.trim()
                    ),
                );
                None
            }
            Ok(b) if b > 0 => Some(b),
            Ok(_) => {
                self.bad_quantity(
                    v.span,
                    &format!("{what} is zero"),
                    "write a size such as `16Gi`",
                );
                None
            }
            Err(e) => {
                self.bad_quantity(
                    v.span,
                    &e,
                    "write a size with a Kubernetes suffix: `64Gi`, `512Mi`, `2G`",
                );
                None
            }
        }
    }

    fn bad_quantity(&mut self, span: Span, message: &str, help: &str) {
        self.push(
            Diagnostic::error(codes::BAD_QUANTITY, message.to_string())
                .with_span(span)
                .with_label("not a quantity")
                .with_help(help.to_string()),
        );
    }

    fn labels(&mut self, v: &Node, what: &str) -> IndexMap<String, String> {
        let mut labels = IndexMap::new();
        let Some(map) = self.map(v, &format!("`labels` of {what}")) else {
            return labels;
        };
        for entry in &map.entries {
            let key = entry.key_str().to_string();
            let Some(value) = self.text(&entry.value, &format!("label `{key}`")) else {
                continue;
            };
            if !is_label_key(&key) {
                self.push(
                    Diagnostic::error(codes::INVALID_NAME, format!("`{key}` is not a valid label key"))
                        .with_span(entry.key.span)
                        .with_help("a label key is an optional DNS prefix and `/`, then up to 63 letters, digits, `-`, `_`, `.`"),
                );
            } else if !is_label_value(&value) {
                self.push(
                    Diagnostic::error(codes::INVALID_NAME, format!("`{value}` is not a valid label value"))
                        .with_span(entry.value.span)
                        .with_help("a label value is up to 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit"),
                );
            } else {
                labels.insert(key, value);
            }
        }
        labels.sort_keys();
        labels
    }

    fn gpu(&mut self, item: &Node, node_what: &str) -> Option<GpuDef> {
        let map = self.item_map(item, &format!("each GPU of {node_what}"))?;
        self.check_keys(map, GPU_KEYS, &format!("a GPU of {node_what}"));
        let errors_before = self.diags.len();
        let vendor = match map.get("vendor") {
            Some(v) => self.choice(
                v,
                "GPU vendor",
                &[
                    ("nvidia", GpuVendor::Nvidia),
                    ("intel", GpuVendor::Intel),
                    ("amd", GpuVendor::Amd),
                ],
                &[
                    ("geforce", "nvidia"),
                    ("radeon", "amd"),
                    ("ati", "amd"),
                    ("nv", "nvidia"),
                ],
            ),
            None => {
                self.missing(
                    item.span,
                    &format!("GPU `vendor` on {node_what}"),
                    "add `vendor: nvidia` (or intel, amd)",
                );
                None
            }
        };
        let mut gpu = GpuDef {
            vendor: vendor.unwrap_or(GpuVendor::Nvidia),
            model: None,
            memory_bytes: None,
            count: 1,
            shared: 1,
        };
        if let Some(v) = map.get("model") {
            gpu.model = self.text(v, "GPU `model`");
        }
        if let Some(v) = map.get("memory") {
            gpu.memory_bytes = self.memory(v, &format!("GPU `memory` of {node_what}"));
        }
        for (key, slot) in [("count", &mut gpu.count), ("shared", &mut gpu.shared)] {
            let Some(v) = map.get(key) else { continue };
            let Some(n) = self.unsigned(v, &format!("GPU `{key}`")) else {
                continue;
            };
            if n == 0 {
                self.push(
                    Diagnostic::error(codes::OUT_OF_RANGE, format!("GPU `{key}` must be at least 1"))
                        .with_span(v.span)
                        .with_help(if key == "count" {
                            "remove the GPU entry if the node has none"
                        } else {
                            "`shared: 1` means exclusive; higher values are time-slicing replicas per GPU"
                        }),
                );
            } else {
                *slot = n;
            }
        }
        (self.diags.len() == errors_before).then_some(gpu)
    }

    fn storage(&mut self, item: &Node, nodes: &[(NodeDef, Span)]) -> Option<StorageClassDef> {
        let map = self.item_map(item, "each storage class")?;
        self.check_keys(map, STORAGE_KEYS, "a storage class");
        let name = match map.get("name") {
            Some(v) => {
                let name = self.text(v, "the storage class's `name`")?;
                self.dns_name(&name, v.span, "storage class");
                name
            }
            None => {
                self.missing(
                    item.span,
                    "storage class `name`",
                    "name the StorageClass, e.g. `name: local-path`",
                );
                return None;
            }
        };
        let what = format!("storage class `{name}`");
        let provisioner = match map.get("provisioner") {
            Some(v) => {
                let text = self.text(v, "`provisioner`")?;
                match text.as_str() {
                    "local-path" => Provisioner::LocalPath,
                    "nfs" => Provisioner::Nfs,
                    "static-nfs" => Provisioner::StaticNfs,
                    "static-local" => Provisioner::StaticLocal,
                    // A real provisioner name (`driver.longhorn.io`) has a dot or slash.
                    other if other.contains('.') || other.contains('/') => {
                        Provisioner::Other(other.to_string())
                    }
                    other => {
                        let names = ["local-path", "nfs", "static-nfs", "static-local"];
                        let help = match did_you_mean(other, &names) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "use local-path, nfs, static-nfs, static-local, or a CSI provisioner name such as `driver.longhorn.io`".to_string(),
                        };
                        self.push(
                            Diagnostic::error(
                                codes::UNKNOWN_VALUE,
                                format!("unknown provisioner `{other}`"),
                            )
                            .with_span(v.span)
                            .with_label("not a known provisioner")
                            .with_help(help),
                        );
                        return None;
                    }
                }
            }
            None => {
                self.missing(
                    item.span,
                    &format!("`provisioner` on {what}"),
                    "add `provisioner: local-path` (or nfs, static-nfs, static-local)",
                );
                return None;
            }
        };
        let mut class = StorageClassDef {
            name,
            provisioner,
            default: false,
            server: None,
            path: None,
            capacity: None,
            host_paths: Vec::new(),
            node: None,
        };
        if let Some(v) = map.get("default") {
            class.default = self.boolean(v, "`default`").unwrap_or(false);
        }
        if let Some(v) = map.get("server") {
            class.server = self.text(v, "`server`");
        }
        if let Some(v) = map.get("path") {
            class.path = self.text(v, "`path`");
            if let Some(p) = &class.path {
                if !p.starts_with('/') {
                    self.push(
                        Diagnostic::error(
                            codes::HOST_PATH,
                            format!("`path` of {what} is not absolute"),
                        )
                        .with_span(v.span)
                        .with_help("write the full path, e.g. /export/media"),
                    );
                }
            }
        }
        if let Some(v) = map.get("capacity") {
            if let Some(text) = self.text(v, "`capacity`") {
                match parse_memory_bytes(&text) {
                    Ok(b) if b > 0 => class.capacity = Some(text),
                    Ok(_) => self.bad_quantity(
                        v.span,
                        &format!("`capacity` of {what} is zero"),
                        "write a size such as `4Ti`",
                    ),
                    Err(e) => self.bad_quantity(
                        v.span,
                        &e,
                        "write a size with a Kubernetes suffix: `4Ti`, `500Gi`",
                    ),
                }
            }
        }
        if let Some(v) = map.get("hostPaths") {
            for p in self.seq(v, "`hostPaths`") {
                let Some(text) = self.text(p, "each host path") else {
                    continue;
                };
                if text.starts_with('/') {
                    class
                        .host_paths
                        .push(text.trim_end_matches('/').to_string());
                } else {
                    self.push(
                        Diagnostic::error(
                            codes::HOST_PATH,
                            format!("host path `{text}` is not absolute"),
                        )
                        .with_span(p.span)
                        .with_help(
                            "write the directory as Compose bind mounts name it, e.g. /mnt/media",
                        ),
                    );
                }
            }
        }
        if let Some(v) = map.get("node") {
            if let Some(node) = self.text(v, "`node`") {
                if !nodes.iter().any(|(n, _)| n.name == node) {
                    let names: Vec<&str> = nodes.iter().map(|(n, _)| n.name.as_str()).collect();
                    let help = match did_you_mean(&node, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if names.is_empty() => "declare the node under `nodes:`".to_string(),
                        None => format!("nodes in this inventory: {}", names.join(", ")),
                    };
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_NODE,
                            format!("{what} refers to unknown node `{node}`"),
                        )
                        .with_span(v.span)
                        .with_label("no such node")
                        .with_help(help),
                    );
                }
                class.node = Some(node);
            }
        }
        self.check_storage_fields(&class, map, item_span(item), &what);
        Some(class)
    }

    /// Each provisioner's required and meaningless fields.
    fn check_storage_fields(&mut self, class: &StorageClassDef, map: &Map, span: Span, what: &str) {
        let needs: &[&str] = match class.provisioner {
            Provisioner::Nfs => &["server", "path"],
            Provisioner::StaticNfs => &["server", "path"],
            Provisioner::StaticLocal => &["node", "path"],
            _ => &[],
        };
        let p = class.provisioner.as_str();
        for field in needs {
            if !map.contains_key(field) {
                let help = match *field {
                    "server" => "add `server: nas.home.arpa` (the NFS server's host name or IP)",
                    "path" if class.provisioner == Provisioner::StaticLocal => {
                        "add `path: /mnt/hdd` (the directory on the node)"
                    }
                    "path" => "add `path: /export/k8s` (the exported directory)",
                    _ => "add `node: <name>`: local volumes live on one node, and pods using them are pinned there",
                };
                self.push(
                    Diagnostic::error(
                        codes::STORAGE_FIELDS,
                        format!("{what} ({p}) needs `{field}`"),
                    )
                    .with_span(span)
                    .with_help(help),
                );
            }
        }
        let forbidden: &[&str] = match class.provisioner {
            Provisioner::LocalPath | Provisioner::Other(_) => {
                &["server", "hostPaths", "node", "capacity"]
            }
            Provisioner::Nfs => &["hostPaths", "node", "capacity"],
            Provisioner::StaticNfs => &["node"],
            Provisioner::StaticLocal => &["server"],
        };
        for field in forbidden {
            if let Some(entry) = map.entry(field) {
                let help = if *field == "hostPaths" {
                    "host paths map bind mounts onto existing shares: use `provisioner: static-nfs` or `static-local`"
                } else {
                    "remove it"
                };
                self.push(
                    Diagnostic::error(
                        codes::STORAGE_FIELDS,
                        format!("`{field}` has no meaning for {what} ({p})"),
                    )
                    .with_span(entry.key.span)
                    .with_help(help),
                );
            }
        }
    }

    fn check_unique<'a>(&mut self, names: impl Iterator<Item = (&'a str, Span)>, what: &str) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for (name, span) in names {
            if seen.contains_key(name) {
                self.push(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        format!("duplicate {what} name `{name}`"),
                    )
                    .with_span(span)
                    .with_label("declared again here")
                    .with_help(format!(
                        "every {what} needs a unique name; remove or rename one"
                    )),
                );
            } else {
                seen.insert(name, span);
            }
        }
    }

    fn check_defaults(&mut self, storage: &[(StorageClassDef, &Node)]) {
        let defaults: Vec<&(StorageClassDef, &Node)> =
            storage.iter().filter(|(c, _)| c.default).collect();
        for (class, node) in &defaults {
            if class.is_static() {
                self.push(
                    Diagnostic::error(
                        codes::DEFAULT_CLASS,
                        format!("static storage class `{}` cannot be the default", class.name),
                    )
                    .with_span(default_span(node))
                    .with_help("static classes hold existing data under their hostPaths; make a dynamic class (local-path, nfs) the default"),
                );
            }
        }
        if defaults.len() > 1 {
            let names: Vec<&str> = defaults.iter().map(|(c, _)| c.name.as_str()).collect();
            for (_, node) in defaults.iter().skip(1) {
                self.push(
                    Diagnostic::error(codes::DEFAULT_CLASS, "more than one default storage class")
                        .with_span(default_span(node))
                        .with_label("second default")
                        .with_help(format!(
                            "mark only one of {} as `default: true`",
                            names.join(", ")
                        )),
                );
            }
        }
    }

    fn check_host_paths(&mut self, storage: &[(StorageClassDef, &Node)]) {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (class, node) in storage {
            for path in &class.host_paths {
                let overlap = seen.iter().find(|(p, _)| {
                    path == *p
                        || path.starts_with(&format!("{p}/"))
                        || p.starts_with(&format!("{path}/"))
                });
                if let Some((other_path, other_class)) = overlap {
                    let span = node.get("hostPaths").map_or(node.span, |n| n.span);
                    self.push(
                        Diagnostic::error(
                            codes::HOST_PATH,
                            format!(
                                "host path `{path}` of `{}` overlaps `{other_path}` of `{other_class}`",
                                class.name
                            ),
                        )
                        .with_span(span)
                        .with_help("a bind-mounted directory must map to exactly one storage entry"),
                    );
                } else {
                    seen.insert(path.clone(), class.name.as_str());
                }
            }
        }
    }
}

/// Where to point for a problem with a whole list item: its `name: x` entry if it has one.
fn item_span(item: &Node) -> Span {
    item.as_map()
        .and_then(|m| m.entry("name"))
        .map_or(item.span, |e| e.key.span.to(e.value.span))
}

fn default_span(node: &Node) -> Span {
    node.as_map()
        .and_then(|m| m.entry("default"))
        .map_or(node.span, |e| e.key.span.to(e.value.span))
}

/// Exactly one default class: the marked one, else k3s' `local-path`, else the first
/// dynamic class.
fn mark_default(storage: &mut [StorageClassDef]) {
    if storage.iter().any(|c| c.default) {
        return;
    }
    let pick = storage
        .iter()
        .position(|c| c.provisioner == Provisioner::LocalPath)
        .or_else(|| storage.iter().position(|c| !c.is_static()));
    if let Some(i) = pick {
        storage[i].default = true;
    }
}

fn is_minor_version(text: &str) -> bool {
    let t = text.trim_start_matches('v');
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
            && s.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric))
}

fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}
