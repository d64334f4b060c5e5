//! `ports`: short syntax (`[IP:][HOST[-RANGE]:]CONTAINER[-RANGE][/PROTO]`) and long syntax.

use crate::load::Loader;
use crate::model::Port;
use crate::schema;
use homeport_yaml::{Node, Value};

pub(crate) fn ports(ld: &mut Loader, node: &Node, what: &str) -> Vec<Port> {
    let Some(items) = ld.seq_of(node, what) else {
        return Vec::new();
    };
    let mut out: Vec<Port> = Vec::new();
    // (host ip, published, target, protocol) → index in `out`.
    let mut seen: std::collections::HashMap<(Option<String>, Option<String>, u16, String), usize> =
        std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_what = format!("{what}[{i}]");
        let parsed = match &item.value {
            Value::Map(m) => {
                ld.check_keys(m, &format!("`{item_what}`"), schema::PORT);
                long(ld, item, &item_what).into_iter().collect()
            }
            Value::Scalar(s, _) if !item.is_null() => match parse_short(s) {
                Ok(ports) => ports,
                Err(reason) => {
                    ld.invalid(
                        item.span,
                        format!("`{item_what}`: `{s}` is not a port mapping: {reason}"),
                        "write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally with /tcp or /udp (e.g. \"8080:80\")",
                    );
                    Vec::new()
                }
            },
            _ => {
                ld.wrong_type(item, &item_what, "a port string or mapping");
                Vec::new()
            }
        };
        for mut p in parsed {
            p.span = Some(item.span);
            // compose-go keeps one entry per (ip, published, target, protocol); later wins.
            let key = (
                p.host_ip.clone(),
                p.published.clone(),
                p.target,
                p.protocol.clone(),
            );
            match seen.get(&key) {
                Some(&at) => {
                    if let Some(slot) = out.get_mut(at) {
                        *slot = p;
                    }
                }
                None => {
                    seen.insert(key, out.len());
                    out.push(p);
                }
            }
        }
    }
    out
}

fn long(ld: &mut Loader, item: &Node, what: &str) -> Option<Port> {
    let m = item.as_map()?;
    let Some(target_node) = m.get("target") else {
        ld.wrong_type(item, &format!("{what}.target"), "a container port");
        return None;
    };
    let target_text = ld.str_of(target_node, &format!("{what}.target"))?;
    let target = match parse_port_number(&target_text) {
        Some(t) if t > 0 => t,
        _ => {
            ld.invalid(
                target_node.span,
                format!("`{what}.target`: `{target_text}` is not a port number"),
                "use a number from 1 to 65535",
            );
            return None;
        }
    };
    let published = match m.get("published") {
        Some(n) => match ld.str_of(n, &format!("{what}.published")) {
            Some(p) if !p.is_empty() => {
                if parse_range(&p).is_none() {
                    ld.invalid(
                        n.span,
                        format!("`{what}.published`: `{p}` is not a port or port range"),
                        "use a number from 0 to 65535, or a range such as 8000-8010",
                    );
                    return None;
                }
                Some(p)
            }
            _ => None,
        },
        None => None,
    };
    let text = |ld: &mut Loader, key: &str| {
        m.get(key)
            .and_then(|n| ld.str_of(n, &format!("{what}.{key}")))
    };
    let protocol = text(ld, "protocol")
        .map(|p| p.to_ascii_lowercase())
        .unwrap_or_else(|| "tcp".into());
    let mode = text(ld, "mode");
    if let (Some(mode), Some(n)) = (&mode, m.get("mode")) {
        if mode != "ingress" && mode != "host" {
            ld.invalid(
                n.span,
                format!("`{what}.mode`: `{mode}` is not a port mode"),
                "use `ingress` or `host`",
            );
        }
    }
    Some(Port {
        target,
        published,
        host_ip: text(ld, "host_ip").filter(|s| !s.is_empty()),
        protocol,
        mode,
        name: text(ld, "name"),
        app_protocol: text(ld, "app_protocol"),
        span: None,
    })
}

fn parse_port_number(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `8000` or `8000-8010` → (first, last).
fn parse_range(s: &str) -> Option<(u16, u16)> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_port_number(a)?, parse_port_number(b)?);
            (a <= b).then_some((a, b))
        }
        None => parse_port_number(s).map(|p| (p, p)),
    }
}

/// Ranges expand to one `Port` each; a Kubernetes Service with more is not useful.
const MAX_RANGE: usize = 1000;

/// Parse the short syntax into one `Port` per container port.
pub(crate) fn parse_short(spec: &str) -> Result<Vec<Port>, String> {
    let spec = spec.trim();
    let (rest, protocol) = match spec.rsplit_once('/') {
        Some((r, p)) => {
            let p = p.to_ascii_lowercase();
            if !matches!(p.as_str(), "tcp" | "udp" | "sctp") {
                return Err(format!("unknown protocol `{p}`"));
            }
            (r, p)
        }
        None => (spec, "tcp".to_string()),
    };
    // An IPv6 host address is written in brackets: [::1]:8080:80.
    let (host_ip, rest) = if let Some(stripped) = rest.strip_prefix('[') {
        let Some((ip, after)) = stripped.split_once("]:") else {
            return Err("an IPv6 address must be followed by `]:`".into());
        };
        (Some(ip.to_string()), after.to_string())
    } else {
        (None, rest.to_string())
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, published, container) = match (host_ip, parts.as_slice()) {
        (None, [c]) => (None, None, *c),
        (None, [p, c]) => (None, Some(*p), *c),
        (None, [ip, p, c]) => (Some(ip.to_string()), Some(*p), *c),
        (Some(ip), [p, c]) => (Some(ip), Some(*p), *c),
        (Some(ip), [c]) => (Some(ip), None, *c),
        _ => return Err("too many `:`".into()),
    };
    let (c_first, c_last) = parse_range(container)
        .ok_or_else(|| format!("`{container}` is not a container port or range"))?;
    if c_first == 0 {
        return Err("container port 0 is not a port".into());
    }
    let published = published.filter(|p| !p.is_empty());
    let host_range = match published {
        Some(p) => {
            Some(parse_range(p).ok_or_else(|| format!("`{p}` is not a host port or range"))?)
        }
        None => None,
    };
    let count = usize::from(c_last - c_first) + 1;
    if count > MAX_RANGE {
        return Err(format!(
            "the range {c_first}-{c_last} has {count} ports; at most {MAX_RANGE} are supported (use `network_mode: host` for more)"
        ));
    }
    let mut out = Vec::with_capacity(count);
    for (i, target) in (c_first..=c_last).enumerate() {
        let published = match host_range {
            None => None,
            Some((h_first, h_last)) => {
                let h_count = usize::from(h_last - h_first) + 1;
                if count == 1 {
                    Some(if h_first == h_last {
                        h_first.to_string()
                    } else {
                        format!("{h_first}-{h_last}")
                    })
                } else if h_count == count {
                    Some((usize::from(h_first) + i).to_string())
                } else if h_count == 1 {
                    return Err(
                        "a range of container ports needs a host range of the same size".into(),
                    );
                } else {
                    return Err("host and container port ranges differ in size".into());
                }
            }
        };
        out.push(Port {
            target,
            published,
            host_ip: ip.clone().filter(|s| !s.is_empty()),
            protocol: protocol.clone(),
            mode: None,
            name: None,
            app_protocol: None,
            span: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(s: &str) -> Vec<(u16, Option<String>, Option<String>, String)> {
        parse_short(s)
            .unwrap()
            .into_iter()
            .map(|p| (p.target, p.published, p.host_ip, p.protocol))
            .collect()
    }

    #[test]
    fn short_forms() {
        assert_eq!(short("80"), vec![(80, None, None, "tcp".into())]);
        assert_eq!(
            short("8080:80"),
            vec![(80, Some("8080".into()), None, "tcp".into())]
        );
        assert_eq!(
            short("127.0.0.1:8080:80/udp"),
            vec![(
                80,
                Some("8080".into()),
                Some("127.0.0.1".into()),
                "udp".into()
            )]
        );
        assert_eq!(
            short("127.0.0.1::80"),
            vec![(80, None, Some("127.0.0.1".into()), "tcp".into())]
        );
        assert_eq!(
            short("[::1]:8080:80"),
            vec![(80, Some("8080".into()), Some("::1".into()), "tcp".into())]
        );
        assert_eq!(
            short("9090-9091:8080-8081"),
            vec![
                (8080, Some("9090".into()), None, "tcp".into()),
                (8081, Some("9091".into()), None, "tcp".into())
            ]
        );
        assert_eq!(
            short("8000-8010:80"),
            vec![(80, Some("8000-8010".into()), None, "tcp".into())]
        );
        assert_eq!(short("3000-3001").len(), 2);
    }

    #[test]
    fn short_errors() {
        for bad in [
            "",
            "abc",
            "70000",
            "0",
            "80/icmp",
            "1:2:3:4",
            "8000-8001:80-82",
            "[::1:80",
            "1-65535",
        ] {
            assert!(parse_short(bad).is_err(), "{bad}");
        }
    }
}
