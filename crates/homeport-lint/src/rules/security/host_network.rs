use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC013",
    name: "host-network",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods share the node's network namespace",
    fix: "remove `hostNetwork: true`",
    overlaps: &["PSS002"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pod specs with `hostNetwork: true`, at any Pod Security level (the baseline control
`PSS002` reports the same; when it does, this rule stays quiet). (kube-linter's
`host-network`.)

## Why is this bad?
The pod sees every interface of the node and can bind any of its ports; NetworkPolicies do not apply to it, and it can reach services listening on localhost of the node (the kubelet, k3s' API).

## Example
```yaml
spec:
  hostNetwork: true
```

## Fix
```yaml
spec:
  hostNetwork: false
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    if t.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        out.report(
            t.spec_path.key("hostNetwork"),
            "pods share the node's network namespace",
        );
    }
}
