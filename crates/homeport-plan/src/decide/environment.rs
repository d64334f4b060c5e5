//! The container itself: image, command, environment split into ConfigMap and Secret, ports.

use crate::codes;
use crate::images::{self, ImageProfile};
use crate::plan::*;
use crate::planner::{service_dns, Ctx};
use homeport_compose::{looks_secret, Command, Service};
use homeport_diag::Diagnostic;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Whether an environment value is a secret: the key or value looks like one, or the value
/// was interpolated from a variable whose name looks like one.
pub fn is_secret(key: &str, value: &str, interpolated: &[String]) -> bool {
    looks_secret(key, value) || interpolated.iter().any(|var| looks_secret(var, value))
}

/// Key of a ConfigMap/Secret: `[-._a-zA-Z0-9]+`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn split_command(cmd: &Command) -> Vec<String> {
    match cmd {
        Command::Exec(v) => v.clone(),
        Command::String(s) => shell_words(s),
    }
}

/// Split like Compose does (shell words: quotes and backslashes, no expansion).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

pub fn container(
    cx: &mut Ctx,
    svc: &Service,
    profile: &ImageProfile,
    pod: &mut PodPlan,
) -> ContainerPlan {
    let name = service_dns(svc);
    let image = match (&svc.image, &svc.build) {
        (Some(image), _) => image.clone(),
        (None, _) => {
            let image = format!("{}-{}", crate::planner::dns_label(&cx.project.name), name);
            cx.push(
                Diagnostic::warning(
                    codes::BUILD_WITHOUT_IMAGE,
                    format!("service `{}` is built locally (`build:`) and has no `image:`", svc.name),
                )
                .with_span_opt(svc.origin.field("build"))
                .with_help(format!(
                    "build and push the image to a registry the cluster can pull from, and set `image:` (assumed `{image}`)"
                )),
            );
            image
        }
    };
    match images::tag(&image) {
        None if !image.contains('@') => {
            pod.notes.push(format!("{}: image `{image}` has no tag (means `latest`); pin a version for reproducible deploys", svc.name));
        }
        Some("latest") => {
            pod.notes.push(format!(
                "{}: image `{image}` uses `latest`; pin a version for reproducible deploys",
                svc.name
            ));
        }
        _ => {}
    }
    if svc.image.is_some()
        && (images::tag(&image).is_none_or(|t| t == "latest"))
        && !image.contains('@')
    {
        cx.push(
            Diagnostic::info(
                codes::LATEST_TAG,
                format!(
                    "service `{}`: image `{image}` is not pinned (`latest`); it is kept as written",
                    svc.name
                ),
            )
            .with_span_opt(svc.origin.field("image"))
            .with_help("pin a version tag (or a digest) so every node runs the same image"),
        );
    }
    let image_pull_policy = match svc.pull_policy.as_deref() {
        Some("always") => Some("Always".to_string()),
        Some("never") => Some("Never".to_string()),
        Some("missing") | Some("if_not_present") => Some("IfNotPresent".to_string()),
        // Explicit, as linters ask: tags are mutable, so pull them; digests never change.
        _ => Some(
            if image.contains('@') {
                "IfNotPresent"
            } else {
                "Always"
            }
            .to_string(),
        ),
    };

    // Environment: ConfigMap for plain values, Secret for anything that looks secret.
    let mut config_env = IndexMap::new();
    let mut secret_env = IndexMap::new();
    let mut secret_keys = Vec::new();
    for (key, value) in &svc.environment {
        if key == "NVIDIA_VISIBLE_DEVICES" {
            continue; // becomes a GPU request (resources pass)
        }
        let Some(v) = &value.value else {
            cx.push(
                Diagnostic::warning(
                    codes::ENV_UNSET,
                    format!(
                        "environment variable `{key}` of service `{}` has no value and is left out",
                        svc.name
                    ),
                )
                .with_span_opt(value.span.or(svc.origin.field("environment")))
                .with_help(format!(
                    "set `{key}` in .env or the shell before converting, or give it a value"
                )),
            );
            continue;
        };
        if !valid_key(key) {
            cx.push(
                Diagnostic::warning(codes::ENV_BAD_NAME, format!("environment variable `{key}` of service `{}` cannot be a ConfigMap/Secret key and is left out", svc.name))
                    .with_span_opt(value.span.or(svc.origin.field("environment")))
                    .with_help("use only letters, digits, `-`, `_` and `.` in variable names"),
            );
            continue;
        }
        let vpn_user = homeport_secrets::is_vpn_user_beside_password(
            key,
            svc.environment.keys().map(String::as_str),
        );
        if vpn_user || is_secret(key, v, &value.interpolated) {
            secret_env.insert(key.clone(), v.clone());
            secret_keys.push(key.clone());
        } else {
            config_env.insert(key.clone(), v.clone());
        }
    }
    for (key, value) in profile.env {
        if !svc.environment.contains_key(*key) {
            config_env.insert(key.to_string(), value.to_string());
            pod.decide(
                "environment",
                format!("{}: {key}={value}", svc.name),
                format!(
                    "{} image: needed to run under the hardened security context",
                    profile.family
                ),
            );
        }
    }
    if !secret_keys.is_empty() {
        pod.decide(
            "secrets",
            format!("{}: {}", svc.name, secret_keys.join(", ")),
            "secret-looking names or values (passwords, tokens, keys, URLs with credentials, values from secret .env variables) go to a Secret, never a ConfigMap",
        );
    }
    config_env.sort_keys();
    secret_env.sort_keys();

    // Ports: published + exposed + the image's known port.
    let mut ports: Vec<PortPlan> = Vec::new();
    let add_port = |ports: &mut Vec<PortPlan>, port: u16, protocol: &str| {
        let protocol = protocol.to_ascii_uppercase();
        if port == 0
            || ports
                .iter()
                .any(|p| p.port == port && p.protocol == protocol)
        {
            return;
        }
        let name = if protocol == "TCP" {
            format!("tcp-{port}")
        } else {
            format!("{}-{port}", protocol.to_ascii_lowercase())
        };
        ports.push(PortPlan {
            name,
            port,
            target: port,
            protocol,
        });
    };
    for p in &svc.ports {
        add_port(&mut ports, p.target, &p.protocol);
    }
    for e in &svc.expose {
        let (num, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
        let (start, end) = num.split_once('-').unwrap_or((num, num));
        if let (Ok(a), Ok(b)) = (start.trim().parse::<u16>(), end.trim().parse::<u16>()) {
            for port in a..=b.min(a.saturating_add(100)) {
                add_port(&mut ports, port, proto);
            }
        }
    }
    crate::decide::image_ports::add_exposed(cx, svc, &mut ports, pod);
    // Data services are reached on their protocol port (AMQP 5672, ...) even when Compose
    // only publishes a management or UI port.
    if ports.is_empty() || profile.role.is_data_service() {
        let known = crate::planner::image_port(svc)
            .filter(|k| !ports.iter().any(|p| p.port == *k && p.protocol == "TCP"));
        // A joined container whose port the host container already declares (the VPN
        // sidecar case) does not declare it twice.
        let declared = pod.containers.iter().any(|c| {
            c.ports
                .iter()
                .any(|p| Some(p.port) == known && p.protocol == "TCP")
        });
        if let (Some(port), false) = (known, declared) {
            let why = if ports.is_empty() {
                "no port in the Compose file"
            } else {
                "the Compose file declares only other ports (a UI or management port)"
            };
            add_port(&mut ports, port, "tcp");
            pod.decide(
                "ports",
                format!("{}: {port}", svc.name),
                format!("{why}; {} listens on {port} (knowledge base), which other services reach it on", profile.family),
            );
        }
    }

    // Still nothing: the port other services use in their environment (`http://tika:9998`).
    if ports.is_empty() && crate::planner::runs_image_server(svc) {
        if let Some((port, by)) = referenced_port(cx, svc) {
            add_port(&mut ports, port, "tcp");
            pod.decide(
                "ports",
                format!("{}: {port}", svc.name),
                format!("no port in the Compose file or the knowledge base; `{by}` reaches it on {port} (its environment names {}:{port})", svc.name),
            );
        }
    }

    ContainerPlan {
        name,
        service: svc.name.clone(),
        image,
        image_pull_policy,
        command: svc.entrypoint.as_ref().map(split_command),
        args: svc.command.as_ref().map(split_command),
        working_dir: svc.working_dir.clone(),
        config_env,
        secret_env,
        ports,
        mounts: Vec::new(),
        probes: Probes::default(),
        resources: ResourcePlan::default(),
        security: ContainerSecurity::default(),
        tty: svc
            .other
            .get("tty")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        stdin: svc
            .other
            .get("stdin_open")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    }
}

/// The lowest port other services name for `svc` in their environment (`http://tika:9998`,
/// `gotenberg:3000`), with the first service that does.
pub fn referenced_port(cx: &Ctx, svc: &Service) -> Option<(u16, String)> {
    let mut names: Vec<&str> = vec![svc.name.as_str()];
    names.extend(svc.hostname.as_deref());
    names.extend(svc.container_name.as_deref());
    for n in svc.networks.values() {
        names.extend(n.aliases.iter().map(String::as_str));
    }
    let index = cx.host_ports.get_or_init(|| host_port_index(cx));
    // The lowest port; on a tie, the first service and value that wrote it.
    names
        .iter()
        .enumerate()
        .flat_map(|(n, name)| index.get(*name).into_iter().flatten().map(move |r| (r, n)))
        .filter(|(r, _)| r.service != svc.name)
        .min_by_key(|(r, n)| (r.port, r.order, *n))
        .map(|(r, _)| (r.port, r.service.clone()))
}

/// One `host:port` written in a service's environment.
pub struct HostPortRef {
    pub port: u16,
    pub service: String,
    /// Position of the value among all services' values, for stable tie-breaking.
    pub order: usize,
}

/// Every `host:port` in every service's environment, by host name: built once per plan so
/// that looking a service up does not rescan every other service (quadratic on big stacks).
pub fn host_port_index(cx: &Ctx) -> HashMap<String, Vec<HostPortRef>> {
    let mut index: HashMap<String, Vec<HostPortRef>> = HashMap::new();
    let values = cx.project.services.values().flat_map(|other| {
        other
            .environment
            .values()
            .filter_map(|v| v.value.as_deref())
            .map(move |value| (other.name.as_str(), value))
    });
    for (order, (service, value)) in values.enumerate() {
        let mut seen: Vec<&str> = Vec::new();
        for (host, port) in host_ports(value) {
            // The first mention of a host in a value counts, as a reader would take it.
            if seen.contains(&host) {
                continue;
            }
            seen.push(host);
            index
                .entry(host.to_string())
                .or_default()
                .push(HostPortRef {
                    port,
                    service: service.to_string(),
                    order,
                });
        }
    }
    index
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// Every `host:port` in `text`: a whole host name right before a `:` and a non-zero port
/// right after it.
pub fn host_ports(text: &str) -> impl Iterator<Item = (&str, u16)> {
    text.match_indices(':').filter_map(move |(i, _)| {
        let before = &text[..i];
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_host_char(c))
            .last()
            .map(|(j, _)| j)?;
        let digits = text[i + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(&text[i + 1..], |end| &text[i + 1..i + 1 + end]);
        let port = digits.parse::<u16>().ok().filter(|p| *p > 0)?;
        Some((&text[start..i], port))
    })
}

/// Secret values interpolated into commands, args or shell probes (`--requirepass
/// ${REDIS_PASSWORD}`) would land in the workload's plain spec. Where the value is a known
/// secret (some container's Secret environment), it is replaced by a reference:
/// `$(KEY)` in command/args (expanded by the kubelet) and `${KEY}` in `sh -c` probes, and
/// `KEY` is added to the container's Secret environment.
///
/// `interpolated` are secret-looking variables interpolated anywhere in the Compose files
/// (`(name, value)`): a value that no environment entry carries is referenced by the
/// variable's name.
pub fn scrub_secrets_from_commands(pods: &mut [PodPlan], interpolated: &[(String, String)]) {
    move_flag_secrets(pods, interpolated);
    let mut secrets: Vec<(String, String)> = Vec::new();
    for pod in pods.iter() {
        for c in &pod.containers {
            for (k, v) in &c.secret_env {
                // Known to be secret: replaced whatever its length (a 5-character Redis
                // password is still a password); short ones only as a whole word.
                if !v.is_empty() && !secrets.iter().any(|(sv, _)| sv == v) {
                    secrets.push((v.clone(), k.clone()));
                }
            }
        }
    }
    for (var, v) in interpolated {
        if v.len() >= 6 && valid_key(var) && !secrets.iter().any(|(sv, _)| sv == v) {
            secrets.push((v.clone(), var.clone()));
        }
    }
    // A "secret" that is also a plain value somewhere (`DB_PASSWORD=postgres` next to
    // `POSTGRES_USER=postgres`) is public already; replacing it would turn the `postgres`
    // command and `--username=postgres` into Secret references.
    let plain: std::collections::HashSet<&str> = pods
        .iter()
        .flat_map(|p| p.containers.iter())
        .flat_map(|c| c.config_env.values())
        .map(String::as_str)
        .collect();
    secrets.retain(|(v, _)| !plain.contains(v.as_str()));
    // Longest first, so a value containing another is replaced whole.
    secrets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(&b.1)));
    for pod in pods.iter_mut() {
        let mut scrubbed: Vec<String> = Vec::new();
        for c in pod.containers.iter_mut() {
            let mut added: Vec<(String, String)> = Vec::new();
            let mut scrub = |word: &mut String, shell: bool| {
                for (value, key) in &secrets {
                    let reference = if shell {
                        format!("${{{key}}}")
                    } else {
                        format!("$({key})")
                    };
                    if homeport_secrets::replace_value(word, value, &reference) {
                        added.push((key.clone(), value.clone()));
                    }
                }
            };
            for list in [c.command.as_mut(), c.args.as_mut()].into_iter().flatten() {
                for w in list.iter_mut() {
                    scrub(w, false);
                }
            }
            for probe in [
                c.probes.readiness.as_mut(),
                c.probes.liveness.as_mut(),
                c.probes.startup.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if let ProbeAction::Exec(cmd) = &mut probe.action {
                    let shell = cmd.len() == 3 && cmd[0].ends_with("sh") && cmd[1] == "-c";
                    if shell {
                        scrub(&mut cmd[2], true);
                    } else {
                        let mut replaced = false;
                        for w in cmd.iter_mut() {
                            if secrets.iter().any(|(v, _)| {
                                let mut probe = w.clone();
                                homeport_secrets::replace_value(&mut probe, v, "")
                            }) {
                                replaced = true;
                            }
                        }
                        if replaced {
                            // Exec probes are not expanded: run them through a shell instead.
                            let mut line = cmd
                                .iter()
                                .map(|w| shell_quote(w))
                                .collect::<Vec<_>>()
                                .join(" ");
                            scrub(&mut line, true);
                            *cmd = vec!["sh".into(), "-c".into(), line];
                        }
                    }
                }
            }
            for (k, v) in added {
                if !scrubbed.contains(&k) {
                    scrubbed.push(k.clone());
                }
                c.secret_env.entry(k).or_insert(v);
            }
            c.secret_env.sort_keys();
        }
        if !scrubbed.is_empty() {
            pod.decide(
                "secrets",
                format!("command/probe references {}", scrubbed.join(", ")),
                "a secret value was written into a command or probe; it is replaced by a reference to the Secret environment so it never appears in the workload spec",
            );
        }
    }
}

/// Literal values of flags that take a secret (`--requirepass abc`, `curl -u user:pw`) in
/// commands, args and probes move to the container's Secret environment, referenced as
/// `$(KEY)` (or `${KEY}` in a shell line).
fn move_flag_secrets(pods: &mut [PodPlan], interpolated: &[(String, String)]) {
    // Values already known to be secret anywhere in the project keep their name
    // (`--requirepass s3cret` next to another service's `REDIS_PASSWORD=s3cret`).
    let mut known: Vec<(String, String)> = pods
        .iter()
        .flat_map(|p| p.containers.iter())
        .flat_map(|c| c.secret_env.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    known.extend(interpolated.iter().cloned());
    for pod in pods.iter_mut() {
        let mut keys: Vec<String> = Vec::new();
        for c in pod.containers.iter_mut() {
            // Literal values of flags that take a secret (`--requirepass abc`,
            // `curl -u user:pw`) move to the Secret environment first.
            let existing = c.secret_env.clone();
            let mut flags = FlagSecrets {
                existing: &existing,
                known: &known,
                moved: Vec::new(),
            };
            for list in [c.command.as_mut(), c.args.as_mut()].into_iter().flatten() {
                if list.len() == 3 && list[0].ends_with("sh") && list[1] == "-c" {
                    flags.in_shell(&mut list[2]);
                } else {
                    flags.in_words(list);
                }
            }
            for probe in [
                c.probes.readiness.as_mut(),
                c.probes.liveness.as_mut(),
                c.probes.startup.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if let ProbeAction::Exec(cmd) = &mut probe.action {
                    if cmd.len() == 3 && cmd[0].ends_with("sh") && cmd[1] == "-c" {
                        flags.in_shell(&mut cmd[2]);
                    } else if cmd.iter().any(|w| {
                        let name = w.split('=').next().unwrap_or("");
                        homeport_secrets::flag_takes_secret(name)
                            || (w.contains('=') && homeport_secrets::is_secret_assignment(name))
                    }) || flags.program_secret_in(cmd)
                        || cmd
                            .iter()
                            .any(|w| homeport_secrets::bearer_token_range(w).is_some())
                    {
                        // Exec probes are not expanded: run them through a shell instead.
                        let mut line = cmd
                            .iter()
                            .map(|w| shell_quote(w))
                            .collect::<Vec<_>>()
                            .join(" ");
                        flags.in_shell(&mut line);
                        *cmd = vec!["sh".into(), "-c".into(), line];
                    }
                }
            }
            for (k, v) in flags.moved {
                keys.push(k.clone());
                c.secret_env.insert(k, v);
            }
            c.secret_env.sort_keys();
        }
        if !keys.is_empty() {
            pod.decide(
                "secrets",
                format!("command/probe flag values moved to {}", keys.join(", ")),
                "a literal password was given to a flag that takes a secret; it moves to the Secret environment and the command references it, so it never appears in the workload spec",
            );
        }
    }
}

/// Moves literal values of secret-taking flags (see `homeport_secrets::PASSWORD_FLAGS` and
/// `CREDENTIAL_FLAGS`) out of a command into the container's Secret environment.
struct FlagSecrets<'a> {
    existing: &'a IndexMap<String, String>,
    /// Values known to be secret (`(name, value)`: Secret environments of every container,
    /// secret variables interpolated into the files): a flag value that is one of them is
    /// referenced by that name.
    known: &'a [(String, String)],
    /// `(key, value)` pairs to add to the Secret environment.
    moved: Vec<(String, String)>,
}

impl FlagSecrets<'_> {
    /// The secret part of a flag's value (`pw` of `user:pw` for credential flags), if the
    /// value is a literal (not already a reference).
    /// `inline`: written `flag=value` (then `NAME=value` with a secret-looking `NAME`, such as
    /// `PGPASSWORD=...` before a command, counts too); else the value is the next word.
    fn secret_part<'v>(flag: &str, value: &'v str, inline: bool) -> Option<(&'v str, &'v str)> {
        if value.is_empty() || value.contains('$') {
            return None;
        }
        if inline && homeport_secrets::is_secret_assignment(flag) {
            return Some(("", value));
        }
        // `--api-token --verbose`: the next word is another flag, not the value.
        if !flag.starts_with('-') || (!inline && value.starts_with("--")) {
            return None;
        }
        let lower = flag.to_ascii_lowercase();
        if homeport_secrets::CREDENTIAL_FLAGS.contains(&lower.as_str()) {
            let (user, pw) = value.split_once(':')?;
            return (!pw.is_empty()).then_some((&value[..user.len() + 1], pw));
        }
        homeport_secrets::flag_takes_secret(flag).then_some(("", value))
    }

    /// The Secret key for `value` under `flag`: reused for the same value, unique otherwise.
    fn key_for(&mut self, flag: &str, value: &str) -> String {
        if let Some((k, _)) = self.moved.iter().find(|(_, v)| v == value) {
            return k.clone();
        }
        if let Some((k, _)) = self.existing.iter().find(|(_, v)| *v == value) {
            return k.clone();
        }
        if let Some((k, v)) = self.known.iter().find(|(k, v)| v == value && valid_key(k)) {
            if !self.existing.contains_key(k) {
                self.moved.push((k.clone(), v.clone()));
                return k.clone();
            }
        }
        let mut base: String = flag
            .trim_start_matches('-')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        if homeport_secrets::CREDENTIAL_FLAGS.contains(&flag.to_ascii_lowercase().as_str()) {
            base = "BASIC_AUTH_PASSWORD".to_string();
        }
        let mut key = base.clone();
        let mut n = 2;
        while self.existing.contains_key(&key) || self.moved.iter().any(|(k, _)| *k == key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        self.moved.push((key.clone(), value.to_string()));
        key
    }

    /// Whether `value` is a secret already: the whole-value scrub that follows replaces it
    /// wherever it stands as a word.
    fn is_known(&self, value: &str) -> bool {
        self.existing.values().any(|v| v == value) || self.known.iter().any(|(_, v)| v == value)
    }

    /// Whether the whole-value scrub that follows replaces `value` even glued to a flag
    /// (`-p` + a known secret of 6 characters or more); shorter ones are replaced only as a
    /// whole word, so this pass moves them.
    fn scrubbed_later(&self, value: &str) -> bool {
        self.is_known(value) && value.chars().count() >= 6
    }

    /// Whether an exec-form `words` passes a password through a program-specific flag that
    /// this pass moves (then the exec probe has to run through a shell).
    fn program_secret_in(&self, words: &[String]) -> bool {
        let mut program = None;
        words.iter().enumerate().any(|(i, w)| {
            if let Some(p) = homeport_secrets::program_of(w) {
                program = Some(p);
            }
            homeport_secrets::glued_password(program, w).is_some_and(|s| !self.scrubbed_later(s))
                || (homeport_secrets::program_flag_takes_secret(program, w)
                    && words
                        .get(i + 1)
                        .is_some_and(|v| !v.is_empty() && !v.contains('$') && !self.is_known(v)))
        })
    }

    /// The Secret key for the password of a program-specific flag (`mysql -pVALUE`,
    /// `redis-cli -a VALUE`).
    fn key_for_program(&mut self, program: Option<&str>, value: &str) -> String {
        let name = homeport_secrets::password_key(program.unwrap_or("mysql"));
        self.key_for(&format!("--{name}"), value)
    }

    /// An exec-form list (`["redis-server", "--requirepass", "abc"]`): `$(KEY)` references.
    fn in_words(&mut self, words: &mut [String]) {
        let mut i = 0;
        let mut program = None;
        while i < words.len() {
            if let Some(p) = homeport_secrets::program_of(&words[i]) {
                program = Some(p);
            }
            // `-H "Authorization: Bearer <token>"`: the token becomes a reference.
            if let Some(range) = homeport_secrets::bearer_token_range(&words[i]) {
                let value = words[i][range.clone()].to_string();
                if !self.is_known(&value) {
                    let key = self.key_for("--bearer-token", &value);
                    words[i].replace_range(range, &format!("$({key})"));
                }
                i += 1;
                continue;
            }
            if let Some(secret) = homeport_secrets::glued_password(program, &words[i])
                .filter(|s| !self.scrubbed_later(s))
            {
                let secret = secret.to_string();
                let key = self.key_for_program(program, &secret);
                words[i] = format!("-p$({key})");
            } else if homeport_secrets::program_flag_takes_secret(program, &words[i])
                && i + 1 < words.len()
            {
                let value = words[i + 1].clone();
                if !value.is_empty() && !value.contains('$') && !self.is_known(&value) {
                    let key = self.key_for_program(program, &value);
                    words[i + 1] = format!("$({key})");
                }
                i += 1;
            } else if let Some((flag, value)) = words[i].split_once('=') {
                if let Some((prefix, secret)) = Self::secret_part(flag, value, true) {
                    let (flag, prefix, secret) =
                        (flag.to_string(), prefix.to_string(), secret.to_string());
                    let key = self.key_for(&flag, &secret);
                    words[i] = format!("{flag}={prefix}$({key})");
                }
            } else if i + 1 < words.len() {
                let flag = words[i].clone();
                if let Some((prefix, secret)) = Self::secret_part(&flag, &words[i + 1], false) {
                    let (prefix, secret) = (prefix.to_string(), secret.to_string());
                    let key = self.key_for(&flag, &secret);
                    words[i + 1] = format!("{prefix}$({key})");
                    i += 1;
                }
            }
            i += 1;
        }
    }

    /// A shell line (`sh -c "redis-server --requirepass abc"`): `"${KEY}"` references.
    fn in_shell(&mut self, line: &mut String) {
        // Whitespace-separated tokens with their byte ranges; quotes around a token are
        // part of its range and stripped from its value.
        let mut tokens: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices() {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    tokens.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            tokens.push((s, line.len()));
        }
        let unquote = |t: &str| -> String {
            let t = t.trim_end_matches([';', ')']);
            let q = t.starts_with(['"', '\'']) && t.len() >= 2 && t.ends_with(&t[..1]);
            if q {
                t[1..t.len() - 1].to_string()
            } else {
                t.to_string()
            }
        };
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut i = 0;
        let mut program = None;
        while i < tokens.len() {
            let (s, e) = tokens[i];
            let token = line[s..e].to_string();
            if let Some(p) = homeport_secrets::program_of(&token) {
                program = Some(p);
            }
            let bare = token.trim_end_matches([';', ')']);
            if i + 1 < tokens.len()
                && bare
                    .trim_start_matches(['"', '\''])
                    .eq_ignore_ascii_case("bearer")
            {
                // `-H 'Authorization: Bearer <token>'`: the token, wherever the quotes are.
                let (vs, ve) = tokens[i + 1];
                let raw = &line[vs..ve];
                let value = raw.trim_end_matches(['\'', '"', ';', ')']);
                if value.len() >= 8 && !value.contains(['$', '\'', '"']) && !self.is_known(value) {
                    let trailing = raw[value.len()..].to_string();
                    let key = self.key_for("--bearer-token", value);
                    let reference = match quote_at(line, vs) {
                        Some('\'') => format!("'\"${{{key}}}\"'"),
                        Some(_) => format!("${{{key}}}"),
                        None => format!("\"${{{key}}}\""),
                    };
                    edits.push((vs, ve, format!("{reference}{trailing}")));
                }
                i += 2;
                continue;
            }
            if let Some(secret) =
                homeport_secrets::glued_password(program, bare).filter(|s| !self.scrubbed_later(s))
            {
                let secret = secret.to_string();
                let trailing = token[bare.len()..].to_string();
                let key = self.key_for_program(program, &secret);
                edits.push((s, e, format!("-p\"${{{key}}}\"{trailing}")));
            } else if homeport_secrets::program_flag_takes_secret(program, &token)
                && i + 1 < tokens.len()
            {
                let (vs, ve) = tokens[i + 1];
                let raw = &line[vs..ve];
                let trailing = raw[raw.trim_end_matches([';', ')']).len()..].to_string();
                let value = unquote(raw);
                if !value.is_empty() && !value.contains('$') && !self.is_known(&value) {
                    let key = self.key_for_program(program, &value);
                    edits.push((vs, ve, format!("\"${{{key}}}\"{trailing}")));
                }
                i += 1;
            } else if let Some((flag, value)) = token.split_once('=') {
                let value = unquote(value);
                if let Some((prefix, secret)) = Self::secret_part(flag, &value, true) {
                    let (prefix, secret) = (prefix.to_string(), secret.to_string());
                    let key = self.key_for(flag, &secret);
                    edits.push((s, e, format!("{flag}=\"{prefix}${{{key}}}\"")));
                }
            } else if i + 1 < tokens.len() {
                let (vs, ve) = tokens[i + 1];
                let raw = &line[vs..ve];
                let trailing = &raw[raw.trim_end_matches([';', ')']).len()..];
                let value = unquote(raw);
                if let Some((prefix, secret)) = Self::secret_part(&token, &value, false) {
                    let (prefix, secret, trailing) =
                        (prefix.to_string(), secret.to_string(), trailing.to_string());
                    let key = self.key_for(&token, &secret);
                    edits.push((vs, ve, format!("\"{prefix}${{{key}}}\"{trailing}")));
                    i += 1;
                }
            }
            i += 1;
        }
        for (s, e, text) in edits.into_iter().rev() {
            line.replace_range(s..e, &text);
        }
    }
}

/// The quote (`'` or `"`) open at byte `at` of shell line `line`, if any.
fn quote_at(line: &str, at: usize) -> Option<char> {
    let mut open = None;
    let mut escaped = false;
    for c in line[..at].chars() {
        match (open, c) {
            (_, _) if escaped => escaped = false,
            (None | Some('"'), '\\') => escaped = true,
            (None, '\'' | '"') => open = Some(c),
            (Some(q), c) if c == q => open = None,
            _ => {}
        }
    }
    open
}

fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// Decision texts were written while planning, before secrets were moved out of commands and
/// probes (`probes: exec sh -c PGPASSWORD=... pg_isready`): every known secret value in them
/// is replaced, so `plan` (table and JSON) shows no secret.
pub fn scrub_decisions(pods: &mut [PodPlan], interpolated: &[(String, String)]) {
    let plain: std::collections::HashSet<String> = pods
        .iter()
        .flat_map(|p| p.containers.iter())
        .flat_map(|c| c.config_env.values().cloned())
        .collect();
    let mut values: Vec<String> = pods
        .iter()
        .flat_map(|p| p.containers.iter())
        .flat_map(|c| c.secret_env.values().cloned())
        .chain(interpolated.iter().map(|(_, v)| v.clone()))
        .filter(|v| !v.is_empty() && !plain.contains(v))
        .collect();
    values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    values.dedup();
    for pod in pods.iter_mut() {
        for d in pod.decisions.iter_mut() {
            for v in &values {
                homeport_secrets::replace_value(&mut d.value, v, "<redacted>");
                homeport_secrets::replace_value(&mut d.reason, v, "<redacted>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The port in `text` written right after `host` as a whole host name: `host:9998`.
    fn port_after_host(text: &str, host: &str) -> Option<u16> {
        host_ports(text).find(|(h, _)| *h == host).map(|(_, p)| p)
    }

    #[test]
    fn ports_after_host_names() {
        assert_eq!(port_after_host("http://tika:9998", "tika"), Some(9998));
        assert_eq!(port_after_host("gotenberg:3000", "gotenberg"), Some(3000));
        assert_eq!(
            port_after_host("redis://:pw@cache:6380/0", "cache"),
            Some(6380)
        );
        assert_eq!(port_after_host("http://my-tika:9998", "tika"), None);
        assert_eq!(port_after_host("http://tika/", "tika"), None);
        assert_eq!(port_after_host("tika:latest", "tika"), None);
        assert_eq!(port_after_host("db.local:5432", "db"), None);
        assert_eq!(
            port_after_host("a=x:1 b=tika:0 c=tika:80", "tika"),
            Some(80)
        );
        let all: Vec<_> = host_ports("postgres://u:p@db:5432/app?x=cache:6379").collect();
        assert_eq!(all, vec![("db", 5432), ("cache", 6379)]);
    }

    #[test]
    fn shell_words_split_like_compose() {
        assert_eq!(shell_words("a 'b c' \"d\\\"e\""), vec!["a", "b c", "d\"e"]);
        assert_eq!(shell_words("  "), Vec::<String>::new());
    }

    #[test]
    fn secrets_by_key_value_or_interpolation() {
        assert!(is_secret("DB_PASSWORD", "x", &[]));
        assert!(is_secret("DATABASE_URL", "postgres://u:p@db/app", &[]));
        assert!(is_secret("CONN", "abc", &["DB_PASSWORD".to_string()]));
        assert!(!is_secret("LOG_LEVEL", "info", &[]));
    }
}
