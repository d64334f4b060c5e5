//! Ingresses (class, hosts, TLS) and autoscalers (bounds, targets).

use super::*;

impl Builder<'_> {
    /// Ingress class, hosts and TLS; returns the `ingress.enabled` reference.
    pub(super) fn ingress(&mut self, node: &mut Node, o: &Value, svc: &str, name: &str) -> String {
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
    pub(super) fn autoscaler(&mut self, node: &mut Node, o: &Value, svc: &str) -> String {
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
}
