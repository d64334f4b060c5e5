//! Traefik middlewares that Compose routers name (`traefik.http.routers.<r>.middlewares`),
//! as Traefik `Middleware` objects the pod's Ingress uses.
//!
//! The middlewares are defined by labels of any service of the project
//! (`traefik.http.middlewares.<name>.<type>.<option>`; Authelia's container usually defines
//! the `forwardAuth` one its neighbours name), so they are translated once every pod has
//! its namespace. `basicAuth` and `forwardAuth` are translated (the users into a Secret; the
//! auth service's address into its in-cluster name, and that service admits the ingress
//! controller); `chain` is followed. A route that a middleware protects (authentication, an
//! IP allow list) is never exposed without that protection: when such a middleware cannot be
//! translated (another type, defined outside the Compose files, an ingress class other than
//! Traefik), the pod gets no Ingress and a warning says why. Other middlewares (headers,
//! redirects, prefixes) are reported and left out; the route works without them.

use crate::codes;
use crate::plan::{IngressMiddleware, MiddlewareSpec, PodPlan};
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
    let traefik = cx.cluster.ingress.class_name == "traefik";
    let class = cx.cluster.ingress.class_name.clone();
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
        let mut translated: Vec<IngressMiddleware> = Vec::new();
        let mut missing: Vec<Untranslated> = Vec::new();
        for r in &refs {
            if !traefik {
                missing.push(Untranslated {
                    name: r.clone(),
                    reason: format!("the cluster's ingress class is `{class}`, not Traefik"),
                    protective: protective_or_unknown(&definitions, r),
                });
                continue;
            }
            let mut seen = Vec::new();
            translate(
                r,
                &definitions,
                &hosts,
                pods,
                0,
                &mut seen,
                &mut translated,
                &mut missing,
                &mut auth_ports,
            );
        }
        let pod = &mut pods[i];
        let blocking: Vec<&Untranslated> = missing.iter().filter(|m| m.protective).collect();
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
                .with_help("define the middleware with `traefik.http.middlewares.<name>.basicAuth|forwardAuth.*` labels, or set `x-homeport.expose` to expose the service and protect it yourself"),
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
        for m in &missing {
            cx.push(
                Diagnostic::warning(
                    codes::ROUTE_NOT_TRANSLATED,
                    format!(
                        "service `{service}`: Traefik middleware `{}` is not translated ({}); its Ingress works without it",
                        m.name, m.reason
                    ),
                )
                .with_span_opt(span)
                .with_help("add the equivalent Traefik Middleware to the cluster and reference it from the Ingress (annotation `traefik.ingress.kubernetes.io/router.middlewares`)"),
            );
        }
        // One copy per pod: pods of a namespace that share a middleware never clash.
        for m in &mut translated {
            m.name = crate::planner::dns_label(&format!("{}-{}", pod.name, m.name));
        }
        for m in &translated {
            let what = match &m.spec {
                MiddlewareSpec::BasicAuth { users, .. } => {
                    format!(
                        "basicAuth, {} user(s) in Secret {}-users",
                        users.len(),
                        m.name
                    )
                }
                MiddlewareSpec::ForwardAuth { address, .. } => format!("forwardAuth to {address}"),
            };
            pod.decide(
                "exposure",
                format!("Traefik Middleware {} ({what})", m.name),
                format!(
                    "its Compose router uses middleware `{}`: its Ingress keeps it",
                    m.label_name
                ),
            );
        }
        pod.middlewares = translated;
    }
    for (target, port) in auth_ports {
        let pod = &mut pods[target];
        if !pod.forward_auth_ports.contains(&port) {
            pod.forward_auth_ports.push(port);
            pod.decide(
                "network",
                format!("ingress controller allowed on port {port}"),
                "Traefik calls it to authenticate requests (forwardAuth)",
            );
        }
    }
}

/// Translate middleware reference `r` into `out` (following chains), or say in `missing`
/// why not. `auth_ports` gains the pods (and ports) forwardAuth calls.
#[allow(clippy::too_many_arguments)]
fn translate(
    r: &str,
    definitions: &IndexMap<&str, Definition<'_>>,
    hosts: &HashMap<String, usize>,
    pods: &[PodPlan],
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut Vec<IngressMiddleware>,
    missing: &mut Vec<Untranslated>,
    auth_ports: &mut Vec<(usize, u16)>,
) {
    let (name, provider) = match r.split_once('@') {
        Some((n, p)) => (n, Some(p)),
        None => (r, None),
    };
    if let Some(p) = provider.filter(|p| !matches!(*p, "docker" | "swarm")) {
        untranslated(
            missing,
            r,
            format!("defined by Traefik's `{p}` provider, outside the Compose files"),
            true,
        );
        return;
    }
    let Some(def) = definitions.get(name) else {
        untranslated(missing, r, "no service's labels define it".into(), true);
        return;
    };
    if seen.iter().any(|s| s == name) || depth > MAX_CHAIN_DEPTH {
        untranslated(missing, r, "a chain that includes itself".into(), true);
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
                translate(
                    &member,
                    definitions,
                    hosts,
                    pods,
                    depth + 1,
                    seen,
                    out,
                    missing,
                    auth_ports,
                );
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
                untranslated(missing, r, format!("basicAuth: {why}"), true);
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
                untranslated(missing, r, "forwardAuth: it has no `address`".into(), true);
                return;
            };
            let address = match in_cluster_address(address, hosts, pods) {
                Some((address, target, port)) => {
                    auth_ports.push((target, port));
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
            untranslated(
                missing,
                r,
                format!("type `{other}` is not translated"),
                PROTECTIVE.contains(&other),
            );
            return;
        }
    };
    let object_name = crate::planner::dns_label(name);
    if !out.iter().any(|m| m.name == object_name) {
        out.push(IngressMiddleware {
            name: object_name,
            label_name: name.to_string(),
            spec,
        });
    }
}

fn untranslated(missing: &mut Vec<Untranslated>, r: &str, reason: String, protective: bool) {
    missing.push(Untranslated {
        name: r.to_string(),
        reason,
        protective,
    });
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
