//! PSS015: running as UID 0.

use crate::context::{number_is_zero, quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS015",
    name: "run-as-user-root",
    level: Level::Restricted,
    upstream_id: "runAsUser",
    since: Version::new(1, 23),
    summary: "Pods and containers must not set runAsUser: 0.",
    doc: r#"## What it does
Flags `runAsUser: 0` in `spec.securityContext` and in the `securityContext` of every
container, init container and ephemeral container. Unset is allowed (PSS014 then makes sure
the image's user is not root). From policy v1.35, pods with `spec.hostUsers: false` are
exempt.

## Why is this bad?
`runAsUser: 0` asks explicitly for root, which `runAsNonRoot: true` would only catch at
container start; the restricted level rejects it at admission.

## Example
```yaml
securityContext:
  runAsNonRoot: true
  runAsUser: 0
```

## Fix
Use a non-zero UID the image supports, for example `runAsUser: 10001`, or remove the field.

## Versions
Restricted from policy v1.23 (upstream check `runAsUser`); not checked at older policy
versions. Policy v1.35 (upstream `runAsUser1_35`) skips it for pods with
`spec.hostUsers: false`; the earlier alpha-gated relaxation is not modelled.
"#,
};

fn field_path() -> [PathSegment; 2] {
    [
        PathSegment::key("securityContext"),
        PathSegment::key("runAsUser"),
    ]
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 35) && ctx.uses_user_namespace() {
        return;
    }
    if ctx.pod_sc_field("runAsUser").and_then(number_is_zero) == Some(true) {
        sink.push(
            "runAsUser=0",
            "pod must not set runAsUser=0",
            ctx.spec_path(&field_path()),
        );
    }
    for container in ctx.containers() {
        if container.sc_field("runAsUser").and_then(number_is_zero) == Some(true) {
            sink.push(
                "runAsUser=0",
                &format!(
                    "container {} must not set runAsUser=0",
                    quote(container.name())
                ),
                container.path(ctx, &field_path()),
            );
        }
    }
}
