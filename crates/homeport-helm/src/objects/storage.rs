//! Claims: size, storage class (per claim or per planned class) and `existingClaim`.

use super::*;

impl Builder<'_> {
    /// A claim's size, class and `existingClaim`; returns the `existingClaim` reference.
    pub(super) fn claim(
        &mut self,
        node: &mut Node,
        claim: &crate::model::Claim,
        o: &Value,
    ) -> String {
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
    pub(super) fn volume_fields(
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

    pub(super) fn global_class(&mut self, class: &str) -> String {
        self.values.leaf(
            &["global", "storageClasses", class],
            json!(class),
            &format!("Storage class for the claims homeport planned on `{class}`"),
            schema::non_empty(),
        )
    }
}
