//! Halving Kubernetes resource quantities (the dev overlay's smaller requests). A quantity
//! this cannot read is left as it is (`None`).

/// `500m` → `250m`, `1` → `500m`, `0.5` → `250m`; never below `1m`.
pub fn halve_cpu(q: &str) -> Option<String> {
    let millis = match q.strip_suffix('m') {
        Some(m) => m.parse::<u64>().ok()?,
        None => {
            let cores = q
                .parse::<f64>()
                .ok()
                .filter(|c| c.is_finite() && *c >= 0.0)?;
            (cores * 1000.0).round() as u64
        }
    };
    Some(format!("{}m", (millis / 2).max(1)))
}

const SUFFIXES: &[(&str, u64)] = &[
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
];

/// `256Mi` → `128Mi`, `1Gi` → `512Mi`, `1G` → `500M`; in the largest unit that divides it.
pub fn halve_memory(q: &str) -> Option<String> {
    let (number, unit) = SUFFIXES
        .iter()
        .find_map(|(s, u)| q.strip_suffix(s).map(|n| (n, *u)))
        .unwrap_or((q, 1));
    let bytes = number.parse::<u64>().ok()?.checked_mul(unit)? / 2;
    let bytes = bytes.max(1);
    let (suffix, unit) = SUFFIXES
        .iter()
        .filter(|(s, u)| bytes % u == 0 && (s.ends_with('i') == q.ends_with('i') || unit == 1))
        .max_by_key(|(_, u)| *u)
        .map(|(s, u)| (*s, *u))
        .unwrap_or(("", 1));
    Some(format!("{}{suffix}", bytes / unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves() {
        assert_eq!(halve_cpu("500m").as_deref(), Some("250m"));
        assert_eq!(halve_cpu("1").as_deref(), Some("500m"));
        assert_eq!(halve_cpu("0.5").as_deref(), Some("250m"));
        assert_eq!(halve_cpu("1m").as_deref(), Some("1m"));
        assert_eq!(halve_cpu("x"), None);
        assert_eq!(halve_memory("256Mi").as_deref(), Some("128Mi"));
        assert_eq!(halve_memory("1Gi").as_deref(), Some("512Mi"));
        assert_eq!(halve_memory("1G").as_deref(), Some("500M"));
        assert_eq!(halve_memory("100").as_deref(), Some("50"));
        assert_eq!(halve_memory("1.5Gi"), None);
    }
}
