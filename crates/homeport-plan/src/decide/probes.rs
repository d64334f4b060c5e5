//! Probes from healthchecks (or the knowledge base), and `depends_on` as init waits.

use crate::codes;
use crate::decide::probe_targets::Target;
use crate::images::{DefaultProbe, ImageProfile};
use crate::plan::*;
use crate::planner::{service_dns, Ctx};
use homeport_compose::{HealthTest, Service};
use homeport_diag::Diagnostic;

const NS: u64 = 1_000_000_000;

fn secs(ns: Option<u64>, default: u64) -> u64 {
    ns.map_or(default, |n| n.div_ceil(NS).max(1))
}

/// `http://localhost:8080/health` -> (8080, "/health").
fn local_http_url(url: &str) -> Option<(u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (hostport, 80),
    };
    if !matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]") {
        return None;
    }
    if path.contains(['$', '`', ' ']) {
        return None;
    }
    Some((port, path))
}

/// An HTTP check written with curl or wget: `curl -f http://localhost:8080/health`.
pub fn http_check(words: &[String]) -> Option<(u16, String)> {
    let tool = words.first()?.rsplit('/').next()?;
    if tool != "curl" && tool != "wget" {
        return None;
    }
    let mut url = None;
    for w in &words[1..] {
        if w.starts_with("http://") {
            if url.is_some() {
                return None;
            }
            url = Some(w.as_str());
        } else if w.starts_with("https://") {
            return None;
        } else if !w.starts_with('-') {
            // `-o /dev/null` style arguments are fine; anything else (a method, data) is not.
            if !(w == "/dev/null" || w == "-") {
                return None;
            }
        } else if matches!(
            w.as_str(),
            "-X" | "--request" | "-d" | "--data" | "-H" | "--header" | "-u" | "--user"
        ) {
            return None;
        }
    }
    local_http_url(url?)
}

pub fn shell_http_check(cmd: &str) -> Option<(u16, String)> {
    // Accept `curl -f URL || exit 1` and plain single commands.
    let main = cmd.split("||").next()?.trim();
    if main.contains(['|', ';', '&', '>', '<', '$', '`']) {
        return None;
    }
    let words = super::environment::shell_words(main);
    http_check(&words)
}

pub fn decide(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    index: usize,
    pod: &mut PodPlan,
) {
    if !pod.workload.is_long_running() {
        return;
    }
    let mut probes = Probes::default();
    let mut reason = String::new();
    let mut dropped: Option<String> = None;
    let mut rewritten: Option<String> = None;
    // Compose's healthcheck (its `disable` included) wins; else the image's HEALTHCHECK.
    let from_image = match &svc.healthcheck {
        Some(_) => None,
        None => image_healthcheck(cx, svc),
    };
    let healthcheck = svc
        .healthcheck
        .as_ref()
        .or(from_image.as_ref().map(|(hc, _)| hc));
    if let Some(hc) = healthcheck {
        if hc.disable {
            cx.push(
                Diagnostic::info(
                    codes::HEALTHCHECK_DISABLED,
                    format!(
                        "service `{}`: the healthcheck is disabled, so no probes",
                        svc.name
                    ),
                )
                .with_span_opt(svc.origin.field("healthcheck")),
            );
            pod.decide(
                "probes",
                format!("{}: none", svc.name),
                "healthcheck disabled in Compose",
            );
            return;
        }
        // A check that reaches for something dropped in the move is rewritten or dropped.
        let test = hc.test.as_ref().and_then(|test| {
            match crate::decide::probe_targets::check(cx, svc, test) {
                Target::Keep => Some(test.clone()),
                Target::Rewrite(test, what) => {
                    rewritten = Some(what);
                    Some(test)
                }
                Target::Drop(why) => {
                    cx.push(
                        Diagnostic::warning(
                            codes::HEALTHCHECK_UNREACHABLE,
                            format!(
                                "service `{}`: the healthcheck is not used as a probe: {why}",
                                svc.name
                            ),
                        )
                        .with_span_opt(
                            svc.origin
                                .field("healthcheck")
                                .or(svc.origin.field("image"))
                                .or(svc.origin.key),
                        )
                        .with_help("write a healthcheck that checks the service itself (its own port on localhost)"),
                    );
                    dropped = Some(why);
                    None
                }
            }
        });
        if let Some(test) = &test {
            let action = match test {
                HealthTest::Cmd(words) => match http_check(words) {
                    Some((port, path)) => ProbeAction::Http { port, path },
                    None => ProbeAction::Exec(words.clone()),
                },
                HealthTest::CmdShell(cmd) => match shell_http_check(cmd) {
                    Some((port, path)) => ProbeAction::Http { port, path },
                    None => ProbeAction::Exec(vec!["sh".into(), "-c".into(), cmd.clone()]),
                },
            };
            let period = secs(hc.interval_ns, 30);
            let timeout = secs(hc.timeout_ns, 30).min(period.max(1));
            let retries = hc.retries.unwrap_or(3).max(1);
            let probe = ProbePlan {
                action,
                period_seconds: period,
                timeout_seconds: timeout,
                failure_threshold: retries,
                initial_delay_seconds: 0,
            };
            probes.readiness = Some(probe.clone());
            // Liveness restarts the container: same check, more tolerant than readiness.
            probes.liveness = Some(ProbePlan {
                failure_threshold: retries.saturating_mul(2).max(3),
                ..probe.clone()
            });
            if let Some(sp) = hc.start_period_ns.filter(|n| *n > 0) {
                let start_interval = secs(hc.start_interval_ns, 5.min(period));
                let start = secs(Some(sp), 0);
                probes.startup = Some(ProbePlan {
                    period_seconds: start_interval,
                    failure_threshold: start.div_ceil(start_interval) + retries,
                    ..probe
                });
            }
            reason = match &probes.readiness {
                Some(ProbePlan {
                    action: ProbeAction::Http { .. },
                    ..
                }) => "Compose healthcheck (a curl/wget HTTP check, as an httpGet probe)".into(),
                _ => "Compose healthcheck".into(),
            };
            if let Some(what) = &rewritten {
                reason.push_str(&format!(" with static addresses rewritten ({what})"));
            }
            if let Some((_, source)) = &from_image {
                reason = reason.replacen(
                    "Compose healthcheck",
                    &format!("the image's HEALTHCHECK ({source}; Compose has none)"),
                    1,
                );
            }
            if probes.startup.is_some() {
                reason.push_str("; start_period as a startupProbe");
            }
        }
    }
    if probes.readiness.is_none() {
        // Ports of this container; in a shared pod, a port the host container declares for a
        // joined service (by its image's known port) is probed in the joined container.
        let known_port = crate::planner::image_port;
        let joined_ports: Vec<u16> = pod
            .containers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index && *i > 0)
            .filter_map(|(_, c)| cx.project.services.get(&c.service).and_then(known_port))
            .collect();
        let mut ports: Vec<PortPlan> = pod
            .containers
            .get(index)
            .map(|c| c.ports.clone())
            .unwrap_or_default();
        ports.retain(|p| !joined_ports.contains(&p.port));
        if ports.is_empty() && index > 0 {
            if let Some(own) = known_port(svc) {
                if let Some(p) = pod.ports_declared().into_iter().find(|p| p.port == own) {
                    ports.push(p);
                }
            }
        }
        let default_probe = if crate::planner::runs_image_server(svc) {
            profile.probe
        } else {
            DefaultProbe::None
        };
        let action = match default_probe {
            DefaultProbe::Http(port, path) => Some((
                ProbeAction::Http {
                    port,
                    path: path.into(),
                },
                format!("{} knowledge base: HTTP {path} on {port}", profile.family),
            )),
            DefaultProbe::Tcp(port) => Some((
                ProbeAction::Tcp { port },
                format!("{} knowledge base: TCP {port}", profile.family),
            )),
            DefaultProbe::None => ports.iter().find(|p| p.protocol == "TCP").map(|p| {
                (
                    ProbeAction::Tcp { port: p.port },
                    format!("no healthcheck: TCP check of port {}", p.port),
                )
            }),
        };
        match action {
            Some((action, why)) => {
                let ready = ProbePlan {
                    action: action.clone(),
                    period_seconds: 10,
                    timeout_seconds: 5,
                    failure_threshold: 3,
                    initial_delay_seconds: 5,
                };
                let live = ProbePlan {
                    action: action.clone(),
                    period_seconds: 20,
                    timeout_seconds: 5,
                    failure_threshold: 6,
                    initial_delay_seconds: 0,
                };
                let startup = ProbePlan {
                    action,
                    period_seconds: 5,
                    timeout_seconds: 5,
                    failure_threshold: 60,
                    initial_delay_seconds: 0,
                };
                probes.readiness = Some(ready);
                probes.liveness = Some(live);
                probes.startup = Some(startup);
                reason = format!("{why}; a startupProbe allows up to 5 minutes to start");
                if let Some(dropped) = &dropped {
                    reason = format!("healthcheck not used ({dropped}); {reason}");
                }
            }
            None => {
                match &dropped {
                    Some(why) => pod.decide(
                        "probes",
                        format!("{}: none", svc.name),
                        format!("healthcheck not used ({why}) and no port to check"),
                    ),
                    None => pod.notes.push(format!(
                        "{}: no healthcheck and no port: no probes",
                        svc.name
                    )),
                }
                return;
            }
        }
    }
    let summary = match &probes.readiness {
        Some(ProbePlan {
            action: ProbeAction::Http { port, path },
            ..
        }) => format!("httpGet {path} :{port}"),
        Some(ProbePlan {
            action: ProbeAction::Tcp { port },
            ..
        }) => format!("tcpSocket :{port}"),
        Some(ProbePlan {
            action: ProbeAction::Exec(cmd),
            ..
        }) => format!("exec {}", cmd.join(" ")),
        None => "none".into(),
    };
    pod.decide("probes", format!("{}: {summary}", svc.name), reason);
    if let Some(c) = pod.containers.get_mut(index) {
        c.probes = probes;
    }
}

/// The image's HEALTHCHECK as a Compose healthcheck, with where it came from; `None` when
/// the image has none (or `NONE`), or Compose runs another program in the image.
fn image_healthcheck(cx: &Ctx, svc: &Service) -> Option<(homeport_compose::Healthcheck, String)> {
    let facts = crate::planner::image_facts(cx, svc)?;
    let hc = facts.healthcheck.as_ref()?;
    if !crate::planner::runs_image_defaults(svc, facts) {
        return None;
    }
    let test = match hc.test.split_first() {
        Some((form, rest)) if form == "CMD" && !rest.is_empty() => HealthTest::Cmd(rest.to_vec()),
        Some((form, rest)) if form == "CMD-SHELL" && !rest.is_empty() => {
            HealthTest::CmdShell(rest.join(" "))
        }
        _ => return None,
    };
    Some((
        homeport_compose::Healthcheck {
            test: Some(test),
            interval_ns: hc.interval_ns,
            timeout_ns: hc.timeout_ns,
            retries: hc.retries,
            start_period_ns: hc.start_period_ns,
            start_interval_ns: hc.start_interval_ns,
            disable: false,
        },
        facts.source.clone(),
    ))
}

/// `depends_on` -> wait for the dependency's Service port in an init container.
pub fn dependencies(cx: &mut Ctx, members: &[&Service], pod: &mut PodPlan) {
    let project = cx.project;
    let member_names: Vec<&str> = members.iter().map(|s| s.name.as_str()).collect();
    for svc in members {
        for (dep, d) in &svc.depends_on {
            if member_names.contains(&dep.as_str()) {
                continue; // same pod
            }
            let Some(target) = project.services.get(dep) else {
                if d.required && !project.inactive_services.contains(dep) {
                    cx.push(
                        Diagnostic::warning(
                            codes::DEPENDENCY_MISSING,
                            format!(
                                "service `{}` depends on `{dep}`, which is not in the project",
                                svc.name
                            ),
                        )
                        .with_span_opt(d.span.or(svc.origin.field("depends_on"))),
                    );
                }
                continue;
            };
            if cx.left_out.contains(dep) {
                pod.decide(
                    "wait",
                    format!("{}: {dep} (not waited)", svc.name),
                    "the dependency is not deployed: waiting for it would block the pod forever",
                );
                cx.push(
                    Diagnostic::info(
                        codes::DEPENDENCY_NOT_WAITED,
                        format!("service `{}` depends on `{dep}`, which is not deployed; it is not waited for", svc.name),
                    )
                    .with_span_opt(d.span.or(svc.origin.field("depends_on"))),
                );
                continue;
            }
            // Joined services are reached through their host pod.
            let host_svc = match target
                .network_mode
                .as_deref()
                .and_then(|m| m.strip_prefix("service:"))
            {
                Some(h) => project.services.get(h).unwrap_or(target),
                None => target,
            };
            if d.condition == "service_completed_successfully" {
                pod.decide("wait", format!("{}: {dep} (not waited)", svc.name), "the dependency is a run-once Job; Kubernetes has no ordering between a Job and a Deployment, so the service must retry until the Job's work is done");
                cx.push(
                    Diagnostic::info(codes::DEPENDENCY_NOT_WAITED, format!("service `{}` waits for `{dep}` to complete; Kubernetes does not order pods after Jobs", svc.name))
                        .with_span_opt(d.span.or(svc.origin.field("depends_on")))
                        .with_help("make the service retry until the migration/setup has run, or run the Job before applying the rest"),
                );
                continue;
            }
            let port = host_svc
                .ports
                .first()
                .map(|p| p.target)
                .or_else(|| {
                    host_svc
                        .expose
                        .first()
                        .and_then(|e| e.split(['/', '-']).next()?.parse().ok())
                })
                .or_else(|| crate::planner::image_port(host_svc))
                .or_else(|| target.ports.first().map(|p| p.target))
                .or_else(|| {
                    crate::planner::runs_image_server(host_svc)
                        .then(|| crate::decide::environment::referenced_port(cx, host_svc))
                        .flatten()
                        .map(|(port, _)| port)
                });
            let Some(port) = port else {
                pod.decide(
                    "wait",
                    format!("{}: {dep} (not waited)", svc.name),
                    "the dependency has no port to wait for",
                );
                continue;
            };
            let host = service_dns(host_svc);
            if !pod
                .init_waits
                .iter()
                .any(|w| w.host == host && w.port == port)
            {
                pod.init_waits.push(WaitFor {
                    service: dep.clone(),
                    host: host.clone(),
                    port,
                });
                pod.decide(
                    "wait",
                    format!("{}: {host}:{port}", svc.name),
                    format!("depends_on {dep} ({}): an init container waits until its Service port answers", d.condition),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn http_checks_become_http_get() {
        assert_eq!(
            http_check(&w(&["curl", "-f", "http://localhost:8080/health"])),
            Some((8080, "/health".into()))
        );
        assert_eq!(
            http_check(&w(&["wget", "-q", "--spider", "http://127.0.0.1/"])),
            Some((80, "/".into()))
        );
        assert_eq!(http_check(&w(&["curl", "-f", "http://other:8080/"])), None);
        assert_eq!(http_check(&w(&["pg_isready"])), None);
        assert_eq!(
            shell_http_check("curl -fsS http://localhost:3000/api/health || exit 1"),
            Some((3000, "/api/health".into()))
        );
        assert_eq!(
            shell_http_check("curl -f http://localhost:3000 | grep ok"),
            None
        );
    }
}
