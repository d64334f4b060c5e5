//! NetworkPolicies: peers and rules that name a service go with it; the ingress controller's
//! rule goes with the service's Ingress.

use super::*;

impl Builder<'_> {
    /// NetworkPolicy rules: a peer that names a service is there only while the service is
    /// enabled; a rule whose peers all name services goes with the last of them.
    pub(super) fn network_policy(&mut self, node: &mut Node, o: &Value) {
        // The ingress controller's rule goes with the service's Ingress.
        if let Some(p) = self.model.owner(o).cloned() {
            let on = vref(&[&p.service, "ingress", "enabled"]);
            let rules = at(o, &["spec", "ingress"])
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, rule) in rules.iter().enumerate() {
                let auth_only = rule
                    .get("ports")
                    .and_then(Value::as_array)
                    .is_some_and(|ports| {
                        !ports.is_empty()
                            && ports.iter().all(|port| {
                                port["port"]
                                    .as_u64()
                                    .and_then(|n| u16::try_from(n).ok())
                                    .is_some_and(|n| p.auth_targets.contains(&n))
                            })
                    });
                if rule.get("from") == Some(&json!([self.controller])) && !auth_only {
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
