use super::gpu_requests;
use super::nodes::eligible;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "PLC004",
    name: "gpu-not-in-cluster",
    category: Category::Placement,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A pod requests GPUs that no node it may run on has",
    fix: "request a GPU vendor the cluster has, lower the count, or allow the pod on the GPU node",
    overlaps: &[],
    needs_cluster: true,
    check: Check::Object(check),
    doc: r#"## What it does
With `--cluster cluster.yaml`, reports pods whose containers request more GPUs of a vendor
(`nvidia`, `amd`, `intel`) than any single node the pod may be scheduled on has (counting
`shared:` time-slicing replicas), including pods asking for a vendor the cluster has none
of. Without `--cluster` this rule finds nothing.

## Why is this bad?
The pod stays `Pending` with "Insufficient nvidia.com/gpu". A Compose file written for an
Intel iGPU (`/dev/dri`) moved to an NVIDIA node, or two GPUs requested on a one-GPU PC.

## Example
```yaml
# cluster.yaml: rog-strix has one NVIDIA GPU
resources:
  limits: {nvidia.com/gpu: 2}
```

## Fix
```yaml
resources:
  limits: {nvidia.com/gpu: 1}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(cluster) = cx.cluster else { return };
    let Some(t) = template(cx, out) else { return };
    let gpus = gpu_requests(t);
    if gpus.is_empty() {
        return;
    }
    let Ok(nodes) = eligible(cluster, t) else {
        return;
    };
    if nodes.is_empty() {
        return;
    }
    let mut vendors: Vec<&str> = gpus.iter().map(|g| g.vendor).collect();
    vendors.dedup();
    for vendor in vendors {
        let wanted: i64 = gpus
            .iter()
            .filter(|g| g.vendor == vendor)
            .map(|g| g.count)
            .sum();
        let best = nodes
            .iter()
            .map(|n| {
                n.gpus
                    .iter()
                    .filter(|(v, _)| v == vendor)
                    .map(|(_, c)| *c)
                    .sum::<i64>()
            })
            .max()
            .unwrap_or(0);
        if wanted > best {
            let Some(first) = gpus.iter().find(|g| g.vendor == vendor) else {
                continue;
            };
            let message = if best == 0 {
                format!("pods request {wanted} {vendor} GPU(s) but no node they may run on has one")
            } else {
                format!("pods request {wanted} {vendor} GPU(s) but the best node they may run on has {best}")
            };
            out.report(first.path.clone(), message);
        }
    }
}
