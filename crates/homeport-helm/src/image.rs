//! Image references split into the values a chart offers: registry, repository, tag, digest.

/// `(registry, repository, tag, digest)`; joined back by the chart's image helper they give
/// the reference unchanged (`registry/` only when there is one, `:tag`, `@digest`).
pub fn split(image: &str) -> (String, String, String, String) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, d.to_string()),
        None => (image, String::new()),
    };
    let (name, tag) = match rest.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t.to_string()),
        _ => (rest, String::new()),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((r, repo)) if r.contains('.') || r.contains(':') || r == "localhost" => {
            (r.to_string(), repo.to_string())
        }
        _ => (String::new(), name.to_string()),
    };
    (registry, repository, tag, digest)
}

/// The reference the chart's image helper builds from the parts.
#[cfg(test)]
fn join(registry: &str, repository: &str, tag: &str, digest: &str) -> String {
    let mut s = String::new();
    if !registry.is_empty() {
        s.push_str(registry);
        s.push('/');
    }
    s.push_str(repository);
    if !tag.is_empty() {
        s.push(':');
        s.push_str(tag);
    }
    if !digest.is_empty() {
        s.push('@');
        s.push_str(digest);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_joins_back() {
        for (image, parts) in [
            ("postgres:16", ("", "postgres", "16", "")),
            (
                "lscr.io/linuxserver/sonarr:4.0.1",
                ("lscr.io", "linuxserver/sonarr", "4.0.1", ""),
            ),
            ("localhost:5000/app", ("localhost:5000", "app", "", "")),
            (
                "ghcr.io/a/b:1@sha256:abc",
                ("ghcr.io", "a/b", "1", "sha256:abc"),
            ),
            ("redis@sha256:abc", ("", "redis", "", "sha256:abc")),
            ("library/nginx", ("", "library/nginx", "", "")),
        ] {
            let (r, p, t, d) = split(image);
            assert_eq!((r.as_str(), p.as_str(), t.as_str(), d.as_str()), parts);
            assert_eq!(join(&r, &p, &t, &d), image);
        }
    }
}
