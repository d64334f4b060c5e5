//! PSS019: unmasked /proc at the restricted level (no user-namespace relaxation).

use crate::context::{PodContext, Sink};
use crate::controls::proc_mount::check_unconditional;
use crate::{Control, Level, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS019",
    name: "proc-mount-unmasked-restricted",
    level: Level::Restricted,
    upstream_id: "procMount_restricted",
    since: Version::new(1, 35),
    summary: "At the restricted level /proc must keep its default masks, even in a user namespace.",
    doc: r#"## What it does
Flags containers, init containers and ephemeral containers whose `securityContext.procMount`
is anything but `Default`, whether or not the pod sets `spec.hostUsers: false`. Allowed
values: undefined, `Default`.

## Why is this bad?
An unmasked `/proc` exposes kernel interfaces that the runtime normally hides. The baseline
level accepts it inside a user namespace (PSS009); the restricted level keeps the default
masks as defence in depth.

## Example
```yaml
spec:
  hostUsers: false
  containers:
    - name: builder
      image: quay.io/buildah/stable:v1.37
      securityContext:
        procMount: Unmasked
```

## Fix
Remove `procMount`, or run the workload in a namespace that enforces the baseline level.

## Versions
Restricted from policy v1.35 (upstream check `procMount_restricted`, added when the baseline
`procMount` check was relaxed for user-namespace pods). At the restricted level it replaces
PSS009 from v1.35, so a restricted pod keeps the unconditional v1.0 rule. Before v1.35,
PSS009 itself enforces the same rule at both levels.
"#,
};

/// Baseline controls this one replaces at the restricted level.
pub(crate) const OVERRIDES: &[&str] = &["PSS009"];

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    check_unconditional(ctx, sink);
}
