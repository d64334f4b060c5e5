//! PSS003: privileged containers.

use serde_json::Value;

use crate::context::{quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS003",
    name: "privileged-container",
    level: Level::Baseline,
    upstream_id: "privileged",
    since: Version::new(1, 0),
    summary: "Containers must not run privileged.",
    doc: r#"## What it does
Flags containers, init containers and ephemeral containers that set
`securityContext.privileged: true`. Allowed values: undefined, `false`.

## Why is this bad?
A privileged container has every capability, every device of the node, no seccomp or AppArmor
confinement and a writable `/sys`: it is root on the node in all but name, and escaping is
trivial.

## Example
```yaml
containers:
  - name: app
    image: ghcr.io/home-assistant/home-assistant:2024.8
    securityContext:
      privileged: true
```

## Fix
Remove `privileged: true`. Grant the specific device (a device plugin, or a `hostPath` device
in a privileged namespace) or the one capability the workload needs instead.

## Versions
Baseline from policy v1.0 (upstream check `privileged`, one version).
"#,
};

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for container in ctx.containers() {
        if container.sc_field("privileged") == Some(&Value::Bool(true)) {
            sink.push(
                "privileged",
                &format!(
                    "container {} must not set securityContext.privileged=true",
                    quote(container.name())
                ),
                container.path(
                    ctx,
                    &[
                        PathSegment::key("securityContext"),
                        PathSegment::key("privileged"),
                    ],
                ),
            );
        }
    }
}
