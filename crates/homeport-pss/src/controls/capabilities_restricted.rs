//! PSS017: capabilities not dropped (restricted).

use serde_json::Value;

use crate::context::{object, quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS017",
    name: "capabilities-not-restricted",
    level: Level::Restricted,
    upstream_id: "capabilities_restricted",
    since: Version::new(1, 22),
    summary: "Containers must drop ALL capabilities and may only add NET_BIND_SERVICE.",
    doc: r#"## What it does
Requires every container, init container and ephemeral container to list `ALL` in
`securityContext.capabilities.drop`, and flags every entry of
`securityContext.capabilities.add` other than `NET_BIND_SERVICE`. Values are compared
exactly (`all` or `CAP_NET_BIND_SERVICE` do not count). From policy v1.25, Windows pods
(`spec.os.name: windows`) are exempt.

## Why is this bad?
Even the runtime's default capability set (`CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETUID`,
`NET_RAW`, ...) gives a compromised process room to bypass file permissions, switch users or
forge packets. Dropping everything and adding back only binding to low ports leaves nothing to
abuse.

## Example
```yaml
containers:
  - name: proxy
    image: caddy:2.8
    securityContext:
      capabilities:
        add: ["NET_BIND_SERVICE", "NET_ADMIN"]
```

## Fix
```yaml
containers:
  - name: proxy
    image: caddy:2.8
    securityContext:
      capabilities:
        drop: ["ALL"]
        add: ["NET_BIND_SERVICE"]
```

## Versions
Restricted from policy v1.22 (upstream check `capabilities_restricted`); before v1.22 only
the baseline rule PSS004 applies, at every level. From v1.25, pods with `spec.os.name: windows`
are exempt. At the restricted level it replaces PSS004 (`capabilities_baseline`) from v1.22.
"#,
};

/// Baseline controls this one replaces at the restricted level.
pub(crate) const OVERRIDES: &[&str] = &["PSS004"];

const REASON: &str = "unrestricted capabilities";

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 25) && ctx.is_windows() {
        return;
    }
    for container in ctx.containers() {
        let name = || quote(container.name());
        let capabilities = object(container.sc_field("capabilities"));
        let drops_all = capabilities
            .and_then(|caps| caps.at("drop"))
            .and_then(Value::as_array)
            .is_some_and(|drop| drop.iter().any(|c| c.as_str() == Some("ALL")));
        if !drops_all {
            // Upstream compares `ALL` exactly; say so when the drop list has it in
            // another case (`all`, `All`), which looks right and is not.
            let other_case = capabilities
                .and_then(|caps| caps.at("drop"))
                .and_then(Value::as_array)
                .and_then(|drop| {
                    drop.iter()
                        .filter_map(Value::as_str)
                        .find(|c| c.eq_ignore_ascii_case("ALL"))
                });
            let explain = match other_case {
                Some(text) => format!(
                    "; {} does not count: admission compares the name `ALL` exactly",
                    quote(text)
                ),
                None => String::new(),
            };
            sink.push(
                REASON,
                &format!(
                    "container {} must set securityContext.capabilities.drop=[\"ALL\"]{explain}",
                    name()
                ),
                container.nearest_path(ctx, &["securityContext", "capabilities", "drop"]),
            );
        }
        let Some(add) = capabilities
            .and_then(|caps| caps.at("add"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (i, capability) in add.iter().enumerate() {
            let capability = capability.as_str().unwrap_or("");
            if capability == "NET_BIND_SERVICE" {
                continue;
            }
            sink.push(
                REASON,
                &format!(
                    "container {} must not include {} in securityContext.capabilities.add",
                    name(),
                    quote(capability)
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
