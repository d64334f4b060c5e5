//! Traefik middlewares that Compose routers name (`traefik.http.routers.<r>.middlewares`),
//! kept on the pod's Ingress.
//!
//! The middlewares are defined by labels of any service of the project
//! (`traefik.http.middlewares.<name>.<type>.<option>`; Authelia's container usually defines
//! the `forwardAuth` one its neighbours name), so they are translated once every pod has
//! its namespace. `basicAuth` and `forwardAuth` are translated (the users into a Secret; the
//! auth service's address into its in-cluster name, and that service admits the ingress
//! controller); `chain` is followed. A route that a middleware protects (authentication, an
//! IP allow list, or a middleware whose type is not known here) is never exposed without
//! that protection:
//!
//! * with Traefik, the Ingress names such a middleware even when homeport cannot write it
//!   (defined by Traefik's file provider, another type): Traefik does not serve a route whose
//!   middleware does not exist, so the route stays closed until the user creates it;
//! * with ingress-nginx, basicAuth and forwardAuth become its `auth-*` annotations; any other
//!   protection leaves the pod without an Ingress;
//! * with another class, a protected pod gets no Ingress.
//!
//! Either way a warning says what to do. Other middlewares (headers, redirects, prefixes) are
//! reported and left out; the route works without them.

use crate::codes;
use crate::plan::{IngressMiddleware, MiddlewareSpec, PodPlan, PortPlan};
use crate::planner::Ctx;
use homeport_diag::Diagnostic;
use indexmap::IndexMap;
use std::collections::HashMap;

const MIDDLEWARES: &str = "traefik.http.middlewares.";

/// Middleware types that protect a route: a route is not exposed without them.
const PROTECTIVE: &[&str] = &[
    "basicauth",
    "digestauth",
    "forwardauth",
    "ipallowlist",
    "ipwhitelist",
];

/// How deep `chain` middlewares may nest (Traefik refuses cycles too).
const MAX_CHAIN_DEPTH: usize = 8;

/// A middleware as the labels define it.
struct Definition<'p> {
    /// The Compose service whose labels define it.
    service: &'p str,
    /// Its type, lower case (`basicauth`, `forwardauth`, ...).
    kind: String,
    /// Option path (lower case, after the type) -> value.
    options: IndexMap<String, &'p str>,
}

/// Why a middleware is not translated.
struct Untranslated {
    /// The middleware (as named by the router, or within a chain).
    name: String,
    reason: String,
    /// It protects the route (or it is not known whether it does).
    protective: bool,
    /// The Middleware the Ingress names in its place (Traefik), which the user creates.
    external: Option<String>,
}

/// What the middlewares of one pod came to.
struct Translation<'a> {
    /// In the routers' order.
    out: Vec<IngressMiddleware>,
    missing: Vec<Untranslated>,
    /// Name an untranslated protection in the Ingress anyway (Traefik: it fails closed).
    fail_closed: bool,
    /// Pods (and ports) that forwardAuth calls.
    auth_ports: &'a mut Vec<(usize, u16)>,
}

impl Translation<'_> {
    fn fail(&mut self, r: &str, reason: String, protective: bool) {
        let external = (protective && self.fail_closed).then(|| {
            let name = crate::planner::dns_label(r.split('@').next().unwrap_or(r));
            if !self.out.iter().any(|m| m.name == name) {
                self.out.push(IngressMiddleware {
                    name: name.clone(),
                    label_name: r.to_string(),
                    spec: MiddlewareSpec::External,
                });
            }
            name
        });
        self.missing.push(Untranslated {
            name: r.to_string(),
            reason,
            protective,
            external,
        });
    }
}

/// Which ingress controller the Ingress is for.
#[derive(PartialEq)]
enum Class {
    Traefik,
    Nginx,
    Other,
}

/// Translate the middlewares of every pod's routers (see the module documentation).
pub fn resolve(cx: &mut Ctx, pods: &mut [PodPlan]) {
    if pods.iter().all(|p| p.traefik_middleware_refs.is_empty()) {
        return;
    }
    let project = cx.project;
    let definitions = definitions(project);
    // Host name -> pod (service names, aliases, DNS names), for forwardAuth addresses.
    let mut hosts: HashMap<String, usize> = HashMap::new();
    for (i, pod) in pods.iter().enumerate() {
        hosts.insert(pod.name.clone(), i);
        for a in &pod.alias_services {
            hosts.entry(a.clone()).or_insert(i);
        }
        for c in &pod.containers {
            hosts.entry(c.service.to_ascii_lowercase()).or_insert(i);
        }
    }
    let class_name = cx.cluster.ingress.class_name.clone();
    let class = match class_name.as_str() {
        "traefik" => Class::Traefik,
        "nginx" => Class::Nginx,
        _ => Class::Other,
    };
    let mut auth_ports: Vec<(usize, u16)> = Vec::new();
    for i in 0..pods.len() {
        let refs = std::mem::take(&mut pods[i].traefik_middleware_refs);
        if refs.is_empty() || pods[i].ingresses.is_empty() {
            continue;
        }
        let service = pods[i].service.clone();
        let span = project
            .services
            .get(&service)
            .and_then(|s| s.origin.field("labels"));
        let mut pod_auth_ports = Vec::new();
        let mut t = Translation {
            out: Vec::new(),
            missing: Vec::new(),
            fail_closed: class == Class::Traefik,
            auth_ports: &mut pod_auth_ports,
        };
        for r in &refs {
            if class == Class::Other {
                let protective = protective_or_unknown(&definitions, r);
                t.fail(
                    r,
                    format!("the cluster's ingress class is `{class_name}`, not Traefik or nginx"),
                    protective,
                );
                continue;
            }
            translate(r, &definitions, &hosts, pods, 0, &mut Vec::new(), &mut t);
        }
        if class == Class::Nginx {
            nginx_limits(&mut t);
        }
        let Translation {
            mut out, missing, ..
        } = t;
        let pod = &mut pods[i];
        let blocking: Vec<&Untranslated> = missing
            .iter()
            .filter(|m| m.protective && m.external.is_none())
            .collect();
        if !blocking.is_empty() {
            let list: Vec<String> = blocking
                .iter()
                .map(|m| format!("`{}` ({})", m.name, m.reason))
                .collect();
            cx.push(
                Diagnostic::warning(
                    codes::ROUTE_NOT_TRANSLATED,
                    format!(
                        "service `{service}`: its Traefik routers use middleware {} that may protect it and is not translated; it gets no Ingress, so it is not exposed without that protection",
                        list.join(", ")
                    ),
                )
                .with_span_opt(span)
                .with_help("use Traefik as the ingress class, define the middleware with `traefik.http.middlewares.<name>.basicAuth|forwardAuth.*` labels, or set `x-homeport.expose` to expose the service and protect it yourself"),
            );
            let hosts: Vec<String> = pod.ingresses.iter().map(|r| r.host.clone()).collect();
            pod.ingresses.clear();
            pod.decisions
                .retain(|d| !(d.topic == "exposure" && d.value.starts_with("Ingress ")));
            pod.decide(
                "exposure",
                format!("no Ingress (was {})", hosts.join(", ")),
                format!(
                    "protected by Traefik middleware {} that is not translated",
                    list.join(", ")
                ),
            );
            continue;
        }
        auth_ports.extend(pod_auth_ports);
        // One copy per pod: pods of a namespace that share a middleware never clash.
        for m in &mut out {
            m.name = crate::planner::dns_label(&format!("{}-{}", pod.name, m.name));
        }
        for m in &missing {
            let (message, help) = match &m.external {
                Some(name) => (
                    format!(
                        "service `{service}`: Traefik middleware `{}` is not translated ({}); its Ingress names Middleware `{}/{}-{name}` in its place, which you must create: until it exists Traefik does not serve the route",
                        m.name, m.reason, pod.namespace, pod.name
                    ),
                    "create that traefik.io/v1alpha1 Middleware with the same settings, or define the middleware with `traefik.http.middlewares.<name>.basicAuth|forwardAuth.*` labels",
                ),
                None => (
                    format!(
                        "service `{service}`: Traefik middleware `{}` is not translated ({}); its Ingress works without it",
                        m.name, m.reason
                    ),
                    "add the equivalent middleware to the cluster and reference it from the Ingress",
                ),
            };
            cx.push(
                Diagnostic::warning(codes::ROUTE_NOT_TRANSLATED, message)
                    .with_span_opt(span)
                    .with_help(help),
            );
        }
        for m in &out {
            let what = match &m.spec {
                MiddlewareSpec::BasicAuth { users, .. } => {
                    format!(
                        "basicAuth, {} user(s) in Secret {}-users",
                        users.len(),
                        m.name
                    )
                }
                MiddlewareSpec::ForwardAuth { address, .. } => format!("forwardAuth to {address}"),
                MiddlewareSpec::External => "not written: create it".to_string(),
            };
            let via = if class == Class::Nginx {
                "ingress-nginx auth annotations"
            } else {
                "Traefik Middleware"
            };
            pod.decide(
                "exposure",
                format!("{via} {} ({what})", m.name),
                format!(
                    "its Compose router uses middleware `{}`: its Ingress keeps it",
                    m.label_name
                ),
            );
        }
        pod.middlewares = out;
    }
    for (target, port) in auth_ports {
        let pod = &mut pods[target];
        if !pod.forward_auth_ports.contains(&port) {
            pod.forward_auth_ports.push(port);
            pod.decide(
                "network",
                format!("ingress controller allowed on port {port}"),
                "the ingress controller calls it to authenticate requests (forwardAuth)",
            );
        }
        // The address names the Service's port: without it the name resolves to nothing
        // and every protected route fails.
        if !pod.ports.iter().any(|p| p.port == port) {
            pod.ports.push(PortPlan {
                name: format!("auth-{port}"),
                port,
                target: port,
                protocol: "TCP".into(),
            });
            pod.decide(
                "ports",
                format!("{}: {port}/tcp", pod.service),
                "a forwardAuth middleware's address calls it on this port; neither Compose nor the image declares it",
            );
        }
    }
}

/// ingress-nginx takes one basic authentication and one auth URL per Ingress: any further
/// one cannot be kept.
fn nginx_limits(t: &mut Translation<'_>) {
    let mut basic = false;
    let mut forward = false;
    let mut extra = Vec::new();
    t.out.retain(|m| {
        let seen = match m.spec {
            MiddlewareSpec::BasicAuth { .. } => &mut basic,
            MiddlewareSpec::ForwardAuth { .. } => &mut forward,
            MiddlewareSpec::External => return true,
        };
        if *seen {
            extra.push(m.label_name.clone());
            return false;
        }
        *seen = true;
        true
    });
    for name in extra {
        t.fail(
            &name,
            "ingress-nginx takes one authentication of each kind per Ingress".into(),
            true,
        );
    }
}

/// Translate middleware reference `r` into `t` (following chains), or say why not.
fn translate(
    r: &str,
    definitions: &IndexMap<&str, Definition<'_>>,
    hosts: &HashMap<String, usize>,
    pods: &[PodPlan],
    depth: usize,
    seen: &mut Vec<String>,
    t: &mut Translation<'_>,
) {
    let (name, provider) = match r.split_once('@') {
        Some((n, p)) => (n, Some(p)),
        None => (r, None),
    };
    if let Some(p) = provider.filter(|p| !matches!(*p, "docker" | "swarm")) {
        t.fail(
            r,
            format!("defined by Traefik's `{p}` provider, outside the Compose files"),
            true,
        );
        return;
    }
    let Some(def) = definitions.get(name) else {
        t.fail(r, "no service's labels define it".into(), true);
        return;
    };
    if seen.iter().any(|s| s == name) || depth > MAX_CHAIN_DEPTH {
        t.fail(r, "a chain that includes itself".into(), true);
        return;
    }
    let option = |key: &str| def.options.get(key).copied();
    let list = |key: &str| -> Vec<String> {
        option(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let flag = |key: &str| option(key).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let spec = match def.kind.as_str() {
        "chain" => {
            seen.push(name.to_string());
            for member in list("middlewares") {
                translate(&member, definitions, hosts, pods, depth + 1, seen, t);
            }
            seen.pop();
            return;
        }
        "basicauth" => {
            let users = list("users");
            if users.is_empty() {
                let why = if option("usersfile").is_some() {
                    "its users are in a file inside the Traefik container (`usersFile`)"
                } else {
                    "it has no `users`"
                };
                t.fail(r, format!("basicAuth: {why}"), true);
                return;
            }
            MiddlewareSpec::BasicAuth {
                users,
                realm: option("realm").map(String::from),
                remove_header: flag("removeheader"),
                header_field: option("headerfield").map(String::from),
            }
        }
        "forwardauth" => {
            let Some(address) = option("address").map(str::trim).filter(|a| !a.is_empty()) else {
                t.fail(r, "forwardAuth: it has no `address`".into(), true);
                return;
            };
            let address = match in_cluster_address(address, hosts, pods) {
                Some((address, target, port)) => {
                    t.auth_ports.push((target, port));
                    address
                }
                None => address.to_string(),
            };
            MiddlewareSpec::ForwardAuth {
                address,
                trust_forward_header: flag("trustforwardheader"),
                auth_response_headers: list("authresponseheaders"),
                auth_request_headers: list("authrequestheaders"),
                auth_response_headers_regex: option("authresponseheadersregex").map(String::from),
            }
        }
        other => {
            t.fail(
                r,
                format!("type `{other}` is not translated"),
                PROTECTIVE.contains(&other),
            );
            return;
        }
    };
    let object_name = crate::planner::dns_label(name);
    if !t.out.iter().any(|m| m.name == object_name) {
        t.out.push(IngressMiddleware {
            name: object_name,
            label_name: name.to_string(),
            spec,
        });
    }
}

/// Whether middleware reference `r` may protect a route: a protective type, or one whose
/// type is not known here.
fn protective_or_unknown(definitions: &IndexMap<&str, Definition<'_>>, r: &str) -> bool {
    let name = r.split('@').next().unwrap_or(r);
    definitions
        .get(name)
        .is_none_or(|d| d.kind == "chain" || PROTECTIVE.contains(&d.kind.as_str()))
}

/// Every middleware the project's labels define, by name (the first definition wins).
fn definitions(project: &homeport_compose::Project) -> IndexMap<&str, Definition<'_>> {
    let mut out: IndexMap<&str, Definition<'_>> = IndexMap::new();
    for svc in project.services.values() {
        let labels = svc
            .labels
            .iter()
            .chain(svc.deploy.iter().flat_map(|d| d.labels.iter()));
        for (k, v) in labels {
            if k.len() <= MIDDLEWARES.len()
                || !k.is_char_boundary(MIDDLEWARES.len())
                || !k[..MIDDLEWARES.len()].eq_ignore_ascii_case(MIDDLEWARES)
            {
                continue;
            }
            let rest = &k[MIDDLEWARES.len()..];
            let mut parts = rest.splitn(3, '.');
            let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
                continue;
            };
            let option = parts.next().unwrap_or("").to_ascii_lowercase();
            let def = out.entry(name).or_insert_with(|| Definition {
                service: svc.name.as_str(),
                kind: kind.to_ascii_lowercase(),
                options: IndexMap::new(),
            });
            if def.service == svc.name && def.kind.eq_ignore_ascii_case(kind) {
                def.options.entry(option).or_insert(v.as_str());
            }
        }
    }
    out
}

/// `address` with its host, when that is a service of the project, replaced by the
/// Service's in-cluster DNS name (Traefik runs in another namespace); with the pod and the
/// port it calls.
fn in_cluster_address(
    address: &str,
    hosts: &HashMap<String, usize>,
    pods: &[PodPlan],
) -> Option<(String, usize, u16)> {
    let (scheme, rest) = address.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
        None => (authority, None),
    };
    let target = *hosts.get(&host.to_ascii_lowercase())?;
    let pod = pods.get(target)?;
    let port = port.unwrap_or(if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    });
    let fqdn = format!("{}.{}.svc.cluster.local", pod.name, pod.namespace);
    Some((format!("{scheme}://{fqdn}:{port}{tail}"), target, port))
}
