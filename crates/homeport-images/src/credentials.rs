//! Registry credentials from the user's Docker configuration (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): the `auths` entries `docker login` writes, and the
//! credential helpers it names (`credHelpers` per registry, else `credsStore`), run as
//! `docker-credential-<name> get` with a timeout. A helper that fails or hangs is a warning
//! and the registry is then tried with the `auths` entry, else anonymously. Secrets are
//! never printed (`Debug` shows hosts only).

use crate::helper::{self, HelperAnswer};
use base64::Engine;
pub use homeport_plan::facts::RegistryLogin;
use oci_client::secrets::RegistryAuth;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a credential helper gets to answer.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(10);

/// A Docker config's credentials: `auths` (registry host -> user, password) and helpers.
#[derive(Clone)]
pub struct Credentials {
    by_host: BTreeMap<String, (String, String)>,
    /// `credsStore`: the helper for every registry without its own.
    store: Option<String>,
    /// `credHelpers`: registry host -> helper name.
    helpers: BTreeMap<String, String>,
    /// Where helper programs are looked for (`PATH` when read from the environment).
    search_path: Option<OsString>,
    helper_timeout: Duration,
    /// Hosts of `auths` entries without a usable credential (kept by `credsStore`).
    empty_auths: Vec<String>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            by_host: BTreeMap::new(),
            store: None,
            helpers: BTreeMap::new(),
            search_path: None,
            helper_timeout: HELPER_TIMEOUT,
            empty_auths: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("auths", &self.by_host.keys().collect::<Vec<_>>())
            .field("credsStore", &self.store)
            .field("credHelpers", &self.helpers)
            .finish()
    }
}

impl Credentials {
    /// Read the user's Docker config; none (anonymous access) when it is absent or unreadable.
    /// Helpers are looked for on `PATH`.
    pub fn from_environment() -> Self {
        let dir = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker")));
        let creds = match dir {
            Some(dir) => std::fs::read_to_string(dir.join("config.json"))
                .map(|text| Self::parse(&text))
                .unwrap_or_default(),
            None => Self::default(),
        };
        creds.with_search_path(std::env::var_os("PATH"))
    }

    /// Look for helper programs in the directories of `path` (a `PATH` value).
    pub fn with_search_path(mut self, path: Option<OsString>) -> Self {
        self.search_path = path;
        self
    }

    /// Bound on each credential helper run (default [`HELPER_TIMEOUT`]).
    pub fn with_helper_timeout(mut self, timeout: Duration) -> Self {
        self.helper_timeout = timeout;
        self
    }

    /// Parse a Docker config: `auths` (`auth` = base64 of `user:password`, or separate
    /// `username`/`password`), `credsStore` and `credHelpers`.
    pub fn parse(text: &str) -> Self {
        let mut by_host = BTreeMap::new();
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
            return Self::default();
        };
        let store = doc
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let helpers: BTreeMap<String, String> = doc
            .get("credHelpers")
            .and_then(|h| h.as_object())
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((host_of(k), v.as_str()?.to_string())))
                    .filter(|(_, v)| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut empty_auths = Vec::new();
        let empty = serde_json::Map::new();
        let auths = doc
            .get("auths")
            .and_then(|a| a.as_object())
            .unwrap_or(&empty);
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
            match pair {
                Some(pair) => {
                    by_host.insert(host_of(key), pair);
                }
                None => empty_auths.push(host_of(key)),
            }
        }
        Self {
            by_host,
            store,
            helpers,
            empty_auths,
            ..Self::default()
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
    /// `localhost:5000`) from `auths` only; no helper is run.
    pub fn for_registry(&self, registry: &str) -> RegistryAuth {
        match self.by_host.get(&host_of(registry)) {
            Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
            None => RegistryAuth::Anonymous,
        }
    }

    /// The auth for `registry` as Docker finds it: its `credHelpers` entry, else
    /// `credsStore`, else `auths`. A helper that fails gives a warning message (never the
    /// secret) and the `auths` entry or anonymous access.
    pub fn lookup(&self, registry: &str) -> (RegistryAuth, Option<String>) {
        let host = host_of(registry);
        let Some(name) = self.helpers.get(&host).or(self.store.as_ref()) else {
            return (self.for_registry(registry), None);
        };
        let fallback = |why: String| {
            let then = if self.by_host.contains_key(&host) {
                "the `auths` entry is used"
            } else {
                "trying anonymously"
            };
            (self.for_registry(registry), Some(format!("{why}; {then}")))
        };
        let Some(program) = helper::program(name, self.search_path.as_ref()) else {
            return fallback(format!(
                "credential helper `docker-credential-{name}` is not on PATH"
            ));
        };
        match helper::get(&program, &server_url(&host), self.helper_timeout) {
            Ok(HelperAnswer::Found(user, secret)) => (RegistryAuth::Basic(user, secret), None),
            Ok(HelperAnswer::NotFound) => (self.for_registry(registry), None),
            Err(why) => fallback(why),
        }
    }
}

/// The server URL Docker hands a helper: Docker Hub's historical index URL, else the host.
fn server_url(host: &str) -> String {
    if host == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
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

    /// A fake `docker-credential-<name>` (a shell script) in `dir`.
    fn helper(dir: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // One test writes every script before any is run: a script still open for writing in
    // this process cannot be executed (ETXTBSY) by a concurrently spawned child.
    #[test]
    fn credential_helpers() {
        let dir = tempfile::tempdir().unwrap();
        let asked = dir.path().join("asked");
        helper(
            dir.path(),
            "good",
            &format!(
                "[ \"$1\" = get ] || exit 3\nread server\necho \"$server\" >> {}\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"robot\",\"Secret\":\"hunter2\"}}'",
                asked.display()
            ),
        );
        helper(
            dir.path(),
            "empty",
            "echo 'credentials not found in native keychain'; exit 1",
        );
        helper(dir.path(), "hang", "exec sleep 30");
        helper(dir.path(), "garbage", "echo 'Secret: hunter2 is not JSON'");
        helper(dir.path(), "crash", "echo hunter2 >&2; exit 7");
        helper(
            dir.path(),
            "token",
            "echo '{\"Username\":\"<token>\",\"Secret\":\"hunter2\"}'",
        );
        let path = Some(dir.path().as_os_str().to_owned());
        let config = |json: &str| {
            Credentials::parse(json)
                .with_search_path(path.clone())
                .with_helper_timeout(Duration::from_millis(500))
        };

        // credsStore for every registry; Docker Hub is asked by its index URL.
        let c = config(r#"{"credsStore": "good"}"#);
        let (auth, warning) = c.lookup("docker.io");
        assert!(matches!(auth, RegistryAuth::Basic(u, p) if u == "robot" && p == "hunter2"));
        assert_eq!(warning, None);
        let (auth, _) = c.lookup("ghcr.io");
        assert!(matches!(auth, RegistryAuth::Basic(u, _) if u == "robot"));
        assert_eq!(
            std::fs::read_to_string(&asked).unwrap(),
            "https://index.docker.io/v1/\nghcr.io\n"
        );

        // credHelpers beats credsStore for its registry; nothing stored -> the auths entry.
        let c = config(
            r#"{"credsStore": "good", "credHelpers": {"quay.io": "empty"},
                "auths": {"quay.io": {"auth": "dXNlcjpwYXNz"}}}"#,
        );
        let (auth, warning) = c.lookup("quay.io");
        assert!(matches!(auth, RegistryAuth::Basic(u, p) if u == "user" && p == "pass"));
        assert_eq!(warning, None);
        let (auth, _) = c.lookup("docker.io");
        assert!(matches!(auth, RegistryAuth::Basic(u, _) if u == "robot"));

        // Failures: a warning naming the helper, never the secret; anonymous access.
        for (name, expect) in [
            ("hang", "no answer within 1 s and was stopped"),
            ("garbage", "did not answer with JSON"),
            ("crash", "failed"),
            ("token", "identity token"),
            ("missing", "is not on PATH"),
        ] {
            let c = config(&format!(r#"{{"credsStore": "{name}"}}"#));
            let started = std::time::Instant::now();
            let (auth, warning) = c.lookup("ghcr.io");
            // Generous: the hanging helper is killed after 0.5 s, not left for 30 s.
            assert!(started.elapsed() < Duration::from_secs(10), "{name} hung");
            assert!(matches!(auth, RegistryAuth::Anonymous), "{name}");
            let warning = warning.unwrap_or_default();
            assert!(warning.contains(expect), "{name}: {warning}");
            assert!(
                warning.contains(&format!("docker-credential-{name}")),
                "{warning}"
            );
            assert!(warning.ends_with("trying anonymously"), "{warning}");
            assert!(!warning.contains("hunter2"), "{warning}");
        }

        // Debug output names hosts and helpers, never a password.
        let c = config(r#"{"auths": {"ghcr.io": {"username": "me", "password": "hunter2"}}}"#);
        let shown = format!("{c:?}");
        assert!(
            shown.contains("ghcr.io") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
