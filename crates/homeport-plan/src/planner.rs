//! `plan()`: runs the decision passes in order over the Compose project.
//!
//! 1. select: which services become pods, which join another pod, which are left out;
//! 2. per pod: workload, containers (image, env, security, storage, probes, resources),
//!    ports and exposure, placement hints;
//! 3. project-wide: namespaces and Pod Security levels, network access, cross-namespace
//!    names, placement on nodes and budgets.

use crate::cluster::Cluster;
use crate::codes;
use crate::decide::{
    environment, exposure, network, placement, probes, resources, security, storage, untranslated,
    vpn, workload,
};
use crate::facts::Facts;
use crate::images::{self, ImageProfile, Role};
use crate::plan::*;
use homeport_compose::{Project, Service, ServiceHints};
use homeport_diag::{Diagnostic, Diagnostics, SourceMap};
use indexmap::IndexMap;

/// Shared state of one planning run.
pub(crate) struct Ctx<'a> {
    pub project: &'a Project,
    pub cluster: &'a Cluster,
    pub sources: Option<&'a SourceMap>,
    /// Image and host facts gathered before planning (possibly empty).
    pub facts: &'a Facts,
    pub diags: Diagnostics,
    /// Named volume -> pods using it (computed before pods are built).
    pub volume_users: IndexMap<String, Vec<String>>,
    /// Pods that a dropped reverse proxy forwarded to (they get an Ingress).
    pub proxied: Vec<String>,
    /// Bind-mount host path (resolved) -> pods using it.
    pub bind_users: IndexMap<String, Vec<String>>,
    /// (namespace, claim name) -> what the claim holds (a host path, a named volume): two
    /// different host paths never share a claim.
    pub claim_origins: IndexMap<(String, String), String>,
    /// Host names of the services left out (their names, DNS names, container names): nothing
    /// waits for them, and references to them are reported.
    pub left_out: Vec<String>,
    /// `host:port` references in every service's environment, built on first use.
    pub host_ports: std::cell::OnceCell<
        std::collections::HashMap<String, Vec<crate::decide::environment::HostPortRef>>,
    >,
}

impl<'a> Ctx<'a> {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// `compose.yaml:12 (service web)`.
    pub fn source_of(&self, service: &Service) -> String {
        let span = service.origin.key;
        let described = span.and_then(|s| self.sources.and_then(|m| m.describe(s)));
        match described {
            Some((file, loc)) => format!("{}:{} (service {})", file, loc.line, service.name),
            None => {
                let file = self
                    .project
                    .files
                    .first()
                    .map_or("compose.yaml", |f| f.as_str());
                format!("{} (service {})", file, service.name)
            }
        }
    }

    pub fn hints(&self, service: &Service) -> ServiceHints {
        service.hints.or(&self.project.hints.defaults)
    }
}

/// A DNS-1123 label from any name (lowercase, `[a-z0-9-]`, at most 63 characters).
pub fn dns_label(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "x".to_string()
    } else if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("s-{trimmed}").chars().take(63).collect()
    } else {
        trimmed
    }
}

pub fn service_dns(service: &Service) -> String {
    if service.dns_name.is_empty() {
        dns_label(&service.name)
    } else {
        service.dns_name.clone()
    }
}

pub fn profile_of(service: &Service) -> &'static ImageProfile {
    match &service.image {
        Some(image) => images::lookup(image),
        None => &images::UNKNOWN,
    }
}

/// The text of the small files a reverse proxy bind-mounts (its Caddyfile, nginx.conf, ...,
/// or the files of a mounted configuration directory), from the host facts, to find the
/// services it routes to.
fn proxy_config_texts(project: &Project, facts: &Facts, proxy: &Service) -> Vec<String> {
    let mut texts = Vec::new();
    for m in &proxy.volumes {
        let (homeport_compose::MountType::Bind, Some(src)) = (&m.kind, &m.source) else {
            continue;
        };
        let path = project.working_dir.join(src);
        let Some(files) = facts
            .host_path(&path.to_string_lossy())
            .and_then(|f| f.files.as_ref())
        else {
            continue;
        };
        texts.extend(files.iter().filter_map(|f| match &f.content {
            FileContent::Text(t) => Some(t.clone()),
            FileContent::Binary(_) => None,
        }));
    }
    texts
}

/// Whether `source` is a container engine's API socket (`/var/run/docker.sock`, a rootless
/// `/run/user/1000/docker.sock`, `podman.sock`), whatever its directory.
pub fn is_docker_socket(source: &str) -> bool {
    let name = source
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    matches!(name, "docker.sock" | "podman.sock")
}

/// How a service uses the Docker API: it mounts the socket, or `DOCKER_HOST` names a socket
/// proxy (one of `socket_tools`, the left-out Docker-socket tools).
pub fn docker_socket_use(svc: &Service, socket_tools: &[String]) -> Option<String> {
    if let Some(m) = svc.volumes.iter().find(|m| {
        m.kind == homeport_compose::MountType::Bind
            && m.source.as_deref().is_some_and(is_docker_socket)
    }) {
        return Some(format!(
            "mounts the Docker socket ({})",
            m.source.as_deref().unwrap_or("")
        ));
    }
    let host = svc.environment.get("DOCKER_HOST")?.value.as_deref()?;
    let proxy = socket_tools.iter().find(|t| {
        host.split(['/', ':', '@'])
            .any(|part| !part.is_empty() && part.eq_ignore_ascii_case(t))
    })?;
    Some(format!(
        "reaches the Docker API through the socket proxy `{proxy}` (DOCKER_HOST)"
    ))
}

/// Whether `svc` (named `name`) is a part of the application rather than a Docker tool,
/// although it mounts the Docker socket and serves nothing: it runs the image of another
/// service of the project (authentik's worker beside its server), depends on a database or
/// cache, or shares a volume with another service. Such a service is deployed without the
/// socket (the storage pass says so) rather than left out.
fn app_component(project: &Project, name: &str, svc: &Service) -> bool {
    let repo = svc.image.as_deref().map(images::repository);
    let same_image = project.services.iter().any(|(other_name, other)| {
        other_name != name
            && repo.is_some()
            && other.image.as_deref().map(images::repository) == repo
    });
    let needs_data = svc.depends_on.keys().any(|dep| {
        project
            .services
            .get(dep)
            .is_some_and(|d| profile_of(d).role.is_data_service())
    });
    let sources: Vec<&str> = svc
        .volumes
        .iter()
        .filter_map(|m| m.source.as_deref())
        .filter(|src| !is_docker_socket(src))
        .collect();
    let shares_volume = project.services.iter().any(|(other_name, other)| {
        other_name != name
            && other.volumes.iter().any(|m| {
                m.source
                    .as_deref()
                    .is_some_and(|src| sources.contains(&src))
            })
    });
    same_image || needs_data || shares_volume
}

/// Whether the service runs its image's own server: not when the Compose file replaces the
/// entrypoint (a cron sidecar on the Nextcloud image serves nothing), so the knowledge base's
/// port and probe do not apply then.
pub fn runs_image_server(service: &Service) -> bool {
    service.entrypoint.is_none()
}

/// The port the service's image listens on by default: the knowledge base, else the
/// linuxserver.io port table; `None` when the image's server does not run.
pub fn image_port(service: &Service) -> Option<u16> {
    if !runs_image_server(service) {
        return None;
    }
    profile_of(service).port.or_else(|| {
        service
            .image
            .as_deref()
            .and_then(|i| images::linuxserver_port(images::repository(i)))
    })
}

/// Plan `project` onto `cluster`. Never panics; problems are in `Plan::diagnostics`.
pub fn plan(project: &Project, cluster: &Cluster) -> Plan {
    plan_with_sources(project, cluster, None)
}

/// As [`plan`], with the loader's source map so annotations carry `file:line`.
pub fn plan_with_sources(
    project: &Project,
    cluster: &Cluster,
    sources: Option<&SourceMap>,
) -> Plan {
    plan_with_facts(project, cluster, sources, &Facts::default())
}

/// As [`plan_with_sources`], with the image and host facts gathered before planning.
pub fn plan_with_facts(
    project: &Project,
    cluster: &Cluster,
    sources: Option<&SourceMap>,
    facts: &Facts,
) -> Plan {
    let mut cx = Ctx {
        project,
        cluster,
        sources,
        facts,
        diags: Diagnostics::new(),
        volume_users: IndexMap::new(),
        proxied: Vec::new(),
        bind_users: IndexMap::new(),
        claim_origins: IndexMap::new(),
        left_out: Vec::new(),
        host_ports: std::cell::OnceCell::new(),
    };
    let selection = select(&mut cx);
    for s in &selection.skipped {
        if let Some(svc) = project.services.get(&s.service) {
            let mut names = vec![svc.name.clone(), service_dns(svc)];
            names.extend(svc.container_name.clone());
            for n in names {
                if !cx.left_out.contains(&n) {
                    cx.left_out.push(n);
                }
            }
        }
    }

    // Named-volume users, by pod, before building pods (sharing decides the class).
    for (pod, members) in &selection.pods {
        for member in members {
            let Some(svc) = project.services.get(member) else {
                continue;
            };
            for m in &svc.volumes {
                if m.kind == homeport_compose::MountType::Bind {
                    if let Some(src) = &m.source {
                        let p = std::path::Path::new(src);
                        let resolved = if p.is_absolute() {
                            p.to_path_buf()
                        } else {
                            project.working_dir.join(p)
                        };
                        let users = cx
                            .bind_users
                            .entry(resolved.to_string_lossy().to_string())
                            .or_default();
                        if !users.contains(pod) {
                            users.push(pod.clone());
                        }
                    }
                }
                if m.kind == homeport_compose::MountType::Volume {
                    if let Some(src) = &m.source {
                        let users = cx.volume_users.entry(src.clone()).or_default();
                        if !users.contains(pod) {
                            users.push(pod.clone());
                        }
                    }
                }
            }
        }
    }

    let mut pods = Vec::with_capacity(selection.pods.len());
    let mut claims: Vec<ClaimPlan> = Vec::new();
    let mut pvs: Vec<PersistentVolumePlan> = Vec::new();
    for (primary, members) in &selection.pods {
        let Some(svc) = project.services.get(primary) else {
            continue;
        };
        let joined: Vec<&Service> = members
            .iter()
            .skip(1)
            .filter_map(|m| project.services.get(m))
            .collect();
        let pod = build_pod(&mut cx, svc, &joined, &mut claims, &mut pvs);
        pods.push(pod);
    }

    environment::scrub_secrets_from_commands(&mut pods, &project.interpolated_secrets);
    environment::scrub_decisions(&mut pods, &project.interpolated_secrets);
    let namespaces = security::assign_namespaces(&mut cx, &mut pods, &mut claims, &mut pvs);
    crate::decide::traefik_middleware::resolve(&mut cx, &mut pods);
    let aliases = network::plan_network(&mut cx, &mut pods);
    network::report_left_out_references(&mut cx, &pods);
    let nodes = placement::place(&mut cx, &mut pods, &claims);
    let production = crate::decide::production::decide(&mut cx, &mut pods, &claims);
    let service_accounts = crate::decide::service_account::decide(&mut cx, &pods);
    let (quotas, quota_note) = crate::decide::quota::decide(&cx, &pods, &claims, &production);
    let tenancy = crate::tenancy::TenancyPlan {
        service_accounts,
        quotas,
        quota_note,
    };

    let mut diagnostics = cx.diags;
    diagnostics.sort();
    let mut plan = Plan {
        project: project.name.clone(),
        cluster: cluster.clone(),
        namespaces,
        pods,
        skipped: selection.skipped,
        claims,
        persistent_volumes: pvs,
        aliases_across_namespaces: aliases,
        nodes,
        addons: Vec::new(),
        images: image_summary(project, facts),
        host_paths: crate::host_summary::summarize(project, facts),
        production,
        tenancy,
        diagnostics,
    };
    plan.addons = crate::addons::needed(&plan);
    plan
}

/// Where each deployed image's facts came from (each distinct reference once).
fn image_summary(project: &Project, facts: &Facts) -> ImageSummary {
    let mut summary = ImageSummary {
        network: facts.registry_access.clone(),
        ..ImageSummary::default()
    };
    let mut seen = std::collections::BTreeSet::new();
    for svc in project.services.values() {
        if svc.build.is_some() {
            summary.built += 1;
            continue;
        }
        let Some(image) = svc.image.as_deref() else {
            continue;
        };
        if !seen.insert(image) {
            continue;
        }
        match facts.image(image).map(|f| f.source.as_str()) {
            Some("lock") => summary.from_lock += 1,
            Some(_) => summary.from_registry += 1,
            None => summary.from_knowledge_base += 1,
        }
    }
    summary
}

/// The registry facts of a service's image (none for images built locally).
pub fn image_facts<'f>(cx: &Ctx<'f>, svc: &Service) -> Option<&'f crate::facts::ImageFacts> {
    if svc.build.is_some() {
        return None;
    }
    svc.image.as_deref().and_then(|i| cx.facts.image(i))
}

/// Whether the image's own defaults (EXPOSE, HEALTHCHECK) describe what the service runs:
/// not when Compose replaces the entrypoint, or the command with another program than the
/// image's (a worker run from the web app's image serves nothing); flags for the image's
/// entrypoint, or the image's own program with other arguments, are fine.
pub fn runs_image_defaults(service: &Service, facts: &crate::facts::ImageFacts) -> bool {
    if !runs_image_server(service) {
        return false;
    }
    let first = match &service.command {
        None => return true,
        Some(homeport_compose::Command::Exec(words)) => words.first().cloned(),
        Some(homeport_compose::Command::String(s)) => {
            s.split_whitespace().next().map(str::to_string)
        }
    };
    let Some(first) = first else { return true };
    if first.starts_with('-') {
        return true;
    }
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    facts
        .entrypoint
        .iter()
        .chain(facts.cmd.first())
        .any(|own| base(own) == base(&first))
}

struct Selection {
    /// Primary service -> members (primary first, then services joining its network namespace).
    pods: IndexMap<String, Vec<String>>,
    skipped: Vec<SkippedService>,
}

/// Decide which services become pods, which join another pod and which are left out.
fn select(cx: &mut Ctx) -> Selection {
    let project = cx.project;
    let mut skipped = Vec::new();
    let mut left_out: Vec<&str> = Vec::new();
    let mut proxies: Vec<&Service> = Vec::new();
    for (name, svc) in &project.services {
        let hints = cx.hints(svc);
        let profile = profile_of(svc);
        if hints.skip == Some(true) {
            let reason = "x-homeport.skip is set".to_string();
            cx.push(
                Diagnostic::info(
                    codes::SKIPPED_BY_HINT,
                    format!("service `{name}` is left out: {reason}"),
                )
                .with_span_opt(svc.origin.key),
            );
            skipped.push(SkippedService {
                service: name.clone(),
                reason,
            });
            left_out.push(name);
            continue;
        }
        if hints.workload.is_some() {
            // An explicit workload hint means the user wants it deployed as is.
        } else if profile.role == Role::DockerSocketTool {
            let replacement = profile.replacement.unwrap_or("a Kubernetes-native tool");
            let reason = format!(
                "{} needs the Docker socket, which does not exist on Kubernetes; use {replacement}",
                profile.family
            );
            cx.push(
                Diagnostic::warning(
                    codes::DOCKER_SOCKET_TOOL,
                    format!(
                        "service `{name}` is left out: it is a Docker-socket tool ({})",
                        profile.family
                    ),
                )
                .with_span_opt(svc.origin.key)
                .with_label("not deployed")
                .with_help(format!("on Kubernetes use {replacement}")),
            );
            skipped.push(SkippedService {
                service: name.clone(),
                reason,
            });
            left_out.push(name);
            continue;
        } else if profile.role == Role::ReverseProxy {
            let replacement = profile
                .replacement
                .unwrap_or("the cluster's Ingress controller");
            let reason = format!(
                "reverse proxy ({}) replaced by {replacement}",
                profile.family
            );
            cx.push(
                Diagnostic::info(
                    codes::REVERSE_PROXY_REPLACED,
                    format!("service `{name}` is not deployed: {reason}"),
                )
                .with_span_opt(svc.origin.key)
                .with_help("set `x-homeport.workload: deployment` on it to deploy it anyway"),
            );
            skipped.push(SkippedService {
                service: name.clone(),
                reason,
            });
            left_out.push(name);
            proxies.push(svc);
            continue;
        }
        if svc.image.is_none() && svc.build.is_none() {
            cx.push(
                Diagnostic::error(
                    codes::NO_IMAGE,
                    format!("service `{name}` has neither `image` nor `build`"),
                )
                .with_span_opt(svc.origin.key)
                .with_help("add `image:` with the image to run"),
            );
            skipped.push(SkippedService {
                service: name.clone(),
                reason: "no image".into(),
            });
            left_out.push(name);
        }
    }
    // Docker-socket tools the knowledge base does not know, recognised by what they mount: the
    // socket under any path, or a socket proxy (`DOCKER_HOST` naming a left-out socket tool).
    // Only a service that serves nothing (no ports) is such a tool; one that serves something
    // is deployed and told loudly that it loses its socket (storage pass).
    let socket_tools: Vec<String> = skipped
        .iter()
        .filter(|s| {
            project
                .services
                .get(&s.service)
                .is_some_and(|svc| profile_of(svc).role == Role::DockerSocketTool)
        })
        .map(|s| s.service.clone())
        .collect();
    for (name, svc) in &project.services {
        if left_out.contains(&name.as_str()) || cx.hints(svc).workload.is_some() {
            continue;
        }
        let Some(how) = docker_socket_use(svc, &socket_tools) else {
            continue;
        };
        if profile_of(svc).role != Role::Unknown
            || !svc.ports.is_empty()
            || !svc.expose.is_empty()
            || app_component(project, name, svc)
        {
            continue;
        }
        let reason = format!(
            "it {how} and serves nothing: a Docker-socket tool, and there is no Docker on Kubernetes"
        );
        cx.push(
            Diagnostic::warning(
                codes::DOCKER_SOCKET_TOOL,
                format!("service `{name}` is left out: {reason}"),
            )
            .with_span_opt(svc.origin.key)
            .with_label("not deployed")
            .with_help("use a Kubernetes-native tool with a ServiceAccount and RBAC instead, or set `x-homeport.workload` to deploy it anyway"),
        );
        skipped.push(SkippedService {
            service: name.clone(),
            reason,
        });
        left_out.push(name);
    }
    // Services a dropped proxy depends on, links to or names as an upstream in its
    // bind-mounted configuration are published through the ingress.
    let service_names: Vec<&str> = project.services.keys().map(String::as_str).collect();
    let routing_labels = project.services.values().any(|s| {
        s.labels
            .keys()
            .chain(s.deploy.iter().flat_map(|d| d.labels.keys()))
            .any(|k| k.starts_with("traefik.http.routers.") || k == "caddy")
    });
    for proxy in &proxies {
        let texts = proxy_config_texts(project, cx.facts, proxy);
        let in_config = texts
            .iter()
            .flat_map(|text| crate::decide::exposure::upstreams_in_config(text, &service_names))
            .map(str::to_string)
            .collect::<Vec<_>>();
        // A replaced proxy whose routes homeport cannot see exposes nothing: say so, rather
        // than leave every web UI it served unreachable without a word.
        if in_config.is_empty()
            && proxy.depends_on.is_empty()
            && proxy.links.is_empty()
            && !routing_labels
        {
            let why = if texts.is_empty() {
                "its configuration is not on this machine (no bind-mounted config file could be read)"
            } else {
                "its configuration names no service of the project"
            };
            cx.push(
                Diagnostic::warning(
                    codes::ROUTE_NOT_TRANSLATED,
                    format!(
                        "the reverse proxy `{}` is replaced by the cluster's Ingress controller, but {why}: homeport cannot tell which services it served, so none is exposed through it",
                        proxy.name
                    ),
                )
                .with_span_opt(proxy.origin.key)
                .with_help("set `x-homeport.expose: <host>` on each service the proxy served, or run homeport where the proxy's configuration file is"),
            );
        }
        for dep in proxy
            .depends_on
            .keys()
            .chain(proxy.links.iter())
            .chain(in_config.iter())
        {
            let dep = dep.split(':').next().unwrap_or(dep);
            if let Some(s) = project.services.get(dep) {
                let dns = service_dns(s);
                if !cx.proxied.contains(&dns) {
                    cx.proxied.push(dns);
                }
            }
        }
    }

    // network_mode: service:X / container:X -> join X's pod.
    let by_container: IndexMap<&str, &str> = project
        .services
        .iter()
        .filter_map(|(n, s)| s.container_name.as_deref().map(|c| (c, n.as_str())))
        .collect();
    let target_of = |svc: &Service| -> Option<String> {
        let mode = svc.network_mode.as_deref()?;
        if let Some(t) = mode.strip_prefix("service:") {
            return Some(t.to_string());
        }
        if let Some(t) = mode.strip_prefix("container:") {
            return Some(by_container.get(t).map_or(t.to_string(), |s| s.to_string()));
        }
        None
    };
    let mut pods: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut joins: Vec<(String, String)> = Vec::new();
    for (name, svc) in &project.services {
        if left_out.contains(&name.as_str()) {
            continue;
        }
        match target_of(svc) {
            Some(target) => {
                // Follow chains (a -> b -> c) to the root, guarding against cycles.
                let mut root = target;
                let mut seen = vec![name.clone()];
                while let Some(next) = project.services.get(&root).and_then(&target_of) {
                    if seen.contains(&root) {
                        break;
                    }
                    seen.push(root.clone());
                    root = next;
                }
                let ok = project.services.contains_key(&root)
                    && !left_out.contains(&root.as_str())
                    && root != *name;
                if ok {
                    joins.push((root, name.clone()));
                } else {
                    cx.push(
                        Diagnostic::error(
                            codes::NETWORK_MODE_TARGET,
                            format!("service `{name}` shares the network of `{root}`, which is not deployed"),
                        )
                        .with_span_opt(svc.origin.field("network_mode"))
                        .with_label("no such deployed service")
                        .with_help("name a service of this project that is deployed, or remove `network_mode`"),
                    );
                    skipped.push(SkippedService {
                        service: name.clone(),
                        reason: format!("its network_mode target `{root}` is not deployed"),
                    });
                }
            }
            None => {
                pods.insert(name.clone(), vec![name.clone()]);
            }
        }
    }
    for (root, member) in joins {
        if let Some(members) = pods.get_mut(&root) {
            members.push(member);
        }
    }
    Selection { pods, skipped }
}

fn build_pod(
    cx: &mut Ctx,
    svc: &Service,
    joined: &[&Service],
    claims: &mut Vec<ClaimPlan>,
    pvs: &mut Vec<PersistentVolumePlan>,
) -> PodPlan {
    let hints = cx.hints(svc);
    let profile = profile_of(svc);
    let name = service_dns(svc);
    let namespace = hints
        .namespace
        .as_deref()
        .map(dns_label)
        .unwrap_or_else(|| dns_label(&cx.project.name));
    let mut pod = PodPlan {
        name: name.clone(),
        service: svc.name.clone(),
        namespace: namespace.clone(),
        source: cx.source_of(svc),
        role: profile.role,
        workload: WorkloadKind::Deployment,
        replicas: 1,
        schedule: None,
        recreate: false,
        containers: Vec::new(),
        init_waits: Vec::new(),
        level: homeport_compose::SecurityLevel::Restricted,
        fs_group: None,
        supplemental_groups: Vec::new(),
        host_network: false,
        host_pid: false,
        host_ipc: false,
        sysctls: Vec::new(),
        runtime_class: None,
        host_aliases: Vec::new(),
        termination_grace_seconds: None,
        ports: Vec::new(),
        alias_services: Vec::new(),
        ingresses: Vec::new(),
        traefik_middleware_refs: Vec::new(),
        middlewares: Vec::new(),
        forward_auth_ports: Vec::new(),
        load_balancer: Vec::new(),
        placement: Placement::default(),
        volumes: Vec::new(),
        claim_templates: Vec::new(),
        config_files: IndexMap::new(),
        secret_files: IndexMap::new(),
        network: NetworkAccess::default(),
        disruption_budget: false,
        autoscale: None,
        production: Default::default(),
        decisions: Vec::new(),
        notes: Vec::new(),
        lint_exceptions: Vec::new(),
        carried_over: Vec::new(),
        metrics_ports: Vec::new(),
        native_sidecar: None,
        seeds: Vec::new(),
    };
    let ns_reason = if hints.namespace.is_some() {
        "x-homeport.namespace".to_string()
    } else {
        "the project name (default)".to_string()
    };
    pod.decide("namespace", &namespace, ns_reason);
    if !joined.is_empty() {
        let names: Vec<&str> = joined.iter().map(|s| s.name.as_str()).collect();
        pod.decide(
            "pod",
            format!("{} + {}", svc.name, names.join(", ")),
            format!(
                "{} {} `network_mode: service:{}`: sharing its network namespace, they run as extra containers in its pod and its Service publishes their ports",
                names.join(", "),
                if names.len() == 1 { "uses" } else { "use" },
                svc.name
            ),
        );
    }

    workload::decide(cx, svc, &hints, profile, &mut pod);

    let members: Vec<&Service> = std::iter::once(svc).chain(joined.iter().copied()).collect();
    for member in &members {
        let member_profile = profile_of(member);
        let container = environment::container(cx, member, member_profile, &mut pod);
        pod.containers.push(container);
    }
    for (i, member) in members.iter().enumerate() {
        let member_profile = profile_of(member);
        storage::mounts(cx, member, member_profile, i, &mut pod, claims, pvs);
        security::container(cx, member, member_profile, i, &mut pod);
        crate::decide::image_source::record(cx, member, &mut pod);
        crate::decide::image_volumes::decide(cx, member, i, &mut pod, claims);
        resources::decide(cx, member, member_profile, i, &mut pod);
    }
    // Exposure may add ports (routes to undeclared ports); probes see them.
    exposure::decide(cx, &members, &hints, &mut pod);
    for (i, member) in members.iter().enumerate() {
        probes::decide(cx, member, profile_of(member), i, &mut pod);
        untranslated::report(cx, member, &mut pod);
    }
    probes::dependencies(cx, &members, &mut pod);
    vpn::decide(cx, &members, &mut pod);
    placement::constraints(cx, &members, &hints, &mut pod);
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert_eq!(dns_label("My_Service"), "my-service");
        assert_eq!(dns_label("1app"), "s-1app");
        assert_eq!(dns_label("__"), "x");
    }
}
