//! PSS004: adding capabilities beyond the container runtime's default set.

use serde_json::Value;

use crate::context::{object, quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS004",
    name: "capability-beyond-default",
    level: Level::Baseline,
    upstream_id: "capabilities_baseline",
    since: Version::new(1, 0),
    summary: "Containers may only add capabilities from the runtime's default set.",
    doc: r#"## What it does
Flags every entry of `securityContext.capabilities.add` (containers, init containers,
ephemeral containers) that is not in the default set of the container runtime:
`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
`NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`.
Names are compared exactly, without a `CAP_` prefix.

## Why is this bad?
Capabilities outside the default set (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW`, ...)
grant kernel privileges that enable container escapes or attacks on other pods on the node.

## Example
```yaml
containers:
  - name: vpn
    image: qmcgaw/gluetun:v3.39
    securityContext:
      capabilities:
        add: ["NET_ADMIN"]
```

## Fix
Drop the capability, or run the workload in a namespace that enforces the privileged level.
At the restricted level this control is replaced by PSS017, which also requires dropping ALL.

## Versions
Baseline from policy v1.0 (upstream check `capabilities_baseline`, one version; the allowed
list has never changed). Overridden at the restricted level from v1.22 by PSS017
(`capabilities_restricted`).
"#,
};

/// Capabilities the baseline level allows adding (the upstream list, unchanged since v1.0).
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for container in ctx.containers() {
        let Some(add) = object(container.sc_field("capabilities"))
            .and_then(|caps| caps.at("add"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (i, capability) in add.iter().enumerate() {
            let name = capability.as_str().unwrap_or("");
            if BASELINE_CAPABILITIES.contains(&name) {
                continue;
            }
            sink.push(
                "non-default capabilities",
                &format!(
                    "container {} must not include {} in securityContext.capabilities.add",
                    quote(container.name()),
                    quote(name)
                ),
                container.path(
                    ctx,
                    &[
                        PathSegment::key("securityContext"),
                        PathSegment::key("capabilities"),
                        PathSegment::key("add"),
                        PathSegment::Index(i),
                    ],
                ),
            );
        }
    }
}
