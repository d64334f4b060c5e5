use super::{gpu_requests, has_node_constraint};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "PLC001",
    name: "gpu-without-node-constraint",
    category: Category::Placement,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A GPU request without a runtimeClassName or node constraint",
    fix: "set `runtimeClassName: nvidia` for NVIDIA GPUs on k3s, and pin the pod to its GPU nodes with a nodeSelector",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pods that request a GPU (`nvidia.com/gpu`, `nvidia.com/mig-*`, `amd.com/gpu`,
`gpu.intel.com/*`) and:
* request an NVIDIA GPU without a `runtimeClassName`, or
* set neither a `runtimeClassName` nor a node constraint (`nodeSelector`, required node
  affinity, `nodeName`).

No other linter has this rule; it is for clusters that mix GPU and non-GPU nodes.

## Why is this bad?
On k3s, NVIDIA containers get the driver libraries only through the `nvidia` RuntimeClass
(unless containerd's default runtime was changed): without it the pod is scheduled on the
GPU node, gets a GPU assigned, and then the application finds no CUDA device. Without any
node constraint, a GPU pod's placement (and its fallback when the device plugin is not yet
ready after a reboot) is left to chance; on a shared gaming PC it also escapes the rules
that keep batch work off that node.

## Example
```yaml
spec:
  containers:
    - name: transcoder
      image: jellyfin/jellyfin:10.10.3
      resources:
        limits: {nvidia.com/gpu: 1}
```

## Fix
```yaml
spec:
  runtimeClassName: nvidia
  nodeSelector:
    nvidia.com/gpu.present: "true"
  containers:
    - name: transcoder
      image: jellyfin/jellyfin:10.10.3
      resources:
        limits: {nvidia.com/gpu: 1}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let gpus = gpu_requests(t);
    let Some(first) = gpus.first() else { return };
    let runtime = t
        .get("runtimeClassName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(nv) = gpus.iter().find(|g| g.vendor == "nvidia") {
        if runtime.is_none() {
            out.report(
                nv.path.clone(),
                format!(
                    "container `{}` requests `{}` but the pod has no `runtimeClassName` (k3s exposes the NVIDIA runtime as RuntimeClass `nvidia`)",
                    nv.container, nv.resource
                ),
            );
            return;
        }
    }
    if runtime.is_none() && !has_node_constraint(t) {
        out.report(
            first.path.clone(),
            format!(
                "container `{}` requests `{}` but the pod has no node constraint or runtimeClassName",
                first.container, first.resource
            ),
        );
    }
}
