use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC017",
    name: "unsafe-sysctl",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A pod sets a sysctl outside the safe set",
    fix: "remove the sysctl, or allow it on the kubelet (`--allowed-unsafe-sysctls`) and accept the risk",
    overlaps: &["PSS011"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `securityContext.sysctls` entries that are not in Kubernetes' safe set
(`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
`net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
`net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
`net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
`net.ipv4.tcp_keepalive_probes`). The baseline control `PSS011` reports the same; when it
does, this rule stays quiet. (kube-linter's `unsafe-sysctls`.)

## Why is this bad?
The kubelet refuses unsafe sysctls unless explicitly allowed, so the pod fails with
`SysctlForbidden`. Where they are allowed, they can affect other pods on the node. Compose
files often carry `sysctls: net.ipv4.conf.all.src_valid_mark=1` for WireGuard containers.

## Example
```yaml
securityContext:
  sysctls:
    - {name: net.ipv4.conf.all.src_valid_mark, value: "1"}
```

## Fix
Remove the sysctl; set it on the node instead if the workload really needs it.
"#,
};

const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let Some(sysctls) = t.security("sysctls").and_then(Value::as_array) else {
        return;
    };
    for (i, s) in sysctls.iter().enumerate() {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("");
        if !SAFE.contains(&name) {
            out.report(
                t.spec_path.join("securityContext.sysctls").index(i),
                format!("sysctl `{name}` is not in the safe set"),
            );
        }
    }
}
