//! PSS008: custom SELinux options.

use serde_json::{Map, Value};

use crate::context::{object, quote, str_field, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS008",
    name: "selinux-options-custom",
    level: Level::Baseline,
    upstream_id: "seLinuxOptions",
    since: Version::new(1, 0),
    summary: "SELinux type must be a container type; SELinux user and role must not be set.",
    doc: r#"## What it does
Checks `seLinuxOptions` of the pod (`spec.securityContext`) and of every container, init
container and ephemeral container:

* `type` must be empty or one of `container_t`, `container_init_t`, `container_kvm_t`, and
  from policy v1.31 also `container_engine_t`;
* `user` and `role` must not be set.

`level` is not restricted.

## Why is this bad?
The SELinux type decides what the process may touch on the node. Types such as `spc_t`
(super-privileged container) or `unconfined_t` switch the confinement off; a custom user or
role can grant access the container types deny.

## Example
```yaml
securityContext:
  seLinuxOptions:
    type: spc_t
```

## Fix
Remove `seLinuxOptions` (the runtime assigns `container_t` and a per-pod level), or keep only
`level` and an allowed `type`.

## Versions
Baseline from policy v1.0 (upstream check `seLinuxOptions`). Policy v1.31 added
`container_engine_t` (for container engines such as Podman or BuildKit running in a pod) to
the allowed types; before v1.31 it is forbidden.
"#,
};

const REASON: &str = "seLinuxOptions";
const TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];

fn allowed_type(kind: &str, version: Version) -> bool {
    TYPES_1_0.contains(&kind) || (version >= Version::new(1, 31) && kind == "container_engine_t")
}

/// Reports each offending field of one `seLinuxOptions`.
fn check_options(
    ctx: &PodContext<'_>,
    sink: &mut Sink<'_>,
    setter: &dyn Fn() -> String,
    options: Option<&Map<String, Value>>,
    path: impl Fn(&'static str) -> Vec<PathSegment>,
) {
    let kind = str_field(options, "type");
    if !allowed_type(kind, ctx.version) {
        sink.push(
            REASON,
            &format!(
                "{} set forbidden securityContext.seLinuxOptions: type {}",
                setter(),
                quote(kind)
            ),
            path("type"),
        );
    }
    for key in ["user", "role"] {
        if !str_field(options, key).is_empty() {
            sink.push(
                REASON,
                &format!(
                    "{} set forbidden securityContext.seLinuxOptions: {key} may not be set",
                    setter()
                ),
                path(key),
            );
        }
    }
}

fn field_path(key: &'static str) -> [PathSegment; 3] {
    [
        PathSegment::key("securityContext"),
        PathSegment::key("seLinuxOptions"),
        PathSegment::key(key),
    ]
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    if let Some(options) = ctx.pod_sc_field("seLinuxOptions") {
        check_options(
            ctx,
            sink,
            &|| "pod".to_string(),
            object(Some(options)),
            |key| ctx.spec_path(&field_path(key)),
        );
    }
    for container in ctx.containers() {
        let Some(options) = container.sc_field("seLinuxOptions") else {
            continue;
        };
        let setter = || format!("container {}", quote(container.name()));
        check_options(ctx, sink, &setter, object(Some(options)), |key| {
            container.path(ctx, &field_path(key))
        });
    }
}
