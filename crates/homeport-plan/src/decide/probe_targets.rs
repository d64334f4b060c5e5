//! Healthchecks that reach for something the move to Kubernetes drops. A probe built from
//! such a check can never pass, and a liveness probe that never passes restarts the
//! container forever. A static IP of another service becomes that service's DNS name (its
//! own static IP becomes `localhost`); a check that needs the Docker socket, the Docker host
//! (`host.docker.internal`), a fixed address no service holds, a service that is left
//! out, or a script from a bind mount that is empty on this machine is dropped, and the caller falls back to the default probe with a diagnostic.

use crate::planner::{dns_label, Ctx};
use homeport_compose::{HealthTest, Service};

/// What to do with a healthcheck's test.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Keep,
    /// The test with its targets rewritten, and what was rewritten (`10.5.0.3 -> db`).
    Rewrite(HealthTest, String),
    /// Why the test can never pass on Kubernetes.
    Drop(String),
}

/// Judge `test` of `svc`.
pub fn check(cx: &Ctx, svc: &Service, test: &HealthTest) -> Target {
    let static_ips: Vec<(String, String)> = cx
        .project
        .services
        .iter()
        .flat_map(|(name, s)| {
            s.networks
                .values()
                .filter_map(|n| n.ipv4_address.clone())
                .map(move |ip| {
                    let host = if name == &svc.name {
                        "localhost".to_string()
                    } else {
                        dns_label(name)
                    };
                    (ip, host)
                })
        })
        .collect();
    match judge(test, &static_ips, &cx.left_out) {
        Target::Keep => empty_bind_program(cx, svc, test).unwrap_or(Target::Keep),
        other => other,
    }
}

/// A program or script the check runs from a bind mount whose host path is missing or
/// empty on this machine (`./healthchecks/postgres.sh`): the claim that replaces the bind
/// starts empty, so the check can never pass. Needs the host facts; without them, kept.
fn empty_bind_program(cx: &Ctx, svc: &Service, test: &HealthTest) -> Option<Target> {
    let text = match test {
        HealthTest::Cmd(words) => words.join(" "),
        HealthTest::CmdShell(cmd) => cmd.clone(),
    };
    let paths = text
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '\'' | '"'))
        .filter(|t| t.starts_with('/'));
    for path in paths {
        for m in &svc.volumes {
            if m.kind != homeport_compose::MountType::Bind {
                continue;
            }
            let target = m.target.trim_end_matches('/');
            if !(path == target || path.starts_with(&format!("{target}/"))) {
                continue;
            }
            let Some(source) = &m.source else { continue };
            let host = if std::path::Path::new(source).is_absolute() {
                std::path::PathBuf::from(source)
            } else {
                cx.project.working_dir.join(source)
            };
            let Some(facts) = cx.facts.host_path(&host.to_string_lossy()) else {
                continue;
            };
            if facts.error.is_none() && !facts.holds_data() {
                let shown = host
                    .strip_prefix(&cx.project.working_dir)
                    .map(|r| format!("./{}", r.display()))
                    .unwrap_or_else(|_| host.display().to_string());
                return Some(Target::Drop(format!(
                    "it runs {path} from the bind mount {shown}, which is missing or empty on this machine, so the claim that replaces it starts empty"
                )));
            }
        }
    }
    None
}

/// The pure part of [`check`]: `static_ips` maps a Compose `ipv4_address` to the host name
/// that replaces it, `left_out` are host names of services not deployed.
pub fn judge(test: &HealthTest, static_ips: &[(String, String)], left_out: &[String]) -> Target {
    let words: Vec<&str> = match test {
        HealthTest::Cmd(words) => words.iter().map(String::as_str).collect(),
        HealthTest::CmdShell(cmd) => vec![cmd.as_str()],
    };
    let text = words.join(" ");
    let lower = text.to_ascii_lowercase();
    if lower.contains("docker.sock") || lower.contains("podman.sock") || runs_docker_cli(test) {
        return Target::Drop(
            "it talks to the Docker engine, which pods do not have (the socket mount is dropped)"
                .into(),
        );
    }
    for host in ["host.docker.internal", "gateway.docker.internal"] {
        if lower.contains(host) {
            return Target::Drop(format!(
                "it reaches the Docker host as `{host}`, a name pods cannot resolve"
            ));
        }
    }
    for host in hosts(&text) {
        if left_out.iter().any(|l| l.eq_ignore_ascii_case(&host)) {
            return Target::Drop(format!(
                "it reaches `{host}`, a service that is not deployed"
            ));
        }
    }
    let mut rewrites: Vec<(String, String)> = Vec::new();
    for ip in ipv4_literals(&text) {
        if ip.starts_with("127.") || ip == "0.0.0.0" {
            continue;
        }
        match static_ips.iter().find(|(s, _)| s == &ip) {
            Some((_, host)) => {
                if !rewrites.iter().any(|(from, _)| from == &ip) {
                    rewrites.push((ip, host.clone()));
                }
            }
            None => {
                return Target::Drop(format!(
                    "it checks the fixed address {ip}; pods get their addresses from the CNI"
                ))
            }
        }
    }
    if rewrites.is_empty() {
        return Target::Keep;
    }
    let replace = |s: &str| {
        let mut out = s.to_string();
        for (from, to) in &rewrites {
            out = replace_address(&out, from, to);
        }
        out
    };
    let rewritten = match test {
        HealthTest::Cmd(words) => HealthTest::Cmd(words.iter().map(|w| replace(w)).collect()),
        HealthTest::CmdShell(cmd) => HealthTest::CmdShell(replace(cmd)),
    };
    let what = rewrites
        .iter()
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect::<Vec<_>>()
        .join(", ");
    Target::Rewrite(rewritten, what)
}

/// `docker ...` / `docker-compose ...` as the program run (the test's first word, or a
/// shell command's).
fn runs_docker_cli(test: &HealthTest) -> bool {
    let first = match test {
        HealthTest::Cmd(words) => words.first().map(String::as_str).unwrap_or(""),
        HealthTest::CmdShell(cmd) => cmd.split_whitespace().next().unwrap_or(""),
    };
    let program = first.rsplit('/').next().unwrap_or(first);
    matches!(program, "docker" | "docker-compose" | "podman")
}

/// Host names of the URLs in `text` (`scheme://host[:port]/...`).
fn hosts(text: &str) -> Vec<String> {
    text.match_indices("://")
        .filter_map(|(at, _)| {
            let rest = &text[at + 3..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'))
                .unwrap_or(rest.len());
            let host = &rest[..end];
            (!host.is_empty()).then(|| host.to_string())
        })
        .collect()
}

/// Dotted-quad IPv4 addresses written in `text` (not parts of longer dotted numbers).
fn ipv4_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let token = token.trim_matches('.');
        if token.parse::<std::net::Ipv4Addr>().is_ok() && !out.iter().any(|o| o == token) {
            out.push(token.to_string());
        }
    }
    out
}

/// `from` replaced by `to` where it stands alone (not inside `110.5.0.31`).
fn replace_address(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
        out.push_str(&rest[..at]);
        if joined(before) || (joined(after) && after != Some('.')) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> HealthTest {
        HealthTest::Cmd(words.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn dropped_targets_drop_the_check() {
        let none: &[(String, String)] = &[];
        for (test, why) in [
            (cmd(&["docker", "inspect", "db"]), "Docker engine"),
            (
                HealthTest::CmdShell(
                    "curl --unix-socket /var/run/docker.sock http://x/_ping".into(),
                ),
                "Docker engine",
            ),
            (
                HealthTest::CmdShell(
                    "wget -qO- http://host.docker.internal:8080/ || exit 1".into(),
                ),
                "host.docker.internal",
            ),
            (
                cmd(&["curl", "-f", "http://172.20.0.9:9000/health"]),
                "fixed address 172.20.0.9",
            ),
            (
                cmd(&["curl", "-f", "http://gluetun:8000/v1/publicip/ip"]),
                "`gluetun`, a service that is not deployed",
            ),
        ] {
            match judge(&test, none, &["gluetun".to_string()]) {
                Target::Drop(reason) => assert!(reason.contains(why), "{reason}"),
                other => panic!("{test:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn static_ips_become_service_names_and_local_checks_stay() {
        let ips = vec![
            ("10.5.0.3".to_string(), "db".to_string()),
            ("10.5.0.4".to_string(), "localhost".to_string()),
        ];
        assert_eq!(
            judge(
                &HealthTest::CmdShell(
                    "pg_isready -h 10.5.0.3 && curl -f http://10.5.0.4:8080/ping".into()
                ),
                &ips,
                &[]
            ),
            Target::Rewrite(
                HealthTest::CmdShell(
                    "pg_isready -h db && curl -f http://localhost:8080/ping".into()
                ),
                "10.5.0.3 -> db, 10.5.0.4 -> localhost".into()
            )
        );
        for keep in [
            cmd(&["curl", "-f", "http://localhost:8080/health"]),
            cmd(&["wget", "-q", "--spider", "http://127.0.0.1:9100/metrics"]),
            HealthTest::CmdShell("redis-cli ping | grep PONG".into()),
            cmd(&["/app/healthcheck", "--version", "1.2.3.4.5"]),
            cmd(&["curl", "-f", "http://db:5432/"]),
        ] {
            assert_eq!(
                judge(&keep, &ips, &["gluetun".into()]),
                Target::Keep,
                "{keep:?}"
            );
        }
        assert_eq!(
            replace_address("110.5.0.31 10.5.0.3.", "10.5.0.3", "db"),
            "110.5.0.31 db."
        );
    }
}
