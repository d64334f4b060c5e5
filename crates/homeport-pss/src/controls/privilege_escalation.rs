//! PSS012: privilege escalation not disabled.

use serde_json::Value;

use crate::context::{quote, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS012",
    name: "privilege-escalation-allowed",
    level: Level::Restricted,
    upstream_id: "allowPrivilegeEscalation",
    since: Version::new(1, 8),
    summary: "Containers must set securityContext.allowPrivilegeEscalation: false.",
    doc: r#"## What it does
Requires every container, init container and ephemeral container to set
`securityContext.allowPrivilegeEscalation: false` explicitly. Unset fails: the Linux default
allows escalation. From policy v1.25, Windows pods (`spec.os.name: windows`) are exempt.

## Why is this bad?
Unless `no_new_privs` is set, a process can gain privileges at `execve` time through
set-user-ID or set-group-ID binaries and file capabilities; one `sudo`-like binary in the
image turns a code execution bug into root in the container.

## Example
```yaml
containers:
  - name: backend
    image: ghcr.io/example/backend:2.1
```

## Fix
```yaml
containers:
  - name: backend
    image: ghcr.io/example/backend:2.1
    securityContext:
      allowPrivilegeEscalation: false
```

## Versions
Restricted from policy v1.8, the release that added the field (upstream check
`allowPrivilegeEscalation`); not checked at older policy versions. From v1.25, pods with
`spec.os.name: windows` are exempt, because the field does not exist on Windows and API
validation rejects it there.
"#,
};

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 25) && ctx.is_windows() {
        return;
    }
    for container in ctx.containers() {
        let value = container.sc_field("allowPrivilegeEscalation");
        if value == Some(&Value::Bool(false)) {
            continue;
        }
        let path = if value.is_some() {
            container.path(
                ctx,
                &[
                    PathSegment::key("securityContext"),
                    PathSegment::key("allowPrivilegeEscalation"),
                ],
            )
        } else {
            container.nearest_path(ctx, &["securityContext"])
        };
        sink.push(
            "allowPrivilegeEscalation != false",
            &format!(
                "container {} must set securityContext.allowPrivilegeEscalation=false",
                quote(container.name())
            ),
            path,
        );
    }
}
