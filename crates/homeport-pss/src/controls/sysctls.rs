//! PSS011: sysctls outside the safe set.

use serde_json::Value;

use crate::context::{At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS011",
    name: "sysctl-unsafe",
    level: Level::Baseline,
    upstream_id: "sysctls",
    since: Version::new(1, 0),
    summary: "Pods may only set sysctls from the safe, namespaced set.",
    doc: r#"## What it does
Flags every `spec.securityContext.sysctls[*].name` outside the safe set of the policy version:

| sysctl | allowed from policy |
|---|---|
| `kernel.shm_rmid_forced` | v1.0 |
| `net.ipv4.ip_local_port_range` | v1.0 |
| `net.ipv4.ip_unprivileged_port_start` | v1.0 |
| `net.ipv4.tcp_syncookies` | v1.0 |
| `net.ipv4.ping_group_range` | v1.0 |
| `net.ipv4.ip_local_reserved_ports` | v1.27 |
| `net.ipv4.tcp_keepalive_time` | v1.29 |
| `net.ipv4.tcp_fin_timeout` | v1.29 |
| `net.ipv4.tcp_keepalive_intvl` | v1.29 |
| `net.ipv4.tcp_keepalive_probes` | v1.29 |
| `net.ipv4.tcp_rmem` | v1.32 |
| `net.ipv4.tcp_wmem` | v1.32 |
| `net.ipv4.tcp_slow_start_after_idle` | v1.37 |
| `net.ipv4.tcp_notsent_lowat` | v1.37 |

## Why is this bad?
Sysctls outside this set are either not namespaced (they change the whole node, for every
pod) or not isolated between pods, so they can disable security mechanisms or starve
neighbours.

## Example
```yaml
spec:
  securityContext:
    sysctls:
      - name: net.core.somaxconn
        value: "4096"
```

## Fix
Remove the sysctl, use a safe one, or configure the node (and allow the unsafe sysctl in the
kubelet) for a workload in a privileged namespace.

## Versions
Baseline from policy v1.0 (upstream check `sysctls`). The safe set grew at v1.27
(`ip_local_reserved_ports`), v1.29 (`tcp_keepalive_time`, `tcp_fin_timeout`,
`tcp_keepalive_intvl`, `tcp_keepalive_probes`), v1.32 (`tcp_rmem`, `tcp_wmem`) and v1.37
(`tcp_slow_start_after_idle`, `tcp_notsent_lowat`). A sysctl added at a version is forbidden
at every older one.
"#,
};

/// The safe sysctls, each with the policy version that first allows it.
const SAFE: &[(&str, Version)] = &[
    ("kernel.shm_rmid_forced", Version::new(1, 0)),
    ("net.ipv4.ip_local_port_range", Version::new(1, 0)),
    ("net.ipv4.tcp_syncookies", Version::new(1, 0)),
    ("net.ipv4.ping_group_range", Version::new(1, 0)),
    ("net.ipv4.ip_unprivileged_port_start", Version::new(1, 0)),
    ("net.ipv4.ip_local_reserved_ports", Version::new(1, 27)),
    ("net.ipv4.tcp_keepalive_time", Version::new(1, 29)),
    ("net.ipv4.tcp_fin_timeout", Version::new(1, 29)),
    ("net.ipv4.tcp_keepalive_intvl", Version::new(1, 29)),
    ("net.ipv4.tcp_keepalive_probes", Version::new(1, 29)),
    ("net.ipv4.tcp_rmem", Version::new(1, 32)),
    ("net.ipv4.tcp_wmem", Version::new(1, 32)),
    ("net.ipv4.tcp_slow_start_after_idle", Version::new(1, 37)),
    ("net.ipv4.tcp_notsent_lowat", Version::new(1, 37)),
];

/// Whether the baseline level allows sysctl `name` at policy `version`.
pub fn is_safe_sysctl(name: &str, version: Version) -> bool {
    safe(name, version)
}

fn safe(name: &str, version: Version) -> bool {
    SAFE.iter()
        .any(|(safe, since)| *safe == name && *since <= version)
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    let Some(sysctls) = ctx.pod_sc_field("sysctls").and_then(Value::as_array) else {
        return;
    };
    for (i, sysctl) in sysctls.iter().enumerate() {
        let name = sysctl.at("name").and_then(Value::as_str).unwrap_or("");
        if safe(name, ctx.version) {
            continue;
        }
        let mut rest = vec![
            PathSegment::key("securityContext"),
            PathSegment::key("sysctls"),
            PathSegment::Index(i),
        ];
        if sysctl.at("name").is_some() {
            rest.push(PathSegment::key("name"));
        }
        sink.push("forbidden sysctls", name, ctx.spec_path(&rest));
    }
}
