//! Pull secrets: the `kubernetes.io/dockerconfigjson` Secrets pods pull private images with.
//! The plan names each Secret and the registry it is for, never the credential: the
//! renderer is handed the credentials separately (from the user's Docker config).

/// Where a pull secret's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullSecretOrigin {
    /// The Docker config's `auths` credential for the registry.
    DockerConfig,
    /// A credential helper (`docker-credential-<name>`) holds it: homeport does not run
    /// helpers, so the Secret is written without a credential and the user supplies it.
    Helper(String),
}

/// A `kubernetes.io/dockerconfigjson` Secret homeport writes (one per registry and
/// namespace). Secrets named by `x-homeport.pullSecret: NAME` exist already and are not
/// listed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSecretPlan {
    pub name: String,
    pub namespace: String,
    /// The normalised registry host (`ghcr.io`, `registry.example.com:5000`, `docker.io`).
    pub registry: String,
    pub origin: PullSecretOrigin,
    /// The pods that pull with it.
    pub pods: Vec<String>,
}

impl PullSecretPlan {
    /// The plan's line for it.
    pub fn describe(&self) -> String {
        match &self.origin {
            PullSecretOrigin::DockerConfig => format!(
                "{}/{}: kubernetes.io/dockerconfigjson for {}, from your Docker config's login (written only to the git-ignored secret files), used by {}",
                self.namespace, self.name, self.registry, self.pods.join(", ")
            ),
            PullSecretOrigin::Helper(h) => format!(
                "{}/{}: kubernetes.io/dockerconfigjson for {}, used by {}; YOU SUPPLY ITS DATA: your Docker config keeps this login in the credential helper `docker-credential-{h}`, which homeport does not run (create it with `kubectl create secret docker-registry {} -n {} --docker-server={} --docker-username=... --docker-password=...`, or replace the written secret file)",
                self.namespace, self.name, self.registry, self.pods.join(", "), self.name, self.namespace, self.registry
            ),
        }
    }
}

/// The Secret name for a registry: `pull-<registry as a DNS label>` (`pull-ghcr-io`).
pub fn secret_name(registry: &str) -> String {
    let mut slug = String::with_capacity(registry.len());
    for c in registry.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let mut name = format!("pull-{slug}");
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels() {
        assert_eq!(secret_name("ghcr.io"), "pull-ghcr-io");
        assert_eq!(
            secret_name("registry.example.com:5000"),
            "pull-registry-example-com-5000"
        );
        assert_eq!(secret_name("[::1]:5000"), "pull-1-5000");
        assert!(secret_name(&"a".repeat(100)).len() <= 63);
    }
}
