//! PSS016: seccomp profile required (restricted).

use crate::context::{quote, PodContext, Sink};
use crate::controls::seccomp_baseline::{forbidden_container_profile, forbidden_type, type_path};
use crate::{Control, Level, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS016",
    name: "seccomp-profile-required",
    level: Level::Restricted,
    upstream_id: "seccompProfile_restricted",
    since: Version::new(1, 19),
    summary: "Pods must set a RuntimeDefault or Localhost seccomp profile, at pod level or in every container.",
    doc: r#"## What it does
Requires a seccomp profile of type `RuntimeDefault` or `Localhost` for every container, init
container and ephemeral container: either in `spec.securityContext.seccompProfile` (inherited
by containers that do not set one) or in the container's own
`securityContext.seccompProfile`. `Unconfined` fails wherever it is set, and a container-level
value overrides the pod's. From policy v1.25, Windows pods (`spec.os.name: windows`) are
exempt.

## Why is this bad?
Without an explicit profile the container may run unconfined (the kubelet only applies
`RuntimeDefault` when `seccompDefault` is enabled on the node), exposing every system call of
the kernel to the workload.

## Example
```yaml
spec:
  containers:
    - name: worker
      image: ghcr.io/example/worker:1.4
```

## Fix
```yaml
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: worker
      image: ghcr.io/example/worker:1.4
```

## Versions
Restricted from policy v1.19, when the `seccompProfile` field became GA (upstream check
`seccompProfile_restricted`); not checked at older versions. From v1.25, pods with
`spec.os.name: windows` are exempt. At the restricted level it replaces PSS010
(`seccompProfile_baseline`) from v1.19.
"#,
};

/// Baseline controls this one replaces at the restricted level.
pub(crate) const OVERRIDES: &[&str] = &["PSS010"];

const REASON: &str = "seccompProfile";

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version >= Version::new(1, 25) && ctx.is_windows() {
        return;
    }
    let mut explicit = false;
    let mut pod_set = false;
    if let Some(profile) = ctx.pod_sc_field("seccompProfile") {
        match forbidden_type(profile) {
            Some(bad) => {
                explicit = true;
                sink.push(
                    REASON,
                    &format!(
                        "pod must not set securityContext.seccompProfile.type to {}",
                        quote(bad)
                    ),
                    ctx.spec_path(&type_path(profile)),
                );
            }
            None => pod_set = true,
        }
    }
    for container in ctx.containers() {
        if let Some((detail, path)) = forbidden_container_profile(ctx, &container) {
            explicit = true;
            sink.push(REASON, &detail, path);
        }
    }
    // Like upstream, missing profiles are reported only when nothing set a forbidden one.
    if explicit || pod_set {
        return;
    }
    for container in ctx.containers() {
        if container.sc_field("seccompProfile").is_none() {
            sink.push(
                REASON,
                &format!(
                    "pod or container {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    quote(container.name())
                ),
                container.nearest_path(ctx, &["securityContext", "seccompProfile"]),
            );
        }
    }
}
