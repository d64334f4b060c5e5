//! `x-homeport` hints (contract: shared/docs/contract.md) parsed into typed form.

use crate::hints::*;
use crate::load::Loader;
use crate::schema;
use homeport_yaml::{Node, Value};

pub(crate) fn project_hints(ld: &mut Loader, node: &Node) -> ProjectHints {
    let quota = match &node.value {
        Value::Map(m) => m
            .get("quota")
            .and_then(|v| ld.bool_of(v, "x-homeport.quota")),
        _ => None,
    };
    ProjectHints {
        defaults: hints_block(ld, node, "x-homeport", true),
        quota,
    }
}

fn choice<T: Copy>(ld: &mut Loader, node: &Node, what: &str, options: &[(&str, T)]) -> Option<T> {
    let text = ld.str_of(node, what)?;
    let lower = text.to_ascii_lowercase();
    match options.iter().find(|(name, _)| *name == lower) {
        Some((_, v)) => Some(*v),
        None => {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            ld.invalid(
                node.span,
                format!("`{what}`: `{text}` is not one of {}", names.join(", ")),
                &match schema::did_you_mean(&lower, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of: {}", names.join(", ")),
                },
            );
            None
        }
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(crate) fn service_hints(ld: &mut Loader, node: &Node, what: &str) -> ServiceHints {
    hints_block(ld, node, what, false)
}

/// The hints of a service, or (`project`) the top-level block's defaults.
fn hints_block(ld: &mut Loader, node: &Node, what: &str, project: bool) -> ServiceHints {
    let mut h = ServiceHints::default();
    let Some(m) = ld.map_of(node, what) else {
        return h;
    };
    for e in &m.entries {
        let k = e.key_str();
        let w = format!("{what}.{k}");
        let v = &e.value;
        match k {
            "namespace" => {
                h.namespace = ld.str_of(v, &w);
                if let Some(ns) = &h.namespace {
                    if !is_dns_label(ns) {
                        ld.invalid(
                            v.span,
                            format!("`{w}`: `{ns}` is not a valid namespace name"),
                            "use lowercase letters, digits and `-` (at most 63)",
                        );
                    }
                }
            }
            "workload" => {
                h.workload = choice(
                    ld,
                    v,
                    &w,
                    &[
                        ("deployment", WorkloadHint::Deployment),
                        ("statefulset", WorkloadHint::StatefulSet),
                        ("daemonset", WorkloadHint::DaemonSet),
                        ("job", WorkloadHint::Job),
                        ("cronjob", WorkloadHint::CronJob),
                    ],
                )
            }
            "schedule" => {
                h.schedule = ld.str_of(v, &w);
                if let Some(s) = &h.schedule {
                    check_schedule(ld, v, &w, s);
                }
            }
            "tier" => {
                h.tier = choice(
                    ld,
                    v,
                    &w,
                    &[
                        ("critical", Tier::Critical),
                        ("standard", Tier::Standard),
                        ("batch", Tier::Batch),
                    ],
                )
            }
            "preemptible" => h.preemptible = ld.bool_of(v, &w),
            "node" => h.node = ld.str_of(v, &w),
            "expose" => h.expose = expose(ld, v, &w),
            "autoscale" => {
                if let Some(am) = ld.map_of(v, &w) {
                    ld.check_keys(am, &format!("`{w}`"), schema::HINT_AUTOSCALE);
                    let mut a = AutoscaleHint::default();
                    for f in &am.entries {
                        let fw = format!("{w}.{}", f.key_str());
                        let n = ld.u32_of(&f.value, &fw);
                        match f.key_str() {
                            "min" => a.min = n,
                            "max" => a.max = n,
                            "cpu" => a.cpu = n,
                            "memory" => a.memory = n,
                            "gpu" => a.gpu = n,
                            _ => {}
                        }
                    }
                    if let (Some(min), Some(max)) = (a.min, a.max) {
                        if min > max {
                            ld.invalid(
                                v.span,
                                format!("`{w}`: min {min} is above max {max}"),
                                "make min at most max",
                            );
                        }
                    }
                    h.autoscale = Some(a);
                }
            }
            "queue" => {
                if let Some(qm) = ld.map_of(v, &w) {
                    ld.check_keys(qm, &format!("`{w}`"), schema::HINT_QUEUE);
                    let kind = qm.get("type").and_then(|n| {
                        choice(
                            ld,
                            n,
                            &format!("{w}.type"),
                            &[("rabbitmq", "rabbitmq"), ("redis", "redis")],
                        )
                    });
                    let name = qm
                        .get("name")
                        .and_then(|n| ld.str_of(n, &format!("{w}.name")));
                    let target = qm
                        .get("target")
                        .and_then(|n| ld.u32_of(n, &format!("{w}.target")));
                    match (kind, name) {
                        (Some(kind), Some(name)) => {
                            h.queue = Some(QueueHint {
                                kind: kind.to_string(),
                                name,
                                target,
                            })
                        }
                        _ => ld.wrong_type(v, &w, "a mapping with `type` and `name`"),
                    }
                }
            }
            "security" => {
                if let Some(sm) = ld.map_of(v, &w) {
                    ld.check_keys(sm, &format!("`{w}`"), schema::HINT_SECURITY);
                    let level = sm.get("level").and_then(|n| {
                        choice(
                            ld,
                            n,
                            &format!("{w}.level"),
                            &[
                                ("restricted", SecurityLevel::Restricted),
                                ("baseline", SecurityLevel::Baseline),
                                ("privileged", SecurityLevel::Privileged),
                            ],
                        )
                    });
                    let reason = sm
                        .get("reason")
                        .and_then(|n| ld.str_of(n, &format!("{w}.reason")));
                    match (level, reason) {
                        (Some(level), Some(reason)) => h.security = Some(SecurityHint { level, reason }),
                        (Some(_), None) => ld.invalid(v.span, format!("`{w}` needs a `reason`"), "say why the service needs this level, e.g. reason: \"s6-overlay starts as root\""),
                        _ => {}
                    }
                }
            }
            "backup" => {
                h.backup = match &v.value {
                    Value::Map(bm) => {
                        ld.check_keys(bm, &format!("`{w}`"), schema::HINT_BACKUP);
                        let schedule = bm.get("schedule").and_then(|n| {
                            let what = format!("{w}.schedule");
                            let s = ld.str_of(n, &what)?;
                            check_schedule(ld, n, &what, &s);
                            Some(s)
                        });
                        Some(BackupHint::Schedule {
                            schedule,
                            retention: bm
                                .get("retention")
                                .and_then(|n| ld.u32_of(n, &format!("{w}.retention"))),
                        })
                    }
                    _ => ld.bool_of(v, &w).map(BackupHint::Disabled),
                }
            }
            "metrics" => {
                h.metrics = match &v.value {
                    Value::Map(mm) => {
                        ld.check_keys(mm, &format!("`{w}`"), schema::HINT_METRICS);
                        let port = mm
                            .get("port")
                            .and_then(|n| ld.u64_of(n, &format!("{w}.port")))
                            .and_then(|p| u16::try_from(p).ok().filter(|p| *p > 0));
                        Some(MetricsHint::Endpoint {
                            port,
                            path: mm
                                .get("path")
                                .and_then(|n| ld.str_of(n, &format!("{w}.path"))),
                        })
                    }
                    _ => ld.bool_of(v, &w).map(|b| {
                        if b {
                            MetricsHint::Endpoint {
                                port: None,
                                path: None,
                            }
                        } else {
                            MetricsHint::Disabled(false)
                        }
                    }),
                }
            }
            "skip" => h.skip = ld.bool_of(v, &w),
            "pullSecret" => h.pull_secret = pull_secret(ld, v, &w),
            "rightsize" => h.rightsize = ld.bool_of(v, &w),
            // Read by `project_hints`.
            "quota" if project => {}
            "quota" => ld.invalid(
                e.key.span,
                format!("`{w}` is a project-level hint"),
                "set `quota: false` in the top-level `x-homeport` block",
            ),
            "rbac" if project => ld.invalid(
                e.key.span,
                format!("`{w}` is a service-level hint"),
                "set `x-homeport.rbac` on the service that talks to the Kubernetes API",
            ),
            "rbac" => h.rbac = super::rbac_hint::rbac(ld, v, &w),
            _ => ld.unknown_key(&e.key, &format!("`{what}`"), schema::HINTS),
        }
    }
    h
}

/// `pullSecret: NAME` (an existing Secret: a DNS-1123 subdomain) or `true`/`false`.
fn pull_secret(ld: &mut Loader, node: &Node, what: &str) -> Option<PullSecretHint> {
    if let Some(b) = node.as_bool() {
        return Some(PullSecretHint::FromDockerConfig(b));
    }
    let name = ld.str_of(node, what)?;
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    if !valid {
        ld.invalid(
            node.span,
            format!("`{what}`: `{name}` is not a valid Secret name"),
            "name an existing kubernetes.io/dockerconfigjson Secret (lowercase letters, digits, `-`, `.`), or use `true` to have homeport write it from your Docker config",
        );
        return None;
    }
    Some(PullSecretHint::Existing(name))
}

/// A cron schedule (a CronJob's or a backup's) that Kubernetes would reject is an error here.
fn check_schedule(ld: &mut Loader, node: &Node, what: &str, schedule: &str) {
    if let Some(why) = crate::cron::cron_error(schedule) {
        ld.invalid(
            node.span,
            format!("`{what}`: `{schedule}` is not a cron schedule: {why}"),
            "write five fields, e.g. \"0 3 * * *\", or @daily / @hourly",
        );
    }
}

fn expose(ld: &mut Loader, node: &Node, what: &str) -> Option<ExposeHint> {
    match &node.value {
        Value::Map(m) => {
            ld.check_keys(m, &format!("`{what}`"), schema::HINT_EXPOSE);
            let port = m
                .get("port")
                .and_then(|n| ld.u64_of(n, &format!("{what}.port")));
            let port = port.and_then(|p| u16::try_from(p).ok());
            Some(ExposeHint::Route {
                host: m
                    .get("host")
                    .and_then(|n| ld.str_of(n, &format!("{what}.host"))),
                path: m
                    .get("path")
                    .and_then(|n| ld.str_of(n, &format!("{what}.path"))),
                port,
            })
        }
        _ => {
            if let Some(b) = node.as_bool() {
                return Some(if b {
                    ExposeHint::Route {
                        host: None,
                        path: None,
                        port: None,
                    }
                } else {
                    ExposeHint::Disabled(false)
                });
            }
            ld.str_of(node, what).map(|host| ExposeHint::Route {
                host: Some(host),
                path: None,
                port: None,
            })
        }
    }
}
