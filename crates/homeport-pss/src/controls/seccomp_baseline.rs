//! PSS010: seccomp explicitly disabled (baseline).

use serde_json::Value;

use crate::context::{object, quote, str_field, At, ContainerRef, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS010",
    name: "seccomp-profile-unconfined",
    level: Level::Baseline,
    upstream_id: "seccompProfile_baseline",
    since: Version::new(1, 0),
    summary: "Seccomp must not be disabled: only RuntimeDefault or Localhost profiles.",
    doc: r#"## What it does
Flags seccomp profiles that disable filtering. From policy v1.19 it checks the fields
`spec.securityContext.seccompProfile.type` and
`spec.{containers,initContainers,ephemeralContainers}[*].securityContext.seccompProfile.type`:
when set, they must be `RuntimeDefault` or `Localhost` (so `Unconfined` fails). Leaving them
unset is allowed at the baseline level.

Before v1.19 it checks the alpha annotations instead: `seccomp.security.alpha.kubernetes.io/pod`
and `container.seccomp.security.alpha.kubernetes.io/<container>` must be `runtime/default`,
`docker/default` or `localhost/<profile>` when present.

## Why is this bad?
Seccomp filters the system calls a container may make. The runtime default profile blocks
dozens of rarely needed, historically exploitable calls (`keyctl`, `unshare`, `mount`, ...);
`Unconfined` exposes the whole kernel interface.

## Example
```yaml
securityContext:
  seccompProfile:
    type: Unconfined
```

## Fix
Set `type: RuntimeDefault` (or `Localhost` with a `localhostProfile` present on the nodes), or
remove the field.

## Versions
Baseline from policy v1.0 (upstream check `seccompProfile_baseline`): v1.0 to v1.18 check the
alpha annotations, v1.19 and later check the `seccompProfile` fields (GA in Kubernetes 1.19).
At the restricted level it is replaced from v1.19 by PSS016 (`seccompProfile_restricted`),
which also requires the profile to be set.
"#,
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// The `type` of a set `seccompProfile` when it is not an allowed one.
pub(crate) fn forbidden_type(profile: &Value) -> Option<&str> {
    let kind = str_field(profile.as_object(), "type");
    match kind {
        "RuntimeDefault" | "Localhost" => None,
        _ => Some(kind),
    }
}

/// `securityContext.seccompProfile.type`, or `.seccompProfile` when `type` is missing.
pub(crate) fn type_path(profile: &Value) -> Vec<PathSegment> {
    let mut path = vec![
        PathSegment::key("securityContext"),
        PathSegment::key("seccompProfile"),
    ];
    if object(Some(profile)).is_some_and(|p| p.contains_key("type")) {
        path.push(PathSegment::key("type"));
    }
    path
}

/// The explicitly forbidden container-level profile, with its detail and path.
pub(crate) fn forbidden_container_profile(
    ctx: &PodContext<'_>,
    container: &ContainerRef<'_>,
) -> Option<(String, Vec<PathSegment>)> {
    let profile = container.sc_field("seccompProfile")?;
    let bad = forbidden_type(profile)?;
    Some((
        format!(
            "container {} must not set securityContext.seccompProfile.type to {}",
            quote(container.name()),
            quote(bad)
        ),
        container.path(ctx, &type_path(profile)),
    ))
}

fn allowed_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn check_annotations(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    let Some(annotations) = ctx.annotations() else {
        return;
    };
    let mut report = |key: &str, value: &Value| {
        let Some(value) = value.as_str() else {
            return;
        };
        if !allowed_annotation(value) {
            sink.push(
                "seccompProfile",
                &format!("forbidden annotation {key}={}", quote(value)),
                ctx.annotation_path(key),
            );
        }
    };
    if let Some(value) = annotations.at(POD_ANNOTATION) {
        report(POD_ANNOTATION, value);
    }
    // Only annotations naming a container of the pod count, in container order.
    for container in ctx.containers() {
        let annotation = annotations.iter().find(|(key, _)| {
            key.strip_prefix(CONTAINER_ANNOTATION_PREFIX) == Some(container.name())
        });
        if let Some((key, value)) = annotation {
            report(key, value);
        }
    }
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if ctx.version < Version::new(1, 19) {
        check_annotations(ctx, sink);
        return;
    }
    if let Some(profile) = ctx.pod_sc_field("seccompProfile") {
        if let Some(bad) = forbidden_type(profile) {
            sink.push(
                "seccompProfile",
                &format!(
                    "pod must not set securityContext.seccompProfile.type to {}",
                    quote(bad)
                ),
                ctx.spec_path(&type_path(profile)),
            );
        }
    }
    for container in ctx.containers() {
        if let Some((detail, path)) = forbidden_container_profile(ctx, &container) {
            sink.push("seccompProfile", &detail, path);
        }
    }
}
