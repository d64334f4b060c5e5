//! PSS007: AppArmor profiles other than the runtime default or a node-local profile.

use serde_json::Value;

use crate::context::{object, quote, str_field, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS007",
    name: "apparmor-profile-overridden",
    level: Level::Baseline,
    upstream_id: "appArmorProfile",
    since: Version::new(1, 0),
    summary: "AppArmor must not be disabled: only RuntimeDefault or Localhost profiles.",
    doc: r#"## What it does
Flags AppArmor settings that disable or replace the default confinement:

* the fields `spec.securityContext.appArmorProfile.type` and
  `spec.{containers,initContainers,ephemeralContainers}[*].securityContext.appArmorProfile.type`
  when set to anything but `RuntimeDefault` or `Localhost` (that is, `Unconfined`);
* the deprecated annotations `container.apparmor.security.beta.kubernetes.io/*` when set to
  anything but `runtime/default`, `localhost/<profile>` or an empty value.

## Why is this bad?
On nodes with AppArmor the runtime confines every container with its default profile, which
blocks writes to `/proc` and `/sys`, mounts and other escape primitives. `Unconfined` removes
that layer.

## Example
```yaml
containers:
  - name: app
    image: ghcr.io/example/app:1.0
    securityContext:
      appArmorProfile:
        type: Unconfined
```

## Fix
Remove the setting (the runtime default applies) or set `type: RuntimeDefault`, or
`type: Localhost` with `localhostProfile` naming a profile loaded on the nodes.

## Versions
Baseline from policy v1.0 (upstream check `appArmorProfile`, a single 1.0 version). Upstream
originally checked only the beta annotation. When the `appArmorProfile` fields were added
(Kubernetes 1.30 beta, GA in 1.31), the field checks were added to that same 1.0 version, so
they apply at every policy version; the annotation is still checked.
"#,
};

const REASON: &str = "forbidden AppArmor profile";
const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(profile: &Value) -> Option<&str> {
    let kind = str_field(profile.as_object(), "type");
    match kind {
        "RuntimeDefault" | "Localhost" => None,
        _ => Some(kind),
    }
}

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn type_path(profile: &Value) -> Vec<PathSegment> {
    let mut path = vec![
        PathSegment::key("securityContext"),
        PathSegment::key("appArmorProfile"),
    ];
    if object(Some(profile)).is_some_and(|p| p.contains_key("type")) {
        path.push(PathSegment::key("type"));
    }
    path
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if let Some(profile) = ctx.pod_sc_field("appArmorProfile") {
        if let Some(bad) = allowed_type(profile) {
            sink.push(
                REASON,
                &format!("pod must not set AppArmor profile type to {}", quote(bad)),
                ctx.spec_path(&type_path(profile)),
            );
        }
    }
    for container in ctx.containers() {
        let Some(profile) = container.sc_field("appArmorProfile") else {
            continue;
        };
        if let Some(bad) = allowed_type(profile) {
            sink.push(
                REASON,
                &format!(
                    "container {} must not set AppArmor profile type to {}",
                    quote(container.name()),
                    quote(bad)
                ),
                container.path(ctx, &type_path(profile)),
            );
        }
    }
    for (key, value) in ctx.annotations().into_iter().flatten() {
        let Some(value) = value.as_str() else {
            continue;
        };
        if key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(value) {
            // Upstream joins `key="value"` inside quotes without escaping.
            sink.push(
                REASON,
                &format!(
                    "annotation must not set AppArmor profile type to \"{key}={}\"",
                    quote(value)
                ),
                ctx.annotation_path(key),
            );
        }
    }
}
