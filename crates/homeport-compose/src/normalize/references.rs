//! Cross-references between services and top-level objects: undefined services, networks,
//! volumes, secrets and configs; profile-disabled dependencies; implicit dependencies
//! (links, `service:` namespaces, volumes_from); the default network; missing secret and
//! config files; Kubernetes names and their collisions.

use crate::codes;
use crate::load::Loader;
use crate::model::*;
use crate::names::{dns_label, NameKind};
use crate::schema;
use homeport_diag::{Diagnostic, Span};
use indexmap::IndexMap;
use std::collections::HashSet;
use std::path::Path;

fn suggest(name: &str, known: &[&str]) -> Option<String> {
    schema::did_you_mean(name, known).map(|s| format!("did you mean `{s}`?"))
}

pub(crate) fn check(
    ld: &mut Loader,
    project: &mut Project,
    active: &mut [Service],
    inactive: &[Service],
    env: &crate::load::Env,
) {
    let active_names: Vec<String> = active.iter().map(|s| s.name.clone()).collect();
    let known: Vec<&str> = active_names.iter().map(String::as_str).collect();
    let mut used_secrets: HashSet<String> = HashSet::new();
    let mut used_configs: HashSet<String> = HashSet::new();
    let mut uses_default = false;

    for s in active.iter_mut() {
        let name = s.name.clone();
        if s.image.is_none() && s.build.is_none() && !ld.extends_failed.contains(&name) {
            ld.error(
                Diagnostic::error(
                    codes::NO_IMAGE,
                    format!("service `{name}` has neither `image` nor `build`"),
                )
                .with_span_opt(s.origin.key)
                .with_help(
                    "add `image: NAME:TAG` (or `build:` with the path of a Dockerfile's directory)",
                ),
            );
        }
        let service_ref = |ld: &mut Loader,
                           target: &str,
                           span: Option<Span>,
                           via: &str,
                           required: bool|
         -> bool {
            if active_names.iter().any(|n| n == target) {
                return true;
            }
            if let Some(off) = inactive.iter().find(|i| i.name == target) {
                if required {
                    ld.error(
                        Diagnostic::error(
                            codes::INACTIVE_DEPENDENCY,
                            format!(
                                "service `{name}` {via} `{target}`, which its profiles switch off"
                            ),
                        )
                        .with_span_opt(span)
                        .with_help(format!(
                            "enable it with {}",
                            off.profiles
                                .iter()
                                .map(|p| format!("--profile {p}"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )),
                    );
                }
                return false;
            }
            let d = Diagnostic::new(
                if required {
                    homeport_diag::Severity::Error
                } else {
                    homeport_diag::Severity::Warning
                },
                codes::UNDEFINED_SERVICE,
                format!("service `{name}` {via} undefined service `{target}`"),
            )
            .with_span_opt(span)
            .with_label("no such service")
            .with_help(
                suggest(target, &known)
                    .unwrap_or_else(|| "define that service, or remove the reference".to_string()),
            );
            ld.error(d);
            false
        };

        for (dep, d) in &s.depends_on {
            service_ref(ld, dep, d.span, "depends on", d.required);
        }
        let mut implicit: Vec<(String, Dependency)> = Vec::new();
        let links_span = s.origin.fields.get("links").copied();
        for link in &s.links {
            let target = link.split(':').next().unwrap_or(link).to_string();
            if service_ref(ld, &target, links_span, "links to", true) {
                implicit.push((target, dep_started(true, links_span)));
            }
        }
        for (field, value) in [
            ("network_mode", &s.network_mode),
            ("ipc", &s.ipc),
            ("pid", &s.pid),
        ] {
            if let Some(target) = value.as_deref().and_then(|v| v.strip_prefix("service:")) {
                let span = s.origin.fields.get(field).copied();
                if service_ref(ld, target, span, &format!("uses the {field} of"), true) {
                    implicit.push((target.to_string(), dep_started(true, span)));
                }
            }
        }
        if let Some(serde_json::Value::Array(items)) = s.other.get("volumes_from") {
            let span = s.origin.fields.get("volumes_from").copied();
            for item in items.iter().filter_map(|v| v.as_str()) {
                if item.starts_with("container:") {
                    continue;
                }
                let target = item.split(':').next().unwrap_or(item).to_string();
                if service_ref(ld, &target, span, "mounts volumes from", true) {
                    let mut d = dep_started(false, span);
                    d.restart = false;
                    d.required = false;
                    implicit.push((target, d));
                }
            }
        }
        for (target, d) in implicit {
            s.depends_on.entry(target).or_insert(d);
        }
        s.depends_on.sort_keys();

        // Networks.
        let explicit_networks = s.origin.fields.contains_key("networks") && !s.networks.is_empty();
        if let Some(mode) = &s.network_mode {
            if explicit_networks {
                ld.error(
                    Diagnostic::error(
                        codes::CONFLICTING_SETTINGS,
                        format!("service `{name}` sets both `network_mode: {mode}` and `networks`"),
                    )
                    .with_span_opt(s.origin.fields.get("network_mode").copied())
                    .with_help("keep one: `network_mode` replaces the service's networks"),
                );
            }
        } else if s.networks.is_empty() {
            s.networks
                .insert("default".to_string(), ServiceNetwork::default());
        }
        let net_names: Vec<String> = project.networks.keys().cloned().collect();
        for net in s.networks.keys() {
            if net == "default" {
                uses_default = true;
                continue;
            }
            if !project.networks.contains_key(net) {
                let known: Vec<&str> = net_names.iter().map(String::as_str).collect();
                ld.error(
                    Diagnostic::error(
                        codes::UNDEFINED_RESOURCE,
                        format!("service `{name}` uses undefined network `{net}`"),
                    )
                    .with_span_opt(s.origin.fields.get("networks").copied())
                    .with_help(suggest(net, &known).unwrap_or_else(|| format!("define it under the top-level `networks:` (e.g. `networks: {{{net}: {{}}}}`)"))),
                );
            }
        }

        // Named volumes.
        let vol_names: Vec<String> = project.volumes.keys().cloned().collect();
        for m in &s.volumes {
            if m.kind != MountType::Volume {
                continue;
            }
            let Some(src) = &m.source else {
                continue;
            };
            if !project.volumes.contains_key(src) {
                let known: Vec<&str> = vol_names.iter().map(String::as_str).collect();
                ld.error(
                    Diagnostic::error(
                        codes::UNDEFINED_RESOURCE,
                        format!("service `{name}` mounts undefined volume `{src}`"),
                    )
                    .with_span_opt(m.span)
                    .with_help(suggest(src, &known).unwrap_or_else(|| {
                        format!("define it under the top-level `volumes:` (e.g. `volumes: {{{src}: {{}}}}`), or write `./{src}` for a directory next to the compose file")
                    })),
                );
            }
        }

        for (refs, defined, used, noun) in [
            (&s.secrets, &project.secrets, &mut used_secrets, "secret"),
            (&s.configs, &project.configs, &mut used_configs, "config"),
        ] {
            let names: Vec<&str> = defined.keys().map(String::as_str).collect();
            for r in refs {
                if defined.contains_key(&r.source) {
                    used.insert(r.source.clone());
                } else {
                    ld.error(
                        Diagnostic::error(
                            codes::UNDEFINED_RESOURCE,
                            format!("service `{name}` uses undefined {noun} `{}`", r.source),
                        )
                        .with_span_opt(r.span)
                        .with_help(
                            suggest(&r.source, &names).unwrap_or_else(|| {
                                format!("define it under the top-level `{noun}s:`")
                            }),
                        ),
                    );
                }
            }
        }
    }

    if uses_default && !project.networks.contains_key("default") {
        project.networks.insert(
            "default".to_string(),
            Network {
                name: format!("{}_default", project.name),
                ..Network::default()
            },
        );
    }

    for (objects, used, noun) in [
        (&project.secrets, &used_secrets, "secret"),
        (&project.configs, &used_configs, "config"),
    ] {
        for (key, o) in objects {
            if let Some(var) = &o.environment {
                if used.contains(key) && !env.contains_key(var) {
                    ld.error(
                        Diagnostic::warning(
                            codes::UNSET_SOURCE_VARIABLE,
                            format!("{noun} `{key}` comes from `{var}`, which is not set"),
                        )
                        .with_span_opt(o.origin.fields.get("environment").copied())
                        .with_help(format!("set {var} in the environment or in .env")),
                    );
                }
            }
            if let Some(file) = &o.file {
                if !ld.fs.is_file(Path::new(file)) {
                    let shown = ld.display(Path::new(file));
                    let used = used.contains(key);
                    let d = Diagnostic::new(
                        if used {
                            homeport_diag::Severity::Error
                        } else {
                            homeport_diag::Severity::Warning
                        },
                        codes::MISSING_FILE,
                        format!(
                            "file `{shown}` of {noun} `{key}` {}",
                            ld.missing(Path::new(file))
                        ),
                    )
                    .with_span_opt(o.origin.fields.get("file").copied())
                    .with_label("referenced here")
                    .with_help(if used {
                        "create the file (paths are relative to the project directory)"
                    } else {
                        "no service uses it; create the file or remove the definition"
                    });
                    ld.error(d);
                } else if let Err(why) = ld.fs.check_readable(Path::new(file)) {
                    let shown = ld.display(Path::new(file));
                    ld.error(
                        Diagnostic::error(
                            codes::MISSING_FILE,
                            format!("file `{shown}` of {noun} `{key}` cannot be read: {why}"),
                        )
                        .with_span_opt(o.origin.fields.get("file").copied())
                        .with_label("referenced here")
                        .with_help(format!("a {noun} file must be a regular file")),
                    );
                }
            }
        }
    }
}

fn dep_started(restart: bool, span: Option<Span>) -> Dependency {
    Dependency {
        condition: "service_started".into(),
        required: true,
        restart,
        span,
    }
}

/// Give every object a DNS-1123 name; two names that map to the same one are an error.
pub(crate) fn assign_names(ld: &mut Loader, project: &mut Project) {
    fn assign<T>(
        ld: &mut Loader,
        kind: NameKind,
        items: &mut IndexMap<String, T>,
        get: impl Fn(&mut T) -> (&mut String, Option<Span>),
    ) {
        let mut seen: IndexMap<String, (String, Option<Span>)> = IndexMap::new();
        for (name, item) in items.iter_mut() {
            let label = dns_label(name, kind);
            let (slot, span) = get(item);
            *slot = label.clone();
            if let Some((first, first_span)) = seen.get(&label) {
                let at = first_span
                    .and_then(|s| ld.sources.describe(s))
                    .map(|(f, l)| format!(" (defined at {f}:{}:{})", l.line, l.column))
                    .unwrap_or_default();
                ld.error(
                    Diagnostic::error(
                        codes::NAME_COLLISION,
                        format!(
                            "{}s `{first}` and `{name}` both become `{label}` as a Kubernetes name",
                            kind.noun()
                        ),
                    )
                    .with_span_opt(span)
                    .with_note(format!("`{first}`{at} has the same Kubernetes name"))
                    .with_help("rename one of them; Kubernetes names are lowercase with `-` (no `_` or `.`)"),
                );
            } else {
                seen.insert(label, (name.clone(), span));
            }
        }
    }
    assign(ld, NameKind::Service, &mut project.services, |s| {
        (&mut s.dns_name, s.origin.key)
    });
    assign(ld, NameKind::Network, &mut project.networks, |n| {
        (&mut n.dns_name, n.origin.key)
    });
    assign(ld, NameKind::Volume, &mut project.volumes, |v| {
        (&mut v.dns_name, v.origin.key)
    });
    assign(ld, NameKind::Secret, &mut project.secrets, |o| {
        (&mut o.dns_name, o.origin.key)
    });
    assign(ld, NameKind::Config, &mut project.configs, |o| {
        (&mut o.dns_name, o.origin.key)
    });
}
