use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET006",
    name: "pod-not-isolated",
    category: Category::Networking,
    severity: Severity::Info,
    default_enabled: true,
    summary: "No NetworkPolicy selects a workload's pods",
    fix: "add a NetworkPolicy for the namespace (a default-deny plus rules for the traffic each workload needs)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports workloads whose pods no NetworkPolicy of the input selects. (kube-score's
`pod-networkpolicy`, kube-linter's `non-isolated-pod`.) k3s enforces NetworkPolicies out of
the box (its embedded network policy controller).

## Why is this bad?
Without a policy every pod accepts connections from every other pod in the cluster: a
compromised web app can reach the database, the VPN sidecar or the Redis without a
password directly.

## Example
```yaml
kind: Deployment
metadata: {name: db}
```

## Fix
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db}
spec:
  podSelector:
    matchLabels: {app: db}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: api}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_long_running(obj) || obj.kind == "Pod" && obj.namespace.as_deref() == Some("kube-system")
    {
        return;
    }
    if template(cx, out).is_none() {
        return;
    }
    if !cx.index.covered_by_network_policy(out.object_index()) {
        out.report(
            FieldPath::root(),
            format!(
                "no NetworkPolicy selects the pods of {} `{}`",
                obj.kind, obj.name
            ),
        );
    }
}
