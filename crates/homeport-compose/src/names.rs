//! Names: Kubernetes-safe (DNS-1123 label) names for Compose objects, and project names.

/// What kind of object a name belongs to; used as a prefix when a name would start with a
/// digit (Kubernetes Service names must also be DNS-1035 labels, which start with a letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Service,
    Volume,
    Network,
    Secret,
    Config,
}

impl NameKind {
    fn prefix(self) -> &'static str {
        match self {
            NameKind::Service => "svc",
            NameKind::Volume => "vol",
            NameKind::Network => "net",
            NameKind::Secret => "secret",
            NameKind::Config => "config",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Service => "service",
            NameKind::Volume => "volume",
            NameKind::Network => "network",
            NameKind::Secret => "secret",
            NameKind::Config => "config",
        }
    }
}

/// A DNS-1123 label (and DNS-1035 label) for a Compose name: lowercase, `[a-z0-9-]`, starting
/// with a letter, ending with a letter or digit, at most 63 characters. Names that must be
/// shortened keep a short hash of the original so distinct long names stay distinct.
pub fn dns_label(name: &str, kind: NameKind) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    // Collapse runs of '-' produced by replacement, then trim them from both ends.
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches('-').to_string();
    if out.is_empty() {
        out = kind.prefix().to_string();
    } else if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out = format!("{}-{out}", kind.prefix());
    }
    if out.len() > 63 {
        let hash = fnv1a(name.as_bytes());
        let keep = &out[..54];
        out = format!("{}-{:08x}", keep.trim_end_matches('-'), hash as u32);
    }
    out
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// docker compose's project-name normalisation: lowercase, keep `[a-z0-9_-]`, drop leading
/// `_`/`-`. Used for names derived from a directory or the `name:` key.
pub fn normalize_project_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    lowered.trim_start_matches(['_', '-']).to_string()
}

/// Whether a name given explicitly (`-p`, `COMPOSE_PROJECT_NAME`) is valid as it stands.
pub fn is_valid_project_name(name: &str) -> bool {
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_dns_safe() {
        assert_eq!(dns_label("web", NameKind::Service), "web");
        assert_eq!(dns_label("My_App.v2", NameKind::Service), "my-app-v2");
        assert_eq!(dns_label("__x__", NameKind::Volume), "x");
        assert_eq!(dns_label("1password", NameKind::Service), "svc-1password");
        assert_eq!(dns_label("___", NameKind::Network), "net");
        let long = "a".repeat(100);
        let l = dns_label(&long, NameKind::Service);
        assert_eq!(l.len(), 63);
        assert_ne!(l, dns_label(&"a".repeat(101), NameKind::Service));
    }

    #[test]
    fn project_names() {
        assert_eq!(normalize_project_name("My Project.1"), "myproject1");
        assert_eq!(normalize_project_name("_-x"), "x");
        assert!(is_valid_project_name("a_b-1"));
        assert!(!is_valid_project_name("A"));
        assert!(!is_valid_project_name("-a"));
    }
}
