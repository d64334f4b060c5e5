//! Traefik Docker labels as Ingress routes: each router to its own service's port.
//!
//! `traefik.http.routers.<r>.rule` gives hosts and path; `traefik.http.routers.<r>.service`
//! names the service, whose `traefik.http.services.<s>.loadbalancer.server.port` is the
//! port. As in Traefik, a router without `.service` uses the only service defined (or the
//! container's port when none is); with several services it is ambiguous: a warning names the
//! router and it is not routed, never silently sent to one of them.

use crate::codes;
use crate::plan::IngressRoute;
use crate::planner::Ctx;
use homeport_compose::Service;
use homeport_diag::Diagnostic;
use indexmap::IndexMap;

/// What the ingress needs to route a Traefik router: where unspecified ports fall back to.
pub struct Defaults<'a> {
    pub host: &'a str,
    /// The container's HTTP port (or its first port) when no service names one.
    pub port: Option<u16>,
    pub tls: bool,
}

const ROUTERS: &str = "traefik.http.routers.";
const SERVICES: &str = "traefik.http.services.";

/// The routes of `svc`'s Traefik labels (empty when Traefik is disabled for it). The
/// middlewares its routed routers name (`traefik.http.routers.<r>.middlewares`, as written)
/// are added to `middlewares`; [`crate::decide::traefik_middleware`] translates them once
/// every pod has its namespace.
pub fn routes(
    cx: &mut Ctx,
    svc: &Service,
    labels: &[(&String, &String)],
    d: &Defaults,
    middlewares: &mut Vec<String>,
) -> Vec<IngressRoute> {
    if labels
        .iter()
        .any(|(k, v)| k.as_str() == "traefik.enable" && v.as_str() != "true")
    {
        return Vec::new();
    }
    // Router -> (rule, service); service -> port; router -> middlewares.
    let mut routers: IndexMap<&str, (Option<&str>, Option<&str>)> = IndexMap::new();
    let mut services: IndexMap<&str, Option<u16>> = IndexMap::new();
    let mut router_middlewares: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (k, v) in labels {
        if let Some(rest) = k.strip_prefix(ROUTERS) {
            if let Some(name) = rest.strip_suffix(".rule") {
                routers.entry(name).or_default().0 = Some(v.as_str());
            } else if let Some(name) = rest.strip_suffix(".service") {
                routers.entry(name).or_default().1 = Some(v.as_str());
            } else if let Some(name) = strip_suffix_ignore_case(rest, ".middlewares") {
                router_middlewares
                    .entry(name)
                    .or_default()
                    .extend(v.split(',').map(str::trim).filter(|m| !m.is_empty()));
            }
        } else if let Some(rest) = k.strip_prefix(SERVICES) {
            if let Some(name) = rest.strip_suffix(".loadbalancer.server.port") {
                services.insert(name, v.trim().parse::<u16>().ok());
            } else if let Some((name, _)) = rest.split_once('.') {
                services.entry(name).or_insert(None);
            }
        }
    }
    let span = svc.origin.field("labels");
    let mut out: Vec<IngressRoute> = Vec::new();
    // The middleware lists of the routers routed, to tell when they differ.
    let mut routed_lists: Vec<(&str, &[&str])> = Vec::new();
    for (router, (rule, service)) in &routers {
        let Some(rule) = rule else { continue };
        let (hosts, path) = crate::decide::exposure::parse_traefik_rule(rule);
        // The router's service: named, else the only one, else ambiguous.
        let (port, via) = match service {
            Some(s) => match services.get(s.split('@').next().unwrap_or(s)) {
                Some(p) => (p.or(d.port), format!("service {s}")),
                None => {
                    cx.push(
                        Diagnostic::warning(
                            codes::ROUTE_NOT_TRANSLATED,
                            format!(
                                "service `{}`: Traefik router `{router}` names service `{s}`, which these labels do not define; the router is not routed",
                                svc.name
                            ),
                        )
                        .with_span_opt(span)
                        .with_help(format!("add `traefik.http.services.{s}.loadbalancer.server.port`, or expose the port with `x-homeport.expose`")),
                    );
                    continue;
                }
            },
            None => match services.len() {
                0 => (d.port, "the container's port".to_string()),
                1 => {
                    let (name, p) = services.first().map_or(("", None), |(n, p)| (*n, *p));
                    (p.or(d.port), format!("service {name}"))
                }
                _ => {
                    let names: Vec<&str> = services.keys().copied().collect();
                    cx.push(
                        Diagnostic::warning(
                            codes::ROUTE_NOT_TRANSLATED,
                            format!(
                                "service `{}`: Traefik router `{router}` has no `service` label and the labels define several services ({}); the router is not routed",
                                svc.name,
                                names.join(", ")
                            ),
                        )
                        .with_span_opt(span)
                        .with_help(format!("add `traefik.http.routers.{router}.service=<one of {}>`", names.join(", "))),
                    );
                    continue;
                }
            },
        };
        let Some(port) = port else { continue };
        if hosts.is_empty() {
            cx.push(
                Diagnostic::warning(
                    codes::ROUTE_NOT_TRANSLATED,
                    format!(
                        "service `{}`: Traefik router `{router}` (rule `{rule}`) has no Host(); the default host {} is used",
                        svc.name, d.host
                    ),
                )
                .with_span_opt(span),
            );
        }
        let hosts = if hosts.is_empty() {
            vec![d.host.to_string()]
        } else {
            hosts
        };
        let path = path.unwrap_or_else(|| "/".into());
        let own = router_middlewares
            .get(router)
            .map_or(&[][..], Vec::as_slice);
        routed_lists.push((router, own));
        for m in own {
            if !middlewares.iter().any(|x| x == m) {
                middlewares.push((*m).to_string());
            }
        }
        for host in hosts {
            if !out.iter().any(|r| r.host == host && r.path == path) {
                out.push(IngressRoute {
                    host,
                    path: path.clone(),
                    port,
                    tls: d.tls,
                    reason: format!("Traefik router {router} ({via})"),
                });
            }
        }
    }
    // One Ingress carries every route of the pod, and its middlewares apply to all of them.
    if let Some((first, list)) = routed_lists.first() {
        if let Some((other, _)) = routed_lists.iter().find(|(_, l)| l != list) {
            cx.push(
                Diagnostic::warning(
                    codes::ROUTE_NOT_TRANSLATED,
                    format!(
                        "service `{}`: Traefik routers `{first}` and `{other}` use different middlewares; its one Ingress applies all of them ({}) to every route",
                        svc.name,
                        middlewares.join(", ")
                    ),
                )
                .with_span_opt(span)
                .with_help("give the routes that need other middlewares their own service, or set `x-homeport.expose` and add the middlewares yourself"),
            );
        }
    }
    out
}

/// `text` without `suffix`, compared without case (Traefik's label keys ignore case).
fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    (text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(suffix)).then(|| &text[..cut])
}
