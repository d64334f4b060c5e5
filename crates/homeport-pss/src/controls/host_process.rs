//! PSS001: Windows HostProcess containers.

use serde_json::{Map, Value};

use crate::context::{field, object, quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS001",
    name: "host-process-container",
    level: Level::Baseline,
    upstream_id: "windowsHostProcess",
    since: Version::new(1, 0),
    summary: "Windows HostProcess containers must not be used.",
    doc: r#"## What it does
Flags a pod or container that sets `securityContext.windowsOptions.hostProcess: true`.

Restricted fields: `spec.securityContext.windowsOptions.hostProcess` and
`spec.{containers,initContainers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess`.
Allowed values: undefined, `false`.

## Why is this bad?
A Windows HostProcess container runs directly on the node, in the host's network namespace,
with access to the host file system and devices: privileged access to the Windows host.

## Example
```yaml
spec:
  securityContext:
    windowsOptions:
      hostProcess: true
      runAsUserName: "NT AUTHORITY\\SYSTEM"
```

## Fix
Remove `hostProcess` (or set it to `false`). Node management tasks belong in a namespace that
enforces the privileged level.

## Versions
Baseline from policy v1.0 (upstream check `windowsHostProcess`, one version). The field itself
is GA since Kubernetes 1.26.
"#,
};

const REASON: &str = "hostProcess";

fn host_process(security_context: Option<&Map<String, Value>>) -> bool {
    field(
        object(field(security_context, "windowsOptions")),
        "hostProcess",
    ) == Some(&Value::Bool(true))
}

fn field_path() -> [PathSegment; 3] {
    [
        PathSegment::key("securityContext"),
        PathSegment::key("windowsOptions"),
        PathSegment::key("hostProcess"),
    ]
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if host_process(ctx.pod_security_context()) {
        sink.push(
            REASON,
            "pod must not set securityContext.windowsOptions.hostProcess=true",
            ctx.spec_path(&field_path()),
        );
    }
    for container in ctx.containers() {
        if host_process(container.security_context()) {
            sink.push(
                REASON,
                &format!(
                    "container {} must not set securityContext.windowsOptions.hostProcess=true",
                    quote(container.name())
                ),
                container.path(ctx, &field_path()),
            );
        }
    }
}
