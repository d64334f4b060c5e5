//! Ports and exposure: the ClusterIP Service ports, Ingresses for HTTP services (Traefik and
//! Caddy labels, `x-homeport.expose`, published HTTP ports, services behind a dropped
//! reverse proxy), LoadBalancer ports for published non-HTTP ports, alias Services.

use crate::cluster::TlsMode;
use crate::codes;
use crate::images::{self, ImageProfile};
use crate::plan::*;
use crate::planner::{dns_label, profile_of, Ctx};
use homeport_compose::{ExposeHint, Service, ServiceHints};
use homeport_diag::Diagnostic;

/// Ports that speak HTTP in practice when nothing else is known.
const HTTP_PORTS: &[u16] = &[
    80, 3000, 4000, 5000, 5678, 8000, 8008, 8080, 8081, 8088, 8096, 8443, 8888, 9000, 9090,
];

/// HTTP management UIs of data services (RabbitMQ management, MinIO console, ActiveMQ
/// console, Neo4j browser, Couchbase console): published through the ingress, not a
/// LoadBalancer.
const MANAGEMENT_UI_PORTS: &[u16] = &[15672, 9001, 8161, 7474, 8091];

fn is_http(port: u16, svc: &Service, profile: &ImageProfile, app_protocol: Option<&str>) -> bool {
    if let Some(p) = app_protocol {
        return p.starts_with("http");
    }
    if profile.role.is_data_service() && MANAGEMENT_UI_PORTS.contains(&port) {
        return true;
    }
    if profile.http && profile.port == Some(port) {
        return true;
    }
    if let Some(p) = svc
        .image
        .as_deref()
        .and_then(|i| images::linuxserver_port(images::repository(i)))
    {
        if p == port {
            return true;
        }
    }
    if profile.role.is_data_service() && !profile.http {
        return false;
    }
    HTTP_PORTS.contains(&port)
}

/// Hosts and path prefix from a Traefik rule: ``Host(`a`) && PathPrefix(`/api`)``.
pub fn parse_traefik_rule(rule: &str) -> (Vec<String>, Option<String>) {
    let mut hosts = Vec::new();
    let mut path = None;
    let mut rest = rule;
    while let Some(i) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[i..];
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        if !rest.starts_with('(') {
            continue;
        }
        let close = rest.find(')').unwrap_or(rest.len());
        let args = &rest[1..close.max(1)];
        let values: Vec<String> = args
            .split(',')
            .map(|a| {
                a.trim()
                    .trim_matches(|c| c == '`' || c == '"' || c == '\'')
                    .to_string()
            })
            .filter(|a| !a.is_empty())
            .collect();
        match name {
            "Host" => hosts.extend(values),
            "PathPrefix" | "Path" => path = values.into_iter().next(),
            _ => {}
        }
        rest = &rest[close.min(rest.len())..];
    }
    (hosts, path)
}

/// Which of `names` a reverse proxy's configuration text (Caddyfile, nginx.conf,
/// haproxy.cfg, Traefik file provider) sends traffic to: `name:port` (`reverse_proxy
/// app:3000`, `server app:8080;`) or a URL host (`proxy_pass http://app;`).
pub fn upstreams_in_config<'a>(text: &str, names: &[&'a str]) -> Vec<&'a str> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    names
        .iter()
        .copied()
        .filter(|name| {
            !name.is_empty()
                && text.match_indices(*name).any(|(i, _)| {
                    let before = text[..i].chars().next_back();
                    let after = &text[i + name.len()..];
                    let starts_word = before.is_none_or(|c| !is_name_char(c));
                    let port_follows = after
                        .strip_prefix(':')
                        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
                    let url_host = text[..i].ends_with("://")
                        && after.chars().next().is_none_or(|c| !is_name_char(c));
                    starts_word && (port_follows || url_host)
                })
        })
        .collect()
}

/// Ports the Compose file shows a container listens on besides `ports:`/`expose:`: its
/// healthcheck's HTTP port, its Traefik service port labels, its `prometheus.io/port` label.
fn listening_ports(svc: &Service) -> Vec<(u16, &'static str)> {
    let mut out = Vec::new();
    if let Some(test) = svc.healthcheck.as_ref().and_then(|h| h.test.as_ref()) {
        let check = match test {
            homeport_compose::HealthTest::Cmd(words) => crate::decide::probes::http_check(words),
            homeport_compose::HealthTest::CmdShell(cmd) => {
                crate::decide::probes::shell_http_check(cmd)
            }
        };
        if let Some((port, _)) = check {
            out.push((port, "its healthcheck checks it"));
        }
    }
    for (k, v) in svc
        .labels
        .iter()
        .chain(svc.deploy.iter().flat_map(|d| d.labels.iter()))
    {
        let why = if k.starts_with("traefik.http.services.")
            && k.ends_with(".loadbalancer.server.port")
        {
            "a Traefik service label sends traffic to it"
        } else if k == "prometheus.io/port" {
            "its metrics port (prometheus.io/port label)"
        } else {
            continue;
        };
        if let Ok(port) = v.trim().parse::<u16>() {
            out.push((port, why));
        }
    }
    out
}

pub fn decide(cx: &mut Ctx, members: &[&Service], hints: &ServiceHints, pod: &mut PodPlan) {
    for (i, svc) in members.iter().enumerate() {
        for (port, why) in listening_ports(svc) {
            if port == 0
                || pod.containers.iter().any(|c| {
                    c.ports
                        .iter()
                        .any(|p| p.port == port && p.protocol == "TCP")
                })
            {
                continue;
            }
            if let Some(c) = pod.containers.get_mut(i) {
                c.ports.push(PortPlan {
                    name: format!("tcp-{port}"),
                    port,
                    target: port,
                    protocol: "TCP".into(),
                });
                pod.decide(
                    "ports",
                    format!("{}: {port}", svc.name),
                    format!("{why}: it is in the Service and the NetworkPolicy"),
                );
            }
        }
    }
    // Service ports: every container's ports (joined containers publish through this pod).
    let mut ports: Vec<PortPlan> = Vec::new();
    for c in &pod.containers {
        for p in &c.ports {
            if !ports
                .iter()
                .any(|x| x.port == p.port && x.protocol == p.protocol)
            {
                ports.push(p.clone());
            }
        }
    }
    pod.ports = ports;
    // Metrics ports: every port of an exporter, and `prometheus.io/port` labels.
    for (i, svc) in members.iter().enumerate() {
        let exporter = profile_of(svc).role == crate::images::Role::MetricsExporter;
        let labelled = svc
            .labels
            .iter()
            .chain(svc.deploy.iter().flat_map(|d| d.labels.iter()))
            .filter(|(k, _)| k.as_str() == "prometheus.io/port")
            .filter_map(|(_, v)| v.trim().parse::<u16>().ok());
        let mut found: Vec<u16> = labelled.collect();
        if exporter {
            if let Some(c) = pod.containers.get(i) {
                found.extend(
                    c.ports
                        .iter()
                        .filter(|p| p.protocol == "TCP")
                        .map(|p| p.target),
                );
            }
        }
        for port in found {
            if !pod.metrics_ports.contains(&port) {
                pod.metrics_ports.push(port);
            }
        }
    }
    if !pod.metrics_ports.is_empty() {
        if let Some(m) = &cx.cluster.monitoring {
            let ns = m.prometheus_namespace();
            pod.decide(
                "network",
                format!("metrics {:?} from namespace {ns}", pod.metrics_ports),
                "monitoring is declared in cluster.yaml: Prometheus may scrape the metrics ports",
            );
        }
    }

    // Alias Services: network aliases and container_name, as Compose resolves them.
    let mut aliases: Vec<String> = Vec::new();
    for svc in members {
        let mut names: Vec<&str> = Vec::new();
        if let Some(c) = &svc.container_name {
            names.push(c);
        }
        if let Some(h) = &svc.hostname {
            names.push(h);
        }
        for n in svc.networks.values() {
            names.extend(n.aliases.iter().map(String::as_str));
        }
        for n in names {
            let dns = dns_label(n);
            if dns == n && dns != pod.name && !aliases.contains(&dns) && !pod.ports.is_empty() {
                aliases.push(dns);
            }
        }
    }
    if !aliases.is_empty() {
        pod.decide("alias services", aliases.join(", "), "container_name / hostname / network aliases other services may use as host names: extra ClusterIP Services");
    }
    pod.alias_services = aliases;

    if !pod.workload.is_long_running() {
        return;
    }

    let tls = cx.cluster.ingress.tls == TlsMode::CertManager;
    let domain = cx.cluster.domain.clone();
    let default_host = format!("{}.{}", pod.name, domain);
    let first_http = pod
        .ports
        .iter()
        .find(|p| {
            p.protocol == "TCP"
                && members
                    .iter()
                    .any(|s| is_http(p.port, s, profile_of(s), None))
        })
        .map(|p| p.port);
    let mut routes: Vec<IngressRoute> = Vec::new();
    let mut disabled = false;

    match &hints.expose {
        Some(ExposeHint::Disabled(false)) => {
            disabled = true;
            pod.decide("exposure", "none", "x-homeport.expose: false");
        }
        Some(ExposeHint::Disabled(true)) => {
            if let Some(port) = first_http.or(pod.ports.first().map(|p| p.port)) {
                routes.push(IngressRoute {
                    host: default_host.clone(),
                    path: "/".into(),
                    port,
                    tls,
                    reason: "x-homeport.expose: true".into(),
                });
            }
        }
        Some(ExposeHint::Route { host, path, port }) => {
            let port = port.or(first_http).or(pod.ports.first().map(|p| p.port));
            match port {
                Some(port) => routes.push(IngressRoute {
                    host: host.clone().unwrap_or_else(|| default_host.clone()),
                    path: path.clone().unwrap_or_else(|| "/".into()),
                    port,
                    tls,
                    reason: "x-homeport.expose".into(),
                }),
                None => cx.push(
                    Diagnostic::warning(
                        codes::ROUTE_NOT_TRANSLATED,
                        format!(
                            "service `{}` asks to be exposed but has no port",
                            pod.service
                        ),
                    )
                    .with_help("add `port:` to x-homeport.expose"),
                ),
            }
        }
        None => {}
    }

    let hinted = !routes.is_empty();
    for svc in members {
        if disabled || hinted {
            break;
        }
        let labels: Vec<(&String, &String)> = svc
            .labels
            .iter()
            .chain(svc.deploy.iter().flat_map(|d| d.labels.iter()))
            .collect();
        let fallback = first_http.or(pod.ports.first().map(|p| p.port));
        routes.extend(crate::decide::traefik::routes(
            cx,
            svc,
            &labels,
            &crate::decide::traefik::Defaults {
                host: &default_host,
                port: fallback,
                tls,
            },
            &mut pod.traefik_middleware_refs,
        ));
        // caddy-docker-proxy labels: `caddy: host`, `caddy.reverse_proxy: {{upstreams 8080}}`.
        if let Some((_, host)) = labels.iter().find(|(k, _)| k.as_str() == "caddy") {
            let port = labels
                .iter()
                .find(|(k, _)| k.as_str() == "caddy.reverse_proxy")
                .and_then(|(_, v)| {
                    v.split(|c: char| !c.is_ascii_digit())
                        .find(|s| !s.is_empty())
                        .and_then(|s| s.parse::<u16>().ok())
                })
                .or(first_http);
            if let Some(port) = port {
                for h in host.split([',', ' ']).filter(|h| !h.is_empty()) {
                    let h = h
                        .trim_start_matches("http://")
                        .trim_start_matches("https://")
                        .to_string();
                    routes.push(IngressRoute {
                        host: h,
                        path: "/".into(),
                        port,
                        tls,
                        reason: "caddy label".into(),
                    });
                }
            }
        }
    }

    // Published ports.
    let mut lb: Vec<PortPlan> = Vec::new();
    let mut lb_span = None;
    for svc in members {
        for p in &svc.ports {
            let Some(published) = &p.published else {
                continue;
            };
            if p.host_ip
                .as_deref()
                .is_some_and(|ip| ip.starts_with("127.") || ip == "::1")
            {
                cx.push(
                    Diagnostic::info(codes::PORT_LOCAL_ONLY, format!("service `{}`: port {published}:{} is bound to {} (host-local) and is not exposed", svc.name, p.target, p.host_ip.as_deref().unwrap_or("")))
                        .with_span_opt(p.span.or(svc.origin.field("ports"))),
                );
                continue;
            }
            // In a shared pod the port may belong to a joined service (qbittorrent's web UI
            // published by gluetun): name the host after it and judge HTTP by its image.
            let owner = members
                .iter()
                .skip(1)
                .find(|m| {
                    let mp = profile_of(m);
                    let known = mp.port.or_else(|| {
                        m.image
                            .as_deref()
                            .and_then(|i| images::linuxserver_port(images::repository(i)))
                    });
                    known == Some(p.target)
                })
                .copied()
                .unwrap_or(svc);
            let host = if std::ptr::eq(owner, *svc) {
                default_host.clone()
            } else {
                format!("{}.{}", crate::planner::service_dns(owner), domain)
            };
            let http = p.protocol == "tcp"
                && is_http(
                    p.target,
                    owner,
                    profile_of(owner),
                    p.app_protocol.as_deref(),
                );
            if http {
                // A second HTTP port that is a management UI (MinIO's console beside its S3
                // API) gets its own host rather than no route at all.
                let ui = MANAGEMENT_UI_PORTS.contains(&p.target)
                    && profile_of(owner).role.is_data_service();
                if !disabled
                    && ui
                    && !routes.is_empty()
                    && !routes.iter().any(|r| r.port == p.target)
                {
                    routes.push(IngressRoute {
                        host: format!("{}-console.{}", pod.name, domain),
                        path: "/".into(),
                        port: p.target,
                        tls,
                        reason: format!(
                            "HTTP management UI on port {} published on the host",
                            p.target
                        ),
                    });
                    continue;
                }
                if !disabled && routes.is_empty() {
                    routes.push(IngressRoute {
                        host,
                        path: "/".into(),
                        port: p.target,
                        tls,
                        reason: format!("HTTP port {} published on the host", p.target),
                    });
                }
                continue;
            }
            if p.target == 443 && pod.ports.iter().any(|x| x.port == 80) && !routes.is_empty() {
                continue; // TLS is terminated by the ingress
            }
            // A database, cache or queue published on the host is a development convenience:
            // it stays inside the cluster unless the user asks.
            if profile_of(owner).role.is_data_service() && hints.expose.is_none() {
                cx.push(
                    Diagnostic::warning(
                        codes::DATA_PORT_NOT_EXPOSED,
                        format!(
                            "service `{}`: published port {published}:{} of a {} stays inside the cluster (ClusterIP)",
                            svc.name,
                            p.target,
                            profile_of(owner).role.as_str()
                        ),
                    )
                    .with_span_opt(p.span.or(svc.origin.field("ports")))
                    .with_note("a host-published database port is usually a development convenience; a LoadBalancer would open it to the whole network")
                    .with_help("reach it with `kubectl port-forward`, or add `x-homeport: {expose: true}` to publish it"),
                );
                pod.decide(
                    "exposure",
                    format!("{}: port {} ClusterIP only", svc.name, p.target),
                    "a data service's published port is not opened outside the cluster unless x-homeport.expose asks",
                );
                continue;
            }
            if let Some(ip) = p
                .host_ip
                .as_deref()
                .filter(|ip| !matches!(*ip, "0.0.0.0" | "::" | "[::]" | ""))
            {
                cx.push(
                    Diagnostic::warning(
                        codes::PORT_HOST_IP,
                        format!(
                            "service `{}`: port {published}:{} is bound to {ip} in Compose; the LoadBalancer listens on every node address",
                            svc.name, p.target
                        ),
                    )
                    .with_span_opt(p.span.or(svc.origin.field("ports")))
                    .with_help("restrict who reaches it with a firewall on the nodes, or publish it through the ingress"),
                );
            }
            let port = published
                .split('-')
                .next()
                .and_then(|s| s.parse::<u16>().ok())
                .unwrap_or(p.target);
            let protocol = p.protocol.to_ascii_uppercase();
            if !lb.iter().any(|x| x.port == port && x.protocol == protocol) {
                lb_span = lb_span.or(p.span).or(svc.origin.field("ports"));
                lb.push(PortPlan {
                    name: if protocol == "TCP" {
                        format!("tcp-{port}")
                    } else {
                        format!("{}-{port}", protocol.to_ascii_lowercase())
                    },
                    port,
                    target: p.target,
                    protocol,
                });
            }
        }
    }
    // Host-network services whose host networking was dropped: publish their web port.
    for svc in members {
        let sp = profile_of(svc);
        if svc.network_mode.as_deref() == Some("host")
            && sp.host_network_optional.is_some()
            && !pod.host_network
        {
            if let (Some(port), true) = (sp.port, sp.http) {
                if !disabled && routes.is_empty() {
                    routes.push(IngressRoute { host: default_host.clone(), path: "/".into(), port, tls, reason: format!("{} ran on the host network; its web port is published through the ingress", svc.name) });
                }
            }
        }
    }
    if !disabled && routes.is_empty() && cx.proxied.contains(&pod.name) {
        if let Some(port) = first_http {
            routes.push(IngressRoute {
                host: default_host.clone(),
                path: "/".into(),
                port,
                tls,
                reason:
                    "served through the Compose reverse proxy, which the cluster ingress replaces"
                        .into(),
            });
        }
    }
    if !lb.is_empty() {
        let list: Vec<String> = lb
            .iter()
            .map(|p| format!("{}/{}", p.port, p.protocol))
            .collect();
        cx.push(
            Diagnostic::info(
                codes::LOAD_BALANCER_PORT,
                format!(
                    "service `{}`: published non-HTTP port(s) {} become a LoadBalancer Service",
                    pod.service,
                    list.join(", ")
                ),
            )
            .with_span_opt(lb_span),
        );
        pod.decide("exposure", format!("LoadBalancer {}", list.join(", ")), "published non-HTTP ports: a LoadBalancer Service (k3s ServiceLB) on the same port numbers");
    }
    for r in &routes {
        pod.decide(
            "exposure",
            format!(
                "Ingress {}{} -> {}{}",
                r.host,
                if r.path == "/" {
                    String::new()
                } else {
                    r.path.clone()
                },
                r.port,
                if r.tls { " (TLS)" } else { "" }
            ),
            format!("{}; class {}", r.reason, cx.cluster.ingress.class_name),
        );
    }
    // A route to a port nobody declared (Traefik labels on a service without `ports:`, an
    // explicit x-homeport.expose port): the Service and the container must carry it.
    for r in &routes {
        if !pod
            .ports
            .iter()
            .any(|p| p.port == r.port && p.protocol == "TCP")
        {
            let port = PortPlan {
                name: format!("tcp-{}", r.port),
                port: r.port,
                target: r.port,
                protocol: "TCP".into(),
            };
            pod.ports.push(port.clone());
            if let Some(c) = pod.containers.first_mut() {
                c.ports.push(port);
            }
            pod.decide(
                "ports",
                r.port.to_string(),
                format!("the ingress route ({}) targets it", r.reason),
            );
        }
    }
    pod.ingresses = routes;
    pod.load_balancer = lb;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traefik_rules() {
        let (h, p) = parse_traefik_rule("Host(`a.example.com`) && PathPrefix(`/api`)");
        assert_eq!(h, vec!["a.example.com"]);
        assert_eq!(p.as_deref(), Some("/api"));
        let (h, _) = parse_traefik_rule("Host(`a.x`) || Host(`b.x`)");
        assert_eq!(h, vec!["a.x", "b.x"]);
        let (h, _) = parse_traefik_rule("Host(`a.x`, `c.x`)");
        assert_eq!(h, vec!["a.x", "c.x"]);
    }

    #[test]
    fn proxy_config_upstreams() {
        let names = ["frontend", "backend", "db", "web"];
        let caddy = "example.com {\n  reverse_proxy frontend:3000\n  handle_path /api/* {\n    reverse_proxy backend:8080\n  }\n}\n";
        assert_eq!(
            upstreams_in_config(caddy, &names),
            vec!["frontend", "backend"]
        );
        let nginx = "location / { proxy_pass http://web; }\n# db is not proxied\n";
        assert_eq!(upstreams_in_config(nginx, &names), vec!["web"]);
        // A longer name containing one, or a word that is not a host, is not an upstream.
        assert!(upstreams_in_config("reverse_proxy my-frontend:3000 webhook:1", &names).is_empty());
        assert!(upstreams_in_config("error_log /var/log/web.log;", &names).is_empty());
    }
}
