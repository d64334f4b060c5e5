//! Registry credentials from the user's Docker configuration (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): the `auths` entries `docker login` writes. Credential
//! helpers (`credsStore`, `credHelpers`) are external programs and are not run.

use base64::Engine;
use oci_client::secrets::RegistryAuth;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `auths` of a Docker config: registry host -> (user, password).
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    by_host: BTreeMap<String, (String, String)>,
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
        let Some(auths) = doc.get("auths").and_then(|a| a.as_object()) else {
            return Self::default();
        };
        for (key, entry) in auths {
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
            if let Some(pair) = pair {
                by_host.insert(host_of(key), pair);
            }
        }
        Self { by_host }
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
fn host_of(key: &str) -> String {
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
        assert!(matches!(
            Credentials::parse("not json").for_registry("docker.io"),
            RegistryAuth::Anonymous
        ));
    }
}
