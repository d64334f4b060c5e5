use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL029",
    name: "service-type-nodeport",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A Service of type NodePort",
    fix:
        "use a ClusterIP Service behind an Ingress (or a LoadBalancer Service; k3s ships ServiceLB)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Services of `type: NodePort`. (kube-score's `service-type`.)

## Why is this bad?
A NodePort opens the same high port on every node, bypassing the Ingress controller (its
TLS, hostnames, authentication middleware) and any firewall you set on ports 80/443. Ports
must be managed by hand to avoid clashes, and clients must know a node's address.

## Example
```yaml
spec:
  type: NodePort
```

## Fix
```yaml
spec:
  type: ClusterIP
```
and expose it with an Ingress.
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    if obj
        .value
        .get("spec")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("NodePort")
    {
        out.report(
            FieldPath::parse("spec.type"),
            format!("Service `{}` is a NodePort", obj.name),
        );
    }
}
