//! PSS005: hostPath volumes.

use serde_json::Value;

use crate::context::{present, quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS005",
    name: "host-path-volume",
    level: Level::Baseline,
    upstream_id: "hostPathVolumes",
    since: Version::new(1, 0),
    summary: "Pods must not use hostPath volumes.",
    doc: r#"## What it does
Flags every volume in `spec.volumes` that is a `hostPath` volume. Allowed values: undefined.

## Why is this bad?
A hostPath volume exposes the node's file system to the pod: the container runtime socket,
kubelet credentials, `/etc`, other pods' data. Even a read-only mount leaks secrets, and a
writable one is a straightforward node takeover.

## Example
```yaml
volumes:
  - name: config
    hostPath:
      path: /srv/jellyfin/config
```

## Fix
Use a PersistentVolumeClaim (a `local` PersistentVolume or a storage class such as
`local-path` or NFS keeps the data on the node or NAS without a hostPath in the pod).

## Versions
Baseline from policy v1.0 (upstream check `hostPathVolumes`, one version). At the restricted
level it is replaced by PSS013 (`restrictedVolumes`), which forbids hostPath too.
"#,
};

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    let Some(volumes) = ctx.spec().at("volumes").and_then(Value::as_array) else {
        return;
    };
    for (i, volume) in volumes.iter().enumerate() {
        if present(volume.at("hostPath")).is_none() {
            continue;
        }
        let name = volume.at("name").and_then(Value::as_str).unwrap_or("");
        sink.push(
            "hostPath volumes",
            &format!("volume {}", quote(name)),
            ctx.spec_path(&[
                PathSegment::key("volumes"),
                PathSegment::Index(i),
                PathSegment::key("hostPath"),
            ]),
        );
    }
}
