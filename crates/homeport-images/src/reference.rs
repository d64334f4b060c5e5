//! Image references as Docker reads them: `redis` is `docker.io/library/redis:latest`,
//! `index.docker.io/...` is `docker.io/...`, a digest pins the content. The parsing and the
//! Docker Hub normalisation are the OCI distribution reference grammar (`oci-spec`).

use oci_client::Reference;

/// Parse an image reference as written in Compose; `None` when it is not a valid reference
/// (an unresolved `${VAR}`, upper-case repository, ...).
pub fn parse(image: &str) -> Option<Reference> {
    let image = image.trim();
    if image.is_empty() || image.contains('$') {
        return None;
    }
    image.parse::<Reference>().ok()
}

/// The canonical form `registry/repository[:tag][@digest]` used as the key in
/// `homeport.lock`: `redis:7`, `library/redis:7` and `docker.io/library/redis:7` are one.
pub fn canonical(image: &str) -> Option<String> {
    parse(image).map(|r| r.whole())
}

/// Registries reached over plain HTTP: `localhost` and 127.0.0.0/8 (any port), `[::1]`.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        registry.split(':').next().unwrap_or(registry)
    };
    if host == "localhost" || host == "::1" {
        return true;
    }
    match host.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_forms_are_one() {
        for form in [
            "redis:7",
            "library/redis:7",
            "docker.io/redis:7",
            "docker.io/library/redis:7",
            "index.docker.io/library/redis:7",
            "index.docker.io/redis:7",
        ] {
            assert_eq!(
                canonical(form).as_deref(),
                Some("docker.io/library/redis:7"),
                "{form}"
            );
        }
        assert_eq!(
            canonical("redis").as_deref(),
            Some("docker.io/library/redis:latest")
        );
        assert_eq!(
            canonical("grafana/grafana:11.0.0").as_deref(),
            Some("docker.io/grafana/grafana:11.0.0")
        );
    }

    #[test]
    fn other_registries_and_digests() {
        let d = "sha256:0123456789012345678901234567890123456789012345678901234567890123";
        let r = parse(&format!("ghcr.io/org/app@{d}")).unwrap();
        assert_eq!(r.registry(), "ghcr.io");
        assert_eq!(r.repository(), "org/app");
        assert_eq!(r.digest(), Some(d));
        let r = parse("127.0.0.1:5000/tools/thing:1").unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.tag(), Some("1"));
        assert_eq!(parse("${IMAGE}"), None);
        assert_eq!(parse("Bad/Upper"), None);
    }

    #[test]
    fn loopback_registries() {
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("127.8.9.10"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("128.0.0.1:5000"));
        assert!(!is_loopback("ghcr.io"));
        assert!(!is_loopback("localhost.example.com"));
    }
}
