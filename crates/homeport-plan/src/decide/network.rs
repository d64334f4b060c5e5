//! Who may talk to whom: Compose networks, references (depends_on, links, host names in the
//! environment), the ingress controller, LoadBalancer ports, internet egress; ExternalName
//! Services where services were split across namespaces.

use crate::codes;
use crate::plan::*;
use crate::planner::{dns_label, Ctx};
use homeport_diag::Diagnostic;
use std::collections::HashMap;

/// Host-name-like tokens of an environment value: `postgres://u:p@db:5432/x` -> `db`, ...
fn host_tokens(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .filter(|t| !t.is_empty() && t.len() <= 63)
}

/// Keys whose values name hosts (`DB_HOST`, `REDIS_URL`, `KAFKA_BROKERS`, ...).
const HOST_KEY_WORDS: &[&str] = &[
    "HOST",
    "HOSTS",
    "HOSTNAME",
    "ADDR",
    "ADDRESS",
    "SERVER",
    "SERVERS",
    "URL",
    "URLS",
    "URI",
    "DSN",
    "ENDPOINT",
    "ENDPOINTS",
    "BROKER",
    "BROKERS",
    "NODES",
    "PEERS",
    "CONNECT",
    "UPSTREAM",
    "BACKEND",
];

/// Host names an environment entry refers to: every host-like token when the key names a
/// host or address, else only the hosts of URLs (`scheme://user:pw@host:port/...`).
fn referenced_hosts<'v>(key: &str, value: &'v str) -> Vec<&'v str> {
    let upper = key.to_ascii_uppercase();
    let key_names_host = upper
        .split(['_', '-', '.'])
        .any(|seg| HOST_KEY_WORDS.contains(&seg));
    let mut out = Vec::new();
    if key_names_host && !value.contains("://") {
        for tok in host_tokens(value) {
            out.push(tok.split('.').next().unwrap_or(tok));
        }
        return out;
    }
    let mut rest = value;
    while let Some(i) = rest.find("://") {
        rest = &rest[i + 3..];
        let authority = rest.split(['/', '?', '#', ' ', ',']).next().unwrap_or("");
        let hostport = authority.rsplit('@').next().unwrap_or(authority);
        let host = hostport.split(':').next().unwrap_or(hostport);
        let host = host.split('.').next().unwrap_or(host);
        if !host.is_empty() {
            out.push(host);
        }
    }
    out
}

pub fn plan_network(cx: &mut Ctx, pods: &mut [PodPlan]) -> Vec<ExternalNamePlan> {
    let project = cx.project;
    // Host name -> pod index (service names, DNS names, aliases, container names).
    let mut hosts: HashMap<String, usize> = HashMap::new();
    let mut service_pod: HashMap<&str, usize> = HashMap::new();
    for (i, pod) in pods.iter().enumerate() {
        hosts.insert(pod.name.clone(), i);
        for a in &pod.alias_services {
            hosts.entry(a.clone()).or_insert(i);
        }
        for c in &pod.containers {
            service_pod.insert(c.service.as_str(), i);
            hosts.entry(c.service.clone()).or_insert(i);
        }
    }
    // Edges: consumer pod -> target pod, with the host name the consumer uses.
    let mut edges: Vec<(usize, usize, String)> = Vec::new();
    for (i, pod) in pods.iter().enumerate() {
        let mut targets: Vec<(usize, String)> = Vec::new();
        let name = |targets: &mut Vec<(usize, String)>, host: &str| {
            let host = host.to_ascii_lowercase();
            if let Some(&t) = hosts.get(&host) {
                targets.push((t, host));
            }
        };
        for c in &pod.containers {
            let Some(svc) = project.services.get(&c.service) else {
                continue;
            };
            for dep in svc.depends_on.keys() {
                if let Some(&t) = service_pod.get(dep.as_str()) {
                    targets.push((t, dns_label(dep)));
                }
            }
            for l in &svc.links {
                let (target, alias) = l.split_once(':').unwrap_or((l, l));
                if let Some(&t) = service_pod.get(target) {
                    targets.push((t, dns_label(target)));
                    targets.push((t, dns_label(alias)));
                }
            }
            for (key, v) in &svc.environment {
                let Some(value) = &v.value else { continue };
                for host in referenced_hosts(key, value) {
                    name(&mut targets, host);
                }
            }
            // Command and entrypoint arguments (`--db-host=db`, `redis://cache:6379`, `db:5432`).
            for cmd in [&svc.entrypoint, &svc.command].into_iter().flatten() {
                let words = match cmd {
                    homeport_compose::Command::Exec(v) => v.clone(),
                    homeport_compose::Command::String(s) => {
                        crate::decide::environment::shell_words(s)
                    }
                };
                for w in &words {
                    for host in text_hosts(w) {
                        name(&mut targets, host);
                    }
                }
            }
        }
        // Configuration files shipped with the pod (nginx.conf upstreams, config.yaml hosts).
        let texts = pod
            .config_files
            .values()
            .filter_map(|f| match f {
                FileContent::Text(t) => Some(t.as_str()),
                FileContent::Binary(_) => None,
            })
            .chain(
                pod.secret_files
                    .values()
                    .filter_map(|b| std::str::from_utf8(b).ok()),
            );
        for text in texts {
            for host in text_hosts(text) {
                name(&mut targets, host);
            }
        }
        for w in &pod.init_waits {
            name(&mut targets, &w.host);
        }
        targets.sort();
        targets.dedup();
        for (t, host) in targets {
            if t != i {
                edges.push((i, t, host));
            }
        }
    }

    for pod in pods.iter_mut() {
        let mut nets: Vec<String> = Vec::new();
        let mut internal_only = true;
        for c in &pod.containers {
            if let Some(svc) = project.services.get(&c.service) {
                for n in svc.networks.keys() {
                    let def = project.networks.get(n);
                    let dns = def
                        .map(|d| {
                            if d.dns_name.is_empty() {
                                dns_label(n)
                            } else {
                                d.dns_name.clone()
                            }
                        })
                        .unwrap_or_else(|| dns_label(n));
                    if !def.is_some_and(|d| d.internal) {
                        internal_only = false;
                    }
                    if !nets.contains(&dns) {
                        nets.push(dns);
                    }
                }
            }
        }
        if nets.is_empty() {
            internal_only = false;
        }
        let host_net = pod.host_network;
        let data = pod.role.is_data_service();
        pod.network = NetworkAccess {
            networks: nets,
            from_networks: !data && !host_net,
            from_pods: Vec::new(),
            from_ingress_controller: !pod.ingresses.is_empty()
                || !pod.forward_auth_ports.is_empty(),
            from_anywhere_ports: pod.load_balancer.clone(),
            to_pods: Vec::new(),
            to_networks: !data,
            internet_egress: !data && !internal_only,
        };
        let why_in = if data {
            "a data service: only from the services that depend on, link to or name it in their environment"
        } else {
            "from pods sharing a Compose network, and from the services that reference it"
        };
        let why_out = if data {
            "no internet egress for a data service"
        } else if internal_only {
            "only on internal Compose networks: no internet egress"
        } else {
            "internet egress allowed (not a data service)"
        };
        let open: Vec<String> = pod
            .load_balancer
            .iter()
            .map(|p| format!("{}/{}", p.target, p.protocol))
            .collect();
        let value = match (data, open.is_empty()) {
            (true, true) => "ingress restricted to referencing services".to_string(),
            (false, true) => "ingress from its Compose networks".to_string(),
            (true, false) => format!(
                "ingress from referencing services; port(s) {} open to everyone (LoadBalancer)",
                open.join(", ")
            ),
            (false, false) => format!(
                "ingress from its Compose networks; port(s) {} open to everyone (LoadBalancer)",
                open.join(", ")
            ),
        };
        pod.decide(
            "network",
            value,
            format!("{why_in}; {why_out}; default deny for everything else"),
        );
    }
    for (from, to, _) in &edges {
        let (fns, fname) = (pods[*from].namespace.clone(), pods[*from].name.clone());
        let (tns, tname, tports) = (
            pods[*to].namespace.clone(),
            pods[*to].name.clone(),
            pods[*to].ports.clone(),
        );
        if !pods[*to]
            .network
            .from_pods
            .contains(&(fns.clone(), fname.clone()))
        {
            pods[*to].network.from_pods.push((fns, fname));
        }
        if !tports.is_empty()
            && !pods[*from]
                .network
                .to_pods
                .iter()
                .any(|(n, p, _)| n == &tns && p == &tname)
        {
            pods[*from].network.to_pods.push((tns, tname, tports));
        }
    }

    // Every name a consumer uses resolves: in its own namespace an alias Service of the
    // target, across namespaces an ExternalName Service to the target's Service.
    let mut aliases: Vec<ExternalNamePlan> = Vec::new();
    for (from, to, host) in &edges {
        let (f, t) = (&pods[*from], &pods[*to]);
        if t.ports.is_empty() || dns_label(host) != *host {
            continue;
        }
        let taken = pods.iter().any(|p| {
            p.namespace == f.namespace && (p.name == *host || p.alias_services.contains(host))
        });
        if taken
            || aliases
                .iter()
                .any(|a| a.namespace == f.namespace && a.name == *host)
        {
            continue;
        }
        if f.namespace == t.namespace {
            let service = f.service.clone();
            let t = &mut pods[*to];
            t.alias_services.push(host.clone());
            t.decide(
                "alias services",
                host.clone(),
                format!("`{service}` reaches it as `{host}`: a Service of that name"),
            );
            continue;
        }
        aliases.push(ExternalNamePlan {
            name: host.clone(),
            namespace: f.namespace.clone(),
            target: format!("{}.{}.svc.cluster.local", t.name, t.namespace),
            owner: t.name.clone(),
        });
        let span = project.services.get(&f.service).and_then(|s| s.origin.key);
        cx.push(
            Diagnostic::info(
                codes::CROSS_NAMESPACE,
                format!(
                    "`{}` (namespace {}) reaches `{}` as `{host}` in namespace {} through an ExternalName Service",
                    f.service, f.namespace, t.service, t.namespace
                ),
            )
            .with_span_opt(span),
        );
    }
    aliases.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    aliases
}

/// Environment values and command arguments of deployed services that name a service left
/// out (`DOCKER_HOST=tcp://socket-proxy:2375`): the name will not resolve, so say so.
pub fn report_left_out_references(cx: &mut Ctx, pods: &[PodPlan]) {
    if cx.left_out.is_empty() {
        return;
    }
    let project = cx.project;
    for pod in pods {
        for c in &pod.containers {
            let Some(svc) = project.services.get(&c.service) else {
                continue;
            };
            for (key, v) in &svc.environment {
                let Some(value) = &v.value else { continue };
                let hosts = referenced_hosts(key, value);
                let Some(gone) = hosts
                    .iter()
                    .find(|h| cx.left_out.iter().any(|l| l.eq_ignore_ascii_case(h)))
                else {
                    continue;
                };
                let gone = gone.to_string();
                cx.push(
                    Diagnostic::warning(
                        codes::DEPENDENCY_MISSING,
                        format!(
                            "service `{}`: `{key}` points at `{gone}`, which is not deployed",
                            svc.name
                        ),
                    )
                    .with_span_opt(v.span.or(svc.origin.field("environment")))
                    .with_help(format!("`{gone}` will not resolve in the cluster: point `{key}` at a deployed service, or remove it if the feature is not needed")),
                );
            }
        }
    }
}

/// Host names in free text (a command argument, a configuration file): the hosts of URLs,
/// `host:port` pairs, and the values of `--x-host=name` / `host = name` settings.
pub fn text_hosts(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        out.extend(referenced_hosts("", line));
        if let Some((key, value)) = line.split_once(['=', ':']) {
            let key = key.trim().trim_start_matches('-').trim_matches(['"', '\'']);
            let value = value
                .trim()
                .trim_end_matches([';', ','])
                .trim_matches(['"', '\'']);
            if !key.contains(char::is_whitespace) && !value.contains("://") {
                let upper = key.to_ascii_uppercase();
                if upper
                    .split(['_', '-', '.'])
                    .any(|seg| HOST_KEY_WORDS.contains(&seg))
                {
                    out.extend(host_tokens(value).map(|t| t.split('.').next().unwrap_or(t)));
                }
            }
        }
        // `name:port` tokens (`proxy_pass http://app:3000` is a URL, `server app:3000;` not).
        for tok in line.split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '(' | ')' | '[' | ']' | '=')
        }) {
            if let Some((host, port)) = tok.rsplit_once(':') {
                if !host.is_empty()
                    && !host.contains('/')
                    && !port.is_empty()
                    && port.len() <= 5
                    && port.chars().all(|c| c.is_ascii_digit())
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                {
                    out.push(host.split('.').next().unwrap_or(host));
                }
            }
        }
    }
    out.retain(|h| !h.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::referenced_hosts;

    #[test]
    fn hosts_in_arguments_and_files() {
        use super::text_hosts;
        assert_eq!(text_hosts("--db-host=postgres"), vec!["postgres"]);
        assert_eq!(text_hosts("redis://cache:6379/0"), vec!["cache"]);
        assert!(text_hosts("upstream app { server api:3000; }").contains(&"api"));
        assert!(text_hosts("database:\n  host: db\n").contains(&"db"));
        assert!(text_hosts("log_level: info\ntime: 12:30")
            .iter()
            .all(|h| *h != "info"));
    }

    #[test]
    fn hosts_from_host_keys_and_urls_only() {
        assert_eq!(referenced_hosts("DB_HOST", "db"), vec!["db"]);
        assert_eq!(
            referenced_hosts("DATABASE_URL", "postgres://u:p@db:5432/app"),
            vec!["db"]
        );
        assert_eq!(referenced_hosts("POSTGRES_DB", "app"), Vec::<&str>::new());
        assert_eq!(
            referenced_hosts("KAFKA_ZOOKEEPER_CONNECT", "zookeeper:2181"),
            vec!["zookeeper", "2181"]
        );
        assert_eq!(
            referenced_hosts("X", "see http://cache.local:11211 and redis://redis/0"),
            vec!["cache", "redis"]
        );
    }
}
