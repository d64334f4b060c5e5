//! `--secrets external-secrets`: every Secret becomes an ExternalSecret (external-secrets.io/v1)
//! that makes the external-secrets operator create the same Secret (name, namespace, type,
//! labels, annotations, keys) from a secret store, so the tree holds no secret value and can
//! live in git. The values go into the store under `<namespace>/<secret name>`, one property
//! per key ([`StoreEntry`], listed in the tree's README).

use crate::codes::INVALID_OBJECT;
use homeport_diag::{Diagnostic, Diagnostics};
use serde_json::{json, Map, Value};

/// One entry the user creates in the secret store: a remote key and its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEntry {
    /// `<namespace>/<secret name>`.
    pub remote_key: String,
    /// The Secret's data keys (values are never kept).
    pub properties: Vec<String>,
}

/// The objects with each Secret replaced by an ExternalSecret reading from the
/// ClusterSecretStore `store`, and the store entries they read.
pub fn external_secrets(
    objects: &[Value],
    store: &str,
) -> Result<(Vec<Value>, Vec<StoreEntry>), Diagnostics> {
    let mut out = Vec::with_capacity(objects.len());
    let mut entries = Vec::new();
    let mut diags = Diagnostics::new();
    for object in objects {
        if object.get("kind").and_then(Value::as_str) != Some("Secret") {
            out.push(object.clone());
            continue;
        }
        let meta = object.get("metadata");
        let text = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
        let Some(name) = text("name") else {
            diags.push(
                Diagnostic::error(INVALID_OBJECT, "a Secret has no metadata.name")
                    .with_help("this is a bug in homeport's renderer; please report it"),
            );
            continue;
        };
        let namespace = text("namespace");
        let mut keys: Vec<String> = Vec::new();
        for field in ["data", "stringData"] {
            if let Some(data) = object.get(field).and_then(Value::as_object) {
                keys.extend(
                    data.keys()
                        .filter(|k| !keys.contains(k))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
        let remote_key = match namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        let mut template_meta = Map::new();
        let mut es_meta = Map::new();
        es_meta.insert("name".into(), name.into());
        if let Some(ns) = namespace {
            es_meta.insert("namespace".into(), ns.into());
        }
        for key in ["labels", "annotations"] {
            if let Some(v) = meta
                .and_then(|m| m.get(key))
                .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            {
                template_meta.insert(key.into(), v.clone());
                es_meta.insert(key.into(), v.clone());
            }
        }
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("Opaque");
        let mut template = Map::new();
        template.insert("type".into(), kind.into());
        if !template_meta.is_empty() {
            template.insert("metadata".into(), Value::Object(template_meta));
        }
        let data: Vec<Value> = keys
            .iter()
            .map(|k| json!({"secretKey": k, "remoteRef": {"key": remote_key, "property": k}}))
            .collect();
        out.push(json!({
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": es_meta,
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": store},
                "target": {"name": name, "creationPolicy": "Owner", "template": template},
                "data": data,
            },
        }));
        entries.push(StoreEntry {
            remote_key,
            properties: keys,
        });
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((out, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_become_external_secrets_without_values() {
        let objects = vec![
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db-env", "namespace": "app", "labels": {"app.kubernetes.io/name": "db"}},
                "type": "Opaque", "data": {"POSTGRES_PASSWORD": "aHVudGVyMg=="}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "app"}}),
        ];
        let (out, entries) = external_secrets(&objects, "vault").unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], objects[1]);
        let es = &out[0];
        assert_eq!(es["kind"], "ExternalSecret");
        assert_eq!(es["spec"]["secretStoreRef"]["name"], "vault");
        assert_eq!(es["spec"]["target"]["name"], "db-env");
        assert_eq!(
            es["spec"]["target"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"],
            "db"
        );
        assert_eq!(
            es["spec"]["data"],
            json!([{"secretKey": "POSTGRES_PASSWORD", "remoteRef": {"key": "app/db-env", "property": "POSTGRES_PASSWORD"}}])
        );
        assert!(!es.to_string().contains("aHVudGVyMg"));
        assert_eq!(
            entries,
            vec![StoreEntry {
                remote_key: "app/db-env".into(),
                properties: vec!["POSTGRES_PASSWORD".into()]
            }]
        );
    }
}
