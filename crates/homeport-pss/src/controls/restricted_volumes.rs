//! PSS013: volume types other than the core, PersistentVolume-backed ones.

use serde_json::Value;

use crate::context::{quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS013",
    name: "volume-type-restricted",
    level: Level::Restricted,
    upstream_id: "restrictedVolumes",
    since: Version::new(1, 0),
    summary: "Pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
    doc: r#"## What it does
Flags every volume in `spec.volumes` whose source is not one of `configMap`, `csi`,
`downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected` or
`secret`. Restricted sources include `hostPath`, `nfs`, `iscsi`, `cephfs`, `rbd`, `glusterfs`,
`gitRepo`, `flexVolume`, the in-tree cloud disks and the other in-tree drivers. A volume with
no source is an `emptyDir` (the API's default) and passes.

## Why is this bad?
Inline volume sources let a pod author reach storage directly (a node path, an NFS export, a
block device) with whatever credentials the node has, bypassing the storage classes and
PersistentVolumes an administrator controls.

## Example
```yaml
volumes:
  - name: media
    nfs:
      server: nas.lan
      path: /volume1/media
```

## Fix
Define a PersistentVolume (or a storage class) for the NFS export and mount it through a
`persistentVolumeClaim` volume.

## Versions
Restricted from policy v1.0 (upstream check `restrictedVolumes`, a single 1.0 version). The
`image` volume source was allowed by changing that 1.0 version (Kubernetes 1.33, PR 130394),
so it passes at every policy version. At the restricted level this control replaces PSS005
(`hostPathVolumes`).
"#,
};

/// Baseline controls this one replaces at the restricted level.
pub(crate) const OVERRIDES: &[&str] = &["PSS005"];

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Restricted sources, in upstream's reporting order.
const RESTRICTED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    let Some(volumes) = ctx.spec().at("volumes").and_then(Value::as_array) else {
        return;
    };
    for (i, volume) in volumes.iter().enumerate() {
        let Some(fields) = volume.as_object() else {
            continue;
        };
        // One pass over the volume's few keys: any allowed source wins (like upstream's
        // switch); otherwise the restricted source that upstream would name first.
        let mut allowed = false;
        let mut restricted: Option<usize> = None;
        for (key, value) in fields {
            if value.is_null() {
                continue;
            }
            if ALLOWED.contains(&key.as_str()) {
                allowed = true;
                break;
            }
            if let Some(rank) = RESTRICTED.iter().position(|k| k == key) {
                restricted = Some(restricted.map_or(rank, |r| r.min(rank)));
            }
        }
        let Some(kind) = restricted
            .filter(|_| !allowed)
            .and_then(|rank| RESTRICTED.get(rank))
        else {
            continue;
        };
        let name = fields.at("name").and_then(Value::as_str).unwrap_or("");
        sink.push(
            "restricted volume types",
            &format!(
                "volume {} uses restricted volume type {}",
                quote(name),
                quote(kind)
            ),
            ctx.spec_path(&[
                PathSegment::key("volumes"),
                PathSegment::Index(i),
                PathSegment::key(kind),
            ]),
        );
    }
}
