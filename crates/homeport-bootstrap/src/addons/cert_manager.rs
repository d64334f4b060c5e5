//! cert-manager (with its CRDs) and the ClusterIssuer the inventory names.
//!
//! For a public domain the issuer is Let's Encrypt (ACME, HTTP-01 through the inventory's
//! ingress class; the account e-mail is a placeholder). A private domain (`home.arpa`,
//! `.lan`, `.local`, `.internal`, ...) cannot get a public certificate, so the issuer is a
//! cluster CA: a self-signed root whose certificate users import into their browsers.

use super::helm::helm_chart;
use crate::charts;
use homeport_plan::cluster::Cluster;
use serde_json::{json, Value};

pub const NAMESPACE: &str = "cert-manager";
pub const EMAIL_PLACEHOLDER: &str = "<ACME_EMAIL>";
/// The CA's Secret (namespace cert-manager) when the domain is private.
pub const CA_SECRET: &str = "homeport-ca";

pub fn chart() -> Value {
    helm_chart(
        "cert-manager",
        charts::CERT_MANAGER,
        NAMESPACE,
        &json!({"crds": {"enabled": true}}),
    )
}

/// Domains no public CA issues certificates for.
pub fn is_private_domain(domain: &str) -> bool {
    const PRIVATE: [&str; 9] = [
        "arpa",
        "local",
        "lan",
        "internal",
        "home",
        "localdomain",
        "test",
        "intranet",
        "corp",
    ];
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    !domain.contains('.') || PRIVATE.contains(&tld)
}

/// The issuer objects (custom resources: applied once cert-manager runs).
pub fn issuer(cluster: &Cluster) -> Vec<Value> {
    let name = cluster.ingress.issuer.as_deref().unwrap_or("homeport");
    if is_private_domain(&cluster.domain) {
        let root = format!("{name}-selfsigned");
        vec![
            json!({
                "apiVersion": "cert-manager.io/v1",
                "kind": "ClusterIssuer",
                "metadata": {"name": root},
                "spec": {"selfSigned": {}},
            }),
            json!({
                "apiVersion": "cert-manager.io/v1",
                "kind": "Certificate",
                "metadata": {"name": CA_SECRET, "namespace": NAMESPACE},
                "spec": {
                    "isCA": true,
                    "commonName": format!("{} homeport CA", cluster.name),
                    "secretName": CA_SECRET,
                    "duration": "87600h",
                    "privateKey": {"algorithm": "ECDSA", "size": 256},
                    "issuerRef": {"name": root, "kind": "ClusterIssuer", "group": "cert-manager.io"},
                },
            }),
            json!({
                "apiVersion": "cert-manager.io/v1",
                "kind": "ClusterIssuer",
                "metadata": {"name": name},
                "spec": {"ca": {"secretName": CA_SECRET}},
            }),
        ]
    } else {
        vec![json!({
            "apiVersion": "cert-manager.io/v1",
            "kind": "ClusterIssuer",
            "metadata": {"name": name},
            "spec": {"acme": {
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "email": EMAIL_PLACEHOLDER,
                "privateKeySecretRef": {"name": format!("{name}-account-key")},
                "solvers": [{"http01": {"ingress": {"ingressClassName": cluster.ingress.class_name}}}],
            }},
        })]
    }
}
