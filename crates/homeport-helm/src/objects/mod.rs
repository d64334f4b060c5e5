//! Each rendered object as a template: known fields replaced by values, the object (and the
//! NetworkPolicy rules, containers and dependency waits that name a service) conditional on
//! the service being enabled. Fields the chart does not know stay literal, so whatever the
//! renderer adds appears in the chart unchanged.

mod config;
mod exposure;
mod network_policy;
mod storage;
mod workload;

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
                } else if let Some(class) = str_at(o, &["spec", "storageClassName"])
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                {
                    // A claim of no service (the backup claim): its class follows the same
                    // `global.storageClasses` value as the services' claims on that class
                    // (an empty class binds a static volume: kept).
                    let g = self.global_class(&class);
                    node.set(
                        &["spec", "storageClassName"],
                        Node::Expr(format!("{g} | quote")),
                    );
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
            k => match (pod_template_path(k), &owner) {
                (Some(path), Some(p)) => self.workload(&mut node, o, &p.service, path),
                // A pod of no service (a database's backup jobs) may use that database's
                // Secrets: it follows their `existingSecret` too.
                (Some(path), None) => self.secret_references(&mut node, o, path),
                _ => {}
            },
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
}
