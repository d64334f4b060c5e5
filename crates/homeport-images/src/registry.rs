//! One image's facts from its registry (OCI distribution API through `oci-client`): the
//! reference's manifest (a multi-platform index lists the platforms; the Linux amd64 entry,
//! else the first Linux one, is followed), that platform's manifest, its config blob, and
//! for a named user the few top layers needed to find `/etc/passwd`.

use crate::capped::{CappedBuffer, CONFIG_LIMIT};
use crate::passwd;
use homeport_plan::facts::{ImageFacts, ImageHealthcheck, UserFact};
use oci_client::client::ClientConfig;
use oci_client::manifest::{OciDescriptor, OciManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::collections::BTreeMap;
use std::time::Duration;

/// Why an image's registry could not tell its facts.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    Distribution(#[source] oci_client::errors::OciDistributionError),
    /// The registry refused with OCI error codes (`TOOMANYREQUESTS`, `DENIED`, ...).
    #[error("the registry refused: {0}")]
    Refused(String),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("the image config is not valid JSON: {0}")]
    BadConfig(String),
    #[error("the index lists no Linux image")]
    NoLinuxImage,
}

impl From<oci_client::errors::OciDistributionError> for RegistryError {
    fn from(e: oci_client::errors::OciDistributionError) -> Self {
        use oci_client::errors::OciDistributionError as E;
        match e {
            E::RegistryError { envelope, url } => {
                let errors: Vec<String> = envelope
                    .errors
                    .iter()
                    .map(|err| {
                        let code = serde_json::to_value(&err.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_else(|| format!("{:?}", err.code));
                        if err.message.is_empty() {
                            code
                        } else {
                            format!("{code} ({})", err.message)
                        }
                    })
                    .collect();
                RegistryError::Refused(format!("{} for {url}", errors.join(", ")))
            }
            other => RegistryError::Distribution(other),
        }
    }
}

/// Layers larger than this are not downloaded to look for `/etc/passwd` (the layer that
/// adds a user is small; the base image's is not worth the wait).
const PASSWD_LAYER_LIMIT: i64 = 16 * 1024 * 1024;
/// At most this many layers (from the top) are searched for `/etc/passwd`.
const PASSWD_LAYER_COUNT: usize = 4;

/// A client for the registries of `loopback` (reached over plain HTTP), with `timeout` for
/// connecting and for each read.
pub fn client(loopback: Vec<String>, timeout: Duration) -> Client {
    // reqwest's rustls is built without a default crypto provider; use ring's. Installing
    // twice is harmless (the first one stays).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new(ClientConfig {
        protocol: oci_client::client::ClientProtocol::HttpsExcept(loopback),
        connect_timeout: Some(timeout),
        read_timeout: Some(timeout),
        ..ClientConfig::default()
    })
}

/// Fetch the facts of `reference` (source left empty for the caller to set). Looking for
/// `/etc/passwd` gets at most `passwd_budget`; past it the facts come without `user_ids`.
pub async fn fetch(
    client: &Client,
    reference: &Reference,
    auth: &RegistryAuth,
    passwd_budget: Duration,
) -> Result<ImageFacts, RegistryError> {
    let (manifest, digest) = client.pull_manifest(reference, auth).await?;
    let (image_manifest, platforms) = match manifest {
        OciManifest::Image(m) => (m, Vec::new()),
        OciManifest::ImageIndex(index) => {
            let mut platforms: Vec<(String, String)> = index
                .manifests
                .iter()
                .filter_map(|e| {
                    let p = e.platform.as_ref()?;
                    let mut name = format!("{}/{}", p.os, p.architecture);
                    if let Some(v) = p.variant.as_deref().filter(|v| !v.is_empty()) {
                        name.push('/');
                        name.push_str(v);
                    }
                    Some((name, e.digest.clone()))
                })
                .filter(|(name, _)| name.starts_with("linux/"))
                .collect();
            platforms.sort();
            platforms.dedup();
            let chosen = platforms
                .iter()
                .find(|(n, _)| n == "linux/amd64")
                .or_else(|| platforms.first())
                .map(|(_, d)| d.clone())
                .ok_or(RegistryError::NoLinuxImage)?;
            let (inner, _) = client
                .pull_manifest(&reference.clone_with_digest(chosen), auth)
                .await?;
            let OciManifest::Image(m) = inner else {
                return Err(RegistryError::NoLinuxImage);
            };
            (m, platforms.into_iter().map(|(n, _)| n).collect())
        }
    };
    if image_manifest.config.size > CONFIG_LIMIT as i64 {
        return Err(RegistryError::BadConfig(format!(
            "the manifest declares a config of {} bytes, more than the {} KiB limit",
            image_manifest.config.size,
            CONFIG_LIMIT / 1024
        )));
    }
    let mut config = CappedBuffer::new(CONFIG_LIMIT);
    client
        .pull_blob(reference, &image_manifest.config, &mut config)
        .await?;
    let mut facts = facts_from_config(&config.bytes)?;
    facts.digest = digest;
    if !platforms.is_empty() {
        facts.platforms = platforms;
    }
    // A named user needs its uid; a uid without a group its primary group (as Docker
    // reads them from the image's /etc/passwd).
    let wanted = match facts.user_fact() {
        UserFact::Named(name) => Some(name.to_string()),
        UserFact::Numeric { uid, gid: None } => Some(uid.to_string()),
        _ => None,
    };
    if let Some(name) = wanted {
        let search = find_user(client, reference, &image_manifest.layers, &name);
        facts.user_ids = tokio::time::timeout(passwd_budget, search)
            .await
            .ok()
            .flatten();
    }
    Ok(facts)
}

/// The uid/gid of `name` (or of a uid) from `/etc/passwd` in the topmost layer that has one (only small
/// layers, only the top few; `None` when not found there).
async fn find_user(
    client: &Client,
    reference: &Reference,
    layers: &[OciDescriptor],
    name: &str,
) -> Option<(u32, u32)> {
    for layer in layers.iter().rev().take(PASSWD_LAYER_COUNT) {
        if layer.size > PASSWD_LAYER_LIMIT {
            return None;
        }
        let mut blob = CappedBuffer::new(PASSWD_LAYER_LIMIT as usize);
        if client.pull_blob(reference, layer, &mut blob).await.is_err() {
            return None;
        }
        if let Some(text) = passwd::passwd_in_layer(&blob.bytes) {
            return passwd::lookup(&text, name);
        }
    }
    None
}

/// The facts an image config blob (`application/vnd.oci.image.config.v1+json`) states.
pub fn facts_from_config(raw: &[u8]) -> Result<ImageFacts, RegistryError> {
    let doc: serde_json::Value =
        serde_json::from_slice(raw).map_err(|e| RegistryError::BadConfig(e.to_string()))?;
    if !doc.is_object() {
        return Err(RegistryError::BadConfig("not an object".into()));
    }
    let config = doc.get("config").cloned().unwrap_or_default();
    let text = |v: Option<&serde_json::Value>| -> String {
        v.and_then(|v| v.as_str()).unwrap_or_default().to_string()
    };
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let keys = |v: Option<&serde_json::Value>| -> Vec<String> {
        let mut out: Vec<String> = v
            .and_then(|v| v.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        out.sort();
        out
    };
    let healthcheck = config.get("Healthcheck").and_then(|h| {
        let test = strings(h.get("Test"));
        let num = |k: &str| h.get(k).and_then(|v| v.as_u64()).filter(|n| *n > 0);
        (!test.is_empty()).then(|| ImageHealthcheck {
            test,
            interval_ns: num("Interval"),
            timeout_ns: num("Timeout"),
            start_period_ns: num("StartPeriod"),
            start_interval_ns: num("StartInterval"),
            retries: num("Retries"),
        })
    });
    let labels: BTreeMap<String, String> = config
        .get("Labels")
        .and_then(|l| l.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let os = text(doc.get("os"));
    let arch = text(doc.get("architecture"));
    let variant = text(doc.get("variant"));
    let platforms = if os.is_empty() || arch.is_empty() {
        Vec::new()
    } else if variant.is_empty() {
        vec![format!("{os}/{arch}")]
    } else {
        vec![format!("{os}/{arch}/{variant}")]
    };
    Ok(ImageFacts {
        source: String::new(),
        digest: String::new(),
        user: text(config.get("User")),
        user_ids: None,
        exposed_ports: keys(config.get("ExposedPorts")),
        volumes: keys(config.get("Volumes")),
        healthcheck,
        entrypoint: strings(config.get("Entrypoint")),
        cmd: strings(config.get("Cmd")),
        env: strings(config.get("Env")),
        workdir: text(config.get("WorkingDir")),
        platforms,
        labels,
    })
}

/// Seconds of a timeout for messages.
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    d.as_secs().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_facts() {
        let raw = br#"{"architecture":"arm64","os":"linux","variant":"v8","config":{
            "User":"1000:1000","ExposedPorts":{"9100/tcp":{},"53/udp":{}},
            "Volumes":{"/data":{}},"Env":["PATH=/bin","PGDATA=/var/lib/pg"],
            "Entrypoint":["/bin/app"],"Cmd":["serve"],"WorkingDir":"/app",
            "Labels":{"org.opencontainers.image.source":"https://example.org"},
            "Healthcheck":{"Test":["CMD-SHELL","wget -q http://localhost:9100/"],"Interval":30000000000,"Retries":3}}}"#;
        let f = facts_from_config(raw).unwrap();
        assert_eq!(f.user, "1000:1000");
        assert_eq!(f.exposed_ports, vec!["53/udp", "9100/tcp"]);
        assert_eq!(f.volumes, vec!["/data"]);
        assert_eq!(f.env[1], "PGDATA=/var/lib/pg");
        assert_eq!(f.entrypoint, vec!["/bin/app"]);
        assert_eq!(f.cmd, vec!["serve"]);
        assert_eq!(f.workdir, "/app");
        assert_eq!(f.platforms, vec!["linux/arm64/v8"]);
        let hc = f.healthcheck.unwrap();
        assert_eq!(hc.interval_ns, Some(30_000_000_000));
        assert_eq!(hc.retries, Some(3));
        assert_eq!(hc.timeout_ns, None);
        assert_eq!(f.labels.len(), 1);
    }

    #[test]
    fn bad_configs() {
        assert!(facts_from_config(b"{not json").is_err());
        assert!(facts_from_config(b"[1,2]").is_err());
        let f = facts_from_config(b"{}").unwrap();
        assert_eq!(f.user, "");
        assert!(f.platforms.is_empty());
    }
}
