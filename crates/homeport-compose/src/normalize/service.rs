//! One service: every key is translated into the model, kept in `other` (valid Compose that
//! later stages do not translate), or reported as unknown.

use super::{deploy, environment, hints, ports, volumes, ProjectCx};
use crate::codes;
use crate::load::Loader;
use crate::model::*;
use crate::schema;
use homeport_diag::Diagnostic;
use homeport_yaml::{Node, Value};
use indexmap::IndexMap;

pub(crate) fn service(ld: &mut Loader, key: &Node, node: &Node, cx: &ProjectCx) -> Option<Service> {
    let name = key.as_str().unwrap_or_default().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        ld.invalid(
            key.span,
            format!("`{name}` is not a valid service name"),
            "service names may use letters, digits, `.`, `_` and `-`",
        );
    }
    let map = match &node.value {
        Value::Map(m) => m,
        _ if node.is_null() => {
            ld.error(
                Diagnostic::error(codes::WRONG_TYPE, format!("service `{name}` is empty"))
                    .with_span(key.span)
                    .with_help("give the service at least an `image:` or a `build:`"),
            );
            return None;
        }
        _ => {
            ld.wrong_type(node, &format!("services.{name}"), "a mapping");
            return None;
        }
    };
    let mut s = Service {
        name: name.clone(),
        ..Service::default()
    };
    s.origin.key = Some(key.span);
    let mut env_files = Vec::new();
    let mut env_node = None;
    let mut scale: Option<(u32, homeport_diag::Span)> = None;
    for e in &map.entries {
        let k = e.key_str();
        let v = &e.value;
        s.origin.fields.insert(k.to_string(), v.span);
        let what = format!("services.{name}.{k}");
        match k {
            "image" => s.image = ld.str_of(v, &what),
            "build" => s.build = build(ld, v, &what, cx),
            "platform" => s.platform = ld.str_of(v, &what),
            "container_name" => s.container_name = ld.str_of(v, &what),
            "hostname" => s.hostname = ld.str_of(v, &what),
            "working_dir" => s.working_dir = ld.str_of(v, &what),
            "user" => s.user = ld.str_of(v, &what),
            "runtime" => s.runtime = ld.str_of(v, &what),
            "pid" => s.pid = ld.str_of(v, &what),
            "ipc" => s.ipc = ld.str_of(v, &what),
            "pull_policy" => s.pull_policy = ld.str_of(v, &what),
            "network_mode" => s.network_mode = ld.str_of(v, &what),
            "entrypoint" => s.entrypoint = command(ld, v, &what),
            "command" => s.command = command(ld, v, &what),
            "environment" => env_node = Some(v),
            "env_file" => env_files = environment::env_file_refs(ld, v, &what),
            "ports" => s.ports = ports::ports(ld, v, &what),
            "expose" => {
                s.expose = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect())
            }
            "volumes" => s.volumes = volumes::volumes(ld, v, &what),
            "tmpfs" => {
                s.tmpfs = dedup(
                    ld.str_or_list(v, &what)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect(),
                )
            }
            "healthcheck" => s.healthcheck = healthcheck(ld, v, &what),
            "depends_on" => s.depends_on = depends_on(ld, v, &what),
            "links" => s.links = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect()),
            "restart" => s.restart = restart(ld, v, &what),
            "deploy" => s.deploy = deploy::deploy(ld, v, &what),
            "gpus" => s.gpus = deploy::gpus(ld, v, &what),
            "devices" => s.devices = devices(ld, v, &what),
            "cap_add" => {
                s.cap_add = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect())
            }
            "cap_drop" => {
                s.cap_drop = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect())
            }
            "security_opt" => {
                s.security_opt = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect())
            }
            "dns" => {
                s.dns = dedup(
                    ld.str_or_list(v, &what)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect(),
                )
            }
            "privileged" => s.privileged = ld.bool_of(v, &what).unwrap_or(false),
            "read_only" => s.read_only = ld.bool_of(v, &what).unwrap_or(false),
            "init" => s.init = ld.bool_of(v, &what),
            "sysctls" => s.sysctls = ld.string_map(v, &what),
            "labels" => s.labels = ld.string_map(v, &what),
            "extra_hosts" => s.extra_hosts = extra_hosts(ld, v, &what),
            "networks" => s.networks = networks(ld, v, &what),
            "secrets" => s.secrets = file_refs(ld, v, &what, "/run/secrets/"),
            "configs" => s.configs = file_refs(ld, v, &what, "/"),
            "stop_grace_period" => s.stop_grace_period_ns = ld.duration_of(v, &what),
            "shm_size" => s.shm_size_bytes = ld.bytes_of(v, &what),
            "mem_limit" => s.mem_limit_bytes = ld.bytes_of(v, &what),
            "mem_reservation" => s.mem_reservation_bytes = ld.bytes_of(v, &what),
            "cpus" => s.cpus = ld.f64_of(v, &what),
            "ulimits" => s.ulimits = ulimits(ld, v, &what),
            "profiles" => {
                s.profiles = dedup(ld.str_list(v, &what).into_iter().map(|(s, _)| s).collect())
            }
            "scale" => scale = ld.u32_of(v, &what).map(|n| (n, v.span)),
            "extends" => {}
            "x-homeport" => s.hints = hints::service_hints(ld, v, &what),
            _ if k.starts_with("x-") => {
                s.extensions.insert(k.to_string(), v.to_json());
            }
            _ if schema::SERVICE.contains(&k) => {
                // Kept verbatim for later stages; mappings with a fixed set of keys are still
                // checked, so a typo inside them is not silently carried along.
                if let (Some(known), Some(m)) = (schema::untranslated_keys(k), v.as_map()) {
                    ld.check_keys(m, &format!("`{what}`"), known);
                }
                s.other.insert(k.to_string(), v.to_json());
            }
            _ => {
                ld.unknown_key(&e.key, &format!("service `{name}`"), schema::SERVICE);
            }
        }
    }
    s.environment = environment::environment(ld, &env_files, env_node, &name, cx);
    if let Some((n, span)) = scale {
        let deploy = s.deploy.get_or_insert_with(Deploy::default);
        match deploy.replicas {
            Some(r) if r != n => ld.error(
                Diagnostic::error(
                    codes::CONFLICTING_SETTINGS,
                    format!("service `{name}` sets `scale: {n}` but `deploy.replicas: {r}`"),
                )
                .with_span(span)
                .with_help("keep one of them (deploy.replicas is preferred)"),
            ),
            _ => deploy.replicas = Some(n),
        }
    }
    s.extensions.sort_keys();
    s.other.sort_keys();
    Some(s)
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn build(ld: &mut Loader, node: &Node, what: &str, cx: &ProjectCx) -> Option<Build> {
    match &node.value {
        Value::Scalar(s, _) if !node.is_null() => Some(Build {
            context: s.clone(),
            ..Build::default()
        }),
        Value::Map(m) => {
            ld.check_keys(m, &format!("`{what}`"), schema::BUILD);
            let mut b = Build {
                context: ".".to_string(),
                ..Build::default()
            };
            for e in &m.entries {
                let k = e.key_str();
                let w = format!("{what}.{k}");
                match k {
                    "context" => {
                        if let Some(c) = ld.str_of(&e.value, &w) {
                            b.context = c;
                        }
                    }
                    "dockerfile" => b.dockerfile = ld.str_of(&e.value, &w),
                    "target" => b.target = ld.str_of(&e.value, &w),
                    "args" => {
                        // Args without a value take the project environment, as compose-go does.
                        let mut args: IndexMap<String, Option<String>> = ld
                            .key_values(&e.value, &w)
                            .into_iter()
                            .map(|(k, v, _)| {
                                let v = v.or_else(|| cx.env.get(&k).cloned());
                                (k, v)
                            })
                            .collect();
                        args.sort_keys();
                        b.args = args;
                    }
                    _ if schema::BUILD.contains(&k) || k.starts_with("x-") => {
                        b.other.insert(k.to_string(), e.value.to_json());
                    }
                    _ => {}
                }
            }
            Some(b)
        }
        _ if node.is_null() => None,
        _ => {
            ld.wrong_type(node, what, "a path or a mapping");
            None
        }
    }
}

fn command(ld: &mut Loader, node: &Node, what: &str) -> Option<Command> {
    match &node.value {
        Value::Scalar(s, _) if !node.is_null() => Some(Command::String(s.clone())),
        Value::Seq(_) => Some(Command::Exec(
            ld.str_list(node, what)
                .into_iter()
                .map(|(s, _)| s)
                .collect(),
        )),
        _ if node.is_null() => None,
        _ => {
            ld.wrong_type(node, what, "a string or a list of strings");
            None
        }
    }
}

fn healthcheck(ld: &mut Loader, node: &Node, what: &str) -> Option<Healthcheck> {
    let m = ld.map_of(node, what)?;
    ld.check_keys(m, &format!("`{what}`"), schema::HEALTHCHECK);
    let mut h = Healthcheck::default();
    for e in &m.entries {
        let w = format!("{what}.{}", e.key_str());
        let v = &e.value;
        match e.key_str() {
            "test" => match &v.value {
                Value::Scalar(s, _) if !v.is_null() => {
                    if s.trim() == "NONE" {
                        h.disable = true;
                    } else {
                        h.test = Some(HealthTest::CmdShell(s.clone()));
                    }
                }
                Value::Seq(_) => {
                    let items: Vec<String> =
                        ld.str_list(v, &w).into_iter().map(|(s, _)| s).collect();
                    match items.split_first() {
                        None => {}
                        Some((first, rest)) => match first.as_str() {
                            "NONE" => h.disable = true,
                            "CMD" => h.test = Some(HealthTest::Cmd(rest.to_vec())),
                            "CMD-SHELL" => h.test = Some(HealthTest::CmdShell(rest.join(" "))),
                            other => ld.invalid(
                                v.span,
                                format!("`{w}` starts with `{other}`; expected CMD, CMD-SHELL or NONE"),
                                "write [\"CMD\", \"curl\", \"-f\", \"http://localhost\"] or [\"CMD-SHELL\", \"curl -f http://localhost\"]",
                            ),
                        },
                    }
                }
                _ if v.is_null() => {}
                _ => ld.wrong_type(v, &w, "a string or a list of strings"),
            },
            "disable" => h.disable |= ld.bool_of(v, &w) == Some(true),
            "interval" => h.interval_ns = ld.duration_of(v, &w),
            "timeout" => h.timeout_ns = ld.duration_of(v, &w),
            "start_period" => h.start_period_ns = ld.duration_of(v, &w),
            "start_interval" => h.start_interval_ns = ld.duration_of(v, &w),
            "retries" => h.retries = ld.u64_of(v, &w),
            _ => {}
        }
    }
    if h.disable {
        h.test = None;
    }
    Some(h)
}

fn depends_on(ld: &mut Loader, node: &Node, what: &str) -> IndexMap<String, Dependency> {
    let mut out = IndexMap::new();
    match &node.value {
        Value::Seq(_) => {
            for (name, span) in ld.str_list(node, what) {
                out.insert(
                    name,
                    Dependency {
                        condition: "service_started".into(),
                        required: true,
                        restart: false,
                        span: Some(span),
                    },
                );
            }
        }
        Value::Map(m) => {
            for e in &m.entries {
                let dep = e.key_str().to_string();
                let w = format!("{what}.{dep}");
                let mut d = Dependency {
                    condition: "service_started".into(),
                    required: true,
                    restart: false,
                    span: Some(e.key.span),
                };
                if let Some(dm) = ld.map_of(&e.value, &w) {
                    ld.check_keys(dm, &format!("`{w}`"), schema::DEPENDS_ON);
                    if let Some(c) = dm.get("condition") {
                        if let Some(cond) = ld.str_of(c, &format!("{w}.condition")) {
                            if !matches!(
                                cond.as_str(),
                                "service_started"
                                    | "service_healthy"
                                    | "service_completed_successfully"
                            ) {
                                ld.invalid(
                                    c.span,
                                    format!("`{w}.condition`: `{cond}` is not a dependency condition"),
                                    "use service_started, service_healthy or service_completed_successfully",
                                );
                            }
                            d.condition = cond;
                        }
                    }
                    if let Some(r) = dm
                        .get("required")
                        .and_then(|n| ld.bool_of(n, &format!("{w}.required")))
                    {
                        d.required = r;
                    }
                    if let Some(r) = dm
                        .get("restart")
                        .and_then(|n| ld.bool_of(n, &format!("{w}.restart")))
                    {
                        d.restart = r;
                    }
                }
                out.insert(dep, d);
            }
        }
        _ if node.is_null() => {}
        _ => ld.wrong_type(node, what, "a list of service names or a mapping"),
    }
    out.sort_keys();
    out
}

fn restart(ld: &mut Loader, node: &Node, what: &str) -> Option<RestartPolicy> {
    let s = ld.str_of(node, what)?;
    let policy = match s.as_str() {
        "no" | "false" => RestartPolicy::No,
        "always" => RestartPolicy::Always,
        "unless-stopped" => RestartPolicy::UnlessStopped,
        "on-failure" => RestartPolicy::OnFailure,
        other
            if other
                .strip_prefix("on-failure:")
                .is_some_and(|n| n.parse::<u32>().is_ok()) =>
        {
            RestartPolicy::OnFailure
        }
        other => {
            ld.invalid(
                node.span,
                format!("`{what}`: `{other}` is not a restart policy"),
                "use \"no\", always, on-failure[:N] or unless-stopped",
            );
            return None;
        }
    };
    Some(policy)
}

fn devices(ld: &mut Loader, node: &Node, what: &str) -> Vec<DeviceMapping> {
    let Some(items) = ld.seq_of(node, what) else {
        return Vec::new();
    };
    let mut out: Vec<DeviceMapping> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = format!("{what}[{i}]");
        let d = match &item.value {
            Value::Scalar(s, _) if !item.is_null() => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.as_slice() {
                    [src] => Some(DeviceMapping {
                        source: src.to_string(),
                        target: src.to_string(),
                        permissions: None,
                    }),
                    [src, dst] => Some(DeviceMapping {
                        source: src.to_string(),
                        target: dst.to_string(),
                        permissions: None,
                    }),
                    [src, dst, perms] => Some(DeviceMapping {
                        source: src.to_string(),
                        target: dst.to_string(),
                        permissions: Some(perms.to_string()),
                    }),
                    _ => {
                        ld.invalid(
                            item.span,
                            format!("`{w}`: `{s}` is not a device"),
                            "write HOST_PATH[:CONTAINER_PATH[:rwm]]",
                        );
                        None
                    }
                }
            }
            Value::Map(m) => {
                ld.check_keys(m, &format!("`{w}`"), schema::DEVICE);
                let source = m
                    .get("source")
                    .and_then(|n| ld.str_of(n, &format!("{w}.source")));
                match source {
                    Some(source) => {
                        let target = m
                            .get("target")
                            .and_then(|n| ld.str_of(n, &format!("{w}.target")))
                            .unwrap_or_else(|| source.clone());
                        Some(DeviceMapping {
                            source,
                            target,
                            permissions: m
                                .get("permissions")
                                .and_then(|n| ld.str_of(n, &format!("{w}.permissions"))),
                        })
                    }
                    None => {
                        ld.wrong_type(item, &format!("{w}.source"), "a device path");
                        None
                    }
                }
            }
            _ => {
                ld.wrong_type(item, &w, "a device string or mapping");
                None
            }
        };
        if let Some(d) = d {
            match out.iter_mut().find(|x| x.target == d.target) {
                Some(slot) => *slot = d,
                None => out.push(d),
            }
        }
    }
    out
}

fn extra_hosts(ld: &mut Loader, node: &Node, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    match &node.value {
        Value::Map(m) => {
            for e in &m.entries {
                let host = e.key_str();
                match &e.value.value {
                    Value::Seq(_) => {
                        for (ip, _) in ld.str_list(&e.value, &format!("{what}.{host}")) {
                            out.push(format!("{host}:{ip}"));
                        }
                    }
                    _ => {
                        if let Some(ip) = ld.str_of(&e.value, &format!("{what}.{host}")) {
                            out.push(format!("{host}:{ip}"));
                        }
                    }
                }
            }
        }
        Value::Seq(_) => {
            for (entry, span) in ld.str_list(node, what) {
                let split = entry.split_once('=').or_else(|| entry.split_once(':'));
                match split {
                    Some((host, ip)) => out.push(format!("{host}:{ip}")),
                    None => ld.invalid(
                        span,
                        format!("`{what}`: `{entry}` is not HOST:IP"),
                        "write host.name:10.0.0.1 or host.name=10.0.0.1",
                    ),
                }
            }
        }
        _ if node.is_null() => {}
        _ => ld.wrong_type(node, what, "a list of HOST:IP or a mapping"),
    }
    dedup(out)
}

fn networks(ld: &mut Loader, node: &Node, what: &str) -> IndexMap<String, ServiceNetwork> {
    let mut out = IndexMap::new();
    match &node.value {
        Value::Seq(_) => {
            for (name, _) in ld.str_list(node, what) {
                out.insert(name, ServiceNetwork::default());
            }
        }
        Value::Map(m) => {
            for e in &m.entries {
                let net = e.key_str().to_string();
                let w = format!("{what}.{net}");
                let mut sn = ServiceNetwork::default();
                if let Some(nm) = ld.map_of(&e.value, &w) {
                    ld.check_keys(nm, &format!("`{w}`"), schema::SERVICE_NETWORK);
                    for f in &nm.entries {
                        let fw = format!("{w}.{}", f.key_str());
                        match f.key_str() {
                            "aliases" => {
                                sn.aliases = dedup(
                                    ld.str_list(&f.value, &fw)
                                        .into_iter()
                                        .map(|(s, _)| s)
                                        .collect(),
                                )
                            }
                            "ipv4_address" => sn.ipv4_address = ld.str_of(&f.value, &fw),
                            "ipv6_address" => sn.ipv6_address = ld.str_of(&f.value, &fw),
                            "priority" => sn.priority = ld.i64_of(&f.value, &fw),
                            k if schema::SERVICE_NETWORK.contains(&k) || k.starts_with("x-") => {
                                sn.other.insert(k.to_string(), f.value.to_json());
                            }
                            _ => {}
                        }
                    }
                }
                out.insert(net, sn);
            }
        }
        _ if node.is_null() => {}
        _ => ld.wrong_type(node, what, "a list of network names or a mapping"),
    }
    out.sort_keys();
    out
}

/// `mode` is octal when written with a leading 0 (`0440`) or `0o`, as docker compose reads it.
fn file_mode(ld: &mut Loader, node: &Node, what: &str) -> Option<u32> {
    let text = ld.str_of(node, what)?;
    let t = text.trim();
    let parsed = if let Some(oct) = t.strip_prefix("0o") {
        u32::from_str_radix(oct, 8).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        u32::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    };
    if parsed.is_none() {
        ld.invalid(
            node.span,
            format!("`{what}`: `{t}` is not a file mode"),
            "write an octal mode such as 0440",
        );
    }
    parsed
}

fn file_refs(ld: &mut Loader, node: &Node, what: &str, default_dir: &str) -> Vec<FileReference> {
    let Some(items) = ld.seq_of(node, what) else {
        return Vec::new();
    };
    let mut out: Vec<FileReference> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = format!("{what}[{i}]");
        let r = match &item.value {
            Value::Scalar(s, _) if !item.is_null() => Some(FileReference {
                source: s.clone(),
                target: format!("{default_dir}{s}"),
                ..FileReference::default()
            }),
            Value::Map(m) => {
                ld.check_keys(m, &format!("`{w}`"), schema::FILE_REFERENCE);
                match m
                    .get("source")
                    .and_then(|n| ld.str_of(n, &format!("{w}.source")))
                {
                    Some(source) => {
                        let target = m
                            .get("target")
                            .and_then(|n| ld.str_of(n, &format!("{w}.target")))
                            .map(|t| {
                                if t.starts_with('/') {
                                    t
                                } else {
                                    format!("{default_dir}{t}")
                                }
                            })
                            .unwrap_or_else(|| format!("{default_dir}{source}"));
                        Some(FileReference {
                            source,
                            target,
                            uid: m.get("uid").and_then(|n| ld.str_of(n, &format!("{w}.uid"))),
                            gid: m.get("gid").and_then(|n| ld.str_of(n, &format!("{w}.gid"))),
                            mode: m
                                .get("mode")
                                .and_then(|n| file_mode(ld, n, &format!("{w}.mode"))),
                            span: Some(item.span),
                        })
                    }
                    None => {
                        ld.wrong_type(item, &format!("{w}.source"), "a name");
                        None
                    }
                }
            }
            _ => {
                ld.wrong_type(item, &w, "a name or a mapping");
                None
            }
        };
        if let Some(mut r) = r {
            r.span = Some(item.span);
            match out.iter_mut().find(|x| x.target == r.target) {
                Some(slot) => *slot = r,
                None => out.push(r),
            }
        }
    }
    out
}

fn ulimits(ld: &mut Loader, node: &Node, what: &str) -> IndexMap<String, Ulimit> {
    let mut out = IndexMap::new();
    let Some(m) = ld.map_of(node, what) else {
        return out;
    };
    for e in &m.entries {
        let name = e.key_str().to_string();
        let w = format!("{what}.{name}");
        let limit = match &e.value.value {
            Value::Map(lm) => {
                ld.check_keys(lm, &format!("`{w}`"), schema::ULIMIT);
                let soft = lm
                    .get("soft")
                    .and_then(|n| ld.i64_of(n, &format!("{w}.soft")));
                let hard = lm
                    .get("hard")
                    .and_then(|n| ld.i64_of(n, &format!("{w}.hard")));
                match (soft, hard) {
                    (Some(soft), Some(hard)) => Some(Ulimit { soft, hard }),
                    _ => {
                        ld.wrong_type(&e.value, &w, "a number or `{soft, hard}`");
                        None
                    }
                }
            }
            _ => ld.i64_of(&e.value, &w).map(|n| Ulimit { soft: n, hard: n }),
        };
        if let Some(l) = limit {
            out.insert(name, l);
        }
    }
    out.sort_keys();
    out
}
