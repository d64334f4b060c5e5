use super::nodes::eligible;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "PLC002",
    name: "node-selector-unsatisfiable",
    category: Category::Placement,
    severity: Severity::Error,
    default_enabled: true,
    summary: "No node of the cluster inventory satisfies a pod's node constraints",
    fix: "fix the nodeSelector/affinity to match a node's labels (`kubernetes.io/hostname`, `kubernetes.io/arch`, inventory labels), or add the labels to the node",
    overlaps: &[],
    needs_cluster: true,
    check: Check::Object(check),
    doc: r#"## What it does
With `--cluster cluster.yaml`, evaluates each pod's `nodeName`, `nodeSelector`, required
node affinity and tolerations against the inventory's nodes, the way the scheduler would.
Node labels are those k3s sets (`kubernetes.io/hostname`, `kubernetes.io/arch`,
`kubernetes.io/os`, `node-role.kubernetes.io/<role>`), plus each node's `labels:` from the
inventory; `availability: opportunistic` nodes carry the
`homeport.dev/opportunistic=true:NoSchedule` taint. Reports pods that no node accepts.
Without `--cluster` this rule finds nothing.

## Why is this bad?
The pod stays `Pending` forever with "0/4 nodes are available: 4 node(s) didn't match
Pod's node affinity/selector". Typical causes: `kubernetes.io/arch: arm64` copied from a Pi
setup onto an amd64-only cluster, a hostname typo, a label that was never applied.

## Example
```yaml
# cluster.yaml: nodes rog-strix (amd64) and pi (arm64)
spec:
  nodeSelector:
    kubernetes.io/hostname: rogstrix
```

## Fix
```yaml
spec:
  nodeSelector:
    kubernetes.io/hostname: rog-strix
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(cluster) = cx.cluster else { return };
    let Some(t) = template(cx, out) else { return };
    if let Err(exclusion) = eligible(cluster, t) {
        out.report(
            exclusion.path,
            format!("pods cannot be scheduled: {}", exclusion.what),
        );
    }
}
