//! Registry credentials from the user's Docker configuration (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): the `auths` entries `docker login` writes. Credential
//! helpers (`credsStore`, `credHelpers`) are external programs and are not run: a registry
//! they serve is only known to need a login ([`Credentials::login`]).

use base64::Engine;
pub use homeport_plan::facts::RegistryLogin;
use oci_client::secrets::RegistryAuth;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `auths` of a Docker config: registry host -> (user, password); and the registries a
/// credential helper serves.
#[derive(Clone, Default)]
pub struct Credentials {
    by_host: BTreeMap<String, (String, String)>,
    /// `credHelpers`: registry host -> helper name.
    helpers: BTreeMap<String, String>,
    /// `credsStore`: the helper holding every `docker login` made while it was set (their
    /// `auths` entries are empty).
    store: Option<String>,
    /// Hosts of `auths` entries without a usable credential (kept by `credsStore`).
    empty_auths: Vec<String>,
}

/// Never the credentials themselves.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("auths", &self.by_host.keys().collect::<Vec<_>>())
            .field("helpers", &self.helpers)
            .field("store", &self.store)
            .finish()
    }
}

impl Credentials {
    /// Read the user's Docker config; none (anonymous access) when it is absent or unreadable.
    pub fn from_environment() -> Self {
        let dir = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker")));
        match dir {
            Some(dir) => std::fs::read_to_string(dir.join("config.json"))
                .map(|text| Self::parse(&text))
                .unwrap_or_default(),
            None => Self::default(),
        }
    }

    /// Parse a Docker config's `auths` (`auth` = base64 of `user:password`, or separate
    /// `username`/`password`).
    pub fn parse(text: &str) -> Self {
        let mut by_host = BTreeMap::new();
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
            return Self::default();
        };
        let helpers = doc
            .get("credHelpers")
            .and_then(|h| h.as_object())
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((host_of(k), v.as_str()?.to_string())))
                    .filter(|(_, v)| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let store = doc
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let mut empty_auths = Vec::new();
        let auths = doc
            .get("auths")
            .and_then(|a| a.as_object())
            .cloned()
            .unwrap_or_default();
        for (key, entry) in &auths {
            let pair = entry
                .get("auth")
                .and_then(|a| a.as_str())
                .and_then(|a| base64::engine::general_purpose::STANDARD.decode(a).ok())
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| {
                    s.split_once(':')
                        .map(|(u, p)| (u.to_string(), p.to_string()))
                })
                .or_else(|| {
                    let user = entry.get("username")?.as_str()?;
                    let pass = entry.get("password")?.as_str()?;
                    Some((user.to_string(), pass.to_string()))
                });
            match pair {
                Some(pair) => {
                    by_host.insert(host_of(key), pair);
                }
                None => empty_auths.push(host_of(key)),
            }
        }
        Self {
            by_host,
            helpers,
            store,
            empty_auths,
        }
    }

    /// How the config logs in to `registry`: an `auths` credential, else a `credHelpers`
    /// entry, else `credsStore` when `docker login` left an (empty) `auths` entry for it.
    pub fn login(&self, registry: &str) -> Option<RegistryLogin> {
        let host = host_of(registry);
        if self.by_host.contains_key(&host) {
            return Some(RegistryLogin::Auths);
        }
        if let Some(helper) = self.helpers.get(&host) {
            return Some(RegistryLogin::Helper(helper.clone()));
        }
        match &self.store {
            Some(store) if self.empty_auths.contains(&host) => {
                Some(RegistryLogin::Helper(store.clone()))
            }
            _ => None,
        }
    }

    /// The `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret holding this
    /// config's `auths` credential for `registry` (`None` without one). Docker Hub is keyed
    /// `https://index.docker.io/v1/`, as `docker login` writes it and the kubelet reads it.
    pub fn docker_config_json(&self, registry: &str) -> Option<Vec<u8>> {
        let host = host_of(registry);
        let (user, password) = self.by_host.get(&host)?;
        let key = if host == "docker.io" {
            "https://index.docker.io/v1/".to_string()
        } else {
            host
        };
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let doc = serde_json::json!({"auths": {key: {"username": user, "password": password, "auth": auth}}});
        serde_json::to_vec(&doc).ok()
    }

    /// The auth to use for `registry` (as in a reference: `docker.io`, `ghcr.io`,
    /// `localhost:5000`).
    pub fn for_registry(&self, registry: &str) -> RegistryAuth {
        let host = host_of(registry);
        match self.by_host.get(&host) {
            Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
            None => RegistryAuth::Anonymous,
        }
    }
}

/// `https://index.docker.io/v1/` -> `docker.io`; `ghcr.io/` -> `ghcr.io`.
pub fn host_of(key: &str) -> String {
    let rest = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auths() {
        let c = Credentials::parse(
            r#"{"auths": {
                "https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"},
                "ghcr.io": {"username": "me", "password": "tok"},
                "broken.example": {"auth": "%%%"}
            }}"#,
        );
        assert!(
            matches!(c.for_registry("docker.io"), RegistryAuth::Basic(u, p) if u == "user" && p == "pass")
        );
        assert!(matches!(c.for_registry("ghcr.io"), RegistryAuth::Basic(u, _) if u == "me"));
        assert!(matches!(
            c.for_registry("broken.example"),
            RegistryAuth::Anonymous
        ));
        assert!(matches!(c.for_registry("quay.io"), RegistryAuth::Anonymous));
        assert_eq!(c.login("docker.io"), Some(RegistryLogin::Auths));
        assert_eq!(c.login("broken.example"), None);
        assert_eq!(c.login("quay.io"), None);
        assert!(!format!("{c:?}").contains("pass") && !format!("{c:?}").contains("tok"));
        assert!(matches!(
            Credentials::parse("not json").for_registry("docker.io"),
            RegistryAuth::Anonymous
        ));
    }

    #[test]
    fn credential_helpers_are_named_not_run() {
        let c = Credentials::parse(
            r#"{"auths": {"registry.example.com": {}, "https://index.docker.io/v1/": {}},
                "credsStore": "desktop",
                "credHelpers": {"123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login", "gcr.io": ""}}"#,
        );
        assert_eq!(
            c.login("123.dkr.ecr.eu-west-1.amazonaws.com"),
            Some(RegistryLogin::Helper("ecr-login".into()))
        );
        assert_eq!(
            c.login("registry.example.com"),
            Some(RegistryLogin::Helper("desktop".into()))
        );
        assert_eq!(
            c.login("docker.io"),
            Some(RegistryLogin::Helper("desktop".into()))
        );
        assert_eq!(c.login("gcr.io"), None);
        assert_eq!(c.login("quay.io"), None);
        assert_eq!(c.docker_config_json("registry.example.com"), None);
    }

    #[test]
    fn a_pull_secret_holds_one_registry_login() {
        let c = Credentials::parse(
            r#"{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"},
                          "ghcr.io": {"username": "me", "password": "tok"}}}"#,
        );
        let json: serde_json::Value =
            serde_json::from_slice(&c.docker_config_json("ghcr.io").unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"auths": {"ghcr.io": {"username": "me", "password": "tok", "auth": "bWU6dG9r"}}})
        );
        let hub: serde_json::Value =
            serde_json::from_slice(&c.docker_config_json("docker.io").unwrap()).unwrap();
        assert_eq!(
            hub["auths"]["https://index.docker.io/v1/"]["auth"],
            "dXNlcjpwYXNz"
        );
        assert_eq!(c.docker_config_json("quay.io"), None);
    }
}
