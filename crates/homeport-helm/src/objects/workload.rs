//! Workloads: replicas, each container from its own service's values (image, resources,
//! env, security context), placement, dependency waits and references to claims and Secrets.

use super::*;

impl Builder<'_> {
    pub(super) fn workload(&mut self, node: &mut Node, o: &Value, svc: &str, tpl: &[&str]) {
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
        // Pull secrets: a Secret the user made (`existingSecret`) replaces the written one.
        if let Some(refs) = at(template, &["spec", "imagePullSecrets"]).and_then(Value::as_array) {
            let (ns, _) = ident(o);
            for (i, r) in refs.iter().enumerate() {
                let Some(secret) = str_at(r, &["name"]) else {
                    continue;
                };
                if let Some(existing) = self.existing_secret_ref(&ns, secret) {
                    let idx = i.to_string();
                    let mut path: Vec<&str> = spec.clone();
                    path.extend(["imagePullSecrets", idx.as_str(), "name"]);
                    node.set(
                        &path,
                        Node::Expr(format!("{existing} | default {} | quote", quote(secret))),
                    );
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

    pub(super) fn container(&mut self, node: &mut Node, path: &[&str], c: &Value, svc: &str) {
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
}
