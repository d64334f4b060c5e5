//! Image references as Docker reads them: `redis` is `docker.io/library/redis:latest`,
//! `index.docker.io/...` is `docker.io/...`, a digest pins the content (the distribution
//! reference grammar). Parsed here by hand rather than with `oci-spec`'s reference regex,
//! whose compilation alone cost every `render` ~30 ms and ~35 MB even with a complete lock.

use oci_client::Reference;

/// Parse an image reference as written in Compose; `None` when it is not a valid reference
/// (an unresolved `${VAR}`, upper-case repository, ...).
pub fn parse(image: &str) -> Option<Reference> {
    let image = image.trim();
    if image.is_empty() || image.len() > 255 + 128 + 80 {
        return None;
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let (algo, hex) = d.split_once(':')?;
        let algo_ok = !algo.is_empty()
            && algo
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
    }
    let last_slash = name.rfind('/');
    let (name, tag) = match name.rfind(':') {
        Some(colon) if last_slash.is_none_or(|s| colon > s) => {
            (&name[..colon], Some(&name[colon + 1..]))
        }
        _ => (name, None),
    };
    if let Some(t) = tag {
        let mut chars = t.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok
            || t.len() > 128
            || !chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return None;
        }
    }
    let (mut registry, mut repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    if registry == "index.docker.io" {
        registry = "docker.io".to_string();
    }
    if registry == "docker.io" && !repository.contains('/') {
        repository = format!("library/{repository}");
    }
    let registry_ok = registry
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    let repo_ok = !repository.is_empty()
        && repository.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && part.starts_with(|c: char| c.is_ascii_alphanumeric())
                && part.ends_with(|c: char| c.is_ascii_alphanumeric())
        });
    if !registry_ok || !repo_ok {
        return None;
    }
    let tag = tag
        .map(str::to_string)
        .or_else(|| digest.is_none().then(|| "latest".to_string()));
    Some(match (tag, digest) {
        (Some(t), Some(d)) => {
            Reference::with_tag_and_digest(registry, repository, t, d.to_string())
        }
        (Some(t), None) => Reference::with_tag(registry, repository, t),
        (None, Some(d)) => Reference::with_digest(registry, repository, d.to_string()),
        (None, None) => return None,
    })
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
        assert_eq!(parse("app:"), None);
        assert_eq!(parse("app@sha256:xyz"), None);
        assert_eq!(parse("a//b"), None);
        let r = parse("localhost/app").unwrap();
        assert_eq!((r.registry(), r.repository()), ("localhost", "app"));
        let r = parse(&format!("redis:7@{d}")).unwrap();
        assert_eq!(r.whole(), format!("docker.io/library/redis:7@{d}"));
        // The same answers as the distribution grammar (oci-spec's parser).
        for form in [
            "redis",
            "grafana/grafana:11",
            "ghcr.io/a/b/c:v1.2-rc_3",
            "127.0.0.1:5000/x:1",
            "quay.io/x/y",
        ] {
            let ours = parse(form).unwrap();
            let theirs: Reference = form.parse().unwrap();
            assert_eq!(ours.whole(), theirs.whole(), "{form}");
            assert_eq!(ours.resolve_registry(), theirs.resolve_registry(), "{form}");
        }
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
