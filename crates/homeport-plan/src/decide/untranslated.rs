//! Every Compose key is either translated or reported here with why it is not.

use crate::codes;
use crate::plan::PodPlan;
use crate::planner::Ctx;
use homeport_compose::Service;
use homeport_diag::{Diagnostic, Severity};

/// Keys kept verbatim in `Service::other` and what happens to them.
fn other_key(key: &str) -> Option<(Severity, &'static str)> {
    Some(match key {
        "tty" | "stdin_open" => return None, // translated (tty/stdin)
        "logging" => (Severity::Info, "container logs go to the node's log files; use a cluster log shipper (e.g. Loki + Alloy) instead of a logging driver"),
        "dns" | "dns_search" | "dns_opt" => (Severity::Info, "pods use the cluster DNS; set dnsConfig by hand if you need other resolvers"),
        "mac_address" => (Severity::Info, "pods get their MAC address from the CNI"),
        "domainname" => (Severity::Info, "pods use the cluster DNS domain"),
        "oom_score_adj" | "oom_kill_disable" => (Severity::Info, "the kubelet sets OOM scores from the pod's QoS class (requests and limits)"),
        "cpu_shares" | "cpu_quota" | "cpu_period" | "cpuset" | "cpu_count" | "cpu_percent" | "blkio_config" | "memswap_limit" | "mem_swappiness" | "pids_limit" => {
            (Severity::Info, "Kubernetes controls CPU and memory through requests and limits only")
        }
        "group_add" => return None, // numeric groups: supplementalGroups (security pass)
        "userns_mode" | "cgroup" | "cgroup_parent" | "isolation" | "uts" => (Severity::Warning, "namespace/cgroup settings are owned by the kubelet and the runtime"),
        "storage_opt" | "volume_driver" | "volumes_from" => (Severity::Warning, "no Kubernetes equivalent; mount the same claims explicitly"),
        "external_links" => (Severity::Warning, "no Kubernetes equivalent; reach external services through a Service or ExternalName"),
        "stop_signal" => (Severity::Info, "Kubernetes always sends SIGTERM; change the image's STOPSIGNAL instead"),
        "develop" => (Severity::Info, "development-only settings (compose watch)"),
        "annotations" => (Severity::Info, "Compose annotations are not copied"),
        "attach" | "scale" | "post_start" | "pre_stop" | "device_cgroup_rules" | "credential_spec" | "models" | "provider" | "label_file" | "use_api_socket" => {
            (Severity::Info, "no Kubernetes equivalent")
        }
        _ => (Severity::Info, "not translated"),
    })
}

pub fn report(cx: &mut Ctx, svc: &Service, pod: &mut PodPlan) {
    let report = |cx: &mut Ctx, sev: Severity, key: &str, why: &str| {
        cx.push(
            Diagnostic::new(
                sev,
                codes::KEY_NOT_TRANSLATED,
                format!("service `{}`: `{key}` is not translated: {why}", svc.name),
            )
            .with_span_opt(svc.origin.fields.get(key).copied().or(svc.origin.key)),
        );
    };
    for key in svc.other.keys() {
        if let Some((sev, why)) = other_key(key) {
            report(cx, sev, key, why);
        }
    }
    if !svc.ulimits.is_empty() {
        report(cx, Severity::Warning, "ulimits", "Kubernetes has no per-pod ulimits; the node's container runtime defaults apply (raise them in the containerd config if needed)");
    }
    for opt in &svc.security_opt {
        if opt.starts_with("no-new-privileges") {
            continue; // allowPrivilegeEscalation: false is always set
        }
        report(cx, Severity::Warning, "security_opt", &format!("`{opt}`: the pod keeps the RuntimeDefault seccomp profile and the default AppArmor profile"));
    }
    if svc.init == Some(true) {
        report(
            cx,
            Severity::Info,
            "init",
            "no tini is injected; use an image with its own init if zombie processes matter",
        );
    }
    if !svc.extra_hosts.is_empty() {
        for h in &svc.extra_hosts {
            let (host, ip) = h
                .split_once('=')
                .or_else(|| h.split_once(':'))
                .map(|(a, b)| (a.trim(), b.trim().trim_matches(|c| c == '[' || c == ']')))
                .unwrap_or((h.as_str(), ""));
            if ip == "host-gateway" || ip.is_empty() {
                report(
                    cx,
                    Severity::Warning,
                    "extra_hosts",
                    &format!(
                        "`{h}`: host-gateway has no pod equivalent; use the node's LAN address"
                    ),
                );
                continue;
            }
            match pod.host_aliases.iter_mut().find(|(i, _)| i == ip) {
                Some((_, names)) => names.push(host.to_string()),
                None => pod
                    .host_aliases
                    .push((ip.to_string(), vec![host.to_string()])),
            }
        }
        if !pod.host_aliases.is_empty() {
            pod.decide(
                "network",
                "hostAliases",
                "extra_hosts become hostAliases in /etc/hosts",
            );
        }
    }
    if let Some(rt) = svc
        .runtime
        .as_deref()
        .filter(|r| *r != "nvidia" && *r != "runc")
    {
        if pod.runtime_class.is_none() {
            pod.runtime_class = Some(rt.to_string());
        }
        pod.decide(
            "runtime",
            format!("runtimeClassName {rt}"),
            "Compose `runtime:`; a RuntimeClass with this name must exist in the cluster",
        );
    }
    let unrouted: Vec<&String> = svc
        .labels
        .keys()
        .filter(|k| {
            !k.starts_with("traefik.")
                && *k != "caddy"
                && !k.starts_with("caddy.")
                && !k.starts_with("com.docker.")
        })
        .collect();
    if !unrouted.is_empty() {
        report(
            cx,
            Severity::Info,
            "labels",
            &format!(
                "{} container label(s) are not copied to Kubernetes labels (Traefik/Caddy routing labels become Ingresses)",
                unrouted.len()
            ),
        );
    }
    if svc
        .networks
        .values()
        .any(|n| n.ipv4_address.is_some() || n.ipv6_address.is_some())
    {
        report(cx, Severity::Warning, "networks", "static ipv4_address/ipv6_address: pods get their addresses from the CNI; reach the service by its name");
    }
    if let Some(d) = &svc.deploy {
        if d.max_replicas_per_node.is_some() || !d.placement_preferences.is_empty() {
            report(cx, Severity::Info, "deploy", "placement preferences / max_replicas_per_node: replicas are spread with a preferred pod anti-affinity instead");
        }
    }
    if svc.hostname.is_some() {
        pod.notes.push(format!(
            "{}: `hostname` is reachable as an alias Service; the pod's own hostname is its name",
            svc.name
        ));
    }
    if svc.deploy.as_ref().is_some_and(|d| {
        d.restart_policy.is_some() || d.update_config.is_some() || d.rollback_config.is_some()
    }) {
        report(cx, Severity::Info, "deploy", "restart_policy/update_config/rollback_config: Kubernetes restarts and rolls out pods itself");
    }
    if svc.restart == Some(homeport_compose::RestartPolicy::No) && pod.workload.is_long_running() {
        pod.notes.push(format!(
            "{}: `restart: \"no\"` is not kept: Kubernetes restarts long-running containers",
            svc.name
        ));
    }
    if let Some(build) = &svc.build {
        if svc.image.is_some() {
            pod.notes.push(format!(
                "{}: `build` ({}) is ignored: the cluster pulls `image`",
                svc.name, build.context
            ));
        }
    }
}
