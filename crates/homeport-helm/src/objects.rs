//! Each rendered object as a template: known fields replaced by values, the object (and the
//! NetworkPolicy rules, containers and dependency waits that name a service) conditional on
//! the service being enabled. Fields the chart does not know stay literal, so whatever the
//! renderer adds appears in the chart unchanged.

use crate::model::{at, ident, pod_template_path, str_at, Model, NAME_LABEL};
use crate::template::{Item, Node};
use crate::values::{quote, schema, vref, Values};
use serde_json::{json, Value};

const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// Builds templates and collects the values they read.
pub struct Builder<'a> {
    pub model: &'a Model,
    pub values: Values,
    /// Prefix of the helpers in `_helpers.tpl` (the chart name).
    pub prefix: String,
    pub domain: String,
    pub issuer: Option<String>,
    /// Building an offered object (off by default).
    pub offering: bool,
    /// Services with an offered Ingress, and the port it routes to.
    pub offered_routes: std::collections::BTreeMap<String, crate::offers::OfferedRoute>,
    /// The ingress controller's NetworkPolicy peer.
    pub controller: Value,
}

/// `and`/`or` of conditions (none: `None`).
pub fn join(op: &str, parts: &[String]) -> Option<String> {
    let mut parts: Vec<String> = parts.iter().filter(|p| !p.is_empty()).cloned().collect();
    parts.dedup();
    match parts.len() {
        0 => None,
        1 => Some(parts[0].clone()),
        _ => Some(format!(
            "{op} {}",
            parts.iter().map(|p| paren(p)).collect::<Vec<_>>().join(" ")
        )),
    }
}

fn paren(p: &str) -> String {
    if p.contains(' ') && !(p.starts_with('(') && p.ends_with(')')) {
        format!("({p})")
    } else {
        p.to_string()
    }
}

pub fn enabled(svc: &str) -> String {
    vref(&[svc, "enabled"])
}

impl<'a> Builder<'a> {
    /// The template of `o` and the condition for rendering it at all.
    pub fn object(&mut self, o: &Value) -> (Node, Option<String>) {
        let kind = o["kind"].as_str().unwrap_or("").to_string();
        let mut node = self.tree(o, None);
        let owner = self.model.owner(o).cloned();
        let (ns, name) = ident(o);
        let mut when = owner.as_ref().map(|p| enabled(&p.service));
        match kind.as_str() {
            "ConfigMap" | "Secret" => {
                if let Some(p) = &owner {
                    // `<container>-env` of a joined service also needs that service.
                    if let Some(c) = name.strip_suffix("-env").and_then(|c| p.containers.get(c)) {
                        if *c != p.service {
                            when = join("and", &[enabled(&p.service), enabled(c)]);
                        }
                        if kind == "ConfigMap" {
                            self.env_config_map(&mut node, o, c);
                        }
                    }
                }
                if kind == "Secret" {
                    if let Some(svc) = self.model.secrets.get(&(ns.clone(), name.clone())).cloned()
                    {
                        let existing = self.secret(&mut node, o, &svc, &name);
                        when = join(
                            "and",
                            &[when.unwrap_or_default(), format!("not {existing}")],
                        );
                    }
                }
            }
            "PersistentVolumeClaim" => {
                if let Some(claim) = self.model.claims.get(&(ns.clone(), name.clone())).cloned() {
                    let users: Vec<String> = claim.users.iter().map(|u| enabled(u)).collect();
                    let existing = self.claim(&mut node, &claim, o);
                    let any = join("or", &users).unwrap_or_default();
                    when = join("and", &[any, format!("not {existing}")]);
                }
            }
            "PersistentVolume" => {
                let ns = str_at(o, &["spec", "claimRef", "namespace"]).unwrap_or("");
                let cn = str_at(o, &["spec", "claimRef", "name"]).unwrap_or("");
                if let Some(claim) = self.model.claims.get(&(ns.to_string(), cn.to_string())) {
                    let users: Vec<String> = claim.users.iter().map(|u| enabled(u)).collect();
                    let existing =
                        vref(&[&claim.service, "persistence", &claim.key, "existingClaim"]);
                    when = join(
                        "and",
                        &[
                            join("or", &users).unwrap_or_default(),
                            format!("not {existing}"),
                        ],
                    );
                }
            }
            "Ingress" => {
                if let Some(p) = &owner {
                    let on = self.ingress(&mut node, o, &p.service, &name);
                    when = join("and", &[enabled(&p.service), on]);
                }
            }
            "HorizontalPodAutoscaler" => {
                if let Some(p) = &owner {
                    let on = self.autoscaler(&mut node, o, &p.service);
                    when = join("and", &[enabled(&p.service), on]);
                }
            }
            "NetworkPolicy" => self.network_policy(&mut node, o),
            k => {
                if let (Some(path), Some(p)) = (pod_template_path(k), &owner) {
                    self.workload(&mut node, o, &p.service, path);
                }
            }
        }
        (node, when)
    }

    /// The tree of an object with the standard labels and selectors replaced by helpers.
    fn tree(&self, v: &Value, key: Option<&str>) -> Node {
        match (key, v) {
            (Some("labels"), Value::Object(_)) => self.labels(v),
            (Some("matchLabels") | Some("selector"), Value::Object(m))
                if m.len() == 2
                    && m.get(INSTANCE_LABEL).and_then(Value::as_str)
                        == Some(&self.model.project)
                    && m.get(NAME_LABEL).is_some_and(Value::is_string) =>
            {
                let name = m[NAME_LABEL].as_str().unwrap_or("");
                Node::Map(vec![Item {
                    key: None,
                    node: Node::Splice(format!(
                        "include \"{}.selectorLabels\" (dict \"name\" {})",
                        self.prefix,
                        quote(name)
                    )),
                    when: None,
                }])
            }
            (_, Value::Object(m)) if !m.is_empty() => Node::Map(
                m.iter()
                    .map(|(k, v)| Item::entry(k.clone(), self.tree(v, Some(k))))
                    .collect(),
            ),
            (_, Value::Array(a)) if !a.is_empty() => Node::Seq(
                a.iter()
                    .map(|v| Item {
                        key: None,
                        node: self.tree(v, None),
                        when: None,
                    })
                    .collect(),
            ),
            (_, other) => Node::Lit(other.clone()),
        }
    }

    /// Labels: homeport's standard set through the chart's label helpers (which add Helm's
    /// own labels), anything else literal.
    fn labels(&self, v: &Value) -> Node {
        let Some(m) = v.as_object() else {
            return Node::tree(v);
        };
        let project = self.model.project.as_str();
        let is = |k: &str, val: &str| m.get(k).and_then(Value::as_str) == Some(val);
        let common = is("app.kubernetes.io/part-of", project)
            && is("app.kubernetes.io/managed-by", "homeport");
        if !common {
            return Node::tree(v);
        }
        let full = is(INSTANCE_LABEL, project)
            && m.get(NAME_LABEL).is_some_and(Value::is_string)
            && m.get("app.kubernetes.io/component")
                .is_some_and(Value::is_string);
        let (splice, used): (String, &[&str]) = if full {
            (
                format!(
                    "include \"{}.labels\" (dict \"root\" $ \"name\" {} \"component\" {})",
                    self.prefix,
                    quote(m[NAME_LABEL].as_str().unwrap_or("")),
                    quote(m["app.kubernetes.io/component"].as_str().unwrap_or(""))
                ),
                &[
                    NAME_LABEL,
                    INSTANCE_LABEL,
                    "app.kubernetes.io/component",
                    "app.kubernetes.io/part-of",
                    "app.kubernetes.io/managed-by",
                ],
            )
        } else {
            (
                format!("include \"{}.commonLabels\" $", self.prefix),
                &["app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"],
            )
        };
        let mut items = vec![Item {
            key: None,
            node: Node::Splice(splice),
            when: None,
        }];
        for (k, v) in m {
            if !used.contains(&k.as_str()) {
                items.push(Item::entry(k.clone(), Node::tree(v)));
            }
        }
        Node::Map(items)
    }

    fn env_config_map(&mut self, node: &mut Node, o: &Value, svc: &str) {
        let data = o.get("data").cloned().unwrap_or_else(|| json!({}));
        let r = self.values.leaf(
            &[svc, "env"],
            data,
            "Environment variables (the `<container>-env` ConfigMap); values are strings",
            schema::string_map(),
        );
        node.set(
            &["data"],
            Node::Yaml {
                expr: r,
                optional: false,
                func: format!("include \"{}.stringMap\"", self.prefix),
            },
        );
    }

    /// A Secret: its values come from install-time values (`required`), or the whole Secret
    /// from `existingSecret`. Returns the `existingSecret` reference.
    fn secret(&mut self, node: &mut Node, o: &Value, svc: &str, name: &str) -> String {
        self.values.doc(
            &[svc, "secrets"],
            "Secrets: none of their values is in the chart",
        );
        let base = [svc, "secrets", name];
        self.values.doc(
            &base,
            &format!(
                "Secret `{name}`: set `existingSecret`, or each key under `values` at install time"
            ),
        );
        let existing = self.values.leaf(
            &[svc, "secrets", name, "existingSecret"],
            json!(""),
            &format!("Name of a Secret you created with the keys of `{name}`; the chart then creates none"),
            schema::string(),
        );
        self.values.doc(
            &[svc, "secrets", name, "values"],
            "Values of the keys (never stored in the chart)",
        );
        let keys = crate::model::secret_keys(o);
        // `stringData` (if a renderer ever writes it) joins `data`: no value stays literal.
        node.remove(&[], "stringData");
        if node.get_mut(&["data"]).is_none() {
            node.insert(&[], Some("type"), Item::entry("data", Node::Lit(json!({}))));
        }
        let mut items = Vec::new();
        for key in &keys {
            let path = [svc, "secrets", name, "values", key.as_str()];
            // A value the Compose project leaves empty stays optional (saying it is empty
            // reveals nothing); every other one is required at install time.
            let planned_empty =
                o["data"][key.as_str()] == json!("") || o["stringData"][key.as_str()] == json!("");
            let doc = if planned_empty {
                format!("Value of `{key}` (empty in the Compose project)")
            } else {
                format!("Value of `{key}` (empty: required at install)")
            };
            let r = self
                .values
                .leaf(&path, json!(""), &doc, schema::secret_value());
            let shown = path.join(".");
            let msg = format!(
                "{shown} is required: set it at install time (--set-string or a values file kept out of git), or set {svc}.secrets.{name}.existingSecret"
            );
            let expr = if planned_empty {
                format!("{r} | toString | b64enc | quote")
            } else {
                format!("required {} {r} | toString | b64enc | quote", quote(&msg))
            };
            items.push(Item::entry(key.clone(), Node::Expr(expr)));
        }
        node.set(&["data"], Node::Map(items));
        existing
    }

    /// A claim's size, class and `existingClaim`; returns the `existingClaim` reference.
    fn claim(&mut self, node: &mut Node, claim: &crate::model::Claim, o: &Value) -> String {
        self.values.doc(
            &[&claim.service, "persistence"],
            "PersistentVolumeClaims, by volume",
        );
        let base = [claim.service.as_str(), "persistence", claim.key.as_str()];
        let (_, name) = ident(o);
        self.values.doc(&base, &format!("Claim `{name}`"));
        self.volume_fields(node, &base, &["spec"], o.get("spec"), claim.static_volume);
        self.values.leaf(
            &[base[0], base[1], base[2], "existingClaim"],
            json!(""),
            "Use this existing PersistentVolumeClaim instead of creating one",
            schema::string(),
        )
    }

    /// `size` and `storageClass` of a claim spec at `spec_path`.
    fn volume_fields(
        &mut self,
        node: &mut Node,
        base: &[&str],
        spec_path: &[&str],
        spec: Option<&Value>,
        static_volume: bool,
    ) {
        let Some(spec) = spec else { return };
        fn field<'s>(base: &[&'s str], f: &'s str) -> Vec<&'s str> {
            base.iter().copied().chain(std::iter::once(f)).collect()
        }
        if let Some(size) = str_at(spec, &["resources", "requests", "storage"]) {
            let r = self.values.leaf(
                &field(base, "size"),
                json!(size),
                "Requested size",
                schema::quantity(),
            );
            let mut p: Vec<&str> = spec_path.to_vec();
            p.extend(["resources", "requests", "storage"]);
            node.set(&p, Node::Expr(format!("{r} | quote")));
        }
        if static_volume {
            return; // bound to a planned PersistentVolume: no class to choose
        }
        let planned = spec
            .get("storageClassName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let doc = match &planned {
            Some(c) => format!("Storage class; empty: `global.storageClasses.{c}`"),
            None => "Storage class; empty: the cluster's default class".to_string(),
        };
        let r = self.values.leaf(
            &field(base, "storageClass"),
            json!(""),
            &doc,
            schema::string(),
        );
        let mut p: Vec<&str> = spec_path.to_vec();
        match planned {
            Some(c) => {
                let g = self.global_class(&c);
                p.push("storageClassName");
                node.set(&p, Node::Expr(format!("{r} | default {g} | quote")));
            }
            None => {
                node.insert(
                    spec_path,
                    Some("accessModes"),
                    Item {
                        key: Some("storageClassName".into()),
                        node: Node::Expr(format!("{r} | quote")),
                        when: Some(r.clone()),
                    },
                );
            }
        }
    }

    fn global_class(&mut self, class: &str) -> String {
        self.values.leaf(
            &["global", "storageClasses", class],
            json!(class),
            &format!("Storage class for the claims homeport planned on `{class}`"),
            schema::non_empty(),
        )
    }

    fn workload(&mut self, node: &mut Node, o: &Value, svc: &str, tpl: &[&str]) {
        let kind = o["kind"].as_str().unwrap_or("");
        let autoscaled = self.model.autoscaled.contains(svc);
        if let Some(n) = at(o, &["spec", "replicas"]) {
            let r = self.values.leaf(
                &[svc, "replicaCount"],
                n.clone(),
                "Number of pods (when `autoscaling.enabled` is false)",
                schema::int(0, None),
            );
            node.set(&["spec", "replicas"], Node::Expr(format!("{r} | toJson")));
            if matches!(kind, "Deployment" | "StatefulSet") {
                // Every Deployment and StatefulSet is offered an autoscaler.
                if let Some(item) = node.item_mut(&["spec", "replicas"]) {
                    item.when = Some(format!("not {}", vref(&[svc, "autoscaling", "enabled"])));
                }
            }
        } else if autoscaled && matches!(kind, "Deployment" | "StatefulSet") {
            let n = self.model.owner(o).map_or(1, |p| p.replicas);
            let r = self.values.leaf(
                &[svc, "replicaCount"],
                json!(n),
                "Number of pods when `autoscaling.enabled` is false",
                schema::int(0, None),
            );
            node.insert(
                &["spec"],
                None,
                Item {
                    key: Some("replicas".into()),
                    node: Node::Expr(format!("{r} | toJson")),
                    when: Some(format!("not {}", vref(&[svc, "autoscaling", "enabled"]))),
                },
            );
        }
        let Some(template) = at(o, tpl) else { return };
        let spec: Vec<&str> = tpl.iter().copied().chain(["spec"]).collect();
        let pod = self.model.owner(o).cloned();
        // Containers: each from the values of its own Compose service.
        for (list, is_init) in [("initContainers", true), ("containers", false)] {
            let Some(cs) = at(template, &["spec", list]).and_then(Value::as_array) else {
                continue;
            };
            let mut conds = Vec::new();
            for (i, c) in cs.iter().enumerate() {
                let cname = c["name"].as_str().unwrap_or("");
                let idx = i.to_string();
                let mut path: Vec<&str> = spec.clone();
                path.extend([list, idx.as_str()]);
                if is_init {
                    // A wait for a service that is disabled would wait forever.
                    let target = cname
                        .strip_prefix("wait-for-")
                        .and_then(|t| self.model.service_of_pod(t));
                    if let (Some(t), Some(item)) = (target, node.item_mut(&path)) {
                        item.when = Some(enabled(t));
                    }
                    conds.push(target.map(enabled));
                    self.secret_refs(node, &path, c, o);
                    continue;
                }
                let Some(csvc) = pod.as_ref().and_then(|p| p.containers.get(cname)).cloned() else {
                    continue;
                };
                self.container(node, &path, c, &csvc);
                self.secret_refs(node, &path, c, o);
                if csvc != svc {
                    if let Some(item) = node.item_mut(&path) {
                        item.when = Some(enabled(&csvc));
                    }
                }
            }
            // When every wait may go, the list goes with the last of them.
            if is_init && conds.iter().all(Option::is_some) {
                let all: Vec<String> = conds.into_iter().flatten().collect();
                let mut p = spec.clone();
                p.push(list);
                if let (Some(item), Some(c)) = (node.item_mut(&p), join("or", &all)) {
                    item.when = Some(c);
                }
            }
        }
        // Claim templates: size and class per template.
        if let Some(ts) = at(o, &["spec", "volumeClaimTemplates"]).and_then(Value::as_array) {
            for (i, t) in ts.iter().enumerate() {
                let Some(tname) = str_at(t, &["metadata", "name"]) else {
                    continue;
                };
                self.values
                    .doc(&[svc, "persistence"], "PersistentVolumeClaims, by volume");
                let base = [svc, "persistence", tname];
                self.values
                    .doc(&base, &format!("Claims `{tname}-<pod>` of the StatefulSet"));
                let idx = i.to_string();
                self.volume_fields(
                    node,
                    &base,
                    &["spec", "volumeClaimTemplates", idx.as_str(), "spec"],
                    t.get("spec"),
                    false,
                );
            }
        }
        // Volumes: claims and Secrets by their values.
        if let Some(vols) = at(template, &["spec", "volumes"]).and_then(Value::as_array) {
            let (ns, _) = ident(o);
            for (i, v) in vols.iter().enumerate() {
                let idx = i.to_string();
                let mut path: Vec<&str> = spec.clone();
                path.extend(["volumes", idx.as_str()]);
                if let Some(claim) = str_at(v, &["persistentVolumeClaim", "claimName"]) {
                    if let Some(c) = self.model.claims.get(&(ns.clone(), claim.to_string())) {
                        let r = vref(&[&c.service, "persistence", &c.key, "existingClaim"]);
                        path.extend(["persistentVolumeClaim", "claimName"]);
                        node.set(
                            &path,
                            Node::Expr(format!("{r} | default {} | quote", quote(claim))),
                        );
                    }
                } else if let Some(secret) = str_at(v, &["secret", "secretName"]) {
                    if let Some(r) = self.existing_secret_ref(&ns, secret) {
                        path.extend(["secret", "secretName"]);
                        node.set(
                            &path,
                            Node::Expr(format!("{r} | default {} | quote", quote(secret))),
                        );
                    }
                }
            }
        }
        // Placement and the pod's security context.
        let psc = template["spec"]
            .get("securityContext")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let r = self.values.leaf(
            &[svc, "podSecurityContext"],
            psc,
            "Pod security context",
            schema::object(),
        );
        let mut p = spec.clone();
        p.push("securityContext");
        if !node.set(
            &p,
            Node::Yaml {
                expr: r.clone(),
                optional: false,
                func: "toYaml".into(),
            },
        ) {
            node.insert(
                &spec,
                Some("enableServiceLinks"),
                Item::entry(
                    "securityContext",
                    Node::Yaml {
                        expr: r,
                        optional: true,
                        func: "toYaml".into(),
                    },
                ),
            );
        }
        let mut after = "securityContext".to_string();
        for (key, doc, sch) in [
            (
                "nodeSelector",
                "Node labels the pods must match",
                schema::string_map(),
            ),
            (
                "affinity",
                "Affinity rules (homeport's placement decisions)",
                schema::object(),
            ),
            ("tolerations", "Tolerations", schema::list()),
        ] {
            let current = template["spec"].get(key).cloned();
            let default = current.clone().unwrap_or_else(|| {
                if key == "tolerations" {
                    json!([])
                } else {
                    json!({})
                }
            });
            let r = self.values.leaf(&[svc, key], default, doc, sch);
            let yaml = Node::Yaml {
                expr: r,
                optional: true,
                func: "toYaml".into(),
            };
            let mut p = spec.clone();
            p.push(key);
            if current.is_some() {
                if let Some(item) = node.item_mut(&p) {
                    item.node = yaml;
                }
            } else {
                node.insert(&spec, Some(&after), Item::entry(key, yaml));
            }
            after = key.to_string();
        }
    }

    fn container(&mut self, node: &mut Node, path: &[&str], c: &Value, svc: &str) {
        fn with<'s>(path: &[&'s str], k: &'s str) -> Vec<&'s str> {
            path.iter().copied().chain(std::iter::once(k)).collect()
        }
        if let Some(image) = c["image"].as_str() {
            let (registry, repository, tag, digest) = crate::image::split(image);
            self.values.doc(&[svc, "image"], "Container image");
            self.values.leaf(
                &[svc, "image", "registry"],
                json!(registry),
                "Registry; `global.imageRegistry` overrides it",
                schema::string(),
            );
            self.values.leaf(
                &[svc, "image", "repository"],
                json!(repository),
                "Repository",
                schema::non_empty(),
            );
            self.values
                .leaf(&[svc, "image", "tag"], json!(tag), "Tag", schema::string());
            self.values.leaf(
                &[svc, "image", "digest"],
                json!(digest),
                "Digest (`sha256:...`); pins the image with or without a tag",
                schema::string(),
            );
            let img = vref(&[svc, "image"]);
            node.set(
                &with(path, "image"),
                Node::Expr(format!("include \"{}.image\" (dict \"image\" {img} \"global\" $.Values.global) | quote", self.prefix)),
            );
            let policy = c
                .get("imagePullPolicy")
                .and_then(Value::as_str)
                .unwrap_or("");
            let r = self.values.leaf(
                &[svc, "image", "pullPolicy"],
                json!(policy),
                "Pull policy; empty: Kubernetes' default",
                schema::pull_policy(),
            );
            if c.get("imagePullPolicy").is_some() {
                node.set(
                    &with(path, "imagePullPolicy"),
                    Node::Expr(format!("{r} | quote")),
                );
            } else {
                node.insert(
                    path,
                    Some("image"),
                    Item {
                        key: Some("imagePullPolicy".into()),
                        node: Node::Expr(format!("{r} | quote")),
                        when: Some(r.clone()),
                    },
                );
            }
        }
        // Without an env ConfigMap, `env` values become the container's `env` list.
        let cname = c["name"].as_str().unwrap_or("");
        let env_map = format!("{cname}-env");
        let has_env_map = c
            .get("envFrom")
            .and_then(Value::as_array)
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| str_at(r, &["configMapRef", "name"]) == Some(env_map.as_str()))
            });
        if !has_env_map && c.get("env").is_none() {
            let r = self.values.leaf(
                &[svc, "env"],
                json!({}),
                "Environment variables (set on the container); values are strings",
                schema::string_map(),
            );
            let after = ["workingDir", "args", "command", "imagePullPolicy", "image"]
                .into_iter()
                .find(|k| {
                    c.get(*k).is_some() || (*k == "imagePullPolicy" && c.get("image").is_some())
                });
            node.insert(
                path,
                after,
                Item::entry(
                    "env",
                    Node::Yaml {
                        expr: r,
                        optional: true,
                        func: format!("include \"{}.envList\"", self.prefix),
                    },
                ),
            );
        }
        if let Some(res) = c.get("resources") {
            let r = self.values.leaf(
                &[svc, "resources"],
                res.clone(),
                "Requests and limits (homeport's sizing)",
                schema::resources(),
            );
            node.set(
                &with(path, "resources"),
                Node::Yaml {
                    expr: r,
                    optional: false,
                    func: "toYaml".into(),
                },
            );
        }
        if let Some(sc) = c.get("securityContext") {
            let r = self.values.leaf(
                &[svc, "securityContext"],
                sc.clone(),
                "Container security context",
                schema::object(),
            );
            node.set(
                &with(path, "securityContext"),
                Node::Yaml {
                    expr: r,
                    optional: false,
                    func: "toYaml".into(),
                },
            );
        }
    }

    /// `envFrom` Secret references → `existingSecret` when set.
    fn secret_refs(&mut self, node: &mut Node, path: &[&str], c: &Value, o: &Value) {
        let (ns, _) = ident(o);
        let Some(refs) = c.get("envFrom").and_then(Value::as_array) else {
            return;
        };
        for (i, e) in refs.iter().enumerate() {
            if let Some(name) = str_at(e, &["secretRef", "name"]) {
                if let Some(r) = self.existing_secret_ref(&ns, name) {
                    let idx = i.to_string();
                    let p: Vec<&str> = path
                        .iter()
                        .copied()
                        .chain(["envFrom", idx.as_str(), "secretRef", "name"])
                        .collect();
                    node.set(
                        &p,
                        Node::Expr(format!("{r} | default {} | quote", quote(name))),
                    );
                }
            }
        }
    }

    fn existing_secret_ref(&self, ns: &str, name: &str) -> Option<String> {
        let svc = self
            .model
            .secrets
            .get(&(ns.to_string(), name.to_string()))?;
        Some(vref(&[svc, "secrets", name, "existingSecret"]))
    }

    /// Ingress class, hosts and TLS; returns the `ingress.enabled` reference.
    fn ingress(&mut self, node: &mut Node, o: &Value, svc: &str, name: &str) -> String {
        self.values.doc(
            &[svc, "ingress"],
            "Ingress (HTTP routes from outside the cluster)",
        );
        let on = self.values.leaf(
            &[svc, "ingress", "enabled"],
            json!(!self.offering),
            "Create the Ingress (and let the ingress controller reach the pod)",
            schema::boolean(),
        );
        if o["spec"].get("ingressClassName").is_some() {
            node.set(
                &["spec", "ingressClassName"],
                Node::Expr("$.Values.global.ingress.className | quote".into()),
            );
        }
        let rules = o["spec"]["rules"].as_array().cloned().unwrap_or_default();
        let mut host_exprs: Vec<(String, String)> = Vec::new(); // (literal host, expression)
        let mut extra = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(host) = rule["host"].as_str() else {
                continue;
            };
            let templated = match host.strip_suffix(&format!(".{}", self.domain)) {
                Some(sub) if !self.domain.is_empty() => {
                    format!("{sub}.{{{{ .Values.global.ingress.domain }}}}")
                }
                _ => host.to_string(),
            };
            let expr = if i == 0 {
                let r = self.values.leaf(
                    &[svc, "ingress", "host"],
                    json!(templated),
                    "Host name (a template: `global.ingress.domain` is the cluster's domain)",
                    schema::non_empty(),
                );
                format!("tpl {r} $ | quote")
            } else {
                extra.push(json!(templated));
                format!(
                    "tpl (index {} {}) $ | quote",
                    vref(&[svc, "ingress", "extraHosts"]),
                    i - 1
                )
            };
            let idx = i.to_string();
            node.set(
                &["spec", "rules", idx.as_str(), "host"],
                Node::Expr(expr.clone()),
            );
            host_exprs.push((host.to_string(), expr));
        }
        if !extra.is_empty() {
            self.values.leaf(
                &[svc, "ingress", "extraHosts"],
                json!(extra),
                "More host names, in the order of the Ingress rules",
                json!({"type": "array", "items": {"type": "string", "minLength": 1}}),
            );
        }
        let has_tls = o["spec"].get("tls").is_some();
        let tls = self.values.leaf(&[svc, "ingress", "tls"], json!(has_tls), "Serve HTTPS (certificate in Secret `<name>-tls`, from cert-manager when the cluster has an issuer)", schema::boolean());
        let hosts = Node::Seq(
            host_exprs
                .iter()
                .map(|(_, e)| Item {
                    key: None,
                    node: Node::Expr(e.clone()),
                    when: None,
                })
                .collect(),
        );
        let tls_node = Node::Seq(vec![Item {
            key: None,
            node: Node::Map(vec![
                Item::entry("hosts", hosts),
                Item::entry("secretName", Node::Lit(json!(format!("{name}-tls")))),
            ]),
            when: None,
        }]);
        if has_tls {
            if let Some(item) = node.item_mut(&["spec", "tls"]) {
                item.node = tls_node;
                item.when = Some(tls.clone());
            }
        } else {
            let last = node
                .value(&["spec"])
                .and_then(|s| s.as_object().and_then(|m| m.keys().next_back().cloned()));
            node.insert(
                &["spec"],
                last.as_deref().or(Some("rules")),
                Item {
                    key: Some("tls".into()),
                    node: tls_node,
                    when: Some(tls.clone()),
                },
            );
        }
        if let Some(issuer) = self.issuer.clone() {
            let ann = at(o, &["metadata", "annotations"]).is_some();
            let item = Item {
                key: Some("cert-manager.io/cluster-issuer".into()),
                node: Node::Lit(json!(issuer)),
                when: Some(tls.clone()),
            };
            if ann {
                if let Some(i) =
                    node.item_mut(&["metadata", "annotations", "cert-manager.io/cluster-issuer"])
                {
                    i.when = Some(tls);
                } else {
                    node.insert(
                        &["metadata", "annotations"],
                        Some(crate::SOURCE_ANNOTATION),
                        item,
                    );
                }
            }
        }
        on
    }

    /// Autoscaler bounds and targets; returns the `autoscaling.enabled` reference.
    fn autoscaler(&mut self, node: &mut Node, o: &Value, svc: &str) -> String {
        self.values
            .doc(&[svc, "autoscaling"], "HorizontalPodAutoscaler");
        let on = self.values.leaf(
            &[svc, "autoscaling", "enabled"],
            json!(!self.offering),
            "Scale with load (the workload then has no fixed replicas)",
            schema::boolean(),
        );
        for (key, field) in [
            ("minReplicas", "minReplicas"),
            ("maxReplicas", "maxReplicas"),
        ] {
            let n = o["spec"].get(field).cloned().unwrap_or(json!(1));
            let r = self.values.leaf(
                &[svc, "autoscaling", key],
                n,
                &format!("{key} of the autoscaler"),
                schema::int(1, None),
            );
            node.set(&["spec", field], Node::Expr(format!("{r} | toJson")));
        }
        let metrics = o["spec"]["metrics"].as_array().cloned().unwrap_or_default();
        let target = |name: &str| {
            metrics
                .iter()
                .find(|m| str_at(m, &["resource", "name"]) == Some(name))
                .and_then(|m| at(m, &["resource", "target", "averageUtilization"]))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let mut items = Vec::new();
        for (res, key) in [
            ("cpu", "targetCPUUtilizationPercentage"),
            ("memory", "targetMemoryUtilizationPercentage"),
        ] {
            let r = self.values.leaf(
                &[svc, "autoscaling", key],
                target(res),
                &format!(
                    "Average {res} utilisation to keep (percent of requests); null: not a metric"
                ),
                schema::percent_or_null(),
            );
            let m = Node::Map(vec![
                Item::entry("type", Node::Lit(json!("Resource"))),
                Item::entry(
                    "resource",
                    Node::Map(vec![
                        Item::entry("name", Node::Lit(json!(res))),
                        Item::entry(
                            "target",
                            Node::Map(vec![
                                Item::entry("type", Node::Lit(json!("Utilization"))),
                                Item::entry(
                                    "averageUtilization",
                                    Node::Expr(format!("{r} | toJson")),
                                ),
                            ]),
                        ),
                    ]),
                ),
            ]);
            items.push(Item {
                key: None,
                node: m,
                when: Some(r),
            });
        }
        node.set(&["spec", "metrics"], Node::Seq(items));
        on
    }

    /// NetworkPolicy rules: a peer that names a service is there only while the service is
    /// enabled; a rule whose peers all name services goes with the last of them.
    fn network_policy(&mut self, node: &mut Node, o: &Value) {
        // The ingress controller's rule goes with the service's Ingress.
        if let Some(p) = self.model.owner(o).cloned() {
            let on = vref(&[&p.service, "ingress", "enabled"]);
            let rules = at(o, &["spec", "ingress"])
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, rule) in rules.iter().enumerate() {
                if rule.get("from") == Some(&json!([self.controller])) {
                    let ri = i.to_string();
                    if let Some(item) = node.item_mut(&["spec", "ingress", ri.as_str()]) {
                        item.when = Some(on.clone());
                    }
                }
            }
            if let Some(route) = self.offered_routes.get(&p.service).cloned() {
                let rule = json!({"from": [self.controller], "ports": [{"protocol": route.protocol, "port": route.target}]});
                let item = Item {
                    key: None,
                    node: Node::tree(&rule),
                    when: Some(on.clone()),
                };
                match node.get_mut(&["spec", "ingress"]) {
                    Some(Node::Seq(items)) => items.push(item),
                    _ => {
                        node.insert(
                            &["spec"],
                            Some("policyTypes"),
                            Item {
                                key: Some("ingress".into()),
                                node: Node::Seq(vec![item]),
                                when: Some(on.clone()),
                            },
                        );
                    }
                }
            }
        }
        for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
            let Some(rules) = at(o, &["spec", dir]).and_then(Value::as_array) else {
                continue;
            };
            let mut rule_conds = Vec::new();
            for (i, rule) in rules.iter().enumerate() {
                let peers = rule
                    .get(peers_key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut conds = Vec::new();
                let mut all_named = !peers.is_empty();
                for (j, peer) in peers.iter().enumerate() {
                    let named = str_at(peer, &["podSelector", "matchLabels", NAME_LABEL])
                        .and_then(|n| self.model.service_of_pod(n));
                    match named {
                        Some(svc) => {
                            let c = enabled(svc);
                            let (ri, pj) = (i.to_string(), j.to_string());
                            if let Some(item) =
                                node.item_mut(&["spec", dir, ri.as_str(), peers_key, pj.as_str()])
                            {
                                item.when = Some(c.clone());
                            }
                            conds.push(c);
                        }
                        None => all_named = false,
                    }
                }
                if all_named {
                    let c = join("or", &conds);
                    let ri = i.to_string();
                    if let Some(item) = node.item_mut(&["spec", dir, ri.as_str()]) {
                        item.when = c.clone();
                    }
                    rule_conds.push(c);
                } else {
                    rule_conds.push(None);
                }
            }
            if !rule_conds.is_empty() && rule_conds.iter().all(Option::is_some) {
                let all: Vec<String> = rule_conds.into_iter().flatten().collect();
                if let Some(item) = node.item_mut(&["spec", dir]) {
                    item.when = join("or", &all);
                }
            }
        }
    }
}
