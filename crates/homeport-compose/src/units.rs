//! Units as docker compose reads them: memory sizes (docker/go-units `RAMInBytes`, binary
//! multiples) and Go durations (`1m30s`).

/// `128m`, `1.5G`, `128mb`, `1GiB`, `512k`, raw bytes `1073741824`. Multipliers are binary
/// (k = 1024), as docker's `RAMInBytes`. `None` when the text is not a size.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let s = text.trim();
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(num_end);
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') || num.matches('.').count() > 1
    {
        return None;
    }
    let value: f64 = num.parse().ok()?;
    let unit = unit.trim_start_matches(' ').to_ascii_lowercase();
    let mut chars = unit.chars();
    let multiplier: f64 = match chars.next() {
        None => return integer_bytes(num, value),
        Some('b') if chars.as_str().is_empty() => return integer_bytes(num, value),
        Some('k') => 1024.0,
        Some('m') => 1024.0 * 1024.0,
        Some('g') => 1024.0 * 1024.0 * 1024.0,
        Some('t') => 1024f64.powi(4),
        Some('p') => 1024f64.powi(5),
        Some(_) => return None,
    };
    let rest = chars.as_str();
    if !matches!(rest, "" | "b" | "i" | "ib") {
        return None;
    }
    let bytes = value * multiplier;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return None;
    }
    Some(bytes as u64)
}

fn integer_bytes(num: &str, value: f64) -> Option<u64> {
    if num.contains('.') {
        return (value.is_finite() && value >= 0.0 && value <= u64::MAX as f64)
            .then_some(value as u64);
    }
    num.parse().ok()
}

/// A Go duration (`1m30s`, `1.5h`, `300ms`, `10us`, `0`) in nanoseconds. `None` when the
/// text is not a duration (Go requires a unit on every number except a bare `0`).
pub fn parse_duration_ns(text: &str) -> Option<u64> {
    let s = text.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return None;
        }
        let value: f64 = num.parse().ok()?;
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let factor = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * factor;
        rest = next;
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return None;
    }
    Some(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("128m"), Some(128 * 1024 * 1024));
        assert_eq!(parse_bytes("128mb"), Some(128 * 1024 * 1024));
        assert_eq!(parse_bytes("128MB"), Some(128 * 1024 * 1024));
        assert_eq!(parse_bytes("1.5G"), Some(1_610_612_736));
        assert_eq!(parse_bytes("1GiB"), Some(1 << 30));
        assert_eq!(parse_bytes("1gi"), Some(1 << 30));
        assert_eq!(parse_bytes("512 k"), Some(512 * 1024));
        assert_eq!(parse_bytes("1073741824"), Some(1_073_741_824));
        assert_eq!(parse_bytes("100b"), Some(100));
        assert_eq!(parse_bytes("12x"), None);
        assert_eq!(parse_bytes("m"), None);
        assert_eq!(parse_bytes("1.2.3m"), None);
        assert_eq!(parse_bytes(""), None);
        assert_eq!(parse_bytes("1mbb"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration_ns("10s"), Some(10_000_000_000));
        assert_eq!(parse_duration_ns("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_duration_ns("300ms"), Some(300_000_000));
        assert_eq!(parse_duration_ns("2us"), Some(2_000));
        assert_eq!(parse_duration_ns("0"), Some(0));
        assert_eq!(parse_duration_ns("30"), None);
        assert_eq!(parse_duration_ns("1d"), None);
        assert_eq!(parse_duration_ns("-1s"), None);
        assert_eq!(parse_duration_ns(""), None);
    }
}
