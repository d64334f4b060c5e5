//! One nfs-subdir-external-provisioner per dynamic NFS storage class of the inventory, making
//! a StorageClass of exactly that name.

use super::helm::helm_chart;
use crate::charts;
use homeport_plan::cluster::StorageClassDef;
use serde_json::{json, Value};

pub const NAMESPACE: &str = "nfs-provisioner";

/// The HelmChart's (and Helm release's) name for `class`: `nfs-<class>`, dots made dashes
/// and cut to Helm's 53 characters.
pub fn release(class: &StorageClassDef) -> String {
    let name: String = format!("nfs-{}", class.name.replace('.', "-"))
        .chars()
        .take(53)
        .collect();
    name.trim_end_matches('-').to_string()
}

/// The provisioner HelmChart for `class` (an `nfs` entry, so it has a server and path).
pub fn provisioner(class: &StorageClassDef) -> Value {
    let values = json!({
        "nfs": {
            "server": class.server.as_deref().unwrap_or_default(),
            "path": class.path.as_deref().unwrap_or_default(),
        },
        "storageClass": {
            "name": class.name,
            "defaultClass": class.default,
            // Shared volumes: the class is ReadWriteMany.
            "accessModes": "ReadWriteMany",
            // A stable directory per claim (<namespace>/<claim>) rather than one with the
            // generated volume name, so data can be copied in before the claim exists
            // (`homeport data`) and a re-created claim finds its data.
            "pathPattern": "${.PVC.namespace}/${.PVC.name}",
        },
    });
    helm_chart(
        &release(class),
        charts::NFS_SUBDIR_EXTERNAL_PROVISIONER,
        NAMESPACE,
        &values,
    )
}
