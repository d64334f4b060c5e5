//! The keys the Compose Specification allows in each mapping (compose-spec.json), and the
//! "did you mean" helper for unknown ones.

pub const TOP_LEVEL: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models",
];

pub const SERVICE: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];

pub const BUILD: &[&str] = &[
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "args",
    "ssh",
    "labels",
    "cache_from",
    "cache_to",
    "no_cache",
    "additional_contexts",
    "network",
    "provenance",
    "sbom",
    "pull",
    "target",
    "shm_size",
    "extra_hosts",
    "isolation",
    "privileged",
    "secrets",
    "tags",
    "ulimits",
    "platforms",
];

pub const DEPLOY: &[&str] = &[
    "mode",
    "endpoint_mode",
    "replicas",
    "labels",
    "rollback_config",
    "update_config",
    "resources",
    "restart_policy",
    "placement",
];
pub const UPDATE_CONFIG: &[&str] = &[
    "parallelism",
    "delay",
    "failure_action",
    "monitor",
    "max_failure_ratio",
    "order",
];
pub const RESOURCES: &[&str] = &["limits", "reservations"];
pub const LIMITS: &[&str] = &["cpus", "memory", "pids"];
pub const RESERVATIONS: &[&str] = &["cpus", "memory", "generic_resources", "devices"];
pub const RESTART_POLICY: &[&str] = &["condition", "delay", "max_attempts", "window"];
pub const PLACEMENT: &[&str] = &["constraints", "preferences", "max_replicas_per_node"];
pub const DEVICE_REQUEST: &[&str] = &["capabilities", "count", "device_ids", "driver", "options"];
pub const HEALTHCHECK: &[&str] = &[
    "disable",
    "interval",
    "retries",
    "test",
    "timeout",
    "start_period",
    "start_interval",
];
pub const PORT: &[&str] = &[
    "name",
    "mode",
    "host_ip",
    "target",
    "published",
    "protocol",
    "app_protocol",
];
pub const VOLUME_MOUNT: &[&str] = &[
    "type",
    "source",
    "target",
    "read_only",
    "consistency",
    "bind",
    "volume",
    "tmpfs",
    "image",
];
pub const VOLUME_BIND: &[&str] = &["propagation", "create_host_path", "recursive", "selinux"];
pub const VOLUME_VOLUME: &[&str] = &["labels", "nocopy", "subpath"];
pub const VOLUME_TMPFS: &[&str] = &["size", "mode"];
pub const VOLUME_IMAGE: &[&str] = &["subpath"];
pub const DEPENDS_ON: &[&str] = &["restart", "required", "condition"];
pub const SERVICE_NETWORK: &[&str] = &[
    "aliases",
    "interface_name",
    "ipv4_address",
    "ipv6_address",
    "link_local_ips",
    "mac_address",
    "driver_opts",
    "priority",
    "gw_priority",
];
pub const FILE_REFERENCE: &[&str] = &["source", "target", "uid", "gid", "mode"];
pub const DEVICE: &[&str] = &["source", "target", "permissions"];
pub const ENV_FILE: &[&str] = &["path", "format", "required"];
pub const EXTENDS: &[&str] = &["service", "file"];
pub const INCLUDE: &[&str] = &["path", "env_file", "project_directory"];
pub const ULIMIT: &[&str] = &["soft", "hard"];
pub const NETWORK: &[&str] = &[
    "name",
    "driver",
    "driver_opts",
    "ipam",
    "external",
    "internal",
    "enable_ipv4",
    "enable_ipv6",
    "attachable",
    "labels",
];
pub const VOLUME: &[&str] = &["name", "driver", "driver_opts", "external", "labels"];
pub const SECRET: &[&str] = &[
    "name",
    "environment",
    "file",
    "external",
    "labels",
    "driver",
    "driver_opts",
    "template_driver",
    "content",
];
pub const CONFIG: &[&str] = &[
    "name",
    "content",
    "environment",
    "file",
    "external",
    "labels",
    "template_driver",
];
pub const HINTS: &[&str] = &[
    "namespace",
    "workload",
    "schedule",
    "tier",
    "preemptible",
    "node",
    "expose",
    "autoscale",
    "queue",
    "security",
    "backup",
    "metrics",
    "skip",
    "pullSecret",
    "rightsize",
    "rbac",
    "quota",
];
pub const HINT_RBAC_RULE: &[&str] = &["apiGroups", "resources", "verbs", "resourceNames", "scope"];
pub const HINT_EXPOSE: &[&str] = &["host", "path", "port"];
pub const HINT_AUTOSCALE: &[&str] = &["min", "max", "cpu", "memory", "gpu"];
pub const HINT_QUEUE: &[&str] = &["type", "name", "target"];
pub const HINT_SECURITY: &[&str] = &["level", "reason"];
pub const HINT_BACKUP: &[&str] = &["schedule", "retention"];
pub const HINT_METRICS: &[&str] = &["port", "path"];

/// Keys of the untranslated service mappings that have a fixed set of keys.
pub fn untranslated_keys(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "logging" => &["driver", "options"],
        "credential_spec" => &["config", "file", "registry"],
        "provider" => &["type", "options"],
        "develop" => &["watch"],
        "blkio_config" => &[
            "device_read_bps",
            "device_read_iops",
            "device_write_bps",
            "device_write_iops",
            "weight",
            "weight_device",
        ],
        _ => return None,
    })
}

/// The closest known key, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = unknown.to_ascii_lowercase();
    let limit = (unknown.chars().count() / 3).clamp(1, 3);
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("imagee", SERVICE), Some("image"));
        assert_eq!(did_you_mean("enviroment", SERVICE), Some("environment"));
        assert_eq!(did_you_mean("prots", SERVICE), Some("ports"));
        assert_eq!(did_you_mean("depends-on", SERVICE), Some("depends_on"));
        assert_eq!(did_you_mean("zzzzzz", SERVICE), None);
    }
}
