//! PSS009: unmasked /proc (baseline; relaxed for user-namespace pods from 1.35).

use serde_json::Value;

use crate::context::{quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS009",
    name: "proc-mount-unmasked",
    level: Level::Baseline,
    upstream_id: "procMount",
    since: Version::new(1, 0),
    summary: "/proc must keep its default masks (procMount: Default).",
    doc: r#"## What it does
Flags containers, init containers and ephemeral containers whose `securityContext.procMount`
is set to anything but `Default` (that is, `Unmasked`). Allowed values: undefined, `Default`.
From policy v1.35, pods with `spec.hostUsers: false` (running in a user namespace) may use any
value at the baseline level.

## Why is this bad?
The runtime masks and makes read-only the parts of `/proc` that leak host information or
reach host-wide kernel knobs (`/proc/kcore`, `/proc/sysrq-trigger`, ...). `Unmasked` removes
that protection. Inside a user namespace those paths are protected by the kernel's ID checks
instead, which is why 1.35 relaxed the baseline rule for such pods.

## Example
```yaml
containers:
  - name: builder
    image: quay.io/buildah/stable:v1.37
    securityContext:
      procMount: Unmasked
```

## Fix
Remove `procMount`; for nested containers, run the pod in a user namespace
(`hostUsers: false`) at the baseline level.

## Versions
Baseline from policy v1.0 (upstream check `procMount`). Policy v1.35 (upstream
`procMount1_35baseline`) allows any value when `spec.hostUsers` is `false`; before v1.35 that
relaxation only existed behind the alpha `UserNamespacesPodSecurityStandards` feature gate,
which was off by default and was removed in 1.35, so it is not modelled. At the restricted
level this control is replaced from v1.35 by PSS019, which keeps the unconditional rule.
"#,
};

/// Upstream `procMount_1_0`: any container with a non-`Default` procMount fails.
pub(crate) fn check_unconditional(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for container in ctx.containers() {
        let Some(value) = container.sc_field("procMount").and_then(Value::as_str) else {
            continue;
        };
        if value == "Default" {
            continue;
        }
        sink.push(
            "procMount",
            &format!(
                "container {} must not set securityContext.procMount to {}",
                quote(container.name()),
                quote(value)
            ),
            container.path(
                ctx,
                &[
                    PathSegment::key("securityContext"),
                    PathSegment::key("procMount"),
                ],
            ),
        );
    }
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 35) && ctx.uses_user_namespace() {
        return;
    }
    check_unconditional(ctx, sink);
}
