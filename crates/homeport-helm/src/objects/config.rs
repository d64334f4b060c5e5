//! Environment ConfigMaps and Secrets: env from values; Secret values from install-time
//! values (`required`) or a Secret the user made (`existingSecret`), never from the chart.

use super::*;

impl Builder<'_> {
    pub(super) fn env_config_map(&mut self, node: &mut Node, o: &Value, svc: &str) {
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
    pub(super) fn secret(&mut self, node: &mut Node, o: &Value, svc: &str, name: &str) -> String {
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

    /// `envFrom` Secret references → `existingSecret` when set.
    pub(super) fn secret_refs(&mut self, node: &mut Node, path: &[&str], c: &Value, o: &Value) {
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

    /// The Secret references of a pod of no service (`envFrom` and secret volumes of every
    /// container) → `existingSecret` when set.
    pub(super) fn secret_references(&mut self, node: &mut Node, o: &Value, tpl: &[&str]) {
        let Some(template) = at(o, tpl) else { return };
        let spec: Vec<&str> = tpl.iter().copied().chain(["spec"]).collect();
        for list in ["initContainers", "containers"] {
            let Some(cs) = at(template, &["spec", list]).and_then(Value::as_array) else {
                continue;
            };
            for (i, c) in cs.iter().enumerate() {
                let idx = i.to_string();
                let mut path = spec.clone();
                path.extend([list, idx.as_str()]);
                self.secret_refs(node, &path, c, o);
            }
        }
        let (ns, _) = ident(o);
        let Some(vols) = at(template, &["spec", "volumes"]).and_then(Value::as_array) else {
            return;
        };
        for (i, v) in vols.iter().enumerate() {
            let Some(secret) = str_at(v, &["secret", "secretName"]) else {
                continue;
            };
            if let Some(r) = self.existing_secret_ref(&ns, secret) {
                let idx = i.to_string();
                let mut path = spec.clone();
                path.extend(["volumes", idx.as_str(), "secret", "secretName"]);
                node.set(
                    &path,
                    Node::Expr(format!("{r} | default {} | quote", quote(secret))),
                );
            }
        }
    }

    pub(super) fn existing_secret_ref(&self, ns: &str, name: &str) -> Option<String> {
        let svc = self
            .model
            .secrets
            .get(&(ns.to_string(), name.to_string()))?;
        Some(vref(&[svc, "secrets", name, "existingSecret"]))
    }
}
