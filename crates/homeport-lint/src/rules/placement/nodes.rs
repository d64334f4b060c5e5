//! Which nodes of the cluster inventory a pod can be scheduled on: nodeName, nodeSelector,
//! required node affinity and NoSchedule taints, as the scheduler evaluates them.

use crate::cluster::{Cluster, Node};
use crate::selector::Expression;
use crate::workload::PodTemplate;
use homeport_manifest::FieldPath;
use serde_json::Value;

/// The constraint that left no node, for the message and the position.
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub path: FieldPath,
    pub what: String,
}

/// Nodes after each constraint, or the first constraint that left none.
pub fn eligible<'c>(cluster: &'c Cluster, t: &PodTemplate<'_>) -> Result<Vec<&'c Node>, Exclusion> {
    let mut nodes: Vec<&Node> = cluster.nodes.iter().collect();
    if nodes.is_empty() {
        return Ok(nodes);
    }
    if let Some(name) = t
        .get("nodeName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        nodes.retain(|n| n.name == name);
        if nodes.is_empty() {
            return Err(Exclusion {
                path: t.spec_path.key("nodeName"),
                what: format!("`nodeName: {name}` names no node of the cluster"),
            });
        }
        // nodeName bypasses the scheduler: selectors and taints are checked by the kubelet
        // only for selectors; keep going.
    }
    if let Some(sel) = t.get("nodeSelector").and_then(Value::as_object) {
        for (k, v) in sel {
            let want = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            let before: Vec<String> = nodes.iter().map(|n| describe(n, k)).collect();
            nodes.retain(|n| n.labels.get(k) == Some(&want));
            if nodes.is_empty() {
                return Err(Exclusion {
                    path: t.spec_path.key("nodeSelector").key(k.as_str()),
                    what: format!(
                        "no node has the label `{k}={want}` (nodes: {})",
                        before.join(", ")
                    ),
                });
            }
        }
    }
    let terms = t
        .get("affinity")
        .and_then(|a| a.get("nodeAffinity"))
        .and_then(|n| n.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(|r| r.get("nodeSelectorTerms"))
        .and_then(Value::as_array);
    if let Some(terms) = terms {
        let before: Vec<&Node> = nodes.clone();
        nodes.retain(|n| terms.iter().any(|term| term_matches(term, n)));
        if nodes.is_empty() {
            let names: Vec<String> = before
                .iter()
                .map(|n| format!("{} ({})", n.name, n.arch))
                .collect();
            return Err(Exclusion {
                path: t
                    .spec_path
                    .join("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"),
                what: format!(
                    "no node matches the required node affinity (nodes: {})",
                    names.join(", ")
                ),
            });
        }
    }
    if t.get("nodeName").is_none() {
        let tolerations = t
            .get("tolerations")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let before: Vec<&Node> = nodes.clone();
        nodes.retain(|n| {
            n.taints
                .iter()
                .all(|(k, v)| tolerations.iter().any(|tol| tolerates(tol, k, v)))
        });
        if nodes.is_empty() {
            let taints: Vec<String> = before
                .iter()
                .flat_map(|n| {
                    n.taints
                        .iter()
                        .map(move |(k, v)| format!("{}: {k}={v}:NoSchedule", n.name))
                })
                .collect();
            return Err(Exclusion {
                path: t.spec_path.clone(),
                what: format!(
                    "every node it may use is tainted and the pod tolerates none of it ({})",
                    taints.join(", ")
                ),
            });
        }
    }
    Ok(nodes)
}

fn describe(n: &Node, key: &str) -> String {
    match n.labels.get(key) {
        Some(v) => format!("{} has {key}={v}", n.name),
        None => format!("{} has no {key}", n.name),
    }
}

fn term_matches(term: &Value, node: &Node) -> bool {
    let exprs = term.get("matchExpressions").and_then(Value::as_array);
    let fields = term.get("matchFields").and_then(Value::as_array);
    if exprs.is_none_or(Vec::is_empty) && fields.is_none_or(Vec::is_empty) {
        return false; // an empty term matches no node
    }
    let ok = |list: Option<&Vec<Value>>, get: &dyn Fn(&str) -> Option<String>| {
        list.is_none_or(|l| {
            l.iter().all(|e| {
                let expr = Expression {
                    key: e
                        .get("key")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    operator: e
                        .get("operator")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    values: e
                        .get("values")
                        .and_then(Value::as_array)
                        .map(|vs| vs.iter().filter_map(crate::selector::scalar_text).collect())
                        .unwrap_or_default(),
                };
                expr.matches(get(&expr.key))
            })
        })
    };
    ok(exprs, &|k| node.labels.get(k).cloned())
        && ok(fields, &|k| {
            (k == "metadata.name").then(|| node.name.clone())
        })
}

fn tolerates(tol: &Value, key: &str, value: &str) -> bool {
    let effect = tol.get("effect").and_then(Value::as_str).unwrap_or("");
    if !(effect.is_empty() || effect == "NoSchedule") {
        return false;
    }
    let tkey = tol.get("key").and_then(Value::as_str).unwrap_or("");
    let op = tol
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or("Equal");
    match op {
        "Exists" => tkey.is_empty() || tkey == key,
        _ => tkey == key && tol.get("value").and_then(Value::as_str).unwrap_or("") == value,
    }
}
