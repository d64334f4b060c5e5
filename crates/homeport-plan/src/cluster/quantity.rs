//! Kubernetes quantities as the inventory writes them: CPUs (`16`, `1.5`, `500m`) and bytes
//! (`64Gi`, `512Mi`, `2G`, `1073741824`).

/// CPU cores (`16`, `0.5`) or millicores (`500m`) to millicores.
pub fn parse_cpu_millis(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if let Some(m) = t.strip_suffix('m') {
        return m
            .parse::<u64>()
            .map_err(|_| format!("`{text}` is not a CPU quantity"));
    }
    let cores: f64 = t
        .parse()
        .map_err(|_| format!("`{text}` is not a CPU quantity"))?;
    if !cores.is_finite() || !(0.0..=1e9).contains(&cores) {
        return Err(format!("`{text}` is not a CPU quantity"));
    }
    Ok((cores * 1000.0).round() as u64)
}

const BINARY: [(&str, u64); 6] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("Pi", 1 << 50),
    ("Ei", 1 << 60),
];
const DECIMAL: [(&str, u64); 6] = [
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("P", 1_000_000_000_000_000),
    ("E", 1_000_000_000_000_000_000),
];

/// A byte quantity with a Kubernetes suffix (or none) to bytes.
pub fn parse_memory_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, factor) = BINARY
        .iter()
        .chain(DECIMAL.iter())
        .find_map(|(suffix, factor)| t.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((t, 1));
    let value: f64 = number.parse().map_err(|_| {
        if t.ends_with('B') || t.ends_with('b') || t.ends_with('g') || t.ends_with('m') {
            format!("`{text}` is not a Kubernetes quantity (write `64Gi`, `512Mi` or a number of bytes)")
        } else {
            format!("`{text}` is not a byte quantity")
        }
    })?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}` is out of range"));
    }
    Ok(bytes.round() as u64)
}

/// Millicores as Kubernetes writes them: whole cores as `16`, else `1500m`.
pub fn format_cpu_millis(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// Bytes with the largest binary suffix that divides them exactly.
pub fn format_memory_bytes(bytes: u64) -> String {
    for (suffix, factor) in BINARY.iter().rev() {
        if bytes != 0 && bytes.is_multiple_of(*factor) {
            return format!("{}{suffix}", bytes / factor);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities() {
        assert_eq!(parse_cpu_millis("16"), Ok(16_000));
        assert_eq!(parse_cpu_millis("0.5"), Ok(500));
        assert_eq!(parse_cpu_millis("500m"), Ok(500));
        assert!(parse_cpu_millis("four").is_err());
        assert!(parse_cpu_millis("-1").is_err());
        assert!(parse_cpu_millis("1.5m").is_err());
        assert_eq!(format_cpu_millis(16_000), "16");
        assert_eq!(format_cpu_millis(1_500), "1500m");
    }

    #[test]
    fn memory_quantities() {
        assert_eq!(parse_memory_bytes("64Gi"), Ok(64 << 30));
        assert_eq!(parse_memory_bytes("1.5Gi"), Ok(3 << 29));
        assert_eq!(parse_memory_bytes("2G"), Ok(2_000_000_000));
        assert_eq!(parse_memory_bytes("1024"), Ok(1024));
        assert!(parse_memory_bytes("64GB").unwrap_err().contains("64Gi"));
        assert!(parse_memory_bytes("lots").is_err());
        assert_eq!(format_memory_bytes(64 << 30), "64Gi");
        assert_eq!(format_memory_bytes(1000), "1000");
    }
}
