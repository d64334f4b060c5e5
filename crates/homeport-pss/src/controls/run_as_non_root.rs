//! PSS014: runAsNonRoot not required.

use serde_json::Value;

use crate::context::{quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS014",
    name: "run-as-non-root-required",
    level: Level::Restricted,
    upstream_id: "runAsNonRoot",
    since: Version::new(1, 0),
    summary: "Pods must set runAsNonRoot: true, at pod level or in every container.",
    doc: r#"## What it does
Requires `runAsNonRoot: true` for every container, init container and ephemeral container,
either in the pod's `spec.securityContext` (inherited by every container that does not set
it) or in the container's own `securityContext`. A container that sets
`runAsNonRoot: false` fails even when the pod sets `true`, and a pod that sets `false` fails
even when every container sets `true`. From policy v1.35, pods with `spec.hostUsers: false`
are exempt.

## Why is this bad?
Root in a container is root on the node's kernel (outside a user namespace): any kernel bug,
mis-mounted path or leftover capability becomes a node compromise. `runAsNonRoot: true` makes
the kubelet refuse to start a container whose user would be UID 0.

## Example
```yaml
spec:
  containers:
    - name: api
      image: ghcr.io/example/api:3.0
```

## Fix
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: api
      image: ghcr.io/example/api:3.0
```

## Versions
Restricted from policy v1.0 (upstream check `runAsNonRoot`). Policy v1.35 (upstream
`runAsNonRoot1_35`) skips the check for pods with `spec.hostUsers: false`, since root in a
user namespace maps to an unprivileged host user; before v1.35 that relaxation existed only
behind the alpha `UserNamespacesPodSecurityStandards` gate (off by default, removed in 1.35)
and is not modelled. There is no Windows exemption.
"#,
};

const REASON: &str = "runAsNonRoot != true";

fn field_path() -> [PathSegment; 2] {
    [
        PathSegment::key("securityContext"),
        PathSegment::key("runAsNonRoot"),
    ]
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 35) && ctx.uses_user_namespace() {
        return;
    }
    let pod = ctx.pod_sc_field("runAsNonRoot").and_then(Value::as_bool);
    let pod_true = pod == Some(true);
    let mut explicit = false;
    if pod == Some(false) {
        explicit = true;
        sink.push(
            REASON,
            "pod must not set securityContext.runAsNonRoot=false",
            ctx.spec_path(&field_path()),
        );
    }
    for container in ctx.containers() {
        if container.sc_field("runAsNonRoot").and_then(Value::as_bool) == Some(false) {
            explicit = true;
            sink.push(
                REASON,
                &format!(
                    "container {} must not set securityContext.runAsNonRoot=false",
                    quote(container.name())
                ),
                container.path(ctx, &field_path()),
            );
        }
    }
    // Like upstream, containers that merely inherit a missing value are reported only when
    // nothing set an explicit false.
    if explicit || pod_true {
        return;
    }
    for container in ctx.containers() {
        if container
            .sc_field("runAsNonRoot")
            .and_then(Value::as_bool)
            .is_none()
        {
            sink.push(
                REASON,
                &format!(
                    "pod or container {} must set securityContext.runAsNonRoot=true",
                    quote(container.name())
                ),
                container.nearest_path(ctx, &["securityContext", "runAsNonRoot"]),
            );
        }
    }
}
